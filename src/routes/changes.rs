//! `/api/v1/changes`: the change log partners mirror the site from.

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};

use super::{PROBLEM, list_links, list_response};
use crate::config::Settings;
use crate::db;
use crate::db::source::Sources;
use crate::dto::change::{ChangeList, ChangesParams, StreamParams};
use crate::dto::list::ListMeta;
use crate::dto::problem::{NotModified, Problem, ReadProblems};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::service;

/// Every public change to articles since a cursor, in commit order: upserts carry the
/// article, deletions (trashed, unpublished, purged) are tombstones with id and slug. Start
/// with no `since`, then poll with `since=meta.next_cursor`; each article appears once, at
/// its latest change. With `wait`, a poll that finds nothing waits for the next entry.
#[utoipa::path(
    tag = "sync",
    params(ChangesParams),
    responses(
        (status = 200, description = "Entries after `since`; with `format=ninjs` (or the ninjs profile in `Accept`), each entry's article as ninjs",
         content(
             (ChangeList = "application/json"),
             (crate::dto::formats::NinjsChangeList = "application/json; profile=\"http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json\""),
         ),
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
    let checked = service::changes::parse(&query.0)?;
    let chosen = super::representation(&req, query.0.format.as_deref())?;
    if chosen == crate::formats::Representation::JsonLd {
        return Err(ApiError::invalid_param(
            "format",
            "the change log is json or ninjs; jsonld is for one article",
        ));
    }
    let ninjs = chosen == crate::formats::Representation::Ninjs;
    if let Some(wait) = checked.wait {
        // Waited for before the validator is taken: the answer (or the 304) is about the
        // log as it stands when the wait ends.
        service::live::check_cursor(pool, "since", checked.since).await?;
        service::live::wait_after(pool, checked.since, std::time::Instant::now() + wait).await?;
    }
    // The log is where a mirror learns what changed: a shared cache may keep a page but
    // must ask again each time (its ETag makes that a 304); a held poll's answer is about
    // one moment, and a cache that kept it would answer the next poll at once with a stale
    // page, so the poller would spin.
    let held = |mut res: HttpResponse| {
        let cache = if checked.wait.is_some() {
            "no-store"
        } else {
            "public, no-cache"
        };
        res.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static(cache),
        );
        res
    };
    let validator = match super::site_read(&req, pool, &settings).await? {
        Ok(v) => v,
        Err(answer) => return Ok(held(answer)),
    };
    let (page, codes) = db::run(pool, move |conn| {
        let page = service::changes::list(conn, &checked)?;
        let codes = if ninjs {
            service::articles::tag_codes(conn)?
        } else {
            Default::default()
        };
        Ok::<_, ApiError>((page, codes))
    })
    .await?;
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
    if ninjs {
        let site = super::site(&req, &settings, &codes);
        let body = crate::formats::ninjs::change_list(page.data, &site, meta, links);
        let mut res = list_response(&body, total, link);
        res.headers_mut().insert(
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::HeaderValue::from_str(&chosen.content_type()).unwrap_or(
                actix_web::http::header::HeaderValue::from_static("application/json"),
            ),
        );
        return Ok(held(validator.apply(res)));
    }
    Ok(held(validator.apply(list_response(
        &ChangeList {
            data: page.data,
            meta,
            links,
        },
        total,
        link,
    ))))
}

/// The change log as a live stream (Server-Sent Events): every entry after the cursor, then
/// each as it lands. An event's `id:` is its `seq`, `event:` its `op` (`upsert` or
/// `delete`), `data:` the entry exactly as `/changes` gives it, so a browser's EventSource
/// resumes after a dropped connection with no gap and no duplicate (it sends the last id as
/// `Last-Event-ID`). A comment every 5 s keeps an idle stream open through proxies; a
/// database failure ends the stream with one `error` event (the client reconnects).
#[utoipa::path(
    tag = "sync",
    params(
        StreamParams,
        ("Last-Event-ID" = Option<String>, Header,
         description = "The id of the last event received: the stream resumes after it (wins over `since`)"),
    ),
    responses(
        (status = 200, description = "An endless `text/event-stream` of change-log entries",
         content_type = "text/event-stream", body = String),
        (status = 409, description = "The cursor is ahead of the log: this is not the database read before; start from 0", body = Problem, content_type = PROBLEM),
        (status = 503, description = "This node serves as many streams as it can; retry later or long-poll `/changes?wait=`", body = Problem, content_type = PROBLEM),
        ReadProblems,
    )
)]
#[get("/changes/stream")]
pub async fn stream_changes(
    req: HttpRequest,
    sources: web::Data<Sources>,
    streams: web::Data<service::live::Streams>,
    _caller: crate::auth::Caller,
    query: ApiQuery<StreamParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = crate::validate::Errors::default();
    let last_id = req
        .headers()
        .get("last-event-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| !v.is_empty());
    let (name, value) = match &last_id {
        Some(id) => ("Last-Event-ID", Some(id.as_str())),
        None => ("since", query.0.since.as_deref()),
    };
    let since = service::changes::cursor(&mut errors, name, value);
    errors.into_param_result()?;
    let source = sources.primary.clone();
    service::live::check_cursor(&source, name, since).await?;
    let mut res = HttpResponse::Ok();
    res.content_type("text/event-stream")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        // Sent as it is written: compression would hold events back in its buffer, and
        // nginx would buffer the whole response without this header.
        .insert_header((actix_web::http::header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"));
    // HEAD: the headers alone. An endless body nobody reads would hold its stream slot and
    // its socket until the server stops (no write ever fails to tell it the client left).
    if req
        .extensions()
        .contains::<crate::middleware::context::Head>()
    {
        return Ok(res.finish());
    }
    Ok(res.streaming(service::live::events(source, since, streams.into_inner())?))
}
