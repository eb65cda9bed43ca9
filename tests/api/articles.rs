//! Articles: reading, writing, visibility, filters and sanitized bodies, over HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

fn slugs(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["slug"].as_str().expect("slug").to_owned())
        .collect()
}

#[test]
fn create_read_by_id_and_percent_encoded_arabic_slug() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    let res = app.post(
        "/api/v1/articles",
        &json!({
            "title": "كازاخستان «ترفع» إنتاجَ النفط: تفاصيل",
            "body": "رفعت **كازاخستان** إنتاجها من النفط الخام.\n\nالفقرة الثانية.",
            "source": "أنباء آسيا الوسطى والقوقاز",
            "status": "published",
            "tags": ["kazakhstan"]
        }),
    );
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = res.json().unwrap();
    assert_eq!(location, format!("/api/v1/articles/{}", created["id"]));
    assert!(etag.starts_with("\"v1-"), "{etag}");
    // A write's ETag is the one a later read of the article sends.
    let read = app.get(&location);
    assert_eq!(read.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(created["slug"], "كازاخستان-ترفع-إنتاج-النفط-تفاصيل");
    assert_eq!(created["title"], "كازاخستان «ترفع» إنتاجَ النفط: تفاصيل");
    assert_eq!(created["summary"], "رفعت كازاخستان إنتاجها من النفط الخام.");
    assert_eq!(created["dir"], "rtl");
    assert_eq!(created["version"], 1);
    assert_eq!(created["tags"][0]["slug"], "kazakhstan");
    assert!(created["word_count"].as_i64().unwrap() >= 7);
    assert_eq!(created["reading_time_minutes"], 1);

    let by_id: Value = app.get(&location).json().unwrap();
    assert_eq!(by_id["id"], created["id"]);
    assert!(by_id["body"].as_str().unwrap().contains("**كازاخستان**"));
    assert!(
        by_id["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>كازاخستان</strong>")
    );

    let encoded: String = created["slug"]
        .as_str()
        .unwrap()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    assert!(encoded.starts_with("%D9%83"), "{encoded}");
    let res = app.get(&format!("/api/v1/articles/{encoded}"));
    assert_eq!(res.status(), 200);
    let by_slug: Value = res.json().unwrap();
    assert_eq!(by_slug["id"], created["id"]);
}

#[test]
fn slug_collisions_get_suffixes_and_explicit_slug_conflicts() {
    let app = TestApp::spawn();
    let a = app.article("قمة بريكس في قازان", &[]);
    let b = app.article("قمة بريكس في قازان", &[]);
    let c = app.article("قمة بريكس في قازان", &[]);
    assert_eq!(a["slug"], "قمة-بريكس-في-قازان");
    assert_eq!(b["slug"], "قمة-بريكس-في-قازان-2");
    assert_eq!(c["slug"], "قمة-بريكس-في-قازان-3");
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "آخر", "slug": "قمة-بريكس-في-قازان"}),
    );
    let p = problem(res, 409);
    assert!(p["detail"].as_str().unwrap().contains("taken"), "{p}");
}

#[test]
fn body_html_is_sanitized() {
    let app = TestApp::spawn();
    let body = "<script>alert('x')</script>\n\n<img src=\"https://e.org/a.png\" onerror=\"alert(1)\">\n\n<a href=\"javascript:alert(1)\" onclick=\"steal()\">رابط</a>\n\n[رابط آخر](javascript:alert(2))\n\n<iframe src=\"https://evil.example\"></iframe><p onmouseover=\"x()\" style=\"color:red\">فقرة</p>";
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "اختبار التعقيم", "body": body, "status": "published"}),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    let html: Value = app
        .get(&format!("/api/v1/articles/{}", a["id"]))
        .json()
        .unwrap();
    let html = html["body_html"].as_str().unwrap().to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "style=",
    ] {
        assert!(!html.contains(bad), "{bad} survived in {html}");
    }
    assert!(html.contains("<img src=\"https://e.org/a.png\""), "{html}");
    assert!(html.contains("فقرة"));
    // The source is kept exactly as sent.
    assert_eq!(a["body"], body);
}

#[test]
fn text_is_stored_as_nfc() {
    let app = TestApp::spawn();
    // "آ" written decomposed (alef + madda above) must come back composed.
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "\u{0627}\u{0653}سيا الوسطى"}),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    assert_eq!(a["title"], "\u{0622}سيا الوسطى");
}

#[test]
fn scheduled_and_draft_articles_stay_hidden_from_the_public() {
    let app = TestApp::spawn();
    app.article("خبر منشور", &[]);
    let future = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر مجدول", "status": "published", "published_at": "2099-01-01T09:00:00Z"}),
    );
    assert_eq!(future.status(), 201);
    let future: Value = future.json().unwrap();
    let draft: Value = app
        .post("/api/v1/articles", &json!({"title": "مسودة"}))
        .json()
        .unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["published_at"], Value::Null);

    let public: Value = app.get("/api/v1/articles").json().unwrap();
    assert_eq!(slugs(&public), vec!["خبر-منشور"]);
    assert_eq!(public["meta"]["total"], 1);
    for a in [&future, &draft] {
        let res = app.get(&format!("/api/v1/articles/{}", a["id"]));
        problem(res, 404);
        let res = app.get_with(&format!("/api/v1/articles/{}", a["id"]), &app.reader);
        assert_eq!(res.status(), 200);
    }
    // With read:drafts, `published` includes scheduled ones, `draft` the drafts.
    let published: Value = app
        .get_with("/api/v1/articles?status=published", &app.reader)
        .json()
        .unwrap();
    assert_eq!(published["meta"]["total"], 2);
    let drafts: Value = app
        .get_with("/api/v1/articles?status=draft", &app.reader)
        .json()
        .unwrap();
    assert_eq!(slugs(&drafts), vec!["مسودة"]);
    let all: Value = app
        .get_with("/api/v1/articles?status=all", &app.reader)
        .json()
        .unwrap();
    assert_eq!(all["meta"]["total"], 3);

    // Rescheduling into the past publishes it, with no job needed.
    let res = app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", future["id"]),
        &json!({"published_at": "2020-01-01T00:00:00Z"}),
    );
    assert_eq!(res.status(), 200);
    let public: Value = app.get("/api/v1/articles").json().unwrap();
    assert_eq!(public["meta"]["total"], 2);
}

#[test]
fn patch_put_and_delete_to_trash() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    app.tag("azerbaijan", "أذربيجان", "country", None);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "محادثات السلام", "summary": "ملخص يدوي", "author": "مراسل", "body": "الفقرة الأولى.", "status": "published", "tags": ["armenia"]}),
    );
    let a: Value = res.json().unwrap();
    let path = format!("/api/v1/articles/{}", a["id"]);

    let res = app.send(
        Method::PATCH,
        &path,
        &json!({"title": "محادثات السلام تتقدم", "author": null, "tags": ["azerbaijan", "armenia"]}),
    );
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["etag"].to_str().unwrap().starts_with("\"v2-"),
        "{:?}",
        res.headers()["etag"]
    );
    let p: Value = res.json().unwrap();
    assert_eq!(p["title"], "محادثات السلام تتقدم");
    assert_eq!(p["slug"], a["slug"], "a new title keeps the slug");
    assert_eq!(p["author"], Value::Null);
    assert_eq!(p["summary"], "ملخص يدوي");
    assert_eq!(p["version"], 2);
    let order: Vec<&str> = p["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec!["azerbaijan", "armenia"]);

    // A null summary goes back to the derived one.
    let p: Value = app
        .send(Method::PATCH, &path, &json!({"summary": null}))
        .json()
        .unwrap();
    assert_eq!(p["summary"], "الفقرة الأولى.");

    // PUT replaces everything: fields left out go back to their defaults.
    let res = app.send(
        Method::PUT,
        &path,
        &json!({"title": "عنوان جديد كليا", "body": "نص جديد."}),
    );
    assert_eq!(res.status(), 200);
    let r: Value = res.json().unwrap();
    assert_eq!(r["status"], "draft");
    assert_eq!(r["tags"], json!([]));
    assert_eq!(r["source"], Value::Null);
    assert_eq!(r["version"], 4);
    assert_eq!(r["slug"], a["slug"]);

    let res = app.request(Method::DELETE, &path).send().unwrap();
    assert_eq!(res.status(), 204);
    problem(app.get_with(&path, &app.reader), 404);
    problem(app.request(Method::DELETE, &path).send().unwrap(), 404);
    // Still in the database: the trash is soft.
    let conn = rusqlite_count(
        &app.db_path,
        "SELECT COUNT(*) FROM articles WHERE trashed_at IS NOT NULL",
    );
    assert_eq!(conn, 1);
}

/// Counts with a direct connection to the test database (either store).
pub fn rusqlite_count(path: &str, sql: &str) -> i64 {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let pool = anbaa::db::open(path).unwrap();
    let mut conn = pool.get().unwrap();
    let sql = sql.replacen("SELECT COUNT(*)", "SELECT COUNT(*) AS n", 1);
    diesel::sql_query(sql)
        .get_result::<N>(&mut *conn)
        .unwrap()
        .n
}

#[test]
fn filters_by_region_with_descendants_modes_exclusions_and_dates() {
    let app = TestApp::spawn();
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kazakhstan", "كازاخستان", "country", Some("central-asia"));
    app.tag("uzbekistan", "أوزبكستان", "country", Some("central-asia"));
    app.tag("opec-plus", "أوبك+", "organization", None);
    app.tag("energy", "الطاقة", "topic", None);
    let post = |title: &str, tags: &[&str], at: &str| {
        let res = app.post(
            "/api/v1/articles",
            &json!({"title": title, "status": "published", "published_at": at, "tags": tags}),
        );
        assert_eq!(res.status(), 201);
    };
    post(
        "نفط كازاخستان",
        &["kazakhstan", "opec-plus"],
        "2025-03-01T10:00:00Z",
    );
    post("قطن أوزبكستان", &["uzbekistan"], "2025-04-01T10:00:00Z");
    post(
        "اجتماع أوبك",
        &["opec-plus", "energy"],
        "2025-05-01T10:00:00Z",
    );
    post(
        "قمة إقليمية",
        &["central-asia"],
        "2025-06-01T10:00:00+03:00",
    );

    let list = |q: &str| -> Vec<String> {
        slugs(&app.get(&format!("/api/v1/articles?{q}")).json().unwrap())
    };
    assert_eq!(
        list("tag=central-asia"),
        vec!["قمة-إقليمية", "قطن-أوزبكستان", "نفط-كازاخستان"]
    );
    assert_eq!(
        list("tag=uzbekistan,energy"),
        vec!["اجتماع-أوبك", "قطن-أوزبكستان"]
    );
    assert_eq!(
        list("tag=central-asia,opec-plus&tag_mode=all"),
        vec!["نفط-كازاخستان"]
    );
    assert_eq!(
        list("tag=opec-plus&exclude_tag=central-asia"),
        vec!["اجتماع-أوبك"]
    );
    assert_eq!(
        list("published_after=2025-04-01&published_before=2025-06-01"),
        vec!["اجتماع-أوبك", "قطن-أوزبكستان"]
    );
    assert_eq!(
        list("published_after=2025-05-01T10:00:00Z&sort=published_at"),
        vec!["اجتماع-أوبك", "قمة-إقليمية"]
    );
    assert_eq!(list("updated_after=2099-01-01"), Vec::<String>::new());
    assert_eq!(list("sort=published_at&limit=1"), vec!["نفط-كازاخستان"]);
    assert_eq!(list("sort=-updated_at&limit=1"), vec!["قمة-إقليمية"]);
}

#[test]
fn fields_and_include_shape_the_items() {
    let app = TestApp::spawn();
    app.article("خبر واحد", &[]);
    let list: Value = app.get("/api/v1/articles").json().unwrap();
    let item = &list["data"][0];
    assert!(
        item.get("body").is_none() && item.get("body_html").is_none(),
        "lists omit bodies"
    );
    let list: Value = app.get("/api/v1/articles?include=body").json().unwrap();
    assert!(
        list["data"][0]["body_html"]
            .as_str()
            .unwrap()
            .starts_with("<p>")
    );
    // Lists read bodies from the store only when asked, by `include` or by `fields`.
    let list: Value = app.get("/api/v1/articles?fields=id,body").json().unwrap();
    assert!(!list["data"][0]["body"].as_str().unwrap().is_empty());
    let list: Value = app
        .get("/api/v1/articles?q=خبر&fields=id,snippet")
        .json()
        .unwrap();
    assert!(list["data"][0]["snippet"].as_str().unwrap().contains("خبر"));
    // A whole view is plain JSON; a selection has its own media type, so a client typed for
    // whole articles never meets one.
    let plain = app.get("/api/v1/articles");
    assert_eq!(plain.headers()["content-type"], "application/json");
    let res = app.get("/api/v1/articles?fields=id,slug,title");
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.anbaa.selection+json"
    );
    let list: Value = res.json().unwrap();
    let keys: Vec<&String> = list["data"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["id", "slug", "title"]);
    assert!(list["meta"]["total"].is_i64() && list["links"]["self"].is_string());
    let id = list["data"][0]["id"].clone();
    let whole = app.get(&format!("/api/v1/articles/{id}"));
    assert_eq!(whole.headers()["content-type"], "application/json");
    let whole: Value = whole.json().unwrap();
    assert!(whole["body"].is_string() && whole["body_html"].is_string());
    assert!(
        whole["author"].is_null() && whole["image"].is_null(),
        "{whole}"
    );
    let res = app.get(&format!("/api/v1/articles/{id}?fields=title"));
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.anbaa.selection+json"
    );
    let one: Value = res.json().unwrap();
    assert_eq!(one, json!({"title": "خبر واحد"}));
    let p = problem(app.get("/api/v1/articles?fields=id,nope"), 400);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("nope"));
}

#[test]
fn demo_content_loads_once() {
    let app = TestApp::spawn_demo();
    let list: Value = app.get("/api/v1/articles").json().unwrap();
    let public = list["meta"]["total"].as_i64().unwrap();
    assert!(public >= 40, "{public}");
    let tags: Value = app.get("/api/v1/tags?limit=100").json().unwrap();
    assert!(tags["meta"]["total"].as_i64().unwrap() >= 12);
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    assert_eq!(
        anbaa::demo::load(&mut conn).unwrap(),
        0,
        "second load adds nothing"
    );
    let again: Value = app.get("/api/v1/articles").json().unwrap();
    assert_eq!(again["meta"]["total"].as_i64().unwrap(), public);
}

/// A PUT that leaves `published_at` out keeps a published story's date (it used to re-date
/// it to now, moving an old story to the top of every list and feed).
#[test]
fn put_without_published_at_keeps_a_published_storys_date() {
    let app = TestApp::spawn();
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر قديم", "status": "published", "published_at": "2025-01-27T10:05:00Z"}),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    let res = app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/articles/{}", a["id"]),
        &json!({"title": "خبر قديم مصحح", "body": "نص محدث.", "status": "published"}),
    );
    assert_eq!(res.status(), 200);
    let put: Value = res.json().unwrap();
    assert_eq!(put["published_at"], "2025-01-27T10:05:00Z");
    assert_eq!(put["title"], "خبر قديم مصحح");
    // A draft published by a PUT gets a date, as before.
    let draft: Value = app
        .post("/api/v1/articles", &json!({"title": "مسودة"}))
        .json()
        .unwrap();
    let res = app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/articles/{}", draft["id"]),
        &json!({"title": "مسودة منشورة", "status": "published"}),
    );
    let published: Value = res.json().unwrap();
    assert!(published["published_at"].is_string(), "{published}");
}

/// A scheduled article shows up in `updated_after` polls once it is due, with `updated_at`
/// the instant it became public, and its feed entry is never updated before it was
/// published.
#[test]
fn a_scheduled_article_counts_as_updated_when_it_becomes_public() {
    let app = TestApp::spawn();
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let due_text = due.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر مجدول", "status": "published", "published_at": due_text}),
    );
    assert_eq!(res.status(), 201);
    let written = chrono::Utc::now();
    let since = written.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let poll = || -> Value {
        app.client
            .get(app.url("/api/v1/articles"))
            .query(&[("updated_after", since.as_str())])
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    crate::helpers::eventually(
        "the scheduled article shows in an updated_after poll",
        std::time::Duration::from_secs(10),
        || poll()["meta"]["total"] == 1,
    );
    let list = poll();
    let item = &list["data"][0];
    assert_eq!(item["updated_at"], item["published_at"], "{item}");
    let feed = app.get("/feeds/articles.json").text().unwrap();
    let feed: Value = serde_json::from_str(&feed).unwrap();
    let entry = &feed["items"][0];
    let published = chrono::DateTime::parse_from_rfc3339(entry["date_published"].as_str().unwrap());
    let modified = chrono::DateTime::parse_from_rfc3339(entry["date_modified"].as_str().unwrap());
    assert!(modified.unwrap() >= published.unwrap(), "{entry}");
}

/// Sanitized HTML keeps only absolute http, https and mailto URLs: relative and
/// protocol-relative ones would resolve against a partner's own site. A footnote keeps its
/// text instead of turning into a broken link.
#[test]
fn relative_urls_are_dropped_and_footnotes_keep_their_text() {
    let app = TestApp::spawn();
    let body = "[نسبي](/admin) [بروتوكول](//evil.example/x) <img src=\"//tracker.example/p.gif\"> [مطلق](https://example.org/a)\n\nسطر[^1]\n\n[^1]: حاشية توضيحية";
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "روابط", "body": body, "status": "published"}),
    );
    assert_eq!(res.status(), 201);
    let a: Value = res.json().unwrap();
    let html = a["body_html"].as_str().unwrap();
    for bad in ["/admin", "//evil.example", "//tracker.example"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(html.contains("href=\"https://example.org/a\""), "{html}");
    assert!(html.contains("حاشية توضيحية"), "{html}");
    assert!(
        html.contains("نسبي") && html.contains("بروتوكول"),
        "link text stays: {html}"
    );
}

/// Direction follows the script subtag when there is one (`az-Arab` is right to left,
/// `ku-Latn` left to right), else the language; the detail view accepts `include=body`
/// as lists do.
#[test]
fn direction_follows_the_script_and_the_detail_view_accepts_include_body() {
    let app = TestApp::spawn();
    for (lang, dir) in [
        ("az-Arab", "rtl"),
        ("az", "ltr"),
        ("ku-Latn", "ltr"),
        ("ckb", "rtl"),
    ] {
        let res = app.post(
            "/api/v1/articles",
            &json!({"title": format!("خبر {lang}"), "lang": lang}),
        );
        assert_eq!(res.status(), 201);
        let a: Value = res.json().unwrap();
        assert_eq!(a["dir"], dir, "{lang}");
    }
    let a = app.article("خبر للتفاصيل", &[]);
    let res = app.get(&format!("/api/v1/articles/{}?include=body", a["id"]));
    assert_eq!(res.status(), 200);
    let one: Value = res.json().unwrap();
    assert!(one["body_html"].is_string());
    let p = problem(
        app.get(&format!("/api/v1/articles/{}?include=tags", a["id"])),
        400,
    );
    assert_eq!(p["errors"][0]["field"], "include");
}

/// Related articles count only what one request can fetch (at most 20): a total the list
/// cannot reach would promise pages that do not exist.
#[test]
fn related_counts_only_what_can_be_fetched() {
    let app = TestApp::spawn();
    app.tag("energy", "طاقة", "topic", None);
    let first = app.article("خبر الطاقة الأول", &["energy"]);
    for i in 0..22 {
        app.article(&format!("خبر الطاقة رقم {i}"), &["energy"]);
    }
    let res = app.get(&format!(
        "/api/v1/articles/{}/related?limit=20",
        first["id"]
    ));
    assert_eq!(res.headers()["x-total-count"], "20");
    let list: Value = res.json().unwrap();
    assert_eq!(list["meta"]["total"], 20);
    assert_eq!(list["data"].as_array().unwrap().len(), 20);
}

/// A PUT that leaves `published_at` out keeps any stored date: publishing a scheduled
/// draft with PUT keeps its embargo.
#[test]
fn put_keeps_a_scheduled_drafts_date_when_publishing_it() {
    let app = TestApp::spawn();
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "مسودة بموعد", "status": "draft", "published_at": "2030-06-01T08:00:00Z"}),
    );
    let draft: Value = res.json().unwrap();
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let res = app.send(
        Method::PUT,
        &path,
        &json!({"title": "مسودة بموعد", "body": "نص", "status": "published"}),
    );
    let put: Value = res.json().unwrap();
    assert_eq!(put["published_at"], "2030-06-01T08:00:00Z");
    assert_eq!(
        app.get(&path).status(),
        404,
        "still embargoed for the public"
    );
}

/// Only `scheme://` URLs (and mailto:) survive: `https:/x` and `http:host` resolve against
/// the embedding page in browsers, and so do relative `cite` attributes.
#[test]
fn same_scheme_relative_urls_are_dropped_too() {
    let app = TestApp::spawn();
    let body = "[f](http:evil.example) [g](https:/evil.example/x) <img src=\"https:/t.example/x\"> <blockquote cite=\"/c\">q</blockquote> [ok](https://example.org/) [m](mailto:desk@example.org)";
    let a: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "روابط ملتوية", "body": body}),
        )
        .json()
        .unwrap();
    let html = a["body_html"].as_str().unwrap();
    for bad in [
        "http:evil",
        "https:/evil",
        "https:/t.example",
        "cite=\"/c\"",
    ] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(html.contains("href=\"https://example.org/\""), "{html}");
    assert!(html.contains("href=\"mailto:desk@example.org\""), "{html}");
}
