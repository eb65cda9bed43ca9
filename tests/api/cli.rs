//! The binary itself: key management output, the printed spec, serving and a graceful
//! stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_anbaa");

#[test]
fn keys_create_list_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let out = Command::new(BIN)
        .args([
            "keys",
            "create",
            "--name",
            "desk",
            "--scopes",
            "write,read:drafts",
        ])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.lines().last().unwrap().trim().to_owned();
    assert!(key.starts_with("anbaa_") && key.len() > 70, "{key}");

    let list = Command::new(BIN)
        .args(["keys", "list", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains("desk") && list.contains("write,read:drafts") && list.contains("active"));
    let secret = key.rsplit('_').next().unwrap();
    assert!(!list.contains(secret), "list must never show a secret");

    let prefix = key.split('_').nth(1).unwrap();
    let revoke = Command::new(BIN)
        .args(["keys", "revoke", prefix, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(revoke.status.success());
    let list = Command::new(BIN)
        .args(["keys", "list", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(String::from_utf8(list.stdout).unwrap().contains("revoked"));

    let bad = Command::new(BIN)
        .args(["keys", "create", "--name", "x", "--scopes", "root", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown scope"));
}

#[test]
fn openapi_command_prints_the_spec() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        anbaa::openapi::spec_json()
    );
}

#[test]
fn serves_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--db"])
        .arg(dir.path().join("s.db"))
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
    // Keep draining the log so the server never blocks on a full pipe.
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let client = crate::helpers::client();
    let res = client
        .get(format!("http://{addr}/api/v1/articles?limit=1"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut waited = Duration::ZERO;
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(waited < Duration::from_secs(15), "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
        waited += Duration::from_millis(50);
    };
    assert!(exit.success(), "{exit:?}");
    let log = log.join().unwrap().join("\n");
    // One access-log line per request: method, path, status, time, request id.
    assert!(
        log.lines()
            .any(|l| l.contains("GET /api/v1/articles 200") && l.contains(&format!("id={id}"))),
        "{log}"
    );
    assert!(log.contains("graceful shutdown"), "{log}");
}

/// A command piped into something that stops reading (`anbaa openapi | head -c 10`) ends
/// quietly, without a panic and its stack trace.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reading end is closed here; the spec is larger than a pipe's buffer.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

#[test]
fn migrate_prepares_an_sqlite_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh").join("anbaa.db");
    let first = Command::new(BIN)
        .args(["migrate", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(said.contains("migrations applied"), "{said}");
    let again = Command::new(BIN)
        .args(["migrate", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("up to date, no migration pending"),
        "{again:?}"
    );
}

#[test]
fn a_postgresql_url_is_never_taken_for_a_file_and_never_leaks_its_password() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let url = "postgresql://anbaa:s3cret@127.0.0.1:1/news";
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--db", url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("s3cret"), "{err}");
    // Without the feature the build says it has no PostgreSQL; with it, the down server.
    assert!(
        err.contains("--features postgres") || err.contains("Connection refused"),
        "{err}"
    );
    assert!(!dir.path().join("postgresql:").exists());
    let migrate = Command::new(BIN)
        .current_dir(dir.path())
        .args(["migrate", "--db", url])
        .output()
        .unwrap();
    assert!(!migrate.status.success());
    let err = String::from_utf8_lossy(&migrate.stderr);
    assert!(!err.contains("s3cret"), "{err}");
    // Without the feature the build says so; with it, the server's silence is named.
    assert!(
        err.contains("--features postgres") || err.contains("Connection refused"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("invalid"), "{err}");
    // Moving a site there says the same, and creates no empty source file on a typo.
    let source = dir.path().join("site.db");
    let moved = Command::new(BIN)
        .current_dir(dir.path())
        .args(["migrate-store", "--from"])
        .arg(&source)
        .args(["--to", url])
        .output()
        .unwrap();
    assert!(!moved.status.success());
    let err = String::from_utf8_lossy(&moved.stderr);
    assert!(!err.contains("s3cret"), "{err}");
    assert!(
        err.contains("--features postgres") || err.contains("no such file"),
        "{err}"
    );
    assert!(!source.exists());
    // A backup of PostgreSQL is pg_dump's job, and says so.
    let backup = Command::new(BIN)
        .current_dir(dir.path())
        .args(["backup", "copy.db", "--db", url])
        .output()
        .unwrap();
    assert!(!backup.status.success());
    let err = String::from_utf8_lossy(&backup.stderr);
    assert!(err.contains("pg_dump") && !err.contains("s3cret"), "{err}");
    assert!(!dir.path().join("copy.db").exists());
    // Nothing named after the URL was created where the command ran.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `--public-max-age` outside 0–86400 (or not a number) stops `serve` before it opens
/// anything, naming the flag; the environment variable is held to the same rule.
#[test]
fn a_public_max_age_out_of_range_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("age.db");
    for bad in ["86401", "-1", "soon"] {
        let out = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(&db)
            .arg(format!("--public-max-age={bad}"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--public-max-age"), "{bad}: {err}");
    }
    let out = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("ANBAA_PUBLIC_MAX_AGE", "100000")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--public-max-age"));
    assert!(!db.exists(), "nothing was opened");
}
