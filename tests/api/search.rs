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

/// Every answer a search gives that ranking decides: ids in order, totals and next links,
/// for relevance pages and cursors, filters, other sorts, phrases, prefixes and exclusions.
fn ranked_answers(app: &TestApp) -> Vec<(String, Vec<i64>, Value)> {
    let cases = [
        ("النفط", "limit=5"),
        ("النفط", "limit=5&page=3"),
        ("النفط", "limit=4&tag=caspian"),
        ("النفط", "limit=5&sort=-published_at"),
        ("النفط الغاز", "limit=50"),
        ("\"خط الأنابيب\"", "limit=50"),
        ("الأنابي*", "limit=50"),
        ("النفط -الغاز", "limit=50"),
    ];
    let ids = |page: &Value| -> Vec<i64> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    let mut out = Vec::new();
    for (q, extra) in cases {
        let page = search(app, q, extra);
        out.push((
            format!("{q} {extra}"),
            ids(&page),
            page["meta"]["total"].clone(),
        ));
    }
    // A cursor walk by relevance, page after page.
    let mut walk = Vec::new();
    let mut url = Some(format!(
        "{}/api/v1/articles?limit=3&q=%D8%A7%D9%84%D9%86%D9%81%D8%B7",
        app.base
    ));
    while let Some(u) = url {
        let page: Value = app.client.get(&u).send().unwrap().json().unwrap();
        walk.extend(ids(&page));
        url = page["links"]["next"]
            .as_str()
            .map(|n| format!("{}{n}", app.base));
    }
    out.push(("cursor walk".into(), walk, Value::Null));
    out
}

/// Articles whose relevance to «النفط» differs by where the word stands and how often.
fn ranked_corpus(app: &TestApp) {
    app.tag("caspian", "بحر قزوين", "region", None);
    for i in 0..18 {
        let (title, body) = match i % 3 {
            0 => (
                format!("النفط في تقرير رقم {i}"),
                "خط الأنابيب الجديد يعبر البحر.",
            ),
            1 => (
                format!("تقرير رقم {i} عن الطاقة"),
                "النفط والغاز في الحقول؛ النفط أولا.",
            ),
            _ => (
                format!("أخبار رقم {i}"),
                "ذكر النفط مرة في فقرة طويلة عن الموانئ والطرق.",
            ),
        };
        let tags: &[&str] = if i % 4 == 0 { &["caspian"] } else { &[] };
        publish(app, &title, body, tags);
    }
}

/// On PostgreSQL with RUM installed the migrated database ranks through the RUM index (and
/// keeps no GIN beside it); without it (the GIN fallback) every search answers the same, in
/// the same order; migrating again brings RUM back.
#[test]
fn postgres_ranks_through_rum_and_gin_gives_the_same_answers() {
    use diesel::prelude::*;
    if !crate::store::postgres_only() {
        return;
    }
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        v: bool,
    }
    let app = TestApp::spawn();
    ranked_corpus(&app);
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let mut ask = |sql: &str| {
        diesel::sql_query(sql)
            .get_result::<Flag>(&mut *conn)
            .unwrap()
            .v
    };
    let available =
        ask("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') AS v");
    assert!(
        available || std::env::var("ANBAA_REQUIRE_RUM").is_err(),
        "ANBAA_REQUIRE_RUM is set but the server has no RUM (postgresql-15-rum)"
    );
    assert_eq!(
        ask("SELECT to_regclass('articles_search_rum') IS NOT NULL AS v"),
        available
    );
    assert_eq!(
        ask("SELECT to_regclass('articles_search_doc') IS NOT NULL AS v"),
        !available
    );
    if !available {
        eprintln!("skipped the RUM half: the server has no RUM");
        return;
    }
    let with_rum = ranked_answers(&app);
    assert_eq!(with_rum[0].1.len(), 5);
    assert_eq!(with_rum[0].2, 18);

    diesel::sql_query("DROP INDEX articles_search_rum")
        .execute(&mut *conn)
        .unwrap();
    diesel::sql_query("CREATE INDEX articles_search_doc ON articles_search USING gin (doc)")
        .execute(&mut *conn)
        .unwrap();
    // A write the searches do not match: cached answers give way.
    publish(&app, "خبر عن الطقس", "أمطار غزيرة.", &[]);
    let with_gin = ranked_answers(&app);
    for (rum, gin) in with_rum.iter().zip(&with_gin) {
        assert_eq!(rum, gin, "{}", rum.0);
    }
    drop(conn);
    anbaa::db::migrate(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let mut ask = |sql: &str| {
        diesel::sql_query(sql)
            .get_result::<Flag>(&mut *conn)
            .unwrap()
            .v
    };
    assert!(ask(
        "SELECT to_regclass('articles_search_rum') IS NOT NULL AS v"
    ));
    assert!(!ask(
        "SELECT to_regclass('articles_search_doc') IS NOT NULL AS v"
    ));
}

/// A relevance page draws on the ranked index's best matches only, and when the filters
/// leave those short of a page while more rows match, it ranks every match: a tag whose
/// articles all rank low is never answered empty.
#[test]
fn a_ranked_page_short_of_rows_ranks_every_match() {
    use anbaa::db::articles::{ArticleFilter, Sort, search_ranking};
    if !crate::store::postgres_only() {
        return;
    }
    let app = TestApp::spawn();
    app.tag("steppe", "السهوب", "topic", None);
    // Eight title hits rank first; the three tagged articles mention the word once, late.
    for i in 0..8 {
        publish(&app, &format!("النفط النفط رقم {i}"), "النفط.", &[]);
    }
    for i in 0..3 {
        publish(
            &app,
            &format!("أخبار رقم {i}"),
            "فقرة طويلة عن الطرق ثم النفط.",
            &["steppe"],
        );
    }
    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let steppe = anbaa::db::tags::by_slug(&mut conn, "steppe")
        .unwrap()
        .unwrap()
        .id;
    let query = anbaa::search::parse("النفط");
    let expr = anbaa::db::fts::MatchExpr {
        fts5: query.fts.clone().unwrap(),
        tsquery: query.tsquery.clone().unwrap(),
    };
    let now = chrono::Utc::now().timestamp_micros() + 1_000_000;
    let mut f = ArticleFilter::latest(vec![vec![steppe]], 1, now);
    f.sort = Sort::Relevance;
    f.search = Some(expr.clone());
    // A page of one draws on two candidates: both untagged title hits, so the tag leaves
    // them no row.
    let page = search_ranking(&mut conn, &f, &expr, 2).unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.rows.len(), 1);
    assert!(page.more);
    assert!(page.rows[0].title.starts_with("أخبار"));
    // Unfiltered, the candidates fill the page and nothing else is ranked.
    f.tag_groups = Vec::new();
    let page = search_ranking(&mut conn, &f, &expr, 2).unwrap();
    assert_eq!(page.total, 11);
    assert!(page.rows[0].title.starts_with("النفط"));
}
