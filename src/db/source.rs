//! Where a request reads from: a pool and the site watch that validates what is read
//! through it. Writes, editors' reads and the change log use the primary; public reads use
//! a read replica when one is configured (`--read-database-url`), else the primary too. A
//! replica's answers are validated by the replica's own counters, so an answer and its ETag
//! always describe the same snapshot, however far the replica lags.

use std::sync::Arc;

use super::DbPool;
use super::watch::SiteWatch;

/// A pool with its site watch.
#[derive(Clone)]
pub struct Source {
    pool: DbPool,
    watch: Arc<SiteWatch>,
    replica: bool,
}

impl Source {
    /// The primary: `pool`, on the database `target` (`--db`) names, with a watch made
    /// for it.
    pub fn primary(pool: DbPool, target: &str) -> super::error::StoreResult<Source> {
        let watch = Arc::new(SiteWatch::new(&pool, target)?);
        Ok(Source {
            pool,
            watch,
            replica: false,
        })
    }

    /// A PostgreSQL read replica: nothing is asked of it until a request comes (a replica
    /// that is down must not stop the node from starting).
    pub fn replica(pool: DbPool) -> Source {
        Source {
            pool,
            watch: Arc::new(SiteWatch::by_counters()),
            replica: true,
        }
    }

    /// The pool.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The watch of what this pool reads.
    pub fn watch(&self) -> &SiteWatch {
        &self.watch
    }

    /// True for a read replica.
    pub fn is_replica(&self) -> bool {
        self.replica
    }
}

impl std::ops::Deref for Source {
    type Target = DbPool;

    fn deref(&self) -> &DbPool {
        &self.pool
    }
}

/// The primary and where public reads go (the primary again without a replica).
#[derive(Clone)]
pub struct Sources {
    /// Writes, editors' reads, the change log.
    pub primary: Source,
    /// Anonymous GETs of content, lists, search and feeds.
    pub public: Source,
}
