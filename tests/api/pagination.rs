//! Page and cursor pagination: envelope, `Link`, `X-Total-Count`, and a keyset walk that
//! stays exact while articles are being inserted.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[test]
fn page_mode_envelope_and_links() {
    let app = TestApp::spawn();
    for i in 0..7 {
        app.post("/api/v1/articles", &json!({"title": format!("خبر رقم {i}"), "status": "published", "published_at": format!("2025-01-0{}T00:00:00Z", i + 1)}));
    }
    let res = app.get("/api/v1/articles?limit=3&page=2");
    assert_eq!(res.headers()["x-total-count"], "7");
    let link = res.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("rel=\"next\"")
            && link.contains("rel=\"prev\"")
            && link.contains("rel=\"self\""),
        "{link}"
    );
    let body: Value = res.json().unwrap();
    assert_eq!(body["meta"]["page"], 2);
    assert_eq!(body["meta"]["limit"], 3);
    assert_eq!(body["data"].as_array().unwrap().len(), 3);
    assert_eq!(body["links"]["next"], "/api/v1/articles?limit=3&page=3");
    assert_eq!(body["links"]["prev"], "/api/v1/articles?limit=3&page=1");
    let last: Value = app.get("/api/v1/articles?limit=3&page=3").json().unwrap();
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert_eq!(last["links"]["next"], Value::Null);
    assert_eq!(last["meta"]["next_cursor"], Value::Null);
    let beyond: Value = app.get("/api/v1/articles?limit=3&page=9").json().unwrap();
    assert_eq!(beyond["data"], json!([]));
}

#[test]
fn cursor_walk_under_concurrent_inserts_has_no_duplicates_and_no_gaps() {
    let app = Arc::new(TestApp::spawn());
    // Many articles share a published_at, so the id tie-breaker is exercised.
    for i in 0..60 {
        let at = format!("2025-02-{:02}T08:00:00Z", 1 + i / 3);
        let res = app.post(
            "/api/v1/articles",
            &json!({"title": format!("خبر أولي {i}"), "status": "published", "published_at": at}),
        );
        assert_eq!(res.status(), 201);
    }
    let before: Value = app.get("/api/v1/articles?limit=100").json().unwrap();
    let existing: HashSet<i64> = before["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(existing.len(), 60);

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, stop) = (app.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 200 {
                // New articles land everywhere in the order: newest, oldest and in between.
                let at = match n % 3 {
                    0 => "2030-01-01T00:00:00Z".to_owned(),
                    1 => "2020-01-01T00:00:00Z".to_owned(),
                    _ => format!("2025-02-{:02}T08:00:00Z", 1 + n % 20),
                };
                let res = app.post("/api/v1/articles", &json!({"title": format!("خبر جديد {n}"), "status": "published", "published_at": at}));
                assert_eq!(res.status(), 201);
                n += 1;
            }
            n
        })
    };

    let mut seen: Vec<i64> = Vec::new();
    let mut next = Some("/api/v1/articles?limit=7".to_owned());
    while let Some(url) = next {
        let page: Value = app.get(&url).json().unwrap();
        if url.contains("cursor=") {
            assert_eq!(
                page["meta"]["page"],
                Value::Null,
                "cursor mode has no page number"
            );
        }
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap()),
        );
        next = page["links"]["next"].as_str().map(str::to_owned);
        std::thread::sleep(std::time::Duration::from_millis(5));
        if let Some(n) = &next {
            assert!(n.contains("cursor="), "{n}");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let inserted = writer.join().unwrap();
    assert!(inserted > 0);

    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a page repeated an article");
    let missing: Vec<&i64> = existing.difference(&unique).collect();
    assert!(missing.is_empty(), "skipped {missing:?}");
}

#[test]
fn a_cursor_is_bound_to_its_sort() {
    let app = TestApp::spawn();
    for i in 0..3 {
        app.article(&format!("خبر {i}"), &[]);
    }
    let page: Value = app.get("/api/v1/articles?limit=1").json().unwrap();
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let res = app.get(&format!(
        "/api/v1/articles?limit=1&sort=published_at&cursor={cursor}"
    ));
    assert_eq!(res.status(), 400);
    let res = app.get(&format!("/api/v1/articles?limit=1&cursor={cursor}"));
    assert_eq!(res.status(), 200);
}
