//! CORS proven in a real browser: a page served from a second origin on localhost, opened in
//! headless Chromium (Debian's, driven by playwright-core through tests/browser/cors.mjs),
//! fetches a list and an article and revalidates with If-None-Match.
//!
//! `.ci/run` installs Chromium and the node module and sets `ANBAA_REQUIRE_BROWSER=1`, so
//! there a missing browser fails the test; a plain `cargo test` on a machine without them
//! says so and skips.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::TestApp;

/// The page: fetches the API cross-origin and records what a script can see.
const PAGE: &str = r#"<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>شريك</title></head>
<body><script>
(async () => {
  const api = new URLSearchParams(location.search).get('api');
  const out = {};
  try {
    const list = await fetch(api + '/api/v1/articles?limit=2');
    const body = await list.json();
    out.list = {
      status: list.status,
      count: body.data.length,
      total: list.headers.get('X-Total-Count'),
      link: list.headers.get('Link'),
      etag: list.headers.get('ETag'),
      requestId: list.headers.get('X-Request-Id'),
    };
    const one = await fetch(api + '/api/v1/articles/1');
    const article = await one.json();
    const etag = one.headers.get('ETag');
    out.article = {
      status: one.status,
      title: article.title,
      etag,
      lastModified: one.headers.get('Last-Modified'),
    };
    // A header of its own makes this a preflighted request.
    const again = await fetch(api + '/api/v1/articles/1', {
      headers: { 'If-None-Match': etag },
      cache: 'no-store',
    });
    out.revalidated = { status: again.status, etag: again.headers.get('ETag') };
  } catch (e) {
    out.error = String(e);
  }
  window.__result = out;
})();
</script></body></html>"#;

/// Serves `PAGE` on a free port of localhost until the process ends; returns its origin.
fn serve_page() -> String {
    serve_html(PAGE)
}

/// Serves one HTML page on a free port of localhost until the process ends; returns its
/// origin (another origin than the API's, which tests reach at 127.0.0.1).
pub fn serve_html(page: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind page server");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    format!("http://localhost:{port}")
}

/// Opens the page in Chromium against `api`; `None` when no browser is set up here.
fn run_browser(page_origin: &str, api: &str) -> Option<Value> {
    run_script("cors.mjs", &[&format!("{page_origin}/?api={api}")])
}

/// Runs a script of tests/browser with `args`; `None` when no browser is set up here.
pub fn run_script(script: &str, args: &[&str]) -> Option<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = dir.join("node_modules/playwright-core").exists()
        && dir.join("node_modules/eventsource").exists()
        && Path::new(&chromium).exists();
    if !ready {
        assert!(
            std::env::var("ANBAA_REQUIRE_BROWSER").is_err(),
            "Chromium or playwright-core is missing (.ci/run installs both)"
        );
        eprintln!("skipping the browser test: no Chromium or playwright-core here (run .ci/run)");
        return None;
    }
    let out = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("the page's findings as JSON"))
}

#[test]
fn a_page_on_another_origin_reads_the_api_and_its_headers() {
    let app = TestApp::spawn_demo();
    let page = serve_page();
    let Some(seen) = run_browser(&page, &app.base) else {
        return;
    };
    assert!(seen.get("error").is_none(), "{seen}");
    assert_eq!(seen["list"]["status"], 200);
    assert_eq!(seen["list"]["count"], 2);
    assert_eq!(seen["list"]["total"], "46", "X-Total-Count exposed: {seen}");
    assert!(
        seen["list"]["link"]
            .as_str()
            .is_some_and(|l| l.contains("rel=\"next\"")),
        "Link exposed: {seen}"
    );
    assert!(seen["list"]["etag"].is_string(), "ETag exposed: {seen}");
    assert!(
        seen["list"]["requestId"].is_string(),
        "X-Request-Id exposed"
    );
    assert_eq!(seen["article"]["status"], 200);
    assert!(
        seen["article"]["title"]
            .as_str()
            .is_some_and(|t| t.contains("تنغيز")),
        "{seen}"
    );
    assert!(seen["article"]["lastModified"].is_string());
    assert_eq!(seen["revalidated"]["status"], 304, "{seen}");
    assert_eq!(seen["revalidated"]["etag"], seen["article"]["etag"]);
}

#[test]
fn restricted_origins_are_refused_in_the_browser_and_listed_ones_served() {
    let page = serve_page();
    let other = TestApp::spawn_with(true, |s| {
        s.cors_origins = vec!["https://partner.example.org".to_owned()];
    });
    let Some(seen) = run_browser(&page, &other.base) else {
        return;
    };
    assert!(
        seen["error"]
            .as_str()
            .is_some_and(|e| e.contains("Failed to fetch")),
        "a page from an origin not listed is refused: {seen}"
    );
    assert!(seen.get("list").is_none());

    let listed_page = page.clone();
    let listed = TestApp::spawn_with(true, move |s| {
        s.cors_origins = vec![listed_page];
    });
    let seen = run_browser(&page, &listed.base).expect("browser ran before");
    assert!(seen.get("error").is_none(), "{seen}");
    assert_eq!(seen["list"]["total"], "46");
    assert_eq!(seen["revalidated"]["status"], 304);
}

/// The same policy over plain HTTP, without a browser.
#[test]
fn cors_headers_preflights_and_origin_checks() {
    let open = TestApp::spawn_demo();
    let res = open
        .client
        .get(open.url("/api/v1/articles?limit=1"))
        .header("Origin", "https://any.example")
        .send()
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(
        res.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "etag",
        "link",
        "x-total-count",
        "x-request-id",
        "last-modified",
        "ratelimit-remaining",
        "ratelimit-reset",
    ] {
        assert!(exposed.contains(h), "{h} exposed: {exposed}");
    }
    let preflight = |app: &TestApp, origin: &str, method: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/articles/1"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header(
                "Access-Control-Request-Headers",
                "authorization,if-none-match,if-match,content-type",
            )
            .send()
            .unwrap()
    };
    let res = preflight(&open, "https://any.example", "GET");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("if-none-match") && allowed.contains("authorization"));
    // Writes from a browser need the origin listed.
    let p = crate::helpers::problem(preflight(&open, "https://any.example", "PATCH"), 403);
    assert_eq!(p["type"], "/problems/cors-refused");
    assert!(p["detail"].as_str().unwrap().contains("--cors-origin"));

    let listed = TestApp::spawn_with(false, |s| {
        s.cors_origins = vec!["https://partner.example".to_owned()];
    });
    let res = preflight(&listed, "https://partner.example", "PATCH");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://partner.example"
    );
    let res = listed
        .client
        .get(listed.url("/api/v1/tags"))
        .header("Origin", "https://stranger.example")
        .send()
        .unwrap();
    assert_eq!(res.status(), 200, "plain clients are unaffected");
    assert!(
        res.headers().get("access-control-allow-origin").is_none(),
        "no CORS headers for an origin not listed"
    );
    assert!(res.headers()["vary"].to_str().unwrap().contains("Origin"));
}

/// The docs page works offline under its Content-Security-Policy.
#[test]
fn the_docs_page_renders_under_its_content_security_policy() {
    let app = TestApp::spawn();
    let res = app.get("/docs/");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let Some(seen) = run_script("docs.mjs", &[&app.url("/docs/")]) else {
        return;
    };
    assert!(
        seen["title"].as_str().is_some_and(|t| t.contains("anbaa")),
        "{seen}"
    );
    assert!(seen["operations"].as_u64().unwrap() >= 20, "{seen}");
    assert_eq!(seen["violations"], serde_json::json!([]), "{seen}");
}

/// Every response says what it is and what it may do, errors included.
#[test]
fn security_headers_on_every_response() {
    let app = TestApp::spawn_demo();
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/999999",
        "/feeds/articles.atom",
        "/openapi.json",
        "/healthz",
        "/nowhere",
    ] {
        let res = app.get(path);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer", "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}
