//! `/sitemap.xml` and `/sitemaps/…`: the sitemap index, monthly article sitemaps and the
//! Google News sitemap, with conditional GET like every feed.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};

use super::PROBLEM;
use crate::config::Settings;
use crate::db;
use crate::db::source::Source;
use crate::dto::NoParams;
use crate::dto::problem::{NotModified, Problem, ReadProblems};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::formats::sitemap::{self, Entry, NewsItem};
use crate::service;

const XML: &str = "application/xml; charset=utf-8";

fn instant(micros: i64) -> chrono::DateTime<chrono::Utc> {
    crate::dto::instant(micros)
}

fn xml(validator: crate::conditional::Validator, body: String) -> HttpResponse {
    validator.apply(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, XML))
            .body(body),
    )
}

/// The sitemap index: one sitemap per month of publication (a month of more than 50,000
/// articles takes several), and the news sitemap.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A sitemaps.org sitemap index", content((String = "application/xml")),
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        ReadProblems, NotModified,
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap_index(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    _caller: crate::auth::Caller,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let now = db::now_micros();
    let files = db::run(&pool, move |conn| service::sitemaps::index(conn, now)).await?;
    let base = super::feeds::base_url(&req, &settings);
    let mut entries: Vec<Entry> = files
        .iter()
        .map(|f| Entry {
            loc: format!("{base}/sitemaps/articles-{}.xml", f.name),
            lastmod: instant(f.lastmod),
        })
        .collect();
    entries.push(Entry {
        loc: format!("{base}/sitemaps/news.xml"),
        lastmod: instant(validator.modified_at().max(1)),
    });
    Ok(xml(validator, sitemap::index(&entries)))
}

/// The public articles published in one month (`2026-12`; `2026-12-2` for a month's second
/// 50,000), each at its page on the site (`--article-url`) or else in the API, with its last
/// change.
#[utoipa::path(
    tag = "feeds",
    params(("month" = String, Path, description = "`YYYY-MM`, or `YYYY-MM-N` for the Nth 50,000 of a month", example = "2026-12")),
    responses(
        (status = 200, description = "A sitemaps.org urlset", content((String = "application/xml")),
         headers(("ETag" = String, description = "Strong validator"))),
        (status = 404, description = "No such month, or no article in it", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/sitemaps/articles-{month}.xml")]
pub async fn sitemap_month(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    _caller: crate::auth::Caller,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let name = path.into_inner();
    let now = db::now_micros();
    let rows = db::run(&pool, move |conn| {
        service::sitemaps::month(conn, &name, now)
    })
    .await?;
    let codes = Default::default();
    let site = super::site(&req, &settings, &codes);
    let urls: Vec<Entry> = rows
        .iter()
        .map(|r| Entry {
            loc: site.canonical_of(r.id, &r.slug),
            lastmod: instant(service::sitemaps::lastmod(r.sort_at, r.updated_at)),
        })
        .collect();
    Ok(xml(validator, sitemap::urlset(&urls)))
}

/// The Google News sitemap: articles published in the last 48 hours, newest first, at most
/// 1,000, with the publication's name (`--site-name`) and language.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "A sitemaps.org urlset with Google News entries", content((String = "application/xml")),
         headers(("ETag" = String, description = "Strong validator"))),
        ReadProblems, NotModified,
    )
)]
#[get("/sitemaps/news.xml")]
pub async fn sitemap_news(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    _caller: crate::auth::Caller,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let now = db::now_micros();
    let rows = db::run(&pool, move |conn| service::sitemaps::news(conn, now)).await?;
    let codes = Default::default();
    let site = super::site(&req, &settings, &codes);
    let items: Vec<NewsItem> = rows
        .into_iter()
        .map(|r| NewsItem {
            loc: site.canonical_of(r.id, &r.slug),
            title: r.title,
            published: instant(r.sort_at),
            language: r.lang,
        })
        .collect();
    Ok(xml(validator, sitemap::news(&settings.site_name, &items)))
}
