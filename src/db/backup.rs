//! Online backups: `VACUUM INTO` a new file while the server serves and writes, then an
//! integrity check of the copy.

use super::Conn;
use std::time::{Duration, Instant};

use diesel::prelude::*;

/// Copies the database to `path` while it serves and writes (`VACUUM INTO`: one consistent
/// snapshot), then opens the copy and checks it with `PRAGMA integrity_check`.
pub fn backup(conn: &mut Conn, path: &str) -> Result<BackupReport, String> {
    if std::path::Path::new(path).exists() {
        return Err(format!(
            "{path} exists; choose a new file (a backup never overwrites)"
        ));
    }
    if super::dialect(conn) == super::Dialect::Postgres {
        return Err(
            "`anbaa backup` copies an SQLite file; a PostgreSQL database is backed up \
                    by the server's own tools (pg_dump, or base backups with WAL archiving)"
                .to_owned(),
        );
    }
    let started = Instant::now();
    diesel::sql_query("VACUUM INTO $1")
        .bind::<diesel::sql_types::Text, _>(path)
        .execute(conn)
        .map_err(|e| format!("backup to {path} failed: {e}"))?;
    let mut copy = SqliteConnection::establish(path)
        .map_err(|e| format!("cannot open the backup {path}: {e}"))?;
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut copy)
        .map_err(|e| format!("checking the backup failed: {e}"))?;
    let verdict: Vec<String> = checks.into_iter().map(|c| c.integrity_check).collect();
    if verdict != ["ok"] {
        return Err(format!(
            "the backup at {path} failed its integrity check: {}",
            verdict.join("; ")
        ));
    }
    let articles: i64 = super::schema::articles::table
        .count()
        .get_result(&mut copy)
        .map_err(|e| format!("reading the backup failed: {e}"))?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        articles,
        bytes,
        elapsed: started.elapsed(),
    })
}

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    /// Articles in the copy (trash included).
    pub articles: i64,
    /// Size of the copy.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
}
