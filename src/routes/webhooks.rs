//! `/api/v1/webhooks`: partners' endpoints (admin keys only), their deliveries and replays.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};

use super::PROBLEM;
use crate::auth::{Caller, Scope};
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::dto::NoParams;
use crate::dto::problem::{Problem, WriteProblems};
use crate::dto::webhook::{
    DeliveriesParams, DeliveryList, ReplayRequest, Replayed, Webhook, WebhookCreate, WebhookList,
    WebhookPatch,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::service;
use crate::service::webhooks::ApiBase;

/// The base of the API URLs payloads carry: `--public-url`, or the scheme and host this
/// request came through.
fn api_base(req: &HttpRequest, settings: &Settings) -> ApiBase {
    match &settings.public_url {
        Some(url) => ApiBase(url.trim_end_matches('/').to_owned()),
        None => {
            let info = req.connection_info();
            ApiBase(format!("{}://{}", info.scheme(), info.host()))
        }
    }
}

fn private(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    res
}

/// Registers an endpoint: Standard Webhooks deliveries of the chosen events, signed with the
/// secret in this answer (shown once).
#[utoipa::path(
    tag = "webhooks",
    request_body = WebhookCreate,
    security(("bearer" = ["admin"])),
    responses(
        (status = 201, description = "Registered; `secret` is shown this once", body = Webhook,
         headers(("Location" = String, description = "The endpoint"))),
        WriteProblems,
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<WebhookCreate>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let input = body.into_inner()?;
    let base = api_base(&req, &settings);
    let allow = settings.webhook_allow_private;
    let made = db::run(&pool, move |conn| {
        service::webhooks::create(conn, input, &base, allow)
    })
    .await?;
    Ok(private(
        HttpResponse::Created()
            .insert_header((header::LOCATION, made.links.self_.clone()))
            .json(made),
    ))
}

/// Every endpoint.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every endpoint, oldest first", body = WebhookList),
        WriteProblems,
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    pool: web::Data<DbPool>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let data = db::run(&pool, service::webhooks::list).await?;
    Ok(private(HttpResponse::Ok().json(WebhookList { data })))
}

/// One endpoint.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Numeric id")),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "The endpoint", body = Webhook),
        (status = 404, description = "No such endpoint", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let id = path.into_inner();
    let found = db::run(&pool, move |conn| service::webhooks::get(conn, &id)).await?;
    Ok(private(HttpResponse::Ok().json(found)))
}

/// Changes an endpoint: its URL, events, tags or description; enables or disables it;
/// rotates its secret (the old one signs beside the new for 24 hours).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Numeric id")),
    request_body = WebhookPatch,
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Changed; with `rotate_secret`, the new `secret`", body = Webhook),
        (status = 404, description = "No such endpoint", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[patch("/webhooks/{id}")]
pub async fn patch_webhook(
    settings: web::Data<Settings>,
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let (id, input) = (path.into_inner(), body.into_inner()?);
    let allow = settings.webhook_allow_private;
    let changed = db::run(&pool, move |conn| {
        service::webhooks::patch(conn, &id, input, allow)
    })
    .await?;
    Ok(private(HttpResponse::Ok().json(changed)))
}

/// Deletes an endpoint; what it had waiting is dropped.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Numeric id")),
    security(("bearer" = ["admin"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let id = path.into_inner();
    db::run(&pool, move |conn| service::webhooks::delete(conn, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's deliveries, newest first: status, attempts, the last response, the next try.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Numeric id"), DeliveriesParams),
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList),
        (status = 404, description = "No such endpoint", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    query: ApiQuery<DeliveriesParams>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let id = path.into_inner();
    let params = query.0;
    let page = db::run(&pool, move |conn| {
        service::webhooks::deliveries(conn, &id, &params)
    })
    .await?;
    Ok(private(HttpResponse::Ok().json(page)))
}

/// Sends one message again, or every message after a `/changes` cursor: the same ids and
/// bytes, in order, from now on.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = String, Path, description = "Numeric id")),
    request_body = ReplayRequest,
    security(("bearer" = ["admin"])),
    responses(
        (status = 202, description = "Queued again", body = Replayed),
        (status = 409, description = "The endpoint has no such message", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such endpoint", body = Problem, content_type = PROBLEM),
        WriteProblems,
    )
)]
#[post("/webhooks/{id}/replay")]
pub async fn replay_webhook(
    pool: web::Data<DbPool>,
    path: web::Path<String>,
    _query: ApiQuery<NoParams>,
    caller: Caller,
    body: ApiJson<ReplayRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let (id, input) = (path.into_inner(), body.into_inner()?);
    let replayed = db::run(&pool, move |conn| {
        service::webhooks::replay(conn, &id, input)
    })
    .await?;
    Ok(private(
        HttpResponse::Accepted().json(Replayed { replayed }),
    ))
}
