//! RFC 9457 problem details: the body of every error response.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field or parameter, and what was wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The JSON field or query parameter, e.g. `title` or `limit`.
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
    pub instance: Option<String>,
    /// Every invalid field or parameter, for 400 and 422 validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// For 412: the article's current version (its ETag starts `"v{current_version}-`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// The request id (also in `X-Request-Id`): quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
