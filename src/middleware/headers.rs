//! Headers every response carries: security headers (a content security policy per kind of
//! page) and a merged `Vary`.

use actix_web::http::header::{self, HeaderValue};

/// The documentation page's policy: Swagger UI's own files only (it builds its styles at
/// run time, hence inline styles; its icons are data: URIs), talking to this server only.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Everything else is data, never a page: nothing in it may load or run, even if a browser
/// were tricked into rendering it.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Headers every response carries so that a browser never second-guesses what it got.
pub fn security_headers(headers: &mut header::HeaderMap, path: &str) {
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
pub fn merge_vary(headers: &mut header::HeaderMap, names: &[&str]) {
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
