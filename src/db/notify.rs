//! Commits heard from PostgreSQL, so that a node's in-memory site state follows writes made
//! on any node without asking the database on every read. A trigger on the site counters
//! (migration `000003_notify`) notifies `anbaa_site` in every write transaction; one thread
//! per node holds a connection to the primary that `LISTEN`s, and counts what it hears.
//! While it is not connected (start-up, a lost connection, a failover) the count is not
//! trusted and every read asks the database instead: a lost listener costs a round trip per
//! read, never a stale answer. Each reconnection counts as a commit, so what was missed while
//! deaf is read again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

/// The channel the trigger notifies.
const CHANNEL: &str = "anbaa_site";

/// How often the listener reads its socket: the most a notification waits in it.
const POLL: Duration = Duration::from_millis(5);

/// How often the listener proves its connection is alive (a silently dropped connection
/// raises no error until something is sent).
const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long the listener waits before connecting again.
const RETRY: Duration = Duration::from_millis(500);

/// Listeners of this process connected right now (for `/metrics`).
static CONNECTED: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// How many listeners of this process are connected and listening.
pub fn connected() -> i64 {
    CONNECTED.load(Ordering::Acquire)
}

/// Counts a listener as connected while it lives.
struct Connected;

impl Connected {
    fn new() -> Connected {
        CONNECTED.fetch_add(1, Ordering::AcqRel);
        Connected
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        CONNECTED.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Commits this process made itself, counted as they commit: a node reads its own writes
/// at once, before its listener hears of them.
static OWN_COMMITS: AtomicU64 = AtomicU64::new(0);

/// Counts a commit of this process (called after every successful write transaction).
pub fn committed() {
    OWN_COMMITS.fetch_add(1, Ordering::AcqRel);
}

/// What the listener has heard.
#[derive(Debug, Default)]
pub struct Heard {
    seen: AtomicU64,
    listening: AtomicBool,
}

impl Heard {
    /// A mark that changes with every commit anywhere, or `None` while nothing listens.
    pub fn mark(&self) -> Option<(i64, i64)> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let seen = self.seen.load(Ordering::Acquire);
        let own = OWN_COMMITS.load(Ordering::Acquire);
        // A second look: a reconnection between the two loads would make the pair mean
        // nothing.
        self.listening
            .load(Ordering::Acquire)
            .then_some((seen as i64, own as i64))
    }

    fn deaf(&self) {
        self.listening.store(false, Ordering::Release);
        self.seen.fetch_add(1, Ordering::AcqRel);
    }
}

/// Starts listening on the primary at `url`; the thread ends when the returned `Heard` is
/// dropped (the server stopped).
pub fn listen(url: &str) -> Arc<Heard> {
    let heard = Arc::new(Heard::default());
    let weak = Arc::downgrade(&heard);
    let url = url.to_owned();
    let started = std::thread::Builder::new()
        .name("anbaa-listen".into())
        .spawn(move || run(&url, &weak));
    if let Err(e) = started {
        log::error!("cannot start the PostgreSQL listener ({e}): every read asks the database");
    }
    heard
}

fn run(url: &str, weak: &Weak<Heard>) {
    let mut warned = false;
    loop {
        let Some(heard) = weak.upgrade() else { return };
        let conn = super::connect::postgres(url).and_then(|mut c| {
            c.batch_execute(&format!(
                "SET application_name = 'anbaa-listen'; LISTEN {CHANNEL}"
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
            Ok(c)
        });
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                heard.deaf();
                if !warned {
                    log::warn!("not listening for commits ({e}); reads ask the database");
                    warned = true;
                }
                drop(heard);
                std::thread::sleep(RETRY);
                continue;
            }
        };
        // Listening from here on: what commits later is heard; a reload (this count) makes
        // up for what committed before.
        heard.seen.fetch_add(1, Ordering::AcqRel);
        heard.listening.store(true, Ordering::Release);
        let _connected = Connected::new();
        if warned {
            log::info!("listening for commits again");
        }
        drop(heard);
        let mut alive = Instant::now();
        loop {
            let Some(heard) = weak.upgrade() else { return };
            let mut n = 0;
            let mut lost = false;
            for note in conn.notifications_iter() {
                match note {
                    Ok(_) => n += 1,
                    Err(_) => {
                        lost = true;
                        break;
                    }
                }
            }
            if n > 0 {
                heard.seen.fetch_add(n, Ordering::AcqRel);
            }
            if !lost && alive.elapsed() >= HEARTBEAT {
                lost = conn.batch_execute("SELECT 1").is_err();
                alive = Instant::now();
            }
            if lost {
                heard.deaf();
                log::warn!("lost the commit listener; reads ask the database until it is back");
                warned = true;
                break;
            }
            drop(heard);
            std::thread::sleep(POLL);
        }
    }
}
