//! The news industry's formats through real HTTP, checked by their own validators: IPTC's
//! ninjs recipe (ajv-cli 5 + ajv-formats 3, draft 2020-12, GeoJSON by reference) over every
//! article, a list page, a change log page and an export, with IPTC's should_fail documents as
//! the proof that the validator rejects; xmllint with the sitemaps.org and Google News XSDs;
//! and the JSON-LD as an independent extractor (PyPI extruct) reads it from a page.
//!
//! The Node and Python tools come from .ci/run (tests/browser, tests/python); without them
//! the tests say so and skip, unless ANBAA_REQUIRE_BROWSER / ANBAA_REQUIRE_PYTHON are set.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

const SITE: &str = "https://example.org/أخبار/{slug}";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ninjs_dir() -> PathBuf {
    root().join("../shared/standards/ninjs")
}

fn ajv() -> Option<PathBuf> {
    let bin = root().join("tests/browser/node_modules/.bin/ajv");
    let ok = bin.exists() && ninjs_dir().join("ninjs-schema_3.1.json").exists();
    if !ok {
        assert!(
            std::env::var("ANBAA_REQUIRE_BROWSER").is_err(),
            "ANBAA_REQUIRE_BROWSER is set but ajv (tests/browser) or ../shared/standards/ninjs is missing"
        );
        eprintln!("skipped: no ajv (npm ci --prefix tests/browser) or no ../shared/standards");
        return None;
    }
    Some(bin)
}

/// IPTC's validator recipe over every `*.json` in `dir`; true when all are valid.
fn ajv_valid(ajv: &Path, dir: &Path) -> (bool, String) {
    let schemas = ninjs_dir();
    let out = Command::new(ajv)
        .current_dir(root().join("tests/browser"))
        .args([
            "test",
            "--spec=draft2020",
            "-c",
            "ajv-formats",
            "--valid",
            "-r",
        ])
        .arg(schemas.join("GeoJSON-schema.json"))
        .arg("-s")
        .arg(schemas.join("ninjs-schema_3.1.json"))
        .arg("-d")
        .arg(format!("{}/*.json", dir.display()))
        .output()
        .expect("ajv runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn app() -> TestApp {
    TestApp::spawn_with(true, |s| {
        s.article_url = Some(SITE.to_owned());
        s.site_url = Some("https://example.org".to_owned());
        s.site_logo = Some("https://example.org/شعار.png".to_owned());
        s.copyright_holder = Some("أنباء".to_owned());
        s.usage_terms = Some("يسمح بإعادة النشر مع ذكر المصدر".to_owned());
    })
}

#[test]
fn every_article_list_page_change_page_and_export_is_strictly_valid_ninjs() {
    let Some(ajv) = ajv() else { return };
    let app = app();
    // The lifecycle's states, an image with Arabic in its URL, a correction, a kill.
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "صورة من سمرقند", "body": "نص.", "status": "published",
                "tags": ["uzbekistan", "economy"],
                "image": {"url": "https://images.example.org/سمرقند-1.jpg", "caption": "ساحة ريغستان"}}),
    );
    assert_eq!(res.status(), 201);
    let pictured: Value = res.json().unwrap();
    app.post(
        &format!("/api/v1/articles/{}/corrections", pictured["id"]),
        &json!({"kind": "clarification", "text": "الصورة من أرشيف الوكالة."}),
    );
    let killed = app.article("خبر سيسحب", &["georgia"]);
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", killed["id"]),
        &json!({"pub_status": "canceled"}),
    );
    let embargoed: Value = app
        .post(
            "/api/v1/articles",
            &json!({"title": "خبر تحت الحظر", "status": "published", "ed_note": "لا ينشر قبل الموعد",
                    "embargoed_until": (Utc::now() + Duration::hours(3)).to_rfc3339()}),
        )
        .json()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut write = |doc: &Value| {
        n += 1;
        std::fs::write(dir.path().join(format!("d{n}.json")), doc.to_string()).unwrap();
    };
    let list: Value = app
        .get("/api/v1/articles?format=ninjs&limit=100")
        .json()
        .unwrap();
    let items = list["data"].as_array().unwrap();
    assert!(items.len() >= 46, "{}", items.len());
    for item in items {
        write(item);
        let id = item["altIds"][1]["value"].as_str().unwrap();
        let one = app.get(&format!("/api/v1/articles/{id}?format=ninjs"));
        assert!(
            one.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("ninjs-schema_3.1")
        );
        let one: Value = one.json().unwrap();
        assert_eq!(
            &one, item,
            "the list carries each article as its detail does"
        );
        write(&one);
    }
    let by_accept: Value = app
        .client
        .get(app.url(&format!("/api/v1/articles/{}", pictured["id"])))
        .header(
            "Accept",
            "application/json; profile=\"http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json\"",
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(by_accept["standard"]["version"], "3.1");
    assert!(
        by_accept["renditions"][0]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/")
    );
    assert_eq!(by_accept["associations"][0]["type"], "picture");
    assert_eq!(by_accept["descriptions"][1]["role"], "clarification");
    assert_eq!(
        by_accept["descriptions"][1]["value"],
        "الصورة من أرشيف الوكالة."
    );
    assert_eq!(by_accept["copyrightHolder"], "أنباء");
    assert!(
        by_accept["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["uri"] == "http://cv.iptc.org/newscodes/mediatopic/04000000")
    );
    assert!(
        by_accept["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["uri"] == "http://www.wikidata.org/entity/Q265" && p["literal"] == "UZ")
    );
    write(&by_accept);
    // A partner sees the embargoed article with its embargo and note.
    let partner: Value = app
        .get_with(
            &format!("/api/v1/articles/{}?format=ninjs", embargoed["id"]),
            &app.partner,
        )
        .json()
        .unwrap();
    assert!(partner["embargoedUntil"].is_string());
    assert_eq!(partner["edNote"], "لا ينشر قبل الموعد");
    write(&partner);

    let log: Value = app
        .get("/api/v1/changes?format=ninjs&limit=500")
        .json()
        .unwrap();
    let entries = log["data"].as_array().unwrap();
    let kill = entries.iter().find(|e| e["id"] == killed["id"]).unwrap();
    assert_eq!(kill["article"]["pubStatus"], "canceled");
    for e in entries {
        write(&e["article"]);
    }

    let out = Command::new(env!("CARGO_BIN_EXE_anbaa"))
        .args([
            "export",
            "--format",
            "ninjs",
            "--article-url",
            SITE,
            "--db",
            &app.db_path,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        items.len(),
        "the export holds the public articles"
    );
    for l in &lines {
        write(l);
    }

    let (valid, said) = ajv_valid(&ajv, dir.path());
    assert!(valid, "{said}");
    assert!(said.matches("passed test").count() >= 100, "{said}");
    // The same command rejects IPTC's own negative examples.
    for version in ["3.1", "3.0"] {
        let bad = ninjs_dir().join(format!("test_suite/{version}/should_fail"));
        let (valid, said) = ajv_valid(&ajv, &bad);
        assert!(!valid, "should_fail {version} passed: {said}");
    }
}

#[test]
fn formats_are_negotiated_and_a_bad_one_is_named() {
    let app = TestApp::spawn_demo();
    let p = problem(app.get("/api/v1/articles/1?format=xml"), 400);
    assert_eq!(error_fields(&p), ["format"]);
    let p = problem(app.get("/api/v1/articles?format=jsonld"), 400);
    assert_eq!(error_fields(&p), ["format"]);
    let p = problem(app.get("/api/v1/articles/1?format=ninjs&fields=id"), 400);
    assert_eq!(error_fields(&p), ["fields"]);
    let json = app.get("/api/v1/articles/1");
    let ld = app
        .client
        .get(app.url("/api/v1/articles/1"))
        .header("Accept", "application/ld+json")
        .send()
        .unwrap();
    assert_eq!(ld.headers()["content-type"], "application/ld+json");
    assert!(ld.headers()["vary"].to_str().unwrap().contains("Accept"));
    assert_ne!(
        json.headers()["etag"],
        ld.headers()["etag"],
        "one ETag per representation"
    );
    let ld: Value = ld.json().unwrap();
    assert_eq!(ld["@type"], "NewsArticle");
    // The JSON answer, asked again, is still JSON (the cache keeps one per representation),
    // and says it depends on Accept.
    let again = app.get("/api/v1/articles/1");
    assert!(again.headers()["vary"].to_str().unwrap().contains("Accept"));
    let again: Value = again.json().unwrap();
    assert_eq!(again["id"], 1);
    // The client's weights decide; a list offers no JSON-LD, so asking for it gets JSON.
    let weighed = app
        .client
        .get(app.url("/api/v1/articles/1"))
        .header("Accept", "application/ld+json;q=0.5, application/json")
        .send()
        .unwrap();
    assert_eq!(weighed.headers()["content-type"], "application/json");
    for path in ["/api/v1/articles", "/api/v1/changes"] {
        let res = app
            .client
            .get(app.url(path))
            .header("Accept", "application/ld+json")
            .send()
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "application/json");
    }
}

/// extruct (PyPI) reads the JSON-LD from a page that embeds it.
#[test]
fn json_ld_read_from_a_page_has_googles_recommended_article_properties() {
    let Some(python) = crate::helpers::python_with(&["extruct"]) else {
        return;
    };
    let app = app();
    let res = app.post(
        "/api/v1/articles",
        &json!({"title": "أستانا تستضيف قمة منظمة شنغهاي", "body": "افتتحت القمة.", "status": "published",
                "author": "ريم الحسيني", "tags": ["kazakhstan", "sco"],
                "image": {"url": "https://images.example.org/astana.jpg"}}),
    );
    let a: Value = res.json().unwrap();
    app.post(
        &format!("/api/v1/articles/{}/corrections", a["id"]),
        &json!({"kind": "correction", "text": "القمة في أستانا لا في ألماتي."}),
    );
    let ld = app
        .get(&format!("/api/v1/articles/{}?format=jsonld", a["id"]))
        .text()
        .unwrap();
    let page = format!(
        "<!doctype html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>t</title>\
         <script type=\"application/ld+json\">{ld}</script></head><body></body></html>"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, page).unwrap();
    let out = Command::new(&python)
        .args([
            "-c",
            "import extruct, json, sys; print(json.dumps(extruct.extract(open(sys.argv[1], encoding='utf-8').read(), base_url='https://example.org/', syntaxes=['json-ld'])['json-ld']))",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = &found[0];
    assert_eq!(doc["@type"], "NewsArticle");
    // Google's recommended Article properties.
    assert_eq!(doc["headline"], a["title"]);
    assert_eq!(doc["image"][0], "https://images.example.org/astana.jpg");
    assert_eq!(doc["author"][0]["name"], "ريم الحسيني");
    for date in ["datePublished", "dateModified"] {
        let d = doc[date].as_str().unwrap();
        assert!(d.ends_with("+00:00"), "{date} {d} carries its offset");
        chrono::DateTime::parse_from_rfc3339(d).unwrap();
    }
    assert_eq!(doc["publisher"]["@type"], "NewsMediaOrganization");
    assert_eq!(doc["publisher"]["name"], "أنباء");
    assert_eq!(
        doc["publisher"]["logo"]["url"],
        "https://example.org/%D8%B4%D8%B9%D8%A7%D8%B1.png"
    );
    assert_eq!(doc["inLanguage"], "ar");
    let page_url = doc["mainEntityOfPage"]["@id"].as_str().unwrap();
    assert!(
        page_url.starts_with("https://example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/"),
        "{page_url}"
    );
    assert!(page_url.is_ascii());
    assert!(
        doc["about"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["sameAs"][0] == "http://www.wikidata.org/entity/Q232")
    );
    assert_eq!(doc["correction"][0]["@type"], "CorrectionComment");
}

fn xmllint(xsd: &str, xml: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(root().join("tests/fixtures/sitemaps").join(xsd))
        .arg(&file)
        .output()
        .expect("xmllint runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn sitemaps_are_valid_keep_the_48_hour_window_and_the_1000_cap_and_link_to_the_site() {
    let have = Command::new("xmllint").arg("--version").output().is_ok()
        && root()
            .join("tests/browser/node_modules/sitemap-news-xsd/schema/sitemap-news.xsd")
            .exists();
    if !have {
        assert!(
            std::env::var("ANBAA_REQUIRE_BROWSER").is_err(),
            "ANBAA_REQUIRE_BROWSER is set but xmllint or the news XSD is missing"
        );
        eprintln!("skipped: no xmllint or no tests/browser/node_modules");
        return;
    }
    let app = app();
    // 1,010 stories of the last 48 hours and 5 just older, by the real import.
    let now = Utc::now();
    let mut lines = String::new();
    for i in 0..1015 {
        let at = if i < 1010 {
            now - Duration::minutes(2 * i64::from(i) + 1)
        } else {
            now - Duration::hours(49 + i64::from(i - 1010))
        };
        lines.push_str(
            &json!({"slug": format!("خبر-عاجل-{i}"), "title": format!("خبر عاجل رقم {i} من دوشنبه"),
                    "body": "نص.", "status": "published", "tags": ["tajikistan"],
                    "published_at": at.to_rfc3339_opts(SecondsFormat::Secs, true)})
            .to_string(),
        );
        lines.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wire.jsonl");
    std::fs::write(&file, lines).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_anbaa"))
        .args(["import"])
        .arg(&file)
        .args(["--db", &app.db_path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One of the newest is killed: it leaves the sitemaps.
    let killed = app.get("/api/v1/articles/خبر-عاجل-0");
    let killed: Value = killed.json().unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", killed["id"]),
        &json!({"pub_status": "canceled"}),
    );

    let news = app.get("/sitemaps/news.xml");
    assert_eq!(
        news.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let etag = news.headers()["etag"].to_str().unwrap().to_owned();
    let news = news.text().unwrap();
    let (valid, said) = xmllint("news.xsd", &news);
    assert!(valid, "{said}");
    assert_eq!(news.matches("<news:news>").count(), 1000, "the cap");
    assert!(!news.contains("-0</loc>"), "the killed story is out");
    let mut last = None;
    for date in news.split("<news:publication_date>").skip(1) {
        let d = chrono::DateTime::parse_from_rfc3339(&date[..25]).unwrap();
        assert!(
            now.signed_duration_since(d) < Duration::hours(48),
            "{d} is older than 48 h"
        );
        if let Some(prev) = last {
            assert!(d <= prev, "newest first");
        }
        last = Some(d);
    }
    assert!(news.contains("<news:language>ar</news:language>"));
    assert!(news.contains("<news:name>أنباء</news:name>"));
    for loc in news.split("<loc>").skip(1) {
        let loc = &loc[..loc.find("</loc>").unwrap()];
        assert!(
            loc.starts_with("https://example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/"),
            "{loc}"
        );
        assert!(loc.is_ascii(), "{loc}");
    }
    let again = app
        .client
        .get(app.url("/sitemaps/news.xml"))
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);

    let index = app.get("/sitemap.xml").text().unwrap();
    let (valid, said) = xmllint("siteindex.xsd", &index);
    assert!(valid, "{said}");
    let this_month = now.format("%Y-%m").to_string();
    assert!(
        index.contains(&format!("/sitemaps/articles-{this_month}.xml")),
        "{index}"
    );
    for loc in index.split("<loc>").skip(1) {
        let loc = &loc[..loc.find("</loc>").unwrap()];
        let path = loc
            .split_once("/sitemaps/")
            .map(|(_, p)| format!("/sitemaps/{p}"))
            .unwrap();
        let part = app.get(&path);
        assert_eq!(part.status(), 200, "{path}");
        let body = part.text().unwrap();
        let xsd = if path.ends_with("news.xml") {
            "news.xsd"
        } else {
            "sitemap.xsd"
        };
        let (valid, said) = xmllint(xsd, &body);
        assert!(valid, "{path}: {said}");
        assert!(body.matches("<url>").count() <= 50_000);
    }
    let month = app
        .get(&format!("/sitemaps/articles-{this_month}.xml"))
        .text()
        .unwrap();
    assert!(
        !month.contains(&crate_pct("خبر-عاجل-0")),
        "the killed story is out of the month"
    );
    problem(app.get("/sitemaps/articles-1999-01.xml"), 404);
    problem(app.get("/sitemaps/articles-2026-13.xml"), 404);
    // And the feeds link to the site's pages too.
    let feed = app.get("/feeds/tags/tajikistan.rss").text().unwrap();
    assert!(
        feed.contains("<link>https://example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/"),
        "{}",
        &feed[..600]
    );
}

fn crate_pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect::<String>()
        + "<"
}
