//! Tags: the list with counts, one tag with children, writes and the in-use guard.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

#[test]
fn list_filter_sort_and_detail_with_children() {
    let app = TestApp::spawn();
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kazakhstan", "كازاخستان", "country", Some("central-asia"));
    app.tag("tajikistan", "طاجيكستان", "country", Some("central-asia"));
    app.tag("brics", "بريكس", "organization", None);
    app.article("أ", &["tajikistan"]);
    app.article("ب", &["tajikistan", "brics"]);

    let res = app.get("/api/v1/tags");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-total-count"], "4");
    let all: Value = res.json().unwrap();
    let names: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["آسيا الوسطى", "بريكس", "طاجيكستان", "كازاخستان"]
    );

    let by_count: Value = app
        .get("/api/v1/tags?sort=-article_count&limit=2")
        .json()
        .unwrap();
    assert_eq!(by_count["data"][0]["slug"], "tajikistan");
    assert_eq!(by_count["data"][0]["article_count"], 2);
    assert_eq!(by_count["meta"]["total"], 4);
    assert!(
        by_count["links"]["next"]
            .as_str()
            .unwrap()
            .contains("page=2")
    );

    let countries: Value = app.get("/api/v1/tags?kind=country").json().unwrap();
    assert_eq!(countries["meta"]["total"], 2);
    let children: Value = app.get("/api/v1/tags?parent=central-asia").json().unwrap();
    assert_eq!(children["meta"]["total"], 2);

    let region: Value = app.get("/api/v1/tags/central-asia").json().unwrap();
    assert_eq!(region["kind"], "region");
    let kids: Vec<&str> = region["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec!["tajikistan", "kazakhstan"]);
    let kz: Value = app.get("/api/v1/tags/kazakhstan").json().unwrap();
    assert_eq!(kz["parent"]["slug"], "central-asia");

    problem(app.get("/api/v1/tags/nowhere"), 404);
    let p = problem(app.get("/api/v1/tags?kind=planet&sort=x"), 400);
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn create_patch_delete_and_guards() {
    let app = TestApp::spawn();
    app.tag("caucasus", "القوقاز", "region", None);
    let res = app.post(
        "/api/v1/tags",
        &json!({"name": "جورجيا", "name_en": "Georgia", "kind": "country", "parent": "caucasus"}),
    );
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/api/v1/tags/georgia");
    let g: Value = res.json().unwrap();
    assert_eq!(g["slug"], "georgia", "slug derived from the English name");

    let res = app.send(
        Method::PATCH,
        "/api/v1/tags/georgia",
        &json!({"description": "دولة في جنوب القوقاز", "name_en": null}),
    );
    assert_eq!(res.status(), 200);
    let g: Value = res.json().unwrap();
    assert_eq!(g["description"], "دولة في جنوب القوقاز");
    assert_eq!(g["name_en"], Value::Null);
    assert_eq!(g["parent"]["slug"], "caucasus");

    // A cycle is refused.
    let p = problem(
        app.send(
            Method::PATCH,
            "/api/v1/tags/caucasus",
            &json!({"parent": "georgia"}),
        ),
        422,
    );
    assert_eq!(p["errors"][0]["field"], "parent");
    // An unknown parent is named.
    let p = problem(
        app.post(
            "/api/v1/tags",
            &json!({"name": "س", "slug": "s", "parent": "atlantis"}),
        ),
        422,
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("atlantis")
    );
    // A taken slug.
    problem(
        app.post(
            "/api/v1/tags",
            &json!({"name": "جورجيا", "slug": "georgia"}),
        ),
        409,
    );

    // A tag in use cannot be deleted silently: the 409 says how many articles carry it.
    app.article("تبليسي", &["georgia"]);
    app.article("باتومي", &["georgia"]);
    let p = problem(
        app.request(Method::DELETE, "/api/v1/tags/georgia")
            .send()
            .unwrap(),
        409,
    );
    assert!(p["detail"].as_str().unwrap().contains("2 articles"), "{p}");
    // A parent with children cannot be deleted either.
    problem(
        app.request(Method::DELETE, "/api/v1/tags/caucasus")
            .send()
            .unwrap(),
        409,
    );

    app.tag("unused", "غير مستخدم", "topic", None);
    assert_eq!(
        app.request(Method::DELETE, "/api/v1/tags/unused")
            .send()
            .unwrap()
            .status(),
        204
    );
    problem(app.get("/api/v1/tags/unused"), 404);
}

/// Counts are remembered until the site changes: every write and every publication falling
/// due must show in them at once.
#[test]
fn tag_counts_follow_writes_and_due_publications() {
    let app = TestApp::spawn();
    app.tag("energy", "الطاقة", "topic", None);
    let count = |app: &TestApp| -> i64 {
        let t: Value = app.get("/api/v1/tags/energy").json().unwrap();
        t["article_count"].as_i64().unwrap()
    };
    assert_eq!(count(&app), 0);
    let a = app.article("خبر عن الطاقة", &["energy"]);
    assert_eq!(count(&app), 1);
    let due = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر مجدول", "status": "published", "published_at": due, "tags": ["energy"]}),
    );
    assert_eq!(res.status(), 201);
    assert_eq!(count(&app), 1, "not public yet");
    crate::helpers::eventually(
        "the scheduled article falls due",
        std::time::Duration::from_secs(10),
        || count(&app) == 2,
    );
    let listed: Value = app.get("/api/v1/tags?sort=-article_count").json().unwrap();
    assert_eq!(listed["data"][0]["article_count"], 2);
    let res = app
        .request(Method::DELETE, &format!("/api/v1/articles/{}", a["id"]))
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(count(&app), 1, "trashed");
}
