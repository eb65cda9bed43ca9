//! `/api/v1/tags`: the list with counts, one tag with its children, and writes.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};

use super::{PROBLEM, list_links, list_response};
use crate::auth::{Caller, Scope};
use crate::conditional::{IfMatch, Precondition, Validator};
use crate::config::Settings;
use crate::db::source::Source;
use crate::db::{self, DbPool};
use crate::dto::NoParams;
use crate::dto::list::{ListMeta, TagList};
use crate::dto::problem::{
    NotModified, PreconditionProblems, Problem, ReadProblems, WriteProblems,
};
use crate::dto::tag::{Tag, TagCreate, TagListParams, TagMerge, TagMergeResult, TagPatch};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::service;

/// Lists tags with their article counts.
#[utoipa::path(
    tag = "tags",
    params(TagListParams),
    responses(
        (status = 200, description = "A page of tags", body = TagList,
         headers(("X-Total-Count" = i64, description = "Tags matching the filters"),
                 ("Link" = String, description = "RFC 8288 links: self, next, prev"),
                 ("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        ReadProblems, NotModified,
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    query: ApiQuery<TagListParams>,
    _caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let validator = match super::site_read(&req, &pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let p = query.0;
    let page = db::run(&pool, move |conn| service::tags::list(conn, &p)).await?;
    let meta = ListMeta {
        total: page.total,
        limit: page.limit,
        page: Some(page.page),
        next_cursor: None,
    };
    let (links, link) = list_links(&req, &settings, &meta, true);
    let total = meta.total;
    Ok(validator.apply(list_response(
        &TagList {
            data: page.data,
            meta,
            links,
        },
        total,
        link,
    )))
}

/// One tag by slug, with its direct children.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug", example = "central-asia")),
    responses(
        (status = 200, description = "The tag", body = Tag,
         headers(("ETag" = String, description = "Strong validator"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        (status = 301, description = "The old slug of a merged or renamed tag: `Location` has the current one",
         headers(("Location" = String, description = "The tag under its current slug"))),
        (status = 404, description = "No such tag", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/tags/{slug}")]
pub async fn get_tag(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    _caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // Answered from memory while nothing on the site changed (the cached answer carries
    // the tag's own ETag).
    let site = Validator::site(&req, &pool, &settings).await?;
    // (If-Modified-Since alone is answered on the tag's own path: the cached answer only
    // knows its ETag.)
    let h = req.headers();
    if (h.contains_key(header::IF_NONE_MATCH) || !h.contains_key(header::IF_MODIFIED_SINCE))
        && let Some(hit) = super::from_cache(&req, &site).await
    {
        return Ok(hit);
    }
    let slug = path.into_inner();
    let found = db::run(&pool, move |conn| match service::tags::get(conn, &slug) {
        Err(ApiError::NotFound(msg)) => match service::tags::moved(conn, &slug)? {
            Some(new) => Ok(Err(new)),
            None => Err(ApiError::NotFound(msg)),
        },
        other => other.map(Ok),
    })
    .await?;
    match found {
        Ok(tag) => {
            let validator = Validator::tag(&site, tag.updated_at.timestamp_micros());
            Ok(match validator.check(&req) {
                Precondition::NotModified(res) => res,
                Precondition::Build(v) => v.apply(HttpResponse::Ok().json(tag)),
            })
        }
        // A merged or renamed tag's old slug keeps working.
        Err(new) => Ok(super::moved_permanently(&req, &crate::paths::tag(&new))),
    }
}

/// Merges this tag into another: every article carrying it (trashed ones too) carries the
/// other instead, its child tags move under the other, it is deleted, and its slug
/// redirects to the other from then on (in URLs, filters and writes). One transaction.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "The tag that goes away", example = "qazaqstan"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The tag's ETag (`\"t…\"`, from its GET or the last write): if the tag changed since, a 412 and nothing changes")),
    request_body = TagMerge,
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Merged", body = TagMergeResult),
        (status = 308, description = "An old slug of a merged or renamed tag: send the same request to `Location`",
         headers(("Location" = String, description = "The merge under the tag's current slug"))),
        (status = 404, description = "No such tag", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The target is this tag, or sits under it in the tree", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
    )
)]
#[post("/tags/{slug}/merge")]
pub async fn merge_tag(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<TagMerge>,
) -> Result<HttpResponse, ApiError> {
    let by = caller.require(Scope::Write)?.name.clone();
    let input = body.into_inner()?;
    let if_match = IfMatch::required(&req, &settings)?;
    let slug = path.into_inner();
    let result = db::run(&pool, move |conn| {
        or_moved(conn, &slug, |conn| {
            service::tags::merge(conn, &slug, input, &by, if_match.as_ref())
        })
    })
    .await?;
    Ok(match result {
        Ok(result) => HttpResponse::Ok().json(result),
        // The same request applies at the tag's current slug.
        Err(current) => moved_here_then(&current, "/merge"),
    })
}

/// Creates a tag.
#[utoipa::path(
    tag = "tags",
    request_body = TagCreate,
    security(("bearer" = ["write"])),
    responses(
        (status = 201, description = "Created", body = Tag,
         headers(("Location" = String, description = "The new tag's path"),
                 ("ETag" = String, description = "The tag's ETag, for the If-Match of its next change"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[post("/tags")]
pub async fn create_tag(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<TagCreate>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let input = body.into_inner()?;
    let tag = db::run(&pool, move |conn| service::tags::create(conn, input)).await?;
    // The tag's ETag, for the If-Match of its next change.
    let site = Validator::site(&req, &pool, &settings).await?;
    Ok(
        Validator::tag(&site, tag.updated_at.timestamp_micros()).apply(
            HttpResponse::Created()
                .insert_header((header::LOCATION, tag.links.self_.clone()))
                .json(tag),
        ),
    )
}

/// Changes the fields given.
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The tag's ETag (`\"t…\"`, from its GET or the last write): if the tag changed since, a 412 and nothing changes")),
    request_body = TagPatch,
    security(("bearer" = ["write"])),
    responses(
        (status = 200, description = "Updated", body = Tag,
         headers(("ETag" = String, description = "The tag's new ETag, for the next If-Match"))),
        (status = 308, description = "An old slug of a merged or renamed tag: send the same request to `Location`",
         headers(("Location" = String, description = "The tag under its current slug"))),
        (status = 404, description = "No such tag", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The slug is taken", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
    )
)]
#[patch("/tags/{slug}")]
pub async fn patch_tag(
    req: HttpRequest,
    pool: Source,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<TagPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let (slug, input) = (path.into_inner(), body.into_inner()?);
    let if_match = IfMatch::required(&req, &settings)?;
    let tag = db::run(&pool, move |conn| {
        or_moved(conn, &slug, |conn| {
            service::tags::patch(conn, &slug, input, if_match.as_ref())
        })
    })
    .await?;
    Ok(match tag {
        Ok(tag) => {
            // The ETag a GET of the tag would carry now, for the next If-Match.
            let site = Validator::site(&req, &pool, &settings).await?;
            Validator::tag(&site, tag.updated_at.timestamp_micros())
                .apply(HttpResponse::Ok().json(tag))
        }
        Err(current) => moved_here(&current),
    })
}

/// Deletes a tag that no article carries (409 says how many do).
#[utoipa::path(
    tag = "tags",
    params(("slug" = String, Path, description = "Tag slug"),
           ("If-Match" = Option<String>, Header, nullable = false, description = "The tag's ETag (`\"t…\"`, from its GET or the last write): if the tag changed since, a 412 and nothing changes")),
    security(("bearer" = ["write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 308, description = "An old slug of a merged or renamed tag: send the same request to `Location`",
         headers(("Location" = String, description = "The tag under its current slug"))),
        (status = 404, description = "No such tag", body = Problem, content_type = PROBLEM),
        (status = 409, description = "Articles carry it, or tags sit below it", body = Problem, content_type = PROBLEM),
        PreconditionProblems,
        WriteProblems,
    )
)]
#[delete("/tags/{slug}")]
pub async fn delete_tag(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    settings: web::Data<Settings>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let if_match = IfMatch::required(&req, &settings)?;
    let slug = path.into_inner();
    let done = db::run(&pool, move |conn| {
        or_moved(conn, &slug, |conn| {
            service::tags::delete(conn, &slug, if_match.as_ref())
        })
    })
    .await?;
    Ok(match done {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(current) => moved_here(&current),
    })
}

/// Runs a write on the tag at `slug`; when there is none but the slug is an old one (the
/// tag was renamed or merged), answers the current slug instead, so the client is sent there
/// rather than told the tag does not exist. Nothing is changed through an old slug.
fn or_moved<T>(
    conn: &mut crate::db::Conn,
    slug: &str,
    write: impl FnOnce(&mut crate::db::Conn) -> Result<T, ApiError>,
) -> Result<Result<T, String>, ApiError> {
    match write(conn) {
        Err(ApiError::NotFound(msg)) => match service::tags::moved(conn, slug)? {
            Some(current) => Ok(Err(current)),
            None => Err(ApiError::NotFound(msg)),
        },
        other => other.map(Ok),
    }
}

/// A 308 to the tag's current URL: the same method and body apply there.
fn moved_here(current: &str) -> HttpResponse {
    moved_here_then(current, "")
}

/// A 308 to `rest` under the tag's current URL.
fn moved_here_then(current: &str, rest: &str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((
            header::LOCATION,
            format!("{}{rest}", crate::paths::tag(current)),
        ))
        .finish()
}
