//! `anbaa migrate-store`: moves a site from its SQLite file into an empty PostgreSQL
//! database. Every table is copied row for row (ids, versions, the change log with its
//! sequence numbers, keys with their hashes), the search index is built by the same
//! analyzer, the sequences go on after the last number handed out, and each table is then
//! read back from both sides and compared (row count and a SHA-256 over its rows in key
//! order), all in one transaction: a mismatch or a failure leaves the target as empty as it
//! was. The source is read in one snapshot, so a server may keep running on it (writes made
//! after the copy began are not carried over).

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use sha2::{Digest, Sha256};

use super::schema;

/// Rows copied per statement (PostgreSQL takes at most 65,535 parameters per statement).
const BATCH: i64 = 500;

/// What went wrong in a copy.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A query failed.
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
    /// The target holds content already.
    #[error(
        "the target already holds content ({0}); migrate-store copies into an empty database only"
    )]
    NotEmpty(String),
    /// A table read back differently from the target.
    #[error(
        "verification failed for {table}: source {source_rows} rows {source_sum}, target {target_rows} rows {target_sum}"
    )]
    Mismatch {
        /// The table.
        table: &'static str,
        /// Rows in the source.
        source_rows: u64,
        /// Rows in the target.
        target_rows: u64,
        /// The source's checksum.
        source_sum: String,
        /// The target's checksum.
        target_sum: String,
    },
    /// Anything else (the search index, the change log's counter).
    #[error("{0}")]
    Other(String),
}

impl From<super::error::StoreError> for CopyError {
    fn from(e: super::error::StoreError) -> Self {
        CopyError::Other(e.to_string())
    }
}

/// One table, copied and verified.
#[derive(Debug, Clone)]
pub struct TableReport {
    /// The table.
    pub table: &'static str,
    /// Rows on each side.
    pub rows: u64,
    /// SHA-256 over its rows in key order, the same on both sides.
    pub checksum: String,
}

/// Rows and checksum of a table's rows, in key order.
#[derive(Debug, Default)]
struct Sum {
    rows: u64,
    hash: Sha256,
}

impl Sum {
    fn field(&mut self, value: &impl std::fmt::Debug) {
        // Debug quotes and escapes text, so no value can pass for a separator.
        self.hash.update(format!("{value:?}\u{1f}").as_bytes());
    }

    fn end_row(&mut self) {
        self.rows += 1;
        self.hash.update(b"\n");
    }

    fn hex(self) -> (u64, String) {
        let digest = self.hash.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.rows, hex)
    }
}

/// Generates, for one table, its checksum on either side (one function per connection
/// type): its rows in key order. The columns are listed with their Rust types, in the order
/// of `schema.rs`, which the drift test holds both stores to.
macro_rules! sums {
    (@one $name:ident, $conn:ty, $table:ident, ($($key:ident),+), [$($col:ident : $ty:ty),+ $(,)?]
     $(, generated [$($gcol:ident : $gty:ty),+ $(,)?])?) => {
        fn $name(conn: &mut $conn) -> Result<(u64, String), CopyError> {
            use schema::$table as t;
            let mut sum = Sum::default();
            let mut done: i64 = 0;
            loop {
                let rows: Vec<($($ty,)+ $($($gty,)+)?)> = t::table
                    .select(($(t::$col,)+ $($(t::$gcol,)+)?))
                    .order(($(t::$key,)+))
                    .limit(BATCH)
                    .offset(done)
                    .load(conn)?;
                if rows.is_empty() {
                    break;
                }
                done += rows.len() as i64;
                for ($($col,)+ $($($gcol,)+)?) in &rows {
                    $(sum.field($col);)+
                    $($(sum.field($gcol);)+)?
                    sum.end_row();
                }
            }
            Ok(sum.hex())
        }
    };
    ($sum_sqlite:ident, $sum_pg:ident, $table:ident, $keys:tt, $cols:tt $(, generated $gcols:tt)?) => {
        sums!(@one $sum_sqlite, SqliteConnection, $table, $keys, $cols $(, generated $gcols)?);
        sums!(@one $sum_pg, PgConnection, $table, $keys, $cols $(, generated $gcols)?);
    };
}

/// As [`sums!`], and the table's copy (in key order, `BATCH` rows a statement). Columns
/// PostgreSQL computes itself (`generated`) are compared, not copied.
macro_rules! table {
    ($copy:ident, $sum_sqlite:ident, $sum_pg:ident, $table:ident, ($($key:ident),+), [$($col:ident : $ty:ty),+ $(,)?]
     $(, generated [$($gcol:ident : $gty:ty),+ $(,)?])?) => {
        fn $copy(
            src: &mut SqliteConnection,
            dst: &mut PgConnection,
            progress: &mut dyn FnMut(&'static str, u64, u64),
        ) -> Result<(), CopyError> {
            use schema::$table as t;
            let total: i64 = t::table.count().get_result(src)?;
            let mut done: i64 = 0;
            loop {
                let rows: Vec<($($ty,)+)> = t::table
                    .select(($(t::$col,)+))
                    .order(($(t::$key,)+))
                    .limit(BATCH)
                    .offset(done)
                    .load(src)?;
                if rows.is_empty() {
                    break;
                }
                done += rows.len() as i64;
                let values: Vec<_> = rows
                    .into_iter()
                    .map(|($($col,)+)| ($(t::$col.eq($col),)+))
                    .collect();
                diesel::insert_into(t::table).values(&values).execute(dst)?;
                progress(stringify!($table), done as u64, total as u64);
            }
            Ok(())
        }

        sums!($sum_sqlite, $sum_pg, $table, ($($key),+), [$($col : $ty),+] $(, generated [$($gcol : $gty),+])?);
    };
}

type OptI64 = Option<i64>;
type OptStr = Option<String>;

sums!(sum_tags_sqlite, sum_tags_pg, tags, (id), [
    id: i32, slug: String, name: String, name_en: OptStr, kind: String, parent_id: Option<i32>,
    description: OptStr, created_at: i64, updated_at: i64, prev_updated_at: OptI64,
    iptc_media_topic: OptStr, iso3166: OptStr, wikidata: OptStr,
]);
table!(copy_articles, sum_articles_sqlite, sum_articles_pg, articles, (id), [
    id: i32, status: String, published_at: OptI64, created_at: i64, updated_at: i64,
    trashed_at: OptI64, version: i32, word_count: i32, reading_time_minutes: i32,
    summary_auto: bool, lang: String, slug: String, title: String, source: OptStr,
    author: OptStr, image_url: OptStr, image_caption: OptStr, updated_by: OptStr,
    summary: String, body: String, body_html: String, body_text: String,
    prev_updated_at: OptI64, last_action: String, pub_status: String,
    embargoed_until: OptI64, ed_note: OptStr,
], generated [sort_at: OptI64]);
table!(copy_links, sum_links_sqlite, sum_links_pg, article_tags, (article_id, tag_id), [
    article_id: i32, tag_id: i32, position: i32, status: String, trashed: bool, sort_at: i64,
]);
table!(copy_revisions, sum_revisions_sqlite, sum_revisions_pg, article_revisions, (article_id, version), [
    article_id: i32, version: i32, slug: String, title: String, summary: String,
    summary_auto: bool, body: String, source: OptStr, author: OptStr, lang: String,
    status: String, published_at: OptI64, image_url: OptStr, image_caption: OptStr,
    tags: String, trashed_at: OptI64, changed_by: OptStr, changed_at: i64, action: String,
    pub_status: String, embargoed_until: OptI64, ed_note: OptStr,
]);
table!(copy_corrections, sum_corrections_sqlite, sum_corrections_pg, article_corrections, (article_id, position), [
    article_id: i32, position: i32, kind: String, text: String, version: i32, created_at: i64,
    created_by: OptStr,
]);
table!(copy_article_redirects, sum_article_redirects_sqlite, sum_article_redirects_pg, article_redirects, (slug), [
    slug: String, article_id: i32, created_at: i64,
]);
table!(copy_tag_redirects, sum_tag_redirects_sqlite, sum_tag_redirects_pg, tag_redirects, (slug), [
    slug: String, tag_id: i32, created_at: i64,
]);
table!(copy_changes, sum_changes_sqlite, sum_changes_pg, changes, (seq), [
    seq: i32, article_id: i32, op: String, slug: String, version: i32, at: i64, event: String,
]);
table!(copy_webhooks, sum_webhooks_sqlite, sum_webhooks_pg, webhooks, (id), [
    id: i32, url: String, description: OptStr, events: String, tags: String, secret: String,
    previous_secret: OptStr, previous_until: OptI64, api_base: String, disabled_at: OptI64,
    disabled_reason: OptStr, created_at: i64, updated_at: i64, busy_until: OptI64,
]);
table!(copy_deliveries, sum_deliveries_sqlite, sum_deliveries_pg, webhook_deliveries, (seq), [
    seq: i32, webhook_id: i32, msg_id: String, event: String, cursor: i64, payload: String,
    created_at: i64, status: String, attempts: i32, next_at: OptI64, last_at: OptI64,
    last_status: Option<i32>, last_error: OptStr, delivered_at: OptI64,
    article_id: Option<i32>,
]);
table!(copy_keys, sum_keys_sqlite, sum_keys_pg, api_keys, (id), [
    id: i32, name: String, prefix: String, key_hash: String, scopes: String, created_at: i64,
    revoked_at: OptI64,
]);
table!(copy_generations, sum_generations_sqlite, sum_generations_pg, tag_generations, (tag_id), [
    tag_id: i32, generation: i64,
]);
table!(copy_site, sum_site_sqlite, sum_site_pg, site_state, (id), [
    id: i32, version: i64, changed_at: i64, prev_changed_at: i64, swept_until: i64,
    last_article_id: i32, last_tag_id: i32, id_authority: OptStr, tags_version: i64,
]);

type CopyFn = fn(
    &mut SqliteConnection,
    &mut PgConnection,
    &mut dyn FnMut(&'static str, u64, u64),
) -> Result<(), CopyError>;
type SumSqlite = fn(&mut SqliteConnection) -> Result<(u64, String), CopyError>;
type SumPg = fn(&mut PgConnection) -> Result<(u64, String), CopyError>;

/// Every table, in an order the foreign keys accept, each with its copy and its two
/// checksums.
const TABLES: [(&str, CopyFn, SumSqlite, SumPg); 13] = [
    (
        "tags",
        copy_tags_parents_first,
        sum_tags_sqlite,
        sum_tags_pg,
    ),
    (
        "articles",
        copy_articles,
        sum_articles_sqlite,
        sum_articles_pg,
    ),
    ("article_tags", copy_links, sum_links_sqlite, sum_links_pg),
    (
        "article_revisions",
        copy_revisions,
        sum_revisions_sqlite,
        sum_revisions_pg,
    ),
    (
        "article_corrections",
        copy_corrections,
        sum_corrections_sqlite,
        sum_corrections_pg,
    ),
    (
        "article_redirects",
        copy_article_redirects,
        sum_article_redirects_sqlite,
        sum_article_redirects_pg,
    ),
    (
        "tag_redirects",
        copy_tag_redirects,
        sum_tag_redirects_sqlite,
        sum_tag_redirects_pg,
    ),
    ("changes", copy_changes, sum_changes_sqlite, sum_changes_pg),
    (
        "webhooks",
        copy_webhooks,
        sum_webhooks_sqlite,
        sum_webhooks_pg,
    ),
    (
        "webhook_deliveries",
        copy_deliveries,
        sum_deliveries_sqlite,
        sum_deliveries_pg,
    ),
    ("api_keys", copy_keys, sum_keys_sqlite, sum_keys_pg),
    (
        "tag_generations",
        copy_generations,
        sum_generations_sqlite,
        sum_generations_pg,
    ),
    ("site_state", copy_site, sum_site_sqlite, sum_site_pg),
];

/// What the target must not hold yet.
fn refuse_content(dst: &mut PgConnection) -> Result<(), CopyError> {
    let counts: [(&str, i64); 4] = [
        ("articles", schema::articles::table.count().get_result(dst)?),
        ("tags", schema::tags::table.count().get_result(dst)?),
        ("changes", schema::changes::table.count().get_result(dst)?),
        ("api_keys", schema::api_keys::table.count().get_result(dst)?),
    ];
    let held: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    if held.is_empty() {
        Ok(())
    } else {
        Err(CopyError::NotEmpty(held.join(", ")))
    }
}

/// Copies the SQLite database `src` into the empty, migrated PostgreSQL database `dst`
/// (wrapped as the store's connection), reporting progress per table, and verifies every
/// table; all or nothing.
pub fn copy(
    src: &mut SqliteConnection,
    dst: &mut super::Conn,
    progress: &mut dyn FnMut(&'static str, u64, u64),
) -> Result<Vec<TableReport>, CopyError> {
    // One read snapshot of the source for the copy and its verification.
    src.transaction(|src| {
        super::immediate(dst, |dst| {
            let pg = super::postgres(dst)
                .ok_or_else(|| CopyError::Other("the target is not PostgreSQL".into()))?;
            refuse_content(pg)?;
            // The migrations' own rows, replaced by the source's.
            pg.batch_execute("DELETE FROM site_state; DELETE FROM search_meta")?;
            for (name, copy, _, _) in TABLES {
                if name == "tag_generations" || name == "site_state" {
                    // Link inserts bumped generations on the way; the source's count.
                    pg.batch_execute(&format!("DELETE FROM {name}"))?;
                }
                copy(src, pg, progress)?;
            }
            // The counters go on after the last number handed out (a purge may have removed
            // the newest changes: SQLite's own counter, not MAX(seq)).
            for (table, column) in [
                ("changes", "seq"),
                ("api_keys", "id"),
                ("webhooks", "id"),
                ("webhook_deliveries", "seq"),
            ] {
                let last = last_sqlite_seq(src, table)?;
                pg.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), v, true) \
                     FROM (SELECT GREATEST({last}, COALESCE(MAX({column}), 0)) AS v FROM {table}) s \
                     WHERE v > 0"
                ))?;
            }
            let n = super::fts::index_all(dst)?;
            progress("search index", n as u64, n as u64);
            let pg = super::postgres(dst)
                .ok_or_else(|| CopyError::Other("the target is not PostgreSQL".into()))?;
            verify(src, pg)
        })
    })
}

/// Tags with parents before children (the parent key is checked on insert).
fn copy_tags_parents_first(
    src: &mut SqliteConnection,
    dst: &mut PgConnection,
    progress: &mut dyn FnMut(&'static str, u64, u64),
) -> Result<(), CopyError> {
    use schema::tags as t;
    // Tags are few (a site's vocabulary): all at once.
    let rows: Vec<TagTuple> = t::table
        .select((
            t::id,
            t::slug,
            t::name,
            t::name_en,
            t::kind,
            t::parent_id,
            t::description,
            t::created_at,
            t::updated_at,
            t::prev_updated_at,
            t::iptc_media_topic,
            t::iso3166,
            t::wikidata,
        ))
        .order(t::id)
        .load(src)?;
    let parent: std::collections::HashMap<i32, Option<i32>> =
        rows.iter().map(|r| (r.0, r.5)).collect();
    let depth = |mut id: i32| {
        let mut d = 0;
        while let Some(Some(p)) = parent.get(&id) {
            d += 1;
            id = *p;
            if d > parent.len() {
                break;
            }
        }
        d
    };
    let mut ordered: Vec<(usize, TagTuple)> = rows.into_iter().map(|r| (depth(r.0), r)).collect();
    // Stable: by depth, then by id as loaded.
    ordered.sort_by_key(|(d, _)| *d);
    let total = ordered.len() as u64;
    for (done, (_, row)) in ordered.into_iter().enumerate() {
        let (
            id,
            slug,
            name,
            name_en,
            kind,
            parent_id,
            description,
            created_at,
            updated_at,
            prev_updated_at,
            iptc_media_topic,
            iso3166,
            wikidata,
        ) = row;
        diesel::insert_into(t::table)
            .values((
                t::id.eq(id),
                t::slug.eq(slug),
                t::name.eq(name),
                t::name_en.eq(name_en),
                t::kind.eq(kind),
                t::parent_id.eq(parent_id),
                t::description.eq(description),
                t::created_at.eq(created_at),
                t::updated_at.eq(updated_at),
                t::prev_updated_at.eq(prev_updated_at),
                t::iptc_media_topic.eq(iptc_media_topic),
                t::iso3166.eq(iso3166),
                t::wikidata.eq(wikidata),
            ))
            .execute(dst)?;
        progress("tags", done as u64 + 1, total);
    }
    Ok(())
}

type TagTuple = (
    i32,
    String,
    String,
    OptStr,
    String,
    Option<i32>,
    OptStr,
    i64,
    i64,
    OptI64,
    OptStr,
    OptStr,
    OptStr,
);

/// SQLite's counter of a table with an AUTOINCREMENT key (0 when it never handed one out).
fn last_sqlite_seq(src: &mut SqliteConnection, table: &str) -> Result<i64, CopyError> {
    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    let rows: Vec<Seq> = diesel::sql_query(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0) AS seq",
    )
    .bind::<diesel::sql_types::Text, _>(table)
    .load(src)?;
    Ok(rows.first().map_or(0, |r| r.seq))
}

/// Reads every table back from both sides and compares counts and checksums.
fn verify(
    src: &mut SqliteConnection,
    dst: &mut PgConnection,
) -> Result<Vec<TableReport>, CopyError> {
    let mut reports = Vec::new();
    for (table, _, sum_sqlite, sum_pg) in TABLES {
        let (source_rows, source_sum) = sum_sqlite(src)?;
        let (target_rows, target_sum) = sum_pg(dst)?;
        if (source_rows, &source_sum) != (target_rows, &target_sum) {
            return Err(CopyError::Mismatch {
                table,
                source_rows,
                target_rows,
                source_sum,
                target_sum,
            });
        }
        reports.push(TableReport {
            table,
            rows: source_rows,
            checksum: source_sum,
        });
    }
    Ok(reports)
}
