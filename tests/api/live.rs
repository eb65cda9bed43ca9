//! The change log live: the Server-Sent Events stream (`/api/v1/changes/stream`) read by a
//! real HTTP client line by line, resumed after a dropped connection, and the long poll
//! (`/api/v1/changes?wait=`).

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

/// One event as the stream framed it.
#[derive(Debug, Clone, PartialEq)]
struct Event {
    id: i64,
    kind: String,
    data: Value,
}

/// What a stream delivered: events, and comment lines (heartbeats).
enum Frame {
    Event(Event),
    Comment(String),
}

/// Reads a stream in a thread until it ends or the receiver goes; frames go to the channel.
fn read_stream(res: reqwest::blocking::Response) -> mpsc::Receiver<Frame> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut id = None;
        let mut kind = String::new();
        let mut data = String::new();
        for line in BufReader::new(res).lines() {
            let Ok(line) = line else { return };
            if line.is_empty() {
                if let Some(id) = id.take() {
                    let event = Event {
                        id,
                        kind: std::mem::take(&mut kind),
                        data: serde_json::from_str(&std::mem::take(&mut data)).unwrap(),
                    };
                    if tx.send(Frame::Event(event)).is_err() {
                        return;
                    }
                }
            } else if let Some(c) = line.strip_prefix(':') {
                if tx.send(Frame::Comment(c.trim().to_owned())).is_err() {
                    return;
                }
            } else if let Some(v) = line.strip_prefix("id: ") {
                id = Some(v.parse().unwrap());
            } else if let Some(v) = line.strip_prefix("event: ") {
                kind = v.to_owned();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push_str(v);
            }
        }
    });
    rx
}

/// The next `n` events, within `within`.
fn take_events(rx: &mpsc::Receiver<Frame>, n: usize, within: Duration) -> Vec<Event> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Frame::Event(e)) => out.push(e),
            Ok(Frame::Comment(_)) => {}
            Err(_) => panic!("{} of {n} events within {within:?}: {out:?}", out.len()),
        }
    }
    out
}

fn publish(app: &TestApp, title: &str) -> Value {
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": title, "body": "نص الخبر.", "status": "published"}),
    );
    assert_eq!(res.status(), 201);
    res.json().unwrap()
}

/// `/changes` after `since`, every page, as (seq, op, id, version).
fn log_after(app: &TestApp, since: i64) -> Vec<(i64, String, i64, i64)> {
    let page: Value = app
        .get(&format!("/api/v1/changes?since={since}&limit=500"))
        .json()
        .unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["seq"].as_i64().unwrap(),
                c["op"].as_str().unwrap().to_owned(),
                c["id"].as_i64().unwrap(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn seen(events: &[Event]) -> Vec<(i64, String, i64, i64)> {
    events
        .iter()
        .map(|e| {
            (
                e.id,
                e.kind.clone(),
                e.data["id"].as_i64().unwrap(),
                e.data["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// `anbaa_change_streams` on the server's `/metrics`.
fn streams_open(app: &TestApp) -> u64 {
    app.get("/metrics")
        .text()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("anbaa_change_streams ")?.parse().ok())
        .unwrap()
}

fn open_stream(app: &TestApp, last_id: Option<i64>) -> reqwest::blocking::Response {
    let client = crate::helpers::client_builder()
        .timeout(None)
        .build()
        .unwrap();
    let mut req = client
        .get(format!("{}/api/v1/changes/stream", app.base))
        .header("Accept", "text/event-stream")
        .header("Accept-Encoding", "gzip, br")
        .header("Origin", "https://partner.example");
    if let Some(id) = last_id {
        req = req.header("Last-Event-ID", id.to_string());
    }
    let res = req.send().unwrap();
    assert_eq!(res.status(), 200);
    res
}

/// A stream delivers the log, then every write as it commits; dropped and reopened with the
/// last id it saw (as an EventSource does), it carries on with no gap and no duplicate: what
/// it delivered is exactly `/changes` after that id. Never compressed nor cached, readable
/// cross-origin, and an idle stream sends a heartbeat.
#[test]
fn the_stream_resumes_after_a_dropped_connection_with_no_gap_and_no_duplicate() {
    let app = TestApp::spawn();
    publish(&app, "خبر أول قبل البث");
    let res = open_stream(&app, None);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/event-stream"));
    assert!(header("cache-control").contains("no-store"));
    assert!(!header("content-encoding").contains("gzip"));
    assert_eq!(header("access-control-allow-origin"), "*");
    let rx = read_stream(res);
    assert!(streams_open(&app) > 0, "an open stream is counted");
    // What the log held before the stream opened comes first.
    let backlog = take_events(&rx, 1, Duration::from_secs(5));
    assert_eq!(seen(&backlog), log_after(&app, 0));

    // Each write arrives as it commits.
    let mut delays = Vec::new();
    let mut first = backlog;
    for i in 0..5 {
        let started = Instant::now();
        let a = publish(&app, &format!("خبر عاجل رقم {i}"));
        let e = take_events(&rx, 1, Duration::from_secs(5)).remove(0);
        delays.push(started.elapsed());
        assert_eq!(e.kind, "upsert");
        assert_eq!(e.data["id"], a["id"]);
        assert_eq!(e.data["article"]["title"], a["title"]);
        first.push(e);
    }
    delays.sort();
    eprintln!("publish -> event: max {:?}, all {delays:?}", delays[4]);
    assert!(delays[4] < Duration::from_secs(2), "{delays:?}");
    assert_eq!(seen(&first), log_after(&app, 0));

    // The connection drops; the newsroom carries on meanwhile.
    drop(rx);
    let last = first.last().unwrap().id;
    let a3 = first[3].data["id"].as_i64().unwrap();
    let a4 = first[4].data["id"].as_i64().unwrap();
    for i in 0..3 {
        publish(&app, &format!("خبر أثناء الانقطاع {i}"));
    }
    let res = app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/articles/{a3}"),
        &json!({"title": "خبر عاجل معدل"}),
    );
    assert_eq!(res.status(), 200);
    let res = app.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/articles/{a4}"),
        &json!({}),
    );
    assert!(res.status().is_success(), "{}", res.status());

    let expected = log_after(&app, last);
    assert_eq!(expected.len(), 5);
    let rx = read_stream(open_stream(&app, Some(last)));
    let resumed = take_events(&rx, expected.len(), Duration::from_secs(5));
    assert_eq!(seen(&resumed), expected);
    assert!(resumed.iter().all(|e| e.id > last));
    assert_eq!(
        resumed.iter().filter(|e| e.kind == "delete").count(),
        1,
        "the trashed article is a tombstone"
    );
    // The data of an event is the entry `/changes` gives.
    let page: Value = app
        .get(&format!("/api/v1/changes?since={last}&limit=1"))
        .json()
        .unwrap();
    assert_eq!(resumed[0].data, page["data"][0]);

    // Idle: a heartbeat within the promised 5 s.
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Frame::Comment(c)) if c == "heartbeat" => break,
            Ok(Frame::Comment(_)) => {}
            Ok(Frame::Event(e)) => panic!("no write, yet {e:?}"),
            Err(_) => panic!("no heartbeat within 8 s"),
        }
    }
}

/// A cursor the log never issued is a 409 before any stream opens; a malformed one names
/// where it came from (`Last-Event-ID` or `since`).
#[test]
fn a_stream_refuses_bad_cursors_with_a_problem() {
    let app = TestApp::spawn();
    publish(&app, "خبر");
    let p = problem(app.get("/api/v1/changes/stream?since=99999"), 409);
    assert!(p["detail"].as_str().unwrap().contains("ahead"), "{p}");
    let p = problem(app.get("/api/v1/changes/stream?since=-1"), 400);
    assert_eq!(error_fields(&p), vec!["since"]);
    let after = |id: &str| {
        app.client
            .get(format!("{}/api/v1/changes/stream", app.base))
            .header("Last-Event-ID", id)
            .send()
            .unwrap()
    };
    let p = problem(after("abc"), 400);
    assert_eq!(error_fields(&p), vec!["Last-Event-ID"]);
    let p = problem(app.get("/api/v1/changes/stream?cursor=1"), 400);
    assert!(p.to_string().contains("cursor"), "{p}");
    let p = problem(after("99999"), 409);
    assert!(
        p["detail"].as_str().unwrap().contains("`Last-Event-ID`"),
        "{p}"
    );
}

/// HEAD answers the stream's headers and opens no stream: an endless body nobody reads
/// would hold a stream slot and its socket for good (thirty HEADs once left thirty slots
/// taken). A browser's preflight may ask to send `Last-Event-ID` (fetch-based clients).
#[test]
fn a_head_request_opens_no_stream_and_preflights_allow_last_event_id() {
    let app = TestApp::spawn();
    publish(&app, "خبر");
    for _ in 0..30 {
        let res = app
            .client
            .head(format!("{}/api/v1/changes/stream", app.base))
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
    }
    let open = streams_open(&app);
    // Other tests of this process may hold a few streams open meanwhile, never thirty.
    assert!(open < 30, "{open} streams counted after thirty HEADs");

    let res = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/changes/stream", app.base),
        )
        .header("Origin", "https://partner.example")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "last-event-id")
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("last-event-id"), "{allowed}");
}

/// `wait` holds a poll that finds nothing until an entry lands (and answers at once), or
/// until the time is up (an empty page); a poll with entries waiting answers at once.
#[test]
fn a_long_poll_answers_as_soon_as_an_entry_lands() {
    let app = TestApp::spawn();
    publish(&app, "خبر قديم");
    let head: Value = app.get("/api/v1/changes").json().unwrap();
    let cursor = head["meta"]["next_cursor"].as_str().unwrap().to_owned();

    // Entries waiting: at once, whatever the wait.
    let started = Instant::now();
    let res = app.get("/api/v1/changes?since=0&wait=30");
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(2));

    // Nothing yet: held, then answered by the write.
    let base = app.base.clone();
    let poll = std::thread::spawn(move || {
        let started = Instant::now();
        let page: Value =
            reqwest::blocking::get(format!("{base}/api/v1/changes?since={cursor}&wait=20"))
                .unwrap()
                .json()
                .unwrap();
        (started.elapsed(), page)
    });
    std::thread::sleep(Duration::from_millis(700));
    let a = publish(&app, "خبر وصل أثناء الانتظار");
    let (took, page) = poll.join().unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["data"][0]["id"], a["id"]);
    assert!(took >= Duration::from_millis(600), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Nothing at all: an empty page when the time is up.
    let next = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let started = Instant::now();
    let empty: Value = app
        .get(&format!("/api/v1/changes?since={next}&wait=1"))
        .json()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(empty["data"].as_array().unwrap().len(), 0);
    // A held poll's answer is about one moment: no cache may answer the next poll with it.
    let res = app.get(&format!("/api/v1/changes?since={next}&wait=1"));
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert!(
        app.get("/api/v1/changes").headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    assert_eq!(empty["meta"]["next_cursor"], next.as_str());

    // Bad waits are named; a cursor ahead of the log is refused before any wait.
    for bad in ["31", "-1", "abc", "1.5"] {
        let p = problem(app.get(&format!("/api/v1/changes?wait={bad}")), 400);
        assert_eq!(error_fields(&p), vec!["wait"], "wait={bad}");
    }
    let started = Instant::now();
    problem(app.get("/api/v1/changes?since=99999&wait=10"), 409);
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A TCP relay to the server whose connections can all be cut at once: the network dropping
/// a stream in the middle, so the client must reconnect on its own.
struct Relay {
    origin: String,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Relay {
    fn to(upstream: &str) -> Relay {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (kept, count) = (open.clone(), accepted.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                };
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    kept.lock().unwrap().extend([c, s]);
                }
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Relay {
            origin,
            open,
            accepted,
        }
    }

    /// Connections accepted so far.
    fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Cuts every connection open through the relay.
    fn cut(&self) {
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// The page a partner's site would hold: an EventSource on the API's origin (another
/// origin), keeping every event it receives and every error (each one a reconnect).
const STREAM_PAGE: &str = r#"<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>بث</title></head>
<body><script>
const api = new URLSearchParams(location.search).get('api');
window.__seen = { events: [], errors: 0 };
const es = new EventSource(api + '/api/v1/changes/stream');
const keep = (e) => window.__seen.events.push({ id: e.lastEventId, type: e.type, data: JSON.parse(e.data) });
es.addEventListener('upsert', keep);
es.addEventListener('delete', keep);
es.onerror = () => { window.__seen.errors += 1; };
</script></body></html>"#;

/// A real EventSource client (`mode`: the npm `eventsource` package, or Chromium on a page
/// of another origin) reads the stream through a relay; the relay drops the connection in
/// the middle of the publishing; the client reconnects on its own with `Last-Event-ID`.
/// What it received is exactly `/changes`: no gap, no duplicate.
fn a_client_survives_a_dropped_stream(mode: &str) {
    let app = TestApp::spawn();
    let relay = Relay::to(&app.base);
    let target = match mode {
        "browser" => format!(
            "{}/?api={}",
            crate::browser::serve_html(STREAM_PAGE),
            relay.origin
        ),
        _ => format!("{}/api/v1/changes/stream", relay.origin),
    };
    let total = 8;
    let client = std::thread::spawn({
        let mode = mode.to_owned();
        move || crate::browser::run_script("sse.mjs", &[&mode, &target, &total.to_string(), "40"])
    });
    for i in 0..4 {
        publish(&app, &format!("قبل الانقطاع {i}"));
    }
    // The client is connected and has had time to read the first half.
    let deadline = Instant::now() + Duration::from_secs(20);
    while relay.accepted() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(800));
    relay.cut();
    for i in 0..4 {
        publish(&app, &format!("بعد الانقطاع {i}"));
    }
    let Some(seen) = client.join().unwrap() else {
        return;
    };
    let events = seen["events"].as_array().unwrap();
    let got: Vec<(i64, String, i64, i64)> = events
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().parse().unwrap(),
                e["type"].as_str().unwrap().to_owned(),
                e["data"]["id"].as_i64().unwrap(),
                e["data"]["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, log_after(&app, 0), "{mode}: {seen}");
    assert!(
        seen["errors"].as_i64().unwrap() >= 1,
        "{mode}: the drop was seen: {seen}"
    );
    assert!(relay.accepted() >= 2, "{mode}: it reconnected");
}

#[test]
fn the_npm_eventsource_client_survives_a_dropped_stream() {
    a_client_survives_a_dropped_stream("node");
}

#[test]
fn chromium_on_another_origin_survives_a_dropped_stream() {
    a_client_survives_a_dropped_stream("browser");
}

/// `--max-streams` caps the streams a node holds: one more gets a 503 problem with
/// `Retry-After` that names the flag, and a stream whose client left frees its place (the
/// server notices at the next heartbeats, so within about 10 s).
#[test]
fn streams_past_the_cap_are_refused_until_one_closes() {
    let app = TestApp::spawn_with(false, |s| s.max_streams = 2);
    publish(&app, "خبر");
    let first = read_stream(open_stream(&app, None));
    let second = read_stream(open_stream(&app, None));
    take_events(&first, 1, Duration::from_secs(5));
    take_events(&second, 1, Duration::from_secs(5));
    let res = app.get("/api/v1/changes/stream");
    assert!(res.headers().contains_key("retry-after"));
    let p = problem(res, 503);
    assert!(
        p["detail"].as_str().unwrap().contains("--max-streams"),
        "{p}"
    );
    assert_eq!(streams_open(&app), 2);
    drop(first);
    crate::helpers::eventually("a freed place", Duration::from_secs(30), || {
        let client = crate::helpers::client_builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        client
            .get(format!("{}/api/v1/changes/stream", app.base))
            .send()
            .is_ok_and(|r| r.status() == 200)
    });
    drop(second);
}

/// A seq the database handed out and never committed (on PostgreSQL a sequence value a
/// rolled-back transaction took) is no entry: a held poll keeps waiting and a stream sends
/// nothing (it once woke at once and spun, since the highest seq stood past every entry).
#[test]
fn an_unused_seq_wakes_no_poll_and_no_stream() {
    use diesel::prelude::*;
    let app = TestApp::spawn();
    publish(&app, "خبر");
    let head: Value = app.get("/api/v1/changes").json().unwrap();
    let cursor = head["meta"]["next_cursor"].as_str().unwrap().to_owned();
    if crate::store::on_postgres() {
        let pool = anbaa::db::open(&app.db_path).unwrap();
        let mut conn = pool.get().unwrap();
        diesel::sql_query("SELECT nextval(pg_get_serial_sequence('changes', 'seq'))")
            .execute(&mut *conn)
            .unwrap();
    }
    let started = Instant::now();
    let page: Value = app
        .get(&format!("/api/v1/changes?since={cursor}&wait=2"))
        .json()
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1_800),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 0);

    let rx = read_stream(open_stream(&app, Some(cursor.parse().unwrap())));
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut frames = 0;
    while let Ok(frame) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        frames += 1;
        if let Frame::Event(e) = frame {
            panic!("no entry after the cursor, yet {e:?}");
        }
    }
    assert!(frames <= 3, "{frames} frames in 2 s of nothing");
}
