//! The site state every public read's validator starts from (the write counter, the due
//! watermark, and for reads filtered by tags the tag tree and each tag's generation), kept
//! in memory so a hot read needs no query. It is trusted only while nothing was committed
//! since it was read (on SQLite, `data_version` is unchanged: no connection, in this
//! process or another such as `anbaa import`, has committed; on PostgreSQL, the site
//! counters every write moves are unchanged, read from the database itself, so every node
//! sees every other node's writes) and no scheduled article has fallen due.

use super::Conn;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::dsl::min;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{articles, tag_generations};
use super::{DbConn, DbPool, changes};
use libsqlite3_sys as ffi;

use crate::db::error::StoreResult;

const SECOND: i64 = 1_000_000;

/// What validators of reads filtered by tags are made of: which tags a slug reaches (itself,
/// or the tag an old slug went to, and their descendants) and each tag's generation.
#[derive(Debug, Default)]
pub struct TagScopes {
    by_slug: HashMap<String, i32>,
    live: std::collections::HashSet<String>,
    children: HashMap<i32, Vec<i32>>,
    generations: HashMap<i32, i64>,
    /// Per tag, the latest publication instant that has passed among its articles: it moves
    /// when a scheduled article under the tag falls due, without any write.
    watermarks: HashMap<i32, i64>,
}

impl TagScopes {
    /// True when a live tag holds `slug` (not only as an old slug).
    pub fn is_live(&self, slug: &str) -> bool {
        self.live.contains(slug)
    }

    /// The generation and due watermark of every tag the `slugs` reach, by id; `None` when
    /// a slug names no tag (the read will fail, and takes the site's validator).
    pub fn generations(&self, slugs: &[String]) -> Option<Vec<(i32, i64, i64)>> {
        let mut ids = Vec::new();
        for slug in slugs {
            let root = *self.by_slug.get(slug)?;
            let start = ids.len();
            ids.push(root);
            let mut i = start;
            while i < ids.len() {
                if let Some(kids) = self.children.get(&ids[i]) {
                    for &k in kids {
                        // A parent loop is refused on write; this only keeps a walk finite.
                        if !ids[start..].contains(&k) {
                            ids.push(k);
                        }
                    }
                }
                i += 1;
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Some(
            ids.into_iter()
                .map(|id| {
                    let generation = self.generations.get(&id).copied().unwrap_or(0);
                    (
                        id,
                        generation,
                        self.watermarks.get(&id).copied().unwrap_or(0),
                    )
                })
                .collect(),
        )
    }
}

/// What list and feed validators are made of.
#[derive(Debug, Clone)]
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
    /// Moves with every change to a tag itself (names, parents, merges, deletes).
    pub tags_version: i64,
    /// The tag tree and generations, for validators of reads filtered by tags.
    pub scopes: Arc<TagScopes>,
    /// The next publication instant still ahead: the snapshot is stale from then on.
    valid_until: i64,
    /// What said "nothing committed since", read before the snapshot was.
    data_version: (i64, i64),
}

/// The file of the database `conn` serves; the probe must open the same one.
fn database_file(conn: &mut DbConn) -> StoreResult<String> {
    let file = super::database_file(conn)?;
    if file.is_empty() {
        // A second connection to an in-memory database would be another database.
        return Err(super::error::StoreError::Other(
            "the site watch needs a database file".into(),
        ));
    }
    Ok(file)
}

/// A connection of SQLite's own C API holding `PRAGMA data_version` prepared. Every hot
/// read asks it: through Diesel each ask parsed and planned the pragma again, a fifteenth
/// of a cached answer's time; a prepared statement only steps and resets.
struct Probe {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
}

// SAFETY: the handles are used by one thread at a time (the probe lives in a Mutex), and
// the library is built thread-safe (SQLite's default, serialized), so moving them between
// threads is allowed.
unsafe impl Send for Probe {}

impl Probe {
    fn open(path: &str) -> StoreResult<Probe> {
        let fail = |what: &str| super::error::StoreError::Other(format!("{what} {path}"));
        let c_path = std::ffi::CString::new(path).map_err(|_| fail("a NUL in the path of"))?;
        let mut probe = Probe {
            db: std::ptr::null_mut(),
            stmt: std::ptr::null_mut(),
        };
        // SAFETY: valid NUL-terminated strings and out-pointers; on failure Drop closes
        // whatever was opened (sqlite3_close and sqlite3_finalize accept null).
        unsafe {
            if ffi::sqlite3_open_v2(
                c_path.as_ptr(),
                &mut probe.db,
                ffi::SQLITE_OPEN_READWRITE,
                std::ptr::null(),
            ) != ffi::SQLITE_OK
            {
                return Err(fail("cannot open the data-version probe on"));
            }
            let sql = c"PRAGMA data_version";
            if ffi::sqlite3_prepare_v2(
                probe.db,
                sql.as_ptr(),
                -1,
                &mut probe.stmt,
                std::ptr::null_mut(),
            ) != ffi::SQLITE_OK
            {
                return Err(fail("cannot prepare the data-version probe on"));
            }
        }
        Ok(probe)
    }

    fn data_version(&mut self) -> Option<i64> {
        // SAFETY: `stmt` is a live statement of `db`, used by this thread alone (&mut).
        unsafe {
            let version = (ffi::sqlite3_step(self.stmt) == ffi::SQLITE_ROW)
                .then(|| ffi::sqlite3_column_int64(self.stmt, 0));
            ffi::sqlite3_reset(self.stmt);
            version
        }
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        // SAFETY: both accept null; the statement goes before its connection.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
            ffi::sqlite3_close(self.db);
        }
    }
}

/// The in-memory site state and what checks it is still current.
pub struct SiteWatch {
    /// On SQLite, a connection that never writes, so every commit anywhere changes its
    /// data_version; on PostgreSQL none (the counters are read through the pool).
    probe: Option<Mutex<Probe>>,
    /// On a PostgreSQL primary, the commits its listener heard: while it listens, a read
    /// needs no query.
    #[cfg(feature = "postgres")]
    heard: Option<Arc<super::notify::Heard>>,
    snapshot: Mutex<Option<SiteSnapshot>>,
}

#[derive(QueryableByName)]
struct Counters {
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = BigInt)]
    tags_version: i64,
}

/// The counters every committed write moves (articles and links move `version`, tags
/// `tags_version`): equal counters, nothing committed in between.
fn counters(conn: &mut Conn) -> StoreResult<(i64, i64)> {
    let c: Counters =
        diesel::sql_query("SELECT version, tags_version FROM site_state WHERE id = 1")
            .get_result(conn)?;
    Ok((c.version, c.tags_version))
}

impl SiteWatch {
    /// Watches the database `pool` serves, which `target` (`--db`) names: on SQLite with a
    /// probe on its file, on PostgreSQL by listening for commits on it.
    pub fn new(pool: &DbPool, target: &str) -> StoreResult<SiteWatch> {
        let mut conn = pool.get()?;
        match super::dialect(&conn) {
            super::Dialect::Sqlite => Ok(SiteWatch {
                probe: Some(Mutex::new(Probe::open(&database_file(&mut conn)?)?)),
                #[cfg(feature = "postgres")]
                heard: None,
                snapshot: Mutex::new(None),
            }),
            #[cfg(feature = "postgres")]
            super::Dialect::Postgres => Ok(SiteWatch {
                probe: None,
                heard: Some(super::notify::listen(target)),
                snapshot: Mutex::new(None),
            }),
            #[cfg(not(feature = "postgres"))]
            super::Dialect::Postgres => {
                let _ = target;
                Ok(SiteWatch::by_counters())
            }
        }
    }

    /// A watch that reads the site counters through the pool at every check: a replica's
    /// (notifications come from the primary, before the replica has replayed what they
    /// announce, so they cannot say when a replica's snapshot is current).
    pub fn by_counters() -> SiteWatch {
        SiteWatch {
            probe: None,
            #[cfg(feature = "postgres")]
            heard: None,
            snapshot: Mutex::new(None),
        }
    }

    async fn data_version(&self, pool: &DbPool) -> StoreResult<Option<(i64, i64)>> {
        match &self.probe {
            Some(probe) => Ok(probe
                .lock()
                .ok()
                .and_then(|mut p| p.data_version())
                .map(|v| (v, 0))),
            None => {
                // Negative, so never equal to counters (which are positive) when a watch
                // moves between the two ways of knowing.
                #[cfg(feature = "postgres")]
                if let Some((seen, own)) = self.heard.as_ref().and_then(|h| h.mark()) {
                    return Ok(Some((-1 - seen, -1 - own)));
                }
                super::run(pool, counters).await.map(Some)
            }
        }
    }

    /// The site state at `now`: from memory when nothing was committed since and nothing
    /// fell due, else read again (and remembered).
    pub async fn current(&self, pool: &DbPool, now: i64) -> StoreResult<SiteSnapshot> {
        // Read before the snapshot is loaded: a commit in between makes the snapshot look
        // older than it is, which costs one more load and is never stale.
        let dv = self.data_version(pool).await?;
        if let (Some(dv), Ok(guard)) = (dv, self.snapshot.lock())
            && let Some(s) = guard.as_ref()
            && s.data_version == dv
            && now < s.valid_until
        {
            return Ok(s.clone());
        }
        let mut fresh = super::run(pool, move |conn| load(conn, now)).await?;
        if let Some(dv) = dv {
            fresh.data_version = dv;
            if let Ok(mut guard) = self.snapshot.lock() {
                *guard = Some(fresh.clone());
            }
        }
        Ok(fresh)
    }
}

/// Reads the site state at `now`.
fn load(conn: &mut Conn, now: i64) -> StoreResult<SiteSnapshot> {
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
        .filter(articles::status.eq(crate::model::ArticleStatus::Published))
        .filter(articles::trashed_at.is_null())
        .filter(articles::pub_status.eq(crate::model::PubStatus::Usable))
        .filter(articles::sort_at.gt(now))
        .select(min(articles::sort_at))
        .first(conn)?;
    Ok(SiteSnapshot {
        tags_version: site.tags_version,
        scopes: Arc::new(scopes(conn, now)?),
        version: site.version,
        changed_at: site.changed_at,
        prev_changed_at: site.prev_changed_at,
        watermark,
        due_in_second,
        valid_until: next_due.unwrap_or(i64::MAX),
        data_version: (i64::MIN, i64::MIN),
    })
}

#[derive(QueryableByName)]
struct TagDue {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    tag_id: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    due: Option<i64>,
}

/// Reads the tag tree, the tags' generations and their due watermarks at `now`.
fn scopes(conn: &mut Conn, now: i64) -> StoreResult<TagScopes> {
    let mut scopes = TagScopes::default();
    // Old slugs first, so that a live tag holding a slug again wins.
    for (slug, id) in super::revisions::tag_redirects(conn)? {
        scopes.by_slug.insert(slug, id);
    }
    for t in super::tags::all(conn)? {
        if let Some(parent) = t.parent_id {
            scopes.children.entry(parent).or_default().push(t.id);
        }
        scopes.live.insert(t.slug.clone());
        scopes.by_slug.insert(t.slug, t.id);
    }
    scopes.generations = tag_generations::table
        .select((tag_generations::tag_id, tag_generations::generation))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    // One seek per tag in the links' (tag, status, trash, sort instant) index.
    let dues: Vec<TagDue> = diesel::sql_query(format!(
        "SELECT t.id AS tag_id, (SELECT MAX(l.sort_at) FROM article_tags l \
         WHERE l.tag_id = t.id AND l.status = '{}' AND l.trashed = FALSE AND l.sort_at <= {now}) AS due \
         FROM tags t",
        crate::model::ArticleStatus::Published.as_str()
    ))
    .load(conn)?;
    scopes.watermarks = dues
        .into_iter()
        .filter_map(|d| Some((d.tag_id, d.due?)))
        .collect();
    Ok(scopes)
}
