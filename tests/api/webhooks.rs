//! Standard Webhooks over real HTTP, checked by an independent receiver: a Python server that
//! verifies every delivery with the official `standardwebhooks` library
//! (tests/python/receiver.py), answering 503 + Retry-After or 410 when asked to. Also the
//! lifecycle as a partner lives it: publish, correct, withhold and cancel reach the receiver
//! in order while the story leaves every feed (read by feedparser), search and read.
//!
//! `.ci/run` installs the Python tools (tests/python/requirements.txt) and sets
//! `ANBAA_REQUIRE_PYTHON=1`, so there a missing tool fails the test; elsewhere it skips.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, eventually, free_port, problem, start_server_with};

/// The Python of the test tools, or `None` (the test skips) when they are not installed.
fn python() -> Option<PathBuf> {
    crate::helpers::python_with(&["standardwebhooks", "feedparser"])
}

fn script(name: &str) -> String {
    format!("{}/tests/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The receiver process and what it has reported.
struct Receiver {
    child: Child,
    seen: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start(python: &PathBuf, secret: &str, args: &[&str]) -> Receiver {
        let mut child = Command::new(python)
            .arg(script("receiver.py"))
            .arg(secret)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        lines.next().expect("the receiver's port").unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = seen.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    into.lock().unwrap().push(v);
                }
            }
        });
        Receiver { child, seen }
    }

    fn seen(&self) -> Vec<Value> {
        self.seen.lock().unwrap().clone()
    }

    /// The deliveries it accepted, in arrival order.
    fn accepted(&self) -> Vec<Value> {
        self.seen()
            .into_iter()
            .filter(|r| r["answered"] == 200)
            .collect()
    }

    /// Waits until `n` deliveries were accepted.
    fn wait_accepted(&self, n: usize, within: Duration) -> Vec<Value> {
        eventually(&format!("{n} deliveries"), within, || {
            self.accepted().len() >= n
        });
        self.accepted()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that may deliver to loopback, with a short retry schedule.
fn app(schedule: &str) -> TestApp {
    let schedule = schedule.to_owned();
    TestApp::spawn_with(false, move |s| {
        s.webhook_allow_private = true;
        s.webhook_retry_schedule = schedule;
    })
}

/// Registers an endpoint through the API with the admin key; returns it (with its secret).
fn register(app: &TestApp, body: Value) -> Value {
    let res = app
        .client
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&app.admin)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().unwrap()
}

fn admin_get(app: &TestApp, path: &str) -> Value {
    app.get_with(path, &app.admin).json().unwrap()
}

fn payload(record: &Value) -> Value {
    serde_json::from_str(record["body"].as_str().unwrap()).unwrap()
}

/// A receiver started with a placeholder secret, registered, then restarted with the real
/// one: the secret exists only once the endpoint does.
fn receiver_for(app: &TestApp, python: &PathBuf, args: &[&str], extra: Value) -> (Receiver, Value) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let mut body = json!({"url": url});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let hook = register(app, body);
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let port_arg = port.to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--port", &port_arg]);
    (Receiver::start(python, &secret, &all), hook)
}

#[test]
fn a_failing_receiver_gets_the_same_message_on_schedule_until_it_accepts_and_a_replay_is_identical()
{
    let Some(py) = python() else { return };
    let app = app("1s,2s,2s,30s");
    let (rx, hook) = receiver_for(&app, &py, &["--fail", "3"], json!({}));
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    let a = app.article("أستانا تستضيف قمة منظمة شنغهاي", &[]);

    let got = rx.wait_accepted(1, Duration::from_secs(15));
    let all = rx.seen();
    assert_eq!(all.len(), 4, "three 503s, then a 200: {all:#?}");
    let id = &all[0]["id"];
    for (i, r) in all.iter().enumerate() {
        assert_eq!(&r["id"], id, "the same webhook-id on every retry");
        assert_eq!(r["verified"], true, "{r}");
        assert_eq!(r["tampered_rejected"], true);
        assert_eq!(r["stale_rejected"], true);
        assert_eq!(r["body"], all[0]["body"], "the same bytes on every retry");
        assert_eq!(r["answered"], if i < 3 { 503 } else { 200 });
    }
    // At least the schedule's waits apart (Retry-After: 1 is shorter than each).
    let at: Vec<f64> = all
        .iter()
        .map(|r| r["received_at"].as_f64().unwrap())
        .collect();
    for (i, wait) in [1.0, 2.0, 2.0].iter().enumerate() {
        let gap = at[i + 1] - at[i];
        assert!(
            gap >= wait - 0.05,
            "retry {} came {gap:.2}s after, before {wait}s",
            i + 1
        );
    }
    let p = payload(&got[0]);
    assert_eq!(p["type"], "article.published");
    assert_eq!(p["data"]["id"], a["id"]);
    assert_eq!(p["data"]["slug"], a["slug"]);
    assert_eq!(p["data"]["version"], 1);
    let log: Value = app.get("/api/v1/changes").json().unwrap();
    assert_eq!(
        p["data"]["cursor"].as_str().unwrap(),
        log["data"][0]["seq"].to_string()
    );
    assert!(
        p["data"]["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/articles/{}", a["id"])),
        "{p}"
    );

    let deliveries = admin_get(&app, &format!("/api/v1/webhooks/{}/deliveries", hook["id"]));
    let d = &deliveries["data"][0];
    assert_eq!(d["id"], *id);
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempts"], 4);
    assert_eq!(d["response_status"], 200);
    assert_eq!(d["event"], "article.published");

    // A replay of the message: the same id and the same bytes.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/{}/replay", hook["id"])))
        .bearer_auth(&app.admin)
        .json(&json!({"message": id}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().unwrap()["replayed"], 1);
    let again = rx.wait_accepted(2, Duration::from_secs(10));
    assert_eq!(again[1]["id"], *id);
    assert_eq!(again[1]["body"], all[0]["body"], "byte-identical");

    // Everything after a cursor: here, the whole log.
    app.article("طشقند تفتتح معرضا للكتاب", &[]);
    rx.wait_accepted(3, Duration::from_secs(10));
    let res = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/{}/replay", hook["id"])))
        .bearer_auth(&app.admin)
        .json(&json!({"since": "0"}))
        .send()
        .unwrap();
    assert_eq!(res.json::<Value>().unwrap()["replayed"], 2);
    let replayed = rx.wait_accepted(5, Duration::from_secs(10));
    assert_eq!(replayed[3]["id"], *id, "in order");
    assert_eq!(replayed[4]["id"], replayed[2]["id"]);
}

#[test]
fn publish_correct_withhold_cancel_reach_the_partner_in_order_while_the_story_leaves_every_feed() {
    let Some(py) = python() else { return };
    let app = app("1s,1s,1s");
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kyrgyzstan", "قرغيزستان", "country", Some("central-asia"));
    app.tag("kazakhstan", "كازاخستان", "country", Some("central-asia"));
    // Limited to the region: its countries' articles come through, others do not.
    let (rx, hook) = receiver_for(&app, &py, &[], json!({"tags": ["central-asia"]}));
    assert_eq!(hook["tags"], json!(["central-asia"]));
    app.tag("georgia", "جورجيا", "country", None);
    app.article("تبليسي تفتتح خط مترو جديدا", &["georgia"]);

    let a = app.article("بيشكك تعلن موازنة العام المقبل", &["kyrgyzstan"]);
    let id = a["id"].clone();
    let path = format!("/api/v1/articles/{id}");
    let started = Instant::now();
    assert_eq!(
        app.post(
            &format!("{path}/corrections"),
            &json!({"kind": "correction", "text": "الموازنة تخص العام المقبل لا الحالي."}),
        )
        .status(),
        201
    );
    assert_eq!(
        app.send(Method::PATCH, &path, &json!({"pub_status": "withheld"}))
            .status(),
        200
    );
    assert_eq!(
        app.send(Method::PATCH, &path, &json!({"pub_status": "canceled"}))
            .status(),
        200
    );
    let got = rx.wait_accepted(4, Duration::from_secs(2));
    let types: Vec<String> = got
        .iter()
        .map(|r| payload(r)["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        [
            "article.published",
            "article.corrected",
            "article.withheld",
            "article.canceled"
        ],
        "in order, and nothing about Georgia"
    );
    for r in &got {
        assert_eq!(r["verified"], true);
        assert_eq!(payload(r)["data"]["id"], id);
    }
    let versions: Vec<i64> = got
        .iter()
        .map(|r| payload(r)["data"]["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");

    // Gone from every feed as a reader parses it, from search, and from reads.
    let feeds: Vec<String> = [
        "/feeds/articles.atom",
        "/feeds/articles.rss",
        "/feeds/tags/kyrgyzstan.atom",
        "/feeds/tags/central-asia.rss",
    ]
    .iter()
    .map(|f| app.url(f))
    .collect();
    let out = Command::new(&py)
        .arg(script("feed_ids.py"))
        .args(&feeds)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let links = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        links.contains("/api/v1/articles/"),
        "feedparser read entries: {links}"
    );
    assert!(
        !links.contains(&format!("/api/v1/articles/{id}\n")),
        "{links}"
    );
    let search: Value = app
        .get("/api/v1/articles?q=%D9%85%D9%88%D8%A7%D8%B2%D9%86%D8%A9")
        .json()
        .unwrap();
    assert_eq!(search["meta"]["total"], 0);
    problem(app.get(&path), 410);
    let log: Value = app.get("/api/v1/changes").json().unwrap();
    let entry = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(entry["event"], "canceled");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// A message waiting for its retry holds back the later ones of its endpoint; a withdrawal
/// reaches a partner that holds the story even after a retag took it out of the filter.
#[test]
fn a_partner_gets_its_messages_in_order_through_retries_and_every_withdrawal_of_what_it_holds() {
    let Some(py) = python() else { return };
    let app = app("1s");
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kyrgyzstan", "قرغيزستان", "country", Some("central-asia"));
    app.tag("georgia", "جورجيا", "country", None);
    let (rx, hook) = receiver_for(
        &app,
        &py,
        &["--fail", "1"],
        json!({"tags": ["central-asia"]}),
    );
    let a = app.article("بيشكك تفتتح مطارا جديدا", &["kyrgyzstan"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    for status in ["withheld", "usable", "withheld", "usable"] {
        let res = app.send(Method::PATCH, &path, &json!({"pub_status": status}));
        assert_eq!(res.status(), 200);
    }
    // Retagged out of the filter, then killed: the partner holds it, so it is told.
    app.send(Method::PATCH, &path, &json!({"tags": ["georgia"]}));
    app.send(Method::PATCH, &path, &json!({"pub_status": "canceled"}));
    let got = rx.wait_accepted(6, Duration::from_secs(30));
    let seen: Vec<(String, i64)> = got
        .iter()
        .map(|r| {
            let p = payload(r);
            (
                p["type"].as_str().unwrap().to_owned(),
                p["data"]["cursor"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let types: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "article.published",
            "article.withheld",
            "article.published",
            "article.withheld",
            "article.published",
            "article.canceled"
        ],
        "{seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0].1 < w[1].1),
        "in cursor order: {seen:?}"
    );
    // Each was refused once first: every message was retried, none overtaken.
    assert!(rx.seen().iter().filter(|r| r["answered"] == 503).count() >= 6);
    // A tag an endpoint is limited to cannot be deleted from under it.
    let p = problem(
        app.client
            .delete(app.url("/api/v1/tags/central-asia"))
            .bearer_auth(&app.writer)
            .send()
            .unwrap(),
        409,
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("webhook {}", hook["id"])),
        "{p}"
    );
}

/// Two nodes on one PostgreSQL database share the outbox: each message goes out once, in
/// order, whichever node's sender takes the endpoint.
#[test]
fn two_nodes_on_one_database_deliver_each_message_once_and_in_order() {
    if !crate::store::postgres_only() {
        return;
    }
    let Some(py) = python() else { return };
    let app = app("1s");
    let (_node_b, _) = start_server_with(
        std::path::Path::new(&app.db_path),
        &["--webhook-allow-private", "--webhook-retry-schedule", "1s"],
    );
    let (rx, _) = receiver_for(&app, &py, &[], json!({"events": ["article.published"]}));
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            app.article(&format!("خبر رقم {i} من خوجند"), &[])["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let got = rx.wait_accepted(20, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(1500));
    let all = rx.accepted();
    assert_eq!(all.len(), 20, "no message twice");
    let seen: Vec<i64> = all
        .iter()
        .map(|r| payload(r)["data"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, ids, "in order");
    assert!(got.iter().all(|r| r["verified"] == true));
}

#[test]
fn an_embargo_lifting_is_delivered_at_its_instant_and_not_before() {
    let Some(py) = python() else { return };
    let app = app("1s");
    let (rx, _) = receiver_for(
        &app,
        &py,
        &[],
        json!({"events": ["article.embargo_lifted"]}),
    );
    let lifts = Utc::now() + chrono::Duration::seconds(2);
    let res = app.post(
        "/api/v1/articles",
        &json!({
            "title": "عشق آباد توقع عقد غاز جديدا",
            "status": "published",
            "embargoed_until": lifts.to_rfc3339_opts(SecondsFormat::Micros, true),
        }),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    assert!(rx.seen().is_empty(), "nothing before the embargo lifts");
    let got = rx.wait_accepted(1, Duration::from_secs(5));
    let arrived = got[0]["received_at"].as_f64().unwrap();
    let lift = lifts.timestamp_micros() as f64 / 1e6;
    assert!(arrived >= lift, "delivered {:.2}s early", lift - arrived);
    assert!(
        arrived - lift < 1.5,
        "delivered {:.2}s late",
        arrived - lift
    );
    let p = payload(&got[0]);
    assert_eq!(p["type"], "article.embargo_lifted");
    assert_eq!(p["data"]["id"], a["id"]);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{}", a["id"])).status(),
        200
    );
}

#[test]
fn an_endpoint_that_answers_410_is_disabled_and_its_deliveries_wait() {
    let Some(py) = python() else { return };
    let app = app("1s");
    let (rx, hook) = receiver_for(&app, &py, &["--gone"], json!({}));
    app.article("باكو تطلق قمرا صناعيا", &[]);
    eventually("the 410", Duration::from_secs(5), || !rx.seen().is_empty());
    let path = format!("/api/v1/webhooks/{}", hook["id"]);
    eventually("disabled", Duration::from_secs(5), || {
        admin_get(&app, &path)["enabled"] == false
    });
    let h = admin_get(&app, &path);
    assert!(
        h["disabled_reason"].as_str().unwrap().contains("410"),
        "{h}"
    );
    let d = admin_get(&app, &format!("{path}/deliveries"));
    assert_eq!(d["data"][0]["status"], "failed");
    assert_eq!(d["data"][0]["response_status"], 410);
    // Nothing more is sent to it, nor queued.
    app.article("يريفان تفتتح جسرا جديدا", &[]);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(rx.seen().len(), 1);
    assert_eq!(admin_get(&app, &path)["pending"], 0);
}

#[test]
fn webhook_management_is_for_admins_and_names_every_bad_field() {
    // The default server: private targets refused.
    let app = TestApp::spawn();
    for key in [&app.writer, &app.reader, &app.partner] {
        let res = app
            .client
            .post(app.url("/api/v1/webhooks"))
            .bearer_auth(key)
            .json(&json!({"url": "https://partner.example.org/hooks"}))
            .send()
            .unwrap();
        problem(res, 403);
    }
    problem(app.get("/api/v1/webhooks"), 401);
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/webhooks"))
            .bearer_auth(&app.admin)
            .json(&body)
            .send()
            .unwrap()
    };
    let p = problem(post(json!({"url": "http://127.0.0.1:9/hooks"})), 422);
    assert_eq!(error_fields(&p), ["url"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--webhook-allow-private")
    );
    // Every spelling the HTTP client reads as an address is an address.
    for url in [
        "http://169.254.169.254/latest",
        "http://2130706433:47002/b",
        "http://0x7f000001/c",
        "http://127.1/d",
        "http://0177.0.0.1/p",
        "http://2852039166/latest",
        "https://partner.example.org:99999/h",
    ] {
        let p = problem(post(json!({"url": url})), 422);
        assert_eq!(error_fields(&p), ["url"], "{url}");
    }
    let p = problem(post(json!({"url": "ftp://partner.example.org/"})), 422);
    assert_eq!(error_fields(&p), ["url"]);
    let p = problem(post(json!({})), 422);
    assert_eq!(error_fields(&p), ["url"]);
    let p = problem(
        post(
            json!({"url": "https://partner.example.org/hooks", "events": ["article.killed"], "tags": ["atlantis"]}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), ["events", "tags"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("article.canceled")
    );

    // A receiver's basic-auth password is kept for sending, never shown.
    let with_password: Value = post(json!({"url": "https://anbaa:s3cret@partner.example.org/in"}))
        .json()
        .unwrap();
    assert_eq!(
        with_password["url"],
        "https://anbaa:***@partner.example.org/in"
    );
    app.client
        .delete(app.url(with_password["links"]["self"].as_str().unwrap()))
        .bearer_auth(&app.admin)
        .send()
        .unwrap();
    let made =
        post(json!({"url": "https://partner.example.org/hooks", "events": ["article.canceled"]}));
    assert_eq!(made.status(), 201);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let hook: Value = made.json().unwrap();
    let first_secret = hook["secret"].as_str().unwrap().to_owned();
    assert_eq!(hook["events"], json!(["article.canceled"]));
    let shown = admin_get(&app, &location);
    assert!(shown.get("secret").is_none(), "a secret is shown once");
    let list = admin_get(&app, "/api/v1/webhooks");
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    let patch = |body: Value| {
        app.client
            .patch(app.url(&location))
            .bearer_auth(&app.admin)
            .json(&body)
            .send()
            .unwrap()
    };
    let rotated: Value = patch(json!({"rotate_secret": true})).json().unwrap();
    assert_ne!(rotated["secret"].as_str().unwrap(), first_secret);
    assert!(rotated["previous_secret_until"].is_string());
    let off: Value = patch(json!({"enabled": false})).json().unwrap();
    assert_eq!(off["enabled"], false);
    let p = problem(patch(json!({"events": []})), 422);
    assert_eq!(error_fields(&p), ["events"]);
    let p = problem(patch(json!({"url": null})), 422);
    assert_eq!(error_fields(&p), ["url"]);

    let p = problem(
        app.client
            .get(app.url(&format!("{location}/deliveries?status=lost&limit=0")))
            .bearer_auth(&app.admin)
            .send()
            .unwrap(),
        400,
    );
    assert_eq!(error_fields(&p), ["status", "limit"]);
    let p = problem(
        app.client
            .post(app.url(&format!("{location}/replay")))
            .bearer_auth(&app.admin)
            .json(&json!({}))
            .send()
            .unwrap(),
        422,
    );
    assert_eq!(error_fields(&p), ["message"]);
    let gone = app
        .client
        .delete(app.url(&location))
        .bearer_auth(&app.admin)
        .send()
        .unwrap();
    assert_eq!(gone.status(), 204);
    problem(
        app.client
            .get(app.url(&location))
            .bearer_auth(&app.admin)
            .send()
            .unwrap(),
        404,
    );
}

#[test]
fn a_server_killed_with_deliveries_pending_delivers_each_event_once_after_a_restart() {
    // A server process of its own on an SQLite file: the PostgreSQL run has nothing to add.
    if crate::store::on_postgres() {
        return;
    }
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hooks.db");
    let flags = [
        "--webhook-allow-private",
        "--webhook-retry-schedule",
        "1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        "--webhook-timeout",
        "1",
    ];
    let (mut server, base) = start_server_with(&db, &flags);
    let admin = crate::helpers::cli_key(&db, "admin", "admin");
    let writer = crate::helpers::cli_key(&db, "writer", "write");
    let client = crate::helpers::client();
    // The receiver refuses everything at first (503): the deliveries stay pending.
    let port = free_port();
    let hook: Value = client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": format!("http://127.0.0.1:{port}/hooks"), "events": ["article.published"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let secret = hook["secret"].as_str().unwrap();
    let port_arg = port.to_string();
    let refusing = Receiver::start(&py, secret, &["--fail", "1000", "--port", &port_arg]);
    let mut ids = Vec::new();
    for i in 0..5 {
        let a: Value = client
            .post(format!("{base}/api/v1/articles"))
            .bearer_auth(&writer)
            .json(&json!({"title": format!("خبر رقم {i} عن دوشنبه"), "status": "published"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        ids.push(a["id"].as_i64().unwrap());
    }
    eventually("attempts refused", Duration::from_secs(10), || {
        refusing.seen().len() >= 5
    });
    server.kill();
    assert!(refusing.accepted().is_empty());
    drop(refusing);

    let rx = Receiver::start(&py, secret, &["--port", &port_arg]);
    let (_server, _) = start_server_with(&db, &flags);
    let got = rx.wait_accepted(5, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(1500));
    let got_all = rx.accepted();
    let mut by_article: Vec<(i64, String)> = got_all
        .iter()
        .map(|r| {
            (
                payload(r)["data"]["id"].as_i64().unwrap(),
                r["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_article.sort();
    by_article.dedup();
    let articles: Vec<i64> = by_article.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        articles, ids,
        "every event, each under one id: {by_article:?}"
    );
    assert!(got.iter().all(|r| r["verified"] == true));
}
