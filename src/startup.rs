//! Builds the application: the request middleware (request ids, access log, problem+json
//! for every error, cache headers), the routes and docs, and the listening server.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{self, ApiError};
use crate::extract::BodyLimit;
use crate::openapi::ApiDoc;
use crate::routes::{self, fallback::KnownRoutes};

/// Registers every documented route; the spec is collected from exactly these.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .service(routes::articles::list_articles)
            .service(routes::articles::create_article)
            .service(routes::articles::get_article)
            .service(routes::articles::replace_article)
            .service(routes::articles::patch_article)
            .service(routes::articles::delete_article)
            .service(routes::tags::list_tags)
            .service(routes::tags::create_tag)
            .service(routes::tags::get_tag)
            .service(routes::tags::patch_tag)
            .service(routes::tags::delete_tag),
    )
    .service(routes::health::healthz)
    .service(routes::health::readyz);
}

/// The request id of the current request (the caller's `X-Request-Id` when usable).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let bytes: [u8; 8] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
}

/// Wraps every request: assigns its id, renders any error as problem+json with the path and
/// id, sets cache headers, and writes one access-log line.
async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    // HEAD is GET without a body: the HTTP layer drops the body, headers stay the same.
    let mut req = req;
    if method == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let path = req.path().to_owned();
    let with_key = req.headers().contains_key(header::AUTHORIZATION);

    // Holding a clone of the request across `next.call` would break routing (it needs the
    // request uniquely), so an error raised below us is rendered without its context.
    let mut res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => return Err(error::from_actix(&err).into()),
    };
    let status = res.status();
    let problem = res.response().error().map(error::from_actix).or_else(|| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        (status.as_u16() >= 400 && !is_problem).then(|| by_status(status))
    });
    if let Some(api_error) = problem {
        if let ApiError::Internal(cause) = &api_error {
            log::error!("request {id} {method} {path} failed: {cause}");
        }
        let http_req = res.request().clone();
        res = ServiceResponse::new(http_req, api_error.render(Some(&path), Some(&id)));
    }

    let status = res.status();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(header::HeaderName::from_static("x-request-id"), v);
    }
    if path.starts_with("/api/") {
        let read =
            method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD;
        let cache = if status.is_success() && read && !with_key {
            "public, max-age=60, stale-while-revalidate=300"
        } else {
            "private, no-store"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(header::VARY, HeaderValue::from_static("Authorization"));
    }
    log::info!(
        target: "anbaa::access",
        "{method} {path} {} {:.1}ms id={id}",
        status.as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(res)
}

/// A problem for a bare error status some lower layer produced without an error value.
fn by_status(status: actix_web::http::StatusCode) -> ApiError {
    let reason = status.canonical_reason().unwrap_or("error").to_owned();
    match status.as_u16() {
        404 => ApiError::NotFound(reason),
        413 => ApiError::PayloadTooLarge(reason),
        415 => ApiError::UnsupportedMediaType(reason),
        503 => ApiError::Unavailable(reason),
        400..=499 => ApiError::MalformedBody(reason),
        _ => ApiError::Internal(reason),
    }
}

/// A running server and the port it listens on.
pub struct Application {
    server: Server,
    addr: std::net::SocketAddr,
}

impl Application {
    /// Binds `settings.bind` (port 0 picks a free one) and builds the server.
    pub fn build(settings: Settings, pool: DbPool) -> std::io::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)?;
        let addr = listener.local_addr()?;
        let known = web::Data::new(KnownRoutes::from_spec(&crate::openapi::spec()));
        let pool = web::Data::new(pool);
        let limit = web::Data::new(BodyLimit(settings.max_body_bytes));
        let workers = settings.workers;
        let settings = web::Data::new(settings);
        let server = HttpServer::new(move || {
            let (app, api) =
                App::new()
                    .into_utoipa_app()
                    .openapi(ApiDoc::openapi())
                    .app_data(pool.clone())
                    .app_data(settings.clone())
                    .app_data(limit.clone())
                    .app_data(known.clone())
                    .app_data(web::PathConfig::default().error_handler(|e, _| {
                        ApiError::invalid_param("path", e.to_string()).into()
                    }))
                    .configure(api)
                    .split_for_parts();
            app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
                .service(web::redirect("/docs", "/docs/"))
                .default_service(web::to(routes::fallback::not_routed))
                .wrap(from_fn(request_context))
        })
        .shutdown_timeout(10);
        let server = match workers {
            Some(n) => server.workers(n),
            None => server,
        }
        .listen(listener)?;
        Ok(Application {
            server: server.run(),
            addr,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address the server listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// A handle that can stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM and SIGINT stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
