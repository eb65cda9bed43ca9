//! Partner sync and HTTP caching: the change log mirrors the site exactly, every GET has a
//! strong validator that a change invalidates, bodies compress, related articles.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

/// A partner's copy of the site, kept only through `/changes`.
struct Mirror {
    since: String,
    articles: BTreeMap<i64, Value>,
    deletes_seen: Vec<(i64, String)>,
}

impl Mirror {
    fn new() -> Mirror {
        Mirror {
            since: "0".to_owned(),
            articles: BTreeMap::new(),
            deletes_seen: Vec::new(),
        }
    }

    /// Polls until the log is drained, in small pages, checking commit order.
    fn poll(&mut self, app: &TestApp) {
        loop {
            let res = app.get(&format!("/api/v1/changes?since={}&limit=3", self.since));
            assert_eq!(res.status(), 200);
            let page: Value = res.json().unwrap();
            let mut last = self.since.parse::<i64>().unwrap();
            for entry in page["data"].as_array().unwrap() {
                let seq = entry["seq"].as_i64().unwrap();
                assert!(seq > last, "entries come in seq order");
                last = seq;
                let id = entry["id"].as_i64().unwrap();
                match entry["op"].as_str().unwrap() {
                    "upsert" => {
                        let article = entry["article"].clone();
                        assert_eq!(article["id"], entry["id"]);
                        assert_eq!(article["version"], entry["version"]);
                        assert_eq!(article["slug"], entry["slug"]);
                        self.articles.insert(id, article);
                    }
                    "delete" => {
                        assert!(entry.get("article").is_none());
                        self.articles.remove(&id);
                        self.deletes_seen
                            .push((id, entry["slug"].as_str().unwrap().to_owned()));
                    }
                    op => panic!("unknown op {op}"),
                }
            }
            self.since = page["meta"]["next_cursor"].as_str().unwrap().to_owned();
            if page["links"]["next"].is_null() {
                return;
            }
        }
    }
}

/// What the public sees: every published article, with bodies, by id.
fn source(app: &TestApp) -> BTreeMap<i64, Value> {
    let mut all = BTreeMap::new();
    let mut next = Some("/api/v1/articles?limit=100&include=body".to_owned());
    while let Some(path) = next {
        let page: Value = app.get(&path).json().unwrap();
        for a in page["data"].as_array().unwrap() {
            all.insert(a["id"].as_i64().unwrap(), a.clone());
        }
        next = page["links"]["next"]
            .as_str()
            .map(|u| u.trim_start_matches(&app.base).to_owned());
    }
    all
}

fn patch(app: &TestApp, id: &Value, body: Value) {
    let res = app.send(Method::PATCH, &format!("/api/v1/articles/{id}"), &body);
    assert_eq!(res.status(), 200, "{}", res.text().unwrap());
}

#[test]
fn a_mirror_fed_only_by_changes_equals_the_site() {
    let app = TestApp::spawn_demo();
    let mut mirror = Mirror::new();
    mirror.poll(&app);
    assert_eq!(mirror.articles, source(&app), "initial sync");

    let fresh = app.article("خبر جديد عن أستانا", &["kazakhstan"]);
    let doomed = app.article("خبر سيذهب إلى سلة المهملات", &["georgia"]);
    let draft: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "مسودة سرية عن باكو", "tags": ["azerbaijan"]}),
        )
        .json()
        .unwrap();
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "خبر مجدول للنشر بعد لحظات", "status": "published", "published_at": soon}),
        )
        .json()
        .unwrap();
    mirror.poll(&app);
    assert_eq!(mirror.articles, source(&app), "after creates");
    assert!(!mirror.articles.contains_key(&draft["id"].as_i64().unwrap()));
    assert!(
        !mirror
            .articles
            .contains_key(&scheduled["id"].as_i64().unwrap())
    );

    patch(
        &app,
        &fresh["id"],
        json!({"title": "خبر جديد معدل عن أستانا"}),
    );
    let res = app
        .request(
            Method::DELETE,
            &format!("/api/v1/articles/{}", doomed["id"]),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    patch(&app, &json!(1), json!({"status": "draft"}));
    patch(&app, &json!(2), json!({"status": "archived"}));
    patch(&app, &draft["id"], json!({"status": "published"}));
    // A tag rename changes every article carrying it.
    let res = app.send(
        Method::PATCH,
        "/api/v1/tags/georgia",
        &json!({"name": "جورجيا (الكرج)"}),
    );
    assert_eq!(res.status(), 200);
    mirror.poll(&app);
    assert_eq!(
        mirror.articles,
        source(&app),
        "after edits, trash, unpublish, rename"
    );
    let doomed_id = doomed["id"].as_i64().unwrap();
    assert!(
        mirror
            .deletes_seen
            .iter()
            .any(|(id, slug)| *id == doomed_id && slug == doomed["slug"].as_str().unwrap()),
        "the trashed article came as a tombstone with its slug"
    );
    assert!(mirror.deletes_seen.iter().any(|(id, _)| *id == 1));
    assert!(
        !mirror
            .deletes_seen
            .iter()
            .any(|(id, _)| *id == scheduled["id"].as_i64().unwrap()),
        "an article the public never saw is never announced"
    );

    // The scheduled article falls due without any write; the next poll brings it.
    crate::helpers::eventually(
        "the scheduled article reaches the mirror",
        Duration::from_secs(10),
        || {
            mirror.poll(&app);
            mirror
                .articles
                .contains_key(&scheduled["id"].as_i64().unwrap())
        },
    );
    assert_eq!(
        mirror.articles,
        source(&app),
        "after a scheduled publication"
    );

    // Re-publishing the unpublished one brings it back.
    patch(&app, &json!(1), json!({"status": "published"}));
    mirror.poll(&app);
    assert_eq!(mirror.articles, source(&app), "after re-publishing");

    // A poll with nothing new is empty and keeps the cursor.
    let before = mirror.since.clone();
    let page: Value = app
        .get(&format!("/api/v1/changes?since={before}"))
        .json()
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    assert_eq!(page["meta"]["next_cursor"], before.as_str());
    assert_eq!(page["meta"]["total"], 0);
}

#[test]
fn changes_pages_and_rejects_bad_cursors() {
    let app = TestApp::spawn();
    for i in 0..5 {
        app.article(&format!("خبر رقم {i} عن طشقند"), &[]);
    }
    let res = app.get("/api/v1/changes?limit=2");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-total-count"], "5");
    let link = res.headers()["link"].to_str().unwrap().to_owned();
    let page: Value = res.json().unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["meta"]["total"], 5);
    let next = page["links"]["next"].as_str().unwrap();
    assert!(next.contains("since=2"), "{next}");
    assert!(link.contains("rel=\"next\""), "{link}");
    let p = problem(app.get("/api/v1/changes?since=abc"), 400);
    assert_eq!(error_fields(&p), ["since"]);
    let p = problem(app.get("/api/v1/changes?since=-1"), 400);
    assert_eq!(error_fields(&p), ["since"]);
    // A well-formed cursor the log never issued: the state differs, 409.
    let p = problem(app.get("/api/v1/changes?since=999"), 409);
    assert!(p["detail"].as_str().unwrap().contains("ahead"));
    let p = problem(app.get("/api/v1/changes?limit=0&since=x"), 400);
    assert_eq!(error_fields(&p), ["limit", "since"]);
    problem(app.get("/api/v1/changes?cursor=1"), 400);
}

fn etag_of(res: &reqwest::blocking::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_owned()
}

fn get_if_none_match(app: &TestApp, path: &str, etag: &str) -> reqwest::blocking::Response {
    app.client
        .get(app.url(path))
        .header("If-None-Match", etag)
        .send()
        .unwrap()
}

#[test]
fn every_get_revalidates_with_304_until_a_write_changes_it() {
    let app = TestApp::spawn_demo();
    let paths = [
        "/api/v1/articles",
        "/api/v1/articles?tag=central-asia&limit=5",
        "/api/v1/articles?q=%D9%83%D8%A7%D8%B2%D8%A7%D8%AE%D8%B3%D8%AA%D8%A7%D9%86",
        "/api/v1/articles/1",
        "/api/v1/articles/1?fields=id,title",
        "/api/v1/articles/1/related",
        "/api/v1/tags",
        "/api/v1/tags/kazakhstan",
        "/api/v1/changes?limit=5",
        "/feeds/articles.atom",
        "/feeds/tags/kazakhstan.rss",
    ];
    let mut etags = Vec::new();
    for path in paths {
        let res = app.get(path);
        assert_eq!(res.status(), 200, "{path}");
        let etag = etag_of(&res);
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
            "{path}: strong ETag {etag}"
        );
        assert!(res.headers().contains_key("last-modified"), "{path}");
        // The change log may be kept by a shared cache but is asked again every time.
        let cache = if path.starts_with("/api/v1/changes") {
            "public, no-cache"
        } else {
            "public, max-age=60, stale-while-revalidate=300"
        };
        assert_eq!(res.headers()["cache-control"], cache, "{path}");
        let vary = res.headers()["vary"].to_str().unwrap().to_owned();
        assert!(vary.contains("Accept-Encoding"), "{path}: {vary}");
        let res = get_if_none_match(&app, path, &etag);
        assert_eq!(res.status(), 304, "{path}");
        assert_eq!(etag_of(&res), etag);
        assert!(res.bytes().unwrap().is_empty());
        // Weak form and lists of tags match too (If-None-Match uses weak comparison).
        let res = get_if_none_match(&app, path, &format!("\"nope\", W/{etag}"));
        assert_eq!(res.status(), 304, "{path}");
        let res = get_if_none_match(&app, path, "\"nope\"");
        assert_eq!(res.status(), 200, "{path}");
        etags.push(etag);
    }
    let mut unique = etags.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        etags.len(),
        "distinct representations, distinct tags"
    );

    // Renaming a tag carried by article 1 changes the article's body, so every one of
    // these (article 1 included) must be refetched.
    let res = app.send(
        Method::PATCH,
        "/api/v1/tags/kazakhstan",
        &json!({"name": "جمهورية كازاخستان"}),
    );
    assert_eq!(res.status(), 200);
    for (path, etag) in paths.iter().zip(&etags) {
        let res = get_if_none_match(&app, path, etag);
        assert_eq!(res.status(), 200, "{path}: stale after a write");
        assert_ne!(&etag_of(&res), etag, "{path}");
    }
    // A key-unlocked read is private and validated separately.
    let res = app.get_with("/api/v1/articles?status=all", &app.reader);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let etag = etag_of(&res);
    let res = app
        .client
        .get(app.url("/api/v1/articles?status=all"))
        .bearer_auth(&app.reader)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(res.status(), 304);
}

#[test]
fn an_article_write_changes_its_etag_and_if_modified_since_is_never_stale() {
    let app = TestApp::spawn();
    let a = app.article("قرغيزستان تفتح طريقا جبليا", &[]);
    let path = format!("/api/v1/articles/{}", a["id"]);
    let res = app.get(&path);
    let etag = etag_of(&res);
    let last_modified = res.headers()["last-modified"].to_str().unwrap().to_owned();
    let ims = |date: &str| {
        app.client
            .get(app.url(&path))
            .header("If-Modified-Since", date)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ims(&last_modified), 304, "one change in that second: exact");
    assert_eq!(ims("Sat, 01 Jan 2000 00:00:00 GMT"), 200);
    assert_eq!(ims("not a date"), 200, "an unreadable date is ignored");
    // An edit within the same second as the copy: the whole-second date cannot tell, so
    // the answer is a full 200, never a stale 304.
    patch(
        &app,
        &a["id"],
        json!({"title": "قرغيزستان تفتح طريقا جبليا جديدا"}),
    );
    assert_eq!(ims(&last_modified), 200);
    let res = get_if_none_match(&app, &path, &etag);
    assert_eq!(res.status(), 200);
    let new = etag_of(&res);
    assert!(new.starts_with("\"v2-"), "{new}");
    // If-None-Match wins over If-Modified-Since.
    let res = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", "\"other\"")
        .header("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    // HEAD revalidates the same way.
    let res = app
        .client
        .head(app.url(&path))
        .header("If-None-Match", &new)
        .send()
        .unwrap();
    assert_eq!(res.status(), 304);
}

fn decode(coding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "gzip" => {
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli::Decompressor::new(bytes, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("unexpected coding {other}"),
    }
    out
}

#[test]
fn bodies_compress_with_gzip_and_brotli_and_keep_a_validator_per_coding() {
    let app = TestApp::spawn_demo();
    let path = "/api/v1/articles?limit=50&include=body";
    let plain = app.get(path);
    let plain_etag = etag_of(&plain);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().unwrap();
    for coding in ["gzip", "br"] {
        let res = app
            .client
            .get(app.url(path))
            .header("Accept-Encoding", coding)
            .send()
            .unwrap();
        assert_eq!(res.headers()["content-encoding"], coding);
        let etag = etag_of(&res);
        assert_eq!(
            etag,
            format!("{}-{coding}\"", plain_etag.trim_end_matches('"')),
            "a coded body has its own strong ETag"
        );
        let packed = res.bytes().unwrap();
        assert_eq!(decode(coding, &packed), plain.to_vec());
        assert!(
            packed.len() * 3 < plain.len(),
            "{coding}: {} of {} bytes",
            packed.len(),
            plain.len()
        );
        // The coded tag revalidates, with or without the coding asked for again.
        let res = app
            .client
            .get(app.url(path))
            .header("Accept-Encoding", coding)
            .header("If-None-Match", &etag)
            .send()
            .unwrap();
        assert_eq!(res.status(), 304);
        assert_eq!(etag_of(&res), etag);
        assert_eq!(get_if_none_match(&app, path, &etag).status(), 304);
    }
    let feed = app
        .client
        .get(app.url("/feeds/articles.atom"))
        .header("Accept-Encoding", "br")
        .send()
        .unwrap();
    assert_eq!(feed.headers()["content-encoding"], "br");
}

#[test]
fn related_articles_prefer_rare_shared_tags_then_recency() {
    let app = TestApp::spawn();
    app.tag("economy", "الاقتصاد", "topic", None);
    app.tag("sco", "منظمة شنغهاي", "organization", None);
    app.tag("tajikistan", "طاجيكستان", "country", None);
    // `economy` is common, `sco` rare.
    for i in 0..6 {
        app.article(&format!("خبر اقتصادي عام رقم {i}"), &["economy"]);
    }
    let common = app.article("خبر اقتصادي أحدث", &["economy", "tajikistan"]);
    let rare = app.article("قمة منظمة شنغهاي", &["sco"]);
    let both = app.article("اقتصاد دول منظمة شنغهاي", &["sco", "economy"]);
    app.article("خبر بلا وسوم مشتركة", &[]);
    let draft: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "مسودة عن شنغهاي", "tags": ["sco", "economy"]}),
        )
        .json()
        .unwrap();
    let subject = app.article("منظمة شنغهاي تناقش التجارة", &["sco", "economy"]);

    let res = app.get(&format!(
        "/api/v1/articles/{}/related?limit=3",
        subject["id"]
    ));
    assert_eq!(res.status(), 200);
    let page: Value = res.json().unwrap();
    let ids: Vec<&Value> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    // Both tags first; then the rare tag alone beats the common tag, however recent.
    assert_eq!(ids, [&both["id"], &rare["id"], &common["id"]]);
    assert_eq!(
        page["meta"]["total"], 9,
        "every public article sharing a tag"
    );
    let all: Value = app
        .get(&format!(
            "/api/v1/articles/{}/related?limit=20",
            subject["id"]
        ))
        .json()
        .unwrap();
    for a in all["data"].as_array().unwrap() {
        assert_ne!(a["id"], subject["id"], "never the article itself");
        assert_ne!(a["id"], draft["id"], "never a draft");
        assert!(a.get("body").is_none());
    }
    // By slug too.
    let by_slug = app.get(&format!(
        "/api/v1/articles/{}/related?limit=3",
        anbaa::text::pct(subject["slug"].as_str().unwrap())
    ));
    assert_eq!(by_slug.status(), 200);
    let p = problem(
        app.get(&format!(
            "/api/v1/articles/{}/related?limit=21",
            subject["id"]
        )),
        400,
    );
    assert_eq!(error_fields(&p), ["limit"]);
    problem(
        app.get(&format!("/api/v1/articles/{}/related", draft["id"])),
        404,
    );
    problem(app.get("/api/v1/articles/999999/related"), 404);
}

/// Control characters would make XML feeds invalid: they are refused on write, named;
/// tabs and line breaks stay allowed and the feed stays valid.
#[test]
fn control_characters_are_refused_and_feeds_stay_valid_xml() {
    let app = TestApp::spawn();
    let p = problem(
        app.post(
            "/api/v1/articles",
            &json!({"title": "خبر \u{1} تجريبي", "author": "x\u{ffff}", "status": "published"}),
        ),
        422,
    );
    assert_eq!(error_fields(&p), ["title", "author"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("U+0001")
    );
    let p = problem(
        app.post("/api/v1/tags", &json!({"slug": "ctl", "name": "وسم\u{1b}"})),
        422,
    );
    assert_eq!(error_fields(&p), ["name"]);
    // Tabs and line breaks stay allowed, and the feed stays valid XML.
    let ok = app.post(
        "/api/v1/articles",
        &json!({"title": "عنوان", "body": "سطر\tأول\r\nسطر ثان", "status": "published"}),
    );
    assert_eq!(ok.status(), 201);
    let atom = app.get("/feeds/articles.atom").bytes().unwrap();
    assert!(feed_rs::parser::parse(&atom[..]).is_ok());
    let atom = String::from_utf8(atom.to_vec()).unwrap();
    assert!(
        atom.contains("xml:base="),
        "relative links in content resolve"
    );
}

/// Errors carry CORS headers, so a page on another origin can read the problem.
#[test]
fn errors_carry_cors_headers() {
    let app = TestApp::spawn();
    let res = app
        .client
        .get(app.url("/api/v1/changes?since=x"))
        .header("Origin", "https://any.example")
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(res.headers().contains_key("access-control-expose-headers"));
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
}

/// An Accept-Encoding that refuses everything is a 406 problem, not a "malformed body".
#[test]
fn refusing_every_coding_is_a_406_problem() {
    let app = TestApp::spawn();
    let p = problem(
        app.client
            .get(app.url("/feeds/articles.atom"))
            .header("Accept-Encoding", "identity;q=0, *;q=0")
            .send()
            .unwrap(),
        406,
    );
    assert!(p["detail"].as_str().unwrap().contains("Accept-Encoding"));
}

/// A 405 lists each allowed method once, HEAD included.
#[test]
fn a_405_lists_each_method_once() {
    let app = TestApp::spawn();
    let res = app
        .client
        .post(app.url("/feeds/articles.atom"))
        .send()
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, HEAD");
}

/// `since` is digits only.
#[test]
fn since_is_digits_only() {
    let app = TestApp::spawn();
    for bad in ["", "+5", "-0", "1.0", "%201", "١"] {
        let p = problem(app.get(&format!("/api/v1/changes?since={bad}")), 400);
        assert_eq!(error_fields(&p), ["since"], "since={bad}");
    }
}

/// Without --public-url, feed ids never depend on the host a client names, and
/// X-Forwarded-* from a client is not trusted for links.
#[test]
fn feed_ids_and_links_ignore_hosts_a_client_names() {
    let app = TestApp::spawn_demo();
    let feed = |host: &str| {
        let res = app
            .client
            .get(app.url("/feeds/articles.json"))
            .header("Host", host)
            .header("X-Forwarded-Host", "evil.example")
            .header("X-Forwarded-Proto", "https")
            .send()
            .unwrap();
        res.json::<Value>().unwrap()
    };
    let (a, b) = (feed("news.example"), feed("other.example:8080"));
    assert_eq!(a["items"][0]["id"], b["items"][0]["id"]);
    assert!(
        a["items"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("tag:localhost,")
    );
    assert!(
        a["feed_url"]
            .as_str()
            .unwrap()
            .starts_with("http://news.example/")
    );
    assert!(!a.to_string().contains("evil.example"));
}

/// The prometheus counter of response-cache outcomes (`hit` or `miss`).
fn cache_count(app: &TestApp, result: &str) -> u64 {
    let text = app.get("/metrics").text().unwrap();
    text.lines()
        .find(|l| {
            l.starts_with(&format!(
                "anbaa_response_cache_total{{result=\"{result}\"}}"
            ))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A feed of fifty long articles (a few hundred KiB, what partners poll most) is kept in the
/// cache like a short list: repeats are answered from memory.
#[test]
fn a_feed_of_long_articles_is_answered_from_the_cache() {
    let app = TestApp::spawn();
    let paragraph = "تواصل كازاخستان تطوير موانئها على بحر قزوين لزيادة صادرات النفط والحبوب. ";
    for i in 0..50 {
        let res = app.post(
            "/api/v1/articles",
            &json!({"title": format!("تقرير طويل رقم {i}"), "body": paragraph.repeat(60),
                    "status": "published"}),
        );
        assert_eq!(res.status(), 201);
    }
    let first = app.get("/feeds/articles.atom").bytes().unwrap();
    assert!(
        first.len() > 256 * 1024,
        "a long feed: {} bytes",
        first.len()
    );
    let hits = cache_count(&app, "hit");
    let second = app.get("/feeds/articles.atom").bytes().unwrap();
    assert_eq!(second, first);
    assert!(
        cache_count(&app, "hit") > hits,
        "the repeat came from the cache"
    );
}

/// Public reads are answered from memory once built, under their validator: a write changes
/// the validator, so the next read is built afresh and never stale.
#[test]
fn the_response_cache_serves_repeats_and_never_a_stale_body() {
    let app = TestApp::spawn_demo();
    let count = cache_count;
    let path = "/api/v1/articles?tag=kazakhstan&limit=3";
    let first = app.get(path);
    let etag = etag_of(&first);
    let first_body = first.text().unwrap();
    let hits = count(&app, "hit");
    let second = app.get(path);
    assert_eq!(etag_of(&second), etag);
    assert_eq!(second.headers()["x-total-count"], "15");
    assert!(second.headers().contains_key("link"));
    assert_eq!(second.text().unwrap(), first_body);
    assert!(count(&app, "hit") > hits, "the repeat came from the cache");
    // Compressed from the cached body, with the coding's own ETag.
    let br = app
        .client
        .get(app.url(path))
        .header("Accept-Encoding", "br")
        .send()
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    // A write: the next read is new.
    let first_id = serde_json::from_str::<Value>(&first_body).unwrap()["data"][0]["id"].clone();
    patch(&app, &first_id, json!({"title": "عنوان بعد التخزين"}));
    let third = app.get(path);
    assert_ne!(etag_of(&third), etag);
    assert!(third.text().unwrap().contains("عنوان بعد التخزين"));
    // Reads with a key are never cached, here or on the way. (The hit counter is global to
    // the test process, where other tests' hits land at any time: it cannot show a zero.)
    for _ in 0..2 {
        let keyed = app.get_with(path, &app.reader);
        assert_eq!(keyed.headers()["cache-control"], "private, no-store");
        assert!(
            keyed.headers()["vary"]
                .to_str()
                .unwrap()
                .contains("Authorization")
        );
    }

    // One article: cached too, sent with its own ETag, revalidated from the cache.
    let one = format!("/api/v1/articles/{first_id}");
    let a1 = app.get(&one);
    let a_etag = etag_of(&a1);
    assert!(a_etag.starts_with("\"v2-"), "{a_etag}");
    let hits = count(&app, "hit");
    let a2 = app.get(&one);
    assert_eq!(etag_of(&a2), a_etag);
    assert_eq!(a2.text().unwrap(), a1.text().unwrap());
    assert!(count(&app, "hit") > hits, "the repeat came from the cache");
    let revalidated = get_if_none_match(&app, &one, &a_etag);
    assert_eq!(revalidated.status(), 304);
    assert_eq!(etag_of(&revalidated), a_etag);
    let gz = a_etag.trim_end_matches('"').to_owned() + "-gzip\"";
    assert_eq!(get_if_none_match(&app, &one, &gz).status(), 304);
    // Renaming a tag it carries changes its body (not its version): never the cached one.
    let body: Value = app.get(&one).json().unwrap();
    let tag_slug = body["tags"][0]["slug"].as_str().unwrap().to_owned();
    let renamed = app.send(
        Method::PATCH,
        &format!("/api/v1/tags/{tag_slug}"),
        &json!({"name": "اسم جديد للوسم"}),
    );
    assert_eq!(renamed.status(), 200);
    let after = get_if_none_match(&app, &one, &a_etag);
    assert_eq!(after.status(), 200, "a stale 304 after the tag's rename");
    assert!(after.text().unwrap().contains("اسم جديد للوسم"));
}

/// The site state behind list validators is kept in memory; a commit by another connection
/// (here the import the CLI runs, on its own connection) must still change every validator.
#[test]
fn a_write_by_another_process_changes_list_validators() {
    let app = TestApp::spawn();
    app.article("خبر أول", &[]);
    let first = app.get("/api/v1/articles");
    let etag = etag_of(&first);
    assert_eq!(
        get_if_none_match(&app, "/api/v1/articles", &etag).status(),
        304
    );

    let pool = anbaa::db::open(&app.db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let line = json!({"title": "خبر من الاستيراد", "slug": "import-x", "status": "published"});
    let input = std::io::Cursor::new(format!("{line}\n").into_bytes());
    let report = anbaa::bulk::import(
        &mut conn,
        Box::new(std::io::BufReader::new(input)),
        0,
        &anbaa::bulk::ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(report.created, 1);

    let res = get_if_none_match(&app, "/api/v1/articles", &etag);
    assert_eq!(res.status(), 200, "a stale 304 after another process wrote");
    let body: Value = res.json().unwrap();
    assert_eq!(body["meta"]["total"], 2);
}

/// Right after a write every popular list misses the cache at once: concurrent requests for
/// one key wait for a single build instead of each running the same query.
#[test]
fn concurrent_misses_of_one_key_build_it_once() {
    // A server process of its own: the cache counters of an in-process app are shared with
    // every test running beside this one, which made the count of misses flaky.
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = crate::helpers::start_server_with(&dir.path().join("m.db"), &["--demo"]);
    let client = crate::helpers::client();
    let get = |path: &str| client.get(format!("{base}{path}")).send().unwrap();
    let misses = || -> u64 {
        let text = get("/metrics").text().unwrap();
        text.lines()
            .find(|l| l.starts_with("anbaa_response_cache_total{result=\"miss\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let path = "/api/v1/tags?sort=-article_count&limit=50";
    let before = misses();
    let bodies: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| s.spawn(|| get(path).text().unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        bodies
            .iter()
            .all(|b| b == &bodies[0] && b.contains("\"data\""))
    );
    assert_eq!(
        misses() - before,
        1,
        "one build for sixteen concurrent misses"
    );
}

/// A change-log entry carries the article's ETag, the one its GET answers: a tag rename
/// re-sends the carriers with the same `version` but a new `etag`, so a mirror that
/// compares it never misses the rename.
#[test]
fn a_tag_rename_changes_the_etag_of_its_carriers_in_the_log() {
    let app = TestApp::spawn();
    app.tag("sco", "منظمة شنغهاي", "organization", None);
    let a = app.article("قمة منظمة شنغهاي", &["sco"]);
    let log: Value = app.get("/api/v1/changes").json().unwrap();
    let entry = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == a["id"])
        .unwrap()
        .clone();
    let get = app.get(&format!("/api/v1/articles/{}", a["id"]));
    let served = get.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(entry["etag"], served.as_str(), "the GET's ETag");
    let since = log["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let res = app.send(
        reqwest::Method::PATCH,
        "/api/v1/tags/sco",
        &json!({"name": "منظمة شنغهاي للتعاون"}),
    );
    assert_eq!(res.status(), 200);
    let log: Value = app
        .get(&format!("/api/v1/changes?since={since}"))
        .json()
        .unwrap();
    let again = &log["data"][0];
    assert_eq!(again["id"], a["id"]);
    assert_eq!(
        again["version"], entry["version"],
        "a rename is not a new version"
    );
    assert_ne!(
        again["etag"], entry["etag"],
        "but it is a new representation"
    );
    let served = app.get(&format!("/api/v1/articles/{}", a["id"])).headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(again["etag"], served.as_str());
}
