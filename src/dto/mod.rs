//! Wire types: what the contract in API.md shows, with the schemas the spec is built from.
//! They never touch Diesel; rows are turned into them with `From`.

pub mod article;
pub mod change;
pub mod formats;
pub mod list;
pub mod problem;
pub mod rules;
pub mod tag;
pub mod webhook;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer};

/// The query of an operation that takes no parameters: any parameter is a 400 naming it,
/// so a typo or an unsupported option (say `?purge=true`) is never silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Renders a stored timestamp (microseconds since the epoch) as a UTC instant.
pub fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// Renders an instant as RFC 3339 the way every response does (`Z`, no needless fractions).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Deserializes a field that may be absent but, when present, must not be null.
pub fn reject_null<'de, T, D>(de: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    match Option::<T>::deserialize(de)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom("must not be null")),
    }
}

/// Deserializes a field that may be absent (outer `None`), null (`Some(None)`) or set.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
