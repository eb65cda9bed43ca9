//! An in-process cache of public read responses, keyed by their strong validator. The
//! validator already changes with every write that could change the body (for reads
//! filtered by tags, only writes under those tags), every scheduled publication and every
//! part of the request the body depends on, so a key can never name a stale body:
//! invalidation is the ETag machinery itself. Answers under keys no request will name again
//! stay until the cache is full, which empties it: memory is bounded in bytes and entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse, web};

/// Most bytes of bodies kept; over it the cache starts again empty.
const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Larger answers are served but not kept (a page of a hundred whole articles, seldom asked
/// twice, would push out everything else). A feed of fifty whole articles (~450 KiB) is
/// kept: feeds are what partners poll most.
const MAX_ENTRY_BYTES: usize = 1024 * 1024;
/// Most entries kept.
const MAX_ENTRIES: usize = 4096;

/// One cached answer: the headers that describe the body, and the body.
struct Entry {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

/// The cache, shared by every worker.
#[derive(Default)]
pub struct ResponseCache {
    inner: Mutex<Inner>,
    /// One lock per key being built: concurrent misses of one key (every popular list right
    /// after a write) wait for the first build instead of each running the same query.
    building: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Held while this request builds the answer for its key; other requests for the key wait.
pub struct Building {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

/// The key a handler computed for this request, for the layer that stores the answer.
#[derive(Debug, Clone)]
pub struct CacheKey(pub String);

impl ResponseCache {
    /// A stored answer for `key`, rebuilt as a 200.
    fn get(&self, key: &str) -> Option<HttpResponse> {
        let entry = self.inner.lock().ok()?.entries.get(key).cloned()?;
        let mut res = HttpResponse::Ok();
        for (name, value) in &entry.headers {
            res.insert_header((name.clone(), value.clone()));
        }
        crate::metrics::CACHE.with_label_values(&["hit"]).inc();
        Some(res.body(entry.body.clone()))
    }

    /// A stored answer for `key`; on a miss, waits until no other request is building this
    /// key (then looks again) and returns the lock to hold while this one builds it.
    pub async fn get_or_build(&self, key: &str) -> Result<HttpResponse, Option<Building>> {
        if let Some(hit) = self.get(key) {
            return Ok(hit);
        }
        let lock = {
            let Ok(mut building) = self.building.lock() else {
                return Err(None);
            };
            if building.len() >= MAX_ENTRIES {
                // Keys whose build ended without an answer to keep (errors) pile up here.
                building.clear();
            }
            building.entry(key.to_owned()).or_default().clone()
        };
        let guard = lock.lock_owned().await;
        match self.get(key) {
            Some(hit) => Ok(hit),
            None => Err(Some(Building { _guard: guard })),
        }
    }

    /// Keeps an answer (a miss just happened).
    pub fn put(&self, key: CacheKey, headers: Vec<(HeaderName, HeaderValue)>, body: Bytes) {
        crate::metrics::CACHE.with_label_values(&["miss"]).inc();
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let CacheKey(key) = key;
        let mut emptied = false;
        if body.len() <= MAX_ENTRY_BYTES {
            if inner.bytes + body.len() > MAX_BYTES || inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
                inner.bytes = 0;
                emptied = true;
            }
            inner.bytes += body.len();
            inner
                .entries
                .insert(key.clone(), Arc::new(Entry { headers, body }));
        }
        drop(inner);
        if emptied {
            give_back_freed_memory();
        }
        // Whoever waits for this key holds the lock's Arc and will find the answer.
        if let Ok(mut building) = self.building.lock() {
            building.remove(&key);
        }
    }
}

/// Keeps a public read's answer in the response cache when its handler left a key for it
/// (a miss). Innermost, so the body is kept before compression.
pub async fn store(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let key = res
        .request()
        .extensions()
        .get::<crate::cache::CacheKey>()
        .cloned();
    let Some(key) = key else {
        return Ok(res);
    };
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res);
    }
    let Some(cache) = res
        .request()
        .app_data::<web::Data<crate::cache::ResponseCache>>()
        .cloned()
    else {
        return Ok(res);
    };
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    match body.try_into_bytes() {
        Ok(bytes) => {
            let keep = [
                header::CONTENT_TYPE,
                header::ETAG,
                header::LAST_MODIFIED,
                header::LINK,
                header::HeaderName::from_static("x-total-count"),
            ];
            let headers = keep
                .iter()
                .filter_map(|n| head.headers().get(n).map(|v| (n.clone(), v.clone())))
                .collect();
            cache.put(key, headers, bytes.clone());
            // Requests waiting for this key may go now: they will find it stored.
            drop(http_req.extensions_mut().remove::<crate::cache::Building>());
            Ok(ServiceResponse::new(
                http_req,
                head.set_body(BoxBody::new(bytes)),
            ))
        }
        Err(body) => Ok(ServiceResponse::new(http_req, head.set_body(body))),
    }
}

/// Returns the heap the emptied cache freed to the system: glibc keeps freed blocks for
/// reuse, and megabytes of bodies of every size stayed resident long after.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}
