//! The store: the SQLite pool with its pragmas, embedded migrations, its connection type
//! (`Conn`), its own error (`StoreError`), transactions, and the one helper (`run`) through
//! which every query leaves the async workers. Nothing outside `db/` names Diesel or SQLite.

pub mod articles;
pub mod backup;
pub mod changes;
pub mod connect;
#[cfg(feature = "postgres")]
pub mod copy;
pub mod corrections;
pub mod error;
pub mod fts;
pub mod keys;
pub mod models;
#[cfg(feature = "postgres")]
pub mod notify;
#[cfg(test)]
mod parity;
mod rank;
pub mod revisions;
pub mod schema;
pub mod source;
pub mod tags;
pub mod target;
pub mod types;
pub mod watch;
pub mod webhooks;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use error::{StoreError, StoreResult};

/// The SQLite migrations (`/migrations/sqlite`), compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The PostgreSQL migrations (`/migrations/postgres`): the same versions, in that dialect.
#[cfg(feature = "postgres")]
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Connections in the pool.
pub const POOL_SIZE: usize = 8;

/// The store's connection: what services that own a unit of work receive. Without the
/// `postgres` feature it is SQLite's own connection, so the default build pays nothing for a
/// backend it cannot use.
#[cfg(not(feature = "postgres"))]
pub type Conn = SqliteConnection;

/// The store's connection: what services that own a unit of work receive. With the
/// `postgres` feature, one of two backends, chosen by the database URL; the same Diesel
/// code runs on both, and the few statements that must differ match on the variant.
#[cfg(feature = "postgres")]
pub type Conn = Store;

/// A connection to either store (the `postgres` feature).
#[cfg(feature = "postgres")]
#[derive(diesel::MultiConnection)]
#[allow(missing_docs)]
pub enum Store {
    /// A PostgreSQL server (a `postgresql://` URL).
    Postgresql(diesel::pg::PgConnection),
    /// An SQLite file.
    Sqlite(SqliteConnection),
}

/// The SQL dialect of a connection, for the few statements whose text must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Dialect {
    /// The larger of two values: SQLite's scalar `MAX`, PostgreSQL's `GREATEST` (where `MAX`
    /// is only an aggregate).
    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }

    /// SQLite's `INDEXED BY` hint for `index` (its planner misjudges a few list shapes);
    /// nothing for PostgreSQL, whose planner has statistics.
    pub fn indexed_by(self, index: &str) -> String {
        match self {
            Dialect::Sqlite => format!(" INDEXED BY {index}"),
            Dialect::Postgres => String::new(),
        }
    }

    /// A join whose left table SQLite must read first (`CROSS JOIN`, its documented order
    /// hint); a plain join on PostgreSQL, where `CROSS JOIN` takes no `ON`.
    pub fn join_in_order(self) -> &'static str {
        match self {
            Dialect::Sqlite => "CROSS JOIN",
            Dialect::Postgres => "JOIN",
        }
    }
}

/// The dialect `conn` speaks.
#[cfg(not(feature = "postgres"))]
pub fn dialect(_conn: &Conn) -> Dialect {
    Dialect::Sqlite
}

/// The dialect `conn` speaks.
#[cfg(feature = "postgres")]
pub fn dialect(conn: &Conn) -> Dialect {
    match conn {
        Store::Sqlite(_) => Dialect::Sqlite,
        Store::Postgresql(_) => Dialect::Postgres,
    }
}

/// The backend of [`Conn`], for code that names it (row selections).
pub type Db = <Conn as diesel::Connection>::Backend;

/// The shared connection pool.
pub type DbPool = Pool<connect::Manager>;
/// One connection checked out of the pool.
pub type DbConn = PooledConnection<connect::Manager>;

/// The SQLite connection under `conn`, for what only SQLite has (its C API, PRAGMAs).
#[cfg(not(feature = "postgres"))]
pub fn sqlite(conn: &mut Conn) -> Option<&mut SqliteConnection> {
    Some(conn)
}

/// The PostgreSQL connection under `conn`, for what only PostgreSQL has.
#[cfg(feature = "postgres")]
pub fn postgres(conn: &mut Conn) -> Option<&mut diesel::pg::PgConnection> {
    match conn {
        Store::Postgresql(c) => Some(c),
        Store::Sqlite(_) => None,
    }
}

/// The SQLite connection under `conn`, for what only SQLite has (its C API, PRAGMAs).
#[cfg(feature = "postgres")]
pub fn sqlite(conn: &mut Conn) -> Option<&mut SqliteConnection> {
    match conn {
        Store::Sqlite(c) => Some(c),
        Store::Postgresql(_) => None,
    }
}

pub use connect::CACHE_KIB;

/// Page cache for a bulk import, in KiB: FTS5 segment merges and the index B-trees reread
/// pages that a 1 MiB cache would have evicted.
pub const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// Errors while opening the database at start-up.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be opened or configured.
    #[error("cannot open database {path}: {source}")]
    Connect {
        /// The database path.
        path: String,
        /// The cause.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A migration failed.
    #[error("cannot apply migrations: {0}")]
    Migrate(Box<dyn std::error::Error + Send + Sync>),
    /// The target names a store this build or this command cannot use.
    #[error("{0}")]
    Unsupported(String),
}

/// Opens the store `db` names (creating an SQLite file if needed), applies pending
/// migrations and builds the pool.
pub fn open(db: &str) -> Result<DbPool, OpenError> {
    match target::Target::parse(db) {
        target::Target::Sqlite(path) => open_sqlite(path),
        target::Target::Postgres(url) => open_postgres(url),
    }
}

fn pool_builder(remote: bool) -> diesel::r2d2::Builder<connect::Manager> {
    // A server that is down refuses at once, and r2d2 keeps retrying until the timeout: on
    // PostgreSQL the request waits a few seconds for a failover, then gets its 503.
    let wait = if remote { 3 } else { 10 };
    Pool::builder()
        .max_size(POOL_SIZE as u32)
        .connection_timeout(Duration::from_secs(wait))
        .test_on_check_out(remote)
}

fn pool(db: &str, remote: bool) -> Result<DbPool, diesel::r2d2::PoolError> {
    pool_builder(remote).build(connect::Manager::new(db))
}

/// The pool of a PostgreSQL read replica for the primary `primary`: its sessions are
/// read-only, and nothing connects until the first read (a replica that is down does not
/// stop a node from starting; its reads get 503 until it answers). No migrations: a
/// standby replays the primary's.
pub fn open_replica(primary: &str, url: &str) -> Result<DbPool, OpenError> {
    let (target::Target::Postgres(_), target::Target::Postgres(_)) =
        (target::Target::parse(primary), target::Target::parse(url))
    else {
        return Err(OpenError::Unsupported(
            "--read-database-url needs a postgresql:// URL and a PostgreSQL primary \
             (--database-url): an SQLite file has no replicas"
                .to_owned(),
        ));
    };
    if !cfg!(feature = "postgres") {
        return open_postgres(url);
    }
    // Connections are renewed every minute: after a failover the pool fell back to the
    // primary (`prefer-standby` lists it last), and without renewal public reads would stay
    // there after a standby is back.
    Ok(pool_builder(true)
        .min_idle(Some(0))
        .max_lifetime(Some(REPLICA_CONNECTION_LIFETIME))
        .build_unchecked(connect::Manager::read_only(url)))
}

/// Runs `f` while no other process runs a closure given to `alone` on this database: on
/// PostgreSQL under a session advisory lock (waited for without the request limits), on
/// SQLite as it is (one process serves a file).
pub fn alone<T, E>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    if dialect(conn) != Dialect::Postgres {
        return f(conn);
    }
    unlimited(conn, |conn| {
        let lock = |conn: &mut Conn, sql: &str| conn.batch_execute(sql).map_err(StoreError::from);
        lock(conn, &format!("SELECT pg_advisory_lock({ALONE_LOCK})"))?;
        let outcome = f(conn);
        lock(conn, &format!("SELECT pg_advisory_unlock({ALONE_LOCK})"))?;
        outcome
    })
}

/// Runs `f` on a PostgreSQL connection without a request's statement and lock limits (for
/// work that takes as long as the data it covers, or waits its turn), then sets them back.
pub fn unlimited<T, E>(conn: &mut Conn, f: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    let set = |conn: &mut Conn, sql: &str| conn.batch_execute(sql).map_err(StoreError::from);
    set(conn, connect::PG_NO_LIMITS)?;
    let outcome = f(conn);
    set(conn, connect::PG_LIMITS)?;
    outcome
}

/// The advisory lock of [`alone`].
const ALONE_LOCK: i64 = 0x0061_6e62_6163;

/// How long a replica connection lives before it is renewed (and libpq picks a host again).
pub const REPLICA_CONNECTION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a closure like [`run`], waiting at most `wait` for a connection: for health checks,
/// which must answer within a load balancer's timeout even while a database is down.
pub async fn run_within<T, E, F>(pool: &DbPool, wait: std::time::Duration, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get_timeout(wait).map_err(StoreError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| E::from(StoreError::Other(format!("blocking task: {e}"))))?
}

fn open_sqlite(path: &str) -> Result<DbPool, OpenError> {
    rank::register();
    let connect_err = |e: Box<dyn std::error::Error + Send + Sync>| OpenError::Connect {
        path: path.to_owned(),
        source: e,
    };
    if let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| connect_err(Box::new(e)))?;
    }
    // WAL is a property of the file: set it once here, before r2d2 opens connections in
    // parallel, or they race for the lock that switching the journal mode needs.
    let mut first = connect::sqlite(path).map_err(|e| connect_err(Box::new(e)))?;
    first
        .batch_execute("PRAGMA journal_mode = WAL;")
        .map_err(|e| connect_err(Box::new(e)))?;
    first
        .run_pending_migrations(MIGRATIONS)
        .map_err(OpenError::Migrate)?;
    #[cfg(feature = "postgres")]
    let mut first = Store::Sqlite(first);
    if let Some(n) = fts::ensure_current(&mut first).map_err(|e| connect_err(Box::new(e)))? {
        log::info!("search index built by the current analyzer: {n} articles");
    }
    fts::ensure_merging(&mut first).map_err(|e| connect_err(Box::new(e)))?;
    drop(first);
    // r2d2 runs `SELECT 1` on every checkout when asked: a connection to a local file does
    // not go stale, and a broken one is still caught when it is returned.
    pool(path, false).map_err(|e| connect_err(Box::new(e)))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(url: &str) -> Result<DbPool, OpenError> {
    Err(OpenError::Unsupported(format!(
        "{} is a PostgreSQL URL: this build has no PostgreSQL support; build with \
         `cargo build --release --features postgres`",
        target::redacted(url)
    )))
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<DbPool, OpenError> {
    let connect_err = |e: Box<dyn std::error::Error + Send + Sync>| OpenError::Connect {
        path: target::redacted(url),
        source: e,
    };
    let mut first = connect::postgres(url).map_err(|e| connect_err(Box::new(e)))?;
    migrate_postgres(&mut first)?;
    let mut first = Store::Postgresql(first);
    if let Some(n) = fts::ensure_current(&mut first).map_err(|e| connect_err(Box::new(e)))? {
        log::info!("search index built by the current analyzer: {n} articles");
    }
    drop(first);
    // A server restarts and fails over: a pooled connection can be dead by the time it is
    // checked out, so each is tested first (one round trip).
    pool(url, true).map_err(|e| connect_err(Box::new(e)))
}

/// Applies pending PostgreSQL migrations, once per cluster: nodes starting together wait on
/// one session advisory lock, and whoever takes it second finds nothing pending.
#[cfg(feature = "postgres")]
pub fn migrate_postgres(conn: &mut diesel::pg::PgConnection) -> Result<(), OpenError> {
    let lock = |conn: &mut diesel::pg::PgConnection, sql: &str| {
        conn.batch_execute(sql)
            .map_err(|e| OpenError::Migrate(Box::new(e)))
    };
    lock(conn, &format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
    let outcome = conn
        .run_pending_migrations(PG_MIGRATIONS)
        .map(|_| ())
        .map_err(OpenError::Migrate)
        .and_then(|()| {
            fts::ensure_ranked_index(conn)
                .map(|_| ())
                .map_err(|e| OpenError::Migrate(Box::new(e)))
        });
    lock(
        conn,
        &format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"),
    )?;
    outcome
}

/// Applies pending migrations to the store `db` names and says how many ran: an SQLite
/// file as `open` does, a PostgreSQL database once per cluster. A server that does not
/// answer says so, with libpq's own words.
pub fn migrate(db: &str) -> Result<usize, OpenError> {
    match target::Target::parse(db) {
        target::Target::Sqlite(path) => {
            let before = applied_sqlite(path);
            let pool = open(path)?;
            let mut conn = pool.get().map_err(|e| OpenError::Connect {
                path: path.to_owned(),
                source: Box::new(e),
            })?;
            let after = conn.applied_migrations().map_err(OpenError::Migrate)?.len();
            Ok(after - before.min(after))
        }
        target::Target::Postgres(url) => migrate_postgres_url(url),
    }
}

/// Migrations already applied to an SQLite file (0 when it does not exist yet).
fn applied_sqlite(path: &str) -> usize {
    if !std::path::Path::new(path).exists() {
        return 0;
    }
    SqliteConnection::establish(path)
        .ok()
        .and_then(|mut c| c.applied_migrations().ok())
        .map_or(0, |v| v.len())
}

#[cfg(not(feature = "postgres"))]
fn migrate_postgres_url(url: &str) -> Result<usize, OpenError> {
    open_postgres(url).map(|_| 0)
}

#[cfg(feature = "postgres")]
fn migrate_postgres_url(url: &str) -> Result<usize, OpenError> {
    let mut conn = connect::postgres(url).map_err(|e| OpenError::Connect {
        path: target::redacted(url),
        source: Box::new(e),
    })?;
    let count = |conn: &mut diesel::pg::PgConnection| {
        conn.applied_migrations()
            .map(|v| v.len())
            .map_err(OpenError::Migrate)
    };
    // A database never migrated has no bookkeeping table yet: nothing applied.
    let before = count(&mut conn).unwrap_or(0);
    migrate_postgres(&mut conn)?;
    Ok(count(&mut conn)? - before)
}

/// The advisory lock PostgreSQL migrations run under.
#[cfg(feature = "postgres")]
const MIGRATION_LOCK: i64 = 0x0061_6e62_6162;

/// Runs a synchronous database closure on actix's blocking pool, with a pooled connection.
/// The closure's error type is the caller's, as long as a store error converts into it.
pub async fn run<T, E, F>(pool: &DbPool, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    run_within(pool, pool.connection_timeout(), f).await
}

/// Carries either the store's error or the caller's out of a Diesel transaction, which
/// needs an error type that a Diesel error converts into.
enum TxError<E> {
    Store(diesel::result::Error),
    Caller(E),
}

impl<E> From<diesel::result::Error> for TxError<E> {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Store(e)
    }
}

fn finish<T, E: From<StoreError>>(outcome: Result<T, TxError<E>>) -> Result<T, E> {
    outcome.map_err(|e| match e {
        TxError::Store(e) => E::from(StoreError::from(e)),
        TxError::Caller(e) => e,
    })
}

/// Runs `f` in a read transaction: it sees one snapshot of the database. Rolled back when
/// `f` fails.
pub fn transaction<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<StoreError>,
{
    finish(conn.transaction(|conn| f(conn).map_err(TxError::Caller)))
}

/// Runs `f` in a write transaction that takes the write lock first (`BEGIN IMMEDIATE`), so
/// its reads and checks stay true until it commits. Rolled back when `f` fails.
#[cfg(not(feature = "postgres"))]
pub fn immediate<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<StoreError>,
{
    finish(conn.immediate_transaction(|conn| f(conn).map_err(TxError::Caller)))
}

/// Runs `f` in a write transaction that takes the write lock first, so its reads and checks
/// stay true until it commits. Rolled back when `f` fails. On SQLite the lock is the
/// database's (`BEGIN IMMEDIATE`); on PostgreSQL one advisory lock serialises writers, so
/// the change log's sequence order is commit order (a partner's `/changes` cursor never
/// skips a write that commits late), under READ COMMITTED, where a waiting writer reads
/// what the one before it committed.
#[cfg(feature = "postgres")]
pub fn immediate<T, E, F>(conn: &mut Conn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<StoreError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <Conn as Connection>::TransactionManager;
    let begun = match conn {
        Store::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        Store::Postgresql(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL READ COMMITTED")
        }
    };
    begun.map_err(|e| E::from(StoreError::from(e)))?;
    let locked = match conn {
        Store::Sqlite(_) => Ok(()),
        Store::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
        }
    };
    let outcome = locked
        .map_err(|e| E::from(StoreError::from(e)))
        .and_then(|()| f(conn));
    match outcome {
        Ok(v) => match Manager::commit_transaction(conn) {
            Ok(()) => {
                notify::committed();
                Ok(v)
            }
            Err(e) => {
                let _ = Manager::rollback_transaction(conn);
                Err(E::from(StoreError::from(e)))
            }
        },
        Err(e) => {
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// The advisory lock every PostgreSQL write transaction takes (any constant: one lane).
#[cfg(feature = "postgres")]
const WRITE_LOCK: i64 = 0x0061_6e62_6161;

/// True inside a transaction (what a rollback could still undo).
pub fn in_transaction(conn: &mut Conn) -> bool {
    use diesel::connection::TransactionManager;
    <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_or(true, |depth| depth.is_some())
}

/// A query that touches nothing, to tell whether the database answers (`/readyz`).
pub fn ping(conn: &mut Conn) -> StoreResult<()> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

/// What a bulk import changed about a connection and its store, to be put back after it.
#[derive(Debug, Clone, Copy)]
pub struct ImportMode {
    ranked_index_aside: bool,
}

/// Bytes of JSON Lines input per article, roughly, to guess an import's size from its file.
const IMPORT_BYTES_PER_ARTICLE: u64 = 3_000;

/// Readies a store for a bulk import of about `bytes` of input. SQLite: a larger page cache
/// and search-segment merges paused. PostgreSQL: when the import is large against the
/// articles already there (more than 1 in 50, at least 500), the ranked search index gives
/// way to GIN until the end (`fts::set_ranked_index_aside`).
pub fn prepare_for_import(conn: &mut Conn, bytes: u64) -> StoreResult<ImportMode> {
    if dialect(conn) == Dialect::Postgres {
        #[derive(QueryableByName)]
        struct Rows {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let expected = bytes / IMPORT_BYTES_PER_ARTICLE;
        let existing = diesel::sql_query("SELECT COUNT(*) AS n FROM articles_search")
            .get_result::<Rows>(conn)?
            .n
            .max(0) as u64;
        let large = expected >= 500 && expected * 50 >= existing;
        let ranked_index_aside = large && fts::set_ranked_index_aside(conn)?;
        return Ok(ImportMode { ranked_index_aside });
    }
    conn.batch_execute(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB};"))?;
    fts::pause_merges(conn)?;
    Ok(ImportMode {
        ranked_index_aside: false,
    })
}

/// Puts a connection back as the server uses it after a bulk import: on SQLite merges the
/// search index segments it left and checkpoints the write-ahead log the import grew; on
/// PostgreSQL builds the ranked index again if the import set it aside.
pub fn finish_import(conn: &mut Conn, mode: ImportMode) -> StoreResult<()> {
    if dialect(conn) == Dialect::Postgres {
        if mode.ranked_index_aside {
            fts::restore_ranked_index(conn)?;
        }
        return Ok(());
    }
    fts::resume_merges(conn)?;
    conn.batch_execute(&format!(
        "PRAGMA wal_autocheckpoint = 1000; PRAGMA wal_checkpoint(PASSIVE); PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    Ok(())
}

#[derive(QueryableByName)]
struct DatabaseFile {
    #[diesel(sql_type = diesel::sql_types::Text)]
    file: String,
}

/// Which database `conn` serves, as a key for per-database memories (tag counts, phrase
/// counts): an SQLite file's path (empty for an in-memory database), or a PostgreSQL
/// database's server address and name.
pub fn database_file(conn: &mut Conn) -> StoreResult<String> {
    let sql = match dialect(conn) {
        Dialect::Sqlite => "SELECT file FROM pragma_database_list WHERE name = 'main'",
        Dialect::Postgres => {
            "SELECT 'postgresql://' || COALESCE(host(inet_server_addr()), 'local') || ':' \
             || COALESCE(inet_server_port(), 0)::text || '/' || current_database() AS file"
        }
    };
    Ok(diesel::sql_query(sql)
        .get_result::<DatabaseFile>(conn)?
        .file)
}

/// The steps of SQLite's plan for `sql` (for tests that lock a query's shape).
#[cfg(test)]
pub fn query_plan(conn: &mut Conn, sql: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load::<Step>(conn)
        .expect("a query a test plans is valid SQL")
        .into_iter()
        .map(|s| s.detail)
        .collect()
}

/// True when every embedded migration has been applied (for `/readyz`).
pub fn migrations_applied(conn: &mut Conn) -> StoreResult<bool> {
    let migrations = match dialect(conn) {
        Dialect::Sqlite => MIGRATIONS,
        #[cfg(feature = "postgres")]
        Dialect::Postgres => PG_MIGRATIONS,
        #[cfg(not(feature = "postgres"))]
        Dialect::Postgres => return Ok(false),
    };
    conn.has_pending_migration(migrations)
        .map(|pending| !pending)
        .map_err(|e| StoreError::Other(format!("checking migrations: {e}")))
}

/// False for text no stored value can equal: PostgreSQL's text cannot hold NUL (it refuses
/// the statement), and nothing stored holds one (validation refuses control characters),
/// so a lookup by such text finds nothing without asking, on both stores alike.
pub fn can_match(text: &str) -> bool {
    !text.contains('\0')
}

/// Current time as stored in the database: microseconds since the Unix epoch, UTC.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
