//! schema.org NewsArticle as JSON-LD, ready for a page's `<script type="application/ld+json">`:
//! Google's recommended Article properties (headline, image, dates with their offset, author)
//! and the publisher, language, subjects with their standard identifiers, corrections and the
//! page it is the main entity of.

use serde_json::{Value, json};

use super::{Site, ascii_uri};
use crate::dto::article::Article;
use crate::model::TagKind;

fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    // RFC 3339 with the offset written out, as Google asks ("+00:00", not "Z").
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// An article as a NewsArticle.
pub fn article(a: &Article, site: &Site) -> Value {
    let core = &a.core;
    let canonical = ascii_uri(&site.canonical(core));
    let about: Vec<Value> = core
        .tags
        .iter()
        .map(|t| {
            let codes = site.codes_of(t.id);
            let kind = match t.kind {
                TagKind::Region | TagKind::Country => "Place",
                TagKind::Organization => "Organization",
                TagKind::Person => "Person",
                TagKind::Topic => "Thing",
            };
            let mut same_as: Vec<String> = Vec::new();
            same_as.extend(codes.wikidata_uri());
            same_as.extend(codes.media_topic_uri());
            let mut thing = json!({
                "@type": kind,
                "name": t.name,
                "url": ascii_uri(&site.tag_url(&t.slug)),
            });
            if !same_as.is_empty() {
                thing["sameAs"] = json!(same_as);
            }
            thing
        })
        .collect();
    let mut publisher = json!({
        "@type": "NewsMediaOrganization",
        "name": site.name,
    });
    if let Some(url) = site.url {
        publisher["url"] = json!(ascii_uri(url));
    }
    if let Some(logo) = site.logo {
        publisher["logo"] = json!({"@type": "ImageObject", "url": ascii_uri(logo)});
    }
    let author = match &core.author {
        Some(name) => json!([{"@type": "Person", "name": name}]),
        // No byline: the publication is the author, as Google accepts.
        None => json!([{"@type": "Organization", "name": site.name}]),
    };
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": format!("{canonical}#article"),
        "headline": core.title,
        "description": core.summary,
        "inLanguage": core.lang,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "dateCreated": instant(core.created_at),
        "dateModified": instant(core.updated_at),
        "author": author,
        "publisher": publisher,
        "wordCount": core.word_count,
        "isAccessibleForFree": true,
        "identifier": core.id.to_string(),
    });
    if let Some(p) = core.published_at {
        doc["datePublished"] = json!(instant(p));
    }
    if let Some(img) = &core.image {
        doc["image"] = json!([ascii_uri(&img.url)]);
    }
    if !about.is_empty() {
        doc["about"] = json!(about);
    }
    if let Some(source) = &core.source {
        doc["sourceOrganization"] = json!({"@type": "Organization", "name": source});
    }
    if let Some(holder) = site.copyright_holder {
        doc["copyrightHolder"] = json!({"@type": "Organization", "name": holder});
    }
    if let Some(terms) = site.usage_terms {
        doc["usageInfo"] = json!(terms);
    }
    if !core.corrections.is_empty() {
        doc["correction"] = json!(
            core.corrections
                .iter()
                .map(|c| json!({
                    "@type": "CorrectionComment",
                    "text": c.text,
                    "datePublished": instant(c.at),
                }))
                .collect::<Vec<_>>()
        );
    }
    doc
}
