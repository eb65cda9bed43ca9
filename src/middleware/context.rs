//! The outermost layer of every request: its id, the problem+json rendering of every error
//! (with the path and id), cache and security headers, and one access-log line.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use super::headers::{merge_vary, security_headers};
use crate::conditional;
use crate::error::{self, ApiError};

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8192;

/// Present on a request that came as HEAD (the handlers see GET): a handler whose body
/// never ends (the change stream) answers it with the headers alone.
#[derive(Debug, Clone, Copy)]
pub struct Head;

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
pub async fn request_context(
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
        req.extensions_mut().insert(Head);
    }
    let path = req.path().to_owned();
    let with_key = req.headers().contains_key(header::AUTHORIZATION);
    let public_cache = req
        .app_data::<actix_web::web::Data<crate::config::Settings>>()
        .map(|s| s.public_cache_control());
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
    // Articles and the change log come in the representation `Accept` chose (anbaa's JSON,
    // ninjs, JSON-LD), the answer from the response cache included.
    if path.starts_with("/api/v1/articles") || path.starts_with("/api/v1/changes") {
        vary.push("Accept");
    }
    if content {
        let read =
            method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD;
        let cacheable = status.is_success() || status == actix_web::http::StatusCode::NOT_MODIFIED;
        let private = HeaderValue::from_static("private, no-store");
        // A handler that said no cache may keep its answer (the change stream, a long
        // poll: never the same twice) is not made public here.
        // One that said a cache must ask again before reuse (the change log) keeps that.
        let said = |word: &[u8]| {
            headers
                .get(header::CACHE_CONTROL)
                .is_some_and(|v| v.as_bytes().windows(word.len()).any(|w| w == word))
        };
        let (live, revalidate) = (said(b"no-store"), said(b"no-cache"));
        let cache = match public_cache {
            Some(_) if cacheable && read && !with_key && !live && revalidate => {
                HeaderValue::from_static("public, no-cache")
            }
            Some(public) if cacheable && read && !with_key && !live => {
                HeaderValue::from_str(&public).unwrap_or(private)
            }
            _ => private,
        };
        headers.insert(header::CACHE_CONTROL, cache);
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
