//! The layers every request passes through, outermost first in `startup`: `context` (id,
//! problem+json, headers, access log), `cors`, then the rate limit (`limit.rs`) and the
//! response cache's store (`cache.rs`), beside the state they use.

pub mod context;
pub mod cors;
pub mod headers;
