//! The change log as partners read it: sweep in articles that fell due, then one consistent
//! page of entries with the public articles attached.

use crate::db::Conn;
use crate::db::{self, now_micros};
use crate::dto::change::{Change, ChangeEvent, ChangeOp, ChangesParams, PubStatus};
use crate::dto::instant;
use crate::error::ApiError;
use crate::service::articles::to_wire;
use crate::service::params;
use crate::validate::{Errors, echo};

/// Default and largest page of `/changes`.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

/// One page of the log.
#[derive(Debug)]
pub struct ChangePage {
    /// The entries, oldest first.
    pub data: Vec<Change>,
    /// Entries after `since` right now.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// Where the next poll starts.
    pub next_since: i64,
}

/// Longest a long poll may hold a request, in seconds.
const MAX_WAIT_S: u64 = 30;

/// The parameters of a read of the log, checked.
#[derive(Debug, Clone, Copy)]
pub struct LogQuery {
    /// Entries after this `seq`.
    pub since: i64,
    /// Entries per page.
    pub limit: i64,
    /// How long a long poll may wait for an entry (`None`: answer at once).
    pub wait: Option<std::time::Duration>,
}

/// A cursor as `since` or `Last-Event-ID` carries it: a `seq`, 0 for the whole log.
pub fn cursor(errors: &mut Errors, name: &str, value: Option<&str>) -> i64 {
    match value {
        None => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                errors.add(
                    name,
                    format!(
                        "must be `meta.next_cursor` of an earlier poll or an event's id (a whole number, 0 for the whole log), not `{}`",
                        echo(s)
                    ),
                );
                0
            }
        },
    }
}

/// Checks the parameters of `/changes`, every bad one named at once.
pub fn parse(p: &ChangesParams) -> Result<LogQuery, ApiError> {
    let mut errors = Errors::default();
    let limit = params::limit_within(&mut errors, p.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT);
    let since = cursor(&mut errors, "since", p.since.as_deref());
    let wait = match p.wait.as_deref() {
        None => None,
        Some(s) => match s.parse::<u64>() {
            Ok(0) => None,
            Ok(n) if n <= MAX_WAIT_S && s.bytes().all(|b| b.is_ascii_digit()) => {
                Some(std::time::Duration::from_secs(n))
            }
            _ => {
                errors.add(
                    "wait",
                    format!(
                        "must be a whole number of seconds from 0 to {MAX_WAIT_S}, not `{}`",
                        echo(s)
                    ),
                );
                None
            }
        },
    };
    errors.into_param_result()?;
    Ok(LogQuery { since, limit, wait })
}

/// Refuses a well-formed cursor this log never issued (`name` says where it came from): the
/// state differs (a restored or another database), not the request.
pub fn ahead(name: &str, since: i64, last: i64) -> Result<(), ApiError> {
    if since > last {
        return Err(ApiError::Conflict(format!(
            "`{name}` {since} is ahead of the change log, whose latest entry is {last}; this database is not the one polled before, so start again from 0"
        )));
    }
    Ok(())
}

/// The entries after `q.since` (checked by [`parse`]).
pub fn list(conn: &mut Conn, q: &LogQuery) -> Result<ChangePage, ApiError> {
    let LogQuery { since, limit, .. } = *q;
    let now = now_micros();
    // Scheduled articles become public without a write; the first poll after that logs
    // them, so no poll can step past them.
    if db::changes::needs_sweep(conn, now)? {
        db::immediate(conn, |conn| db::changes::sweep(conn, now))?;
    }
    // One read transaction: the entries and the articles they point at are one snapshot.
    db::transaction(conn, |conn| {
        ahead("since", since, db::changes::last_seq(conn)?)?;
        let rows = db::changes::after(conn, since, limit)?;
        let total = db::changes::count_after(conn, since)?;
        let upserts: Vec<i32> = rows
            .iter()
            .filter(|r| r.op == ChangeOp::Upsert)
            .map(|r| r.article_id)
            .collect();
        let mut articles: std::collections::HashMap<i32, _> = db::articles::by_ids(conn, &upserts)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let mut tags = db::articles::tags_of(conn, &upserts)?;
        let mut corrections = db::corrections::of(conn, &upserts)?;
        let next_since = rows.last().map_or(since, |r| i64::from(r.seq));
        let data = rows
            .into_iter()
            .map(|r| {
                let article = if r.op == ChangeOp::Upsert {
                    articles.remove(&r.article_id).map(|a| {
                        let t = tags.remove(&r.article_id).unwrap_or_default();
                        let c = corrections.remove(&r.article_id).unwrap_or_default();
                        to_wire(a, t, c)
                    })
                } else {
                    None
                };
                let etag = article
                    .as_ref()
                    .map(crate::conditional::Validator::article_etag);
                Change {
                    seq: i64::from(r.seq),
                    etag,
                    op: r.op,
                    event: r.event,
                    pub_status: match r.event {
                        ChangeEvent::Withheld => Some(PubStatus::Withheld),
                        ChangeEvent::Canceled => Some(PubStatus::Canceled),
                        _ => None,
                    },
                    id: r.article_id,
                    slug: r.slug,
                    version: r.version,
                    at: instant(r.at),
                    article,
                }
            })
            .collect();
        Ok(ChangePage {
            data,
            total,
            limit,
            next_since,
        })
    })
}
