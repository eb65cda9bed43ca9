//! Demo content for `serve --demo`: Arabic articles across a region → country tag tree,
//! loaded through the same service calls as the API so they get slugs, HTML and summaries.

use serde::Deserialize;

use crate::db::Conn;
use crate::db::{self, now_micros};
use crate::dto::article::{ArticleCreate, ArticleStatus, Image};
use crate::dto::tag::{TagCreate, TagKind};
use crate::error::ApiError;
use crate::service;

const CONTENT: &str = include_str!("demo/content.json");

#[derive(Deserialize)]
struct Demo {
    tags: Vec<DemoTag>,
    articles: Vec<DemoArticle>,
}

#[derive(Deserialize)]
struct DemoTag {
    slug: String,
    name: String,
    name_en: Option<String>,
    kind: TagKind,
    parent: Option<String>,
    description: Option<String>,
    #[serde(default)]
    iptc_media_topic: Option<String>,
    #[serde(default)]
    iso3166: Option<String>,
    #[serde(default)]
    wikidata: Option<String>,
}

#[derive(Deserialize)]
struct DemoArticle {
    title: String,
    summary: Option<String>,
    body: String,
    source: Option<String>,
    author: Option<String>,
    status: ArticleStatus,
    published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    tags: Vec<String>,
    image: Option<Image>,
}

/// Fills an empty database with the demo content; returns how many articles it added
/// (0 when the database already had content, so starting twice adds nothing).
pub fn load(conn: &mut Conn) -> Result<usize, ApiError> {
    if db::articles::count_all(conn)? > 0 || !db::tags::all(conn)?.is_empty() {
        return Ok(0);
    }
    let demo: Demo = serde_json::from_str(CONTENT)
        .map_err(|e| ApiError::internal(format!("demo content is invalid: {e}")))?;
    let started = now_micros();
    for t in demo.tags {
        service::tags::create(
            conn,
            TagCreate {
                slug: Some(t.slug),
                name: Some(t.name),
                name_en: t.name_en,
                kind: Some(t.kind),
                parent: t.parent,
                description: t.description,
                iptc_media_topic: t.iptc_media_topic,
                iso3166: t.iso3166,
                wikidata: t.wikidata,
            },
        )?;
    }
    let n = demo.articles.len();
    for a in demo.articles {
        service::articles::create(
            conn,
            ArticleCreate {
                title: Some(a.title),
                slug: None,
                summary: a.summary,
                body: Some(a.body),
                source: a.source,
                author: a.author,
                lang: None,
                status: Some(a.status),
                published_at: a.published_at,
                image: a.image,
                tags: Some(a.tags),
                ..ArticleCreate::default()
            },
            "demo",
        )?;
    }
    log::info!(
        "demo content loaded: {n} articles in {:.0} ms",
        (now_micros() - started) as f64 / 1000.0
    );
    Ok(n)
}
