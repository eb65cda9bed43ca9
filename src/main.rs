//! The `anbaa` command line: serve, keys, import, export, backup, reindex, openapi,
//! healthcheck.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use anbaa::auth::{self, Scope};
use anbaa::config::Settings;
use anbaa::db;

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
    Serve(Settings),
    /// Create, list and revoke API keys.
    Keys {
        /// SQLite database file.
        #[arg(long, env = "ANBAA_DB", default_value = "data/anbaa.db", global = true)]
        db: String,
        #[command(subcommand)]
        action: KeysCommand,
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
enum KeysCommand {
    /// Create a key; the key itself is printed once, alone on the last line.
    Create {
        /// A name for the key (recorded as the author of its changes).
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: write, read:drafts, admin.
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

fn main() -> ExitCode {
    limit_malloc_arenas();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        quiet_on_closed_pipe();
    }
    let result = match cli.command {
        Command::Serve(settings) => serve(settings),
        Command::Keys { db, action } => keys(&db, action),
        Command::Openapi => {
            print!("{}", anbaa::openapi::spec_json());
            Ok(())
        }
        Command::Healthcheck { addr } => healthcheck(&addr),
        Command::Reindex { db } => reindex(&db),
        Command::Import {
            file,
            db,
            create_tags,
            dry_run,
            by,
        } => match import(&file, &db, create_tags, dry_run, by) {
            Ok(0) => Ok(()),
            Ok(_) => return ExitCode::from(3),
            Err(e) => Err(e),
        },
        Command::Export { db, output } => export(&db, output.as_deref()),
        Command::Backup { path, db } => backup(&db, &path),
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

type CliResult = Result<(), Box<dyn std::error::Error>>;

fn serve(settings: Settings) -> CliResult {
    for origin in &settings.cors_origins {
        anbaa::middleware::cors::check_origin(origin)?;
    }
    if let Some(template) = &settings.article_url {
        Settings::check_article_url(template)?;
    }
    let pool = db::open(&settings.db)?;
    if settings.demo {
        let mut conn = pool.get()?;
        let added = anbaa::demo::load(&mut conn)?;
        if added == 0 {
            log::info!("--demo: the database already has content; nothing added");
        }
    }
    let db_path = settings.db.clone();
    actix_web::rt::System::new().block_on(async move {
        let app = anbaa::startup::Application::build(settings, pool)?;
        log::info!(
            "anbaa serving http://{} (database {db_path}); docs at /docs/",
            app.addr()
        );
        app.run_until_stopped().await
    })?;
    Ok(())
}

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

fn keys(db_path: &str, action: KeysCommand) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    match action {
        KeysCommand::Create { name, scopes } => {
            let mut parsed = Vec::new();
            for s in &scopes {
                parsed.push(Scope::parse(s).ok_or_else(|| {
                    format!("unknown scope `{s}`; choose from write, read:drafts, admin")
                })?);
            }
            if name.trim().is_empty() {
                return Err("--name must not be empty".into());
            }
            let (token, row) = auth::generate(&name, &parsed, db::now_micros());
            let saved = db::keys::insert(&mut conn, &row)?;
            println!(
                "Created key {} ({}) named {:?} with scopes {}.",
                saved.id, saved.prefix, saved.name, saved.scopes
            );
            println!("It is shown only this once; store it now:");
            println!("{token}");
        }
        KeysCommand::List => {
            println!(
                "{:<4} {:<9} {:<24} {:<28} state",
                "id", "prefix", "name", "scopes"
            );
            for k in db::keys::all(&mut conn)? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<4} {:<9} {:<24} {:<28} {}",
                    k.id, k.prefix, k.name, k.scopes, state
                );
            }
        }
        KeysCommand::Revoke { key } => {
            let n = db::keys::revoke(&mut conn, &key, db::now_micros())?;
            if n == 0 {
                return Err(format!("no active key with id or prefix `{key}`").into());
            }
            println!("Revoked key {key}.");
        }
    }
    Ok(())
}

fn reindex(db_path: &str) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    let started = std::time::Instant::now();
    let n = db::search::reindex_all(&mut conn)?;
    println!(
        "Reindexed {n} articles in {:.2} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn healthcheck(addr: &str) -> CliResult {
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

/// Runs an import; returns how many lines were rejected.
fn import(
    file: &str,
    db_path: &str,
    create_tags: bool,
    dry_run: bool,
    by: String,
) -> Result<usize, Box<dyn std::error::Error>> {
    let (input, size): (Box<dyn std::io::BufRead + Send>, u64) = if file == "-" {
        (Box::new(std::io::BufReader::new(std::io::stdin())), 0)
    } else {
        let f = std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        (
            Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            size,
        )
    };
    // A dry run against a database that does not exist yet checks the file against an empty
    // one, without leaving a database behind.
    let scratch = (dry_run && !std::path::Path::new(db_path).exists())
        .then(|| std::env::temp_dir().join(format!("anbaa-dry-run-{}.db", std::process::id())));
    let path = scratch
        .as_ref()
        .map_or(db_path.to_owned(), |p| p.to_string_lossy().into_owned());
    let pool = db::open(&path)?;
    let mut conn = pool.get()?;
    let opts = anbaa::bulk::ImportOptions {
        create_tags,
        dry_run,
        by,
    };
    let report = anbaa::bulk::import(&mut conn, input, size, &opts);
    drop(conn);
    drop(pool);
    if let Some(p) = &scratch {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    }
    let report = report?;
    report.print(&mut std::io::stdout().lock(), dry_run)?;
    Ok(report.rejected.len())
}

fn export(db_path: &str, output: Option<&str>) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    let n = match output {
        Some(path) => {
            // As `backup`: an export never overwrites a file (it may be the only copy).
            let f = std::fs::File::create_new(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    format!("{path} exists; choose a new file (an export never overwrites)")
                } else {
                    format!("cannot write {path}: {e}")
                }
            })?;
            anbaa::bulk::export(&mut conn, &mut std::io::BufWriter::new(f))?
        }
        None => anbaa::bulk::export(
            &mut conn,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        )?,
    };
    eprintln!("exported {n} articles");
    Ok(())
}

fn backup(db_path: &str, path: &str) -> CliResult {
    if !std::path::Path::new(db_path).exists() {
        return Err(format!("no database at {db_path}").into());
    }
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    let r = anbaa::db::backup::backup(&mut conn, path)?;
    println!(
        "backup written to {path}: {} articles, {:.1} MB in {:.2} s; integrity_check ok",
        r.articles,
        r.bytes as f64 / 1e6,
        r.elapsed.as_secs_f64()
    );
    Ok(())
}
