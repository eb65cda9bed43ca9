//! IPTC ninjs 3.1 (News in JSON): strictly what the schema allows (it forbids any other
//! property), so anbaa-only data stays in anbaa's own JSON.

use serde::Serialize;

use super::{NINJS_SCHEMA, Site, ascii_uri};
use crate::dto::article::{Article, ArticleCore};
use crate::model::{PubStatus, TagKind};

/// One ninjs document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ninjs {
    standard: Standard,
    uri: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    representation_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_created: Option<String>,
    pub_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    embargoed_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headlines: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    descriptions: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bodies: Vec<Body>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Concept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    places: Vec<Concept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    organisations: Vec<Concept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    people: Vec<Concept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    info_sources: Vec<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alt_ids: Vec<AltId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    renditions: Vec<Rendition>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    associations: Vec<Association>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright_holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_terms: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ed_note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Standard {
    name: &'static str,
    version: &'static str,
    schema: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Text {
    role: &'static str,
    content_type: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    role: &'static str,
    content_type: &'static str,
    char_count: i64,
    word_count: i64,
    value: String,
}

#[derive(Debug, Serialize)]
struct Concept {
    name: String,
    rel: &'static str,
    uri: String,
    literal: String,
}

#[derive(Debug, Serialize)]
struct Source {
    name: String,
    role: &'static str,
}

#[derive(Debug, Serialize)]
struct AltId {
    role: &'static str,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rendition {
    name: &'static str,
    href: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
}

/// The lead image, as an associated picture.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Association {
    name: &'static str,
    rel: &'static str,
    uri: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    descriptions: Vec<Text>,
    renditions: Vec<Rendition>,
}

fn standard() -> Standard {
    Standard {
        name: "ninjs",
        version: "3.1",
        schema: format!("{NINJS_SCHEMA}#"),
    }
}

fn pub_status(s: PubStatus) -> &'static str {
    match s {
        PubStatus::Usable => "usable",
        PubStatus::Withheld => "withheld",
        PubStatus::Canceled => "canceled",
    }
}

fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The concepts of an article's tags: topics as subjects (their Media Topic when they have
/// one), regions and countries as places (their Wikidata item, ISO code as the literal),
/// organisations and people; each falls back to the tag's API URL.
fn concepts(core: &ArticleCore, site: &Site) -> [Vec<Concept>; 4] {
    let mut out: [Vec<Concept>; 4] = Default::default();
    for t in &core.tags {
        let codes = site.codes_of(t.id);
        let own = site.tag_url(&t.slug);
        let (slot, uri, literal) = match t.kind {
            TagKind::Topic => (
                0,
                codes.media_topic_uri().unwrap_or(own),
                codes.media_topic.clone().unwrap_or_else(|| t.slug.clone()),
            ),
            TagKind::Region | TagKind::Country => (
                1,
                codes.wikidata_uri().unwrap_or(own),
                codes.iso3166.clone().unwrap_or_else(|| t.slug.clone()),
            ),
            TagKind::Organization => (2, codes.wikidata_uri().unwrap_or(own), t.slug.clone()),
            TagKind::Person => (3, codes.wikidata_uri().unwrap_or(own), t.slug.clone()),
        };
        out[slot].push(Concept {
            name: t.name.clone(),
            rel: "about",
            uri,
            literal,
        });
    }
    out
}

/// An article as ninjs. `ed_note` is given only to readers who may see it.
pub fn article(a: &Article, site: &Site, ed_note: Option<&str>) -> Ninjs {
    let core = &a.core;
    let [subjects, places, organisations, people] = concepts(core, site);
    let plain = crate::text::markdown::html_text(&a.body_html);
    let html = format!(
        "<div dir=\"{}\" lang=\"{}\">{}</div>",
        core.dir.as_str(),
        crate::text::html_escape(&core.lang),
        a.body_html
    );
    let words = i64::from(core.word_count);
    let mut renditions = Vec::new();
    if let Some(page) = site.page(core) {
        renditions.push(Rendition {
            name: "web",
            href: ascii_uri(&page),
            content_type: Some("text/html"),
            title: Some(core.title.clone()),
        });
    }
    renditions.push(Rendition {
        name: "api",
        href: ascii_uri(&site.api_url(core.id)),
        content_type: Some("application/json"),
        title: None,
    });
    let associations = core
        .image
        .iter()
        .map(|img| Association {
            name: "leadImage",
            rel: "leadImage",
            uri: ascii_uri(&img.url),
            kind: "picture",
            descriptions: img
                .caption
                .iter()
                .map(|c| Text {
                    role: "caption",
                    content_type: "text/plain",
                    value: c.clone(),
                })
                .collect(),
            // Its media type is not known without fetching it: left out.
            renditions: vec![Rendition {
                name: "original",
                href: ascii_uri(&img.url),
                content_type: None,
                title: None,
            }],
        })
        .collect::<Vec<_>>();
    Ninjs {
        standard: standard(),
        uri: ascii_uri(&site.api_url(core.id)),
        kind: "text",
        representation_type: Some("full"),
        version: Some(core.version.to_string()),
        first_created: Some(instant(core.created_at)),
        version_created: Some(instant(core.updated_at)),
        pub_status: pub_status(core.pub_status),
        embargoed_until: core.embargoed_until.map(instant),
        language: Some(core.lang.clone()),
        headlines: vec![Text {
            role: "main",
            content_type: "text/plain",
            value: core.title.clone(),
        }],
        // ninjs has no field for corrections: each is a description with its own role,
        // after the summary, oldest first.
        descriptions: std::iter::once(Text {
            role: "summary",
            content_type: "text/plain",
            value: core.summary.clone(),
        })
        .chain(core.corrections.iter().map(|c| Text {
            role: match c.kind {
                crate::model::CorrectionKind::Correction => "correction",
                crate::model::CorrectionKind::Clarification => "clarification",
            },
            content_type: "text/plain",
            value: c.text.clone(),
        }))
        .collect(),
        bodies: vec![
            Body {
                role: "main",
                content_type: "text/html",
                char_count: plain.chars().count() as i64,
                word_count: words,
                value: html,
            },
            Body {
                role: "main",
                content_type: "text/plain",
                char_count: plain.chars().count() as i64,
                word_count: words,
                value: plain,
            },
        ],
        by: core.author.clone(),
        subjects,
        places,
        organisations,
        people,
        info_sources: core
            .source
            .iter()
            .map(|s| Source {
                name: s.clone(),
                role: "source",
            })
            .collect(),
        alt_ids: vec![
            AltId {
                role: "slug",
                value: core.slug.clone(),
            },
            AltId {
                role: "anbaa-id",
                value: core.id.to_string(),
            },
        ],
        renditions,
        associations,
        copyright_holder: site.copyright_holder.map(str::to_owned),
        usage_terms: site.usage_terms.map(str::to_owned),
        ed_note: ed_note.map(str::to_owned),
    }
}

/// A page of the change log with each entry's article as ninjs: an upsert's article whole, a
/// removal's as a partial document whose `pubStatus` says what to do (`canceled`: recall
/// every copy; otherwise `withheld`).
pub fn change_list(
    entries: Vec<crate::dto::change::Change>,
    site: &Site,
    meta: crate::dto::list::ListMeta,
    links: crate::dto::list::ListLinks,
) -> serde_json::Value {
    use crate::model::ChangeEvent;
    let data: Vec<serde_json::Value> = entries
        .into_iter()
        .map(|mut e| {
            let doc = match e.article.take() {
                Some(a) => article(&a, site, None),
                None => tombstone(
                    e.id,
                    &e.slug,
                    if e.event == ChangeEvent::Canceled {
                        PubStatus::Canceled
                    } else {
                        PubStatus::Withheld
                    },
                    site,
                ),
            };
            let mut v = serde_json::to_value(&e).unwrap_or_default();
            v["article"] = serde_json::to_value(&doc).unwrap_or_default();
            v
        })
        .collect();
    serde_json::json!({"data": data, "meta": meta, "links": links})
}

/// What a partner needs of an article that was withdrawn or deleted: its URI, its slug and
/// whether to recall it (`canceled`) or hold it back (`withheld`).
pub fn tombstone(id: i32, slug: &str, status: PubStatus, site: &Site) -> Ninjs {
    Ninjs {
        standard: standard(),
        uri: ascii_uri(&site.api_url(id)),
        kind: "text",
        representation_type: Some("partial"),
        version: None,
        first_created: None,
        version_created: None,
        pub_status: pub_status(status),
        embargoed_until: None,
        language: None,
        headlines: Vec::new(),
        descriptions: Vec::new(),
        bodies: Vec::new(),
        by: None,
        subjects: Vec::new(),
        places: Vec::new(),
        organisations: Vec::new(),
        people: Vec::new(),
        info_sources: Vec::new(),
        alt_ids: vec![AltId {
            role: "slug",
            value: slug.to_owned(),
        }],
        renditions: Vec::new(),
        associations: Vec::new(),
        copyright_holder: None,
        usage_terms: None,
        ed_note: None,
    }
}
