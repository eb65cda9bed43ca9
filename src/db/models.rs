//! Database rows and insert forms. Never serialized to the wire: see `dto` for that.

use diesel::prelude::*;

use super::schema::{api_keys, article_tags, articles, tags};
use crate::model::{
    ArticleStatus, ChangeEvent, ChangeOp, CorrectionKind, PubStatus, RevisionAction, Scopes,
    TagKind,
};

/// One row of `articles`.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Identifiable)]
#[diesel(table_name = articles)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct ArticleRow {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub summary_auto: bool,
    pub body: String,
    pub body_html: String,
    pub body_text: String,
    pub source: Option<String>,
    pub author: Option<String>,
    pub lang: String,
    pub status: ArticleStatus,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i32,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub updated_by: Option<String>,
    pub trashed_at: Option<i64>,
    pub prev_updated_at: Option<i64>,
    /// What made the current version.
    pub last_action: RevisionAction,
    pub pub_status: PubStatus,
    pub embargoed_until: Option<i64>,
    pub ed_note: Option<String>,
}

/// The columns an article write sets (insert and update alike).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles)]
#[diesel(treat_none_as_null = true)]
pub struct ArticleWrite {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub summary_auto: bool,
    pub body: String,
    pub body_html: String,
    pub body_text: String,
    pub source: Option<String>,
    pub author: Option<String>,
    pub lang: String,
    pub status: ArticleStatus,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub updated_by: Option<String>,
    /// What this write is.
    pub last_action: RevisionAction,
    pub pub_status: PubStatus,
    pub embargoed_until: Option<i64>,
    pub ed_note: Option<String>,
}

/// A tag as embedded in an article, with the article it belongs to.
#[derive(Debug, Clone, Queryable)]
pub struct ArticleTagRow {
    pub article_id: i32,
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: TagKind,
}

/// One row of `tags`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = tags)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct TagRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: TagKind,
    pub parent_id: Option<i32>,
    pub description: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub prev_updated_at: Option<i64>,
    /// An IPTC Media Topic qcode, `medtop:` and 8 digits.
    pub iptc_media_topic: Option<String>,
    /// An ISO 3166-1 alpha-2 code.
    pub iso3166: Option<String>,
    /// A Wikidata item, `Q` and digits.
    pub wikidata: Option<String>,
}

/// The columns a tag write sets.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = tags)]
#[diesel(treat_none_as_null = true)]
pub struct TagWrite {
    pub slug: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: TagKind,
    pub parent_id: Option<i32>,
    pub description: Option<String>,
    pub updated_at: i64,
    pub iptc_media_topic: Option<String>,
    pub iso3166: Option<String>,
    pub wikidata: Option<String>,
}

/// A link between an article and a tag.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = article_tags)]
pub struct NewArticleTag {
    pub article_id: i32,
    pub tag_id: i32,
    pub position: i32,
}

/// One row of `api_keys`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct KeyRow {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Scopes,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A new API key (its secret already hashed).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewKey {
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Scopes,
    pub created_at: i64,
}

/// One row of `changes`: the latest public change of one article.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::changes)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct ChangeRow {
    pub seq: i32,
    pub article_id: i32,
    pub op: ChangeOp,
    pub slug: String,
    pub version: i32,
    pub at: i64,
    /// What the entry meant to partners.
    pub event: ChangeEvent,
}

/// The one row of `site_state`.
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = super::schema::site_state)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct SiteRow {
    pub version: i64,
    pub changed_at: i64,
    pub prev_changed_at: i64,
    pub swept_until: i64,
    pub tags_version: i64,
}

/// One row of `article_revisions`: an earlier version of an article, whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::article_revisions)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct RevisionRow {
    pub article_id: i32,
    pub version: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub summary_auto: bool,
    pub body: String,
    pub source: Option<String>,
    pub author: Option<String>,
    pub lang: String,
    pub status: ArticleStatus,
    pub published_at: Option<i64>,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    /// JSON array of the tags as embedded then.
    pub tags: String,
    pub trashed_at: Option<i64>,
    pub changed_by: Option<String>,
    pub changed_at: i64,
    /// What made this version.
    pub action: RevisionAction,
    pub pub_status: PubStatus,
    pub embargoed_until: Option<i64>,
    pub ed_note: Option<String>,
}

/// One row of `article_corrections`: a correction or clarification shown with the article.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::article_corrections)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct CorrectionRow {
    pub article_id: i32,
    /// 1 for the first correction of the article, then 2, 3, …
    pub position: i32,
    pub kind: CorrectionKind,
    pub text: String,
    /// The version of the article it made.
    pub version: i32,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// One row of `webhooks`: a partner's endpoint.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::webhooks)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct WebhookRow {
    pub id: i32,
    pub url: String,
    pub description: Option<String>,
    /// Comma-separated event types.
    pub events: String,
    /// Comma-separated tag ids; empty for every article.
    pub tags: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
    pub api_base: String,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub busy_until: Option<i64>,
}

impl WebhookRow {
    /// The event types it takes.
    pub fn event_list(&self) -> Vec<&str> {
        self.events.split(',').filter(|e| !e.is_empty()).collect()
    }

    /// The tag ids it filters on (empty: every article).
    pub fn tag_ids(&self) -> Vec<i32> {
        self.tags
            .split(',')
            .filter_map(|t| t.parse().ok())
            .collect()
    }
}

/// The columns a webhook write sets.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = super::schema::webhooks)]
#[diesel(treat_none_as_null = true)]
pub struct WebhookWrite {
    pub url: String,
    pub description: Option<String>,
    pub events: String,
    pub tags: String,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub updated_at: i64,
}

/// One row of `webhook_deliveries`: one message to one endpoint, and how its delivery went.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::webhook_deliveries)]
#[cfg_attr(
    not(feature = "postgres"),
    diesel(check_for_backend(diesel::sqlite::Sqlite))
)]
#[cfg_attr(
    feature = "postgres",
    diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))
)]
pub struct DeliveryRow {
    pub seq: i32,
    pub webhook_id: i32,
    pub msg_id: String,
    pub event: String,
    pub cursor: i64,
    pub payload: String,
    pub created_at: i64,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_at: Option<i64>,
    pub last_at: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    /// The article it announced (none for `tag.merged`).
    pub article_id: Option<i32>,
}
