//! Wire types of webhooks (`/api/v1/webhooks`): endpoints, their deliveries, replays, and
//! the payload every delivery carries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{Description, WebUrl};
use super::{double_option, reject_null};

/// The event types an endpoint can receive.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum WebhookEvent {
    /// An article became public (created, published, restored, reinstated, fell due).
    #[serde(rename = "article.published")]
    Published,
    /// A public article changed.
    #[serde(rename = "article.updated")]
    Updated,
    /// A correction or clarification was added.
    #[serde(rename = "article.corrected")]
    Corrected,
    /// Withheld: remove it for now.
    #[serde(rename = "article.withheld")]
    Withheld,
    /// Canceled (killed): remove it and recall every copy.
    #[serde(rename = "article.canceled")]
    Canceled,
    /// Its embargo lifted: it is public from now.
    #[serde(rename = "article.embargo_lifted")]
    EmbargoLifted,
    /// It left public view otherwise (trashed, unpublished, purged).
    #[serde(rename = "article.deleted")]
    Deleted,
    /// A tag was merged into another.
    #[serde(rename = "tag.merged")]
    TagMerged,
}

/// A partner's endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    /// Numeric id.
    pub id: i32,
    /// Where deliveries are POSTed.
    #[schema(example = "https://partner.example.org/anbaa/hooks")]
    pub url: String,
    /// What it is for, or null.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event types it receives.
    #[schema(value_type = Vec<WebhookEvent>, example = json!(["article.published", "article.canceled"]))]
    pub events: Vec<String>,
    /// Tag slugs it is limited to (a region covers its countries); empty for every article.
    pub tags: Vec<String>,
    /// False once disabled (by a `410 Gone` answer, or by `PATCH {"enabled": false}`): no
    /// new event is queued for it; deliveries already waiting go out when it is enabled
    /// again (catch up on the rest from `/changes`).
    pub enabled: bool,
    /// Why it was disabled, or null.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    /// The signing secret (`whsec_…`): only in the answer that made it (create, rotate).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
    /// While a rotated secret still signs beside the new one: until when.
    #[schema(required = true)]
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Its last change.
    pub updated_at: DateTime<Utc>,
    /// Deliveries waiting or being retried.
    pub pending: i64,
    /// Links.
    pub links: WebhookLinks,
}

/// Links of an endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookLinks {
    /// The endpoint.
    #[serde(rename = "self")]
    #[schema(example = "/api/v1/webhooks/3")]
    pub self_: String,
    /// Its deliveries.
    #[schema(example = "/api/v1/webhooks/3/deliveries")]
    pub deliveries: String,
}

/// Every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Oldest first.
    pub data: Vec<Webhook>,
}

/// Body of `POST /api/v1/webhooks`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://partner.example.org/anbaa/hooks",
    "events": ["article.published", "article.updated", "article.corrected", "article.withheld", "article.canceled"],
    "tags": ["central-asia"]
}))]
pub struct WebhookCreate {
    /// Where to POST deliveries: an absolute http(s) URL. Loopback and private addresses are
    /// refused unless the server runs with `--webhook-allow-private`.
    #[schema(required = true, value_type = WebUrl)]
    pub url: Option<String>,
    /// Event types; every type when left out.
    #[schema(value_type = Option<Vec<WebhookEvent>>, min_items = 1)]
    pub events: Option<Vec<String>>,
    /// Tag slugs to limit it to (a region covers its countries); every article when left out.
    pub tags: Option<Vec<String>>,
    /// What it is for.
    #[schema(value_type = Option<Description>)]
    pub description: Option<String>,
}

/// Body of `PATCH /api/v1/webhooks/{id}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "rotate_secret": true}))]
pub struct WebhookPatch {
    /// Where to POST deliveries.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = WebUrl, required = false)]
    pub url: Option<String>,
    /// Event types (the whole list).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Vec<WebhookEvent>, required = false, min_items = 1)]
    pub events: Option<Vec<String>>,
    /// Tag slugs (the whole list; `[]` for every article).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Vec<String>, required = false)]
    pub tags: Option<Vec<String>>,
    /// What it is for; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Description>)]
    pub description: Option<Option<String>>,
    /// `true` enables a disabled endpoint (its waiting deliveries go out); `false` disables.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = bool, required = false)]
    pub enabled: Option<bool>,
    /// `true` makes a new secret, returned in this answer; the old one keeps signing beside it
    /// for 24 hours (two signatures in `webhook-signature`).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = bool, required = false)]
    pub rotate_secret: Option<bool>,
}

/// One message to one endpoint, and how its delivery went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// The message id: the `webhook-id` header of every attempt (and of a replay).
    #[schema(example = "msg_3f0a9c21d7e24b8e9a51c0d4e6f70812")]
    pub id: String,
    /// The event type.
    #[schema(example = "article.canceled")]
    pub event: String,
    /// The `/changes` cursor the event came with.
    pub cursor: String,
    /// `pending` (waiting or between retries), `delivered` or `failed` (no retry left, or
    /// the endpoint answered 410).
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// The HTTP status of the last attempt, or null (none yet, or no answer).
    #[schema(required = true)]
    pub response_status: Option<i32>,
    /// What went wrong with the last attempt, or null.
    #[schema(required = true)]
    pub error: Option<String>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// The last attempt, or null.
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The next attempt while pending, or null.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered, or null.
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The exact body every attempt sends.
    pub payload: String,
}

/// A page of deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// The deliveries.
    pub data: Vec<Delivery>,
    /// `total`: deliveries of this endpoint (of `status`, if given); `next_cursor`: the
    /// `before` of the next page, or null on the last.
    pub meta: super::list::ListMeta,
}

/// Query parameters of `GET /api/v1/webhooks/{id}/deliveries`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesParams {
    /// Only deliveries in this state: `pending`, `delivered` or `failed`.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// Deliveries per page, 1–100 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `meta.next_cursor` of the previous page.
    #[param(value_type = Option<String>, pattern = "^[0-9]{1,9}$")]
    pub before: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting, or between retries.
    Pending,
    /// A 2xx came back.
    Delivered,
    /// No retry left, or the endpoint answered 410.
    Failed,
}

/// Body of `POST /api/v1/webhooks/{id}/replay`: exactly one of the two.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"since": "1041"}), min_properties = 1, max_properties = 1)]
pub struct ReplayRequest {
    /// One message id (`msg_…`), sent again as it was.
    #[schema(
        nullable = false,
        required = false,
        value_type = String,
        pattern = "^msg_[0-9a-f]{32}$"
    )]
    pub message: Option<String>,
    /// Every message of this endpoint after this `/changes` cursor, sent again.
    #[schema(
        nullable = false,
        required = false,
        value_type = String,
        pattern = "^[0-9]{1,18}$"
    )]
    pub since: Option<String>,
}

/// What a replay queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// Deliveries queued again (same ids, same bytes), sent from now on in order.
    pub replayed: i64,
}

/// The body of every delivery (Standard Webhooks' thin payload): fetch the article at `url`
/// (or read `/changes` after `cursor - 1`) for its content.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "article.canceled", "timestamp": "2026-12-06T09:15:02.118302Z",
    "data": {"id": 812, "slug": "كازاخستان-ترفع-إنتاج-النفط", "version": 7, "cursor": "1042",
             "url": "https://api.example.org/api/v1/articles/812"}
}))]
pub struct WebhookPayload {
    /// The event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the event happened (RFC 3339, UTC).
    pub timestamp: DateTime<Utc>,
    /// What it is about.
    pub data: WebhookPayloadData,
}

/// The `data` of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPayloadData {
    /// The article's id (for `tag.merged`: the id of the tag merged away).
    pub id: i32,
    /// Its slug.
    pub slug: String,
    /// The article's version (not on `tag.merged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// The `/changes` cursor of this change.
    pub cursor: String,
    /// The API URL of the article (for `tag.merged`: of the tag it went into).
    pub url: String,
}
