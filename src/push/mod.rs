//! Pushing changes to partners: Standard Webhooks signatures (`sign`), the refusal of
//! private addresses (`guard`) and the sender task that drains the outbox (`sender`). What
//! to send is decided where changes are made (`db::webhooks::enqueue`); this module only
//! delivers it.

pub mod guard;
pub mod sender;
pub mod sign;

/// Makes ring the process's TLS crypto provider (once; later calls do nothing). The HTTP
/// client is built without a default one (the default, aws-lc-rs, needs cmake to build), so
/// every program that makes a client calls this first: the server, tests, benchmarks.
pub fn install_tls() {
    // rustls deprecates ring's provider for lacking post-quantum key exchange; webhook
    // payloads are public articles, and aws-lc-rs would need cmake on every build machine.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let _ = provider.install_default();
}
