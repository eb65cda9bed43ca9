//! Keys: 401 with `WWW-Authenticate: Bearer`, 403 on a missing scope, revocation.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, problem};

#[test]
fn writes_need_a_key_with_write() {
    let app = TestApp::spawn();
    let body = json!({"title": "خبر"});
    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .json(&body)
        .send()
        .unwrap();
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let p = problem(res, 401);
    assert!(p["detail"].as_str().unwrap().contains("write"));

    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth("anbaa_deadbeef_nope")
        .json(&body)
        .send()
        .unwrap();
    problem(res, 401);
    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&body)
        .send()
        .unwrap();
    problem(res, 401);
    // A real key with one character changed.
    let mut forged = app.writer.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(&forged)
        .json(&body)
        .send()
        .unwrap();
    problem(res, 401);

    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(&app.reader)
        .json(&body)
        .send()
        .unwrap();
    let p = problem(res, 403);
    assert!(p["detail"].as_str().unwrap().contains("write"));
    for (method, path) in [
        (Method::POST, "/api/v1/tags"),
        (Method::PATCH, "/api/v1/tags/x"),
        (Method::DELETE, "/api/v1/tags/x"),
        (Method::DELETE, "/api/v1/articles/1"),
        (Method::PUT, "/api/v1/articles/1"),
        (Method::PATCH, "/api/v1/articles/1"),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .json(&json!({}))
            .send()
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path}");
    }
    let res = app
        .client
        .post(app.url("/api/v1/articles"))
        .bearer_auth(&app.admin)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(res.status(), 201, "admin implies write");
}

#[test]
fn drafts_need_read_drafts() {
    let app = TestApp::spawn();
    problem(app.get("/api/v1/articles?status=draft"), 401);
    problem(
        app.get_with("/api/v1/articles?status=draft", &app.writer),
        403,
    );
    assert_eq!(
        app.get_with("/api/v1/articles?status=draft", &app.reader)
            .status(),
        200
    );
    // The default (published) needs no key.
    assert_eq!(app.get("/api/v1/articles?status=published").status(), 200);
}

#[test]
fn revoked_keys_stop_working() {
    let app = TestApp::spawn();
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let prefix = app.writer.split('_').nth(1).unwrap().to_owned();
    assert_eq!(anbaa::db::keys::revoke(&mut conn, &prefix, 1).unwrap(), 1);
    let res = app
        .client
        .post(app.url("/api/v1/tags"))
        .bearer_auth(&app.writer)
        .json(&json!({"name": "س"}))
        .send()
        .unwrap();
    problem(res, 401);
    // Only the hash is stored.
    let rows = anbaa::db::keys::all(&mut conn).unwrap();
    assert!(
        rows.iter()
            .all(|k| !app.writer.contains(&k.key_hash) && k.key_hash.len() == 64)
    );
}

/// A key that is unknown is refused on every read, public ones included, so a typo in a
/// partner's configuration shows at once instead of reading as anonymous.
#[test]
fn an_unknown_key_is_refused_on_every_read() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    let a = app.article("خبر للقراءة", &["kazakhstan"]);
    for path in [
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{}", a["id"]),
        format!("/api/v1/articles/{}/related", a["id"]),
        "/api/v1/tags".to_owned(),
        "/api/v1/tags/kazakhstan".to_owned(),
        "/api/v1/changes".to_owned(),
        "/feeds/articles.atom".to_owned(),
        "/feeds/tags/kazakhstan.json".to_owned(),
    ] {
        let res = app
            .client
            .get(app.url(&path))
            .header("Authorization", "Bearer anbaa_not_a_real_key")
            .send()
            .unwrap();
        assert_eq!(res.status(), 401, "{path}");
    }
}
