//! The list envelope shared by every collection.

use serde::Serialize;
use utoipa::ToSchema;

/// Paging facts about a list response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// How many items match the filters across all pages, counted exactly, for searches too (also in `X-Total-Count`).
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The 1-based page number in page mode; null when paging by cursor.
    #[schema(required = true)]
    pub page: Option<i64>,
    /// Opaque keyset cursor for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// Navigation links of a list response (also sent in the `Link` header).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListLinks {
    /// This page.
    #[serde(rename = "self")]
    pub self_: String,
    /// The next page, or null on the last.
    #[schema(required = true)]
    pub next: Option<String>,
    /// The previous page in page mode, or null.
    #[schema(required = true)]
    pub prev: Option<String>,
}

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    /// The articles on this page (with bodies when `include=body` asked for them).
    pub data: Vec<crate::dto::article::ArticleListItem>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Navigation links.
    pub links: ListLinks,
}

/// A page of articles with only the fields `fields` selected, served as
/// `application/vnd.anbaa.selection+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSelectionList {
    /// The articles on this page, each with the selected fields only.
    #[schema(value_type = Vec<crate::dto::article::ArticleFields>)]
    pub data: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Navigation links.
    pub links: ListLinks,
}

/// A page of tags.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    /// The tags on this page.
    pub data: Vec<crate::dto::tag::Tag>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Navigation links.
    pub links: ListLinks,
}

/// A page of an article's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    /// Oldest first; the last one of the last page is the current version.
    pub data: Vec<crate::dto::article::Revision>,
    /// Paging facts: `total` counts every version.
    pub meta: ListMeta,
    /// Navigation links (`next` and `prev` by page).
    pub links: ListLinks,
}
