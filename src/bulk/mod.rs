//! Bulk import and export as JSON Lines: first the taxonomy, one tag a line
//! (`{"tag": {…}}`: the fields of `POST /api/v1/tags`, its parent by slug, the old slugs that
//! redirect to it), parents before children; then one article a line (the fields of
//! `POST /api/v1/articles`, tags by slug). `import.rs` upserts both by slug in batched
//! transactions; `export.rs` writes them from one snapshot.

mod export;
mod import;

use serde::{Deserialize, Serialize};

use crate::dto::tag::TagKind;

pub use export::{export, export_ninjs};
pub use import::{ImportOptions, ImportReport, import};

/// One tag of the taxonomy, as exported: the fields of `POST /api/v1/tags`, the parent by
/// slug, and the old slugs (merged or renamed away) that redirect to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagLine {
    pub(super) slug: String,
    pub(super) name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) name_en: Option<String>,
    pub(super) kind: TagKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) iptc_media_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) iso3166: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) wikidata: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) redirects: Vec<String>,
}

/// A tag line: `{"tag": {…}}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TagEnvelope {
    pub(super) tag: TagLine,
}
