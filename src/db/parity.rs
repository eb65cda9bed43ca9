//! The two stores held to the same answers. Schema drift: `schema.rs` serves both
//! backends, so both migration sets must build exactly the tables it declares (names, types,
//! nullability, column order); Diesel checks queries against `schema.rs` only, so a migration
//! that disagrees would fail at run time on one backend. And the statements whose text
//! differs by dialect give the same results on both.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// One column as `schema.rs` names it: `(name, diesel type, nullable)`.
type Column = (String, String, bool);

/// Tables in declaration order of their columns, read from the text of `schema.rs`.
fn declared() -> BTreeMap<String, Vec<Column>> {
    let text = include_str!("schema.rs");
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Vec<Column>)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{'))
            && current.is_none()
        {
            current = Some((name.to_owned(), Vec::new()));
        } else if line == "}" {
            if let Some((name, columns)) = current.take() {
                tables.insert(name, columns);
            }
        } else if let Some((_, columns)) = current.as_mut()
            && let Some((name, ty)) = line.trim_end_matches(',').split_once(" -> ")
        {
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            columns.push((name.to_owned(), ty.to_owned(), nullable));
        }
    }
    tables
}

/// The Diesel type a declared SQL type reads as (what `diesel print-schema` would write).
fn diesel_type(sql: &str) -> String {
    match sql.to_ascii_lowercase().as_str() {
        "integer" | "int4" => "Integer",
        "bigint" | "int8" => "BigInt",
        "text" => "Text",
        "boolean" | "bool" => "Bool",
        other => other,
    }
    .to_owned()
}

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = BigInt)]
    nullable: i64,
}

fn group(rows: Vec<ColumnInfo>) -> BTreeMap<String, Vec<Column>> {
    let mut tables: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for r in rows {
        tables
            .entry(r.table_name)
            .or_default()
            .push((r.name, diesel_type(&r.ty), r.nullable != 0));
    }
    tables
}

/// Only the tables `schema.rs` declares: the search index and Diesel's own bookkeeping are
/// each backend's business.
fn declared_only(
    mut found: BTreeMap<String, Vec<Column>>,
    declared: &BTreeMap<String, Vec<Column>>,
) -> BTreeMap<String, Vec<Column>> {
    found.retain(|name, _| declared.contains_key(name));
    found
}

#[test]
fn the_sqlite_migrations_build_the_declared_schema() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("drift.db");
    let pool = super::open(path.to_str().expect("utf-8 path")).expect("migrated");
    let mut conn = pool.get().expect("a connection");
    // A primary key is never null (print-schema's reading), whatever SQLite's flag says;
    // xinfo lists generated columns too.
    let rows = diesel::sql_query(
        "SELECT m.name AS table_name, c.name AS name, c.type AS ty, \
                (c.\"notnull\" = 0 AND c.pk = 0) AS nullable \
         FROM sqlite_master m, pragma_table_xinfo(m.name) c \
         WHERE m.type = 'table' ORDER BY m.name, c.cid",
    )
    .load::<ColumnInfo>(&mut *conn)
    .expect("the catalogue reads");
    let declared = declared();
    assert_eq!(
        declared.len(),
        13,
        "schema.rs parsed: {:?}",
        declared.keys()
    );
    assert_eq!(declared_only(group(rows), &declared), declared);
}

/// Against a real PostgreSQL (`ANBAA_TEST_PG_URL`, a server URL whose user may create
/// databases): a fresh database, the embedded migrations, the same schema. `.ci/run` starts
/// one and sets `ANBAA_REQUIRE_PG=1`, so there a missing server fails instead of skipping.
#[cfg(feature = "postgres")]
#[test]
fn the_postgres_migrations_build_the_declared_schema_once() {
    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;

    let Ok(url) = std::env::var("ANBAA_TEST_PG_URL") else {
        assert!(
            std::env::var("ANBAA_REQUIRE_PG").is_err(),
            "ANBAA_REQUIRE_PG is set but ANBAA_TEST_PG_URL is not"
        );
        eprintln!("skipped: no ANBAA_TEST_PG_URL");
        return;
    };
    let mut admin = PgConnection::establish(&url).expect("the test server answers");
    let name = format!("drift_{}", rand::random::<u32>());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a fresh database");
    let db_url = with_database(&url, &name);
    let mut conn = PgConnection::establish(&db_url).expect("the fresh database answers");
    super::migrate_postgres(&mut conn).expect("migrated");
    // Run again (a second node starting): nothing pending, nothing fails.
    super::migrate_postgres(&mut conn).expect("migrated twice");
    let rows = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS name, \
                data_type::text AS ty, (CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END)::int8 AS nullable \
         FROM information_schema.columns WHERE table_schema = 'public' \
         ORDER BY table_name, ordinal_position",
    )
    .load::<ColumnInfo>(&mut conn)
    .expect("the catalogue reads");
    let declared = declared();
    let found = group(rows);
    let extra: Vec<&String> = found
        .keys()
        .filter(|t| !declared.contains_key(*t))
        .collect();
    assert_eq!(
        extra,
        [
            "__diesel_schema_migrations",
            "articles_search",
            "search_meta"
        ]
    );
    assert_eq!(declared_only(found, &declared), declared);
    drop(conn);
    admin
        .batch_execute(&format!("DROP DATABASE {name}"))
        .expect("dropped");
}

/// `anbaa migrate` on a URL: a server that does not answer is named as down (libpq's words,
/// no password), and a fresh database gets its migrations once.
#[cfg(feature = "postgres")]
#[test]
fn migrate_by_url_names_a_down_server_and_runs_once() {
    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;

    let down = super::migrate("postgresql://anbaa:s3cret@127.0.0.1:1/news")
        .expect_err("nothing listens on port 1");
    let said = down.to_string();
    assert!(said.contains("Connection refused"), "{said}");
    assert!(!said.contains("s3cret"), "{said}");

    let Ok(url) = std::env::var("ANBAA_TEST_PG_URL") else {
        assert!(std::env::var("ANBAA_REQUIRE_PG").is_err());
        return;
    };
    let mut admin = PgConnection::establish(&url).expect("the test server answers");
    let name = format!("migrate_{}", rand::random::<u32>());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a fresh database");
    let db_url = with_database(&url, &name);
    let shipped =
        diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&super::PG_MIGRATIONS)
            .expect("embedded migrations")
            .len();
    assert_eq!(super::migrate(&db_url).expect("migrated"), shipped);
    assert_eq!(super::migrate(&db_url).expect("up to date"), 0);
    admin
        .batch_execute(&format!("DROP DATABASE {name}"))
        .expect("dropped");
}

/// The id counters (`changes::next_id`, scalar MAX on SQLite, GREATEST on PostgreSQL) hand
/// out the same ids on both stores, inside the write transaction each takes.
fn ids_never_go_back(conn: &mut super::Conn) {
    use super::changes::{IdCounter, next_id};
    let ids = super::immediate(conn, |conn| {
        Ok::<_, super::error::StoreError>([
            next_id(conn, IdCounter::Article, Some(5))?,
            next_id(conn, IdCounter::Article, None)?,
            next_id(conn, IdCounter::Article, Some(3))?,
            next_id(conn, IdCounter::Tag, Some(40))?,
        ])
    })
    .expect("the counters move");
    assert_eq!(ids, [6, 7, 8, 41]);
}

#[test]
fn sqlite_id_counters_never_go_back() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("ids.db");
    let pool = super::open(path.to_str().expect("utf-8 path")).expect("migrated");
    let mut conn = pool.get().expect("a connection");
    ids_never_go_back(&mut conn);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_id_counters_never_go_back() {
    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;

    let Ok(url) = std::env::var("ANBAA_TEST_PG_URL") else {
        assert!(std::env::var("ANBAA_REQUIRE_PG").is_err());
        return;
    };
    let mut admin = PgConnection::establish(&url).expect("the test server answers");
    let name = format!("ids_{}", rand::random::<u32>());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a fresh database");
    let db_url = with_database(&url, &name);
    super::migrate(&db_url).expect("migrated");
    let mut conn =
        super::Store::Postgresql(PgConnection::establish(&db_url).expect("the database answers"));
    ids_never_go_back(&mut conn);
    drop(conn);
    admin
        .batch_execute(&format!("DROP DATABASE {name}"))
        .expect("dropped");
}

/// A PostgreSQL that refuses writes (a standby, a primary demoted by a failover) is a store
/// that is down for now (503 with Retry-After), not a broken one (500): the same write,
/// through the same code, on a session made read-only as a standby's are.
#[cfg(feature = "postgres")]
#[test]
fn postgres_refusing_writes_is_unavailable() {
    use diesel::connection::SimpleConnection;
    use diesel::pg::PgConnection;

    let Ok(url) = std::env::var("ANBAA_TEST_PG_URL") else {
        assert!(std::env::var("ANBAA_REQUIRE_PG").is_err());
        return;
    };
    let mut admin = PgConnection::establish(&url).expect("the test server answers");
    let name = format!("ro_{}", rand::random::<u32>());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a fresh database");
    let db_url = with_database(&url, &name);
    super::migrate(&db_url).expect("migrated");
    let mut pg = PgConnection::establish(&db_url).expect("the database answers");
    pg.batch_execute("SET default_transaction_read_only = on")
        .expect("a read-only session");
    let mut conn = super::Store::Postgresql(pg);
    let refused = super::immediate(&mut conn, |conn| {
        super::changes::next_id(conn, super::changes::IdCounter::Article, None)
    })
    .expect_err("a read-only session writes nothing");
    assert!(
        matches!(&refused, super::error::StoreError::Unavailable(m) if m.contains("read-only")),
        "{refused:?}"
    );
    drop(conn);
    admin
        .batch_execute(&format!("DROP DATABASE {name}"))
        .expect("dropped");
}

/// `url` with its database (the path) replaced by `name`, query string kept.
#[cfg(feature = "postgres")]
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..authority_end])
}
