//! `/openapi.json`: the spec document, built once at start and served as the same bytes that
//! `anbaa openapi` prints and `openapi/openapi.json` holds.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

/// The serialized spec and its validator.
#[derive(Debug)]
pub struct SpecDocument {
    bytes: web::Bytes,
    etag: String,
}

impl SpecDocument {
    /// Keeps the serialized spec (`openapi::to_json`) and its ETag.
    pub fn new(text: String) -> SpecDocument {
        let digest = Sha256::digest(text.as_bytes());
        let etag = format!(
            "\"spec-{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        SpecDocument {
            bytes: web::Bytes::from(text),
            etag,
        }
    }
}

/// `GET /openapi.json`.
pub async fn openapi_json(req: HttpRequest, doc: web::Data<SpecDocument>) -> HttpResponse {
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| {
            let opaque = doc.etag.trim_matches('"');
            crate::conditional::none_match(list, opaque).is_some()
        });
    let mut res = if held {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, doc.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"));
    if held {
        return res.finish();
    }
    res.content_type("application/json").body(doc.bytes.clone())
}
