//! `ApiError`, the one error type of the HTTP layer, rendered as RFC 9457
//! `application/problem+json`. The only module that knows both Diesel and HTTP.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::db::error::StoreError;
use crate::dto::problem::{FieldError, Problem};

/// Everything a request can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The request body parsed but its content is invalid (422).
    #[error("{} field(s) are invalid", .0.len())]
    Validation(Vec<FieldError>),
    /// Query or path parameters are invalid (400).
    #[error("{} parameter(s) are invalid", .0.len())]
    InvalidParams(Vec<FieldError>),
    /// The body is not well-formed JSON (400).
    #[error("{0}")]
    MalformedBody(String),
    /// No key, or a key that is unknown or revoked (401).
    #[error("{0}")]
    Unauthorized(String),
    /// A key was sent but is malformed, unknown or revoked (401).
    #[error("{0}")]
    BadKey(String),
    /// The key lacks a scope (403).
    #[error("this request needs a key with the `{0}` scope")]
    Forbidden(String),
    /// A browser's CORS preflight asked for something the policy does not allow (403).
    #[error("{0}")]
    CorsRefused(String),
    /// Nothing at this address (404).
    #[error("{0}")]
    NotFound(String),
    /// The article was withdrawn (withheld or canceled) and must not be shown (410).
    #[error("{0}")]
    Gone(String),
    /// The path exists, the method does not (405).
    #[error("method not allowed; this path accepts {}", join_methods(.0))]
    MethodNotAllowed(Vec<Method>),
    /// The write conflicts with existing data (409).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` names a version that is no longer current (412); carries the current one.
    #[error(
        "the article is at version {0}; your If-Match names another. Read it again (in the trash: send If-Match \"v{0}\"), reapply your change and send the new ETag"
    )]
    PreconditionFailed(i32),
    /// `If-Match` names an earlier state of a tag (412).
    #[error(
        "the tag changed since the ETag you sent; GET it again, reapply your change and send the new ETag"
    )]
    TagPreconditionFailed,
    /// The server requires `If-Match` on changes and the request has none (428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// No representation the client accepts, e.g. `Accept-Encoding` refusing identity and
    /// every coding this server has (406).
    #[error("{0}")]
    NotAcceptable(String),
    /// The request target is longer than the server accepts (414).
    #[error("{0}")]
    UriTooLong(String),
    /// The body is over the configured limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is not JSON (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many requests from this client; retry after this many seconds (429).
    #[error(
        "too many requests from your address; retry in {0} s, or send an API key (keys are not limited)"
    )]
    RateLimited(u64),
    /// The service cannot answer now, e.g. the database is unreachable (503).
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours; the message goes to the log, never to the client (500).
    #[error("internal error: {0}")]
    Internal(String),
}

fn join_methods(methods: &[Method]) -> String {
    methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ApiError {
    /// An internal error with a cause for the log.
    pub fn internal(cause: impl Into<String>) -> Self {
        ApiError::Internal(cause.into())
    }

    /// A 422 about one field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// A 400 about one query or path parameter.
    pub fn invalid_param(param: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidParams(vec![FieldError::new(param, message)])
    }

    /// The problem `type`, `title` and HTTP status of this error.
    fn kind(&self) -> (&'static str, &'static str, StatusCode) {
        use ApiError::*;
        match self {
            Validation(_) => (
                "/problems/validation",
                "Request body is invalid",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            InvalidParams(_) => (
                "/problems/invalid-parameter",
                "Request parameters are invalid",
                StatusCode::BAD_REQUEST,
            ),
            MalformedBody(_) => (
                "/problems/malformed-body",
                "Request body is malformed",
                StatusCode::BAD_REQUEST,
            ),
            Unauthorized(_) | BadKey(_) => (
                "/problems/unauthorized",
                "Authentication required",
                StatusCode::UNAUTHORIZED,
            ),
            Forbidden(_) => (
                "/problems/forbidden",
                "Missing scope",
                StatusCode::FORBIDDEN,
            ),
            CorsRefused(_) => (
                "/problems/cors-refused",
                "Cross-origin request refused",
                StatusCode::FORBIDDEN,
            ),
            NotFound(_) => ("/problems/not-found", "Not found", StatusCode::NOT_FOUND),
            Gone(_) => ("/problems/gone", "Gone: withdrawn", StatusCode::GONE),
            MethodNotAllowed(_) => (
                "/problems/method-not-allowed",
                "Method not allowed",
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            Conflict(_) => ("/problems/conflict", "Conflict", StatusCode::CONFLICT),
            PreconditionFailed(_) => (
                "/problems/precondition-failed",
                "Precondition failed: the article changed",
                StatusCode::PRECONDITION_FAILED,
            ),
            TagPreconditionFailed => (
                "/problems/precondition-failed",
                "Precondition failed: the tag changed",
                StatusCode::PRECONDITION_FAILED,
            ),
            PreconditionRequired(_) => (
                "/problems/precondition-required",
                "Precondition required: send If-Match",
                StatusCode::PRECONDITION_REQUIRED,
            ),
            NotAcceptable(_) => (
                "/problems/not-acceptable",
                "Not acceptable",
                StatusCode::NOT_ACCEPTABLE,
            ),
            UriTooLong(_) => (
                "/problems/uri-too-long",
                "URI too long",
                StatusCode::URI_TOO_LONG,
            ),
            PayloadTooLarge(_) => (
                "/problems/payload-too-large",
                "Request body too large",
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            UnsupportedMediaType(_) => (
                "/problems/unsupported-media-type",
                "Unsupported media type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            RateLimited(_) => (
                "/problems/rate-limited",
                "Too many requests",
                StatusCode::TOO_MANY_REQUESTS,
            ),
            Unavailable(_) => (
                "/problems/unavailable",
                "Service unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            Internal(_) => (
                "/problems/internal",
                "Internal server error",
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        }
    }

    /// The problem document for this error, as a client may see it.
    pub fn problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        let (kind, title, status) = self.kind();
        let (detail, errors) = match self {
            ApiError::Validation(errors) => (
                plural(errors.len(), "field is invalid", "fields are invalid"),
                Some(errors.clone()),
            ),
            ApiError::InvalidParams(errors) => (
                plural(
                    errors.len(),
                    "parameter is invalid",
                    "parameters are invalid",
                ),
                Some(errors.clone()),
            ),
            ApiError::Internal(_) => (
                "the server failed to answer this request; quote the request id when reporting it"
                    .to_owned(),
                None,
            ),
            other => (other.to_string(), None),
        };
        Problem {
            kind: kind.to_owned(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            instance: instance.map(str::to_owned),
            errors,
            current_version: match self {
                ApiError::PreconditionFailed(v) => Some(*v),
                _ => None,
            },
            request_id: request_id.map(str::to_owned),
        }
    }

    /// Renders the problem+json response, with the request's path and id when known.
    pub fn render(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let problem = self.problem(instance, request_id);
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"anbaa\""));
            }
            ApiError::BadKey(_) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"anbaa\", error=\"invalid_token\"",
                ));
            }
            ApiError::MethodNotAllowed(methods) => {
                res.insert_header((header::ALLOW, join_methods(methods)));
            }
            ApiError::RateLimited(secs) => {
                res.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            // A busy or unreachable database is usually back within a second or two.
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "2"));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        res.body(body)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().2
    }

    fn error_response(&self) -> HttpResponse {
        // The middleware in `startup` re-renders with the instance and request id.
        self.render(None, None)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("no such resource".to_owned()),
            StoreError::Conflict(what) => {
                ApiError::Conflict(format!("a resource with that key exists: {what}"))
            }
            // Nothing was written; the client may simply try again.
            StoreError::Busy => ApiError::Unavailable(
                "the database is busy with another write (an import or a backup); try again shortly"
                    .to_owned(),
            ),
            // The cause names hosts and ports: for the log, not for the public.
            StoreError::Unavailable(why) => {
                log::warn!("database unavailable: {why}");
                ApiError::Unavailable(
                    "the database is unavailable for now (a restart or a failover); nothing was done, try again"
                        .to_owned(),
                )
            }
            StoreError::Other(why) => ApiError::Internal(format!("database: {why}")),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task: {e}"))
    }
}

/// Maps an error that actix raised itself (extractors, payload limits) to an `ApiError`.
pub fn from_actix(err: &actix_web::Error) -> ApiError {
    if let Some(api) = err.as_error::<ApiError>() {
        return api.clone();
    }
    if let Some(cors) = err.as_error::<actix_cors::CorsError>() {
        return ApiError::CorsRefused(format!(
            "CORS preflight refused: {cors}; reads are open to every origin, writes only to the origins the server lists with --cors-origin"
        ));
    }
    let status = err.as_response_error().status_code();
    let text = err.to_string();
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(text),
        StatusCode::NOT_FOUND => ApiError::NotFound(text),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(text),
        StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable(text),
        StatusCode::NOT_ACCEPTABLE => ApiError::NotAcceptable(
            "Accept-Encoding refuses every coding this server has (identity, br, gzip, zstd); allow one of them".to_owned(),
        ),
        s if s.is_client_error() => ApiError::MalformedBody(text),
        _ => ApiError::Internal(text),
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use crate::db::error::StoreError;

    /// A database another writer holds past the busy timeout is a 503 the client may retry,
    /// not a 500.
    #[test]
    fn a_busy_database_is_a_503_with_retry_after() {
        let err = ApiError::from(StoreError::Busy);
        assert!(matches!(err, ApiError::Unavailable(_)), "{err:?}");
        let res = err.render(None, None);
        assert_eq!(res.status().as_u16(), 503);
        assert_eq!(res.headers().get("retry-after").unwrap(), "2");
    }
}
