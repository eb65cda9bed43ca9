//! The commands on the data itself: `migrate`, `migrate-store`, `import`, `export`,
//! `backup`, `reindex`.

use super::CliResult;
use crate::db;

pub(super) fn migrate(db_target: &str) -> CliResult {
    let n = db::migrate(db_target)?;
    let target = db::target::redacted(db_target);
    match n {
        0 => println!("{target}: up to date, no migration pending."),
        1 => println!("{target}: 1 migration applied."),
        n => println!("{target}: {n} migrations applied."),
    }
    Ok(())
}

pub(super) fn reindex(db_path: &str) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    let started = std::time::Instant::now();
    let n = db::fts::reindex_all(&mut conn)?;
    println!(
        "Reindexed {n} articles in {:.2} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs an import; returns how many lines were rejected.
pub(super) fn import(
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
    let opts = crate::bulk::ImportOptions {
        create_tags,
        dry_run,
        by,
    };
    let report = crate::bulk::import(&mut conn, input, size, &opts);
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

/// Where an export in ninjs says the articles live.
pub(super) struct NinjsSite {
    pub(super) public_url: String,
    pub(super) article_url: Option<String>,
    pub(super) copyright_holder: Option<String>,
    pub(super) usage_terms: Option<String>,
}

pub(super) fn export(db_path: &str, output: Option<&str>, ninjs: Option<NinjsSite>) -> CliResult {
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    if let Some(s) = ninjs {
        let codes = crate::service::articles::tag_codes(&mut conn)?;
        let site = crate::formats::Site {
            api_base: s.public_url.trim_end_matches('/').to_owned(),
            page_template: s.article_url.as_deref(),
            url: None,
            name: "",
            logo: None,
            copyright_holder: s.copyright_holder.as_deref(),
            usage_terms: s.usage_terms.as_deref(),
            codes: &codes,
        };
        let n = match output {
            Some(path) => {
                let f = std::fs::File::create_new(path).map_err(|e| {
                    format!("cannot write {path} (an export never overwrites): {e}")
                })?;
                crate::bulk::export_ninjs(&mut conn, &mut std::io::BufWriter::new(f), &site)?
            }
            None => crate::bulk::export_ninjs(
                &mut conn,
                &mut std::io::BufWriter::new(std::io::stdout().lock()),
                &site,
            )?,
        };
        eprintln!("exported {n} public articles as ninjs");
        return Ok(());
    }
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
            crate::bulk::export(&mut conn, &mut std::io::BufWriter::new(f))?
        }
        None => crate::bulk::export(
            &mut conn,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        )?,
    };
    eprintln!("exported {n} articles");
    Ok(())
}

pub(super) fn backup(db_path: &str, path: &str) -> CliResult {
    if let db::target::Target::Postgres(url) = db::target::Target::parse(db_path) {
        return Err(format!(
            "{} is PostgreSQL: `anbaa backup` copies an SQLite file; back PostgreSQL up with its \
             own tools (pg_dump -Fc, or base backups with WAL archiving)",
            db::target::redacted(url)
        )
        .into());
    }
    if !std::path::Path::new(db_path).exists() {
        return Err(format!("no database at {db_path}").into());
    }
    let pool = db::open(db_path)?;
    let mut conn = pool.get()?;
    let r = crate::db::backup::backup(&mut conn, path)?;
    println!(
        "backup written to {path}: {} articles, {:.1} MB in {:.2} s; integrity_check ok",
        r.articles,
        r.bytes as f64 / 1e6,
        r.elapsed.as_secs_f64()
    );
    Ok(())
}

/// `anbaa migrate-store`: an SQLite site into an empty PostgreSQL database, verified.
#[cfg(not(feature = "postgres"))]
pub(super) fn migrate_store(_from: &str, to: &str) -> CliResult {
    Err(format!(
        "migrate-store writes to PostgreSQL ({}): this build has no PostgreSQL support; build \
         with `cargo build --release --features postgres`",
        db::target::redacted(to)
    )
    .into())
}

/// `anbaa migrate-store`: an SQLite site into an empty PostgreSQL database, verified.
#[cfg(feature = "postgres")]
pub(super) fn migrate_store(from: &str, to: &str) -> CliResult {
    use std::io::IsTerminal;

    use db::target::{Target, redacted};
    let Target::Sqlite(path) = Target::parse(from) else {
        return Err(format!("--from {} must be an SQLite file", redacted(from)).into());
    };
    let Target::Postgres(url) = Target::parse(to) else {
        return Err(format!("--to {to} must be a postgresql:// URL").into());
    };
    // Opening would create an empty file: a mistyped path must not migrate nothing.
    if !std::path::Path::new(path).is_file() {
        return Err(format!("--from {path}: no such file").into());
    }
    let source = db::open(path)?;
    let mut source = source.get()?;
    let source = db::sqlite(&mut source).ok_or("the source is not SQLite")?;
    let target = db::open(url)?;
    let mut target = target.get()?;
    let started = std::time::Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<(&'static str, indicatif::ProgressBar)> = None;
    let mut progress = |table: &'static str, done: u64, total: u64| {
        if !terminal {
            if done == total {
                eprintln!("copied {table}: {done}");
            }
            return;
        }
        if bar.as_ref().is_none_or(|(t, _)| *t != table) {
            if let Some((_, b)) = bar.take() {
                b.finish();
            }
            let b = indicatif::ProgressBar::new(total);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:>18} {wide_bar} {pos}/{len} {eta}")
            {
                b.set_style(style);
            }
            b.set_message(table);
            bar = Some((table, b));
        }
        if let Some((_, b)) = &bar {
            b.set_position(done);
        }
    };
    let reports = db::copy::copy(source, &mut target, &mut progress)?;
    if let Some((_, b)) = bar.take() {
        b.finish();
    }
    println!(
        "copied {path} to {} in {:.1} s and verified every table:",
        redacted(url),
        started.elapsed().as_secs_f64()
    );
    println!("  {:<19} {:>9}  sha-256 (source = target)", "table", "rows");
    for r in &reports {
        println!("  {:<19} {:>9}  {}  ok", r.table, r.rows, r.checksum);
    }
    Ok(())
}
