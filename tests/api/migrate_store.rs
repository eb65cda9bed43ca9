//! `anbaa migrate-store`: a site that lived on SQLite (demo content, edits, a rename, a
//! trash, a tag merge, keys) moved into an empty PostgreSQL database by the real binary,
//! then served from there: the same answers, partners' `/changes` cursors carry on, keys
//! still work. Runs with `ANBAA_TEST_STORE=postgres`.

use std::path::Path;
use std::process::Command;

use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::helpers::{cli_key, start_server_with};
use crate::store;

const BIN: &str = env!("CARGO_BIN_EXE_anbaa");

fn get(client: &Client, base: &str, path: &str) -> Value {
    let res = client.get(format!("{base}{path}")).send().expect("GET");
    assert_eq!(res.status(), 200, "{path}");
    res.json().expect("json")
}

/// What a partner and a reader see, to compare across the move.
fn observed(client: &Client, base: &str, cursor: &str) -> Vec<Value> {
    [
        format!("/api/v1/changes?since={cursor}&limit=100"),
        "/api/v1/changes?since=0&limit=100".to_owned(),
        "/api/v1/articles?limit=100&fields=id,slug,version,title,tags,updated_at".to_owned(),
        "/api/v1/tags?limit=100".to_owned(),
    ]
    .iter()
    .map(|p| {
        let mut v = get(client, base, p);
        // Where the next page starts is part of the promise; the links hold the host.
        v.as_object_mut().map(|o| o.remove("links"));
        v
    })
    .chain(std::iter::once({
        // A search finds the same articles; each store ranks them its own way (bm25 on
        // SQLite, ts_rank on PostgreSQL), so the order is not compared.
        let found = get(
            client,
            base,
            "/api/v1/articles?q=%D9%83%D8%A7%D8%B2%D8%A7%D8%AE%D8%B3%D8%AA%D8%A7%D9%86&fields=id&limit=100",
        );
        let mut ids: Vec<i64> = found["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        json!({"ids": ids, "total": found["meta"]["total"]})
    }))
    .collect()
}

#[test]
fn a_site_moved_from_sqlite_serves_the_same_and_partners_cursors_carry_on() {
    if !store::postgres_only() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.db");
    let key = cli_key(&file, "editor", "write,read:drafts,admin");
    let client = crate::helpers::client();
    let (cursor, before, last_seq) = {
        let (_sqlite, base) = start_server_with(&file, &["--demo"]);
        let send = |method: reqwest::Method, path: &str, body: Value| {
            let res = client
                .request(method, format!("{base}{path}"))
                .bearer_auth(&key)
                .json(&body)
                .send()
                .unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
            res.json::<Value>().unwrap_or(Value::Null)
        };
        let cursor = get(&client, &base, "/api/v1/changes?since=0&limit=5")["meta"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_owned();
        let made = send(
            reqwest::Method::POST,
            "/api/v1/articles",
            json!({"title": "خبر قبل النقل", "body": "نص عن كازاخستان.", "status": "published", "tags": ["kazakhstan"]}),
        );
        let id = made["id"].as_i64().unwrap();
        send(
            reqwest::Method::PATCH,
            &format!("/api/v1/articles/{id}"),
            json!({"title": "خبر قبل النقل بعد التعديل", "slug": "khabar-renamed", "ed_note": "للشركاء"}),
        );
        send(
            reqwest::Method::POST,
            "/api/v1/webhooks",
            json!({"url": "https://partner.example.org/hooks", "events": ["article.updated"]}),
        );
        send(
            reqwest::Method::POST,
            &format!("/api/v1/articles/{id}/corrections"),
            json!({"kind": "clarification", "text": "توضيح قبل النقل"}),
        );
        send(
            reqwest::Method::POST,
            "/api/v1/tags/kazakhstan/merge",
            json!({"into": "central-asia"}),
        );
        let first = get(&client, &base, "/api/v1/articles?limit=1&fields=id")["data"][0]["id"]
            .as_i64()
            .unwrap();
        let trashed = client
            .delete(format!("{base}/api/v1/articles/{first}"))
            .bearer_auth(&key)
            .send()
            .unwrap();
        assert_eq!(trashed.status(), 204);
        let all = get(&client, &base, "/api/v1/changes?since=0&limit=100");
        let last = all["meta"]["next_cursor"].as_str().unwrap().to_owned();
        let seen = observed(&client, &base, &cursor);
        (cursor, seen, last)
    };

    let target = store::TestDb::fresh(dir.path());
    let moved = Command::new(BIN)
        .args(["migrate-store", "--from"])
        .arg(&file)
        .args(["--to", &target.target])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&moved.stdout);
    assert!(
        moved.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&moved.stderr)
    );
    assert!(said.contains("verified every table"), "{said}");
    assert_eq!(said.matches("  ok").count(), 13, "{said}");

    let (_pg, base) = start_server_with(Path::new(&target.target), &[]);
    let after = observed(&client, &base, &cursor);
    for (i, (a, b)) in after.iter().zip(&before).enumerate() {
        assert!(a == b, "answer {i} differs after the move");
    }
    // The old slug and the merged tag still redirect.
    let no_redirect = crate::helpers::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let old = no_redirect
        .get(format!("{base}/api/v1/tags/kazakhstan"))
        .send()
        .unwrap();
    assert_eq!(old.status(), 301);
    // The key works, and the log goes on after the last number a partner holds.
    let res = client
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(&key)
        .json(&json!({"title": "أول خبر بعد النقل", "body": "نص.", "status": "published"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let after = get(&client, &base, &format!("/api/v1/changes?since={last_seq}"));
    let data = after["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{after}");
    assert_eq!(data[0]["slug"], res.json::<Value>().unwrap()["slug"]);
    assert!(data[0]["seq"].as_i64().unwrap() > last_seq.parse::<i64>().unwrap());

    // A second run finds content and leaves it alone.
    let again = Command::new(BIN)
        .args(["migrate-store", "--from"])
        .arg(&file)
        .args(["--to", &target.target])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds content"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
