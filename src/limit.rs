//! Rate limits for anonymous clients, per IP address (the `governor` crate's GCRA keyed
//! limiter): `--rate-limit` requests a second with bursts of twice that; requests with a
//! valid key are not limited. Behind a reverse proxy the client address comes from
//! `X-Forwarded-For`, but only when the direct peer is a `--trusted-proxy`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::ApiError;

type Limiter =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// The per-IP limiter and how to find the client's address.
pub struct RateLimits {
    limiter: Option<Limiter>,
    per_second: u32,
    burst: u32,
    trusted: Vec<IpAddr>,
    seen: AtomicU64,
}

/// What the limiter decided for one request.
pub enum Verdict {
    /// Not limited (a key, a probe, or limits off).
    Exempt,
    /// Allowed; `remaining` requests left in the burst.
    Allowed {
        /// Burst size.
        limit: u32,
        /// Requests left right now.
        remaining: u32,
        /// Seconds until the burst is full again.
        reset: u64,
    },
    /// Refused: retry after this many seconds.
    Limited {
        /// Burst size.
        limit: u32,
        /// Seconds to wait.
        retry_after: u64,
    },
}

impl RateLimits {
    /// `per_second` of 0 turns limiting off.
    pub fn new(per_second: u32, trusted: &[String]) -> Result<RateLimits, String> {
        let trusted = trusted
            .iter()
            .map(|t| {
                t.parse::<IpAddr>().map_err(|_| {
                    format!("--trusted-proxy `{t}` is not an IP address (e.g. 127.0.0.1 or ::1)")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let burst = per_second.saturating_mul(2);
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>()
        });
        Ok(RateLimits {
            limiter,
            per_second,
            burst,
            trusted,
            seen: AtomicU64::new(0),
        })
    }

    /// The client's address: the peer, or with a trusted proxy as the peer, the last
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_ip(&self, req: &ServiceRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted.contains(&peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|ip| !self.trusted.contains(ip))
                .unwrap_or(peer),
        )
    }

    /// Counts one anonymous request from `ip`.
    pub fn check(&self, ip: IpAddr) -> Verdict {
        let Some(limiter) = &self.limiter else {
            return Verdict::Exempt;
        };
        // Forget addresses whose bucket is full again, now and then, so memory stays flat.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        match limiter.check_key(&ip) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = self.burst.saturating_sub(remaining);
                Verdict::Allowed {
                    limit: self.burst,
                    remaining,
                    reset: u64::from(used.div_ceil(self.per_second.max(1))),
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Verdict::Limited {
                    limit: self.burst,
                    retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                }
            }
        }
    }

    /// The requests per second this limiter allows (0: off).
    pub fn per_second(&self) -> u32 {
        self.per_second
    }
}

/// Adds the RateLimit-* headers of an allowed request.
pub fn headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: u64) {
    for (name, value) in [
        ("ratelimit-limit", limit.to_string()),
        ("ratelimit-remaining", remaining.to_string()),
        ("ratelimit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}

/// Limits anonymous clients per address. A request with a valid key is not limited (its
/// key is checked here once and handed to the handler); probes are never limited. Inside the
/// CORS layer, so a browser can read a 429 and its Retry-After.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let path = req.path();
    let probe = path == "/healthz" || path == "/readyz" || path == "/metrics";
    if limits.per_second() == 0 || probe || keyed(&req).await {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let verdict = match limits.client_ip(&req) {
        Some(ip) => limits.check(ip),
        None => crate::limit::Verdict::Exempt,
    };
    match verdict {
        crate::limit::Verdict::Limited { limit, retry_after } => {
            // An error response, so the outer layer renders it with the path and request id.
            let mut res = req.error_response(ApiError::RateLimited(retry_after));
            crate::limit::headers(res.headers_mut(), limit, 0, retry_after);
            Ok(res.map_into_boxed_body())
        }
        crate::limit::Verdict::Allowed {
            limit,
            remaining,
            reset,
        } => {
            let mut res = next.call(req).await?.map_into_boxed_body();
            crate::limit::headers(res.headers_mut(), limit, remaining, reset);
            Ok(res)
        }
        crate::limit::Verdict::Exempt => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}

/// True when the request carries a valid key; the verified caller is kept for the handler.
async fn keyed(req: &ServiceRequest) -> bool {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return false;
    }
    let (http, mut payload) = (req.request().clone(), actix_web::dev::Payload::None);
    match <crate::auth::Caller as actix_web::FromRequest>::from_request(&http, &mut payload).await {
        Ok(caller) if caller.0.is_some() => {
            req.extensions_mut().insert(caller);
            true
        }
        _ => false,
    }
}
