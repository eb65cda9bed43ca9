//! Sitemaps (sitemaps.org 0.9) and the Google News sitemap: an index of monthly article
//! sitemaps, and the news sitemap of the last 48 hours. URLs are percent-encoded ASCII,
//! then escaped for XML.

use chrono::{DateTime, Utc};

use super::ascii_uri;

/// Most URLs one sitemap file may list.
pub const MAX_URLS: usize = 50_000;
/// Most items one news sitemap may list.
pub const MAX_NEWS: usize = 1_000;
/// How far back the news sitemap reaches.
pub const NEWS_WINDOW_HOURS: i64 = 48;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids never reach a file.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn w3c(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// One URL with its last change.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Absolute URL (any characters: it is percent-encoded here).
    pub loc: String,
    /// Its last change.
    pub lastmod: DateTime<Utc>,
}

/// A `<sitemapindex>` of sitemap files.
pub fn index(files: &[Entry]) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"{NS}\">\n");
    for f in files {
        out.push_str(&format!(
            "  <sitemap>\n    <loc>{}</loc>\n    <lastmod>{}</lastmod>\n  </sitemap>\n",
            xml(&ascii_uri(&f.loc)),
            w3c(f.lastmod)
        ));
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// A `<urlset>` of article URLs.
pub fn urlset(urls: &[Entry]) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{NS}\">\n");
    for u in urls {
        out.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n    <lastmod>{}</lastmod>\n  </url>\n",
            xml(&ascii_uri(&u.loc)),
            w3c(u.lastmod)
        ));
    }
    out.push_str("</urlset>\n");
    out
}

/// One story of the news sitemap.
#[derive(Debug, Clone)]
pub struct NewsItem {
    /// Absolute URL of its page.
    pub loc: String,
    /// Its headline.
    pub title: String,
    /// When it was published.
    pub published: DateTime<Utc>,
    /// Its language (ISO 639).
    pub language: String,
}

/// The Google News sitemap of `items` from publication `name`.
pub fn news(name: &str, items: &[NewsItem]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{NS}\" xmlns:news=\"{NEWS_NS}\">\n"
    );
    for i in items {
        // Google wants the primary language subtag (`ar`), and `zh-cn`/`zh-tw` only.
        let lang = i
            .language
            .split(['-', '_'])
            .next()
            .unwrap_or("ar")
            .to_ascii_lowercase();
        out.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>{}</news:name>\n        <news:language>{}</news:language>\n      </news:publication>\n      <news:publication_date>{}</news:publication_date>\n      <news:title>{}</news:title>\n    </news:news>\n  </url>\n",
            xml(&ascii_uri(&i.loc)),
            xml(name),
            xml(&lang),
            w3c(i.published),
            xml(&i.title)
        ));
    }
    out.push_str("</urlset>\n");
    out
}
