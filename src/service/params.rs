//! Parsing of list query parameters shared by resources: page size, pages and cursors,
//! instants, and `fields` selections. Each parser records what is wrong instead of stopping.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::articles::Keyset;
use crate::dto::article::parse_instant;
use crate::validate::{Errors, echo};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size.
pub const MAX_LIMIT: i64 = 100;

/// `limit`: 1–100, 20 when absent.
pub fn limit(errors: &mut Errors, raw: Option<&str>) -> i64 {
    limit_within(errors, raw, DEFAULT_LIMIT, MAX_LIMIT)
}

/// `limit`: 1–`max`, `default` when absent.
pub fn limit_within(errors: &mut Errors, raw: Option<&str>, default: i64, max: i64) -> i64 {
    match raw {
        None => default,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            Ok(_) => {
                errors.add("limit", format!("must be between 1 and {max}"));
                default
            }
            Err(_) => {
                errors.add(
                    "limit",
                    format!("must be an integer between 1 and {max}, not `{}`", echo(s)),
                );
                default
            }
        },
    }
}

/// `page`: a 1-based integer.
pub fn page(errors: &mut Errors, raw: Option<&str>) -> Option<i64> {
    let s = raw?;
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
        _ => {
            errors.add(
                "page",
                format!("must be an integer from 1 to 1000000, not `{}`", echo(s)),
            );
            None
        }
    }
}

/// An instant given as RFC 3339 or as a date (midnight UTC that day), in microseconds.
pub fn instant(errors: &mut Errors, name: &str, raw: Option<&str>) -> Option<i64> {
    let s = raw?.trim();
    if let Some(t) = parse_instant(s) {
        return Some(t.timestamp_micros());
    }
    // A `+` in a URL decodes to a space: the offset of `…T00:00:00+03:00` arrives broken.
    let hint = if s.contains(' ') {
        " (write `+` as `%2B` in a URL)"
    } else {
        ""
    };
    errors.add(
        name,
        format!(
            "must be an RFC 3339 instant (2025-04-12T06:30:00Z) or a date (2025-04-12), not `{}`{hint}",
            echo(s)
        ),
    );
    None
}

/// Splits a comma-separated list, dropping empty items.
pub fn csv(raw: Option<&str>) -> Vec<String> {
    raw.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(crate::text::nfc)
            .collect()
    })
    .unwrap_or_default()
}

/// `fields`: a subset of `allowed`; `None` when absent (all fields).
pub fn fields(errors: &mut Errors, raw: Option<&str>, allowed: &[&str]) -> Option<Vec<String>> {
    // Exact names separated by single commas, as the spec's pattern says: no blanks to skip.
    let list: Vec<String> = raw?.split(',').map(str::to_owned).collect();
    let unknown: Vec<String> = list
        .iter()
        .map(String::as_str)
        .filter(|f| !allowed.contains(f))
        .map(|f| {
            if f.is_empty() {
                "(empty)".to_owned()
            } else {
                echo(f)
            }
        })
        .collect();
    if !unknown.is_empty() {
        errors.add(
            "fields",
            format!(
                "unknown field(s) {}; choose from {}",
                unknown.join(", "),
                allowed.join(", ")
            ),
        );
    } else if list.is_empty() {
        errors.add("fields", "must name at least one field");
    }
    Some(list)
}

/// Encodes a keyset position for `sort` as an opaque cursor.
pub fn encode_cursor(sort: &str, k: Keyset) -> String {
    URL_SAFE_NO_PAD.encode(format!("{sort}|{}|{}", k.value, k.id))
}

/// Decodes a cursor made by [`encode_cursor`] for the same `sort`.
pub fn decode_cursor(errors: &mut Errors, raw: Option<&str>, sort: &str) -> Option<Keyset> {
    let s = raw?;
    let parsed = URL_SAFE_NO_PAD
        .decode(s.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|text| {
            let mut parts = text.split('|');
            let (s0, v, id) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            Some((
                s0.to_owned(),
                v.parse::<i64>().ok()?,
                id.parse::<i32>().ok()?,
            ))
        });
    match parsed {
        Some((s0, value, id)) if s0 == sort => Some(Keyset { value, id, at: 0 }),
        // A relevance cursor carries the instant its scores were computed at.
        Some((s0, value, id))
            if sort.starts_with("relevance")
                && s0
                    .strip_prefix(sort)
                    .and_then(|t| t.strip_prefix('@'))
                    .is_some_and(|t| t.parse::<i64>().is_ok()) =>
        {
            let at = s0[sort.len() + 1..].parse::<i64>().unwrap_or(0);
            Some(Keyset { value, id, at })
        }
        Some(_) => {
            errors.add(
                "cursor",
                "was made for another sort order or search; start again without a cursor",
            );
            None
        }
        None => {
            errors.add(
                "cursor",
                "is not a cursor this API issued; use `meta.next_cursor` as given",
            );
            None
        }
    }
}
