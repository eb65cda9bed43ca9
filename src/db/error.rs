//! The store's own error: what went wrong in the database, in the store's terms. `error.rs`
//! decides what each means to an HTTP client.

/// A failed database operation.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A query that must find a row found none.
    #[error("no such row")]
    NotFound,
    /// A write broke a unique constraint.
    #[error("a row with that key exists: {0}")]
    Conflict(String),
    /// Another writer (an import, a backup) held the database past the busy timeout; nothing
    /// was written and the operation may simply be tried again.
    #[error("the database is busy with another write")]
    Busy,
    /// No connection could be had in time.
    #[error("no database connection: {0}")]
    Unavailable(String),
    /// Anything else: a bug or a broken database.
    #[error("database: {0}")]
    Other(String),
}

/// The result of a database operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => StoreError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(info.message().to_owned())
            }
            // SQLITE_BUSY after the busy timeout; on PostgreSQL, a serialization failure or a
            // lock or statement timeout: nothing was written, trying again may work.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => StoreError::Busy,
            Error::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("due to lock timeout")
                    || info.message().contains("due to statement timeout") =>
            {
                StoreError::Busy
            }
            // A PostgreSQL standby (or a primary demoted by a failover) refuses writes; a
            // connection lost mid-request: the store is down for now, not broken.
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, info) => {
                StoreError::Unavailable(format!(
                    "the database accepts no writes now (a standby, or a failover under way): {}",
                    info.message()
                ))
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_owned()),
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl From<diesel::r2d2::Error> for StoreError {
    fn from(e: diesel::r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;
    use diesel::result::{DatabaseErrorKind, Error};

    #[test]
    fn a_locked_database_is_busy_not_broken() {
        let locked = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("database is locked".to_owned()),
        );
        assert!(matches!(StoreError::from(locked), StoreError::Busy));
        let timed_out = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("canceling statement due to lock timeout".to_owned()),
        );
        assert!(matches!(StoreError::from(timed_out), StoreError::Busy));
    }

    #[test]
    fn a_database_that_refuses_writes_is_unavailable_not_broken() {
        let standby = Error::DatabaseError(
            DatabaseErrorKind::ReadOnlyTransaction,
            Box::new("cannot execute INSERT in a read-only transaction".to_owned()),
        );
        assert!(matches!(
            StoreError::from(standby),
            StoreError::Unavailable(m) if m.contains("read-only")
        ));
        let gone = Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection unexpectedly".to_owned()),
        );
        assert!(matches!(StoreError::from(gone), StoreError::Unavailable(_)));
    }
}
