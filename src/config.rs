//! Settings of the server, from flags and `ANBAA_*` environment variables; built once in
//! `main` and passed down, never global.

use clap::Args;

/// How `anbaa serve` runs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(long, env = "ANBAA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// SQLite database file (created with its folder on first start), or in a build with
    /// `--features postgres` a `postgresql://` URL.
    #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
    pub db: String,

    /// The primary PostgreSQL database, as a URL (a `--features postgres` build); when given,
    /// it is used instead of `--db`. libpq's multi-host form with
    /// `target_session_attrs=read-write` follows a failover with no restart.
    #[arg(long, env = "ANBAA_DATABASE_URL")]
    pub database_url: Option<String>,

    /// A PostgreSQL read replica (a hot standby), as a URL: anonymous GETs read from it,
    /// writes, reads with a key and the change log from the primary. List the primary last
    /// with `target_session_attrs=prefer-standby` to fall back to it when no standby answers.
    #[arg(long, env = "ANBAA_READ_DATABASE_URL")]
    pub read_database_url: Option<String>,

    /// Fill an empty database with demo articles and tags.
    #[arg(long, env = "ANBAA_DEMO")]
    pub demo: bool,

    /// Public base URL (e.g. https://api.example.org) used to make list links absolute;
    /// without it they are root-relative.
    #[arg(long, env = "ANBAA_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The page of an article on your site, as a template: `{slug}` (percent-encoded) and
    /// `{id}` are filled in, e.g. `https://example.org/news/{slug}`. Feed entries link there
    /// (a reader opens a page, not JSON); without it they link to the JSON API.
    #[arg(long, env = "ANBAA_ARTICLE_URL")]
    pub article_url: Option<String>,

    /// The site's home page (e.g. `https://example.org`): the publisher's URL in JSON-LD.
    #[arg(long, env = "ANBAA_SITE_URL")]
    pub site_url: Option<String>,

    /// The publication's name, in JSON-LD's publisher and the Google News sitemap.
    #[arg(long, env = "ANBAA_SITE_NAME", default_value = "أنباء")]
    pub site_name: String,

    /// The publisher's logo (an absolute URL), in JSON-LD.
    #[arg(long, env = "ANBAA_SITE_LOGO")]
    pub site_logo: Option<String>,

    /// Who holds the copyright of the articles, in ninjs and JSON-LD.
    #[arg(long, env = "ANBAA_COPYRIGHT_HOLDER")]
    pub copyright_holder: Option<String>,

    /// The terms partners may reuse the articles under, in ninjs and JSON-LD.
    #[arg(long, env = "ANBAA_USAGE_TERMS")]
    pub usage_terms: Option<String>,

    /// Largest accepted JSON body, in bytes.
    #[arg(long, env = "ANBAA_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// An origin (scheme://host[:port]) allowed to call the API from a browser, reads and
    /// writes; repeat for several. Without any, every origin may read and none may write.
    #[arg(long = "cors-origin", env = "ANBAA_CORS_ORIGIN", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Requests per second each anonymous client (IP address) may make, with bursts of
    /// twice that; 0 turns limiting off. Requests with a valid key are never limited.
    #[arg(long, env = "ANBAA_RATE_LIMIT", default_value_t = 50)]
    pub rate_limit: u32,

    /// A reverse proxy (IP address) whose `X-Forwarded-For` names the real client; repeat
    /// for several. Without it, `X-Forwarded-For` is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "ANBAA_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// Refuse every change to an existing article or tag that carries no `If-Match` with a
    /// 428, so a script that lost its ETag cannot silently overwrite a newer version.
    #[arg(long, env = "ANBAA_REQUIRE_IF_MATCH")]
    pub require_if_match: bool,

    /// Seconds a shared cache or a browser may reuse a public answer without asking
    /// (`Cache-Control: public, max-age=N, stale-while-revalidate=5N`): how long a change may
    /// take to reach readers through a proxy. 0 makes every reuse revalidate first.
    #[arg(long, env = "ANBAA_PUBLIC_MAX_AGE", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub public_max_age: u32,

    /// Change streams (`/api/v1/changes/stream`) this node holds open at once; past it a
    /// new one gets a 503 (each holds a connection and a file descriptor).
    #[arg(long, env = "ANBAA_MAX_STREAMS", default_value_t = 512,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_streams: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ANBAA_WORKERS")]
    pub workers: Option<usize>,

    /// Let webhooks reach loopback and private addresses (a receiver on this machine or the
    /// same network). Off by default: an endpoint must not turn the server against its own
    /// network.
    #[arg(long, env = "ANBAA_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,

    /// Webhook deliveries in flight at once (to different endpoints: one endpoint gets one
    /// at a time, in order).
    #[arg(long, env = "ANBAA_WEBHOOK_CONCURRENCY", default_value_t = 16,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub webhook_concurrency: u32,

    /// Seconds a webhook endpoint has to answer.
    #[arg(long, env = "ANBAA_WEBHOOK_TIMEOUT", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=60))]
    pub webhook_timeout: u32,

    /// The waits before each retry of a failed delivery (Standard Webhooks' schedule), each
    /// lengthened by up to 20% of jitter; a delivery that fails them all is given up.
    #[arg(
        long,
        env = "ANBAA_WEBHOOK_RETRY_SCHEDULE",
        default_value = "5s,5m,30m,2h,5h,10h,14h,20h,24h"
    )]
    pub webhook_retry_schedule: String,
}

impl Settings {
    /// Checks an `--article-url` template: an absolute http(s) URL naming `{slug}` or `{id}`.
    pub fn check_article_url(template: &str) -> Result<(), String> {
        let lower = template.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(format!(
                "--article-url `{template}` must be an absolute http(s) URL, e.g. https://example.org/news/{{slug}}"
            ));
        }
        if !template.contains("{slug}") && !template.contains("{id}") {
            return Err(format!(
                "--article-url `{template}` must name `{{slug}}` or `{{id}}`, e.g. https://example.org/news/{{slug}}"
            ));
        }
        Ok(())
    }

    /// The waits of `--webhook-retry-schedule`: durations such as `5s`, `5m`, `2h`, joined by
    /// commas.
    pub fn retry_schedule(&self) -> Result<Vec<std::time::Duration>, String> {
        let bad = |part: &str| {
            format!(
                "--webhook-retry-schedule: `{part}` is not a wait such as 5s, 5m or 2h (the list is comma-separated, e.g. 5s,5m,30m)"
            )
        };
        self.webhook_retry_schedule
            .split(',')
            .map(str::trim)
            .map(|part| {
                let (n, unit) = part.split_at(part.len().saturating_sub(1));
                let n: u64 = n.parse().map_err(|_| bad(part))?;
                let secs = match unit {
                    "s" => n,
                    "m" => n * 60,
                    "h" => n * 3600,
                    _ => return Err(bad(part)),
                };
                if secs > 48 * 3600 {
                    return Err(format!(
                        "--webhook-retry-schedule: `{part}` is longer than 48h"
                    ));
                }
                Ok(std::time::Duration::from_secs(secs))
            })
            .collect()
    }

    /// The `Cache-Control` of a public answer.
    pub fn public_cache_control(&self) -> String {
        let age = self.public_max_age;
        format!("public, max-age={age}, stale-while-revalidate={}", age * 5)
    }

    /// The primary database: `--database-url` when given, else `--db`.
    pub fn database(&self) -> &str {
        self.database_url.as_deref().unwrap_or(&self.db)
    }

    /// Settings for a server on `bind` with the database at `db`, everything else default
    /// (but no rate limit).
    pub fn new(bind: &str, db: &str) -> Settings {
        Settings {
            bind: bind.to_owned(),
            db: db.to_owned(),
            database_url: None,
            read_database_url: None,
            demo: false,
            public_url: None,
            article_url: None,
            site_url: None,
            site_name: "أنباء".to_owned(),
            site_logo: None,
            copyright_holder: None,
            usage_terms: None,
            max_body_bytes: 1024 * 1024,
            cors_origins: Vec::new(),
            // Library users (tests, benchmarks) opt in; the command line defaults to 50.
            rate_limit: 0,
            trusted_proxies: Vec::new(),
            require_if_match: false,
            public_max_age: 60,
            max_streams: 512,
            workers: None,
            webhook_allow_private: false,
            webhook_concurrency: 16,
            webhook_timeout: 15,
            webhook_retry_schedule: "5s,5m,30m,2h,5h,10h,14h,20h,24h".to_owned(),
        }
    }
}
