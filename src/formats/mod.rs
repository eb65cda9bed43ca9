//! The news industry's formats of an article: IPTC ninjs 3.1 (`ninjs`), schema.org
//! NewsArticle JSON-LD (`jsonld`) and sitemaps (`sitemap`). Each renders the wire article
//! (`dto::article::Article`) in a `Site`'s context: where the API and the site's pages live,
//! who publishes, and the standard codes of the tags.

pub mod jsonld;
pub mod ninjs;
pub mod sitemap;

use std::collections::HashMap;

use crate::db::models::TagRow;
use crate::dto::article::ArticleCore;

/// The ninjs 3.1 schema; also the `profile` of its media type.
pub const NINJS_SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json";

/// A representation of an article (or of each article of a list) a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// anbaa's own JSON.
    Json,
    /// IPTC ninjs 3.1.
    Ninjs,
    /// schema.org NewsArticle as JSON-LD.
    JsonLd,
}

impl Representation {
    /// From `?format=` (which wins), else the `Accept` header among `offered`: the range the
    /// client weighs highest (`q`), ties to the first listed; `application/ld+json`,
    /// `application/json` with a `profile` naming the ninjs schema, or JSON (`application/json`,
    /// `application/*`, `*/*`). Nothing offered that it accepts: JSON. A bad `format` is the
    /// message to report under its name.
    pub fn negotiate(
        format: Option<&str>,
        accept: Option<&str>,
        offered: &[Representation],
    ) -> Result<Self, String> {
        match format {
            Some("json") => return Ok(Representation::Json),
            Some("ninjs") => return Ok(Representation::Ninjs),
            Some("jsonld") => return Ok(Representation::JsonLd),
            Some(other) => {
                return Err(format!(
                    "must be json, ninjs or jsonld, not `{}`",
                    crate::validate::echo(other)
                ));
            }
            None => {}
        }
        let Some(accept) = accept else {
            return Ok(Representation::Json);
        };
        let mut best: Option<(Representation, f32)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let params: Vec<(String, String)> = parts
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| {
                    (
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_owned(),
                    )
                })
                .collect();
            let q = params
                .iter()
                .find(|(k, _)| k == "q")
                .and_then(|(_, v)| v.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            let profile = params.iter().find(|(k, _)| k == "profile").map(|(_, v)| v);
            let candidate = match media.as_str() {
                "application/ld+json" => Representation::JsonLd,
                "application/json"
                    if profile.is_some_and(|p| p.trim_end_matches('#') == NINJS_SCHEMA) =>
                {
                    Representation::Ninjs
                }
                "application/json" | "application/*" | "*/*" => Representation::Json,
                _ => continue,
            };
            if !offered.contains(&candidate) {
                continue;
            }
            if best.is_none_or(|(_, b)| q > b) {
                best = Some((candidate, q));
            }
        }
        Ok(best.map_or(Representation::Json, |(r, _)| r))
    }

    /// `negotiate` with the request's `Accept` header.
    pub fn of_request(
        req: &actix_web::HttpRequest,
        format: Option<&str>,
        offered: &[Representation],
    ) -> Result<Self, String> {
        let accept = req
            .headers()
            .get(actix_web::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        Representation::negotiate(format, accept, offered)
    }

    /// The `Content-Type` it is served as.
    pub fn content_type(self) -> String {
        match self {
            Representation::Json => "application/json".to_owned(),
            Representation::Ninjs => format!("application/json; profile=\"{NINJS_SCHEMA}\""),
            Representation::JsonLd => "application/ld+json".to_owned(),
        }
    }

    /// Everything an article is offered in.
    pub const ARTICLE: &'static [Representation] = &[
        Representation::Json,
        Representation::Ninjs,
        Representation::JsonLd,
    ];
    /// What a list or the change log is offered in.
    pub const LIST: &'static [Representation] = &[Representation::Json, Representation::Ninjs];

    /// A short name, for validators and cache keys.
    pub fn name(self) -> &'static str {
        match self {
            Representation::Json => "json",
            Representation::Ninjs => "ninjs",
            Representation::JsonLd => "jsonld",
        }
    }
}

/// The standard codes of a tag.
#[derive(Debug, Clone, Default)]
pub struct TagCodes {
    /// `medtop:…`.
    pub media_topic: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub iso3166: Option<String>,
    /// `Q…`.
    pub wikidata: Option<String>,
}

impl TagCodes {
    /// Every tag's codes by id.
    pub fn of(tags: &[TagRow]) -> HashMap<i32, TagCodes> {
        tags.iter()
            .map(|t| {
                (
                    t.id,
                    TagCodes {
                        media_topic: t.iptc_media_topic.clone(),
                        iso3166: t.iso3166.clone(),
                        wikidata: t.wikidata.clone(),
                    },
                )
            })
            .collect()
    }

    /// The Media Topic's URI.
    pub fn media_topic_uri(&self) -> Option<String> {
        self.media_topic.as_deref().and_then(|m| {
            m.strip_prefix("medtop:")
                .map(|code| format!("http://cv.iptc.org/newscodes/mediatopic/{code}"))
        })
    }

    /// The Wikidata item's URI.
    pub fn wikidata_uri(&self) -> Option<String> {
        self.wikidata
            .as_deref()
            .map(|q| format!("http://www.wikidata.org/entity/{q}"))
    }
}

/// Where things live and who publishes: what every format needs besides the article.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// Absolute base URL of the API, without a trailing slash.
    pub api_base: String,
    /// The template of an article's page (`{slug}`, `{id}`), when configured.
    pub page_template: Option<&'a str>,
    /// The site's home page, when configured.
    pub url: Option<&'a str>,
    /// The publication's name.
    pub name: &'a str,
    /// The publisher's logo, when configured.
    pub logo: Option<&'a str>,
    /// Who holds the copyright, when configured.
    pub copyright_holder: Option<&'a str>,
    /// The terms of reuse, when configured.
    pub usage_terms: Option<&'a str>,
    /// The tags' standard codes by id.
    pub codes: &'a HashMap<i32, TagCodes>,
}

impl Site<'_> {
    /// The article in the API, absolute.
    pub fn api_url(&self, id: i32) -> String {
        format!("{}{}", self.api_base, crate::paths::article(id))
    }

    /// A tag in the API, absolute (its slug percent-encoded).
    pub fn tag_url(&self, slug: &str) -> String {
        format!("{}{}", self.api_base, crate::paths::tag(slug))
    }

    /// The article's page on the site (its slug percent-encoded), when a template is set.
    pub fn page(&self, a: &ArticleCore) -> Option<String> {
        self.page_of(a.id, &a.slug)
    }

    /// The page of article `id` with `slug`, when a template is set.
    pub fn page_of(&self, id: i32, slug: &str) -> Option<String> {
        self.page_template.map(|t| page_url(t, id, slug))
    }

    /// Where the article lives for readers: its page, else the API.
    pub fn canonical(&self, a: &ArticleCore) -> String {
        self.canonical_of(a.id, &a.slug)
    }

    /// Where article `id` with `slug` lives for readers.
    pub fn canonical_of(&self, id: i32, slug: &str) -> String {
        self.page_of(id, slug).unwrap_or_else(|| self.api_url(id))
    }

    /// The codes of tag `id`.
    pub fn codes_of(&self, id: i32) -> TagCodes {
        self.codes.get(&id).cloned().unwrap_or_default()
    }
}

/// An article's page from an `--article-url` template: the slug percent-encoded, and the
/// whole made ASCII (the template itself may hold Arabic), as a URI must be.
pub fn page_url(template: &str, id: i32, slug: &str) -> String {
    ascii_uri(
        &template
            .replace("{slug}", &crate::text::pct(slug))
            .replace("{id}", &id.to_string()),
    )
}

/// A URL with every byte outside printable ASCII percent-encoded (an image URL may hold
/// Arabic): what a `format: uri` property accepts.
pub fn ascii_uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            )
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_chooses_ninjs_or_json_ld_and_format_wins() {
        let all = Representation::ARTICLE;
        let ninjs = format!("application/json; profile=\"{NINJS_SCHEMA}\"");
        let pick =
            |accept: &str, offered| Representation::negotiate(None, Some(accept), offered).unwrap();
        assert_eq!(pick(&ninjs, all), Representation::Ninjs);
        assert_eq!(
            pick("text/html, application/ld+json;q=0.9", all),
            Representation::JsonLd
        );
        assert_eq!(
            pick("application/ld+json;q=0, */*", all),
            Representation::Json
        );
        // The weights decide, not the order.
        assert_eq!(
            pick("application/json, application/ld+json;q=0.9", all),
            Representation::Json
        );
        assert_eq!(
            pick("application/ld+json;q=0.5, application/json", all),
            Representation::Json
        );
        assert_eq!(
            pick(&format!("{ninjs};q=0.2, application/json"), all),
            Representation::Json
        );
        // A list offers no JSON-LD: asking for it gets JSON, not an error.
        assert_eq!(
            pick("application/ld+json", Representation::LIST),
            Representation::Json
        );
        assert_eq!(
            Representation::negotiate(Some("ninjs"), Some("application/ld+json"), all).unwrap(),
            Representation::Ninjs
        );
        assert!(Representation::negotiate(Some("xml"), None, all).is_err());
        assert_eq!(
            ascii_uri("https://img.example.org/صورة 1.jpg"),
            "https://img.example.org/%D8%B5%D9%88%D8%B1%D8%A9%201.jpg"
        );
    }
}
