//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, DbPool};
use crate::error::ApiError;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready to serve", body = Health),
    (status = 503, description = "Database unreachable or migrations pending", body = crate::dto::problem::Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(pool: web::Data<DbPool>) -> Result<HttpResponse, ApiError> {
    let applied = db::run(&pool, |conn| {
        db::ping(conn)?;
        db::migrations_applied(conn)
    })
    .await
    .map_err(|e| ApiError::Unavailable(format!("the database is not ready: {e}")))?;
    if !applied {
        return Err(ApiError::Unavailable("migrations are pending".into()));
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}
