//! Public reads from a PostgreSQL read replica (`--read-database-url`): anonymous GETs go to
//! the standby, writes and reads with a key to the primary, each answer validated by the
//! snapshot it came from. Needs `ANBAA_TEST_STORE=postgres` and `ANBAA_TEST_PG_READ_URL`, a
//! hot standby of the test server (`.ci/run` starts one).

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, problem};
use crate::store;

/// Pausing the standby's replay pauses it for every database on it: one test at a time.
static STANDBY: Mutex<()> = Mutex::new(());

fn replica_tests() -> bool {
    if !store::postgres_only() {
        return false;
    }
    if std::env::var("ANBAA_TEST_PG_READ_URL").is_err() {
        assert!(
            std::env::var("ANBAA_REQUIRE_PG").is_err(),
            "ANBAA_REQUIRE_PG is set but ANBAA_TEST_PG_READ_URL is not"
        );
        eprintln!("skipped: no standby (ANBAA_TEST_PG_READ_URL)");
        return false;
    }
    true
}

/// Replay resumed when dropped, so a failing test leaves the standby replaying.
struct Paused;

impl Paused {
    fn new() -> Paused {
        store::standby_admin("SELECT pg_wal_replay_pause()");
        Paused
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        store::standby_admin("SELECT pg_wal_replay_resume()");
    }
}

fn status(app: &TestApp, path: &str, key: Option<&str>) -> u16 {
    match key {
        Some(k) => app.get_with(path, k),
        None => app.get(path),
    }
    .status()
    .as_u16()
}

/// With the standby's replay paused, a new article is there for its writer (the primary)
/// and not yet for the public (the standby): proof of where each read goes. The public list
/// and its ETag describe the standby's snapshot; once replay resumes, the public sees the
/// article and the ETag moves. `/readyz` reports both databases.
#[test]
fn public_reads_come_from_the_replica_and_editors_read_their_own_writes() {
    if !replica_tests() {
        return;
    }
    let _one = STANDBY.lock().unwrap_or_else(|e| e.into_inner());
    let app = TestApp::spawn_with_replica(store::replica_of);
    let first = app.article("خبر أول على النسخة الأساسية", &[]);
    let first_path = format!("/api/v1/articles/{}", first["id"]);
    // Replication is asynchronous: the standby has it within moments.
    eventually(
        "the first article on the standby",
        Duration::from_secs(15),
        || status(&app, &first_path, None) == 200,
    );
    let before = app.get("/api/v1/articles?fields=id");
    let before_etag = before.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(before.json::<Value>().unwrap()["meta"]["total"], 1);

    let paused = Paused::new();
    let second = app.article("خبر ثان لم يصل إلى النسخة الاحتياطية", &[]);
    let second_path = format!("/api/v1/articles/{}", second["id"]);
    assert_eq!(
        status(&app, &second_path, Some(&app.writer)),
        200,
        "the writer reads it"
    );
    problem(app.get(&second_path), 404);
    let stale = app.get("/api/v1/articles?fields=id");
    assert_eq!(stale.headers()["etag"].to_str().unwrap(), before_etag);
    assert_eq!(stale.json::<Value>().unwrap()["meta"]["total"], 1);
    let keyed: Value = app
        .get_with("/api/v1/articles?fields=id", &app.reader)
        .json()
        .unwrap();
    assert_eq!(keyed["meta"]["total"], 2);

    let ready: Value = app.get("/readyz").json().unwrap();
    assert_eq!(
        ready,
        json!({"status": "ok", "primary": "ok", "replica": "ok"})
    );

    drop(paused);
    eventually(
        "the second article on the standby",
        Duration::from_secs(15),
        || status(&app, &second_path, None) == 200,
    );
    let after = app.get("/api/v1/articles?fields=id");
    assert_ne!(after.headers()["etag"].to_str().unwrap(), before_etag);
    assert_eq!(after.json::<Value>().unwrap()["meta"]["total"], 2);
}

/// A replica that does not answer: public reads get a 503 problem with `Retry-After` in
/// bounded time, never a 500 or a hang; writes and reads with a key go on on the primary;
/// `/readyz` says `degraded` and why.
#[test]
fn a_replica_that_does_not_answer_costs_only_public_reads() {
    if !store::postgres_only() {
        return;
    }
    // Port 1 on loopback: nothing listens there.
    let app = TestApp::spawn_with_replica(|primary| {
        Some(store::with_database(
            "postgresql://anbaa@127.0.0.1:1/x",
            &store::database_name(primary),
        ))
    });
    let article = app.article("خبر والنسخة الاحتياطية معطلة", &[]);
    let path = format!("/api/v1/articles/{}", article["id"]);
    let started = std::time::Instant::now();
    let public = app.get(&path);
    assert!(public.headers().contains_key("retry-after"));
    let p = problem(public, 503);
    // Where the databases live is for the log, not for the public.
    assert!(!p.to_string().contains("127.0.0.1"), "{p}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(status(&app, &path, Some(&app.reader)), 200);
    assert_eq!(
        app.post("/api/v1/articles", &json!({"title": "كتابة على الأساسية"}))
            .status(),
        201
    );
    // In time for a load balancer's health check, though one database does not answer.
    let started = std::time::Instant::now();
    let ready = app.get("/readyz");
    assert!(
        started.elapsed() < Duration::from_millis(1_800),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().unwrap();
    assert!(!ready.to_string().contains("127.0.0.1"), "{ready}");
    assert_eq!(ready["status"], "degraded");
    assert_eq!(ready["primary"], "ok");
    assert!(
        ready["replica"]
            .as_str()
            .is_some_and(|r| r.contains("does not answer")),
        "{ready}"
    );
}
