//! Request extractors that fail with problem+json naming the bad field or parameter:
//! `ApiJson` (content type, size limit, syntax, then every field checked on its own) and
//! `ApiQuery` (unknown or repeated parameters); and `Source`, where a request reads from.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::dto::problem::FieldError;
use crate::error::ApiError;
use crate::validate::{Errors, Validate};

/// The largest JSON body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body of type `T`, parsed and checked. Extraction never fails: the
/// handler takes the result with [`ApiJson::into_inner`] after checking the key, so a
/// caller without one hears 401 before any complaint about the body.
#[derive(Debug)]
pub struct ApiJson<T>(Result<T, ApiError>);

impl<T> ApiJson<T> {
    /// The body, or the problem with it (400, 413, 415 or 422).
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map_or(1024 * 1024, |l| l.0);
        let content_type = check_content_type(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = payload.take();
        Box::pin(async move {
            Ok(ApiJson(
                read_json(content_type, declared, limit, payload).await,
            ))
        })
    }
}

async fn read_json<T: DeserializeOwned + Validate>(
    content_type: Result<(), ApiError>,
    declared: Option<usize>,
    limit: usize,
    mut payload: Payload,
) -> Result<T, ApiError> {
    content_type?;
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "the request body is larger than the limit of {limit} bytes"
        ))
    };
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::MalformedBody(format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    parse_json(&body)
}

fn check_content_type(req: &HttpRequest) -> Result<(), ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    let json = essence == "application/json" || essence.ends_with("+json");
    if json
        && charset
            .as_deref()
            .is_some_and(|c| c != "utf-8" && c != "utf8")
    {
        Err(ApiError::UnsupportedMediaType(
            "JSON bodies must be UTF-8; send `Content-Type: application/json` (or charset=utf-8)"
                .into(),
        ))
    } else if json {
        Ok(())
    } else if essence.is_empty() {
        Err(ApiError::UnsupportedMediaType(
            "the request body must be JSON: send `Content-Type: application/json`".into(),
        ))
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "the request body must be JSON (`Content-Type: application/json`), not `{essence}`"
        )))
    }
}

/// Parses a JSON object body into `T` and checks it, reporting every bad field at once:
/// type errors and failed checks together. `T`'s fields must all be optional (required ones
/// are checked by `Validate`), so each field can be tried alone.
pub fn parse_json<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() && body.iter().all(u8::is_ascii_whitespace) {
            ApiError::MalformedBody("the request body is empty; send a JSON object".into())
        } else {
            ApiError::MalformedBody(format!("the request body is not valid JSON: {e}"))
        }
    })?;
    let Value::Object(map) = value else {
        return Err(ApiError::invalid_field(
            "",
            format!("the body must be a JSON object, not {}", kind_of(&value)),
        ));
    };
    let mut errors = Vec::new();
    let mut good = Map::new();
    for (key, v) in map {
        let single = Value::Object(Map::from_iter([(key.clone(), v.clone())]));
        match serde_json::from_value::<T>(single) {
            Ok(_) => {
                good.insert(key, v);
            }
            Err(e) => errors.push(field_error(&key, &e.to_string())),
        }
    }
    let value = serde_json::from_value::<T>(Value::Object(good))
        .map_err(|e| ApiError::invalid_field("", e.to_string()))?;
    // Check the fields that parsed too, so one response names every bad field.
    let mut checks = Errors::default();
    value.check(&mut checks);
    let bad: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
    errors.extend(
        checks
            .into_vec()
            .into_iter()
            .filter(|e| !bad.contains(&e.field)),
    );
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn field_error(key: &str, message: &str) -> FieldError {
    if message.starts_with("unknown field") {
        let expected = message
            .split_once(", expected")
            .map(|(_, rest)| format!("; expected{rest}"))
            .unwrap_or_default();
        FieldError::new(key, format!("unknown field{expected}"))
    } else {
        // serde names Rust types ("struct Image", "string or map"); say it in JSON terms.
        let message = message
            .replace(
                "expected struct Image",
                "expected an object with `url` and `caption`",
            )
            .replace("expected string or map", "expected a string");
        FieldError::new(key, message)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Query parameters of type `T`; unknown and repeated parameters are a 400 naming them.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut errors = Errors::default();
        let parsed = parse_query_into(req.query_string(), &mut errors);
        std::future::ready(match parsed {
            Some(value) if errors.is_empty() => Ok(ApiQuery(value)),
            _ => Err(ApiError::InvalidParams(errors.into_vec())),
        })
    }
}

/// Parses a query string into `T`, recording every unknown parameter in `errors` (and
/// parsing the rest without them) so that the parameters' own checks can still run and one
/// answer names every bad parameter. `None` when the known parameters do not parse.
pub fn parse_query_into<T: DeserializeOwned>(query: &str, errors: &mut Errors) -> Option<T> {
    let mut query = std::borrow::Cow::Borrowed(query);
    loop {
        match parse_query::<T>(&query) {
            Ok(value) => return Some(value),
            Err(ApiError::InvalidParams(mut found)) => {
                let unknown = found
                    .first()
                    .filter(|e| e.message.starts_with("unknown parameter"))
                    .map(|e| e.field.clone());
                match unknown {
                    Some(name) => {
                        errors.add_error(found.remove(0));
                        let rest = without_param(&query, &name);
                        // A name the error cannot quote whole (one with a backtick) removes
                        // nothing: stop rather than parse the same query forever.
                        if rest == *query {
                            return None;
                        }
                        query = std::borrow::Cow::Owned(rest);
                    }
                    None => {
                        found.into_iter().for_each(|e| errors.add_error(e));
                        return None;
                    }
                }
            }
            Err(other) => {
                errors.add("query", other.to_string());
                return None;
            }
        }
    }
}

/// The query string without any pair named `name`.
fn without_param(query: &str, name: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != name).collect();
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

/// Parameters that take several comma-separated values, and may also be repeated
/// (`tag=a&tag=b`, as `URLSearchParams.append` and axios send arrays): the values are joined.
const LIST_PARAMS: [&str; 2] = ["tag", "exclude_tag"];

/// Parses a query string into `T` (whose fields are all optional strings). Most queries
/// name each parameter once and take one parse; a repeated one is joined or refused.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    match serde_urlencoded::from_str::<T>(query) {
        Ok(parsed) => Ok(parsed),
        Err(e) if e.to_string().starts_with("duplicate field") => {
            serde_urlencoded::from_str::<T>(&join_repeated(query)?).map_err(param_error)
        }
        Err(e) => Err(param_error(e)),
    }
}

/// The query with repeated list parameters joined by commas; another repeated parameter
/// is a 400 naming it.
fn join_repeated(query: &str) -> Result<String, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::invalid_param("query", e.to_string()))?;
    let mut joined: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        match joined.iter_mut().find(|(name, _)| *name == k) {
            Some((_, first)) if LIST_PARAMS.contains(&k.as_str()) => {
                if !v.is_empty() {
                    if !first.is_empty() {
                        first.push(',');
                    }
                    first.push_str(&v);
                }
            }
            Some(_) => {
                return Err(ApiError::invalid_param(
                    k,
                    "given more than once; this parameter takes one value",
                ));
            }
            None => joined.push((k, v)),
        }
    }
    serde_urlencoded::to_string(&joined)
        .map_err(|e| ApiError::invalid_param("query", e.to_string()))
}

/// The problem for a query `T` could not take, naming the parameter.
fn param_error(e: serde_urlencoded::de::Error) -> ApiError {
    let msg = e.to_string();
    let name = msg
        .split('`')
        .nth(1)
        .map_or_else(|| "query".to_owned(), str::to_owned);
    let message = if msg.starts_with("unknown field") {
        let expected = msg
            .split_once(", expected")
            .map(|(_, rest)| format!("; expected{rest}"))
            .unwrap_or_default();
        format!("unknown parameter{expected}")
    } else {
        msg
    };
    ApiError::invalid_param(name, message)
}

/// Anonymous GETs and HEADs read from the public source (a replica when one is configured);
/// everything else, a request with a key included, from the primary: an editor reads what
/// they just wrote.
impl FromRequest for crate::db::source::Source {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(sources) = req.app_data::<web::Data<crate::db::source::Sources>>() else {
            return std::future::ready(Err(ApiError::internal(
                "the database sources are not registered",
            )));
        };
        let public = matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        ) && !req.headers().contains_key(header::AUTHORIZATION);
        std::future::ready(Ok(if public {
            sources.public.clone()
        } else {
            sources.primary.clone()
        }))
    }
}
