//! How the spec describes the industry formats an answer may be in: a ninjs 3.1 document
//! (IPTC's own schema is the contract; this names its shape) under the ninjs profile's media
//! type, and the JSON-LD NewsArticle.

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use super::list::{ListLinks, ListMeta};

/// An IPTC ninjs 3.1 document: valid against
/// http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json (which allows no other property).
pub struct NinjsDocument;

impl PartialSchema for NinjsDocument {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "An IPTC ninjs 3.1 document, valid against http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json (its schema is the contract: no property outside it).",
                ))
                .property("uri", string().description(Some("The article in the API.")))
                .property(
                    "pubStatus",
                    string().enum_values(Some(["usable", "withheld", "canceled"])),
                )
                .property(
                    "standard",
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property("name", string())
                        .property("version", string())
                        .property("schema", string()),
                )
                .required("uri")
                .build(),
        ))
    }
}

impl ToSchema for NinjsDocument {}

/// A schema.org NewsArticle as JSON-LD.
pub struct NewsArticleJsonLd;

impl PartialSchema for NewsArticleJsonLd {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "A schema.org NewsArticle (https://schema.org/NewsArticle) as JSON-LD: headline, image, datePublished, dateModified (with offset), author, publisher (a NewsMediaOrganization with its logo), inLanguage, about (with sameAs), mainEntityOfPage, correction.",
                ))
                .property("@context", string())
                .property("@type", string())
                .property("headline", string())
                .required("@context")
                .required("@type")
                .required("headline")
                .build(),
        ))
    }
}

impl ToSchema for NewsArticleJsonLd {}

/// A page of articles, each as ninjs (`format=ninjs`).
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsList {
    /// The articles, each a ninjs document with its body.
    #[schema(value_type = Vec<NinjsDocument>)]
    pub data: Vec<serde_json::Value>,
    /// Paging facts.
    pub meta: ListMeta,
    /// Navigation links.
    pub links: ListLinks,
}

/// A change log entry whose article is ninjs (`format=ninjs`): on a removal, a partial
/// document whose `pubStatus` says what to do.
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsChange {
    /// As in `Change`.
    pub seq: i64,
    /// `upsert` or `delete`.
    pub op: crate::model::ChangeOp,
    /// What happened.
    pub event: crate::model::ChangeEvent,
    /// On withdrawals: `withheld` or `canceled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pub_status: Option<crate::model::PubStatus>,
    /// The article's id.
    pub id: i32,
    /// Its slug.
    pub slug: String,
    /// Its version.
    pub version: i32,
    /// When the change was committed.
    pub at: chrono::DateTime<chrono::Utc>,
    /// On upserts: the article's ETag.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub etag: Option<String>,
    /// The article as ninjs.
    #[schema(value_type = NinjsDocument)]
    pub article: serde_json::Value,
}

/// A page of the change log in ninjs.
#[derive(Debug, Serialize, ToSchema)]
pub struct NinjsChangeList {
    /// The entries, oldest first.
    pub data: Vec<NinjsChange>,
    /// As in `ChangeList`.
    pub meta: ListMeta,
    /// As in `ChangeList`.
    pub links: ListLinks,
}
