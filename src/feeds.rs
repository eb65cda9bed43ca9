//! Feeds of the latest articles in three formats: Atom (RFC 4287, `atom_syndication`),
//! RSS 2.0 (`rss`) and JSON Feed 1.1 (serde types below). Content is the sanitized HTML of
//! each article wrapped in an element carrying its direction and language, since none of
//! the formats has a direction attribute of its own.

use std::collections::BTreeMap;

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::TagRow;
use crate::dto::article::Article;
use crate::paths;

/// How many articles a feed carries.
pub const FEED_SIZE: i64 = 50;

/// A feed's format, from the extension in its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Atom 1.0 (`application/atom+xml`).
    Atom,
    /// RSS 2.0 (`application/rss+xml`).
    Rss,
    /// JSON Feed 1.1 (`application/feed+json`).
    Json,
}

impl FeedFormat {
    /// The format an extension names.
    pub fn parse(ext: &str) -> Option<FeedFormat> {
        match ext {
            "atom" => Some(FeedFormat::Atom),
            "rss" => Some(FeedFormat::Rss),
            "json" => Some(FeedFormat::Json),
            _ => None,
        }
    }

    /// The media type served.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// Everything a feed is written from.
pub struct FeedInput<'a> {
    /// Absolute base URL of the API, without a trailing slash.
    pub base: &'a str,
    /// Absolute URL of this feed.
    pub self_url: &'a str,
    /// The host that `tag:` ids are minted under (from the configured public URL).
    pub id_authority: &'a str,
    /// The template of an article's page on the site (`{slug}`, `{id}`), when configured.
    pub page_url: Option<&'a str>,
    /// The tag this feed is for, if any.
    pub tag: Option<&'a TagRow>,
    /// The articles, newest first, with bodies.
    pub articles: &'a [Article],
    /// When the feed last changed (used when it has no articles).
    pub updated: DateTime<Utc>,
}

const SITE_NAME: &str = "أنباء";

impl FeedInput<'_> {
    fn title(&self) -> String {
        match self.tag {
            Some(t) => format!("{SITE_NAME}: {}", xml_safe(&t.name)),
            None => SITE_NAME.to_owned(),
        }
    }

    fn description(&self) -> String {
        match self.tag {
            Some(t) => format!("آخر الأخبار عن {}", xml_safe(&t.name)),
            None => "آخر أخبار آسيا الوسطى والقوقاز وجوارهما".to_owned(),
        }
    }

    /// The list of these articles in the JSON API.
    fn home(&self) -> String {
        match self.tag {
            Some(t) => format!("{}{}", self.base, paths::articles_tagged(&t.slug)),
            None => format!("{}{}", self.base, paths::articles()),
        }
    }

    fn article_url(&self, a: &Article) -> String {
        format!("{}{}", self.base, paths::article(a.core.id))
    }

    /// The article's page on the site, when a template is configured.
    fn page(&self, a: &Article) -> Option<String> {
        self.page_url
            .map(|t| crate::formats::page_url(t, a.core.id, &a.core.slug))
    }

    /// Where a reader should go: the page on the site, else the article in the API.
    fn link(&self, a: &Article) -> String {
        self.page(a).unwrap_or_else(|| self.article_url(a))
    }

    fn tag_url(&self, slug: &str) -> String {
        format!("{}{}", self.base, paths::tag(slug))
    }

    /// A stable RFC 4151 `tag:` URI: the configured host and the day the article was created
    /// never change for an article (whatever host name a request used).
    fn entry_id(&self, a: &Article) -> String {
        format!(
            "tag:{},{}:article:{}",
            self.id_authority,
            a.core.created_at.format("%Y-%m-%d"),
            a.core.id
        )
    }

    fn feed_id(&self) -> String {
        let specific = match self.tag {
            Some(t) => format!("feed:tag:{}", crate::text::pct(&t.slug)),
            None => "feed:articles".to_owned(),
        };
        format!("tag:{},2026-11-24:{specific}", self.id_authority)
    }

    /// The feed's `updated`: the latest change among its articles.
    fn updated(&self) -> DateTime<Utc> {
        self.articles
            .iter()
            .map(|a| a.core.updated_at)
            .max()
            .unwrap_or(self.updated)
    }
}

/// The host part of a base URL (no scheme, port or path), as a `tag:` URI wants it.
pub fn authority(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

/// Text as XML can carry it: characters XML 1.0 forbids are dropped (the API refuses them
/// on write; this keeps feeds valid whatever older rows hold).
fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        })
        .collect()
}

/// The article's HTML wrapped in its direction and language, its lead image and caption
/// first (every reader shows HTML; not every one reads enclosures or Media RSS).
fn wrapped_html(a: &Article) -> String {
    let figure = a.core.image.as_ref().map_or(String::new(), |img| {
        let caption = img.caption.as_deref().unwrap_or("");
        let figcaption = if caption.is_empty() {
            String::new()
        } else {
            format!(
                "<figcaption>{}</figcaption>",
                crate::text::html_escape(caption)
            )
        };
        format!(
            "<figure><img src=\"{}\" alt=\"{}\">{figcaption}</figure>",
            crate::text::html_escape(&img.url),
            crate::text::html_escape(caption)
        )
    });
    // Corrections follow the story, as a newspaper prints them: labelled, in order.
    let corrections: String = a
        .core
        .corrections
        .iter()
        .map(|c| {
            let label = match c.kind {
                crate::model::CorrectionKind::Correction => "تصحيح",
                crate::model::CorrectionKind::Clarification => "توضيح",
            };
            format!(
                "<aside class=\"{}\"><strong>{label}:</strong> {}</aside>",
                c.kind.as_str(),
                crate::text::html_escape(&c.text)
            )
        })
        .collect();
    format!(
        "<div dir=\"{}\" lang=\"{}\">{figure}{}{corrections}</div>",
        a.core.dir.as_str(),
        crate::text::html_escape(&a.core.lang),
        a.body_html
    )
}

/// The media type of an image URL, from its extension, when it is a common one.
fn image_type(url: &str) -> Option<&'static str> {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        "avif" => Some("image/avif"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

/// Media RSS's `media:content` for a lead image, with its caption as `media:description`.
fn media_content(img: &crate::dto::article::Image) -> rss::extension::ExtensionMap {
    use rss::extension::Extension;
    let mut attrs = BTreeMap::new();
    attrs.insert("url".to_owned(), img.url.clone());
    attrs.insert("medium".to_owned(), "image".to_owned());
    if let Some(t) = image_type(&img.url) {
        attrs.insert("type".to_owned(), t.to_owned());
    }
    let mut children = BTreeMap::new();
    if let Some(caption) = img.caption.as_deref().filter(|c| !c.is_empty()) {
        children.insert(
            "description".to_owned(),
            vec![Extension {
                name: "media:description".to_owned(),
                value: Some(xml_safe(caption)),
                attrs: BTreeMap::new(),
                children: BTreeMap::new(),
            }],
        );
    }
    let content = Extension {
        name: "media:content".to_owned(),
        value: None,
        attrs,
        children,
    };
    let mut by_name = BTreeMap::new();
    by_name.insert("content".to_owned(), vec![content]);
    let mut map = BTreeMap::new();
    map.insert("media".to_owned(), by_name);
    map
}

/// Media RSS's namespace.
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

fn fixed(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

/// Writes the feed in `format`.
pub fn render(format: FeedFormat, input: &FeedInput<'_>) -> String {
    match format {
        FeedFormat::Atom => atom_feed(input),
        FeedFormat::Rss => rss_feed(input),
        FeedFormat::Json => serde_json::to_string(&json_feed(input)).unwrap_or_default(),
    }
}

fn atom_link(href: String, rel: &str, mime: Option<&str>) -> atom::Link {
    atom::Link {
        href,
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Default::default()
    }
}

fn atom_feed(input: &FeedInput<'_>) -> String {
    let entries = input
        .articles
        .iter()
        .map(|a| atom::Entry {
            id: input.entry_id(a),
            title: atom::Text::plain(xml_safe(&a.core.title)),
            updated: fixed(a.core.updated_at),
            published: a.core.published_at.map(fixed),
            authors: a
                .core
                .author
                .iter()
                .map(|name| atom::Person {
                    name: xml_safe(name),
                    ..Default::default()
                })
                .collect(),
            links: input
                .page(a)
                .map(|page| atom_link(page, "alternate", Some("text/html")))
                .into_iter()
                .chain(std::iter::once(atom_link(
                    input.article_url(a),
                    "alternate",
                    Some("application/json"),
                )))
                .chain(
                    a.core
                        .image
                        .iter()
                        .map(|img| atom_link(img.url.clone(), "enclosure", image_type(&img.url))),
                )
                .collect(),
            categories: a
                .core
                .tags
                .iter()
                .map(|t| atom::Category {
                    term: t.slug.clone(),
                    scheme: Some(format!("{}{}/tags/", input.base, paths::API)),
                    label: Some(xml_safe(&t.name)),
                })
                .collect(),
            summary: Some(atom::Text::plain(xml_safe(&a.core.summary))),
            content: Some(atom::Content {
                value: Some(xml_safe(&wrapped_html(a))),
                content_type: Some("html".to_owned()),
                lang: Some(a.core.lang.clone()),
                ..Default::default()
            }),
            rights: None,
            source: None,
            contributors: Vec::new(),
            extensions: Default::default(),
            namespaces: BTreeMap::new(),
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(input.title()),
        id: input.feed_id(),
        updated: fixed(input.updated()),
        authors: vec![atom::Person {
            name: SITE_NAME.to_owned(),
            uri: Some(input.base.to_owned()),
            ..Default::default()
        }],
        links: vec![
            atom_link(
                input.self_url.to_owned(),
                "self",
                Some("application/atom+xml"),
            ),
            atom_link(input.home(), "alternate", Some("application/json")),
        ],
        subtitle: Some(atom::Text::plain(input.description())),
        generator: Some(atom::Generator {
            value: "anbaa".to_owned(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        lang: Some("ar".to_owned()),
        // Relative links inside article HTML resolve against the API's base URL.
        base: Some(format!("{}/", input.base)),
        entries,
        ..Default::default()
    };
    feed.to_string()
}

fn rss_feed(input: &FeedInput<'_>) -> String {
    let items: Vec<rss::Item> = input
        .articles
        .iter()
        .map(|a| rss::Item {
            title: Some(xml_safe(&a.core.title)),
            link: Some(input.link(a)),
            description: Some(xml_safe(&a.core.summary)),
            content: Some(xml_safe(&wrapped_html(a))),
            guid: Some(rss::Guid {
                value: input.entry_id(a),
                permalink: false,
            }),
            pub_date: a.core.published_at.map(|p| p.to_rfc2822()),
            categories: a
                .core
                .tags
                .iter()
                .map(|t| rss::Category {
                    name: xml_safe(&t.name),
                    domain: Some(input.tag_url(&t.slug)),
                })
                .collect(),
            dublin_core_ext: a.core.author.as_ref().map(|name| {
                rss::extension::dublincore::DublinCoreExtension {
                    creators: vec![xml_safe(name)],
                    ..Default::default()
                }
            }),
            extensions: a.core.image.as_ref().map(media_content).unwrap_or_default(),
            ..Default::default()
        })
        .collect();
    let channel = rss::Channel {
        title: input.title(),
        link: input.home(),
        description: input.description(),
        language: Some("ar".to_owned()),
        last_build_date: Some(input.updated().to_rfc2822()),
        generator: Some(format!("anbaa {}", env!("CARGO_PKG_VERSION"))),
        ttl: Some("5".to_owned()),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom_link(
                input.self_url.to_owned(),
                "self",
                Some("application/rss+xml"),
            )],
        }),
        items,
        namespaces: [("media".to_owned(), MEDIA_NS.to_owned())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    channel.to_string()
}

/// JSON Feed 1.1, top level.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeed {
    /// Always `https://jsonfeed.org/version/1.1`.
    pub version: &'static str,
    /// Feed title.
    pub title: String,
    /// The same articles in the JSON API.
    pub home_page_url: String,
    /// This feed.
    pub feed_url: String,
    /// What the feed carries.
    pub description: String,
    /// `ar`.
    pub language: &'static str,
    /// The publisher.
    pub authors: Vec<JsonFeedAuthor>,
    /// The articles, newest first.
    pub items: Vec<JsonFeedItem>,
}

/// A JSON Feed author.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAuthor {
    /// Name.
    pub name: String,
}

/// A JSON Feed item.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItem {
    /// Stable `tag:` URI.
    pub id: String,
    /// The article's page on the site (`--article-url`), else the article in the JSON API.
    pub url: String,
    /// Headline.
    pub title: String,
    /// Sanitized HTML, wrapped in an element carrying `dir` and `lang`.
    pub content_html: String,
    /// Plain-text summary.
    pub summary: String,
    /// Lead image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Publication instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<DateTime<Utc>>,
    /// Last change.
    pub date_modified: DateTime<Utc>,
    /// Byline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<JsonFeedAuthor>,
    /// Tag names.
    pub tags: Vec<String>,
    /// The article's language.
    pub language: String,
    /// anbaa's own fields: id, slug, version and the tags with slugs.
    #[serde(rename = "_anbaa")]
    pub anbaa: JsonFeedExtension,
}

/// The `_anbaa` extension of a JSON Feed item.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedExtension {
    /// Article id.
    pub id: i32,
    /// Article slug.
    pub slug: String,
    /// The article in the JSON API.
    pub api_url: String,
    /// Article version.
    pub version: i32,
    /// Tags as in the API.
    pub tags: Vec<crate::dto::article::TagRef>,
    /// The lead image's caption (JSON Feed's `image` has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_caption: Option<String>,
}

fn json_feed(input: &FeedInput<'_>) -> JsonFeed {
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: input.title(),
        home_page_url: input.home(),
        feed_url: input.self_url.to_owned(),
        description: input.description(),
        language: "ar",
        authors: vec![JsonFeedAuthor {
            name: SITE_NAME.to_owned(),
        }],
        items: input
            .articles
            .iter()
            .map(|a| JsonFeedItem {
                id: input.entry_id(a),
                url: input.link(a),
                title: a.core.title.clone(),
                content_html: wrapped_html(a),
                summary: a.core.summary.clone(),
                image: a.core.image.as_ref().map(|i| i.url.clone()),
                date_published: a.core.published_at,
                date_modified: a.core.updated_at,
                authors: a
                    .core
                    .author
                    .iter()
                    .map(|name| JsonFeedAuthor { name: name.clone() })
                    .collect(),
                tags: a.core.tags.iter().map(|t| t.name.clone()).collect(),
                language: a.core.lang.clone(),
                anbaa: JsonFeedExtension {
                    id: a.core.id,
                    slug: a.core.slug.clone(),
                    api_url: input.article_url(a),
                    version: a.core.version,
                    tags: a.core.tags.clone(),
                    image_caption: a.core.image.as_ref().and_then(|i| i.caption.clone()),
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn authority_drops_scheme_port_and_path() {
        assert_eq!(authority("https://api.example.org/x"), "api.example.org");
        assert_eq!(authority("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(authority("example.org"), "example.org");
    }
}
