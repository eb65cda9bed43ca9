//! `TestApp`: the real server on port 0 over a fresh database (an SQLite file, or a
//! PostgreSQL database: see `store`), with keys of each scope, driven over real HTTP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use anbaa::auth::{self, Scope};
use anbaa::config::Settings;
use anbaa::db;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// A key with `write`.
    pub writer: String,
    /// A key with `read:drafts` only.
    pub reader: String,
    /// A key with `admin`.
    pub admin: String,
    /// A partner's key: `read:embargoed` only.
    pub partner: String,
    /// The store's `--db`: an SQLite file, or a PostgreSQL URL (see `store`).
    pub db_path: String,
    handle: actix_web::dev::ServerHandle,
    // Dropped after the server stops (fields drop in order): the database goes last.
    _db: crate::store::TestDb,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// An empty database.
    pub fn spawn() -> TestApp {
        Self::spawn_with(false, |_| {})
    }

    /// The demo content loaded.
    pub fn spawn_demo() -> TestApp {
        Self::spawn_with(true, |_| {})
    }

    pub fn spawn_with(demo: bool, configure: impl FnOnce(&mut Settings)) -> TestApp {
        Self::spawn_full(demo, |_| None, configure)
    }

    /// A PostgreSQL database with public reads from `replica(primary URL)`, the URL of a
    /// read replica (or of anything, to see what a node does when it does not answer).
    pub fn spawn_with_replica(replica: impl FnOnce(&str) -> Option<String>) -> TestApp {
        Self::spawn_full(false, replica, |_| {})
    }

    fn spawn_full(
        demo: bool,
        replica: impl FnOnce(&str) -> Option<String>,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let test_db = crate::store::TestDb::fresh(dir.path());
        let db_path = test_db.target.clone();
        let pool = db::open(&db_path).expect("open database");
        let replica =
            replica(&db_path).map(|url| db::open_replica(&db_path, &url).expect("a replica pool"));
        let mut conn = pool.get().expect("connection");
        if demo {
            anbaa::demo::load(&mut conn).expect("demo content loads");
        }
        let mut key = |name: &str, scopes: &[Scope]| {
            let (token, row) = auth::generate(name, scopes, db::now_micros());
            db::keys::insert(&mut conn, &row).expect("insert key");
            token
        };
        let writer = key("writer", &[Scope::Write]);
        let reader = key("reader", &[Scope::ReadDrafts]);
        let admin = key("admin", &[Scope::Admin]);
        let partner = key("partner", &[Scope::ReadEmbargoed]);
        drop(conn);

        let mut settings = Settings::new("127.0.0.1:0", &db_path);
        settings.workers = Some(2);
        configure(&mut settings);
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = anbaa::startup::Application::build_with_replica(settings, pool, replica)
                    .expect("build app");
                tx.send((app.port(), app.handle())).expect("send port");
                app.run_until_stopped().await
            })
        });
        let (port, handle) = rx.recv().expect("server started");
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: client(),
            writer,
            reader,
            admin,
            partner,
            db_path,
            handle,
            _db: test_db,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().expect("GET")
    }

    pub fn get_with(&self, path: &str, key: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .expect("GET")
    }

    /// A request with a JSON body and the writer's key.
    pub fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Response {
        self.request(method, path)
            .json(body)
            .send()
            .expect("request")
    }

    /// A request with the writer's key and no body.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.writer)
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, body)
    }

    /// Creates a tag and returns its JSON.
    pub fn tag(&self, slug: &str, name: &str, kind: &str, parent: Option<&str>) -> Value {
        let res = self.post(
            "/api/v1/tags",
            &serde_json::json!({"slug": slug, "name": name, "kind": kind, "parent": parent}),
        );
        assert_eq!(res.status(), 201, "create tag {slug}");
        res.json().expect("tag json")
    }

    /// Creates a published article and returns its JSON.
    pub fn article(&self, title: &str, tags: &[&str]) -> Value {
        let res = self.post(
            "/api/v1/articles",
            &serde_json::json!({"title": title, "body": format!("نص الخبر عن {title}."), "status": "published", "tags": tags}),
        );
        assert_eq!(res.status(), 201, "create article {title}");
        res.json().expect("article json")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // `stop` sends the command at once; the returned future only waits for completion.
        drop(self.handle.stop(false));
    }
}

/// An HTTP client for the tests (the TLS provider installed first: see `push::install_tls`).
pub fn client() -> Client {
    client_builder().build().expect("an HTTP client")
}

/// A client builder, as `client`.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    anbaa::push::install_tls();
    Client::builder()
}

/// Reads a problem+json response and checks its shape.
pub fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        ct.starts_with("application/problem+json"),
        "content type {ct}"
    );
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().expect("problem json");
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/"))
    );
    assert!(body["title"].is_string() && body["detail"].is_string());
    assert!(body["request_id"].is_string(), "{body}");
    body
}

/// The field names in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A server process that is killed when dropped, so a failing test leaves none behind.
pub struct Server(Child);

impl Server {
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the real binary on `db` (port 0, no rate limit, `extra` flags) and returns it with
/// its base URL.
pub fn start_server_with(db: &Path, extra: &[&str]) -> (Server, String) {
    // The verification reads are many and anonymous: no rate limit here.
    let mut child = Command::new(env!("CARGO_BIN_EXE_anbaa"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--db",
        ])
        .arg(db)
        .args(extra)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server exited early").unwrap();
        if let Some(rest) = line.split("anbaa serving http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || lines.map_while(Result::ok).count());
    (Server(child), format!("http://{addr}"))
}

/// `start_server_with` and no extra flags.
pub fn start_server(db: &Path) -> (Server, String) {
    start_server_with(db, &[])
}
/// Polls `check` every 50 ms until it holds, failing the test after `within` (a scheduled
/// publication, a server starting): waits no longer than needed, and never forever.
pub fn eventually(what: &str, within: std::time::Duration, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within {within:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A free port on loopback (for a helper server a test starts: nginx, PostgreSQL).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// True when the tests run as root (servers that refuse root, or drop to `nobody`).
pub fn running_as_root() -> bool {
    let probe = tempfile::NamedTempFile::new().expect("a temp file");
    std::os::unix::fs::MetadataExt::uid(&probe.as_file().metadata().expect("metadata")) == 0
}

/// A key created by the real binary's `keys create` on the database `db` names (a file
/// or a URL), as it prints it on its last line.
pub fn cli_key(db: &Path, name: &str, scopes: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_anbaa"))
        .args(["keys", "create", "--name", name, "--scopes", scopes, "--db"])
        .arg(db)
        .output()
        .expect("anbaa keys create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("the key on the last line")
        .trim()
        .to_owned()
}

/// The Python of the test tools (tests/python/requirements.txt, installed by .ci/run) when
/// it can import every module in `modules`; `None` (the caller skips) otherwise, unless
/// `ANBAA_REQUIRE_PYTHON` is set, which makes a missing tool a failure.
pub fn python_with(modules: &[&str]) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("ANBAA_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/anbaa-pytools/bin/python")
        });
    let ok = Command::new(&path)
        .args(["-c", &format!("import {}", modules.join(", "))])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("ANBAA_REQUIRE_PYTHON").is_err(),
            "ANBAA_REQUIRE_PYTHON is set but {} cannot import {}",
            path.display(),
            modules.join(", ")
        );
        eprintln!("skipped: no Python test tools (pip install -r tests/python/requirements.txt)");
        return None;
    }
    Some(path)
}
