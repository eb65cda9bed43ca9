//! `/api/v1/changes`: the change log partners mirror the site from.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{PROBLEM, list_links, list_response};
use crate::config::Settings;
use crate::db;
use crate::db::source::Sources;
use crate::dto::change::{ChangeList, ChangesParams};
use crate::dto::list::ListMeta;
use crate::dto::problem::{NotModified, Problem, ReadProblems};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::service;

/// Every public change to articles since a cursor, in commit order: upserts carry the
/// article, deletions (trashed, unpublished, purged) are tombstones with id and slug. Start
/// with no `since`, then poll with `since=meta.next_cursor`; each article appears once, at
/// its latest change.
#[utoipa::path(
    tag = "sync",
    params(ChangesParams),
    responses(
        (status = 200, description = "Entries after `since`", body = ChangeList,
         headers(("ETag" = String, description = "Strong validator; send it back in If-None-Match"),
                 ("X-Total-Count" = i64, description = "Entries after `since`"),
                 ("Link" = String, description = "RFC 8288 links: self, next"),
                 ("Last-Modified" = String, description = "The latest write or publication on the site"))),
        (status = 409, description = "`since` is ahead of the log: this is not the database polled before; start from 0", body = Problem, content_type = PROBLEM),
        ReadProblems, NotModified,
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    sources: web::Data<Sources>,
    settings: web::Data<Settings>,
    // Checked even though public: a bad key is a 401 on every read, never ignored.
    _caller: crate::auth::Caller,
    query: ApiQuery<ChangesParams>,
) -> Result<HttpResponse, ApiError> {
    // The primary, always: reading the log sweeps publications that fell due into it (a
    // write), and a partner's cursor must never run ahead of what the primary holds.
    let pool = &sources.primary;
    let validator = match super::site_read(&req, pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(answer),
    };
    let p = query.0;
    let page = db::run(pool, move |conn| service::changes::list(conn, &p)).await?;
    let more = page.total > page.data.len() as i64;
    let meta = ListMeta {
        total: page.total,
        limit: page.limit,
        page: None,
        next_cursor: Some(page.next_since.to_string()),
    };
    let (mut links, _) = list_links(&req, &settings, &meta, false);
    // `next_cursor` is always set (it is where the next poll starts); `next` only while
    // entries are waiting.
    let next = more.then(|| {
        super::url_with(
            &req,
            &settings,
            &[("since", Some(page.next_since.to_string()))],
        )
    });
    links.next = next;
    let link = super::link_header(&links);
    let total = meta.total;
    Ok(validator.apply(list_response(
        &ChangeList {
            data: page.data,
            meta,
            links,
        },
        total,
        link,
    )))
}
