//! `/metrics` in the Prometheus text format: requests by route template (never by raw path,
//! so random URLs cannot blow up the series) and status, latency histograms (actix-web-prom),
//! the database pool's connections, and conditional-GET outcomes.

use std::sync::LazyLock;

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};

use crate::db::DbPool;

/// How revalidations ended: `not_modified` (304, the client's copy is current) or
/// `modified` (a validator was sent but the body had changed).
pub static REVALIDATIONS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "anbaa_revalidations_total",
            "Conditional GETs by outcome: not_modified (304) or modified (full answer)",
        ),
        &["outcome"],
    )
    // Constant options: this cannot fail at run time.
    .expect("valid metric options")
});

/// Public reads answered from the response cache (`hit`) or built (`miss`).
pub static CACHE: LazyLock<IntCounterVec> = LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "anbaa_response_cache_total",
            "Cacheable public reads by outcome: hit (answered from memory) or miss (built)",
        ),
        &["result"],
    )
    // Constant options: this cannot fail at run time.
    .expect("valid metric options")
});

/// Reads the pool's state when Prometheus scrapes, so the numbers are current.
struct PoolCollector {
    pool: DbPool,
    change_streams: std::sync::Arc<crate::service::live::Streams>,
    open: IntGauge,
    idle: IntGauge,
    max: IntGauge,
    listeners: IntGauge,
    streams: IntGauge,
    descs: Vec<Desc>,
}

impl PoolCollector {
    fn new(
        pool: DbPool,
        change_streams: std::sync::Arc<crate::service::live::Streams>,
    ) -> prometheus::Result<PoolCollector> {
        let open = IntGauge::new(
            "anbaa_db_pool_connections",
            "Database connections open in the pool",
        )?;
        let idle = IntGauge::new(
            "anbaa_db_pool_idle_connections",
            "Open database connections not in use",
        )?;
        let max = IntGauge::new(
            "anbaa_db_pool_max_connections",
            "Largest number of connections the pool opens",
        )?;
        let listeners = IntGauge::new(
            "anbaa_commit_listeners",
            "Connections listening for commits on the PostgreSQL primary (0 on SQLite; 0 on \
             PostgreSQL means every read asks the database until the listener is back)",
        )?;
        let streams = IntGauge::new(
            "anbaa_change_streams",
            "Change streams (GET /api/v1/changes/stream) open on this node",
        )?;
        let descs = [&open, &idle, &max, &listeners, &streams]
            .iter()
            .flat_map(|g| g.desc().into_iter().cloned())
            .collect();
        Ok(PoolCollector {
            pool,
            change_streams,
            open,
            idle,
            max,
            listeners,
            streams,
            descs,
        })
    }
}

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let state = self.pool.state();
        self.open.set(i64::from(state.connections));
        self.idle.set(i64::from(state.idle_connections));
        self.max.set(i64::from(self.pool.max_size()));
        #[cfg(feature = "postgres")]
        self.listeners.set(crate::db::notify::connected());
        self.streams
            .set(i64::try_from(self.change_streams.open()).unwrap_or(i64::MAX));
        [
            &self.open,
            &self.idle,
            &self.max,
            &self.listeners,
            &self.streams,
        ]
        .iter()
        .flat_map(|g| g.collect())
        .collect()
    }
}

/// The middleware that counts requests and answers `GET /metrics`.
pub fn middleware(
    pool: DbPool,
    streams: std::sync::Arc<crate::service::live::Streams>,
) -> Result<PrometheusMetrics, String> {
    let registry = Registry::new();
    registry
        .register(Box::new(
            PoolCollector::new(pool, streams).map_err(|e| format!("pool metrics: {e}"))?,
        ))
        .map_err(|e| format!("pool metrics: {e}"))?;
    registry
        .register(Box::new(REVALIDATIONS.clone()))
        .map_err(|e| format!("revalidation metrics: {e}"))?;
    registry
        .register(Box::new(CACHE.clone()))
        .map_err(|e| format!("cache metrics: {e}"))?;
    PrometheusMetricsBuilder::new("anbaa")
        .registry(registry)
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNMATCHED")
        .buckets(&[
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ])
        .build()
        .map_err(|e| format!("metrics: {e}"))
}
