//! Builds the application: the shared state, the layers (`middleware/`, the rate limit and
//! the response cache), the routes and docs, and the listening server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::config::Settings;
use crate::db::DbPool;
use crate::db::source::{Source, Sources};
use crate::error::ApiError;
use crate::extract::BodyLimit;
use crate::limit::RateLimits;
use crate::middleware;
use crate::routes::{self, fallback::KnownRoutes};

/// A running server and the port it listens on.
pub struct Application {
    server: Server,
    addr: std::net::SocketAddr,
    sender: crate::push::sender::Sender,
}

impl Application {
    /// Binds `settings.bind` (port 0 picks a free one) and builds the server on one
    /// database.
    pub fn build(settings: Settings, pool: DbPool) -> std::io::Result<Application> {
        Application::build_with_replica(settings, pool, None)
    }

    /// As [`Application::build`], with public reads going to `replica` when given.
    pub fn build_with_replica(
        settings: Settings,
        pool: DbPool,
        replica: Option<DbPool>,
    ) -> std::io::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)?;
        let addr = listener.local_addr()?;
        // Built once, from the code: every worker serves these same bytes, which are also what
        // `anbaa openapi` prints and what `openapi/openapi.json` holds.
        let spec = crate::openapi::spec();
        let known = web::Data::new(KnownRoutes::from_spec(&spec));
        let spec = web::Data::new(routes::docs::SpecDocument::new(crate::openapi::to_json(
            &spec,
        )));
        let feed_ids = {
            let mut conn = pool
                .get()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            web::Data::new(routes::feeds::FeedIds::load(&mut conn, &settings))
        };
        let primary = Source::primary(pool.clone(), settings.database())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let sources = web::Data::new(Sources {
            public: replica.map_or_else(|| primary.clone(), Source::replica),
            primary,
        });
        let sender = crate::push::sender::Sender::new(pool.clone(), &settings)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let pool = web::Data::new(pool);
        let limit = web::Data::new(BodyLimit(settings.max_body_bytes));
        let workers = settings.workers;
        for origin in &settings.cors_origins {
            middleware::cors::check_origin(origin)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        if let Some(template) = &settings.article_url {
            Settings::check_article_url(template)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let origins = settings.cors_origins.clone();
        let limits = web::Data::new(
            RateLimits::new(settings.rate_limit, &settings.trusted_proxies)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        );
        let settings = web::Data::new(settings);
        let cache = web::Data::new(crate::cache::ResponseCache::default());
        let search_gate = web::Data::new(crate::search::SearchGate::per_core());
        let streams = web::Data::new(crate::service::live::Streams::new(
            settings.max_streams as usize,
        ));
        let metrics =
            crate::metrics::middleware(pool.get_ref().clone(), streams.clone().into_inner())
                .map_err(std::io::Error::other)?;
        let server =
            HttpServer::new(move || {
                App::new()
                    .app_data(pool.clone())
                    .app_data(sources.clone())
                    .app_data(limits.clone())
                    .app_data(cache.clone())
                    .app_data(search_gate.clone())
                    .app_data(streams.clone())
                    .app_data(settings.clone())
                    .app_data(limit.clone())
                    .app_data(known.clone())
                    .app_data(spec.clone())
                    .app_data(feed_ids.clone())
                    .app_data(web::PathConfig::default().error_handler(|e, _| {
                        ApiError::invalid_param("path", e.to_string()).into()
                    }))
                    .configure(|cfg| routes::configure(&mut ServiceConfig::new(cfg)))
                    .route("/openapi.json", web::get().to(routes::docs::openapi_json))
                    // The page reads the document above rather than a copy of its own.
                    .service(SwaggerUi::new("/docs/{_:.*}").config(Config::from("/openapi.json")))
                    .service(web::redirect("/docs", "/docs/"))
                    .default_service(web::to(routes::fallback::not_routed))
                    .wrap(from_fn(crate::cache::store))
                    .wrap(Compress::default())
                    .wrap(from_fn(crate::limit::middleware))
                    .wrap(metrics.clone())
                    .wrap(middleware::cors::cors(&origins))
                    .wrap(from_fn(middleware::context::request_context))
            })
            .shutdown_timeout(10);
        // More blocking threads than pooled connections would only queue for a connection,
        // each with its own stack and malloc arena: the pool is shared among the workers.
        let n_workers = workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let server = server
            .workers(n_workers)
            .worker_max_blocking_threads((crate::db::POOL_SIZE / n_workers).max(2))
            .listen(listener)?;
        Ok(Application {
            server: server.run(),
            addr,
            sender,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address the server listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// A handle that can stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGTERM and SIGINT stop it gracefully), the webhook sender
    /// running beside the workers.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let sender = actix_web::rt::spawn(self.sender.run());
        let done = self.server.await;
        sender.abort();
        done
    }
}
