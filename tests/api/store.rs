//! Which store a `TestApp` runs on: a fresh SQLite file in a temp dir by default; with
//! `ANBAA_TEST_STORE=postgres` (a `--features postgres` build, `ANBAA_TEST_PG_URL` naming a
//! server whose user may create databases), a fresh PostgreSQL database per test, cloned
//! from a template migrated once per run, so the same HTTP suite holds both stores to the
//! same promises.

/// True when the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("ANBAA_TEST_STORE").as_deref() == Ok("postgres")
}

/// True on PostgreSQL; elsewhere says the test is skipped (a test of PostgreSQL only).
pub fn postgres_only() -> bool {
    if !on_postgres() {
        eprintln!("skipped: PostgreSQL only (ANBAA_TEST_STORE=postgres)");
    }
    on_postgres()
}

/// A test's database: its `--db` value, and on PostgreSQL what drops it afterwards.
pub struct TestDb {
    pub target: String,
    #[cfg(feature = "postgres")]
    drop_as: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database: an SQLite file under `dir`, or a PostgreSQL clone of the template.
    pub fn fresh(dir: &std::path::Path) -> TestDb {
        TestDb::fresh_as(dir, "test.db")
    }

    /// As [`TestDb::fresh`], the SQLite file named `file` (for a test that needs two).
    pub fn fresh_as(dir: &std::path::Path, file: &str) -> TestDb {
        if on_postgres() {
            return postgres::fresh();
        }
        TestDb {
            target: dir.join(file).to_string_lossy().into_owned(),
            #[cfg(feature = "postgres")]
            drop_as: None,
        }
    }

    /// The `--db` value as a path argument (a URL passes through unchanged).
    pub fn path(&self) -> &std::path::Path {
        std::path::Path::new(&self.target)
    }
}

#[cfg(feature = "postgres")]
impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_as.take() {
            postgres::drop_database(&admin, &name);
        }
    }
}

/// Runs `sql` as the PostgreSQL server's admin (the `ANBAA_TEST_PG_URL` user).
pub fn admin(sql: &str) {
    postgres::admin(sql)
}

/// The standby server (`ANBAA_TEST_PG_READ_URL`, a hot standby of the test server) URL of
/// the database `primary` names; `None` when there is no standby (the test skips, unless
/// `ANBAA_REQUIRE_PG` says there must be one).
pub fn replica_of(primary: &str) -> Option<String> {
    let Ok(standby) = std::env::var("ANBAA_TEST_PG_READ_URL") else {
        assert!(
            std::env::var("ANBAA_REQUIRE_PG").is_err(),
            "ANBAA_REQUIRE_PG is set but ANBAA_TEST_PG_READ_URL is not"
        );
        return None;
    };
    Some(with_database(&standby, &database_name(primary)))
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = before_query.split('/').next().unwrap_or("");
    format!("{scheme}://{authority}/{name}{query}")
}

/// Runs `sql` as the admin of the standby server.
pub fn standby_admin(sql: &str) {
    postgres::admin_at(
        &std::env::var("ANBAA_TEST_PG_READ_URL").expect("ANBAA_TEST_PG_READ_URL"),
        sql,
    )
}

/// The database a PostgreSQL test URL names.
pub fn database_name(url: &str) -> String {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split('?').next().unwrap_or("");
    path.rsplit('/').next().unwrap_or("").to_owned()
}

#[cfg(not(feature = "postgres"))]
mod postgres {
    pub fn fresh() -> super::TestDb {
        panic!("ANBAA_TEST_STORE=postgres needs a build with --features postgres");
    }

    pub fn admin(_sql: &str) {
        panic!("ANBAA_TEST_STORE=postgres needs a build with --features postgres");
    }

    pub fn admin_at(_url: &str, _sql: &str) {
        panic!("ANBAA_TEST_STORE=postgres needs a build with --features postgres");
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use std::sync::OnceLock;

    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;
    use diesel::prelude::*;

    use super::with_database;

    fn admin_url() -> String {
        std::env::var("ANBAA_TEST_PG_URL")
            .expect("ANBAA_TEST_STORE=postgres needs ANBAA_TEST_PG_URL (a server URL)")
    }

    /// The template every test database is cloned from: migrated, search index current.
    fn template() -> &'static str {
        static TEMPLATE: OnceLock<String> = OnceLock::new();
        TEMPLATE.get_or_init(|| {
            let admin = admin_url();
            let name = format!("anbaa_tpl_{}_{}", std::process::id(), rand::random::<u32>());
            let mut conn = PgConnection::establish(&admin).expect("the test server answers");
            drop_leftovers(&mut conn);
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("the template database");
            // Opened once as the server opens it (migrations, the analyzer's version), then
            // closed: a database with connections cannot be a template.
            drop(anbaa::db::open(&with_database(&admin, &name)).expect("the template migrates"));
            name
        })
    }

    /// Drops what earlier runs left on a long-lived test server (a run's template, and the
    /// databases of tests that died): every `anbaa_tpl_<pid>_…` and `anbaa_t_<pid>_…` whose
    /// process is gone.
    fn drop_leftovers(conn: &mut PgConnection) {
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            datname: String,
        }
        let names: Vec<Name> = diesel::sql_query(
            "SELECT datname::text AS datname FROM pg_database \
             WHERE datname LIKE 'anbaa\\_tpl\\_%' OR datname LIKE 'anbaa\\_t\\_%'",
        )
        .load(conn)
        .unwrap_or_default();
        for Name { datname } in names {
            let pid = datname
                .trim_start_matches("anbaa_tpl_")
                .trim_start_matches("anbaa_t_")
                .split('_')
                .next()
                .and_then(|p| p.parse::<u32>().ok());
            let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
            if !alive {
                let _ =
                    conn.batch_execute(&format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"));
            }
        }
    }

    pub fn fresh() -> super::TestDb {
        let admin = admin_url();
        let template = template();
        let name = format!("anbaa_t_{}_{}", std::process::id(), rand::random::<u32>());
        let mut conn = PgConnection::establish(&admin).expect("the test server answers");
        conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .expect("a database cloned from the template");
        super::TestDb {
            target: with_database(&admin, &name),
            drop_as: Some((admin, name)),
        }
    }

    pub fn admin(sql: &str) {
        admin_at(&admin_url(), sql)
    }

    pub fn admin_at(url: &str, sql: &str) {
        let mut conn = PgConnection::establish(url).expect("the test server answers");
        conn.batch_execute(sql).expect("an admin statement");
    }

    pub fn drop_database(admin: &str, name: &str) {
        if let Ok(mut conn) = PgConnection::establish(admin) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
