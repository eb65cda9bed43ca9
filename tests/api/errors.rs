//! Every error class answers RFC 9457 problem+json naming what was wrong; nothing gets a 500.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, error_fields, problem};

#[test]
fn malformed_json_is_400_and_wrong_content_type_415() {
    let app = TestApp::spawn();
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .unwrap();
    let p = problem(res, 400);
    assert_eq!(p["type"], "/problems/malformed-body");
    assert_eq!(p["instance"], "/api/v1/articles");
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json")
        .body("")
        .send()
        .unwrap();
    problem(res, 400);
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .unwrap();
    let p = problem(res, 415);
    assert!(p["detail"].as_str().unwrap().contains("text/plain"));
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .body("{}")
        .send()
        .unwrap();
    problem(res, 415);
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json")
        .body("[1,2]")
        .send()
        .unwrap();
    problem(res, 422);
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .unwrap();
    problem(res, 400);
}

#[test]
fn validation_lists_every_bad_field() {
    let app = TestApp::spawn();
    let p = problem(
        app.post("/api/v1/articles", &json!({"title": 5, "bogus": true, "status": "live", "published_at": "yesterday", "tags": "x"})),
        422,
    );
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(
        fields,
        vec!["bogus", "published_at", "status", "tags", "title"]
    );
    assert_eq!(p["detail"], "5 fields are invalid");

    let p = problem(
        app.post("/api/v1/articles", &json!({"title": "   ", "slug": "2025", "lang": "not a lang", "image": {"url": "javascript:alert(1)"}})),
        422,
    );
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, vec!["image.url", "lang", "slug", "title"]);
    let p = problem(
        app.post("/api/v1/articles", &json!({"body": "بلا عنوان"})),
        422,
    );
    assert_eq!(error_fields(&p), vec!["title"]);
}

#[test]
fn unknown_fields_and_unknown_tags_are_named() {
    let app = TestApp::spawn();
    app.tag("iran", "إيران", "country", None);
    let p = problem(
        app.post(
            "/api/v1/articles",
            &json!({"title": "خبر", "categories": ["x"]}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), vec!["categories"]);
    let p = problem(
        app.post(
            "/api/v1/articles",
            &json!({"title": "خبر", "tags": ["iran", "atlantis", "mu"]}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), vec!["tags"]);
    let msg = p["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`atlantis`") && msg.contains("`mu`") && !msg.contains("`iran`"),
        "{msg}"
    );
    let p = problem(
        app.post("/api/v1/tags", &json!({"name": "س", "color": "red"})),
        422,
    );
    assert_eq!(error_fields(&p), vec!["color"]);
}

#[test]
fn bad_query_parameters_are_400_naming_each() {
    let app = TestApp::spawn();
    let p = problem(
        app.get("/api/v1/articles?limit=0&page=x&tag_mode=some&published_after=tuesday&cursor=%%%"),
        400,
    );
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(
        fields,
        vec!["cursor", "limit", "page", "published_after", "tag_mode"]
    );
    let p = problem(app.get("/api/v1/articles?tags=kazakhstan"), 400);
    assert_eq!(error_fields(&p), vec!["tags"]);
    let p = problem(app.get("/api/v1/articles?limit=5&limit=6"), 400);
    assert_eq!(error_fields(&p), vec!["limit"]);
    let p = problem(app.get("/api/v1/articles?tag=atlantis"), 400);
    assert_eq!(error_fields(&p), vec!["tag"]);
    let p = problem(app.get("/api/v1/articles?page=2&cursor=abc"), 400);
    assert!(error_fields(&p).contains(&"cursor".to_owned()));
    let p = problem(app.get("/api/v1/articles?limit=101"), 400);
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("100"));
}

/// An unknown parameter is named beside every other bad one, not instead of them.
#[test]
fn unknown_parameters_do_not_hide_the_other_bad_ones() {
    let app = TestApp::spawn();
    let p = problem(
        app.get("/api/v1/articles?tags=x&lang=ar&limit=0&page=0&sort=best&tag_mode=some"),
        400,
    );
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(
        fields,
        vec!["lang", "limit", "page", "sort", "tag_mode", "tags"]
    );
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown parameter"),
        "{p}"
    );
    // A name the problem cannot quote whole is still refused, at once.
    let p = problem(app.get("/api/v1/articles?a%60b=1&limit=0"), 400);
    assert!(!error_fields(&p).is_empty(), "{p}");
    // Other endpoints name every unknown parameter too.
    let p = problem(app.get("/api/v1/tags?colour=red&size=big"), 400);
    let mut fields = error_fields(&p);
    fields.sort();
    assert_eq!(fields, vec!["colour", "size"]);
}

#[test]
fn unknown_route_404_wrong_method_405() {
    let app = TestApp::spawn();
    let p = problem(app.get("/api/v1/nothing"), 404);
    assert_eq!(p["instance"], "/api/v1/nothing");
    problem(app.get("/api/v1/articles/999"), 404);
    problem(app.get("/api/v1/articles/%D9%84%D8%A7"), 404);
    let res = app.request(Method::PUT, "/api/v1/tags").send().unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD, POST");
    problem(res, 405);
    let res = app
        .request(Method::POST, "/api/v1/articles/5")
        .send()
        .unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    assert!(
        allow.contains("PATCH") && allow.contains("DELETE"),
        "{allow}"
    );
    problem(res, 405);
    problem(app.client.post(app.url("/healthz")).send().unwrap(), 405);
    // A trailing slash redirects to the route without it (and clients follow it).
    let res = app.get("/api/v1/tags/?limit=1");
    assert_eq!(res.status(), 200);
    assert_eq!(res.url().path(), "/api/v1/tags");
}

#[test]
fn body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(false, |s| s.max_body_bytes = 2048);
    let big = "ن".repeat(4000);
    let p = problem(
        app.post("/api/v1/articles", &json!({"title": "كبير", "body": big})),
        413,
    );
    assert!(p["detail"].as_str().unwrap().contains("2048"));
    // Without Content-Length (chunked), the limit still holds.
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(vec![b' '; 10_000]));
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    problem(res, 413);
}

#[test]
fn request_ids_are_echoed_or_made() {
    let app = TestApp::spawn();
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "partner-abc-123")
        .send()
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "partner-abc-123");
    let res = app.get("/api/v1/articles");
    assert_eq!(res.headers()["x-request-id"].len(), 16);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=60, stale-while-revalidate=300"
    );
    let res = app.get_with("/api/v1/articles", &app.reader);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
}

#[test]
fn health_and_readiness() {
    let app = TestApp::spawn();
    assert_eq!(app.get("/healthz").status(), 200);
    let res = app.get("/readyz");
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().unwrap()["status"], "ok");
}

/// Hostile paths, parameters and bodies get the status the contract promises for them, each
/// a problem document: never a 500.
#[test]
fn hostile_inputs_get_the_promised_status() {
    let app = TestApp::spawn();
    let paths = [
        ("/api/v1/articles/%00", 404),
        ("/api/v1/articles/%FF%FE", 404),
        ("/api/v1/articles/99999999999999999999", 404),
        ("/api/v1/articles/-1", 404),
        (
            "/api/v1/articles?cursor=LXB1Ymxpc2hlZF9hdHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5fDQ1",
            400,
        ),
        ("/api/v1/articles?page=999999", 200),
        ("/api/v1/articles?published_after=9999-99-99", 400),
        ("/api/v1/articles?tag=%00,,,%20", 400),
        ("/api/v1/articles?fields=", 400),
        ("/api/v1/tags/%E2%80%AE", 404),
        ("/api/v1/tags?limit=-5&page=0", 400),
    ];
    for (path, status) in paths {
        let res = app.get(path);
        assert_eq!(res.status().as_u16(), status, "{path}");
        if status != 200 {
            problem(res, status);
        }
    }
    let bodies = [
        json!({"title": "x".repeat(301)}),
        json!({"title": "خبر", "published_at": "+275760-09-13T00:00:00Z"}),
        json!({"title": "خبر", "tags": [null]}),
        json!({"title": "خبر", "image": {"url": "https://e.org/x.jpg", "width": 5}}),
        json!({"title": "خبر", "slug": "-bad-"}),
        json!({"title": "\u{0000}\u{202E}"}),
    ];
    for body in bodies {
        let p = problem(app.post("/api/v1/articles", &body), 422);
        assert!(!error_fields(&p).is_empty(), "{body}: {p}");
    }
}

/// HEAD answers like GET, with its headers and without a body.
#[test]
fn head_answers_like_get_without_a_body() {
    let app = TestApp::spawn();
    let res = app.client.head(app.url("/api/v1/articles")).send().unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-total-count"));
    assert_eq!(res.text().unwrap(), "");
    assert_eq!(
        app.client
            .head(app.url("/healthz"))
            .send()
            .unwrap()
            .status(),
        200
    );
}

/// Options that do not exist are refused, never ignored; a purge needs `admin`.
#[test]
fn unknown_options_are_refused_and_a_purge_needs_admin() {
    let app = TestApp::spawn();
    let a = app.article("خبر للاختبار", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let p = problem(
        app.request(Method::DELETE, &format!("{path}?purge=yes"))
            .send()
            .unwrap(),
        400,
    );
    assert_eq!(error_fields(&p), vec!["purge"]);
    problem(
        app.request(Method::DELETE, &format!("{path}?hard=1"))
            .send()
            .unwrap(),
        400,
    );
    problem(
        app.request(Method::DELETE, &format!("{path}?purge=true"))
            .send()
            .unwrap(),
        403,
    );
    assert_eq!(app.get(&path).status(), 200, "nothing was deleted");
    problem(app.get("/api/v1/tags/x?foo=1"), 400);
}

/// `null` is refused where a field cannot be empty, and a patch that changes nothing is not a new version.
#[test]
fn null_is_refused_where_a_field_cannot_be_empty() {
    let app = TestApp::spawn();
    let a = app.article("خبر للاختبار", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    for field in ["title", "body", "status", "tags", "slug", "lang"] {
        let p = problem(app.send(Method::PATCH, &path, &json!({ field: null })), 422);
        assert_eq!(error_fields(&p), vec![field]);
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("null"));
    }
    // A patch that changes nothing is not a new version.
    let same: serde_json::Value = app
        .send(Method::PATCH, &path, &json!({"title": "خبر للاختبار"}))
        .json()
        .unwrap();
    assert_eq!(same["version"], 1);
}

/// Titles and names need a letter or digit (marks, tatweel and punctuation alone are not one).
#[test]
fn titles_and_names_need_a_letter_or_digit() {
    let app = TestApp::spawn();
    let p = problem(
        app.post("/api/v1/articles", &json!({"title": "ـــ\u{064E}\u{200F}"})),
        422,
    );
    assert_eq!(error_fields(&p), vec!["title"]);
    problem(app.post("/api/v1/tags", &json!({"name": "؟؟؟"})), 422);
}

/// A JSON body in another charset is a 415 rather than misread.
#[test]
fn a_json_body_in_another_charset_is_refused() {
    let app = TestApp::spawn();
    let res = app
        .request(Method::POST, "/api/v1/articles")
        .header("content-type", "application/json; charset=iso-8859-1")
        .body("{\"title\":\"x\"}")
        .send()
        .unwrap();
    problem(res, 415);
}

/// An Arabic tag slug is percent-encoded in `Location` and links, and the address works.
#[test]
fn an_arabic_tag_slug_is_percent_encoded_in_location() {
    let app = TestApp::spawn();
    let res = app.post("/api/v1/tags", &json!({"name": "سوريا", "slug": "سوريا"}));
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/api/v1/tags/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7");
    assert_eq!(app.get(&location).status(), 200);
}

/// A bad key is a 401 wherever it is read; without a key the challenge names no error, with a bad one `invalid_token`.
#[test]
fn a_bad_key_is_refused_with_a_bearer_challenge() {
    let app = TestApp::spawn();
    problem(app.get_with("/api/v1/tags", "wrong"), 401);
    let res = app
        .client
        .post(app.url("/api/v1/tags"))
        .json(&json!({"name": "س"}))
        .send()
        .unwrap();
    assert!(
        !res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error=")
    );
    let res = app
        .client
        .post(app.url("/api/v1/tags"))
        .bearer_auth("anbaa_00000000_x")
        .json(&json!({"name": "س"}))
        .send()
        .unwrap();
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
}

/// Selecting `body` by name includes the body in list items.
#[test]
fn asking_for_the_body_by_name_includes_it() {
    let app = TestApp::spawn();
    app.article("خبر للاختبار", &[]);
    let list: serde_json::Value = app.get("/api/v1/articles?fields=id,body").json().unwrap();
    assert!(list["data"][0]["body"].is_string());
}

/// A long title makes a slug of whole words within 80 characters.
#[test]
fn a_long_title_makes_a_slug_of_whole_words() {
    let app = TestApp::spawn();
    let long = app.article(
        "منظمة شنغهاي للتعاون تختتم قمتها في تيانجين بإعلان يدعو إلى عالم متعدد الأقطاب",
        &[],
    );
    assert!(
        long["slug"].as_str().unwrap().ends_with("-الأقطاب"),
        "{}",
        long["slug"]
    );
}

/// Script content never leaks into the derived summary.
#[test]
fn script_content_never_leaks_into_the_derived_summary() {
    let app = TestApp::spawn();
    let s = app.post(
        "/api/v1/articles",
        &json!({"title": "ملخص", "body": "<svg><script>alert(1)</script></svg>\n\nنص آمن"}),
    );
    let s: serde_json::Value = s.json().unwrap();
    assert_eq!(s["summary"], "نص آمن");
}

/// Anonymous clients are limited per address (429, Retry-After, RateLimit-*); keys are not;
/// X-Forwarded-For counts only from a trusted proxy.
#[test]
fn rate_limits_for_anonymous_clients() {
    let app = TestApp::spawn_with(false, |s| s.rate_limit = 3);
    let statuses: Vec<reqwest::blocking::Response> =
        (0..12).map(|_| app.get("/api/v1/tags")).collect();
    let first = &statuses[0];
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["ratelimit-limit"], "6");
    assert!(first.headers().contains_key("ratelimit-remaining"));
    assert!(first.headers().contains_key("ratelimit-reset"));
    let limited: Vec<_> = statuses.into_iter().filter(|r| r.status() == 429).collect();
    assert!(limited.len() >= 4, "a burst of 6 then refusals");
    let res = limited.into_iter().next().unwrap();
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    let p = problem(res, 429);
    assert_eq!(p["type"], "/problems/rate-limited");
    // A valid key is never limited; a bogus one is limited like anyone (and gets its 401).
    for _ in 0..10 {
        assert_eq!(app.get_with("/api/v1/tags", &app.writer).status(), 200);
    }
    assert_eq!(
        app.get_with("/api/v1/tags", "anbaa_00000000_nope").status(),
        429
    );
    // Probes are never limited.
    assert_eq!(app.get("/healthz").status(), 200);

    // X-Forwarded-For is believed only from a trusted proxy.
    let spoof = |app: &TestApp, ip: &str| {
        app.client
            .get(app.url("/api/v1/tags"))
            .header("X-Forwarded-For", ip)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        spoof(&app, "203.0.113.9"),
        429,
        "an untrusted peer cannot pick its address"
    );
    let proxied = TestApp::spawn_with(false, |s| {
        s.rate_limit = 1;
        s.trusted_proxies = vec!["127.0.0.1".to_owned()];
    });
    let a: Vec<u16> = (0..4).map(|_| spoof(&proxied, "203.0.113.1")).collect();
    assert!(a.contains(&429), "{a:?}");
    assert_eq!(
        spoof(&proxied, "203.0.113.2"),
        200,
        "another client behind the proxy"
    );
    assert_eq!(
        spoof(&proxied, "203.0.113.3, 127.0.0.1"),
        200,
        "the last address that is not a trusted proxy"
    );
}

/// `/metrics` speaks Prometheus text: requests by route template and status, latency
/// histograms, the pool, revalidations; random paths never become series of their own.
#[test]
fn metrics_in_prometheus_text() {
    let app = TestApp::spawn_demo();
    app.get("/api/v1/articles/1");
    app.get("/api/v1/articles/2");
    let etag = app.get("/api/v1/tags").headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .get(app.url("/api/v1/tags"))
        .header("If-None-Match", etag)
        .send()
        .unwrap();
    assert_eq!(res.status(), 304);
    app.get("/no/such/path/a1b2c3");
    let res = app.get("/metrics");
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().unwrap();
    assert!(
        text.contains(r#"anbaa_http_requests_total{endpoint="/api/v1/articles/{ref}",method="GET",status="200"} 2"#),
        "{text}"
    );
    assert!(text.contains(r#"anbaa_http_requests_duration_seconds_bucket{endpoint="/api/v1/articles/{ref}",method="GET",status="200",le="0.005"}"#));
    assert!(text.contains(r#"status="304""#));
    assert!(text.contains("anbaa_db_pool_connections "));
    assert!(text.contains("anbaa_db_pool_max_connections 8"));
    assert!(text.contains(r#"anbaa_revalidations_total{outcome="not_modified"}"#));
    assert!(!text.contains("a1b2c3"), "unmatched paths are masked");
    assert!(text.contains("UNMATCHED"));
    problem(app.client.post(app.url("/metrics")).send().unwrap(), 405);
}

/// A request target over 8 KiB is a 414 problem, not a bare parser error.
#[test]
fn long_uris_get_a_414_problem() {
    let app = TestApp::spawn();
    let long = "%D8%A3".repeat(2000);
    let p = problem(app.get(&format!("/feeds/tags/{long}.atom")), 414);
    assert!(p["detail"].as_str().unwrap().contains("8192"));
    let p = problem(app.get(&format!("/api/v1/articles?q={long}")), 414);
    assert_eq!(p["type"], "/problems/uri-too-long");
    // Just under the limit still reaches the API (and gets its own answer).
    let q = "a".repeat(8000);
    assert_eq!(app.get(&format!("/api/v1/tags?q={q}")).status(), 400);
}

/// Repeated list parameters are joined (`tag=a&tag=b` is `tag=a,b`, as
/// `URLSearchParams.append` sends arrays); a repeated single-value parameter is a 400 that
/// says so; a query that is not UTF-8 is a 400 on tags as on articles.
#[test]
fn repeated_list_parameters_are_joined_and_single_ones_refused() {
    let app = TestApp::spawn();
    app.tag("kazakhstan", "كازاخستان", "country", None);
    app.tag("uzbekistan", "أوزبكستان", "country", None);
    app.article("خبر عن كازاخستان", &["kazakhstan"]);
    app.article("خبر عن أوزبكستان", &["uzbekistan"]);
    let list: serde_json::Value = app
        .get("/api/v1/articles?tag=kazakhstan&tag=uzbekistan")
        .json()
        .unwrap();
    assert_eq!(list["meta"]["total"], 2, "{list}");
    let p = problem(app.get("/api/v1/articles?limit=5&limit=6"), 400);
    assert_eq!(p["errors"][0]["field"], "limit");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("one value"),
        "{p}"
    );
    let p = problem(app.get("/api/v1/tags?q=%FF"), 400);
    assert_eq!(p["errors"][0]["field"], "q");
}

/// `snippet` exists only in search results: selecting it without `q`, or on one article,
/// is a 400 that says so instead of an answer of empty objects.
#[test]
fn selecting_snippet_without_a_search_is_refused() {
    let app = TestApp::spawn();
    let a = app.article("خبر بلا بحث", &[]);
    let p = problem(app.get("/api/v1/articles?fields=id,snippet"), 400);
    assert_eq!(p["errors"][0]["field"], "fields");
    let p = problem(
        app.get(&format!("/api/v1/articles/{}?fields=snippet", a["id"])),
        400,
    );
    assert_eq!(p["errors"][0]["field"], "fields");
    let res = app.get("/api/v1/articles?q=%D8%A8%D8%AD%D8%AB&fields=id,snippet");
    assert_eq!(res.status(), 200);
}

/// `GET /` says where things are instead of a bare 404.
#[test]
fn the_root_points_at_the_api_and_its_docs() {
    let app = TestApp::spawn();
    let p = problem(app.get("/"), 404);
    assert!(p["detail"].as_str().unwrap().contains("/docs/"), "{p}");
}

/// PostgreSQL going away under a running server: reads, writes and `/readyz` get a 503
/// problem with `Retry-After` within seconds (never a 500, never a hang; a read may be
/// answered from memory until the node notices, which is right: nothing committed), and the
/// same process serves again once the database is back, with no restart.
#[test]
fn a_database_that_goes_away_gets_503_then_recovers_without_restart() {
    use crate::store;
    if !store::postgres_only() {
        return;
    }
    let app = TestApp::spawn();
    app.article("خبر قبل الانقطاع", &[]);
    assert_eq!(app.get("/api/v1/articles?fields=id").status(), 200);
    let name = store::database_name(&app.db_path);
    store::admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    store::admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    let started = std::time::Instant::now();
    // An answer from memory stays right while nothing commits, so the first read may still
    // be one; once the commit listener has noticed it is cut off (milliseconds), reads ask
    // the database and hear that it is gone.
    crate::helpers::eventually(
        "reads notice the database is gone",
        std::time::Duration::from_secs(15),
        || app.get("/api/v1/articles?fields=id").status() != 200,
    );
    let read = app.get("/api/v1/articles?fields=id");
    assert!(read.headers().contains_key("retry-after"));
    problem(read, 503);
    let write = app.post("/api/v1/articles", &json!({"title": "خبر أثناء الانقطاع"}));
    assert!(write.headers().contains_key("retry-after"));
    problem(write, 503);
    assert_eq!(app.get("/readyz").status(), 503);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(40),
        "three requests took {:?}",
        started.elapsed()
    );
    store::admin(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let back = app.get("/api/v1/articles?fields=id");
    assert_eq!(back.status(), 200);
    assert_eq!(
        back.json::<serde_json::Value>().unwrap()["meta"]["total"],
        1
    );
    assert_eq!(
        app.post("/api/v1/articles", &json!({"title": "خبر بعد العودة"}))
            .status(),
        201
    );
}
