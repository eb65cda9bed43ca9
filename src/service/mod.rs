//! What each request does to the store: validation, defaults, slugs, rendering, and the
//! transaction around them. Called by `routes`, calls `db`; knows nothing of HTTP.

pub mod articles;
pub mod changes;
pub mod live;
pub mod params;
pub mod sitemaps;
pub mod tags;
pub mod webhooks;
