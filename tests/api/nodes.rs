//! Two nodes on one PostgreSQL database: each keeps the site state in memory, and a write
//! on one moves the answers of the other through `LISTEN/NOTIFY`, with or without the
//! listener it had. Runs with `ANBAA_TEST_STORE=postgres`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{TestApp, eventually, start_server_with};
use crate::store;

fn total_and_etag(client: &reqwest::blocking::Client, base: &str) -> (i64, String) {
    let res = client
        .get(format!("{base}/api/v1/articles?fields=id"))
        .send()
        .expect("GET");
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    (
        res.json::<Value>().unwrap()["meta"]["total"]
            .as_i64()
            .unwrap(),
        etag,
    )
}

/// Node B (the real binary) caches the list; a write on node A reaches B's answer within
/// moments, with the same bytes and ETag as A's, and again after B's listener is killed (it
/// reconnects and reads what it missed; meanwhile B asks the database on every read).
#[test]
fn a_write_on_one_node_moves_the_answers_of_another() {
    if !store::postgres_only() {
        return;
    }
    let a = TestApp::spawn();
    a.article("خبر أول على العقدة الأولى", &[]);
    let (_node_b, b) = start_server_with(Path::new(&a.db_path), &[]);
    let client = crate::helpers::client();
    let (total, etag) = total_and_etag(&client, &b);
    assert_eq!(total, 1);
    assert_eq!(total_and_etag(&client, &b), (1, etag.clone()));

    a.article("خبر ثان على العقدة الأولى", &[]);
    let written = Instant::now();
    eventually(
        "node B sees the second article",
        Duration::from_secs(5),
        || total_and_etag(&client, &b).0 == 2,
    );
    eprintln!(
        "node B answered the new state {:?} after the write",
        written.elapsed()
    );
    assert_ne!(total_and_etag(&client, &b).1, etag);
    // The same version makes the same bytes and ETag on every node behind one proxy (which
    // sends them all the same Host), so a client revalidating against another node gets 304.
    let behind_proxy = |base: &str, etag: Option<&str>| {
        let mut req = client
            .get(format!("{base}/api/v1/articles?fields=id"))
            .header("Host", "news.example");
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        req.send().unwrap()
    };
    let on_a = behind_proxy(&a.base, None);
    let etag_a = on_a.headers()["etag"].to_str().unwrap().to_owned();
    let on_b = behind_proxy(&b, None);
    assert_eq!(on_b.headers()["etag"].to_str().unwrap(), etag_a);
    assert_eq!(on_a.bytes().unwrap(), on_b.bytes().unwrap());
    let revalidated = behind_proxy(&b, Some(&etag_a));
    assert_eq!(
        revalidated.status(),
        304,
        "node A's ETag is current on node B"
    );

    let db = store::database_name(&a.db_path);
    store::admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'anbaa-listen' AND datname = '{db}'"
    ));
    a.article("خبر ثالث بعد انقطاع المستمع", &[]);
    eventually(
        "node B sees the third article",
        Duration::from_secs(5),
        || total_and_etag(&client, &b).0 == 3,
    );
    // The listeners are back.
    eventually("the listeners reconnect", Duration::from_secs(10), || {
        let out = std::process::Command::new("psql")
            .arg(std::env::var("ANBAA_TEST_PG_URL").unwrap())
            .args(["-Atc", &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'anbaa-listen' AND datname = '{db}'"
            )])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim() == "2"
    });
    // Node B says so on /metrics: its one listener is connected.
    eventually(
        "node B reports its listener",
        Duration::from_secs(10),
        || {
            client
                .get(format!("{b}/metrics"))
                .send()
                .and_then(|r| r.text())
                .is_ok_and(|t| t.lines().any(|l| l == "anbaa_commit_listeners 1"))
        },
    );
}

/// Nodes started together with `--demo` on an empty database: all serve, and the demo
/// content is there once (the others wait for the first and find it seeded).
#[test]
fn nodes_started_together_seed_the_demo_once() {
    if !store::postgres_only() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = store::TestDb::fresh(dir.path());
    // Four at once: two alone often missed each other's window.
    let nodes: Vec<_> = std::thread::scope(|s| {
        let starting: Vec<_> = (0..4)
            .map(|_| s.spawn(|| start_server_with(db.path(), &["--demo"])))
            .collect();
        starting.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let client = crate::helpers::client();
    let demo = TestApp::spawn_demo();
    let (expected, _) = total_and_etag(&client, &demo.base);
    for (_, base) in &nodes {
        let (total, _) = total_and_etag(&client, base);
        assert_eq!(total, expected, "the demo once, not twice");
    }
}
