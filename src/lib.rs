//! anbaa: a JSON REST content API for Arabic news. The binary in `main.rs` is a thin CLI
//! over this library, which tests start directly.

pub mod auth;
pub mod bulk;
pub mod cache;
pub mod cli;
pub mod conditional;
pub mod config;
pub mod db;
pub mod demo;
pub mod dto;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod formats;
pub mod limit;
pub mod metrics;
pub mod middleware;
pub mod model;
pub mod openapi;
pub mod paths;
pub mod push;
pub mod routes;
pub mod search;
pub mod service;
pub mod startup;
pub mod text;
pub mod validate;
