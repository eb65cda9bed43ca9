//! The sender: a task beside the HTTP workers that drains the webhook outbox. Each endpoint
//! gets one delivery at a time, oldest first (so a healthy receiver sees events in order),
//! up to `--webhook-concurrency` endpoints at once; a slow partner holds one of those places
//! and nothing else: reads and writes never wait for it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::guard::{PublicOnly, refused_literal};
use super::sign;
use crate::config::Settings;
use crate::db::error::StoreError;
use crate::db::models::{DeliveryRow, WebhookRow};
use crate::db::webhooks::{Attempt, Then};
use crate::db::{self, DbPool, now_micros};

/// How often the sender looks for due deliveries (and for publications falling due).
const TICK: Duration = Duration::from_millis(200);
/// Deliveries one claim of an endpoint sends before giving others their turn.
const BATCH: usize = 50;
/// Jitter added to each retry wait, at most this fraction of it.
const JITTER: f64 = 0.2;

/// What the sender needs.
#[derive(Clone)]
pub struct Sender {
    pool: DbPool,
    client: reqwest::Client,
    schedule: Arc<Vec<Duration>>,
    places: Arc<Semaphore>,
    timeout: Duration,
    allow_private: bool,
}

impl Sender {
    /// A sender over `pool` configured by `settings` (its retry schedule already checked).
    pub fn new(pool: DbPool, settings: &Settings) -> Result<Sender, String> {
        super::install_tls();
        let timeout = Duration::from_secs(u64::from(settings.webhook_timeout));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("anbaa-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: settings.webhook_allow_private,
            }))
            .build()
            .map_err(|e| format!("the webhook client: {e}"))?;
        let concurrency = settings.webhook_concurrency as usize;
        Ok(Sender {
            pool,
            client,
            schedule: Arc::new(settings.retry_schedule()?),
            places: Arc::new(Semaphore::new(concurrency)),
            timeout,
            allow_private: settings.webhook_allow_private,
        })
    }

    /// Runs until the system stops: every tick, publications that fell due enter the log
    /// (and the outbox), then each endpoint with a due delivery is claimed and served.
    pub async fn run(self) {
        loop {
            actix_web::rt::time::sleep(TICK).await;
            let free = self.places.available_permits();
            if free == 0 {
                continue;
            }
            let due = db::run(&self.pool, move |conn| -> Result<Vec<i32>, StoreError> {
                if !db::webhooks::any_enabled(conn)? {
                    return Ok(Vec::new());
                }
                let now = now_micros();
                // An embargo lifting or a scheduled story falling due is announced at that
                // instant, not at the next write or poll.
                if db::changes::needs_sweep(conn, now)? {
                    db::immediate(conn, |conn| db::changes::sweep(conn, now))?;
                }
                db::webhooks::due_endpoints(conn, now, free as i64)
            })
            .await;
            let due = match due {
                Ok(due) => due,
                Err(e) => {
                    log::warn!("webhooks: the outbox could not be read: {e}");
                    continue;
                }
            };
            for id in due {
                let Ok(place) = self.places.clone().try_acquire_owned() else {
                    break;
                };
                let me = self.clone();
                actix_web::rt::spawn(async move {
                    me.serve(id).await;
                    drop(place);
                });
            }
        }
    }

    /// How long a claim holds: one attempt's timeout and time to record it.
    fn lease(&self) -> i64 {
        (self.timeout.as_micros() as i64) + 10_000_000
    }

    /// Claims endpoint `id` and sends its due deliveries, oldest first, one at a time.
    async fn serve(&self, id: i32) {
        let lease = self.lease();
        let claimed = db::run(&self.pool, move |conn| {
            let now = now_micros();
            db::webhooks::claim(conn, id, now, now + lease)
        })
        .await;
        if !matches!(claimed, Ok(true)) {
            return;
        }
        for _ in 0..BATCH {
            let next = db::run(&self.pool, move |conn| {
                let now = now_micros();
                // Each delivery renews the claim for its own attempt.
                let next = db::webhooks::next_due(conn, id, now)?;
                if next.is_some() {
                    db::webhooks::claim_again(conn, id, now + lease)?;
                }
                Ok::<_, StoreError>(next)
            })
            .await;
            let Ok(Some((delivery, endpoint))) = next else {
                break;
            };
            let attempt = self.attempt(&endpoint, &delivery).await;
            let gone = attempt.status == Some(410);
            let seq = delivery.seq;
            let recorded = db::run(&self.pool, move |conn| {
                db::immediate(conn, |conn| {
                    db::webhooks::settle(conn, seq, &attempt)?;
                    if gone {
                        db::webhooks::disable(
                            conn,
                            id,
                            "the endpoint answered 410 Gone",
                            now_micros(),
                        )?;
                    }
                    Ok::<_, StoreError>(())
                })
            })
            .await;
            if let Err(e) = recorded {
                log::warn!("webhooks: delivery {seq} was sent but not recorded: {e}");
                break;
            }
            if gone {
                log::warn!("webhooks: endpoint {id} answered 410 Gone and is disabled");
                break;
            }
        }
        let _ = db::run(&self.pool, move |conn| db::webhooks::release(conn, id)).await;
    }

    /// Sends one delivery and says what follows.
    async fn attempt(&self, w: &WebhookRow, d: &DeliveryRow) -> Attempt {
        let at = now_micros();
        let attempt_no = d.attempts as usize + 1;
        let retry = |status: Option<i32>, error: String, after: Option<Duration>| {
            let then = match self.schedule.get(attempt_no - 1) {
                None => Then::GiveUp,
                Some(wait) => {
                    let jitter = wait.mul_f64(JITTER * rand::random::<f64>());
                    let wait = (*wait + jitter).max(after.unwrap_or_default());
                    Then::Retry(at + wait.as_micros() as i64)
                }
            };
            Attempt {
                at,
                status,
                error: Some(error),
                then,
            }
        };
        if !self.allow_private
            && let Some(why) = refused_literal(&w.url)
        {
            return retry(
                None,
                format!("{why}; start the server with --webhook-allow-private to allow it"),
                None,
            );
        }
        let timestamp = at / 1_000_000;
        let mut secrets = vec![w.secret.as_str()];
        if let (Some(old), Some(until)) = (&w.previous_secret, w.previous_until)
            && until > at
        {
            secrets.push(old);
        }
        let signature = sign::header(&secrets, &d.msg_id, timestamp, &d.payload);
        let sent = self
            .client
            .post(&w.url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.payload.clone())
            .send()
            .await;
        match sent {
            Ok(res) if res.status().is_success() => Attempt {
                at,
                status: Some(i32::from(res.status().as_u16())),
                error: None,
                then: Then::Delivered,
            },
            Ok(res) if res.status() == reqwest::StatusCode::GONE => Attempt {
                at,
                status: Some(410),
                error: Some("410 Gone: the endpoint is disabled".to_owned()),
                then: Then::GiveUp,
            },
            Ok(res) => {
                let after = retry_after(res.headers(), at);
                let code = res.status();
                retry(
                    Some(i32::from(code.as_u16())),
                    format!("the endpoint answered {code}"),
                    after,
                )
            }
            Err(e) => retry(None, describe(&e), None),
        }
    }
}

/// A `Retry-After` header: seconds, or an HTTP date; at most a day.
fn retry_after(headers: &reqwest::header::HeaderMap, now: i64) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let secs = match v.parse::<u64>() {
        Ok(s) => s,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(v)
                .ok()?
                .timestamp_micros();
            u64::try_from((at - now) / 1_000_000).unwrap_or(0)
        }
    };
    Some(Duration::from_secs(secs.min(24 * 3600)))
}

/// What went wrong with a request, in a line for the deliveries log.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
