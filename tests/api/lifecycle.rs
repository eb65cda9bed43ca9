//! The wire lifecycle over real HTTP: embargoes, corrections, withholding and canceling
//! (kills), and what each looks like to the public, to partners and in the change log.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, eventually, problem};

fn etag(res: &reqwest::blocking::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_owned()
}

/// The change log entry of article `id`, if it has one.
fn logged(app: &TestApp, id: &Value) -> Option<Value> {
    let page: Value = app.get("/api/v1/changes?limit=500").json().unwrap();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == *id)
        .cloned()
}

/// The ids on a public list page.
fn listed(app: &TestApp, path: &str) -> Vec<Value> {
    let page: Value = app.get(path).json().unwrap();
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {page}"))
        .iter()
        .map(|a| a["id"].clone())
        .collect()
}

/// Whether the body of feed `path` names the article's URL.
fn in_feed(app: &TestApp, path: &str, id: &Value) -> bool {
    let body = app.get(path).text().unwrap();
    body.contains(&format!("/api/v1/articles/{id}\""))
        || body.contains(&format!("/api/v1/articles/{id}<"))
}

#[test]
fn an_embargoed_article_is_hidden_until_the_instant_it_lifts_except_from_partners() {
    let app = TestApp::spawn();
    app.tag("georgia", "جورجيا", "country", None);
    let lifts = Utc::now() + chrono::Duration::seconds(3);
    let res = app.post(
        "/api/v1/articles",
        &json!({
            "title": "تبليسي تعلن نتائج الانتخابات البلدية",
            "body": "أعلنت اللجنة المركزية النتائج الأولية.",
            "status": "published",
            "tags": ["georgia"],
            "embargoed_until": lifts.to_rfc3339_opts(SecondsFormat::Micros, true),
            "ed_note": "لا يُنشر قبل المؤتمر الصحفي",
        }),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    let path = format!("/api/v1/articles/{}", a["id"]);
    // Published at the embargo's end, not before.
    assert_eq!(
        a["published_at"].as_str().unwrap()[..19],
        lifts.to_rfc3339_opts(SecondsFormat::Secs, true)[..19]
    );
    assert_eq!(a["ed_note"], "لا يُنشر قبل المؤتمر الصحفي");

    problem(app.get(&path), 404);
    assert!(!listed(&app, "/api/v1/articles").contains(&a["id"]));
    assert!(!listed(&app, "/api/v1/articles?tag=georgia").contains(&a["id"]));
    assert!(!in_feed(&app, "/feeds/articles.atom", &a["id"]));
    assert!(logged(&app, &a["id"]).is_none());

    // A partner sees it, marked with its embargo, and the editors' note.
    let seen: Value = app.get_with(&path, &app.partner).json().unwrap();
    assert!(seen["embargoed_until"].is_string(), "{seen}");
    assert_eq!(seen["ed_note"], "لا يُنشر قبل المؤتمر الصحفي");
    let page: Value = app
        .get_with("/api/v1/articles?tag=georgia", &app.partner)
        .json()
        .unwrap();
    assert_eq!(page["data"][0]["id"], a["id"]);
    assert!(page["data"][0]["embargoed_until"].is_string());

    // At the instant it lifts, it is public with no job run: a read finds it.
    eventually("the embargo lifts", Duration::from_secs(8), || {
        app.get(&path).status() == 200
    });
    let public: Value = app.get(&path).json().unwrap();
    assert!(public.get("embargoed_until").is_none(), "{public}");
    assert!(
        public.get("ed_note").is_none(),
        "the public never sees the note"
    );
    assert!(listed(&app, "/api/v1/articles?tag=georgia").contains(&a["id"]));
    assert!(in_feed(&app, "/feeds/tags/georgia.atom", &a["id"]));
    let entry = logged(&app, &a["id"]).expect("logged once public");
    assert_eq!(entry["op"], "upsert");
    assert_eq!(entry["event"], "embargo_lifted");
    assert!(entry["article"].get("ed_note").is_none());

    // An embargo already past when the article is written publishes it: nothing lifted.
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر بحظر منقض", "status": "published", "embargoed_until": "2020-01-01T00:00:00Z"}),
    );
    let past: Value = res.json().unwrap();
    assert_eq!(logged(&app, &past["id"]).unwrap()["event"], "published");
}

#[test]
fn a_correction_is_a_new_version_shown_with_the_article_and_announced_as_one() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    let a = app.article("يريفان توقع اتفاق طاقة", &["armenia"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    assert_eq!(logged(&app, &a["id"]).unwrap()["event"], "published");
    let current = app.get(&path);
    let res = app
        .request(Method::POST, &format!("{path}/corrections"))
        .header("If-Match", etag(&current))
        .json(&json!({"kind": "correction", "text": "وُقّع الاتفاق في يريفان لا في غيومري."}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let corrected: Value = res.json().unwrap();
    assert_eq!(corrected["version"], 2);
    assert_eq!(corrected["corrections"][0]["kind"], "correction");
    assert_eq!(corrected["corrections"][0]["version"], 2);

    let res = app.post(
        &format!("{path}/corrections"),
        &json!({"kind": "clarification", "text": "المقصود وزارة الطاقة الأرمينية."}),
    );
    assert_eq!(res.status(), 201);
    let public: Value = app.get(&path).json().unwrap();
    let kinds: Vec<&str> = public["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["correction", "clarification"]);
    assert_eq!(public["version"], 3);

    let entry = logged(&app, &a["id"]).unwrap();
    assert_eq!(entry["event"], "corrected");
    assert_eq!(entry["version"], 3);
    assert_eq!(entry["article"]["corrections"].as_array().unwrap().len(), 2);
    // An ordinary edit afterwards is an update again.
    assert_eq!(
        app.send(Method::PATCH, &path, &json!({"summary": "ملخص"}))
            .status(),
        200
    );
    assert_eq!(logged(&app, &a["id"]).unwrap()["event"], "updated");

    let feed = app.get("/feeds/tags/armenia.rss").text().unwrap();
    assert!(feed.contains("وُقّع الاتفاق في يريفان لا في غيومري."), "{feed}");

    let history: Value = app
        .get_with(&format!("{path}/revisions"), &app.reader)
        .json()
        .unwrap();
    assert_eq!(history["data"][1]["action"], "correct");

    // A correction names what is wrong with it.
    let p = problem(
        app.post(&format!("{path}/corrections"), &json!({"text": ""})),
        422,
    );
    assert_eq!(error_fields(&p), ["text", "kind"]);
    let p = problem(
        app.post(
            &format!("{path}/corrections"),
            &json!({"kind": "retraction", "text": "نص"}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), ["kind"]);
    problem(
        app.client
            .post(app.url(&format!("{path}/corrections")))
            .json(&json!({"kind": "correction", "text": "نص"}))
            .send()
            .unwrap(),
        401,
    );
}

#[test]
fn withholding_and_canceling_take_an_article_out_of_everything_and_answer_gone() {
    let app = TestApp::spawn();
    app.tag("caucasus", "القوقاز", "region", None);
    app.post(
        "/api/v1/tags",
        &json!({"slug": "azerbaijan", "name": "أذربيجان", "kind": "country", "parent": "caucasus"}),
    );
    let a = app.article("باكو تستضيف منتدى الطاقة", &["azerbaijan"]);
    let keep = app.article("باكو تفتتح خط قطارات", &["azerbaijan"]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let everywhere = |app: &TestApp, id: &Value| -> Vec<&'static str> {
        let mut found = Vec::new();
        for (name, list) in [
            ("list", "/api/v1/articles"),
            ("tag", "/api/v1/articles?tag=azerbaijan"),
            ("region", "/api/v1/articles?tag=caucasus"),
            ("search", "/api/v1/articles?q=%D8%A8%D8%A7%D9%83%D9%88"),
        ] {
            if listed(app, list).contains(id) {
                found.push(name);
            }
        }
        for (name, feed) in [
            ("feed", "/feeds/articles.atom"),
            ("tag feed", "/feeds/tags/caucasus.rss"),
            ("json feed", "/feeds/tags/azerbaijan.json"),
        ] {
            if in_feed(app, feed, id) {
                found.push(name);
            }
        }
        found
    };
    let all = vec![
        "list",
        "tag",
        "region",
        "search",
        "feed",
        "tag feed",
        "json feed",
    ];
    assert_eq!(everywhere(&app, &a["id"]), all);

    let res = app.send(Method::PATCH, &path, &json!({"pub_status": "withheld"}));
    assert_eq!(res.status(), 200);
    let p = problem(app.get(&path), 410);
    assert!(p["detail"].as_str().unwrap().contains("withheld"), "{p}");
    problem(
        app.get(&format!("/api/v1/articles/{}", a["slug"].as_str().unwrap())),
        410,
    );
    assert!(everywhere(&app, &a["id"]).is_empty());
    assert_eq!(everywhere(&app, &keep["id"]), all, "others stay");
    let entry = logged(&app, &a["id"]).unwrap();
    assert_eq!(entry["op"], "delete");
    assert_eq!(entry["event"], "withheld");
    assert_eq!(entry["pub_status"], "withheld");
    // Editors still see it, and may publish it again.
    let seen: Value = app.get_with(&path, &app.reader).json().unwrap();
    assert_eq!(seen["pub_status"], "withheld");
    let res = app.send(Method::PATCH, &path, &json!({"pub_status": "usable"}));
    assert_eq!(res.status(), 200);
    assert_eq!(app.get(&path).status(), 200);
    assert_eq!(everywhere(&app, &a["id"]), all);
    assert_eq!(logged(&app, &a["id"]).unwrap()["event"], "published");

    // A kill is final.
    let res = app.send(Method::PATCH, &path, &json!({"pub_status": "canceled"}));
    assert_eq!(res.status(), 200);
    let p = problem(app.get(&path), 410);
    assert!(p["detail"].as_str().unwrap().contains("canceled"), "{p}");
    assert!(everywhere(&app, &a["id"]).is_empty());
    let entry = logged(&app, &a["id"]).unwrap();
    assert_eq!(entry["event"], "canceled");
    assert_eq!(entry["pub_status"], "canceled");
    for body in [
        json!({"pub_status": "usable"}),
        json!({"title": "عنوان آخر"}),
    ] {
        let p = problem(app.send(Method::PATCH, &path, &body), 409);
        assert!(p["detail"].as_str().unwrap().contains("canceled"), "{p}");
    }
    problem(
        app.post(
            &format!("{path}/corrections"),
            &json!({"kind": "correction", "text": "نص"}),
        ),
        409,
    );
    // The public never learns of a withdrawn article's note; the counts agree.
    let page: Value = app.get("/api/v1/articles?tag=caucasus").json().unwrap();
    assert_eq!(page["meta"]["total"], 1);
    let p = problem(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", keep["id"]),
            &json!({"pub_status": "killed"}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), ["pub_status"]);
}
