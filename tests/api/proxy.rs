//! The shipped nginx config (`deploy/nginx/anbaa.conf`) in front of the real server: what
//! it caches, what it never caches, and that ETags stay strong through it. Needs nginx
//! (`.ci/run` installs Debian's nginx-light and sets `ANBAA_REQUIRE_NGINX=1`, so there a
//! missing nginx fails instead of skipping).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::blocking::{Client, Response};

use crate::helpers::{cli_key, eventually, free_port, running_as_root, start_server_with};

/// nginx killed when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_binary() -> Option<&'static str> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("ANBAA_REQUIRE_NGINX").is_err(),
            "ANBAA_REQUIRE_NGINX is set but nginx is not installed"
        );
        eprintln!("skipped: nginx is not installed");
    }
    found
}

/// Starts nginx with the shipped config, pointed at `upstream`, listening on loopback.
fn start_nginx(bin: &str, dir: &Path, upstream: &str) -> (Nginx, String) {
    let port = free_port();
    let site = include_str!("../../deploy/nginx/anbaa.conf")
        .replace("127.0.0.1:8080", upstream)
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace(
            "/var/cache/nginx/anbaa",
            dir.join("cache").to_str().expect("utf-8 path"),
        );
    assert!(site.contains(upstream) && site.contains(&port.to_string()));
    std::fs::write(dir.join("anbaa.conf"), site).unwrap();
    // As root, workers would drop to `nobody`, who cannot enter the temp dir.
    let root = running_as_root();
    let d = dir.display();
    let main = format!(
        "{user}pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 256; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n \
         include {d}/anbaa.conf;\n}}\n",
        user = if root { "user root;\n" } else { "" },
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let child = Command::new(bin)
        .args(["-p", &d.to_string(), "-e", &format!("{d}/error.log"), "-c"])
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let nginx = Nginx(child);
    let base = format!("http://127.0.0.1:{port}");
    eventually("nginx listening", Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (nginx, base)
}

/// Requests the node at `upstream` counted on the `/metrics` lines that `line` picks.
fn served(client: &Client, upstream: &str, line: impl Fn(&str) -> bool) -> u64 {
    client
        .get(format!("http://{upstream}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap()
        .lines()
        .filter(|l| line(l))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn cache_status(res: &Response) -> String {
    header(res, "x-cache-status")
}

fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Anonymous reads: a miss, then hits with the same strong ETag and bytes, a 304 from the
/// cache for the client's ETag, and a compressed variant kept apart with its own strong
/// ETag. Keyed reads: never answered from the cache, never stored. Eight concurrent misses
/// make one request to the node. With the node killed, what was cached still answers.
#[test]
fn the_shipped_nginx_config_caches_anonymous_reads_only_and_keeps_etags_strong() {
    let Some(bin) = nginx_binary() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("proxy.db");
    let key = cli_key(&db, "proxy", "read:drafts");
    let (mut node, upstream) = start_server_with(&db, &["--demo"]);
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let (_nginx, proxy) = start_nginx(bin, dir.path(), &upstream);
    let client = crate::helpers::client();
    let get = |path: &str| client.get(format!("{proxy}{path}")).send().unwrap();

    let list = "/api/v1/articles?limit=5";
    let first = get(list);
    assert_eq!(first.status(), 200);
    assert_eq!(cache_status(&first), "MISS");
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let first_body = first.text().unwrap();
    let second = get(list);
    assert_eq!(cache_status(&second), "HIT");
    assert_eq!(header(&second, "etag"), etag);
    assert_eq!(second.text().unwrap(), first_body);
    let revalidated = client
        .get(format!("{proxy}{list}"))
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(cache_status(&revalidated), "HIT");

    // anbaa compresses; nginx passes the coding through and keeps the ETag strong.
    let gzip = || {
        client
            .get(format!("{proxy}{list}"))
            .header("Accept-Encoding", "gzip")
            .send()
            .unwrap()
    };
    let zipped = gzip();
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    let zipped_etag = header(&zipped, "etag");
    assert!(zipped_etag.starts_with('"'), "{zipped_etag}");
    assert_ne!(zipped_etag, etag);
    let again = gzip();
    assert_eq!(cache_status(&again), "HIT");
    assert_eq!(header(&again, "etag"), zipped_etag);
    // Each coding keeps its own entry: the identity copy is still there.
    assert_eq!(cache_status(&get(list)), "HIT");

    // A key: straight through, private, and never stored for anyone else.
    let drafts = "/api/v1/articles?limit=3&status=draft";
    let keyed = || {
        client
            .get(format!("{proxy}{drafts}"))
            .bearer_auth(&key)
            .send()
            .unwrap()
    };
    let with_key = keyed();
    assert_eq!(with_key.status(), 200);
    assert_eq!(cache_status(&with_key), "BYPASS");
    assert!(header(&with_key, "cache-control").contains("no-store"));
    let anonymous = get(drafts);
    assert_ne!(
        anonymous.status(),
        200,
        "drafts need a key, even through the proxy"
    );
    assert_ne!(cache_status(&anonymous), "HIT");
    assert_eq!(cache_status(&keyed()), "BYPASS");
    let keyed_list = client
        .get(format!("{proxy}{list}"))
        .bearer_auth(&key)
        .send()
        .unwrap();
    assert_eq!(
        cache_status(&keyed_list),
        "BYPASS",
        "a cached public copy is not served to a key"
    );

    // Concurrent misses for one URL make one request to the node.
    let tags_served = || {
        served(&client, &upstream, |l| {
            l.starts_with(r#"anbaa_http_requests_total{endpoint="/api/v1/tags",method="GET""#)
        })
    };
    let before = tags_served();
    let cold = "/api/v1/tags?limit=11";
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| get(cold).status())).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 200);
        }
    });
    assert_eq!(
        tags_served() - before,
        1,
        "eight concurrent misses, one upstream request"
    );

    // Health is never cached.
    assert_eq!(cache_status(&get("/readyz")), "");

    // Every node down: the cached page still answers.
    node.kill();
    let down = get(list);
    assert_eq!(down.status(), 200);
    assert_eq!(down.text().unwrap(), first_body);
    assert!(get("/api/v1/tags?limit=7").status().is_server_error());
}

/// An answer from an expired entry, served while nginx revalidates it: the old body.
fn assert_stale(res: Response, body: &str) {
    let status = cache_status(&res);
    assert!(["STALE", "UPDATING"].contains(&status.as_str()), "{status}");
    assert_eq!(res.text().unwrap(), body);
}

/// Long enough for an entry cached with `max-age=1` to expire: nginx keeps validity in whole
/// seconds, so it holds until the end of the second after it was stored.
const EXPIRED: Duration = Duration::from_millis(2_200);

/// Once an entry is older than anbaa's `max-age` (1 s here, `--public-max-age`), the proxy
/// answers from it at once while it revalidates in the background with the strong ETag: a
/// 304 from anbaa when nothing changed (no body moves), the new version after a write. No
/// reader waits for the node, and a change reaches readers within max-age plus one request.
#[test]
fn the_shipped_nginx_config_serves_stale_while_it_revalidates() {
    let Some(bin) = nginx_binary() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("stale.db");
    let key = cli_key(&db, "stale", "write");
    let (_node, upstream) = start_server_with(&db, &["--demo", "--public-max-age", "1"]);
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let (_nginx, proxy) = start_nginx(bin, dir.path(), &upstream);
    let client = crate::helpers::client();
    let list = "/api/v1/articles?limit=4";
    let get = || client.get(format!("{proxy}{list}")).send().unwrap();
    let not_modified = || {
        served(&client, &upstream, |l| {
            l.starts_with("anbaa_http_requests_total{")
                && l.contains(r#"endpoint="/api/v1/articles""#)
                && l.contains(r#"status="304""#)
        })
    };

    let first = get();
    assert_eq!(cache_status(&first), "MISS");
    assert_eq!(
        header(&first, "cache-control"),
        "public, max-age=1, stale-while-revalidate=5"
    );
    let etag = header(&first, "etag");
    let body = first.text().unwrap();

    // Expired, unchanged: the stale copy at once, a conditional request behind it.
    std::thread::sleep(EXPIRED);
    let before = not_modified();
    assert_stale(get(), &body);
    eventually(
        "a 304 revalidation upstream",
        Duration::from_secs(5),
        || not_modified() > before,
    );
    let fresh = get();
    assert_eq!(cache_status(&fresh), "HIT");
    assert_eq!(header(&fresh, "etag"), etag);

    // A write: the next reader past max-age still gets the old copy without waiting, and
    // the background update brings the new version for the readers after.
    let res = client
        .post(format!("http://{upstream}/api/v1/articles"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"title": "خبر عاجل من الميناء", "body": "نص.", "status": "published"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    std::thread::sleep(EXPIRED);
    assert_stale(get(), &body);
    eventually(
        "the new version in the cache",
        Duration::from_secs(5),
        || {
            let res = get();
            cache_status(&res) == "HIT" && header(&res, "etag") != etag
        },
    );
    assert!(get().text().unwrap().contains("خبر عاجل من الميناء"));
}
