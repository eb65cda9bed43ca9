//! Opening connections: r2d2's connection manager for the store a target names, chosen by
//! its scheme (never by trying one backend and then the other), and the settings every new
//! connection gets: SQLite's per-connection PRAGMAs, PostgreSQL's session limits.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{Error, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;

use super::Conn;
use super::target::Target;

/// Page cache per pooled SQLite connection, in KiB. Small: the server keeps its hot answers
/// in its own response cache and the OS caches the file; eight large page caches were most
/// of its resident memory.
pub const CACHE_KIB: i64 = 1024;

/// How long a PostgreSQL statement may run, and a lock wait last, before it fails as busy:
/// a stuck query or a held lock costs a request a bounded wait, never a hang.
#[cfg(feature = "postgres")]
const PG_SESSION: &str = "SET idle_in_transaction_session_timeout = '60s'; \
     SET application_name = 'anbaa'; SET TIME ZONE 'UTC'";

/// The limits of [`PG_SESSION`] a request's statements run under; maintenance (building a
/// search index) lifts them for its own statements and sets them back.
pub const PG_LIMITS: &str = "SET statement_timeout = '30s'; SET lock_timeout = '5s'";

/// No limits, for maintenance statements that take as long as the data they cover.
pub const PG_NO_LIMITS: &str = "SET statement_timeout = 0; SET lock_timeout = 0";

/// Seconds libpq waits for a server that does not answer, unless the URL says otherwise: a
/// host that drops packets must fail a request in bounded time, not after TCP's minutes.
#[cfg(feature = "postgres")]
const CONNECT_TIMEOUT_S: u32 = 5;

/// The r2d2 manager of the store's connections.
#[derive(Debug, Clone)]
pub struct Manager {
    target: String,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    read_only: bool,
}

impl Manager {
    /// A manager for `--db`: an SQLite path or a PostgreSQL URL.
    pub fn new(target: &str) -> Manager {
        Manager {
            target: target.to_owned(),
            read_only: false,
        }
    }

    /// A manager for a PostgreSQL read replica: every session read-only, so a write sent
    /// there by mistake fails instead of landing on whatever the URL reached.
    pub fn read_only(url: &str) -> Manager {
        Manager {
            target: url.to_owned(),
            read_only: true,
        }
    }
}

/// Milliseconds sent data may stay unacknowledged before libpq drops the connection, unless
/// the URL says otherwise: a server that vanished from the network (no reset, no answer)
/// fails the statement in bounded time instead of hanging it on TCP's retransmissions (the
/// commit listener's heartbeat relies on it).
#[cfg(feature = "postgres")]
const TCP_USER_TIMEOUT_MS: u32 = 10_000;

/// The PostgreSQL URL with libpq's connect and TCP timeouts added where it has none.
#[cfg(feature = "postgres")]
pub fn with_connect_timeout(url: &str) -> String {
    let mut url = url.to_owned();
    for (key, value) in [
        ("connect_timeout", CONNECT_TIMEOUT_S),
        ("tcp_user_timeout", TCP_USER_TIMEOUT_MS),
    ] {
        if !url.contains(&format!("{key}=")) {
            let sep = if url.contains('?') { '&' } else { '?' };
            url = format!("{url}{sep}{key}={value}");
        }
    }
    url
}

/// Opens one SQLite connection with the server's PRAGMAs.
pub fn sqlite(path: &str) -> Result<SqliteConnection, Error> {
    let mut conn = SqliteConnection::establish(path).map_err(Error::ConnectionError)?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -{CACHE_KIB};"
    ))
    .map_err(Error::QueryError)?;
    Ok(conn)
}

/// Opens one PostgreSQL connection with the server's session settings.
#[cfg(feature = "postgres")]
pub fn postgres(url: &str) -> Result<diesel::pg::PgConnection, Error> {
    let mut conn = diesel::pg::PgConnection::establish(&with_connect_timeout(url))
        .map_err(Error::ConnectionError)?;
    conn.batch_execute(PG_SESSION).map_err(Error::QueryError)?;
    conn.batch_execute(PG_LIMITS).map_err(Error::QueryError)?;
    Ok(conn)
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    fn connect(&self) -> Result<Conn, Error> {
        match Target::parse(&self.target) {
            #[cfg(not(feature = "postgres"))]
            Target::Sqlite(path) => sqlite(path),
            #[cfg(feature = "postgres")]
            Target::Sqlite(path) => sqlite(path).map(super::Store::Sqlite),
            #[cfg(feature = "postgres")]
            Target::Postgres(url) => {
                let mut conn = postgres(url)?;
                if self.read_only {
                    conn.batch_execute("SET default_transaction_read_only = on")
                        .map_err(Error::QueryError)?;
                }
                Ok(super::Store::Postgresql(conn))
            }
            #[cfg(not(feature = "postgres"))]
            Target::Postgres(url) => Err(Error::ConnectionError(
                diesel::ConnectionError::BadConnection(format!(
                    "{} is a PostgreSQL URL: this build has no PostgreSQL support",
                    super::target::redacted(url)
                )),
            )),
        }
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Error> {
        conn.ping().map_err(Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::*;

    #[test]
    fn connect_and_tcp_timeouts_are_added_only_when_missing() {
        assert_eq!(
            with_connect_timeout("postgresql://a@h/d"),
            "postgresql://a@h/d?connect_timeout=5&tcp_user_timeout=10000"
        );
        assert_eq!(
            with_connect_timeout("postgresql://a@h1,h2/d?target_session_attrs=read-write"),
            "postgresql://a@h1,h2/d?target_session_attrs=read-write&connect_timeout=5&tcp_user_timeout=10000"
        );
        assert_eq!(
            with_connect_timeout("postgresql://h/d?connect_timeout=1&tcp_user_timeout=500"),
            "postgresql://h/d?connect_timeout=1&tcp_user_timeout=500"
        );
    }
}
