//! Feeds: every format parsed by an independent parser (feed-rs), with the fields partners
//! rely on.

use chrono::Timelike;
use feed_rs::model::FeedType;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

const BASE: &str = "https://news.example.org";

fn parse(app: &TestApp, path: &str, content_type: &str) -> feed_rs::model::Feed {
    let res = app.get(path);
    assert_eq!(res.status(), 200, "{path}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, content_type, "{path}");
    assert!(res.headers().contains_key("etag"), "{path}");
    assert!(res.headers().contains_key("last-modified"), "{path}");
    let bytes = res.bytes().unwrap();
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

#[test]
fn every_format_parses_with_full_rtl_content_categories_and_absolute_links() {
    let app = TestApp::spawn_with(true, |s| s.public_url = Some(BASE.to_owned()));
    // More public articles than a feed carries.
    for i in 0..5 {
        app.article(&format!("خبر إضافي رقم {i} من دوشنبه"), &["tajikistan"]);
    }
    // What the feed should hold: the 50 newest public articles, with bodies.
    let expected: Value = app
        .get("/api/v1/articles?limit=50&include=body")
        .json()
        .unwrap();
    assert_eq!(expected["meta"]["total"], 51);
    let expected = expected["data"].as_array().unwrap().clone();
    assert_eq!(expected.len(), 50);

    for (ext, ct, kind) in [
        (
            "atom",
            "application/atom+xml; charset=utf-8",
            FeedType::Atom,
        ),
        ("rss", "application/rss+xml; charset=utf-8", FeedType::RSS2),
        (
            "json",
            "application/feed+json; charset=utf-8",
            FeedType::JSON,
        ),
    ] {
        let feed = parse(&app, &format!("/feeds/articles.{ext}"), ct);
        assert_eq!(feed.feed_type, kind);
        assert_eq!(feed.language.as_deref(), Some("ar"), "{ext}");
        assert_eq!(feed.title.as_ref().unwrap().content, "أنباء", "{ext}");
        assert!(
            feed.links
                .iter()
                .any(|l| l.href == format!("{BASE}/feeds/articles.{ext}")
                    && l.rel.as_deref().is_none_or(|r| r == "self")),
            "{ext}: self link in {:?}",
            feed.links
        );
        assert_eq!(feed.entries.len(), expected.len(), "{ext}");
        for (entry, article) in feed.entries.iter().zip(&expected) {
            let id = article["id"].as_i64().unwrap();
            assert!(
                entry.id.starts_with("tag:news.example.org,")
                    && entry.id.ends_with(&format!(":article:{id}")),
                "{ext}: id {}",
                entry.id
            );
            assert_eq!(
                entry.title.as_ref().unwrap().content,
                article["title"].as_str().unwrap(),
                "{ext}"
            );
            assert!(
                entry
                    .links
                    .iter()
                    .any(|l| l.href == format!("{BASE}/api/v1/articles/{id}")),
                "{ext}: {:?}",
                entry.links
            );
            let body = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
            assert!(
                body.starts_with("<div dir=\"rtl\" lang=\"ar\">"),
                "{ext}: {body}"
            );
            assert!(
                body.contains(article["body_html"].as_str().unwrap()),
                "{ext}: full sanitized HTML"
            );
            assert_eq!(
                entry.summary.as_ref().unwrap().content.trim(),
                article["summary"].as_str().unwrap(),
                "{ext}"
            );
            let published: chrono::DateTime<chrono::Utc> =
                article["published_at"].as_str().unwrap().parse().unwrap();
            // RSS dates (RFC 822) have whole seconds.
            let published = if kind == FeedType::RSS2 {
                published.with_nanosecond(0).unwrap()
            } else {
                published
            };
            assert_eq!(entry.published, Some(published), "{ext}");
            if kind != FeedType::RSS2 {
                let updated: chrono::DateTime<chrono::Utc> =
                    article["updated_at"].as_str().unwrap().parse().unwrap();
                assert_eq!(entry.updated, Some(updated), "{ext}");
            }
            let tags: Vec<&str> = article["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap())
                .collect();
            let cats: Vec<String> = entry
                .categories
                .iter()
                .map(|c| match kind {
                    FeedType::Atom => c.label.clone().unwrap(),
                    _ => c.term.clone(),
                })
                .collect();
            assert_eq!(cats, tags, "{ext}: categories");
        }
    }
}

#[test]
fn tag_feeds_follow_the_region_tree_and_leave_out_drafts_scheduled_and_trashed() {
    let app = TestApp::spawn();
    app.tag("caucasus", "القوقاز", "region", None);
    app.tag("georgia", "جورجيا", "country", Some("caucasus"));
    app.tag("china", "الصين", "country", None);
    let in_region = app.article("جورجيا تفتح ممرا جديدا", &["georgia"]);
    let on_region = app.article("قمة إقليمية في القوقاز", &["caucasus"]);
    app.article("الصين توقع اتفاقا تجاريا", &["china"]);
    let trashed = app.article("خبر سيحذف من جورجيا", &["georgia"]);
    let res = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/articles/{}", trashed["id"]),
        )
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "مسودة عن جورجيا", "tags": ["georgia"]}),
    );
    assert_eq!(res.status(), 201);
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "خبر مجدول عن جورجيا", "status": "published",
                "published_at": "2099-01-01T00:00:00Z", "tags": ["georgia"]}),
    );
    assert_eq!(res.status(), 201);

    for ext in ["atom", "rss", "json"] {
        let res = app.get(&format!("/feeds/tags/caucasus.{ext}"));
        assert_eq!(res.status(), 200);
        let feed = feed_rs::parser::parse(&res.bytes().unwrap()[..]).unwrap();
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(
            titles,
            vec![
                on_region["title"].as_str().unwrap().to_owned(),
                in_region["title"].as_str().unwrap().to_owned()
            ],
            "{ext}"
        );
        assert!(
            feed.title.unwrap().content.contains("القوقاز"),
            "{ext}: the tag names the feed"
        );
    }
    // The country feed has only its own article.
    let json: Value = app.get("/feeds/tags/georgia.json").json().unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 1);
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"][0]["_anbaa"]["id"], in_region["id"]);
    assert_eq!(json["items"][0]["_anbaa"]["tags"][0]["slug"], "georgia");

    problem(app.get("/feeds/tags/atlantis.atom"), 404);
    problem(app.get("/feeds/articles.xml"), 404);
    problem(app.get("/feeds/articles.rss?limit=5"), 400);
}

#[test]
fn an_empty_site_still_has_valid_feeds() {
    let app = TestApp::spawn();
    for ext in ["atom", "rss", "json"] {
        let res = app.get(&format!("/feeds/articles.{ext}"));
        assert_eq!(res.status(), 200);
        let feed = feed_rs::parser::parse(&res.bytes().unwrap()[..]).unwrap();
        assert!(feed.entries.is_empty(), "{ext}");
    }
}

#[test]
fn feeds_answer_304_until_an_article_changes() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    let a = app.article("أرمينيا تستضيف منتدى", &["armenia"]);
    for path in ["/feeds/articles.atom", "/feeds/tags/armenia.json"] {
        let res = app.get(path);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let last_modified = res.headers()["last-modified"].to_str().unwrap().to_owned();
        let res = app
            .client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .unwrap();
        assert_eq!(res.status(), 304, "{path}");
        assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
        let again = app
            .client
            .get(app.url(path))
            .header("If-Modified-Since", &last_modified)
            .send()
            .unwrap();
        // The same second as the write may be ambiguous; a 200 is then the safe answer, but
        // never a stale 304 after the edit below.
        assert!(matches!(again.status().as_u16(), 200 | 304), "{path}");
        let res = app.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/articles/{}", a["id"]),
            &json!({"title": format!("عنوان معدل {path}")}),
        );
        assert_eq!(res.status(), 200);
        let res = app
            .client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{path}: a change is never answered 304");
        assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
        assert!(res.text().unwrap().contains("عنوان معدل"));
        let res = app
            .client
            .get(app.url(path))
            .header("If-Modified-Since", &last_modified)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{path}: If-Modified-Since after an edit");
    }
}

fn http_date_plus(date: &str, seconds: i64) -> String {
    let t = chrono::DateTime::parse_from_rfc2822(date).expect("an HTTP date");
    (t + chrono::Duration::seconds(seconds))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// If-Modified-Since answers 304 for any date after the last change's second, even when
/// that second saw two changes, and for the change's own second when nothing else shares it;
/// publishing an article is one change, not two (its date and its write).
#[test]
fn if_modified_since_answers_304_unless_the_date_sent_falls_in_an_ambiguous_second() {
    let app = TestApp::spawn();
    // Creating the database is a change of its own: write in the next second.
    let into_second = chrono::Utc::now().timestamp_subsec_millis();
    std::thread::sleep(std::time::Duration::from_millis(u64::from(
        1050 - into_second.min(999),
    )));
    let a = app.article("طاجيكستان تفتتح محطة كهرومائية", &[]);
    let one = format!("/api/v1/articles/{}", a["id"]);
    let ims = |path: &str, date: &str| {
        app.client
            .get(app.url(path))
            .header("If-Modified-Since", date)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    for path in ["/feeds/articles.atom", "/api/v1/articles", one.as_str()] {
        let lm = app.get(path).headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(ims(path, &lm), 304, "{path}: one write, one change");
        assert_eq!(ims(path, &http_date_plus(&lm, 1)), 304, "{path}");
        assert_eq!(ims(path, &http_date_plus(&lm, 365 * 86400)), 304, "{path}");
        assert_eq!(ims(path, &http_date_plus(&lm, -1)), 200, "{path}");
    }
    // A second write in the same second makes that second ambiguous for lists and feeds:
    // its own date gets a 200, a later one still a 304.
    let res = app.send(
        reqwest::Method::PATCH,
        &one,
        &json!({"title": "طاجيكستان تفتتح محطة كهرومائية كبرى"}),
    );
    assert_eq!(res.status(), 200);
    let lm = app.get("/feeds/articles.atom").headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ims("/feeds/articles.atom", &http_date_plus(&lm, 1)),
        304,
        "a date after the ambiguous second"
    );
}

/// A deflate-coded answer's ETag revalidates like the br, gzip and zstd ones.
#[test]
fn a_deflate_etag_revalidates() {
    let app = TestApp::spawn();
    app.article("أذربيجان تصدر الغاز", &[]);
    let res = app
        .client
        .get(app.url("/api/v1/articles"))
        .header("Accept-Encoding", "deflate")
        .send()
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.ends_with("-deflate\""), "{etag}");
    let res = app
        .client
        .get(app.url("/api/v1/articles"))
        .header("Accept-Encoding", "deflate")
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(res.status(), 304);
}

fn entry_ids(base: &str) -> Vec<String> {
    let body = reqwest::blocking::get(format!("{base}/feeds/articles.atom"))
        .unwrap()
        .bytes()
        .unwrap();
    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    feed.entries.into_iter().map(|e| e.id).collect()
}

/// Entry ids are minted under the host fixed at the first start: setting `--public-url`
/// later (or changing it) leaves every id as partners first saw it.
#[test]
fn feed_ids_survive_setting_and_changing_the_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ids.db");
    let pool = anbaa::db::open(db.to_str().unwrap()).unwrap();
    anbaa::demo::load(&mut pool.get().unwrap()).unwrap();
    drop(pool);
    let (mut first, base) = crate::helpers::start_server(&db);
    let before = entry_ids(&base);
    first.kill();
    assert!(!before.is_empty());
    assert!(before[0].starts_with("tag:localhost,"), "{}", before[0]);
    for url in ["https://news.example.org", "https://other.example.net"] {
        let (mut server, base) = crate::helpers::start_server_with(&db, &["--public-url", url]);
        assert_eq!(entry_ids(&base), before, "ids with --public-url {url}");
        server.kill();
    }
}

/// The lead image and its caption reach every format: an Atom enclosure link, Media RSS
/// `media:content`, JSON Feed's `image` with the caption in `_anbaa`, and a figure at the
/// top of the HTML content.
#[test]
fn the_lead_image_and_caption_are_in_every_feed_format() {
    let app = TestApp::spawn();
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "سمرقند تستقبل السياح", "body": "نص.", "status": "published",
                "image": {"url": "https://images.example.org/registan.jpg", "caption": "ساحة ريجستان"}}),
    );
    assert_eq!(res.status(), 201);
    let url = "https://images.example.org/registan.jpg";
    let atom = app.get("/feeds/articles.atom").text().unwrap();
    let entry = &feed_rs::parser::parse(atom.as_bytes()).unwrap().entries[0];
    assert!(
        entry
            .links
            .iter()
            .any(|l| l.href == url && l.rel.as_deref() == Some("enclosure")),
        "{atom}"
    );
    let html = entry.content.as_ref().unwrap().body.clone().unwrap();
    assert!(html.contains(&format!("<img src=\"{url}\"")), "{html}");
    assert!(
        html.contains("<figcaption>ساحة ريجستان</figcaption>"),
        "{html}"
    );
    let rss = app.get("/feeds/articles.rss").text().unwrap();
    let item = &feed_rs::parser::parse(rss.as_bytes()).unwrap().entries[0];
    let media = item
        .media
        .iter()
        .flat_map(|m| m.content.iter())
        .find_map(|c| c.url.as_ref())
        .map(|u| u.to_string());
    assert_eq!(media.as_deref(), Some(url), "{rss}");
    assert!(
        rss.contains("<media:description>ساحة ريجستان</media:description>"),
        "{rss}"
    );
    let json: Value = app.get("/feeds/articles.json").json().unwrap();
    assert_eq!(json["items"][0]["image"], url);
    assert_eq!(json["items"][0]["_anbaa"]["image_caption"], "ساحة ريجستان");
}

/// With `--article-url`, feed entries link to the article's page on the site (the Arabic
/// slug percent-encoded), so a reader opens a page, not JSON; the API link stays beside it.
#[test]
fn feed_entries_link_to_the_site_page_when_configured() {
    let app = TestApp::spawn_with(false, |s| {
        s.article_url = Some("https://news.example.org/news/{slug}?ref={id}".to_owned());
    });
    let a = app.article("باكو تستضيف مؤتمر المناخ", &[]);
    let page = format!(
        "https://news.example.org/news/{}?ref={}",
        anbaa::text::pct(a["slug"].as_str().unwrap()),
        a["id"]
    );
    let atom = app.get("/feeds/articles.atom").text().unwrap();
    let entry = &feed_rs::parser::parse(atom.as_bytes()).unwrap().entries[0];
    assert!(
        entry
            .links
            .iter()
            .any(|l| l.href == page && l.media_type.as_deref() == Some("text/html")),
        "{atom}"
    );
    let rss = app.get("/feeds/articles.rss").text().unwrap();
    let item = &feed_rs::parser::parse(rss.as_bytes()).unwrap().entries[0];
    assert_eq!(item.links[0].href, page);
    let json: Value = app.get("/feeds/articles.json").json().unwrap();
    assert_eq!(json["items"][0]["url"], page.as_str());
    assert!(
        json["items"][0]["_anbaa"]["api_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/api/v1/articles/{}", a["id"]))
    );
}

/// A tag page answered from the response cache still honours If-Modified-Since alone (the
/// cached answer knows only its ETag).
#[test]
fn a_cached_tag_page_still_answers_if_modified_since() {
    let app = TestApp::spawn();
    app.tag("energy", "طاقة", "topic", None);
    let lm = app.get("/api/v1/tags/energy").headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        let res = app
            .client
            .get(app.url("/api/v1/tags/energy"))
            .header("If-Modified-Since", http_date_plus(&lm, 1))
            .send()
            .unwrap();
        assert_eq!(res.status(), 304);
    }
}

/// Sends `path` with `If-None-Match: etag` and returns the status.
fn revalidate(app: &TestApp, path: &str, etag: &str) -> u16 {
    app.client
        .get(app.url(path))
        .header("If-None-Match", etag)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn etag_of(app: &TestApp, path: &str) -> String {
    let res = app.get(path);
    assert_eq!(res.status(), 200, "{path}");
    res.headers()["etag"].to_str().unwrap().to_owned()
}

/// A write under one tag changes the feeds and lists of that tag (and of the region above
/// it) and the unfiltered ones, and leaves another tag's at 304; a tag rename, which any
/// article may embed, changes every one of them; a purge and a retag do too.
#[test]
fn a_write_under_one_tag_leaves_other_tags_feeds_and_lists_at_304() {
    let app = TestApp::spawn();
    app.tag("caucasus", "القوقاز", "region", None);
    app.tag("armenia", "أرمينيا", "country", Some("caucasus"));
    app.tag("georgia", "جورجيا", "country", Some("caucasus"));
    app.tag("mongolia", "منغوليا", "country", None);
    let a = app.article("أرمينيا تفتتح جسرا", &["armenia"]);
    let m = app.article("منغوليا تصدر الفحم", &["mongolia"]);
    let watched = [
        "/feeds/tags/armenia.atom",
        "/feeds/tags/caucasus.json",
        "/feeds/tags/mongolia.rss",
        "/feeds/articles.atom",
        "/api/v1/articles?tag=armenia",
        "/api/v1/articles?tag=caucasus&limit=5",
        "/api/v1/articles?tag=mongolia",
        "/api/v1/articles?tag=georgia,mongolia",
        "/api/v1/articles",
    ];
    let etags =
        |app: &TestApp| -> Vec<String> { watched.iter().map(|p| etag_of(app, p)).collect() };
    let check = |step: &str, app: &TestApp, before: &[String], changed: &[&str]| {
        for (path, etag) in watched.iter().zip(before) {
            let status = revalidate(app, path, etag);
            let expected = if changed.contains(path) { 200 } else { 304 };
            assert_eq!(status, expected, "{step}: {path}");
        }
    };

    // An edit of an Armenian story: Armenia, the Caucasus and the unfiltered ones move.
    let before = etags(&app);
    let res = app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/articles/{}", a["id"]),
        &json!({"title": "أرمينيا تفتتح جسرا جديدا"}),
    );
    assert_eq!(res.status(), 200);
    check(
        "an edit under Armenia",
        &app,
        &before,
        &[
            "/feeds/tags/armenia.atom",
            "/feeds/tags/caucasus.json",
            "/feeds/articles.atom",
            "/api/v1/articles?tag=armenia",
            "/api/v1/articles?tag=caucasus&limit=5",
            "/api/v1/articles",
        ],
    );
    // The new body is served, not the cached one.
    assert!(
        app.get("/feeds/tags/armenia.atom")
            .text()
            .unwrap()
            .contains("جسرا جديدا")
    );

    // Moving the Mongolian story to Georgia changes Mongolia's and Georgia's (and the
    // region's) and leaves Armenia's.
    let before = etags(&app);
    let res = app.send(
        reqwest::Method::PATCH,
        &format!("/api/v1/articles/{}", m["id"]),
        &json!({"tags": ["georgia"]}),
    );
    assert_eq!(res.status(), 200);
    check(
        "a story moved from Mongolia to Georgia",
        &app,
        &before,
        &[
            "/feeds/tags/caucasus.json",
            "/feeds/tags/mongolia.rss",
            "/feeds/articles.atom",
            "/api/v1/articles?tag=caucasus&limit=5",
            "/api/v1/articles?tag=mongolia",
            "/api/v1/articles?tag=georgia,mongolia",
            "/api/v1/articles",
        ],
    );

    // A new article under Mongolia alone.
    let before = etags(&app);
    let fresh = app.article("منغوليا تستضيف قمة", &["mongolia"]);
    check(
        "a new story under Mongolia",
        &app,
        &before,
        &[
            "/feeds/tags/mongolia.rss",
            "/feeds/articles.atom",
            "/api/v1/articles?tag=mongolia",
            "/api/v1/articles?tag=georgia,mongolia",
            "/api/v1/articles",
        ],
    );

    // A rename changes what every list embeds: all move.
    let before = etags(&app);
    let res = app.send(
        reqwest::Method::PATCH,
        "/api/v1/tags/georgia",
        &json!({"name": "جورجيا (الكرج)"}),
    );
    assert_eq!(res.status(), 200);
    check("a tag rename", &app, &before, &watched);

    // Trash and purge of the new Mongolian story: Mongolia's move, Armenia's stay.
    for purge in [false, true] {
        let before = etags(&app);
        let path = format!(
            "/api/v1/articles/{}{}",
            fresh["id"],
            if purge { "?purge=true" } else { "" }
        );
        let res = app
            .client
            .delete(app.url(&path))
            .bearer_auth(&app.admin)
            .send()
            .unwrap();
        assert_eq!(res.status(), 204, "purge {purge}");
        let changed: &[&str] = if purge {
            // A purge of a trashed article changes nothing the public sees, but it is a
            // write to Mongolia's links: Mongolia's may move, Armenia's must not.
            &[]
        } else {
            &[
                "/feeds/tags/mongolia.rss",
                "/feeds/articles.atom",
                "/api/v1/articles?tag=mongolia",
                "/api/v1/articles?tag=georgia,mongolia",
                "/api/v1/articles",
            ]
        };
        for (path, etag) in watched.iter().zip(&before) {
            let status = revalidate(&app, path, etag);
            if changed.contains(path) {
                assert_eq!(status, 200, "purge {purge}: {path}");
            } else if path.contains("armenia") {
                assert_eq!(status, 304, "purge {purge}: {path}");
            }
        }
    }
}

/// A scheduled story falling due changes its tag's feed without any write, and only its
/// tag's: another tag's feed stays at 304.
#[test]
fn a_story_falling_due_changes_only_its_tags_feeds() {
    let app = TestApp::spawn();
    app.tag("armenia", "أرمينيا", "country", None);
    app.tag("mongolia", "منغوليا", "country", None);
    app.article("منغوليا تصدر الفحم", &["mongolia"]);
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let res = app.post(
        "/api/v1/articles",
        &json!({
            "title": "أرمينيا تعلن موازنتها",
            "body": "نص الخبر المجدول.",
            "status": "published",
            "published_at": due.to_rfc3339(),
            "tags": ["armenia"],
        }),
    );
    assert_eq!(res.status(), 201);
    let armenia = etag_of(&app, "/feeds/tags/armenia.atom");
    let mongolia = etag_of(&app, "/feeds/tags/mongolia.atom");
    crate::helpers::eventually(
        "the scheduled story reaches Armenia's feed",
        std::time::Duration::from_secs(10),
        || revalidate(&app, "/feeds/tags/armenia.atom", &armenia) == 200,
    );
    assert!(
        app.get("/feeds/tags/armenia.atom")
            .text()
            .unwrap()
            .contains("موازنتها")
    );
    assert_eq!(
        revalidate(&app, "/feeds/tags/mongolia.atom", &mongolia),
        304
    );
}
