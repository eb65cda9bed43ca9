//! The change log as it moves: a long poll that answers as soon as an entry lands after a
//! cursor, and the Server-Sent Events stream of `/changes` (each event one log entry, its
//! `id:` the cursor to resume from). Both wait on the site watch, which knows from memory
//! whether anything was committed (SQLite's data version, PostgreSQL's notifications), so a
//! waiting client costs a database read only when something did.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use futures_util::Stream;

use super::changes::LogQuery;
use crate::db::source::Source;
use crate::db::{self, now_micros};
use crate::error::ApiError;

/// How often a waiting client looks at the site watch (an in-memory check unless something
/// was committed): the most an entry waits before it is sent.
const TICK: Duration = Duration::from_millis(50);

/// A comment line sent on an idle stream, so proxies and the client know it is alive; a
/// write is also how the server learns a client left (the second write to a closed
/// connection fails), so this bounds how long a gone client holds its place.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// Milliseconds a client waits before it reconnects (the stream's `retry:`).
const RETRY_MS: u32 = 2_000;

/// Entries read from the log per step of a stream.
const STEP: i64 = 100;

/// The change streams a server holds open, and how many it may: each holds a connection
/// and looks at the watch every tick, so past the cap a stream is refused with a 503 rather
/// than slowing every reader.
#[derive(Debug)]
pub struct Streams {
    open: AtomicUsize,
    max: usize,
}

impl Streams {
    /// No stream open yet; at most `max` at once.
    pub fn new(max: usize) -> Streams {
        Streams {
            open: AtomicUsize::new(0),
            max,
        }
    }

    /// Streams open now (for `/metrics`).
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

/// Whether the log holds entries after `since`, or publications fell due that the next
/// read of the log will enter.
fn moved_after(conn: &mut db::Conn, since: i64) -> Result<bool, ApiError> {
    Ok(db::changes::any_after(conn, since)? || db::changes::needs_sweep(conn, now_micros())?)
}

/// Refuses a cursor the log never issued (a 409, as `/changes` answers it), naming where
/// it came from (`since` or `Last-Event-ID`).
pub async fn check_cursor(source: &Source, name: &str, since: i64) -> Result<(), ApiError> {
    let last = db::run(source.pool(), db::changes::last_seq).await?;
    super::changes::ahead(name, since, last)
}

/// Waits until the log moves past `since` or `until` passes; says whether it moved.
pub async fn wait_after(source: &Source, since: i64, until: Instant) -> Result<bool, ApiError> {
    let mut seen = None;
    loop {
        let snapshot = source.watch().current(source.pool(), now_micros()).await?;
        let state = (snapshot.version, snapshot.watermark);
        if seen != Some(state) {
            seen = Some(state);
            if db::run(source.pool(), move |conn| moved_after(conn, since)).await? {
                return Ok(true);
            }
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        actix_web::rt::time::sleep(TICK.min(left)).await;
    }
}

/// A place in the count of open streams; leaving it (the stream dropped) frees it.
struct Slot(Arc<Streams>);

impl Slot {
    fn take(streams: Arc<Streams>) -> Option<Slot> {
        let open = streams.open.fetch_add(1, Ordering::SeqCst);
        if open >= streams.max {
            streams.open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(streams))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Where a stream stands between two steps.
struct Cursor {
    source: Source,
    since: i64,
    started: bool,
    _slot: Slot,
}

/// The events of the log after `since`, then of every entry as it lands, with a heartbeat
/// while idle. Each event is one `/changes` entry: `id:` its `seq` (send it back as
/// `Last-Event-ID` to resume), `event:` its `op`, `data:` the entry as `/changes` gives it.
/// Ends when the database fails (the client reconnects where it left off).
pub fn events(
    source: Source,
    since: i64,
    streams: Arc<Streams>,
) -> Result<impl Stream<Item = Result<Bytes, std::convert::Infallible>> + 'static, ApiError> {
    let max = streams.max;
    let slot = Slot::take(streams).ok_or_else(|| {
        ApiError::Unavailable(format!(
            "this node already serves {max} change streams (--max-streams); try again, or poll /api/v1/changes with wait"
        ))
    })?;
    let cursor = Cursor {
        source,
        since,
        started: false,
        _slot: slot,
    };
    Ok(futures_util::stream::unfold(
        Some(cursor),
        |state| async move {
            let mut cursor = state?;
            if !cursor.started {
                cursor.started = true;
                let hello = format!(
                    "retry: {RETRY_MS}\n: anbaa change stream after {}\n\n",
                    cursor.since
                );
                return Some((Ok(Bytes::from(hello)), Some(cursor)));
            }
            match step(&mut cursor).await {
                Ok(chunk) => Some((Ok(chunk), Some(cursor))),
                // One error event, then the end: the client's EventSource reconnects with the
                // last id it saw.
                Err(e) => {
                    log::warn!("change stream after {} ended: {e}", cursor.since);
                    let msg = serde_json::json!({"detail": e.to_string()}).to_string();
                    Some((
                        Ok(Bytes::from(format!("event: error\ndata: {msg}\n\n"))),
                        None,
                    ))
                }
            }
        },
    ))
}

/// The next chunk of a stream: the entries after its cursor, or a heartbeat after waiting.
async fn step(cursor: &mut Cursor) -> Result<Bytes, ApiError> {
    if !wait_after(&cursor.source, cursor.since, Instant::now() + HEARTBEAT).await? {
        return Ok(Bytes::from_static(b": heartbeat\n\n"));
    }
    let query = LogQuery {
        since: cursor.since,
        limit: STEP,
        wait: None,
    };
    let page = db::run(cursor.source.pool(), move |conn| {
        super::changes::list(conn, &query)
    })
    .await?;
    let mut out = String::new();
    for entry in &page.data {
        let data = serde_json::to_string(entry)
            .map_err(|e| ApiError::internal(format!("a change entry as JSON: {e}")))?;
        out.push_str(&format!(
            "id: {}\nevent: {}\ndata: {data}\n\n",
            entry.seq,
            entry.op.as_str()
        ));
    }
    cursor.since = page.next_since;
    if out.is_empty() {
        // Publications fell due and were swept into the log after this cursor's page.
        out.push_str(": swept\n\n");
    }
    Ok(Bytes::from(out))
}
