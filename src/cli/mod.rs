//! The `anbaa` command line: serve, keys, import, export, backup, reindex, openapi,
//! healthcheck. `main.rs` only calls `cli::main`; each command's work is in its module.

mod data;
mod keys;
mod logger;
mod serve;
mod webhooks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Settings;

/// A JSON REST content API for Arabic news.
#[derive(Parser)]
#[command(name = "anbaa", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (applies migrations first).
    Serve(Box<Settings>),
    /// Create, list and revoke API keys.
    Keys {
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db", global = true)]
        db: String,
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Register, list and delete webhook endpoints (as `POST/GET/DELETE /api/v1/webhooks`).
    Webhooks {
        /// SQLite database file, or a `postgresql://` URL.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db", global = true)]
        db: String,
        #[command(subcommand)]
        action: WebhooksCommand,
    },
    /// Apply pending migrations and exit: an SQLite file (as `serve` does on start), or a
    /// PostgreSQL database by URL (a build with `--features postgres`), once per cluster.
    Migrate {
        /// SQLite database file, or a `postgresql://` URL.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
        db: String,
    },
    /// Move a site from its SQLite file into an empty PostgreSQL database (a build with
    /// `--features postgres`): every table row for row, the change log with its sequence
    /// numbers (partners' cursors keep working), keys, then a verification of every table
    /// (row counts and a SHA-256 of its rows on both sides). All or nothing.
    MigrateStore {
        /// The SQLite database file to copy (read in one snapshot; a server may keep running).
        #[arg(long)]
        from: String,
        /// The PostgreSQL database to fill (migrated here if needed; must hold no content).
        #[arg(long)]
        to: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Rebuild the full-text search index from the articles.
    Reindex {
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
        db: String,
    },
    /// Import articles from JSON Lines (one article per line, as POST /api/v1/articles takes
    /// it, tags by slug): upserts by slug, reports every rejected line. `-` reads stdin.
    /// Exits 3 when some lines were rejected.
    Import {
        /// The .jsonl file, or `-` for standard input.
        file: String,
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
        db: String,
        /// Create tags that lines name and that do not exist (name = slug, kind topic).
        #[arg(long)]
        create_tags: bool,
        /// Check and apply everything, then roll it all back: nothing is written.
        #[arg(long)]
        dry_run: bool,
        /// Name recorded as the author of the changes.
        #[arg(long, default_value = "import")]
        by: String,
    },
    /// Export every live article as JSON Lines (the format `import` reads), in id order.
    Export {
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
        db: String,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<String>,
        /// `jsonl`: the taxonomy and every live article, as `import` reads them; `ninjs`:
        /// every public article as an IPTC ninjs 3.1 document per line.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// The API's public base URL, for the URIs ninjs documents carry.
        #[arg(
            long,
            env = "ANBAA_PUBLIC_URL",
            default_value = "http://localhost:8080"
        )]
        public_url: String,
        /// The page of an article on your site (`{slug}`, `{id}`), for ninjs renditions.
        #[arg(long, env = "ANBAA_ARTICLE_URL")]
        article_url: Option<String>,
        /// Copyright holder named in ninjs documents.
        #[arg(long, env = "ANBAA_COPYRIGHT_HOLDER")]
        copyright_holder: Option<String>,
        /// Usage terms named in ninjs documents.
        #[arg(long, env = "ANBAA_USAGE_TERMS")]
        usage_terms: Option<String>,
    },
    /// Copy the database to PATH while the server runs (one consistent snapshot), then
    /// verify the copy with PRAGMA integrity_check.
    Backup {
        /// Where the copy goes (must not exist).
        path: String,
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db")]
        db: String,
    },
    /// Exit 0 when the server answers /healthz (for container health checks without curl).
    Healthcheck {
        /// Address of the server.
        #[arg(long, env = "ANBAA_HEALTHCHECK_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a key; the key itself is printed once, alone on the last line.
    Create {
        /// A name for the key (recorded as the author of its changes).
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: write, read:drafts, read:embargoed, admin.
        #[arg(long, value_delimiter = ',', default_value = "write")]
        scopes: Vec<String>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id or prefix.
    Revoke {
        /// The key's id or prefix, as `keys list` shows.
        key: String,
    },
}

/// What `export` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// The taxonomy and every live article, as `import` reads them.
    Jsonl,
    /// Every public article as IPTC ninjs 3.1, one per line.
    Ninjs,
}

#[derive(Subcommand)]
pub(crate) enum WebhooksCommand {
    /// Register an endpoint; its secret is printed once, alone on the last line.
    Create {
        /// Where to POST deliveries.
        #[arg(long)]
        url: String,
        /// Comma-separated event types (default: every type).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        /// Comma-separated tag slugs to limit it to (default: every article).
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// The API's public base URL, for the URLs payloads carry.
        #[arg(
            long,
            env = "ANBAA_PUBLIC_URL",
            default_value = "http://localhost:8080"
        )]
        public_url: String,
        /// Allow a loopback or private address.
        #[arg(long, env = "ANBAA_WEBHOOK_ALLOW_PRIVATE")]
        allow_private: bool,
    },
    /// List endpoints (never their secrets) with what each has waiting.
    List,
    /// Delete an endpoint by id.
    Delete {
        /// The endpoint's id, as `webhooks list` shows.
        id: String,
    },
}

/// Runs the command line: parses it, runs the command, and says how it ended.
pub fn main() -> ExitCode {
    limit_malloc_arenas();
    let _log = logger::init();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    let result = match cli.command {
        Command::Serve(settings) => serve::serve(*settings),
        Command::Keys { db, action } => keys::keys(&db, action),
        Command::Webhooks { db, action } => webhooks::webhooks(&db, action),
        Command::Openapi => {
            print!("{}", crate::openapi::spec_json());
            Ok(())
        }
        Command::Healthcheck { addr } => serve::healthcheck(&addr),
        Command::Reindex { db } => data::reindex(&db),
        Command::Migrate { db } => data::migrate(&db),
        Command::MigrateStore { from, to } => data::migrate_store(&from, &to),
        Command::Import {
            file,
            db,
            create_tags,
            dry_run,
            by,
        } => match data::import(&file, &db, create_tags, dry_run, by) {
            Ok(0) => Ok(()),
            Ok(_) => return ExitCode::from(3),
            Err(e) => Err(e),
        },
        Command::Export {
            db,
            output,
            format,
            public_url,
            article_url,
            copyright_holder,
            usage_terms,
        } => data::export(
            &db,
            output.as_deref(),
            match format {
                ExportFormat::Jsonl => None,
                ExportFormat::Ninjs => Some(data::NinjsSite {
                    public_url,
                    article_url,
                    copyright_holder,
                    usage_terms,
                }),
            },
        ),
        Command::Backup { path, db } => data::backup(&db, &path),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anbaa: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Lets a command whose output goes into a pipe that closes early (`anbaa export | head`) end
/// quietly, as Unix tools do, instead of panicking on the failed write: the default SIGPIPE
/// action ends the process. Not for `serve`, whose sockets must see EPIPE as an error.
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to the default before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// What a command returns: nothing, or an error to print.
type CliResult = Result<(), Box<dyn std::error::Error>>;

/// glibc gives each thread that allocates its own arena (up to 8 per core), and freed memory
/// stays in them: under a burst of blocking database threads the resident set doubled for
/// nothing. Two arenas are plenty for a server whose threads mostly wait on SQLite.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
