//! HTTP handlers, one module per resource: extract, check, make one service call, answer.

pub mod articles;
pub mod changes;
pub mod docs;
pub mod fallback;
pub mod feeds;
pub mod health;
pub mod sitemaps;
pub mod tags;
pub mod webhooks;

use actix_web::{HttpRequest, HttpResponse, http::header};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::config::Settings;
use crate::dto::list::{ListLinks, ListMeta};
use crate::error::ApiError;

/// Registers every documented route. The server and the spec (`openapi::spec`) both call
/// this, so the spec lists exactly the routes that are served.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .service(articles::list_articles)
            .service(articles::create_article)
            .service(articles::get_article)
            .service(articles::related_articles)
            .service(articles::replace_article)
            .service(articles::patch_article)
            .service(articles::post_correction)
            .service(articles::delete_article)
            .service(articles::restore_article)
            .service(articles::list_revisions)
            .service(articles::get_revision)
            .service(articles::restore_revision)
            .service(tags::list_tags)
            .service(tags::create_tag)
            .service(tags::get_tag)
            .service(tags::patch_tag)
            .service(tags::delete_tag)
            .service(tags::merge_tag)
            .service(changes::stream_changes)
            .service(changes::list_changes)
            .service(webhooks::create_webhook)
            .service(webhooks::list_webhooks)
            .service(webhooks::get_webhook)
            .service(webhooks::patch_webhook)
            .service(webhooks::delete_webhook)
            .service(webhooks::list_deliveries)
            .service(webhooks::replay_webhook),
    )
    .service(feeds::site_feed)
    .service(feeds::tag_feed)
    .service(sitemaps::sitemap_index)
    .service(sitemaps::sitemap_news)
    .service(sitemaps::sitemap_month)
    .service(health::healthz)
    .service(health::readyz);
}

/// The problem+json responses every operation documents.
pub const PROBLEM: &str = "application/problem+json";

/// The media type of an article, or a page of them, cut down to the fields `fields` named.
pub const SELECTION: &str = "application/vnd.anbaa.selection+json";

/// The URL of this request with some query parameters replaced (a `None` value removes it).
pub fn url_with(
    req: &HttpRequest,
    settings: &Settings,
    changes: &[(&str, Option<String>)],
) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    for (name, value) in changes {
        pairs.retain(|(k, _)| k != name);
        if let Some(v) = value {
            pairs.push(((*name).to_owned(), v.clone()));
        }
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let base = settings.public_url.as_deref().unwrap_or("");
    if query.is_empty() {
        format!("{base}{}", req.path())
    } else {
        format!("{base}{}?{query}", req.path())
    }
}

/// Builds the `links` of a list and the matching `Link` header value. Unless the client
/// asked for pages (`by_page`), `next` follows the keyset cursor, which stays exact while
/// content changes.
pub fn list_links(
    req: &HttpRequest,
    settings: &Settings,
    meta: &ListMeta,
    by_page: bool,
) -> (ListLinks, String) {
    let self_ = url_with(req, settings, &[]);
    let (next, prev) = match meta.page {
        Some(page) if by_page => {
            let more = page * meta.limit < meta.total;
            (
                more.then(|| {
                    url_with(
                        req,
                        settings,
                        &[("page", Some((page + 1).to_string())), ("cursor", None)],
                    )
                }),
                (page > 1).then(|| {
                    url_with(
                        req,
                        settings,
                        &[("page", Some((page - 1).to_string())), ("cursor", None)],
                    )
                }),
            )
        }
        _ => (
            meta.next_cursor.as_ref().map(|c| {
                url_with(
                    req,
                    settings,
                    &[("cursor", Some(c.clone())), ("page", None)],
                )
            }),
            None,
        ),
    };
    let links = ListLinks { self_, next, prev };
    let link = link_header(&links);
    (links, link)
}

/// The RFC 8288 `Link` header value carrying the same links as a list body.
pub fn link_header(links: &ListLinks) -> String {
    let mut link = vec![format!("<{}>; rel=\"self\"", links.self_)];
    if let Some(n) = &links.next {
        link.push(format!("<{n}>; rel=\"next\""));
    }
    if let Some(p) = &links.prev {
        link.push(format!("<{p}>; rel=\"prev\""));
    }
    link.join(", ")
}

/// A 200 list response with `Link` and `X-Total-Count`.
pub fn list_response<T: Serialize>(body: &T, total: i64, link: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::LINK, link))
        .insert_header(("X-Total-Count", total.to_string()))
        .json(body)
}

/// The context the industry formats render in: this request's API base, the configured site
/// and publisher, and the tags' standard codes.
pub fn site<'a>(
    req: &HttpRequest,
    settings: &'a Settings,
    codes: &'a std::collections::HashMap<i32, crate::formats::TagCodes>,
) -> crate::formats::Site<'a> {
    crate::formats::Site {
        api_base: feeds::base_url(req, settings),
        page_template: settings.article_url.as_deref(),
        url: settings.site_url.as_deref(),
        name: &settings.site_name,
        logo: settings.site_logo.as_deref(),
        copyright_holder: settings.copyright_holder.as_deref(),
        usage_terms: settings.usage_terms.as_deref(),
        codes,
    }
}

/// The representation of a list `?format=` or `Accept` asks for; a bad `format` is a 400
/// naming it.
pub fn representation(
    req: &HttpRequest,
    format: Option<&str>,
) -> Result<crate::formats::Representation, ApiError> {
    crate::formats::Representation::of_request(req, format, crate::formats::Representation::LIST)
        .map_err(|m| ApiError::invalid_param("format", m))
}

/// A 301 to `path` on this server, keeping the request's query.
pub fn moved_permanently(req: &HttpRequest, path: &str) -> HttpResponse {
    let location = match req.query_string() {
        "" => path.to_owned(),
        q => format!("{path}?{q}"),
    };
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A public read's cached answer, if there is one; on a miss the key is left for the layer
/// that stores the answer. Requests with a key are never cached.
pub async fn from_cache(
    req: &HttpRequest,
    validator: &crate::conditional::Validator,
) -> Option<HttpResponse> {
    use actix_web::HttpMessage;
    if req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    let cache = req.app_data::<actix_web::web::Data<crate::cache::ResponseCache>>()?;
    let key = validator.cache_key();
    // Only answers validated by the site state are cached: their key moves with every write
    // that could change them.
    if !validator.shared() {
        return None;
    }
    let hit = match cache.get_or_build(key).await {
        Ok(hit) => hit,
        Err(building) => {
            // The lock (held until the answer is stored, or the request ends without one)
            // and the key, for the layer that stores the answer.
            if let Some(b) = building {
                req.extensions_mut().insert(b);
            }
            req.extensions_mut()
                .insert(crate::cache::CacheKey(key.to_owned()));
            return None;
        }
    };
    // A single article is cached under the site validator but sent with its own ETag: the
    // client may already hold that one.
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .zip(
            hit.headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok()),
        )
        .and_then(|(list, etag)| {
            let opaque = etag.strip_prefix('"')?.strip_suffix('"')?;
            crate::conditional::none_match(list, opaque)
        });
    match held {
        Some(sent) => {
            let mut res = HttpResponse::NotModified();
            res.insert_header((header::ETAG, sent));
            if let Some(lm) = hit.headers().get(header::LAST_MODIFIED) {
                res.insert_header((header::LAST_MODIFIED, lm.clone()));
            }
            Some(res.finish())
        }
        None => Some(hit),
    }
}

/// The validator of a public read built from the site counter, or the whole answer when the
/// client's copy is current (304) or the response cache holds it.
pub async fn site_read(
    req: &HttpRequest,
    pool: &crate::db::source::Source,
    settings: &Settings,
) -> Result<Result<crate::conditional::Validator, HttpResponse>, crate::error::ApiError> {
    scoped_read(req, pool, settings, &[]).await
}

/// As [`site_read`], for a read filtered by the tags `slugs` name: its validator and cached
/// answer outlive writes under other tags.
pub async fn scoped_read(
    req: &HttpRequest,
    pool: &crate::db::source::Source,
    settings: &Settings,
    slugs: &[String],
) -> Result<Result<crate::conditional::Validator, HttpResponse>, crate::error::ApiError> {
    use crate::conditional::{Precondition, Validator};
    let validator = match Validator::scoped(req, pool, settings, slugs)
        .await?
        .check(req)
    {
        Precondition::NotModified(res) => return Ok(Err(res)),
        Precondition::Build(v) => v,
    };
    Ok(match from_cache(req, &validator).await {
        Some(hit) => Err(hit),
        None => Ok(validator),
    })
}
