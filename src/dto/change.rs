//! Wire types of the change log (`GET /api/v1/changes`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::article::Article;
use super::list::{ListLinks, ListMeta};
pub use crate::model::{ChangeEvent, ChangeOp, PubStatus};

/// One entry of the change log: the latest public change of one article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 1042, "op": "delete", "event": "canceled", "pub_status": "canceled", "id": 812, "slug": "كازاخستان-ترفع-إنتاج-النفط",
    "version": 4, "at": "2026-04-12T09:00:00Z"
}))]
pub struct Change {
    /// Position in the log; entries come in increasing `seq` (commit order).
    pub seq: i64,
    /// `upsert` (store `article`) or `delete` (drop every copy).
    pub op: ChangeOp,
    /// What happened, as the webhooks name it without their `article.` prefix: on upserts
    /// `published`, `embargo_lifted`, `updated` or `corrected`; on deletes `withheld`,
    /// `canceled` (a kill: recall every copy ever delivered) or `deleted`.
    pub event: ChangeEvent,
    /// On deletes that withdrew the article: `withheld` or `canceled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pub_status: Option<PubStatus>,
    /// The article's id.
    pub id: i32,
    /// Its slug (for a delete: the slug the public last saw).
    pub slug: String,
    /// The article's version after the change.
    pub version: i32,
    /// When the change was committed.
    pub at: DateTime<Utc>,
    /// On upserts: the article's ETag, as `GET /api/v1/articles/{id}` answers it. It
    /// changes with `version`, and also when a tag the article carries is renamed (which
    /// changes the article's body but not its version): compare it, not `version`, to know
    /// whether a mirrored copy is current.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "\"v4-3fa09c21d7e2\"")]
    pub etag: Option<String>,
    /// The public article, with body, on upserts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub article: Option<Article>,
}

/// A page of the change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// The entries after `since`, oldest first.
    pub data: Vec<Change>,
    /// `total`: entries after `since` right now (this page included); `next_cursor`: the
    /// `since` of the next poll, never null.
    pub meta: ListMeta,
    /// `next` while more entries wait; null when this page reached the end of the log.
    pub links: ListLinks,
}

/// Query parameters of `GET /api/v1/changes`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// Where to start: `meta.next_cursor` of the previous poll; absent or `0` for the whole
    /// log.
    #[param(value_type = Option<String>, pattern = "^[0-9]{1,18}$", example = "1041")]
    pub since: Option<String>,
    /// Entries per page, 1–500 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// A long poll: when no entry follows `since`, hold the request up to this many seconds
    /// (1–30) and answer as soon as one lands (or the time is up, with an empty page).
    /// Without it, or 0, the answer is immediate.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 30)]
    pub wait: Option<String>,
    /// `ninjs`: each entry's `article` as IPTC ninjs 3.1, a removal's as a partial document
    /// saying `pubStatus` (`canceled` to recall every copy, else `withheld`); `json` by
    /// default.
    #[param(value_type = Option<String>, pattern = "^(json|ninjs)$")]
    pub format: Option<String>,
}

/// Query parameters of `GET /api/v1/changes/stream`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Where to start: a `seq` (or `meta.next_cursor` of a poll); absent or `0` for the whole
    /// log. A `Last-Event-ID` header (what an EventSource sends when it reconnects) wins.
    #[param(value_type = Option<String>, pattern = "^[0-9]{1,18}$", example = "1041")]
    pub since: Option<String>,
}
