//! The log: env_logger's lines, written to stderr by a thread of their own. A request only
//! appends its access-log line to a buffer (no system call, no wake-up: a write per line was
//! a tenth of a cached answer's time); the writer writes what gathered every
//! [`FLUSH_EVERY`], or at once when it passes [`WAKE_AT`] bytes.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a line may wait to be written.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// Bytes waiting beyond this wake the writer before its time.
const WAKE_AT: usize = 64 * 1024;

/// Bytes waiting beyond this make loggers wait for the writer (stderr blocked): memory stays
/// bounded and no line is dropped.
const MAX_PENDING: usize = 1 << 20;

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    /// The writer holds bytes it took and has not written yet.
    writing: bool,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    changed: Condvar,
}

/// What env_logger writes each formatted line to.
struct Batched(Arc<Shared>);

impl Write for Batched {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut p = self
            .0
            .pending
            .lock()
            .map_err(|_| std::io::Error::other("the log writer panicked"))?;
        while p.bytes.len() > MAX_PENDING {
            p = self
                .0
                .changed
                .wait(p)
                .map_err(|_| std::io::Error::other("the log writer panicked"))?;
        }
        p.bytes.extend_from_slice(buf);
        if p.bytes.len() >= WAKE_AT {
            self.0.changed.notify_all();
        }
        Ok(buf.len())
    }

    /// The writer thread flushes; env_logger's flush after every line must not wait for it.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_forever(shared: Arc<Shared>) {
    let mut stderr = std::io::stderr();
    loop {
        let bytes = {
            let Ok(mut p) = shared.pending.lock() else {
                return;
            };
            p.writing = false;
            shared.changed.notify_all();
            while p.bytes.is_empty() {
                match shared.changed.wait_timeout(p, FLUSH_EVERY) {
                    Ok((next, _)) => p = next,
                    Err(_) => return,
                }
            }
            p.writing = true;
            std::mem::take(&mut p.bytes)
        };
        // Nowhere to report a failing stderr: the line is lost, as it would have been.
        let _ = stderr.write_all(&bytes);
        let _ = stderr.flush();
    }
}

/// Waits (a bounded time) until every line logged so far is written.
pub struct LogGuard(Arc<Shared>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        let Ok(mut p) = self.0.pending.lock() else {
            return;
        };
        while !p.bytes.is_empty() || p.writing {
            match self.0.changed.wait_timeout(p, Duration::from_secs(2)) {
                Ok((next, timeout)) if !timeout.timed_out() => p = next,
                _ => return,
            }
        }
    }
}

/// Starts the logger (`RUST_LOG`, `info` by default) and its writer thread.
pub fn init() -> LogGuard {
    let shared = Arc::new(Shared::default());
    let writer = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || write_forever(writer));
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if spawned.is_ok() {
        builder.target(env_logger::Target::Pipe(Box::new(Batched(Arc::clone(
            &shared,
        )))));
    }
    builder.init();
    LogGuard(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines written from many threads all reach the writer, whole and once each.
    #[test]
    fn every_line_is_handed_to_the_writer_whole() {
        let shared = Arc::new(Shared::default());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let mut w = Batched(Arc::clone(&shared));
                std::thread::spawn(move || {
                    for i in 0..500 {
                        w.write_all(format!("thread {t} line {i}\n").as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = String::from_utf8(shared.pending.lock().unwrap().bytes.clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), 2000);
    }
}
