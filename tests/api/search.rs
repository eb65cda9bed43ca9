//! Search over HTTP: Arabic-aware matching, syntax, visibility, index upkeep on every write,
//! both pagination styles, snippets, hostile input, and tag autocomplete.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

fn search(app: &TestApp, q: &str, extra: &str) -> Value {
    let url = format!("{}/api/v1/articles?{extra}", app.base);
    let res = app.client.get(url).query(&[("q", q)]).send().unwrap();
    assert_eq!(res.status(), 200, "q={q}");
    res.json().unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

fn publish(app: &TestApp, title: &str, body: &str, tags: &[&str]) -> Value {
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": title, "body": body, "status": "published", "tags": tags}),
    );
    assert_eq!(res.status(), 201);
    res.json().unwrap()
}

#[test]
fn finds_arabic_words_as_readers_type_them() {
    let app = TestApp::spawn();
    publish(
        &app,
        "ارتفاع الإنتاج بكازاخستان",
        "قال مسؤول إن الحقول الكازاخستانية تعمل بكامل طاقتها.",
        &[],
    );
    publish(
        &app,
        "اجتماع أوبك+ في فيينا",
        "ناقش وزراء أوبك مستوى الإنتاج.",
        &[],
    );
    publish(
        &app,
        "مشروع جديد لِلطَّاقَة",
        "أعلنت الحكومة خطة الطـــاقة لعام ٢٠٢٥.",
        &[],
    );
    publish(
        &app,
        "قرغيزستان تفتح حدودها",
        "قررت بيشكك تبسيط الإجراءات.",
        &[],
    );
    publish(&app, "خبر عن روسيا والنفط", "صادرات النفط الروسية.", &[]);

    assert_eq!(
        titles(&search(&app, "كازاخستان", "")),
        vec!["ارتفاع الإنتاج بكازاخستان"]
    );
    assert_eq!(
        titles(&search(&app, "اوبك", "")),
        vec!["اجتماع أوبك+ في فيينا"]
    );
    assert_eq!(
        titles(&search(&app, "مستوي", "")),
        vec!["اجتماع أوبك+ في فيينا"]
    );
    assert_eq!(
        titles(&search(&app, "الطاقه", "")),
        vec!["مشروع جديد لِلطَّاقَة"]
    );
    assert_eq!(
        titles(&search(&app, "الطَّاقَة 2025", "")),
        vec!["مشروع جديد لِلطَّاقَة"]
    );
    assert_eq!(
        titles(&search(&app, "قيرغيزستان", "")),
        vec!["قرغيزستان تفتح حدودها"]
    );
    assert_eq!(
        titles(&search(&app, "\"الحقول الكازاخستانية\"", "")),
        vec!["ارتفاع الإنتاج بكازاخستان"]
    );
    assert_eq!(
        titles(&search(&app, "\"الكازاخستانية الحقول\"", "")),
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&search(&app, "النفط -روسيا", "")),
        Vec::<String>::new()
    );
    let either = titles(&search(&app, "قرغيزستان OR اوبك", "sort=published_at"));
    assert_eq!(
        either,
        vec!["اجتماع أوبك+ في فيينا", "قرغيزستان تفتح حدودها"]
    );
    assert_eq!(
        titles(&search(&app, "قرغيز*", "")),
        vec!["قرغيزستان تفتح حدودها"]
    );
    // All words must match.
    assert_eq!(
        titles(&search(&app, "كازاخستان اوبك", "")),
        Vec::<String>::new()
    );
    assert_eq!(search(&app, "البرازيل", "")["meta"]["total"], 0);

    // Snippets show the original text, escaped, with the match marked.
    let hit = search(&app, "طاقه", "");
    let snippet = hit["data"][0]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("<mark>الطـــاقة</mark>") || snippet.contains("<mark>لِلطَّاقَة</mark>"),
        "{snippet}"
    );
}

#[test]
fn hostile_queries_never_fail() {
    let app = TestApp::spawn();
    publish(&app, "كازاخستان والنفط", "نص.", &[]);
    for q in [
        "\"",
        "*",
        "(",
        ")",
        ":",
        "^",
        "NEAR",
        "AND",
        "OR",
        "كازاخستان AND (النفط",
        "\"كازاخستان",
        "title:كازاخستان",
        "NEAR(a b)",
        "-",
        "--x",
        "**",
        "\u{0}",
        "'; DROP TABLE articles; --",
        "كازاخستان^2",
        "{title}: x",
    ] {
        let url = format!("{}/api/v1/articles", app.base);
        let res = app.client.get(url).query(&[("q", q)]).send().unwrap();
        assert_eq!(res.status(), 200, "q={q:?}");
    }
    assert_eq!(
        titles(&search(&app, "كازاخستان AND (النفط", "")),
        vec!["كازاخستان والنفط"]
    );
    let p = problem(
        app.get(&format!("/api/v1/articles?q={}", "ن".repeat(501))),
        400,
    );
    assert_eq!(error_fields(&p), vec!["q"]);
    // Without a search every article ties on relevance: the order is the default, newest first.
    let by_relevance = app.get("/api/v1/articles?sort=relevance&fields=id");
    assert_eq!(by_relevance.status(), 200);
    let by_relevance: Value = by_relevance.json().unwrap();
    let newest: Value = app.get("/api/v1/articles?fields=id").json().unwrap();
    assert_eq!(by_relevance["data"], newest["data"]);
}

#[test]
fn index_follows_every_write_and_hides_what_the_public_cannot_see() {
    let app = TestApp::spawn();
    app.tag("energy", "الطاقة", "topic", None);
    let a = publish(&app, "تقرير عن السدود", "نص عن المياه.", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    assert_eq!(search(&app, "السدود", "")["meta"]["total"], 1);

    // An edit replaces the indexed words.
    app.send(Method::PATCH, &path, &json!({"title": "تقرير عن الرياح"}));
    assert_eq!(search(&app, "السدود", "")["meta"]["total"], 0);
    assert_eq!(search(&app, "الرياح", "")["meta"]["total"], 1);
    // Tag names are searchable, and follow a rename.
    app.send(Method::PATCH, &path, &json!({"tags": ["energy"]}));
    assert_eq!(search(&app, "الطاقه الرياح", "")["meta"]["total"], 1);
    app.send(
        Method::PATCH,
        "/api/v1/tags/energy",
        &json!({"name": "الكهرباء"}),
    );
    assert_eq!(search(&app, "كهرباء", "")["meta"]["total"], 1);

    // Drafts, scheduled and trashed articles never reach public results.
    app.post("/api/v1/articles", &json!({"title": "مسودة الرياح"}));
    app.post("/api/v1/articles", &json!({"title": "مجدول الرياح", "status": "published", "published_at": "2099-01-01T00:00:00Z"}));
    assert_eq!(search(&app, "الرياح", "")["meta"]["total"], 1);
    let all: Value = app
        .client
        .get(format!("{}/api/v1/articles", app.base))
        .query(&[("q", "الرياح"), ("status", "all")])
        .bearer_auth(&app.reader)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(all["meta"]["total"], 3);
    app.request(Method::DELETE, &path).send().unwrap();
    assert_eq!(search(&app, "الرياح", "")["meta"]["total"], 0);

    // reindex rebuilds the same index.
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    assert_eq!(
        anbaa::db::fts::reindex_all(&mut conn).unwrap(),
        2,
        "live articles only"
    );
    let again: Value = app
        .client
        .get(format!("{}/api/v1/articles", app.base))
        .query(&[("q", "الرياح"), ("status", "all")])
        .bearer_auth(&app.reader)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(again["meta"]["total"], 2);
    let res = app
        .client
        .get(format!("{}/api/v1/articles", app.base))
        .query(&[("q", "مسودة"), ("status", "draft")])
        .send()
        .unwrap();
    assert_eq!(res.status(), 401, "drafts need a key, in search too");
}

#[test]
fn search_combines_with_filters_sorts_and_both_pagination_styles() {
    let app = TestApp::spawn();
    app.tag("central-asia", "آسيا الوسطى", "region", None);
    app.tag("kazakhstan", "كازاخستان", "country", Some("central-asia"));
    for i in 0..25 {
        let tags: &[&str] = if i % 2 == 0 { &["kazakhstan"] } else { &[] };
        publish(
            &app,
            &format!("تقرير النفط رقم {i}"),
            "عن النفط والغاز.",
            tags,
        );
    }
    let tagged = search(&app, "النفط", "tag=central-asia&limit=100");
    assert_eq!(tagged["meta"]["total"], 13);
    let newest = search(&app, "النفط", "sort=-published_at&limit=1");
    assert_eq!(titles(&newest), vec!["تقرير النفط رقم 24"]);

    // Walk every page by cursor, with relevance order: no duplicates, nothing missing.
    let mut seen = Vec::new();
    let mut url = Some(format!(
        "{}/api/v1/articles?limit=7&q=%D8%A7%D9%84%D9%86%D9%81%D8%B7",
        app.base
    ));
    while let Some(u) = url {
        let page: Value = app.client.get(&u).send().unwrap().json().unwrap();
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap()),
        );
        url = page["links"]["next"]
            .as_str()
            .map(|n| format!("{}{n}", app.base));
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    // Pages too.
    let p2 = search(&app, "النفط", "limit=10&page=3");
    assert_eq!(p2["data"].as_array().unwrap().len(), 5);
}

#[test]
fn tag_autocomplete_is_normalized_and_most_used_first() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    app.tag("kazan", "قازان", "topic", None);
    app.tag("opec-plus", "أوبك+", "organization", None);
    let res = app.post("/api/v1/tags", &json!({"slug": "central-asia", "name": "آسيا الوسطى", "name_en": "Central Asia", "kind": "region"}));
    assert_eq!(res.status(), 201);
    publish(&app, "خبر", "نص.", &["opec-plus"]);
    let names = |q: &str| -> Vec<String> {
        let url = format!("{}/api/v1/tags", app.base);
        let list: Value = app
            .client
            .get(url)
            .query(&[("q", q)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("كاز"), vec!["kazakhstan"]);
    assert_eq!(names("اوب"), vec!["opec-plus"]);
    assert_eq!(names("الوس"), vec!["central-asia"]);
    assert_eq!(names("وسطى"), vec!["central-asia"]);
    assert_eq!(names("centr"), vec!["central-asia"]);
    assert_eq!(
        names("ا"),
        vec!["opec-plus", "central-asia"],
        "most used first"
    );
    assert_eq!(names("زز"), Vec::<String>::new());
    assert_eq!(
        names("*"),
        Vec::<String>::new(),
        "no letters, no suggestions"
    );
}

#[test]
fn second_qa_pass_regressions() {
    let app = TestApp::spawn();
    publish(&app, "النفط في كازاخستان", "إنتاج النفط يرتفع.", &[]);
    publish(
        &app,
        "النفط في أذربيجان",
        "صادرات النفط عبر قطاع الطاقة.",
        &[],
    );
    publish(&app, "خطة الطوارئ", "اجتماع لمواجهة الطوارئ.", &[]);
    publish(&app, "مشروع تطوير الموانئ", "خطة لتطوير الموانئ.", &[]);
    publish(&app, "رئيس المؤسسة يزور باكو", "زيارة رسمية.", &[]);
    publish(&app, "خبر باستبرقي", "نص قصير.", &[]);
    publish(
        &app,
        "تقرير آخر",
        "ذكر استبرقي في النص مرة، استبرقي مرتين، واستبرقي ثلاثا.",
        &[],
    );
    // A minus before a quoted phrase excludes it.
    assert_eq!(
        titles(&search(&app, "النفط -\"كازاخستان\"", "")),
        vec!["النفط في أذربيجان"]
    );
    assert_eq!(search(&app, "-\"كازاخستان\"", "")["meta"]["total"], 0);
    // Common words no longer meet through a too-short variant key.
    assert_eq!(titles(&search(&app, "الطوارئ", "")), vec!["خطة الطوارئ"]);
    assert_eq!(
        titles(&search(&app, "تطوير", "")),
        vec!["مشروع تطوير الموانئ"]
    );
    // A typed attached preposition still finds the bare word, in words and prefixes.
    assert_eq!(
        titles(&search(&app, "بكازاخستان", "")),
        vec!["النفط في كازاخستان"]
    );
    assert_eq!(
        titles(&search(&app, "بكاز*", "")),
        vec!["النفط في كازاخستان"]
    );
    // Hamza seats left off still match.
    assert_eq!(
        titles(&search(&app, "رييس موسسة", "")),
        vec!["رئيس المؤسسة يزور باكو"]
    );
    // A title match outranks repeated body matches.
    assert_eq!(titles(&search(&app, "استبرقي", ""))[0], "خبر باستبرقي");
    // `|` is not an operator: both words must match.
    assert_eq!(search(&app, "الطوارئ | الموانئ", "")["meta"]["total"], 0);
    // A cursor is bound to its search.
    let page = search(&app, "النفط", "limit=1");
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let url = format!("{}/api/v1/articles", app.base);
    let res = app
        .client
        .get(&url)
        .query(&[("q", "الموانئ"), ("cursor", cursor.as_str())])
        .send()
        .unwrap();
    let p = problem(res, 400);
    assert_eq!(error_fields(&p), vec!["cursor"]);
    let res = app
        .client
        .get(&url)
        .query(&[("q", "النفط"), ("cursor", cursor.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    // Invalid UTF-8 in q is named, not silently replaced.
    let p = problem(app.get("/api/v1/articles?q=%FF"), 400);
    assert_eq!(error_fields(&p), vec!["q"]);
}

#[test]
fn index_is_rebuilt_when_the_analyzer_changes() {
    use diesel::prelude::*;
    let app = TestApp::spawn();
    publish(&app, "تقرير عن السدود", "نص.", &[]);
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    // Pretend an older analyzer built the index, and lose its rows.
    diesel::sql_query("UPDATE search_meta SET value = '0' WHERE key = 'analyzer_version'")
        .execute(&mut *conn)
        .unwrap();
    let empty = match anbaa::db::dialect(&conn) {
        anbaa::db::Dialect::Sqlite => {
            "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')"
        }
        anbaa::db::Dialect::Postgres => "DELETE FROM articles_search",
    };
    diesel::sql_query(empty).execute(&mut *conn).unwrap();
    drop(conn);
    drop(pool);
    assert_eq!(search(&app, "السدود", "")["meta"]["total"], 0);
    // Opening the database (as every start does) notices and rebuilds.
    anbaa::db::open(&app.db_path).unwrap();
    assert_eq!(search(&app, "السدود", "")["meta"]["total"], 1);
}
