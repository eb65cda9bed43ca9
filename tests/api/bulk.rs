//! The bulk commands as a user runs them: `anbaa import`, `export` and `backup` on real files,
//! and crash safety: `kill -9` of a server under concurrent writers loses nothing it
//! acknowledged.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::start_server;

const BIN: &str = env!("CARGO_BIN_EXE_anbaa");

fn anbaa(args: &[&str], db: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run anbaa")
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn integrity(db: &Path) -> String {
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join(";")
}

#[test]
fn import_reports_every_bad_line_and_keeps_every_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("i.db");
    let file = dir.path().join("in.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    let mut bad_lines = Vec::new();
    let mut line = 0;
    for i in 0..300 {
        line += 1;
        let entry = match i % 50 {
            7 => {
                bad_lines.push(line);
                "{\"title\": \"مقطوع".to_owned()
            }
            13 => {
                bad_lines.push(line);
                json!({"title": "", "body": "نص"}).to_string()
            }
            21 => {
                bad_lines.push(line);
                json!({"title": "وسم مجهول", "tags": ["Not A Slug!"]}).to_string()
            }
            29 => {
                bad_lines.push(line);
                json!({"title": "حقل مجهول", "colour": "red"}).to_string()
            }
            33 => {
                bad_lines.push(line);
                "[1, 2, 3]".to_owned()
            }
            _ => json!({
                "slug": format!("item-{i}"),
                "title": format!("خبر رقم {i} من بيشكك"),
                "body": format!("نص الخبر رقم {i}.\n\nفقرة ثانية."),
                "status": "published",
                "published_at": "2026-05-01T08:00:00Z",
                "tags": ["kyrgyzstan"],
            })
            .to_string(),
        };
        writeln!(f, "{entry}").unwrap();
        if i == 100 {
            line += 1;
            writeln!(f).unwrap();
        }
    }
    drop(f);
    // The tag must exist (or --create-tags): create it through the tag-less path first.
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("0 created"), "{report}");
    assert!(report.contains("--create-tags"), "{report}");

    // Dry run: the full report, nothing written.
    let out = anbaa(
        &[
            "import",
            file.to_str().unwrap(),
            "--create-tags",
            "--dry-run",
        ],
        &db,
    );
    let report = text(&out);
    assert!(report.contains("dry run"), "{report}");
    assert!(report.contains("270 created"), "{report}");
    let exported = anbaa(&["export"], &db);
    assert!(exported.stdout.is_empty(), "a dry run writes nothing");

    let out = anbaa(&["import", file.to_str().unwrap(), "--create-tags"], &db);
    assert_eq!(out.status.code(), Some(3));
    let report = text(&out);
    assert!(
        report.contains("300 lines")
            && report.contains("270 created")
            && report.contains("30 rejected"),
        "{report}"
    );
    assert!(report.contains("tags created (1): kyrgyzstan"), "{report}");
    assert!(report.contains("must be a JSON object"), "{report}");
    for n in &bad_lines {
        assert!(
            report.contains(&format!("  line {n}: ")),
            "line {n} is reported: {report}"
        );
    }
    assert!(report.contains("title: must not be empty"), "{report}");
    assert!(report.contains("colour"), "{report}");
    assert!(report.contains("not valid JSON"), "{report}");

    // Idempotent: the same file again changes nothing.
    let out = anbaa(&["import", file.to_str().unwrap(), "--create-tags"], &db);
    let report = text(&out);
    assert!(
        report.contains("0 created, 0 updated, 270 unchanged"),
        "{report}"
    );
    // An edited line updates its article in place.
    std::fs::write(
        &file,
        json!({"slug": "item-0", "title": "خبر رقم 0 معدل", "body": "نص جديد.", "status": "published", "tags": ["kyrgyzstan"]})
            .to_string(),
    )
    .unwrap();
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 updated"));
    let export = String::from_utf8(anbaa(&["export"], &db).stdout).unwrap();
    // The taxonomy comes first, then the articles.
    let first = export
        .lines()
        .find(|l| !l.starts_with("{\"tag\":"))
        .unwrap();
    let first: Value = serde_json::from_str(first).unwrap();
    assert_eq!(first["title"], "خبر رقم 0 معدل");
    assert_eq!(
        first["published_at"], "2026-05-01T08:00:00Z",
        "a line without published_at keeps the stored one"
    );
}

/// Export, import into an empty database (no `--create-tags`: the file carries the
/// taxonomy), export again: the same bytes, and the taxonomy works as before: tag names,
/// kinds, parents (a region filter still includes its countries) and old slugs.
#[test]
fn export_then_import_into_an_empty_database_then_export_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    // Files, or PostgreSQL databases in the PostgreSQL pass: the CLI takes either.
    let source_db = crate::store::TestDb::fresh_as(dir.path(), "source.db");
    let target_db = crate::store::TestDb::fresh_as(dir.path(), "target.db");
    let (source, target) = (source_db.path(), target_db.path());
    // The demo content (drafts, scheduled, images, summaries given and derived, a tag tree)
    // is the source, with a tag created and merged away so an old slug redirects.
    let pool = anbaa::db::open(&source_db.target).unwrap();
    let mut conn = pool.get().unwrap();
    anbaa::demo::load(&mut conn).unwrap();
    let twin = anbaa::dto::tag::TagCreate {
        slug: Some("qazaqstan".into()),
        name: Some("قازاقستان".into()),
        ..Default::default()
    };
    anbaa::service::tags::create(&mut conn, twin).unwrap();
    let into = anbaa::dto::tag::TagMerge {
        into: Some("kazakhstan".into()),
    };
    anbaa::service::tags::merge(&mut conn, "qazaqstan", into, "test", None).unwrap();
    drop(conn);
    drop(pool);
    let first = dir.path().join("first.jsonl");
    let out = anbaa(&["export", "-o", first.to_str().unwrap()], source);
    assert!(out.status.success(), "{}", text(&out));
    // As a backup, an export never overwrites a file.
    let again = anbaa(&["export", "-o", first.to_str().unwrap()], source);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists"), "{}", text(&again));
    let out = anbaa(&["import", first.to_str().unwrap()], target);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("tags created"), "{}", text(&out));
    let second = anbaa(&["export"], target);
    let first = std::fs::read(&first).unwrap();
    let lines: Vec<&[u8]> = first
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let tag_lines = lines.iter().filter(|l| l.starts_with(b"{\"tag\":")).count();
    assert_eq!(lines.len() - tag_lines, 48, "articles");
    assert!(
        tag_lines >= 20,
        "the taxonomy is exported: {tag_lines} tags"
    );
    assert!(first == second.stdout, "the round trip changed the export");

    let (_s, base_source) = start_server(source);
    let (_t, base_target) = start_server(target);
    let get = |base: &str, path: &str| -> Value {
        reqwest::blocking::get(format!("{base}{path}"))
            .unwrap()
            .json()
            .unwrap()
    };
    for path in [
        "/api/v1/articles?tag=central-asia&fields=id",
        "/api/v1/tags?limit=100",
        "/api/v1/tags/central-asia",
        "/api/v1/tags/kazakhstan",
    ] {
        let (a, b) = (get(&base_source, path), get(&base_target, path));
        let strip = |mut v: Value| {
            // Ids and times are the target's own; names, kinds, parents and counts must match.
            fn scrub(v: &mut Value) {
                match v {
                    Value::Object(m) => {
                        m.remove("id");
                        m.remove("updated_at");
                        m.values_mut().for_each(scrub);
                    }
                    Value::Array(a) => a.iter_mut().for_each(scrub),
                    _ => {}
                }
            }
            scrub(&mut v);
            v
        };
        if path.starts_with("/api/v1/articles") {
            assert_eq!(a["meta"]["total"], b["meta"]["total"], "{path}");
            assert!(b["meta"]["total"].as_i64().unwrap() > 5, "{path}: {b}");
        } else {
            assert_eq!(strip(a), strip(b), "{path}");
        }
    }
    let kazakhstan = get(&base_target, "/api/v1/tags/kazakhstan");
    assert_eq!(kazakhstan["name"], "كازاخستان");
    assert_eq!(kazakhstan["parent"]["slug"], "central-asia");
    let moved = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base_target}/api/v1/tags/qazaqstan"))
        .send()
        .unwrap();
    assert_eq!(moved.status(), 301, "the merged slug still redirects");
}

fn new_key(db: &Path) -> String {
    crate::helpers::cli_key(db, "crash", "write")
}

/// Writers that create and edit articles until stopped; returns what the server
/// acknowledged: (id, title) per article at its latest acknowledged version.
/// `acks` counts acknowledged creations as they come, so a test can wait for the first.
fn writers(
    base: &str,
    key: &str,
    stop: Arc<AtomicBool>,
    acks: Arc<std::sync::atomic::AtomicUsize>,
    n: usize,
) -> Vec<std::thread::JoinHandle<Vec<(i64, i64, String)>>> {
    (0..n)
        .map(|w| {
            let (base, key, stop) = (base.to_owned(), key.to_owned(), stop.clone());
            let acks = acks.clone();
            std::thread::spawn(move || {
                let client = crate::helpers::client_builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap();
                let mut acked = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let title = format!("كاتب {w} خبر {i}");
                    let Ok(res) = client
                        .post(format!("{base}/api/v1/articles"))
                        .bearer_auth(&key)
                        .json(&json!({"title": title, "body": "نص قصير.", "status": "published"}))
                        .send()
                    else {
                        break;
                    };
                    if res.status() != 201 {
                        break;
                    }
                    let Ok(a) = res.json::<Value>() else { break };
                    let id = a["id"].as_i64().unwrap();
                    acked.push((id, 1, title.clone()));
                    acks.fetch_add(1, Ordering::Relaxed);
                    let edited = format!("{title} (معدل)");
                    let Ok(res) = client
                        .patch(format!("{base}/api/v1/articles/{id}"))
                        .bearer_auth(&key)
                        .json(&json!({"title": edited}))
                        .send()
                    else {
                        break;
                    };
                    if res.status() == 200 {
                        acked.push((id, 2, edited));
                    }
                }
                acked
            })
        })
        .collect()
}

#[test]
fn kill_9_under_concurrent_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    // On PostgreSQL (its pass) the node dies and the database does not: what the node
    // acknowledged must be committed there all the same.
    let test_db = crate::store::TestDb::fresh_as(dir.path(), "crash.db");
    let db = test_db.path();
    let key = new_key(db);
    for round in 0..5 {
        let (mut child, base) = start_server(db);
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handles = writers(&base, &key, stop.clone(), acks.clone(), 4);
        std::thread::sleep(Duration::from_millis(300 + 70 * round));
        // On a loaded machine the first write can take longer than the pause: the kill must
        // land while writes are acknowledged, so wait (bounded) for the first.
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while acks.load(Ordering::Relaxed) == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // SIGKILL: no shutdown, no flush, mid-request.
        child.kill();
        stop.store(true, Ordering::Relaxed);
        let acked: Vec<(i64, i64, String)> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        assert!(!acked.is_empty(), "round {round}: the writers got going");

        if !crate::store::on_postgres() {
            assert_eq!(integrity(db), "ok", "round {round}");
        }
        let (mut child, base) = start_server(db);
        let client = crate::helpers::client();
        for (id, version, title) in &acked {
            let a: Value = client
                .get(format!("{base}/api/v1/articles/{id}"))
                .send()
                .unwrap()
                .json()
                .unwrap();
            let have = a["version"].as_i64().unwrap_or(0);
            assert!(
                have >= *version,
                "round {round}: article {id} lost version {version}: {a}"
            );
            if have == *version {
                assert_eq!(a["title"], title.as_str(), "round {round}");
            }
        }
        child.kill();
    }
}

#[test]
fn backup_under_write_load_is_consistent_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let key = new_key(&db);
    let (mut child, base) = start_server(&db);
    let stop = Arc::new(AtomicBool::new(false));
    let handles = writers(
        &base,
        &key,
        stop.clone(),
        Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        3,
    );
    std::thread::sleep(Duration::from_millis(300));
    let copy = dir.path().join("copy.db");
    let out = Command::new(BIN)
        .args([
            "backup",
            copy.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<(i64, i64, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    child.kill();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("integrity_check ok"), "{}", text(&out));
    assert_eq!(integrity(&copy), "ok");
    // The copy is one snapshot: every article in it is whole, with its change-log row.
    let mut conn = SqliteConnection::establish(copy.to_str().unwrap()).unwrap();
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n = |conn: &mut SqliteConnection, sql: &str| -> i64 {
        diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
    };
    let articles = n(&mut conn, "SELECT COUNT(*) AS n FROM articles");
    assert!(articles > 0 && (articles as usize) <= acked.len());
    assert_eq!(
        n(&mut conn, "SELECT COUNT(*) AS n FROM changes"),
        articles,
        "each (public) article has its log entry in the same snapshot"
    );
    // A second backup to the same path is refused, never overwritten.
    let again = Command::new(BIN)
        .args([
            "backup",
            copy.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(text(&again).contains("exists"));
}

#[test]
fn kill_9_in_the_middle_of_an_import_leaves_a_sound_database_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("import.db");
    let file = dir.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    let lines = 3_000;
    for i in 0..lines {
        let body = "فقرة عن التجارة بين طشقند وألماتي. ".repeat(20);
        writeln!(
            f,
            "{}",
            json!({"slug": format!("line-{i}"), "title": format!("خبر مستورد رقم {i}"),
                   "body": body, "status": "published", "tags": ["uzbekistan"]})
        )
        .unwrap();
    }
    drop(f);
    let mut child = Command::new(BIN)
        .args(["import", file.to_str().unwrap(), "--create-tags", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it commit some batches, then kill it mid-batch.
    // Watch from a second connection until a batch of 1,000 lines has committed, then kill
    // it while it writes the next.
    let mut waited = 0;
    while waited < 60_000 && child.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(20));
        waited += 20;
        let Ok(mut conn) = SqliteConnection::establish(db.to_str().unwrap()) else {
            continue;
        };
        let count: QueryResult<i64> = anbaa::db::schema::articles::table
            .count()
            .get_result(&mut conn);
        if count.is_ok_and(|n| n >= 1000) {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the import was killed before it finished"
    );
    assert_eq!(integrity(&db), "ok");
    let out = anbaa(&["import", file.to_str().unwrap(), "--create-tags"], &db);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains(&format!("{lines} lines")), "{report}");
    assert!(
        !report.contains(" 0 unchanged"),
        "some lines were in before the kill: {report}"
    );
    let export = anbaa(&["export"], &db);
    let articles = export
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty() && !l.starts_with(b"{\"tag\":"))
        .count();
    assert_eq!(articles, lines, "every line once");
    assert_eq!(integrity(&db), "ok");
}

/// Invalid UTF-8 rejects its line only, a byte order mark is skipped, a slug used twice in
/// one file is refused, and a second import of the same file changes nothing.
#[test]
fn bad_lines_in_an_import_are_rejected_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let file = dir.path().join("q.jsonl");
    let mut bytes =
        b"\xef\xbb\xbf{\"title\":\"\xd9\x82\xd8\xa8\xd9\x84\",\"slug\":\"before\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"title\":\"\xff\xfe x\"}\n");
    bytes.extend_from_slice(b"{\"title\":\"after\",\"slug\":\"after\"}\r\n");
    bytes.extend_from_slice(b"{\"title\":\"again\",\"slug\":\"after\"}\n");
    std::fs::write(&file, &bytes).unwrap();
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("2 created") && report.contains("2 rejected"),
        "{report}"
    );
    assert!(
        report.contains("line 2: the line is not valid UTF-8"),
        "{report}"
    );
    assert!(
        report.contains("line 4: slug `after` is already used by line 3"),
        "{report}"
    );
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert!(
        text(&out).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        text(&out)
    );
}

/// A dry run against a database that does not exist leaves none behind.
#[test]
fn a_dry_run_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.jsonl");
    let mut bytes =
        b"\xef\xbb\xbf{\"title\":\"\xd9\x82\xd8\xa8\xd9\x84\",\"slug\":\"before\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"title\":\"\xff\xfe x\"}\n");
    bytes.extend_from_slice(b"{\"title\":\"after\",\"slug\":\"after\"}\r\n");
    bytes.extend_from_slice(b"{\"title\":\"again\",\"slug\":\"after\"}\n");
    std::fs::write(&file, &bytes).unwrap();
    let nowhere = dir.path().join("nowhere.db");
    let out = anbaa(&["import", file.to_str().unwrap(), "--dry-run"], &nowhere);
    assert!(text(&out).contains("2 created"), "{}", text(&out));
    assert!(!nowhere.exists());
}

/// Tag lines are checked as tag lines: a malformed one is named as such, and old slugs are
/// a few slug-like strings (at most 100 a line), each added without touching the others.
#[test]
fn tag_lines_are_checked_and_their_redirects_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let file = dir.path().join("tags.jsonl");
    let many: Vec<String> = (0..101).map(|i| format!("old-{i}")).collect();
    let lines = [
        json!({"tag": {"slug": "energy", "name": "طاقة", "kind": "topic", "redirects": ["taqa", "energie"]}}),
        json!({"tag": {"slug": "z", "name": "ز", "kind": "planet"}}),
        json!({"tag": {"slug": "q1", "name": "ق", "kind": "topic", "redirects": ["BAD SLUG", "ok-one"]}}),
        json!({"tag": {"slug": "q2", "name": "ق", "kind": "topic", "redirects": many}}),
    ];
    let content: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, content).unwrap();
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    let report = text(&out);
    assert!(report.contains("line 2: tag line:"), "{report}");
    assert!(report.contains("planet"), "{report}");
    assert!(report.contains("line 3: tag.redirects"), "{report}");
    assert!(report.contains("BAD SLUG"), "{report}");
    assert!(
        report.contains("line 4: tag.redirects: at most 100"),
        "{report}"
    );
    assert!(report.contains("1 tags created"), "{report}");
    let export = String::from_utf8(anbaa(&["export"], &db).stdout).unwrap();
    assert!(
        export.contains("\"redirects\":[\"energie\",\"taqa\"]"),
        "{export}"
    );
}

/// An import holds its index rows until each batch ends: a re-import that changes a body
/// replaces the article's index row (the old words stop matching, the new ones match once),
/// articles new in the batch are found, and FTS5's own integrity check passes.
#[test]
fn a_reimport_replaces_the_search_index_rows_it_holds_until_the_batch_ends() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let file = dir.path().join("s.jsonl");
    let line = |slug: &str, body: &str| {
        json!({"title": format!("خبر {slug}"), "slug": slug, "body": body,
               "status": "published", "published_at": "2026-01-02T03:04:05Z"})
        .to_string()
    };
    let mut first: Vec<String> = (0..30)
        .map(|i| line(&format!("n{i}"), "تقرير عن الزراعة في الوادي"))
        .collect();
    first.push(line("ports", "تقرير عن الزراعة في السهول"));
    std::fs::write(&file, first.join("\n")).unwrap();
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert!(text(&out).contains("31 created"), "{}", text(&out));
    let second = [
        line("ports", "حركة الموانئ على بحر قزوين"),
        line("fresh", "الموانئ الجافة في آسيا الوسطى"),
    ];
    std::fs::write(&file, second.join("\n")).unwrap();
    let out = anbaa(&["import", file.to_str().unwrap()], &db);
    assert!(
        text(&out).contains("1 created, 1 updated"),
        "{}",
        text(&out)
    );

    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 0)",
    )
    .execute(&mut conn)
    .unwrap();
    drop(conn);

    let (_server, base) = start_server(&db);
    let slugs = |q: &str| -> Vec<String> {
        let page: Value = reqwest::blocking::get(format!("{base}/api/v1/articles?q={q}&limit=100"))
            .unwrap()
            .json()
            .unwrap();
        let mut s: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["slug"].as_str().unwrap().to_owned())
            .collect();
        s.sort();
        s
    };
    assert_eq!(slugs("الموانئ"), ["fresh", "ports"]);
    assert_eq!(slugs("السهول"), Vec::<String>::new());
    assert_eq!(slugs("الزراعة").len(), 30);
}

/// On PostgreSQL a large import builds the ranked (RUM) index once at the end instead of
/// row by row: afterwards the ranked index is back and valid, GIN is gone, and a search
/// finds every imported article, the title hits first.
#[test]
fn a_large_postgres_import_builds_the_ranked_index_once_at_the_end() {
    if !crate::store::postgres_only() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = crate::store::TestDb::fresh(dir.path());
    let file = dir.path().join("large.jsonl");
    let filler = "تتابع الصحيفة أخبار المنطقة يوما بيوم من العواصم والموانئ والحقول. ".repeat(24);
    let lines: Vec<String> = (0..520)
        .map(|i| {
            let title = if i % 100 == 0 {
                format!("السهوب الكبرى رقم {i}")
            } else {
                format!("خبر رقم {i}")
            };
            json!({"slug": format!("wide-{i}"), "title": title, "status": "published",
                   "body": format!("{filler}\n\nوذكر التقرير السهوب مرة واحدة.")})
            .to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() >= 520 * 3_000);
    #[derive(QueryableByName, PartialEq, Debug)]
    struct Indexes {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        rum: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        gin: Option<i64>,
    }
    let pool = anbaa::db::open(&db.target).unwrap();
    let indexes = || -> Indexes {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(
            "SELECT CAST(CAST(to_regclass('articles_search_rum') AS oid) AS bigint) AS rum, \
             CAST(CAST(to_regclass('articles_search_doc') AS oid) AS bigint) AS gin",
        )
        .get_result(&mut *conn)
        .unwrap()
    };
    let before = indexes();
    assert!(before.rum.is_some() && before.gin.is_none(), "{before:?}");
    let out = anbaa(&["import", file.to_str().unwrap()], db.path());
    assert!(text(&out).contains("520 created"), "{}", text(&out));
    let after = indexes();
    // Another index of that name: set aside and built again, not written row by row.
    assert!(after.rum.is_some() && after.rum != before.rum, "{after:?}");
    assert!(after.gin.is_none(), "GIN stays only where RUM is missing");
    assert!(anbaa::db::fts::has_ranked_index(&mut pool.get().unwrap()).unwrap());

    let (_server, base) = start_server(db.path());
    let page: Value = reqwest::blocking::get(format!(
        "{base}/api/v1/articles?q=%D8%A7%D9%84%D8%B3%D9%87%D9%88%D8%A8&limit=6"
    ))
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(page["meta"]["total"], 520);
    let titles: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles[..6].iter().all(|t| t.starts_with("السهوب")),
        "{titles:?}"
    );
}
