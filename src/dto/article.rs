//! Article wire types: the article as served, the bodies that write one, and the list
//! query parameters.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::rules::{
    Body, Byline, Caption, CorrectionText, EdNote, Headline, Slug, Summary, TagSlugs, WebUrl,
};
use super::{double_option, reject_null};
pub use crate::model::{ArticleStatus, CorrectionKind, PubStatus, RevisionAction};

/// A lead image.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Absolute http(s) URL of the image.
    #[schema(value_type = WebUrl, example = "https://images.example.org/anbaa/tengiz.jpg")]
    pub url: String,
    /// Caption shown under the image.
    #[schema(value_type = Option<Caption>, example = "حقل تنغيز النفطي غرب كازاخستان")]
    #[serde(default)]
    pub caption: Option<String>,
}

/// A tag as embedded in an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagRef {
    /// Tag id.
    pub id: i32,
    /// Tag slug, used in filters and URLs.
    #[schema(example = "kazakhstan")]
    pub slug: String,
    /// Arabic name.
    #[schema(example = "كازاخستان")]
    pub name: String,
    /// What the tag names.
    pub kind: crate::dto::tag::TagKind,
}

/// Links of an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleLinks {
    /// The article's canonical API path.
    #[serde(rename = "self")]
    #[schema(example = "/api/v1/articles/812")]
    pub self_: String,
}

/// What every view of an article carries (the detail view, list items, change entries).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleCore {
    /// Numeric id.
    pub id: i32,
    /// URL slug: Arabic stays Arabic; percent-encode it in URLs.
    #[schema(example = "كازاخستان-ترفع-إنتاج-النفط")]
    pub slug: String,
    /// Headline.
    #[schema(example = "كازاخستان ترفع إنتاج النفط")]
    pub title: String,
    /// Plain-text summary; derived from the first paragraph when none was given.
    pub summary: String,
    /// Where the story comes from, or null.
    #[schema(required = true)]
    pub source: Option<String>,
    /// Byline, or null.
    #[schema(required = true)]
    pub author: Option<String>,
    /// BCP 47 language tag.
    #[schema(example = "ar")]
    pub lang: String,
    /// Text direction for `lang`.
    pub dir: TextDirection,
    /// Editorial state.
    pub status: ArticleStatus,
    /// When it was (or will be) published; null for a draft never published.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed for its readers: its last write, or the instant it became public
    /// when that came later (a scheduled article). `updated_after` filters on the same.
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change.
    pub version: i32,
    /// Words in the body.
    pub word_count: i32,
    /// Minutes to read the body, at 140 Arabic words a minute, rounded up.
    pub reading_time_minutes: i32,
    /// Lead image, or null.
    #[schema(required = true)]
    pub image: Option<Image>,
    /// Tags in the order the editor gave them.
    pub tags: Vec<TagRef>,
    /// When it was moved to the trash; only on trashed articles (`status=trashed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub trashed_at: Option<DateTime<Utc>>,
    /// Whether it may be distributed: `usable`; `withheld` (withdrawn for now) or `canceled`
    /// (killed: recall every copy) only ever reach keys with `read:drafts`: the public gets
    /// `410 Gone`.
    pub pub_status: PubStatus,
    /// Only while an embargo holds: the instant the article becomes public. Keys with
    /// `read:embargoed` see it before then; nobody else does.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub embargoed_until: Option<DateTime<Utc>>,
    /// Corrections and clarifications, oldest first: show them with the article.
    pub corrections: Vec<Correction>,
    /// Links.
    pub links: ArticleLinks,
}

/// A correction or clarification shown with an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    /// `correction` (something was wrong) or `clarification` (something was unclear).
    pub kind: CorrectionKind,
    /// What readers are told, in the article's language.
    #[schema(
        example = "ذكرت نسخة سابقة من هذا الخبر أن الاتفاق وُقّع في طشقند، والصحيح أنه وُقّع في أستانا."
    )]
    pub text: String,
    /// The version of the article it made.
    pub version: i32,
    /// When it was made.
    pub at: DateTime<Utc>,
}

/// Body of `POST /api/v1/articles/{ref}/corrections`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "correction",
    "text": "ذكرت نسخة سابقة من هذا الخبر أن الاتفاق وُقّع في طشقند، والصحيح أنه وُقّع في أستانا."
}))]
pub struct CorrectionCreate {
    /// What readers are told (1–2,000 characters).
    #[schema(required = true, nullable = false, value_type = CorrectionText)]
    pub text: Option<String>,
    /// `correction` or `clarification`.
    #[schema(required = true, nullable = false, value_type = CorrectionKind)]
    pub kind: Option<CorrectionKind>,
}

/// An article with its body: the detail view, and what every write answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 812, "slug": "كازاخستان-ترفع-إنتاج-النفط", "title": "كازاخستان ترفع إنتاج النفط",
    "summary": "رفعت كازاخستان إنتاجها من النفط الخام…",
    "source": "أنباء آسيا الوسطى والقوقاز", "author": null, "lang": "ar", "dir": "rtl",
    "status": "published", "published_at": "2026-04-12T06:30:00Z",
    "created_at": "2026-04-12T06:00:00Z", "updated_at": "2026-04-12T06:30:00Z", "version": 3,
    "word_count": 231, "reading_time_minutes": 2, "image": null,
    "tags": [{"id": 4, "slug": "kazakhstan", "name": "كازاخستان", "kind": "country"}],
    "links": {"self": "/api/v1/articles/812"},
    "body": "رفعت كازاخستان…", "body_html": "<p>رفعت كازاخستان…</p>"
}))]
pub struct Article {
    /// Everything but the body.
    #[serde(flatten)]
    pub core: ArticleCore,
    /// The CommonMark source as submitted.
    pub body: String,
    /// The body rendered to HTML and sanitized (no script, no event handlers, no
    /// `javascript:` URLs): safe to embed as is.
    pub body_html: String,
    /// The editors' note for partners; only to keys with `read:drafts` or
    /// `read:embargoed`, and in write answers. Never shown to the public.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ed_note: Option<String>,
}

/// An article in a list: no body unless the list asked for `include=body`; a `snippet`
/// when it was searched for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleListItem {
    /// Everything but the body.
    #[serde(flatten)]
    pub core: ArticleCore,
    /// The CommonMark source, with `include=body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub body: Option<String>,
    /// The sanitized HTML body, with `include=body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub body_html: Option<String>,
    /// With `q`: an excerpt of the original text, HTML-escaped, the matched words in
    /// `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "…رفعت <mark>كازاخستان</mark> إنتاجها من <mark>النفط</mark>…"
    )]
    pub snippet: Option<String>,
}

impl ArticleListItem {
    /// The list view of an article: the body kept only when asked for.
    pub fn from_article(article: Article, with_body: bool) -> ArticleListItem {
        let (body, body_html) = if with_body {
            (Some(article.body), Some(article.body_html))
        } else {
            (None, None)
        };
        ArticleListItem {
            core: article.core,
            body,
            body_html,
            snippet: None,
        }
    }
}

/// Text direction of an article's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    /// Right to left (Arabic, Persian, Urdu…).
    Rtl,
    /// Left to right.
    Ltr,
}

impl TextDirection {
    /// The value of an HTML `dir` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            TextDirection::Rtl => "rtl",
            TextDirection::Ltr => "ltr",
        }
    }
}

/// An article with only the fields a `fields` parameter selected: any property of an
/// article's detail or list view, none required. Its schema is built from those types.
pub struct ArticleFields;

impl utoipa::PartialSchema for ArticleFields {
    fn schema() -> RefOr<Schema> {
        let mut fields = Object::with_type(Type::Object);
        collect_properties(ArticleListItem::schema(), &mut fields);
        collect_properties(Article::schema(), &mut fields);
        fields.required.clear();
        fields.description =
            Some("An article with only the fields a `fields` parameter selected.".to_owned());
        RefOr::T(Schema::Object(fields))
    }
}

impl ToSchema for ArticleFields {}

/// Adds the properties of an object schema (through `allOf` and the reference to
/// `ArticleCore`, the only one an article view holds) to `into`.
fn collect_properties(schema: RefOr<Schema>, into: &mut Object) {
    match schema {
        RefOr::T(Schema::Object(o)) => {
            for (name, property) in o.properties {
                into.properties.entry(name).or_insert(property);
            }
        }
        RefOr::T(Schema::AllOf(all)) => {
            for item in all.items {
                collect_properties(item, into);
            }
        }
        RefOr::Ref(r) if r.ref_location.ends_with("/ArticleCore") => {
            collect_properties(ArticleCore::schema(), into);
        }
        _ => {}
    }
}

/// The names `fields` may select from.
pub const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "summary",
    "body",
    "body_html",
    "source",
    "author",
    "lang",
    "dir",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "version",
    "word_count",
    "reading_time_minutes",
    "image",
    "tags",
    "snippet",
    "links",
    "trashed_at",
    "pub_status",
    "embargoed_until",
    "corrections",
    "ed_note",
];

/// Body of `POST /api/v1/articles` and `PUT /api/v1/articles/{ref}`.
/// With PUT, every field left out goes back to its default.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "أوزبكستان وكازاخستان توقعان اتفاقاً لتقاسم مياه نهر سرداريا",
    "body": "وقّع البلدان اتفاقاً جديداً…\n\nوقال وزير المياه إن «الاتفاق يضمن حصة عادلة».",
    "source": "أنباء آسيا الوسطى والقوقاز", "status": "published",
    "tags": ["uzbekistan", "kazakhstan"]
}))]
pub struct ArticleCreate {
    /// Headline (1–300 characters).
    #[schema(required = true, value_type = Headline)]
    pub title: Option<String>,
    /// URL slug; derived from the title when absent. Letters, digits and single hyphens,
    /// at most 80 characters, not all digits.
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Plain-text summary; derived from the body's first paragraph when absent.
    #[schema(value_type = Option<Summary>)]
    pub summary: Option<String>,
    /// CommonMark source. Raw HTML in it is sanitized on output.
    #[schema(value_type = Option<Body>)]
    pub body: Option<String>,
    /// Where the story comes from.
    #[schema(value_type = Option<Byline>)]
    pub source: Option<String>,
    /// Byline.
    #[schema(value_type = Option<Byline>)]
    pub author: Option<String>,
    /// BCP 47 language tag; `ar` by default.
    #[schema(example = "ar", pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    pub lang: Option<String>,
    /// `draft` (default), `published` or `archived`.
    pub status: Option<ArticleStatus>,
    /// RFC 3339 (or a date, meaning midnight UTC); defaults to the instant of the write when
    /// the article is published without one. A future instant schedules the article. A PUT
    /// that leaves it out keeps the date of an article already published.
    #[serde(default, deserialize_with = "instant")]
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Lead image.
    pub image: Option<Image>,
    /// Tag slugs, in display order; each must exist.
    #[schema(value_type = Option<TagSlugs>, example = json!(["kazakhstan", "opec-plus"]))]
    pub tags: Option<Vec<String>>,
    /// `usable` (default), `withheld` or `canceled` (final).
    pub pub_status: Option<PubStatus>,
    /// An embargo: until this instant (RFC 3339) the article is public to nobody but keys
    /// with `read:embargoed`. A published article is published at the embargo's end at the
    /// earliest (`published_at` moves to it).
    #[serde(default, deserialize_with = "instant")]
    pub embargoed_until: Option<DateTime<FixedOffset>>,
    /// A note for partners and editors, never shown to the public.
    #[schema(value_type = Option<EdNote>)]
    pub ed_note: Option<String>,
}

/// Parses an instant: RFC 3339, or a date alone (midnight UTC that day).
pub fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().fixed_offset())
    })
}

fn instant_from<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<String>::deserialize(de)? {
        None => Ok(None),
        Some(s) => parse_instant(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(
                "must be an RFC 3339 instant such as 2025-04-12T06:30:00Z (or a date such as 2025-04-12)",
            )
        }),
    }
}

/// `published_at` of a create or replace body: absent or null means none.
pub fn instant<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    instant_from(de)
}

/// `published_at` of a patch body: absent, null (clear) or an instant.
pub fn instant_patch<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<Option<DateTime<FixedOffset>>>, D::Error> {
    instant_from(de).map(Some)
}

/// Body of `PATCH /api/v1/articles/{ref}`: only the fields present change; `null` clears a
/// nullable field (a null `summary` goes back to the derived one).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "عنوان معدّل", "tags": ["azerbaijan", "armenia"]}))]
pub struct ArticlePatch {
    /// Headline (1–300 characters).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Headline, required = false)]
    pub title: Option<String>,
    /// URL slug.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Slug, required = false)]
    pub slug: Option<String>,
    /// Plain-text summary; null derives it from the body again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Summary>)]
    pub summary: Option<Option<String>>,
    /// CommonMark source (`""` empties it).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = Body, required = false)]
    pub body: Option<String>,
    /// Where the story comes from; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Byline>)]
    pub source: Option<Option<String>>,
    /// Byline; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Byline>)]
    pub author: Option<Option<String>>,
    /// BCP 47 language tag.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(
        value_type = String,
        required = false,
        pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
    )]
    pub lang: Option<String>,
    /// `draft`, `published` or `archived`.
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = ArticleStatus, required = false)]
    pub status: Option<ArticleStatus>,
    /// RFC 3339 (or a date); null unsets it (now is used again if the article is published).
    #[serde(default, deserialize_with = "instant_patch")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub published_at: Option<Option<DateTime<FixedOffset>>>,
    /// Lead image; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Image>)]
    pub image: Option<Option<Image>>,
    /// Tag slugs in display order; replaces the whole list (`[]` removes every tag).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = TagSlugs, required = false)]
    pub tags: Option<Vec<String>>,
    /// `usable`, `withheld` (withdraw for now) or `canceled` (kill: final).
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(value_type = PubStatus, required = false)]
    pub pub_status: Option<PubStatus>,
    /// An embargo's end (RFC 3339); null lifts the embargo now.
    #[serde(default, deserialize_with = "instant_patch")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub embargoed_until: Option<Option<DateTime<FixedOffset>>>,
    /// The editors' note; null removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<EdNote>)]
    pub ed_note: Option<Option<String>>,
}

/// Sort orders of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum ArticleSort {
    /// Newest first (default).
    #[serde(rename = "-published_at")]
    NewestFirst,
    /// Oldest first.
    #[serde(rename = "published_at")]
    OldestFirst,
    /// Most recently updated first.
    #[serde(rename = "-updated_at")]
    RecentlyUpdated,
    /// Best match first (bm25, title above summary above body, a mild boost for recent
    /// articles); the default with `q`, and only with `q`.
    #[serde(rename = "relevance")]
    Relevance,
}

/// Query parameters of `GET /api/v1/articles`. Each is parsed and checked on its own so
/// that every bad one is reported.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// `json` (default) or `ninjs` (each article as IPTC ninjs 3.1, bodies included);
    /// `jsonld` is for one article. `Accept: application/json;
    /// profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"` chooses ninjs too;
    /// this parameter wins.
    #[param(value_type = Option<ListFormat>)]
    pub format: Option<String>,
    /// Search: words must all match (Arabic-aware: hamza forms, harakat, attached
    /// prefixes and suffixes, spelling variants of names); `"a phrase"`; `a OR b`; `-word`
    /// excludes; `word*` is a prefix. At most 500 characters.
    #[param(example = "كازاخستان النفط", max_length = 500)]
    pub q: Option<String>,
    /// Comma-separated tag slugs. A region tag also matches its descendants' articles.
    /// Empty means no tag filter.
    #[param(example = "central-asia,opec-plus")]
    pub tag: Option<String>,
    /// `any` (default): an article carrying any of the tags; `all`: every one of them.
    #[param(value_type = Option<TagMode>, example = "all")]
    pub tag_mode: Option<String>,
    /// Comma-separated standard codes: `medtop:20000639` (an IPTC Media Topic),
    /// `iso3166:KZ` (a country, upper case), `wikidata:Q232`: articles under the tags that
    /// carry one (and their descendants), combined with `tag` as `tag_mode` says. Empty
    /// means no such filter.
    #[param(
        example = "medtop:04000000",
        pattern = "^((medtop:[0-9]{8}|iso3166:(AD|AE|AF|AG|AI|AL|AM|AO|AQ|AR|AS|AT|AU|AW|AX|AZ|BA|BB|BD|BE|BF|BG|BH|BI|BJ|BL|BM|BN|BO|BQ|BR|BS|BT|BV|BW|BY|BZ|CA|CC|CD|CF|CG|CH|CI|CK|CL|CM|CN|CO|CR|CU|CV|CW|CX|CY|CZ|DE|DJ|DK|DM|DO|DZ|EC|EE|EG|EH|ER|ES|ET|FI|FJ|FK|FM|FO|FR|GA|GB|GD|GE|GF|GG|GH|GI|GL|GM|GN|GP|GQ|GR|GS|GT|GU|GW|GY|HK|HM|HN|HR|HT|HU|ID|IE|IL|IM|IN|IO|IQ|IR|IS|IT|JE|JM|JO|JP|KE|KG|KH|KI|KM|KN|KP|KR|KW|KY|KZ|LA|LB|LC|LI|LK|LR|LS|LT|LU|LV|LY|MA|MC|MD|ME|MF|MG|MH|MK|ML|MM|MN|MO|MP|MQ|MR|MS|MT|MU|MV|MW|MX|MY|MZ|NA|NC|NE|NF|NG|NI|NL|NO|NP|NR|NU|NZ|OM|PA|PE|PF|PG|PH|PK|PL|PM|PN|PR|PS|PT|PW|PY|QA|RE|RO|RS|RU|RW|SA|SB|SC|SD|SE|SG|SH|SI|SJ|SK|SL|SM|SN|SO|SR|SS|ST|SV|SX|SY|SZ|TC|TD|TF|TG|TH|TJ|TK|TL|TM|TN|TO|TR|TT|TV|TW|TZ|UA|UG|UM|US|UY|UZ|VA|VC|VE|VG|VI|VN|VU|WF|WS|YE|YT|ZA|ZM|ZW)|wikidata:Q[1-9][0-9]{0,11})(,(medtop:[0-9]{8}|iso3166:(AD|AE|AF|AG|AI|AL|AM|AO|AQ|AR|AS|AT|AU|AW|AX|AZ|BA|BB|BD|BE|BF|BG|BH|BI|BJ|BL|BM|BN|BO|BQ|BR|BS|BT|BV|BW|BY|BZ|CA|CC|CD|CF|CG|CH|CI|CK|CL|CM|CN|CO|CR|CU|CV|CW|CX|CY|CZ|DE|DJ|DK|DM|DO|DZ|EC|EE|EG|EH|ER|ES|ET|FI|FJ|FK|FM|FO|FR|GA|GB|GD|GE|GF|GG|GH|GI|GL|GM|GN|GP|GQ|GR|GS|GT|GU|GW|GY|HK|HM|HN|HR|HT|HU|ID|IE|IL|IM|IN|IO|IQ|IR|IS|IT|JE|JM|JO|JP|KE|KG|KH|KI|KM|KN|KP|KR|KW|KY|KZ|LA|LB|LC|LI|LK|LR|LS|LT|LU|LV|LY|MA|MC|MD|ME|MF|MG|MH|MK|ML|MM|MN|MO|MP|MQ|MR|MS|MT|MU|MV|MW|MX|MY|MZ|NA|NC|NE|NF|NG|NI|NL|NO|NP|NR|NU|NZ|OM|PA|PE|PF|PG|PH|PK|PL|PM|PN|PR|PS|PT|PW|PY|QA|RE|RO|RS|RU|RW|SA|SB|SC|SD|SE|SG|SH|SI|SJ|SK|SL|SM|SN|SO|SR|SS|ST|SV|SX|SY|SZ|TC|TD|TF|TG|TH|TJ|TK|TL|TM|TN|TO|TR|TT|TV|TW|TZ|UA|UG|UM|US|UY|UZ|VA|VC|VE|VG|VI|VN|VU|WF|WS|YE|YT|ZA|ZM|ZW)|wikidata:Q[1-9][0-9]{0,11}))*)?$"
    )]
    pub subject: Option<String>,
    /// Comma-separated tag slugs whose articles (and their descendants') are left out.
    /// Empty leaves nothing out.
    pub exclude_tag: Option<String>,
    /// Only articles published at or after this instant (RFC 3339, or a date `YYYY-MM-DD`).
    #[param(value_type = Option<QueryInstant>, example = "2025-01-01")]
    pub published_after: Option<String>,
    /// Only articles published before this instant (RFC 3339, or a date: before that day).
    #[param(value_type = Option<QueryInstant>)]
    pub published_before: Option<String>,
    /// Only articles updated at or after this instant (RFC 3339 or a date).
    #[param(value_type = Option<QueryInstant>)]
    pub updated_after: Option<String>,
    /// `published` (default), or with a `read:drafts` key `draft`, `archived` or `all`
    /// (with a key, `published` includes scheduled articles), or with a `write` key
    /// `trashed` (the trash; not with `q`).
    #[param(value_type = Option<ListStatus>)]
    pub status: Option<String>,
    /// `-published_at` (default), `published_at`, `-updated_at`, or `relevance` (the
    /// default with `q`; without `q` every article ties, so it orders as `-published_at`).
    #[param(value_type = Option<ArticleSort>)]
    pub sort: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// 1-based page number (page mode). Not with `cursor`.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Opaque keyset cursor from `meta.next_cursor` (cursor mode). Not with `page`.
    #[param(min_length = 1)]
    pub cursor: Option<String>,
    /// `body` adds `body` and `body_html` to each listed article.
    #[param(value_type = Option<Include>)]
    pub include: Option<String>,
    /// Comma-separated subset of article fields to return, e.g. `id,slug,title`. The answer
    /// is then served as `application/vnd.anbaa.selection+json`.
    #[param(value_type = Option<FieldList>, example = "id,slug,title,published_at")]
    pub fields: Option<String>,
}

/// An instant in a query: a date (midnight UTC) or an RFC 3339 date-time, as
/// `parse_instant` reads it.
pub struct QueryInstant;

impl PartialSchema for QueryInstant {
    fn schema() -> RefOr<Schema> {
        let format = |f| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(f)))
        };
        RefOr::T(
            AnyOfBuilder::new()
                .item(format(KnownFormat::Date))
                .item(format(KnownFormat::DateTime))
                .description(Some(
                    "A date (midnight UTC) or an RFC 3339 date-time, e.g. `2025-04-12` or `2025-04-12T06:30:00Z`.",
                ))
                .into(),
        )
    }
}

impl ToSchema for QueryInstant {}

/// `fields` of a list: names from `ARTICLE_FIELDS` joined by single commas.
pub struct FieldList;

impl PartialSchema for FieldList {
    fn schema() -> RefOr<Schema> {
        field_list(
            ARTICLE_FIELDS.iter(),
            "Article field names joined by single commas.",
        )
    }
}

impl ToSchema for FieldList {}

/// `fields` of one article: the same names but `snippet`, which only search results have.
pub struct DetailFieldList;

impl PartialSchema for DetailFieldList {
    fn schema() -> RefOr<Schema> {
        field_list(
            ARTICLE_FIELDS.iter().filter(|f| **f != "snippet"),
            "Article field names (but `snippet`) joined by single commas.",
        )
    }
}

impl ToSchema for DetailFieldList {}

/// A string of `names` joined by single commas.
fn field_list<'a>(names: impl Iterator<Item = &'a &'static str>, what: &str) -> RefOr<Schema> {
    let names = names.copied().collect::<Vec<_>>().join("|");
    RefOr::T(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(what))
            .pattern(Some(format!("^(?:{names})(?:,(?:{names}))*$")))
            .into(),
    )
}

/// `tag_mode` of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TagMode {
    /// An article carrying any of the tags (default).
    Any,
    /// An article carrying every one of them.
    All,
}

/// `status` of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListStatus {
    /// Public articles (default); with a `read:drafts` key, scheduled ones too.
    Published,
    /// Drafts (`read:drafts`).
    Draft,
    /// Archived articles (`read:drafts`).
    Archived,
    /// Everything but the trash (`read:drafts`).
    All,
    /// The trash (`write`; not with `q`).
    Trashed,
}

/// `include` of the article list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Include {
    /// `body` and `body_html` on every item.
    Body,
}

/// Query parameters of `GET /api/v1/articles/{ref}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleGetParams {
    /// Comma-separated subset of article fields to return. The answer is then served as
    /// `application/vnd.anbaa.selection+json`.
    #[param(value_type = Option<DetailFieldList>, example = "id,slug,title")]
    pub fields: Option<String>,
    /// `body`: accepted so that list and detail queries can be built alike; the detail view
    /// always has the body.
    #[param(value_type = Option<Include>)]
    pub include: Option<String>,
    /// `json` (default), `ninjs` (IPTC ninjs 3.1) or `jsonld` (schema.org NewsArticle, one
    /// article only). `Accept: application/json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"`
    /// or `Accept: application/ld+json` choose the same; this parameter wins.
    #[param(value_type = Option<ArticleFormat>)]
    pub format: Option<String>,
}

/// The formats of a list of articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    /// anbaa's own JSON.
    Json,
    /// Each article as IPTC ninjs 3.1.
    Ninjs,
}

/// The formats of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleFormat {
    /// anbaa's own JSON.
    Json,
    /// IPTC ninjs 3.1.
    Ninjs,
    /// schema.org NewsArticle as JSON-LD.
    Jsonld,
}

/// Query parameters of `GET /api/v1/articles/{ref}/related`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many, 1–20 (default 5).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 20)]
    pub limit: Option<String>,
}

/// One version of an article, whole, as it was.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Revision {
    /// The version number (the article's `version` when it looked like this).
    pub version: i32,
    /// True for the article's current version.
    pub current: bool,
    /// Name of the key that made this version, or null.
    #[schema(required = true)]
    pub changed_by: Option<String>,
    /// When this version was made.
    pub changed_at: DateTime<Utc>,
    /// Slug then.
    pub slug: String,
    /// Headline then.
    pub title: String,
    /// Summary then.
    pub summary: String,
    /// CommonMark body then.
    pub body: String,
    /// Source then.
    #[schema(required = true)]
    pub source: Option<String>,
    /// Byline then.
    #[schema(required = true)]
    pub author: Option<String>,
    /// Language then.
    pub lang: String,
    /// Editorial state then.
    pub status: ArticleStatus,
    /// Publication instant then.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    /// Lead image then.
    #[schema(required = true)]
    pub image: Option<Image>,
    /// Tags then (as they were named then).
    pub tags: Vec<TagRef>,
    /// Whether this version was in the trash.
    pub trashed: bool,
    /// What made this version.
    pub action: RevisionAction,
    /// Whether it could be distributed then.
    pub pub_status: PubStatus,
    /// Its embargo then, or null.
    #[schema(required = true)]
    pub embargoed_until: Option<DateTime<Utc>>,
    /// The editors' note then, or null.
    #[schema(required = true)]
    pub ed_note: Option<String>,
}

/// Query parameters of `GET /api/v1/articles/{ref}/revisions`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevisionListParams {
    /// Versions per page, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// 1-based page number.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
}

/// Query parameters of `DELETE /api/v1/articles/{ref}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` deletes the article for good, revisions included (needs `admin`); otherwise
    /// it moves to the trash.
    #[param(value_type = Option<bool>)]
    pub purge: Option<String>,
}
