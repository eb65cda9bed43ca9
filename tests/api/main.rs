//! Integration tests: the real server on port 0, a real database (an SQLite file, or with
//! `ANBAA_TEST_STORE=postgres` a PostgreSQL database), real HTTP.

mod articles;
mod auth;
pub mod browser;
mod bulk;
mod cli;
mod editorial;
mod errors;
mod failover;
mod feeds;
mod formats;
mod helpers;
mod lifecycle;
mod live;
mod migrate_store;
mod nodes;
mod openapi;
mod pagination;
mod proxy;
mod replicas;
mod search;
mod search_eval;
mod slugs;
mod store;
mod sync;
mod tags;
mod vocabularies;
mod webhooks;
