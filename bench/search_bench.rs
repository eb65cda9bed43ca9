//! Search benchmark: builds a deterministic corpus of generated Arabic articles (100,000 by
//! default), times indexing them, then serves them and measures search latency through HTTP.
//!
//! Run: `bench/search.sh` (or `cargo run --release --example search_bench -- 100000`).
//! With `ANBAA_BENCH_DB` set to an empty PostgreSQL database's URL (a `--features postgres`
//! build: `bench/search.sh 100000 postgresql://…`), the same corpus and queries run there;
//! with `ANBAA_BENCH_REUSE=1` a database that already holds them is only searched again.

use std::time::{Duration, Instant};

use anbaa::config::Settings;

#[path = "corpus.rs"]
mod corpus;
use anbaa::dto::tag::{TagCreate, TagKind};
use corpus::{CITIES, COUNTRIES, Rng, SEED, SUBJECTS, article, vocabulary};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let db_path = std::env::var("ANBAA_BENCH_DB")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let pool = anbaa::db::open(&db_path)?;
    let mut conn = pool.get()?;
    let sqlite = anbaa::db::dialect(&conn) == anbaa::db::Dialect::Sqlite;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let existing = {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT COUNT(*) AS n FROM articles")
            .get_result::<Count>(&mut *conn)?
            .n
    };
    // ANBAA_BENCH_REUSE: a database that already holds the corpus (a run before, the same
    // N) is searched again without importing it again.
    if std::env::var_os("ANBAA_BENCH_REUSE").is_some() && existing >= n as i64 {
        println!("reusing the {existing} articles already in the database");
    } else {
        for t in 0..60 {
            anbaa::service::tags::create(
                &mut conn,
                TagCreate {
                    slug: Some(format!("t{t}")),
                    name: Some(format!("وسم {t}")),
                    kind: Some(TagKind::Topic),
                    ..Default::default()
                },
            )?;
        }
        let mut rng = Rng(SEED);
        let vocab = vocabulary(&mut rng);
        // Two cores: one thread generates and prepares articles (Markdown, HTML, analysis), the
        // other writes them, 1,000 to a transaction.
        let started = Instant::now();
        // Readied as `anbaa import` readies a store for this many articles: on SQLite a larger
        // page cache and merges paused, on PostgreSQL the ranked index set aside until the end.
        let mode = anbaa::db::prepare_for_import(&mut conn, n as u64 * 3_000)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(512);
        let producer = std::thread::spawn(move || {
            for i in 0..n {
                let prepared =
                    anbaa::service::articles::prepare_create(article(&mut rng, &vocab, i));
                if tx.send(prepared).is_err() {
                    break;
                }
            }
        });
        let mut rx = rx.into_iter().peekable();
        while rx.peek().is_some() {
            anbaa::db::immediate::<_, anbaa::error::ApiError, _>(&mut conn, |conn| {
                let mut pending = anbaa::db::fts::Pending::default();
                for prepared in rx.by_ref().take(1000) {
                    anbaa::service::articles::create_prepared(
                        conn,
                        prepared?,
                        "bench",
                        anbaa::dto::article::RevisionAction::Import,
                        Some(&mut pending),
                    )?;
                }
                pending.write(conn)?;
                Ok(())
            })?;
        }
        producer.join().map_err(|_| "producer panicked")?;
        anbaa::db::finish_import(&mut conn, mode)?;
        let import = started.elapsed();
        let size = if sqlite {
            std::fs::metadata(&db_path)?.len()
                + std::fs::metadata(format!("{db_path}-wal"))
                    .map(|m| m.len())
                    .unwrap_or(0)
        } else {
            #[derive(diesel::QueryableByName)]
            struct Size {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                bytes: i64,
            }
            // The planner needs statistics of what was just loaded.
            diesel::connection::SimpleConnection::batch_execute(&mut *conn, "ANALYZE")?;
            use diesel::RunQueryDsl;
            diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes")
                .get_result::<Size>(&mut *conn)?
                .bytes as u64
        };
        drop(conn);
        println!(
            "imported and indexed {n} articles in {:.1} s ({:.0} articles/s); database {:.0} MiB",
            import.as_secs_f64(),
            n as f64 / import.as_secs_f64(),
            size as f64 / 1048576.0
        );
    }

    let (tx, rx) = std::sync::mpsc::channel();
    let mut settings = Settings::new("127.0.0.1:0", &db_path);
    settings.workers = Some(1);
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = anbaa::startup::Application::build(settings, pool).expect("server");
            tx.send(app.port()).expect("port");
            app.run_until_stopped().await
        })
    });
    let port = rx.recv()?;
    anbaa::push::install_tls();
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1/articles");

    let mut queries: Vec<(String, String)> = Vec::new();
    for c in COUNTRIES {
        for s in SUBJECTS.iter().take(6) {
            queries.push(("two words".into(), format!("{c} {s}")));
        }
    }
    for c in CITIES {
        queries.push(("one word".into(), (*c).to_owned()));
    }
    for s in SUBJECTS {
        queries.push(("phrase".into(), format!("\"{s} بين\"")));
        queries.push((
            "prefix".into(),
            format!("{}*", s.chars().skip(2).take(4).collect::<String>()),
        ));
    }
    queries.push(("variant".into(), "قيرغيزستان الغاز".into()));
    queries.push(("exclusion".into(), "النفط -روسيا".into()));
    // Warm up, then measure each kind.
    for (_, q) in queries.iter().take(20) {
        client
            .get(&base)
            .query(&[("q", q.as_str())])
            .send()?
            .bytes()?;
    }
    let mut kinds: Vec<String> = queries.iter().map(|(k, _)| k.clone()).collect();
    kinds.dedup();
    kinds.sort();
    kinds.dedup();
    println!("| query kind | requests | p50 ms | p99 ms | max ms |");
    println!("| --- | --- | --- | --- | --- |");
    for kind in kinds {
        let mut times = Vec::new();
        for round in 0..5 {
            for (i, (k, q)) in queries.iter().enumerate() {
                if *k != kind {
                    continue;
                }
                // Excluding a word no article has makes every request a new URL, so the
                // response cache never answers and each one is a real search.
                let q = format!("{q} -zq{round}x{i}");
                let t = Instant::now();
                let res = client
                    .get(&base)
                    .query(&[("q", q.as_str()), ("limit", "20")])
                    .send()?;
                assert!(res.status().is_success(), "{q}: {}", res.status());
                res.bytes()?;
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!(
            "| {kind} | {} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
