//! Which articles the sitemaps list: monthly files of every public article (at most 50,000
//! URLs each, a month with more takes several), and the news sitemap of the last 48 hours.

use chrono::{Datelike, TimeZone, Utc};

use crate::db::articles::MapRow;
use crate::db::{self, Conn};
use crate::error::ApiError;
use crate::formats::sitemap::{MAX_NEWS, MAX_URLS, NEWS_WINDOW_HOURS};
use crate::validate::echo;

/// One file of the index: its name (`2026-12`, or `2026-12-2` for a month's second 50,000)
/// and its last change (microseconds).
#[derive(Debug, Clone)]
pub struct MapFile {
    /// The name in `/sitemaps/articles-{name}.xml`.
    pub name: String,
    /// The latest write or publication among its articles.
    pub lastmod: i64,
}

/// When an article last changed for readers: its last write, or its publication if later.
pub fn lastmod(sort_at: i64, updated_at: i64) -> i64 {
    sort_at.max(updated_at)
}

fn month_of(micros: i64) -> (i32, u32) {
    let t = Utc.timestamp_micros(micros).single().unwrap_or_default();
    (t.year(), t.month())
}

/// The monthly files, oldest first.
pub fn index(conn: &mut Conn, now: i64) -> Result<Vec<MapFile>, ApiError> {
    let mut files: Vec<MapFile> = Vec::new();
    let mut current: Option<((i32, u32), usize)> = None;
    for (sort_at, updated_at) in db::articles::public_times(conn, now)? {
        let month = month_of(sort_at);
        let n = match current {
            Some((m, n)) if m == month => n + 1,
            _ => 1,
        };
        current = Some((month, n));
        let page = (n - 1) / MAX_URLS + 1;
        let name = if page == 1 {
            format!("{:04}-{:02}", month.0, month.1)
        } else {
            format!("{:04}-{:02}-{page}", month.0, month.1)
        };
        let changed = lastmod(sort_at, updated_at);
        match files.last_mut() {
            Some(f) if f.name == name => f.lastmod = f.lastmod.max(changed),
            _ => files.push(MapFile {
                name,
                lastmod: changed,
            }),
        }
    }
    Ok(files)
}

/// The articles of the monthly file `name` (`2026-12` or `2026-12-2`); a name that is not one
/// or a file with no article is a 404.
pub fn month(conn: &mut Conn, name: &str, now: i64) -> Result<Vec<MapRow>, ApiError> {
    let missing = || ApiError::NotFound(format!("no sitemap `articles-{}.xml`", echo(name)));
    let mut parts = name.split('-');
    let year: i32 = parts
        .next()
        .filter(|y| y.len() == 4)
        .and_then(|y| y.parse().ok())
        .ok_or_else(missing)?;
    let month: u32 = parts
        .next()
        .filter(|m| m.len() == 2)
        .and_then(|m| m.parse().ok())
        .ok_or_else(missing)?;
    let page: i64 = match parts.next() {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|n| *n >= 2 && !p.starts_with('0'))
            .ok_or_else(missing)?,
    };
    if parts.next().is_some() {
        return Err(missing());
    }
    let start = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .ok_or_else(missing)?;
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let end = Utc
        .with_ymd_and_hms(ny, nm, 1, 0, 0, 0)
        .single()
        .ok_or_else(missing)?;
    let rows = db::articles::public_map(
        conn,
        start.timestamp_micros(),
        end.timestamp_micros(),
        now,
        MAX_URLS as i64,
        (page - 1) * MAX_URLS as i64,
        false,
    )?;
    if rows.is_empty() {
        return Err(missing());
    }
    Ok(rows)
}

/// The newest public articles of the last 48 hours, at most 1,000.
pub fn news(conn: &mut Conn, now: i64) -> Result<Vec<MapRow>, ApiError> {
    let from = now - NEWS_WINDOW_HOURS * 3600 * 1_000_000;
    Ok(db::articles::public_map(
        conn,
        from,
        now + 1,
        now,
        MAX_NEWS as i64,
        0,
        true,
    )?)
}
