//! `/feeds/…`: Atom, RSS and JSON Feed of the latest articles, site-wide and per tag.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};

use super::PROBLEM;
use crate::config::Settings;
use crate::db;
use crate::db::source::Source;
use crate::dto::NoParams;
use crate::dto::problem::{NotModified, Problem, ReadProblems};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::feeds::{self, FEED_SIZE, FeedFormat, FeedInput};
use crate::service;

fn format_of(ext: &str) -> Result<FeedFormat, ApiError> {
    FeedFormat::parse(ext).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no feed format `{}`: use .atom, .rss or .json",
            crate::validate::echo(ext)
        ))
    })
}

/// The absolute base URL links in feeds start with: `--public-url`, else `http://` and
/// this request's `Host` when it is a plain host name (never `X-Forwarded-*`, which any
/// client can send), else the address the server listens on.
pub(super) fn base_url(req: &HttpRequest, settings: &Settings) -> String {
    if let Some(u) = &settings.public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| req.app_config().host().to_owned());
    format!("http://{host}")
}

/// The host `tag:` ids are minted under: the public URL's, else `localhost`, so ids never
/// depend on the host name a reader happened to use.
/// The host feed ids are minted under, fixed at the first start (see `db::changes`).
#[derive(Debug, Clone)]
pub struct FeedIds(pub String);

impl FeedIds {
    /// Reads the stored host, storing the one `--public-url` names (else `localhost`) when
    /// the database has none yet.
    pub fn load(conn: &mut crate::db::Conn, settings: &Settings) -> FeedIds {
        let candidate = settings
            .public_url
            .as_deref()
            .map(feeds::authority)
            .filter(|a| !a.is_empty())
            .unwrap_or("localhost")
            .to_owned();
        match db::changes::id_authority(conn, &candidate) {
            Ok(stored) => {
                if stored != candidate {
                    log::info!(
                        "feed ids keep the host `{stored}` they were first minted under (--public-url names `{candidate}`)"
                    );
                }
                FeedIds(stored)
            }
            Err(e) => {
                log::error!("reading the feed id host failed ({e}); using `{candidate}`");
                FeedIds(candidate)
            }
        }
    }
}

async fn serve_feed(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    tag: Option<String>,
    format: FeedFormat,
) -> Result<HttpResponse, ApiError> {
    // A tag's feed answers 304 (or from the cache) across writes under other tags.
    let scope: Vec<String> = tag.iter().map(|t| crate::text::nfc(t)).collect();
    let validator = match super::scoped_read(&req, &pool, &settings, &scope).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let (tag_row, articles) = db::run(&pool, move |conn| {
        service::articles::latest(conn, tag.as_deref(), FEED_SIZE)
    })
    .await?;
    let base = base_url(&req, &settings);
    let authority = req
        .app_data::<web::Data<FeedIds>>()
        .map_or_else(|| "localhost".to_owned(), |ids| ids.0.clone());
    let self_url = format!("{base}{}", req.path());
    let body = feeds::render(
        format,
        &FeedInput {
            base: &base,
            self_url: &self_url,
            id_authority: &authority,
            page_url: settings.article_url.as_deref(),
            tag: tag_row.as_ref(),
            articles: &articles,
            updated: crate::dto::instant(validator.modified_at()),
        },
    );
    Ok(validator.apply(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, format.content_type()))
            .body(body),
    ))
}

/// The latest 50 published articles with full content, as Atom 1.0, RSS 2.0 or JSON Feed
/// 1.1.
#[utoipa::path(
    tag = "feeds",
    params(("format" = FeedFormat, Path, description = "`atom`, `rss` or `json`")),
    responses(
        (status = 200, description = "The feed",
         content(
            (String = "application/atom+xml"),
            (String = "application/rss+xml"),
            (feeds::JsonFeed = "application/feed+json"),
         ),
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        (status = 404, description = "No such format", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/feeds/articles.{format}")]
pub async fn site_feed(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    // Checked even though public: a bad key is a 401 on every read, never ignored.
    _caller: crate::auth::Caller,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let format = format_of(&path.into_inner())?;
    serve_feed(req, pool, settings, None, format).await
}

/// The latest 50 published articles carrying a tag (a region includes its countries), as
/// Atom 1.0, RSS 2.0 or JSON Feed 1.1.
#[utoipa::path(
    tag = "feeds",
    params(
        ("slug" = String, Path, description = "Tag slug", example = "central-asia"),
        ("format" = FeedFormat, Path, description = "`atom`, `rss` or `json`"),
    ),
    responses(
        (status = 200, description = "The feed",
         content(
            (String = "application/atom+xml"),
            (String = "application/rss+xml"),
            (feeds::JsonFeed = "application/feed+json"),
         ),
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        (status = 301, description = "The old slug of a merged tag: `Location` has the feed under the tag it went into"),
        (status = 404, description = "No such tag or format", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/feeds/tags/{slug}.{format}")]
pub async fn tag_feed(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<(String, String)>,
    // Checked even though public: a bad key is a 401 on every read, never ignored.
    _caller: crate::auth::Caller,
    _query: ApiQuery<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let (slug, ext) = path.into_inner();
    let format = format_of(&ext)?;
    // A live tag in the in-memory site state (current as of the last commit) needs no
    // query; only another slug is looked up, for the redirect of a merged tag.
    let live = pool
        .watch()
        .current(pool.pool(), db::now_micros())
        .await?
        .scopes
        .is_live(&crate::text::nfc(&slug));
    if live {
        return serve_feed(req, pool, settings, Some(slug), format).await;
    }
    let lookup = slug.clone();
    let moved = db::run(&pool, move |conn| {
        if db::tags::by_slug(conn, &crate::text::nfc(&lookup))?.is_some() {
            Ok(None)
        } else {
            service::tags::moved(conn, &lookup)
        }
    })
    .await?;
    if let Some(new) = moved {
        // A merged tag's feed lives on under the tag it went into.
        return Ok(super::moved_permanently(
            &req,
            &format!("/feeds/tags/{}.{ext}", crate::text::pct(&new)),
        ));
    }
    serve_feed(req, pool, settings, Some(slug), format).await
}
