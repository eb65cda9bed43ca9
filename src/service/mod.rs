//! What each request does to the store: validation, defaults, slugs, rendering, and the
//! transaction around them. Called by `routes`, calls `db`; knows nothing of HTTP.

pub mod articles;
pub mod params;
pub mod tags;

use crate::dto::problem::FieldError;
use crate::error::ApiError;

/// Collects field errors and turns them into one 422.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Records that `field` is invalid.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Ok when nothing was recorded, else a 422 listing everything.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }

    /// Ok when nothing was recorded, else a 400 listing every parameter.
    pub fn into_param_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidParams(self.0))
        }
    }
}

/// Checks a text's length in characters (never bytes) and that it is not blank.
pub fn check_text(errors: &mut Errors, field: &str, value: &str, required: bool, max: usize) {
    if required && value.trim().is_empty() {
        errors.add(field, "must not be empty");
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
}
