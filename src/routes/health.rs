//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::db::source::Sources;
use crate::error::ApiError;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy; `degraded` when a node with a read replica can serve public reads
    /// but not everything (the primary or the replica does not answer).
    #[schema(example = "ok")]
    pub status: String,
    /// With a read replica: `ok`, or why the primary (writes, editors' reads) is not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// With a read replica: `ok`, or why the replica (public reads) does not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        primary: None,
        replica: None,
    })
}

/// How long readiness waits for a database connection: less than a load balancer's usual
/// health-check timeout, so a node whose primary is down still answers "degraded" in time.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether the primary answers with every migration applied.
async fn primary_ready(pool: &db::DbPool) -> Result<(), String> {
    let applied = db::run_within(pool, READY_WAIT, |conn| {
        db::ping(conn)?;
        db::migrations_applied(conn)
    })
    .await
    .map_err(|e: db::error::StoreError| {
        // Hosts and ports stay in the log.
        log::warn!("readiness: the primary database: {e}");
        "the database does not answer".to_owned()
    })?;
    if applied {
        Ok(())
    } else {
        Err("migrations are pending".into())
    }
}

/// Readiness: the database answers and every migration is applied. With a read replica,
/// each is reported: a node whose primary is down still serves public reads (`degraded`,
/// 200), and only a node that can serve nothing is unready.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Ready to serve (with a replica, at least public reads)", body = Health),
    (status = 503, description = "Database unreachable or migrations pending", body = crate::dto::problem::Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(sources: web::Data<Sources>) -> Result<HttpResponse, ApiError> {
    if !sources.public.is_replica() {
        let primary = primary_ready(&sources.primary).await;
        primary.map_err(ApiError::Unavailable)?;
        return Ok(HttpResponse::Ok().json(Health {
            status: "ok".into(),
            primary: None,
            replica: None,
        }));
    }
    // Both at once: a node with one database down answers within READY_WAIT, not twice it.
    let (primary, replica) = futures_util::future::join(
        primary_ready(&sources.primary),
        db::run_within(&sources.public, READY_WAIT, db::ping),
    )
    .await;
    let replica = replica.map_err(|e: db::error::StoreError| {
        log::warn!("readiness: the replica database: {e}");
        "the replica does not answer".to_owned()
    });
    let state = |r: &Result<(), String>| r.as_ref().map_or_else(Clone::clone, |()| "ok".into());
    if let (Err(p), Err(r)) = (&primary, &replica) {
        return Err(ApiError::Unavailable(format!("{p}; {r}")));
    }
    let status = if primary.is_ok() && replica.is_ok() {
        "ok"
    } else {
        "degraded"
    };
    Ok(HttpResponse::Ok().json(Health {
        status: status.into(),
        primary: Some(state(&primary)),
        replica: Some(state(&replica)),
    }))
}
