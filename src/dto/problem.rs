//! RFC 9457 problem details: the body of every error response.

use serde::Serialize;
use std::collections::BTreeMap;

use utoipa::openapi::{RefOr, Response};
use utoipa::{IntoResponses, ToSchema};

/// One invalid field or parameter, and what was wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON field or query parameter, e.g. `title`, `image.url` or `limit`.
    #[schema(example = "title")]
    pub field: String,
    /// What was wrong, in a sentence a person can act on.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    /// A field error from its field name and message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, served as `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation", "title": "Request body is invalid", "status": 422,
    "detail": "1 field is invalid", "instance": "/api/v1/articles",
    "errors": [{"field": "title", "message": "must not be empty"}],
    "request_id": "4f9c2a1be07d4c55"
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub instance: Option<String>,
    /// Every invalid field or parameter, for 400 and 422 validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// For 412: the article's current version (its ETag starts `"v{current_version}-`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_version: Option<i32>,
    /// The request id (also in `X-Request-Id`): quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
}

/// A 422: a problem whose `errors` is always there, one entry per invalid field. Its
/// schema is `Problem`'s with `errors` required.
pub struct ValidationProblem;

impl utoipa::PartialSchema for ValidationProblem {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::Schema;
        match <Problem as utoipa::PartialSchema>::schema() {
            RefOr::T(Schema::Object(mut o)) => {
                o.required.push("errors".to_owned());
                o.description = Some(
                    "A problem naming every invalid field (`errors` is always there).".to_owned(),
                );
                o.example = None;
                RefOr::T(Schema::Object(o))
            }
            other => other,
        }
    }
}

impl ToSchema for ValidationProblem {}

/// Problems any operation can answer: a client over its rate, a database that is down.
#[derive(utoipa::IntoResponses)]
pub enum AnyProblems {
    /// Too many requests from this address without a key; `Retry-After` says when to retry.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(("Retry-After" = i64, description = "Seconds to wait"))
    )]
    RateLimited(Problem),
    /// The request target (path and query) is over 8 KiB.
    #[response(status = 414, content_type = "application/problem+json")]
    UriTooLong(Problem),
    /// The database is unavailable for now and nothing was done; `Retry-After` says when to
    /// retry.
    #[response(
        status = 503,
        content_type = "application/problem+json",
        headers(("Retry-After" = i64, description = "Seconds to wait"))
    )]
    Unavailable(Problem),
}

/// Problems only reads answer.
#[derive(utoipa::IntoResponses)]
pub enum ReadOnlyProblems {
    /// A query or path parameter is invalid; `errors` names each one.
    #[response(status = 400, content_type = "application/problem+json")]
    BadParameter(Problem),
    /// A key is missing where this read needs one (drafts, history), or the key sent is
    /// unknown, revoked or malformed.
    #[response(status = 401, content_type = "application/problem+json")]
    BadKey(Problem),
}

/// Problems only writes answer.
#[derive(utoipa::IntoResponses)]
pub enum WriteOnlyProblems {
    /// Malformed JSON or an unknown query parameter; `errors` names what was wrong.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// No key, or an unknown, revoked or malformed one.
    #[response(status = 401, content_type = "application/problem+json")]
    NoKey(Problem),
    /// The key lacks the scope this operation needs.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// The body is larger than the server accepts (1 MiB by default).
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// A field is invalid; `errors` names every one, with what was wrong.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(ValidationProblem),
}

/// What any read can answer besides its own outcomes. Operations list these once, by type,
/// and document only what is specific to them.
pub struct ReadProblems;

impl IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut all = ReadOnlyProblems::responses();
        all.append(&mut AnyProblems::responses());
        all
    }
}

/// What any write can answer besides its own outcomes.
pub struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut all = WriteOnlyProblems::responses();
        all.append(&mut AnyProblems::responses());
        all
    }
}

/// What a change to an existing article or tag answers when its `If-Match` fails, or is
/// missing on a server that requires one.
#[derive(utoipa::IntoResponses)]
pub enum PreconditionProblems {
    /// If-Match names an earlier state: nothing changed. For an article, `current_version`
    /// says which version is current.
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(Problem),
    /// The server runs with `--require-if-match` and the request has no If-Match: GET the
    /// resource and send its ETag back (or `*` to change whatever is current).
    #[response(status = 428, content_type = "application/problem+json")]
    Required(Problem),
}

/// The answer to a conditional read whose copy is current.
#[derive(utoipa::IntoResponses)]
pub enum NotModified {
    /// Not modified: the ETag sent in If-None-Match (or the If-Modified-Since date) is
    /// current; the body is empty.
    #[response(status = 304)]
    NotModified,
}

/// A read addressed to an old slug of a renamed article.
#[derive(utoipa::IntoResponses)]
pub enum ArticleMoved {
    /// An old slug of a renamed article: `Location` has the same resource under the current
    /// one.
    #[response(
        status = 301,
        headers(("Location" = String, description = "The same resource under the article's current slug"))
    )]
    Moved,
}

/// A write addressed to an old slug of a renamed article.
#[derive(utoipa::IntoResponses)]
pub enum ArticleMovedWrite {
    /// An old slug of a renamed article: nothing changed; send the same request to
    /// `Location`.
    #[response(
        status = 308,
        headers(("Location" = String, description = "The same resource under the article's current slug"))
    )]
    Moved,
}
