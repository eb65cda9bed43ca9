//! The API's own URLs, written in one place: links in bodies, `Location` headers and feed
//! links all come from here (Arabic slugs percent-encoded).

use crate::text::pct;

/// Where every JSON resource lives.
pub const API: &str = "/api/v1";

/// The article list.
pub fn articles() -> String {
    format!("{API}/articles")
}

/// One article by id (its canonical address).
pub fn article(id: i32) -> String {
    format!("{API}/articles/{id}")
}

/// One article by slug.
pub fn article_by_slug(slug: &str) -> String {
    format!("{API}/articles/{}", pct(slug))
}

/// One tag.
pub fn tag(slug: &str) -> String {
    format!("{API}/tags/{}", pct(slug))
}

/// The articles carrying a tag (a region's include its descendants').
pub fn articles_tagged(slug: &str) -> String {
    format!("{API}/articles?tag={}", pct(slug))
}
