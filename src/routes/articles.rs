//! `/api/v1/articles`: the list, one article, and writes.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, put, web};

use super::{PROBLEM, SELECTION, list_links, list_response};
use crate::auth::{Caller, Scope};
use crate::conditional::{IfMatch, Modified, Precondition, Validator};
use crate::config::Settings;
use crate::db::source::Source;
use crate::db::{self, DbPool};
use crate::dto::NoParams;
use crate::dto::article::{
    Article, ArticleCreate, ArticleFields, ArticleGetParams, ArticleListParams, ArticlePatch,
    CorrectionCreate, DeleteParams, RelatedParams, Revision, RevisionListParams,
};
use crate::dto::list::{ArticleList, ArticleSelectionList, ListMeta, RevisionList};
use crate::dto::problem::{
    ArticleMoved, ArticleMovedWrite, NotModified, PreconditionProblems, Problem, ReadProblems,
    WriteProblems,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::formats::{self, Representation};
use crate::service::articles::Resolved;
use crate::service::{self, params};

/// Lists published articles, newest first, filtered by tags, dates and status.
#[utoipa::path(
    tag = "articles",
    params(ArticleListParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles; with `fields`, a page of selections under its own media type",
         content(
             (ArticleList = "application/json"),
             (crate::dto::formats::NinjsList = "application/json; profile=\"http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json\""),
             (ArticleSelectionList = "application/vnd.anbaa.selection+json"),
         ),
         headers(("X-Total-Count" = i64, description = "Articles matching the filters, counted exactly (for a search too)"),
                 ("Link" = String, description = "RFC 8288 links: self, next, prev"),
                 ("ETag" = String, description = "Strong validator: changes with every write that could change this page"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        (status = 403, description = "The key lacks `read:drafts`", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // A cached answer or a 304 is sent before the query is parsed: only a well-formed query
    // ever had a 200 to cache or an ETag to send back.
    let scope = service::articles::ListQuery::scope(req.query_string());
    let validator = match super::scoped_read(&req, &pool, &settings, &scope).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    // Every parameter is checked before a connection is taken.
    let query = service::articles::ListQuery::parse(req.query_string(), &caller)?;
    let chosen = super::representation(&req, query.format())?;
    if chosen == Representation::JsonLd {
        return Err(ApiError::invalid_param(
            "format",
            "jsonld is for one article (GET /api/v1/articles/{ref}?format=jsonld); a list is json or ninjs",
        ));
    }
    if chosen == Representation::Ninjs && query.selects() {
        return Err(ApiError::invalid_param(
            "fields",
            "selects from anbaa's JSON; leave it out with the ninjs format",
        ));
    }
    let ninjs = chosen == Representation::Ninjs;
    let query = if ninjs { query.with_bodies() } else { query };
    let by_page = query.by_page();
    let gate = req.app_data::<web::Data<crate::search::SearchGate>>();
    let _permit = match &gate {
        Some(gate) if query.is_search() => gate.enter().await,
        _ => None,
    };
    let (page, codes) = db::run(&pool, move |conn| {
        let page = service::articles::list(conn, query)?;
        let codes = if ninjs {
            service::articles::tag_codes(conn)?
        } else {
            Default::default()
        };
        Ok::<_, ApiError>((page, codes))
    })
    .await?;
    let meta = ListMeta {
        total: page.total,
        limit: page.limit,
        page: page.page,
        next_cursor: page.next_cursor,
    };
    let (links, link) = list_links(&req, &settings, &meta, by_page);
    let total = meta.total;
    if ninjs {
        let site = super::site(&req, &settings, &codes);
        let data: Vec<formats::ninjs::Ninjs> = page
            .data
            .into_iter()
            .map(|item| {
                let article = Article {
                    core: item.core,
                    body: item.body.unwrap_or_default(),
                    body_html: item.body_html.unwrap_or_default(),
                    ed_note: None,
                };
                formats::ninjs::article(&article, &site, None)
            })
            .collect();
        let mut res = list_response(
            &serde_json::json!({"data": data, "meta": meta, "links": links}),
            total,
            link,
        );
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_str(&chosen.content_type())
                .unwrap_or(header::HeaderValue::from_static("application/json")),
        );
        return Ok(validator.apply(res));
    }
    let res = match page.selection {
        None => list_response(
            &ArticleList {
                data: page.data,
                meta,
                links,
            },
            total,
            link,
        ),
        Some(fields) => as_selection(list_response(
            &ArticleSelectionList {
                data: page
                    .data
                    .iter()
                    .map(|a| service::articles::select(a, &fields))
                    .collect(),
                meta,
                links,
            },
            total,
            link,
        )),
    };
    Ok(validator.apply(res))
}

/// The redirect from an old slug of a renamed article to its current one: 301 for reads,
/// 308 for writes (the same method and body apply at the new address). The rest of the path
/// after `{ref}` (`/revisions/3`) and the query stay as they were.
fn moved(req: &HttpRequest, slug: &str, status: StatusCode) -> HttpResponse {
    let rest = req
        .path()
        .strip_prefix(&format!("{}/", crate::paths::articles()))
        .and_then(|p| p.find('/').map(|i| &p[i..]))
        .unwrap_or("");
    let mut location = format!("{}{rest}", crate::paths::article_by_slug(slug));
    if !req.query_string().is_empty() {
        location.push('?');
        location.push_str(req.query_string());
    }
    HttpResponse::build(status)
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Marks a response as a selection of fields: its own media type, so that clients typed
/// for whole articles never meet one.
fn as_selection(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(SELECTION),
    );
    res
}

/// One article by numeric id or by slug (percent-encode an Arabic slug in the URL).
#[utoipa::path(
    tag = "articles",
    params(
        ("ref" = String, Path, description = "Numeric id or slug", example = "مقتل-جنديين-من-قره-باخ"),
        ArticleGetParams,
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article, with body; with `fields`, the selected fields under their own media type",
         content(
             (Article = "application/json"),
             (crate::dto::formats::NinjsDocument = "application/json; profile=\"http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json\""),
             (ArticleFields = "application/vnd.anbaa.selection+json"),
             (crate::dto::formats::NewsArticleJsonLd = "application/ld+json"),
         ),
         headers(("ETag" = String, description = "`\"v{version}-…\"`: send it back in If-None-Match, or in If-Match to write"),
                 ("Last-Modified" = String, description = "The article's (or its tags') last change, or its publication"))),
        (status = 404, description = "No such article visible to the caller", body = Problem, content_type = PROBLEM),
        (status = 410, description = "The article was withheld or canceled (killed): remove every copy; the problem's detail says which", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
        ArticleMoved,
    )
)]
#[get("/articles/{ref}")]
pub async fn get_article(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: Source,
    path: web::Path<String>,
    caller: Caller,
    query: ApiQuery<ArticleGetParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = crate::validate::Errors::default();
    let raw_fields = query.0.fields.clone();
    let fields = params::fields(
        &mut errors,
        query.0.fields.as_deref(),
        crate::dto::article::ARTICLE_FIELDS,
    );
    if fields
        .as_ref()
        .is_some_and(|f| f.iter().any(|x| x == "snippet"))
    {
        errors.add(
            "fields",
            "`snippet` is only in search results (a list with `q`), not in one article",
        );
    }
    let chosen = match Representation::of_request(
        &req,
        query.0.format.as_deref(),
        Representation::ARTICLE,
    ) {
        Ok(r) => r,
        Err(message) => {
            errors.add("format", message);
            Representation::Json
        }
    };
    if chosen != Representation::Json && fields.is_some() {
        errors.add(
            "fields",
            format!(
                "selects from anbaa's JSON; leave it out with the {} format",
                chosen.name()
            ),
        );
    }
    if let Some(other) = query.0.include.as_deref().filter(|i| *i != "body") {
        errors.add(
            "include",
            format!(
                "the only value is `body` (the detail view always has it), not `{}`",
                crate::validate::echo(other)
            ),
        );
    }
    errors.into_param_result()?;
    // A public read is answered from memory while nothing on the site changed: the site
    // validator (every write, every publication falling due, the whole request) keys it.
    // (If-Modified-Since alone needs to know whether that second saw two changes: the
    // article's own path answers it.)
    let h = req.headers();
    if !h.contains_key(actix_web::http::header::AUTHORIZATION)
        && (h.contains_key(actix_web::http::header::IF_NONE_MATCH)
            || !h.contains_key(actix_web::http::header::IF_MODIFIED_SINCE))
    {
        let site = Validator::site(&req, &pool, &settings).await?;
        if let Some(hit) = super::from_cache(&req, &site).await {
            return Ok(hit);
        }
    }
    let reference = path.into_inner();
    let with_codes = chosen != Representation::Json;
    let found = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &caller, |conn| {
            let (article, events) = service::articles::get(conn, &reference, &caller)?;
            let codes = if with_codes {
                service::articles::tag_codes(conn)?
            } else {
                Default::default()
            };
            Ok((article, events, codes))
        })
    })
    .await?;
    let (article, events, codes) = match found {
        Resolved::Found(found) => found,
        // An old slug (the article was renamed) keeps working: a permanent redirect.
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::MOVED_PERMANENTLY)),
    };
    // Each representation has its own ETag.
    let variant = match chosen {
        Representation::Json => raw_fields,
        other => Some(format!("@{}", other.name())),
    };
    let validator = Validator::article(&article, variant.as_deref(), Modified::of(&events));
    let res = match validator.check(&req) {
        Precondition::NotModified(res) => res,
        Precondition::Build(v) => v.apply(match (chosen, fields) {
            (Representation::Json, None) => HttpResponse::Ok().json(article),
            (Representation::Json, Some(fields)) => {
                as_selection(HttpResponse::Ok().json(service::articles::select(&article, &fields)))
            }
            (Representation::Ninjs, _) => {
                let site = super::site(&req, &settings, &codes);
                HttpResponse::Ok().content_type(chosen.content_type()).json(
                    formats::ninjs::article(&article, &site, article.ed_note.as_deref()),
                )
            }
            (Representation::JsonLd, _) => {
                let site = super::site(&req, &settings, &codes);
                HttpResponse::Ok()
                    .content_type(chosen.content_type())
                    .json(formats::jsonld::article(&article, &site))
            }
        }),
    };
    Ok(res)
}

/// Published articles related to one: sharing its tags, a shared rare tag weighing more
/// than a shared common one, then the newest; never the article itself.
#[utoipa::path(
    tag = "articles",
    params(
        ("ref" = String, Path, description = "Numeric id or slug of a published article"),
        RelatedParams,
    ),
    responses(
        (status = 200, description = "Related articles, best first (no bodies)", body = ArticleList,
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"),
                 ("X-Total-Count" = i64, description = "Articles sharing at least one tag, at most 20: as many as can be fetched"))),
        (status = 404, description = "No such published article", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
        ArticleMoved,
    )
)]
#[get("/articles/{ref}/related")]
pub async fn related_articles(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    // Checked even though public: a bad key is a 401 on every read, never ignored.
    caller: Caller,
    query: ApiQuery<RelatedParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = crate::validate::Errors::default();
    let limit = params::limit_within(
        &mut errors,
        query.0.limit.as_deref(),
        5,
        service::articles::MAX_RELATED,
    );
    errors.into_param_result()?;
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let reference = path.into_inner();
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::related(conn, &reference, limit)
        })
    })
    .await?;
    let (articles, total) = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::MOVED_PERMANENTLY)),
    };
    let meta = ListMeta {
        total,
        limit,
        page: None,
        next_cursor: None,
    };
    let (links, link) = list_links(&req, &settings, &meta, false);
    Ok(validator.apply(list_response(
        &ArticleList {
            data: articles,
            meta,
            links,
        },
        total,
        link,
    )))
}

fn written(status: actix_web::http::StatusCode, article: &Article) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, Validator::article_etag(article)));
    if status == actix_web::http::StatusCode::CREATED {
        res.insert_header((header::LOCATION, article.core.links.self_.clone()));
    }
    res.json(article)
}

/// Creates an article (a draft unless `status` says otherwise).
#[utoipa::path(
    tag = "articles",
    request_body = ArticleCreate,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Created", body = Article,
         headers(("Location" = String, description = "The new article's path"),
                 ("ETag" = String, description = "The article's version"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[post("/articles")]
pub async fn create_article(
    pool: web::Data<DbPool>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<ArticleCreate>,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let input = body.into_inner()?;
    let article = db::run(&pool, move |conn| {
        service::articles::create(conn, input, &by)
    })
    .await?;
    Ok(written(actix_web::http::StatusCode::CREATED, &article))
}

/// Replaces an article whole: fields left out go back to their defaults; the slug is kept
/// unless one is given.
#[utoipa::path(
    tag = "articles",
    params(("ref" = String, Path, description = "Numeric id or slug"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the version you edited: a stale one is a 412, nothing is overwritten")),
    request_body = ArticleCreate,
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Replaced", body = Article, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The slug is taken", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[put("/articles/{ref}")]
pub async fn replace_article(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<ArticleCreate>,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let (reference, input) = (path.into_inner(), body.into_inner()?);
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::replace(conn, &reference, input, &by, if_match.as_ref())
        })
    })
    .await?;
    let article = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    Ok(written(actix_web::http::StatusCode::OK, &article))
}

/// Changes the fields given; `null` clears a nullable field.
#[utoipa::path(
    tag = "articles",
    params(("ref" = String, Path, description = "Numeric id or slug"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the version you edited: a stale one is a 412, nothing is overwritten")),
    request_body = ArticlePatch,
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Updated", body = Article, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The slug is taken", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[patch("/articles/{ref}")]
pub async fn patch_article(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<ArticlePatch>,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let (reference, input) = (path.into_inner(), body.into_inner()?);
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::patch(conn, &reference, input, &by, if_match.as_ref())
        })
    })
    .await?;
    let article = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    Ok(written(actix_web::http::StatusCode::OK, &article))
}

/// Records a correction or clarification shown with the article (and in feeds): a new
/// version, announced to partners as `corrected` (in `/changes` and to webhooks).
#[utoipa::path(
    tag = "articles",
    params(("ref" = String, Path, description = "Numeric id or slug"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the version you corrected")),
    request_body = CorrectionCreate,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Recorded: the article as it now is, its corrections last", body = Article,
         headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The article was canceled: it can no longer change", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[post("/articles/{ref}/corrections")]
pub async fn post_correction(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<CorrectionCreate>,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let (reference, input) = (path.into_inner(), body.into_inner()?);
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::correct(conn, &reference, input, &by, if_match.as_ref())
        })
    })
    .await?;
    let article = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    Ok(written(StatusCode::CREATED, &article))
}

/// Moves an article to the trash (gone from every public read, kept with its history), or
/// with `purge=true` and an `admin` key deletes it for good, revisions included.
#[utoipa::path(
    tag = "articles",
    params(("ref" = String, Path, description = "Numeric id or slug"), DeleteParams,
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the version you mean to delete")),
    security(("bearer" = ["write"]), ("bearer" = ["admin"])),
    responses(
        (status = 204, description = "In the trash (or purged)",
         headers(("ETag" = String, description = "In the trash: the trashed version's ETag, for the If-Match of a restore"))),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[delete("/articles/{ref}")]
pub async fn delete_article(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    query: ApiQuery<DeleteParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let purge = match query.0.purge.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid_param(
                "purge",
                format!(
                    "must be `true` or `false`, not `{}`",
                    crate::validate::echo(other)
                ),
            ));
        }
    };
    let by = if purge {
        caller.require(Scope::Admin)?.name.clone()
    } else {
        caller.require(Scope::Write)?.name.clone()
    };
    let reference = path.into_inner();
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            if purge {
                service::articles::purge(conn, &reference, if_match.as_ref()).map(|()| None)
            } else {
                service::articles::trash(conn, &reference, &by, if_match.as_ref()).map(Some)
            }
        })
    })
    .await?;
    let trashed = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    let mut res = HttpResponse::NoContent();
    // The trashed version's ETag: what a restore's If-Match names (the article itself is
    // no longer readable there).
    if let Some(article) = &trashed {
        res.insert_header((header::ETAG, Validator::article_etag(article)));
    }
    Ok(res.finish())
}

/// Takes an article out of the trash, with its slug and tags (409 when a live article took
/// the slug meanwhile).
#[utoipa::path(
    tag = "articles",
    params(("ref" = String, Path, description = "Numeric id (or slug) of a trashed article"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the trashed version")),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Restored", body = Article, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        (status = 409, description = "Not in the trash, or its slug was taken meanwhile", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[post("/articles/{ref}/restore")]
pub async fn restore_article(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let reference = path.into_inner();
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::restore(conn, &reference, &by, if_match.as_ref())
        })
    })
    .await?;
    let article = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    Ok(written(actix_web::http::StatusCode::OK, &article))
}

/// The versions of an article, a page at a time, oldest first, each whole (title, summary,
/// body, tags, status, dates) with who made it, when and how (`action`); the last of the
/// last page is the current one.
#[utoipa::path(
    tag = "revisions",
    params(("ref" = String, Path, description = "Numeric id or slug (trashed articles too)"),
           RevisionListParams),
    security(("bearer" = ["write"]), ("bearer" = ["read:drafts"])),
    responses(
        (status = 200, description = "A page of versions", body = RevisionList,
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write on the site"),
                 ("X-Total-Count" = i64, description = "Every version of the article"),
                 ("Link" = String, description = "RFC 8288 links: self, next, prev"))),
        (status = 403, description = "The key has neither `write` nor `read:drafts`", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such article", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
        ArticleMoved,
    )
)]
#[get("/articles/{ref}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: Source,
    path: web::Path<String>,
    query: ApiQuery<RevisionListParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_history(&caller)?;
    let mut errors = crate::validate::Errors::default();
    let limit = params::limit(&mut errors, query.0.limit.as_deref());
    let page = params::page(&mut errors, query.0.page.as_deref()).unwrap_or(1);
    errors.into_param_result()?;
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let reference = path.into_inner();
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::revisions(conn, &reference, page, limit)
        })
    })
    .await?;
    let (data, total) = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::MOVED_PERMANENTLY)),
    };
    let meta = ListMeta {
        total,
        limit,
        page: Some(page),
        next_cursor: None,
    };
    let (links, link) = list_links(&req, &settings, &meta, true);
    Ok(validator.apply(list_response(
        &RevisionList { data, meta, links },
        total,
        link,
    )))
}

/// History is editorial: a key that may write or read drafts.
fn require_history(caller: &Caller) -> Result<(), ApiError> {
    if caller.can(Scope::Write) {
        return Ok(());
    }
    caller.require(Scope::ReadDrafts).map(|_| ())
}

/// One version of an article, whole.
#[utoipa::path(
    tag = "revisions",
    params(("ref" = String, Path, description = "Numeric id or slug (trashed articles too)"),
           ("n" = i32, Path, description = "Version number", minimum = 1)),
    security(("bearer" = ["write"]), ("bearer" = ["read:drafts"])),
    responses(
        (status = 200, description = "That version", body = Revision,
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write on the site"))),
        (status = 403, description = "The key has neither `write` nor `read:drafts`", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such article or version", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
        ArticleMoved,
    )
)]
#[get("/articles/{ref}/revisions/{n}")]
pub async fn get_revision(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: Source,
    path: web::Path<(String, String)>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_history(&caller)?;
    let (reference, n) = path.into_inner();
    let n = version_param(&n)?;
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::revision(conn, &reference, n)
        })
    })
    .await?;
    let rev = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::MOVED_PERMANENTLY)),
    };
    Ok(validator.apply(HttpResponse::Ok().json(rev)))
}

fn version_param(raw: &str) -> Result<i32, ApiError> {
    crate::conditional::strict_version(raw).ok_or_else(|| {
        ApiError::invalid_param(
            "n",
            format!(
                "must be a version number (1, 2, …), not `{}`",
                crate::validate::echo(raw)
            ),
        )
    })
}

/// Makes a new version equal to version `n`: history is never rewritten, so this is one
/// more version (its slug and tags come back too; a tag merged away since maps to the tag
/// it went into).
#[utoipa::path(
    tag = "revisions",
    params(("ref" = String, Path, description = "Numeric id or slug"),
           ("n" = i32, Path, description = "Version number", minimum = 1),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The ETag of the current version")),
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "The new version", body = Article, headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such article or version", body = Problem, content_type = PROBLEM),
        (status = 409, description = "Its slug is taken now, or one of its tags no longer exists", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
        ArticleMovedWrite,
    )
)]
#[post("/articles/{ref}/revisions/{n}/restore")]
pub async fn restore_revision(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<(String, String)>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let (reference, n) = path.into_inner();
    let n = version_param(&n)?;
    let if_match = IfMatch::required(&req, &settings)?;
    let asked = caller.clone();
    let outcome = db::run(&pool, move |conn| {
        service::articles::resolved(conn, &reference, &asked, |conn| {
            service::articles::restore_revision(conn, &reference, n, &by, if_match.as_ref())
        })
    })
    .await?;
    let article = match outcome {
        Resolved::Found(found) => found,
        Resolved::Moved(to) => return Ok(moved(&req, &to, StatusCode::PERMANENT_REDIRECT)),
    };
    Ok(written(actix_web::http::StatusCode::OK, &article))
}
