//! `anbaa serve` and `anbaa healthcheck`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::CliResult;
use crate::config::Settings;
use crate::db;

pub(super) fn serve(settings: Settings) -> CliResult {
    for origin in &settings.cors_origins {
        crate::middleware::cors::check_origin(origin)?;
    }
    if let Some(template) = &settings.article_url {
        Settings::check_article_url(template)?;
    }
    let pool = db::open(settings.database())?;
    let replica = match &settings.read_database_url {
        Some(url) => Some(db::open_replica(settings.database(), url)?),
        None => None,
    };
    if settings.demo {
        let mut conn = pool.get()?;
        // Nodes started together on an empty database seed it once: the second waits for
        // the first and finds the content there.
        let added = db::alone(&mut conn, crate::demo::load)?;
        if added == 0 {
            log::info!("--demo: the database already has content; nothing added");
        }
    }
    let db_path = db::target::redacted(settings.database());
    let reads = match &settings.read_database_url {
        Some(url) => format!(", public reads from {}", db::target::redacted(url)),
        None => String::new(),
    };
    actix_web::rt::System::new().block_on(async move {
        let app = crate::startup::Application::build_with_replica(settings, pool, replica)?;
        log::info!(
            "anbaa serving http://{} (database {db_path}{reads}); docs at /docs/",
            app.addr()
        );
        app.run_until_stopped().await
    })?;
    Ok(())
}

pub(super) fn healthcheck(addr: &str) -> CliResult {
    let sock = addr
        .parse()
        .map_err(|e| format!("bad address {addr}: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&sock, Duration::from_secs(3))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    if reply.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", reply.lines().next().unwrap_or("no answer")).into())
    }
}
