//! The site state every public read's validator starts from (the write counter, the due
//! watermark), kept in memory so a hot read needs no query. It is trusted only while
//! SQLite's `data_version` is unchanged (no connection, in this process or another such as
//! `anbaa import`, has committed since it was read) and no scheduled article has fallen due.

use std::sync::Mutex;

use diesel::dsl::min;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;

use super::schema::articles;
use super::{DbConn, DbPool, changes};

use crate::db::error::StoreResult;

const SECOND: i64 = 1_000_000;

/// What list and feed validators are made of.
#[derive(Debug, Clone, Copy)]
pub struct SiteSnapshot {
    /// The site counter: every committed write bumps it.
    pub version: i64,
    /// When the counter last moved, in microseconds.
    pub changed_at: i64,
    /// When it moved before that.
    pub prev_changed_at: i64,
    /// The latest publication instant that has passed.
    pub watermark: i64,
    /// How many articles fell due in the watermark's second (when it matters).
    pub due_in_second: i64,
    /// The next publication instant still ahead: the snapshot is stale from then on.
    valid_until: i64,
    /// `PRAGMA data_version` read before the snapshot was.
    data_version: i64,
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

/// The in-memory site state and the connection that checks it is still current.
pub struct SiteWatch {
    /// A connection that never writes, so every commit anywhere changes its data_version.
    probe: Mutex<DbConn>,
    snapshot: Mutex<Option<SiteSnapshot>>,
}

impl SiteWatch {
    /// Takes one connection from `pool` for good, as the probe.
    pub fn new(pool: &DbPool) -> StoreResult<SiteWatch> {
        Ok(SiteWatch {
            probe: Mutex::new(pool.get()?),
            snapshot: Mutex::new(None),
        })
    }

    fn data_version(&self) -> Option<i64> {
        let mut conn = self.probe.lock().ok()?;
        diesel::sql_query("PRAGMA data_version")
            .get_result::<DataVersion>(&mut *conn)
            .ok()
            .map(|d| d.data_version)
    }

    /// The site state at `now`: from memory when nothing was committed since and nothing
    /// fell due, else read again (and remembered).
    pub async fn current(&self, pool: &DbPool, now: i64) -> StoreResult<SiteSnapshot> {
        // Read before the snapshot is loaded: a commit in between makes the snapshot look
        // older than it is, which costs one more load and is never stale.
        let dv = self.data_version();
        if let (Some(dv), Ok(guard)) = (dv, self.snapshot.lock())
            && let Some(s) = *guard
            && s.data_version == dv
            && now < s.valid_until
        {
            return Ok(s);
        }
        let mut fresh = super::run(pool, move |conn| load(conn, now)).await?;
        if let Some(dv) = dv {
            fresh.data_version = dv;
            if let Ok(mut guard) = self.snapshot.lock() {
                *guard = Some(fresh);
            }
        }
        Ok(fresh)
    }
}

/// Reads the site state at `now`.
fn load(conn: &mut SqliteConnection, now: i64) -> StoreResult<SiteSnapshot> {
    let site = changes::site(conn)?;
    let watermark = changes::due_watermark(conn, now)?;
    // Several articles falling due in the watermark's second make it ambiguous too.
    let from = watermark - watermark.rem_euclid(SECOND);
    let due_in_second = if watermark > 0 && watermark >= site.changed_at - SECOND {
        changes::due_between(conn, from, now)?
    } else {
        0
    };
    // The (status, trashed_at, sort_at) index answers this with one seek.
    let next_due: Option<i64> = articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::trashed_at.is_null())
        .filter(articles::sort_at.gt(now))
        .select(min(articles::sort_at))
        .first(conn)?;
    Ok(SiteSnapshot {
        version: site.version,
        changed_at: site.changed_at,
        prev_changed_at: site.prev_changed_at,
        watermark,
        due_in_second,
        valid_until: next_due.unwrap_or(i64::MAX),
        data_version: i64::MIN,
    })
}
