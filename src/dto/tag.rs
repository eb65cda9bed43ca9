//! Tag wire types: the tag as served, the bodies that write one, and the list parameters.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{Description, EnglishName, Slug, TagName};
use super::{double_option, reject_null};
pub use crate::model::TagKind;

/// A tag as named from another tag (its parent or a child).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagBrief {
    /// Tag id.
    pub id: i32,
    /// Tag slug.
    #[schema(example = "central-asia")]
    pub slug: String,
    /// Arabic name.
    #[schema(example = "آسيا الوسطى")]
    pub name: String,
}

/// Links of a tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagLinks {
    /// The tag's API path.
    #[serde(rename = "self")]
    pub self_: String,
    /// Its articles (a region's include its descendants').
    pub articles: String,
}

/// A tag as served. `children` appears on `GET /api/v1/tags/{slug}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 4, "slug": "kazakhstan", "name": "كازاخستان", "name_en": "Kazakhstan",
    "kind": "country", "parent": {"id": 1, "slug": "central-asia", "name": "آسيا الوسطى"},
    "description": null, "article_count": 42,
    "links": {"self": "/api/v1/tags/kazakhstan", "articles": "/api/v1/articles?tag=kazakhstan"}
}))]
pub struct Tag {
    /// Tag id.
    pub id: i32,
    /// Slug: lowercase letters, digits and single hyphens.
    pub slug: String,
    /// Arabic name.
    pub name: String,
    /// English name, or null.
    #[schema(required = true)]
    pub name_en: Option<String>,
    /// What the tag names.
    pub kind: TagKind,
    /// The parent tag, or null.
    #[schema(required = true)]
    pub parent: Option<TagBrief>,
    /// Description, or null.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The IPTC Media Topic it stands for (`medtop:` and 8 digits), or null.
    #[schema(required = true, example = "medtop:04000000")]
    pub iptc_media_topic: Option<String>,
    /// Its ISO 3166-1 alpha-2 country code, or null.
    #[schema(required = true, example = "KZ")]
    pub iso3166: Option<String>,
    /// Its Wikidata item, or null.
    #[schema(required = true, example = "Q232")]
    pub wikidata: Option<String>,
    /// Published, publicly visible articles that carry this tag itself.
    pub article_count: i64,
    /// When the tag itself last changed (its ETag, `"t…"`, changes with it and with its
    /// counts; send that ETag in If-Match to change or delete it).
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Direct children, on the single-tag view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub children: Option<Vec<TagBrief>>,
    /// Links.
    pub links: TagLinks,
}

/// An assigned ISO 3166-1 alpha-2 code, upper case.
pub struct CountryCode;

impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "An assigned ISO 3166-1 alpha-2 country code, upper case.",
            ))
            .enum_values(Some(crate::text::iso3166::ASSIGNED))
            .into()
    }
}

impl utoipa::ToSchema for CountryCode {}

/// Body of `POST /api/v1/tags`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "slug": "kazakhstan", "name": "كازاخستان", "name_en": "Kazakhstan",
    "kind": "country", "parent": "central-asia"
}))]
pub struct TagCreate {
    /// Slug (lowercase letters, digits, single hyphens); derived from `name_en`, else `name`,
    /// when absent.
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Arabic name (1–120 characters).
    #[schema(required = true, value_type = TagName)]
    pub name: Option<String>,
    /// English name.
    #[schema(value_type = Option<EnglishName>)]
    pub name_en: Option<String>,
    /// What the tag names; `topic` by default.
    pub kind: Option<TagKind>,
    /// The parent's slug.
    #[schema(min_length = 1)]
    pub parent: Option<String>,
    /// Description.
    #[schema(value_type = Option<Description>)]
    pub description: Option<String>,
    /// The IPTC Media Topic it stands for: `medtop:` and 8 digits.
    #[schema(value_type = Option<String>, pattern = "^medtop:[0-9]{8}$")]
    pub iptc_media_topic: Option<String>,
    /// An assigned ISO 3166-1 alpha-2 country code, upper case.
    #[schema(value_type = Option<CountryCode>)]
    pub iso3166: Option<String>,
    /// A Wikidata item: `Q` and digits.
    #[schema(value_type = Option<String>, pattern = "^Q[1-9][0-9]{0,11}$")]
    pub wikidata: Option<String>,
}

/// Body of `PATCH /api/v1/tags/{slug}`: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name_en": "Kazakhstan", "description": "جمهورية كازاخستان"}))]
pub struct TagPatch {
    /// New slug.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Slug, required = false)]
    pub slug: Option<String>,
    /// Arabic name.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = TagName, required = false)]
    pub name: Option<String>,
    /// English name; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<EnglishName>)]
    pub name_en: Option<Option<String>>,
    /// What the tag names.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = TagKind, required = false)]
    pub kind: Option<TagKind>,
    /// The parent's slug; null makes it a root.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1)]
    pub parent: Option<Option<String>>,
    /// Description; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Description>)]
    pub description: Option<Option<String>>,
    /// IPTC Media Topic qcode; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^medtop:[0-9]{8}$")]
    pub iptc_media_topic: Option<Option<String>>,
    /// ISO 3166-1 alpha-2 code; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CountryCode>)]
    pub iso3166: Option<Option<String>>,
    /// Wikidata item; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^Q[1-9][0-9]{0,11}$")]
    pub wikidata: Option<Option<String>>,
}

/// Sort orders of the tag list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TagSort {
    /// By Arabic name (default).
    #[serde(rename = "name")]
    Name,
    /// Most used first.
    #[serde(rename = "-article_count")]
    MostUsed,
}

/// Query parameters of `GET /api/v1/tags`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TagListParams {
    /// Autocomplete: tags whose Arabic or English name has a word starting with this text,
    /// compared after Arabic normalization (hamza forms, harakat, ة/ه, ى/ي fold); most used
    /// first unless `sort` says otherwise.
    #[param(example = "كاز", max_length = 100)]
    pub q: Option<String>,
    /// Only tags of this kind.
    #[param(value_type = Option<TagKind>)]
    pub kind: Option<String>,
    /// Only the direct children of the tag with this slug.
    #[param(example = "central-asia", min_length = 1)]
    pub parent: Option<String>,
    /// `name` (default; `-article_count` with `q`) or `-article_count`.
    #[param(value_type = Option<TagSort>)]
    pub sort: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// 1-based page number.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
}

/// Body of `POST /api/v1/tags/{slug}/merge`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"into": "kazakhstan"}))]
pub struct TagMerge {
    /// Slug of the tag that receives the articles (and the children) of this one.
    #[schema(required = true, value_type = String, min_length = 1)]
    pub into: Option<String>,
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagMergeResult {
    /// The tag the articles went into, as it is now.
    pub into: Tag,
    /// The slug that now redirects to it.
    pub merged_slug: String,
    /// How many articles moved.
    pub articles_moved: i64,
    /// How many child tags moved under it.
    pub children_moved: i64,
}
