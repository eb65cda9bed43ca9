//! Cross-origin access: who may read and who may write from a browser.

use actix_cors::Cors;
use actix_web::http::header;

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
            // A fetch-based event-stream client resumes the change stream with it.
            header::HeaderName::from_static("last-event-id"),
            header::CACHE_CONTROL,
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
