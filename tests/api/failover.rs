//! Failover on PostgreSQL, on a cluster of its own (a primary and a synchronous hot standby
//! started here, on free loopback ports): the real binary on the libpq multi-host URLs; the
//! primary killed with SIGKILL, the standby promoted, and no restart of anbaa in between.
//! Runs with `ANBAA_TEST_STORE=postgres` (PostgreSQL 15's binaries in
//! `/usr/lib/postgresql/15/bin`, installed by `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{cli_key, eventually, free_port, problem, running_as_root, start_server_with};
use crate::store;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL command, as the `postgres` user when the test runs as root (initdb and the
/// server refuse root).
fn pg(tool: &str) -> Command {
    let bin = Path::new(PG_BIN).join(tool);
    if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two servers under one temp dir, stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    primary_port: u16,
    standby_port: u16,
}

impl Cluster {
    fn data(&self, which: &str) -> PathBuf {
        self.dir.path().join(which)
    }

    fn start() -> Cluster {
        let dir = tempfile::tempdir().expect("a temp dir");
        if running_as_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:").arg(dir.path());
                    c
                },
                "chown",
            );
        }
        let cluster = Cluster {
            primary_port: free_port(),
            standby_port: free_port(),
            dir,
        };
        let p = cluster.data("p");
        run(
            {
                let mut c = pg("initdb");
                c.arg("-D").arg(&p).args([
                    "-U",
                    "anbaa",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]);
                c
            },
            "initdb",
        );
        cluster.configure("p", cluster.primary_port);
        cluster.pg_ctl("p", &["start", "-w"]);
        cluster.sql(cluster.primary_port, "CREATE DATABASE news");
        run(
            {
                let mut c = pg("pg_basebackup");
                c.args(["-h", "127.0.0.1", "-p", &cluster.primary_port.to_string()])
                    .args(["-U", "anbaa", "-R", "-X", "stream", "-c", "fast", "-D"])
                    .arg(cluster.data("r"));
                c
            },
            "pg_basebackup",
        );
        cluster.configure("r", cluster.standby_port);
        cluster.pg_ctl("r", &["start", "-w"]);
        // From now on a commit returns only once the standby has applied it: no
        // acknowledged write can be lost to a failover.
        for sql in [
            "ALTER SYSTEM SET synchronous_standby_names = '*'",
            "ALTER SYSTEM SET synchronous_commit = 'remote_apply'",
            "SELECT pg_reload_conf()",
        ] {
            cluster.sql(cluster.primary_port, sql);
        }
        eventually("a synchronous standby", Duration::from_secs(20), || {
            cluster
                .query(
                    cluster.primary_port,
                    "SELECT sync_state FROM pg_stat_replication",
                )
                .trim()
                == "sync"
        });
        cluster
    }

    fn configure(&self, which: &str, port: u16) {
        let conf = self.data(which).join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\n",
            self.dir.path().display()
        ));
        std::fs::write(&conf, text).expect("postgresql.conf written");
    }

    fn pg_ctl(&self, which: &str, args: &[&str]) {
        run(
            {
                let mut c = pg("pg_ctl");
                c.arg("-D")
                    .arg(self.data(which))
                    .arg("-l")
                    .arg(self.data(&format!("{which}.log")))
                    .args(args);
                c
            },
            &format!("pg_ctl {args:?} {which}"),
        );
    }

    fn psql(port: u16, sql: &str) -> std::process::Output {
        Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "anbaa"])
            .args(["-d", "postgres", "-Atc", sql])
            .output()
            .expect("psql runs")
    }

    fn sql(&self, port: u16, sql: &str) {
        let out = Cluster::psql(port, sql);
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn query(&self, port: u16, sql: &str) -> String {
        String::from_utf8_lossy(&Cluster::psql(port, sql).stdout).into_owned()
    }

    /// SIGKILL to the primary's postmaster: what a crashed machine looks like to clients.
    fn kill_primary(&self) {
        let pid = std::fs::read_to_string(self.data("p").join("postmaster.pid"))
            .expect("the primary's pid file");
        let pid = pid.lines().next().expect("a pid").trim().to_owned();
        run(
            {
                let mut c = Command::new("kill");
                c.args(["-9", &pid]);
                c
            },
            "kill -9 the primary",
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for which in ["r", "p"] {
            let _ = pg("pg_ctl")
                .arg("-D")
                .arg(self.data(which))
                .args(["-m", "immediate", "stop"])
                .output();
        }
    }
}

/// kill -9 of the primary under a running node: public reads keep answering from the
/// standby, writes get a 503 problem with `Retry-After` in bounded time (never a 500, never
/// a hang); once the standby is promoted, writes work again through the same multi-host URL
/// without restarting anbaa, and every write acknowledged before the crash is there
/// (synchronous replication, `remote_apply`).
#[test]
fn a_killed_primary_costs_writes_only_until_the_standby_is_promoted() {
    if !store::on_postgres() || !Path::new(PG_BIN).join("initdb").exists() {
        assert!(
            !store::on_postgres() || std::env::var("ANBAA_REQUIRE_PG").is_err(),
            "ANBAA_REQUIRE_PG is set but {PG_BIN} has no initdb"
        );
        eprintln!("skipped: PostgreSQL only (ANBAA_TEST_STORE=postgres)");
        return;
    }
    let cluster = Cluster::start();
    let (p, r) = (cluster.primary_port, cluster.standby_port);
    let write_url = format!(
        "postgresql://anbaa@127.0.0.1:{p},127.0.0.1:{r}/news?target_session_attrs=read-write"
    );
    let read_url = format!(
        "postgresql://anbaa@127.0.0.1:{r},127.0.0.1:{p}/news?target_session_attrs=prefer-standby"
    );
    let key = cli_key(Path::new(&write_url), "failover", "write,read:drafts");
    let (_node, base) =
        start_server_with(Path::new(&write_url), &["--read-database-url", &read_url]);
    let client = crate::helpers::client();
    let create = |title: &str| {
        client
            .post(format!("{base}/api/v1/articles"))
            .bearer_auth(&key)
            .json(&json!({"title": title, "body": "نص.", "status": "published"}))
            .send()
            .expect("POST")
    };
    let mut acked = Vec::new();
    for i in 0..20 {
        let res = create(&format!("خبر رقم {i} قبل الانهيار"));
        assert_eq!(res.status(), 201);
        acked.push(res.json::<Value>().unwrap()["id"].as_i64().unwrap());
    }
    let public_list = || {
        client
            .get(format!("{base}/api/v1/articles?fields=id&limit=50"))
            .send()
            .expect("GET")
    };
    assert_eq!(public_list().json::<Value>().unwrap()["meta"]["total"], 20);

    cluster.kill_primary();
    let down = public_list();
    assert_eq!(down.status(), 200, "public reads go on from the standby");
    assert_eq!(down.json::<Value>().unwrap()["meta"]["total"], 20);
    let started = Instant::now();
    let refused = create("خبر أثناء الانقطاع");
    assert!(refused.headers().contains_key("retry-after"));
    problem(refused, 503);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let ready: Value = client
        .get(format!("{base}/readyz"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["status"], "degraded", "{ready}");

    cluster.pg_ctl("r", &["promote", "-w"]);
    let mut after = None;
    eventually(
        "a write on the promoted standby",
        Duration::from_secs(30),
        || {
            let res = create("خبر بعد الترقية");
            if res.status() == 201 {
                after = res.json::<Value>().ok();
                true
            } else {
                false
            }
        },
    );
    let after = after.expect("the write after promotion");
    assert!(
        !acked.contains(&after["id"].as_i64().unwrap()),
        "ids are never reused"
    );
    for id in &acked {
        let res = client
            .get(format!("{base}/api/v1/articles/{id}"))
            .bearer_auth(&key)
            .send()
            .unwrap();
        assert_eq!(
            res.status(),
            200,
            "acknowledged article {id} survived the failover"
        );
    }
}
