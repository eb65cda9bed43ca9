//! Builds the application: the request middleware (request ids, access log, problem+json
//! for every error, cache headers), the routes and docs, and the listening server.

use std::net::TcpListener;
use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::conditional;
use crate::config::Settings;
use crate::db::DbPool;
use crate::error::{self, ApiError};
use crate::extract::BodyLimit;
use crate::limit::RateLimits;
use crate::routes::{self, fallback::KnownRoutes};

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8192;

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
    // No resource here needs a long address; a long one is a mistake or an attack, and
    // answering it early keeps it out of every layer below.
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        let err = ApiError::UriTooLong(format!(
            "the request target is {target} bytes; this server accepts at most {MAX_URI_BYTES}"
        ));
        let short = if path.len() > 200 {
            "(too long to repeat)"
        } else {
            path.as_str()
        };
        let mut res = err.render(Some(short), Some(&id));
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut()
                .insert(header::HeaderName::from_static("x-request-id"), v);
        }
        security_headers(res.headers_mut(), &path);
        return Ok(req.into_response(res));
    }

    // Holding a clone of the request across `next.call` would break routing (it needs the
    // request uniquely), so an error raised below us is rendered without its context.
    let mut res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => return Err(error::from_actix(&err).into()),
    };
    let status = res.status();
    // Only error statuses are rendered: a layer may have turned an error into an answer
    // (the metrics endpoint answers in place of the 404 behind it).
    let failed = status.as_u16() >= 400;
    let problem = failed
        .then(|| res.response().error().map(error::from_actix))
        .flatten()
        .or_else(|| {
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
        let mut rendered = api_error.render(Some(&path), Some(&id));
        // Keep what outer layers of the app added (CORS headers above all: a browser must
        // be able to read the problem), but not the old body's framing.
        for (name, value) in res.headers() {
            if !rendered.headers().contains_key(name)
                && name != header::CONTENT_TYPE
                && name != header::CONTENT_LENGTH
                && name != header::CONTENT_ENCODING
                && name != header::ETAG
                && name != header::LAST_MODIFIED
            {
                rendered.headers_mut().append(name.clone(), value.clone());
            }
        }
        res = ServiceResponse::new(http_req, rendered);
    }

    let status = res.status();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert(header::HeaderName::from_static("x-request-id"), v);
    }
    // A compressed body is a different representation: its strong ETag says which coding.
    let coding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let (Some(coding), Some(etag)) = (coding, headers.get(header::ETAG))
        && let Some(tagged) = etag
            .to_str()
            .ok()
            .and_then(|e| conditional::etag_for_coding(e, &coding))
        && let Ok(v) = HeaderValue::from_str(&tagged)
    {
        headers.insert(header::ETAG, v);
    }
    security_headers(headers, &path);
    let content = path.starts_with("/api/") || path.starts_with("/feeds/");
    let mut vary = vec!["Accept-Encoding"];
    if content {
        let read =
            method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD;
        let cacheable = status.is_success() || status == actix_web::http::StatusCode::NOT_MODIFIED;
        let cache = if cacheable && read && !with_key {
            "public, max-age=60, stale-while-revalidate=300"
        } else {
            "private, no-store"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        vary.push("Authorization");
    }
    merge_vary(headers, &vary);
    log::info!(
        target: "anbaa::access",
        "{method} {path} {} {:.1}ms id={id}",
        status.as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(res)
}

/// The documentation page's policy: Swagger UI's own files only (it builds its styles at
/// run time, hence inline styles; its icons are data: URIs), talking to this server only.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Everything else is data, never a page: nothing in it may load or run, even if a browser
/// were tricked into rendering it.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Headers every response carries so that a browser never second-guesses what it got.
fn security_headers(headers: &mut header::HeaderMap, path: &str) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let csp = if path == "/docs" || path.starts_with("/docs/") {
        DOCS_CSP
    } else {
        API_CSP
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
}

/// Adds `names` to the response's `Vary`, keeping what inner layers (CORS, compression)
/// put there, each name once.
fn merge_vary(headers: &mut header::HeaderMap, names: &[&str]) {
    let mut all: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    all.extend(names.iter().map(|n| (*n).to_owned()));
    let mut seen: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for name in all {
        let key = name.to_ascii_lowercase();
        if !seen.contains(&key) {
            seen.push(key);
            out.push(canonical_header_name(&name));
        }
    }
    if let Ok(v) = HeaderValue::from_str(&out.join(", ")) {
        headers.insert(header::VARY, v);
    }
}

/// `accept-encoding` → `Accept-Encoding`.
fn canonical_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The CORS policy: any origin may read (no credentials: keys are bearer tokens, never
/// cookies); listed origins may also write. Disallowed origins get no CORS headers, so
/// browsers refuse them, while plain clients are unaffected.
pub fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::IF_MATCH,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LAST_MODIFIED,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-total-count"),
            header::HeaderName::from_static("x-request-id"),
            // So a browser app can see how much of its rate it has left.
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(600)
        .block_on_origin_mismatch(false);
    if origins.is_empty() {
        base.allow_any_origin()
            .send_wildcard()
            .allowed_methods(["GET", "HEAD"])
    } else {
        origins
            .iter()
            .fold(base, |c, o| c.allowed_origin(o))
            .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    }
}

/// Checks a `--cors-origin` value: `scheme://host[:port]`, nothing after.
pub fn check_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("CORS origin `{origin}` must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*']) {
        return Err(format!(
            "CORS origin `{origin}` must be scheme://host[:port] with no path, e.g. https://app.example.org"
        ));
    }
    Ok(())
}

/// Limits anonymous clients per address. A request with a valid key is not limited (its
/// key is checked here once and handed to the handler); probes are never limited. Inside the
/// CORS layer, so a browser can read a 429 and its Retry-After.
async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let path = req.path();
    let probe = path == "/healthz" || path == "/readyz" || path == "/metrics";
    if limits.per_second() == 0 || probe || keyed(&req).await {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let verdict = match limits.client_ip(&req) {
        Some(ip) => limits.check(ip),
        None => crate::limit::Verdict::Exempt,
    };
    match verdict {
        crate::limit::Verdict::Limited { limit, retry_after } => {
            // An error response, so the outer layer renders it with the path and request id.
            let mut res = req.error_response(ApiError::RateLimited(retry_after));
            crate::limit::headers(res.headers_mut(), limit, 0, retry_after);
            Ok(res.map_into_boxed_body())
        }
        crate::limit::Verdict::Allowed {
            limit,
            remaining,
            reset,
        } => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            crate::limit::headers(res.headers_mut(), limit, remaining, reset);
            Ok(res)
        }
        crate::limit::Verdict::Exempt => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}

/// Keeps a public read's answer in the response cache when its handler left a key for it
/// (a miss). Innermost, so the body is kept before compression.
async fn store_in_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let key = res
        .request()
        .extensions()
        .get::<crate::cache::CacheKey>()
        .cloned();
    let Some(key) = key else {
        return Ok(res);
    };
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res);
    }
    let Some(cache) = res
        .request()
        .app_data::<web::Data<crate::cache::ResponseCache>>()
        .cloned()
    else {
        return Ok(res);
    };
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    match body.try_into_bytes() {
        Ok(bytes) => {
            let keep = [
                header::CONTENT_TYPE,
                header::ETAG,
                header::LAST_MODIFIED,
                header::LINK,
                header::HeaderName::from_static("x-total-count"),
            ];
            let headers = keep
                .iter()
                .filter_map(|n| head.headers().get(n).map(|v| (n.clone(), v.clone())))
                .collect();
            cache.put(key, headers, bytes.clone());
            // Requests waiting for this key may go now: they will find it stored.
            drop(http_req.extensions_mut().remove::<crate::cache::Building>());
            Ok(ServiceResponse::new(
                http_req,
                head.set_body(BoxBody::new(bytes)),
            ))
        }
        Err(body) => Ok(ServiceResponse::new(http_req, head.set_body(body))),
    }
}

/// True when the request carries a valid key; the verified caller is kept for the handler.
async fn keyed(req: &ServiceRequest) -> bool {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return false;
    }
    let (http, mut payload) = (req.request().clone(), actix_web::dev::Payload::None);
    match <crate::auth::Caller as actix_web::FromRequest>::from_request(&http, &mut payload).await {
        Ok(caller) if caller.0.is_some() => {
            req.extensions_mut().insert(caller);
            true
        }
        _ => false,
    }
}

/// A problem for a bare error status some lower layer produced without an error value.
fn by_status(status: actix_web::http::StatusCode) -> ApiError {
    let reason = status.canonical_reason().unwrap_or("error").to_owned();
    match status.as_u16() {
        404 => ApiError::NotFound(reason),
        406 => ApiError::NotAcceptable(
            "Accept-Encoding refuses every coding this server has (identity, br, gzip, zstd); allow one of them".to_owned(),
        ),
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
        // Built once, from the code: every worker serves these same bytes, which are also what
        // `anbaa openapi` prints and what `openapi/openapi.json` holds.
        let spec = crate::openapi::spec();
        let known = web::Data::new(KnownRoutes::from_spec(&spec));
        let spec = web::Data::new(routes::docs::SpecDocument::new(crate::openapi::to_json(
            &spec,
        )));
        let feed_ids = {
            let mut conn = pool
                .get()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            web::Data::new(routes::feeds::FeedIds::load(&mut conn, &settings))
        };
        let watch = web::Data::new(
            crate::db::watch::SiteWatch::new(&pool)
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        );
        let pool = web::Data::new(pool);
        let limit = web::Data::new(BodyLimit(settings.max_body_bytes));
        let workers = settings.workers;
        for origin in &settings.cors_origins {
            check_origin(origin)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        if let Some(template) = &settings.article_url {
            Settings::check_article_url(template)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let origins = settings.cors_origins.clone();
        let limits = web::Data::new(
            RateLimits::new(settings.rate_limit, &settings.trusted_proxies)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        );
        let settings = web::Data::new(settings);
        let cache = web::Data::new(crate::cache::ResponseCache::default());
        let search_gate = web::Data::new(crate::search::SearchGate::per_core());
        let metrics =
            crate::metrics::middleware(pool.get_ref().clone()).map_err(std::io::Error::other)?;
        let server =
            HttpServer::new(move || {
                App::new()
                    .app_data(pool.clone())
                    .app_data(watch.clone())
                    .app_data(limits.clone())
                    .app_data(cache.clone())
                    .app_data(search_gate.clone())
                    .app_data(settings.clone())
                    .app_data(limit.clone())
                    .app_data(known.clone())
                    .app_data(spec.clone())
                    .app_data(feed_ids.clone())
                    .app_data(web::PathConfig::default().error_handler(|e, _| {
                        ApiError::invalid_param("path", e.to_string()).into()
                    }))
                    .configure(|cfg| routes::configure(&mut ServiceConfig::new(cfg)))
                    .route("/openapi.json", web::get().to(routes::docs::openapi_json))
                    // The page reads the document above rather than a copy of its own.
                    .service(SwaggerUi::new("/docs/{_:.*}").config(Config::from("/openapi.json")))
                    .service(web::redirect("/docs", "/docs/"))
                    .default_service(web::to(routes::fallback::not_routed))
                    .wrap(from_fn(store_in_cache))
                    .wrap(Compress::default())
                    .wrap(from_fn(rate_limit))
                    .wrap(metrics.clone())
                    .wrap(cors(&origins))
                    .wrap(from_fn(request_context))
            })
            .shutdown_timeout(10);
        // More blocking threads than pooled connections would only queue for a connection,
        // each with its own stack and malloc arena: the pool is shared among the workers.
        let n_workers = workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let server = server
            .workers(n_workers)
            .worker_max_blocking_threads((crate::db::POOL_SIZE / n_workers).max(2))
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
