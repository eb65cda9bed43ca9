//! The full-text index: its documents, written in the same transaction as every article
//! write and rebuilt by `anbaa reindex` or on start when the analyzer changed, and the SQL
//! pieces a list query uses to search it (the match, the score). On SQLite it is FTS5's
//! `articles_fts`, seven columns; on PostgreSQL `articles_search`, one `tsvector` per
//! article built here from the same analyzer's output (never `to_tsvector`), the seven
//! columns folded into the four weight labels. A leaf: it knows nothing of lists, filters
//! or pages.

use super::{Conn, Dialect, dialect};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::models::ArticleRow;
use super::schema::{article_tags, articles, tags};
use crate::db::error::StoreResult;
use crate::text::analyzer::{ANALYZER_VERSION, KEY_MARK, index_text};
use crate::text::markdown::html_text;

/// Removes an article from the index (no-op when it is not there).
pub fn remove(conn: &mut Conn, id: i32) -> StoreResult<()> {
    let sql = match dialect(conn) {
        Dialect::Sqlite => "DELETE FROM articles_fts WHERE rowid = $1",
        Dialect::Postgres => "DELETE FROM articles_search WHERE article_id = $1",
    };
    diesel::sql_query(sql)
        .bind::<Integer, _>(id)
        .execute(conn)?;
    Ok(())
}

/// The analyzed text of an article, as the index stores it (tag names are added on write).
#[derive(Debug, Clone, Default)]
pub struct IndexDoc {
    /// Words in the body, as the analyzer counts them.
    pub body_words: usize,
    title: String,
    summary: String,
    body: String,
    title_alt: String,
    alt: String,
    keys: String,
}

impl IndexDoc {
    /// Analyzes an article's title, summary and plain body text.
    pub fn of(title: &str, summary: &str, body_text: &str) -> IndexDoc {
        let (t, s, b) = (
            index_text(title),
            index_text(summary),
            index_text(body_text),
        );
        let join = |parts: [&str; 3]| {
            parts
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Variant keys only need to be found, not counted or placed: each once per article
        // keeps the index small.
        let mut seen = std::collections::HashSet::new();
        let keys: Vec<&str> = [&t.keys, &s.keys, &b.keys]
            .into_iter()
            .flat_map(|k| k.split(' '))
            .filter(|k| !k.is_empty() && seen.insert(*k))
            .collect();
        IndexDoc {
            body_words: b.words,
            alt: join(["", &s.alts, &b.alts]),
            title_alt: t.alts,
            keys: keys
                .iter()
                .map(|k| format!("{KEY_MARK}{k}"))
                .collect::<Vec<_>>()
                .join(" "),
            title: t.stems,
            summary: s.stems,
            body: b.stems,
        }
    }

    fn of_row(row: &ArticleRow) -> IndexDoc {
        // `body_text` keeps only the beginning (for snippets): the whole text comes from the
        // HTML.
        IndexDoc::of(&row.title, &row.summary, &html_text(&row.body_html))
    }
}

/// (Re)writes the index row of an article from the stored row; a trashed one is only removed.
pub fn index_article(conn: &mut Conn, row: &ArticleRow) -> StoreResult<()> {
    remove(conn, row.id)?;
    if row.trashed_at.is_some() {
        return Ok(());
    }
    insert_doc(conn, row.id, &IndexDoc::of_row(row))
}

/// Index documents a bulk load holds back until its batch ends, by article id (a later
/// write of the same article in the batch replaces its document).
///
/// FTS5 flushes the terms it holds in memory to a new index segment at every statement
/// savepoint, and most writes open one (a `RETURNING`, a trigger, a multi-row insert): a
/// load that indexed each article as it went wrote one tiny segment per article, then
/// merged them again and again (a third of the writer's time). Held back, a batch of a
/// thousand articles is one segment.
#[derive(Debug, Default)]
pub struct Pending(std::collections::BTreeMap<i32, IndexDoc>);

impl Pending {
    /// Holds `doc` as the document of a new article.
    pub fn add(&mut self, id: i32, doc: IndexDoc) {
        self.0.insert(id, doc);
    }

    /// Holds `doc` as the new document of article `id`; when the article is in the index
    /// from before the batch, its old document is removed now.
    pub fn replace(&mut self, conn: &mut Conn, id: i32, doc: IndexDoc) -> StoreResult<()> {
        if self.0.insert(id, doc).is_none() {
            remove(conn, id)?;
        }
        Ok(())
    }

    /// Writes every document held, in id order; call inside the batch's transaction.
    pub fn write(self, conn: &mut Conn) -> StoreResult<()> {
        for (id, doc) in self.0 {
            insert_doc(conn, id, &doc)?;
        }
        Ok(())
    }
}

/// Writes the index row of an article (which must not be in the index).
pub fn insert_doc(conn: &mut Conn, id: i32, doc: &IndexDoc) -> StoreResult<()> {
    let names: Vec<(String, Option<String>)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(id))
        .select((tags::name, tags::name_en))
        .load(conn)?;
    let tag_text = names
        .into_iter()
        .map(|(n, en)| format!("{n} {}", en.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(" ");
    if dialect(conn) == Dialect::Postgres {
        diesel::sql_query(
            "INSERT INTO articles_search (article_id, doc) VALUES ($1, CAST($2 AS tsvector))",
        )
        .bind::<Integer, _>(id)
        .bind::<Text, _>(tsvector(doc, &index_text(&tag_text).stems))
        .execute(conn)?;
        return Ok(());
    }
    diesel::sql_query(
        "INSERT INTO articles_fts (rowid, title, summary, body, title_alt, alt, keys, tags) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(id)
    .bind::<Text, _>(&doc.title)
    .bind::<Text, _>(&doc.summary)
    .bind::<Text, _>(&doc.body)
    .bind::<Text, _>(&doc.title_alt)
    .bind::<Text, _>(&doc.alt)
    .bind::<Text, _>(&doc.keys)
    .bind::<Text, _>(index_text(&tag_text).stems)
    .execute(conn)?;
    Ok(())
}

/// PostgreSQL's weight labels for the index's columns: A the title and its alternates, B the
/// summary, C the body, its alternates and the variant keys, D the tag names.
const LABELS: [char; 4] = ['A', 'B', 'C', 'D'];

/// What `ts_rank` weighs each label by, in its order `{D, C, B, A}`: FTS5's column weights
/// (title 20, summary 6, body 1, tags 4) divided by the title's.
const LABEL_WEIGHTS: &str = "{0.2, 0.05, 0.3, 1.0}";

/// PostgreSQL's highest position; later words share it.
const MAX_POSITION: usize = 16_383;

/// Positions PostgreSQL keeps per lexeme.
const MAX_POSITIONS: usize = 256;

/// Longest lexeme PostgreSQL accepts, in bytes.
const MAX_LEXEME_BYTES: usize = 2_046;

/// The document as a `tsvector` literal: every word with its positions and label. The
/// title and its alternates share positions 1…, as do the summary with the body after it
/// and their alternates (as FTS5's columns each count from their own start), so a phrase
/// can match a stem next to an alternate; a gap keeps phrases inside one of those runs.
fn tsvector<'a>(doc: &'a IndexDoc, tags: &'a str) -> String {
    use std::collections::BTreeMap;
    let mut words: BTreeMap<&'a str, BTreeMap<usize, char>> = BTreeMap::new();
    let mut put = |text: &'a str, start: usize, label: char| -> usize {
        let mut n = 0;
        for (i, w) in text.split(' ').filter(|w| !w.is_empty()).enumerate() {
            n = i + 1;
            if w.len() > MAX_LEXEME_BYTES {
                continue;
            }
            let pos = (start + i).min(MAX_POSITION);
            let at = words.entry(w).or_default();
            if at.len() < MAX_POSITIONS || at.contains_key(&pos) {
                // The higher weight wins where two runs put a word at one position.
                let l = at.entry(pos).or_insert(label);
                *l = (*l).min(label);
            }
        }
        n
    };
    let [a, b, c, d] = LABELS;
    let title = put(&doc.title, 1, a).max(put(&doc.title_alt, 1, a));
    let text_start = title + 3;
    let summary = put(&doc.summary, text_start, b);
    let text =
        (summary + put(&doc.body, text_start + summary, c)).max(put(&doc.alt, text_start, c));
    let keys_start = text_start + text + 2;
    let keys = put(&doc.keys, keys_start, c);
    put(tags, keys_start + keys + 2, d);
    let mut out = String::new();
    for (word, at) in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for ch in word.chars() {
            if ch == '\'' || ch == '\\' {
                out.push(ch);
            }
            out.push(ch);
        }
        out.push_str("':");
        for (i, (pos, label)) in at.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&pos.to_string());
            out.push(*label);
        }
    }
    out
}

/// Re-indexes every live article carrying a tag (after the tag's names change).
pub fn reindex_tag(conn: &mut Conn, tag_id: i32) -> StoreResult<usize> {
    let rows: Vec<ArticleRow> = articles::table
        .filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(tag_id))
                    .select(article_tags::article_id),
            ),
        )
        .filter(articles::trashed_at.is_null())
        .select(ArticleRow::as_select())
        .load(conn)?;
    for row in &rows {
        index_article(conn, row)?;
    }
    Ok(rows.len())
}

/// Rebuilds the whole index in one transaction; returns how many articles it indexed.
pub fn reindex_all(conn: &mut Conn) -> StoreResult<usize> {
    super::immediate(conn, |conn| {
        let n = index_all(conn)?;
        // Search answers may differ now: every validator (and cached answer) must change.
        super::changes::touch(conn, super::now_micros())?;
        Ok(n)
    })
}

/// Rebuilds the whole index inside the caller's write transaction and records the
/// analyzer that built it; returns how many articles it indexed.
pub fn index_all(conn: &mut Conn) -> StoreResult<usize> {
    // `delete-all` empties a contentless table without leaving tombstones. On PostgreSQL the
    // ranked index is built once at the end rather than row by row (set_ranked_index_aside
    // says why); the transaction holds the table meanwhile.
    let ranked = dialect(conn) == Dialect::Postgres && has_ranked_index(conn)?;
    let empty = match dialect(conn) {
        Dialect::Sqlite => "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')",
        Dialect::Postgres if ranked => {
            "DROP INDEX articles_search_rum; DELETE FROM articles_search"
        }
        Dialect::Postgres => "DELETE FROM articles_search",
    };
    conn.batch_execute(empty)?;
    let mut last = 0;
    let mut n = 0;
    loop {
        // In batches, so a large database never sits in memory whole.
        let batch: Vec<ArticleRow> = articles::table
            .filter(articles::id.gt(last))
            .filter(articles::trashed_at.is_null())
            .order(articles::id)
            .limit(1000)
            .select(ArticleRow::as_select())
            .load(conn)?;
        let Some(tail) = batch.last() else { break };
        last = tail.id;
        for row in &batch {
            insert_doc(conn, row.id, &IndexDoc::of_row(row))?;
        }
        n += batch.len();
    }
    if ranked {
        // As long as the build takes, inside the caller's transaction only.
        conn.batch_execute(&format!(
            "SET LOCAL statement_timeout = 0; CREATE INDEX {RANKED_INDEX} {RANKED_INDEX_ON}"
        ))?;
    }
    diesel::sql_query(
        "INSERT INTO search_meta (key, value) VALUES ('analyzer_version', $1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind::<Text, _>(ANALYZER_VERSION.to_string())
    .execute(conn)?;
    Ok(n)
}

#[derive(QueryableByName)]
struct MetaValue {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Rebuilds the index when it was built by another analyzer version (or never).
pub fn ensure_current(conn: &mut Conn) -> StoreResult<Option<usize>> {
    let current: Option<MetaValue> =
        diesel::sql_query("SELECT value FROM search_meta WHERE key = 'analyzer_version'")
            .get_result(conn)
            .optional()?;
    if current.is_some_and(|v| v.value == ANALYZER_VERSION.to_string()) {
        return Ok(None);
    }
    reindex_all(conn).map(Some)
}

/// FTS5's default: a level with this many segments is merged into the next.
const AUTOMERGE: i32 = 4;

/// Pages one incremental merge step may write; steps run until one finds nothing to do.
const MERGE_STEP_PAGES: i32 = 4000;

/// Stops merging index segments as transactions flush them (a bulk import): FTS5 would
/// otherwise rewrite the postings of every 4 segments again and again, most of an import's
/// index work. Only its crisis merges (16 segments on a level) still run.
pub fn pause_merges(conn: &mut Conn) -> StoreResult<()> {
    set_automerge(conn, 0)
}

/// Restores the normal merge policy and merges what a paused import left, in bounded
/// steps, each its own short write (a running server keeps writing between them).
pub fn resume_merges(conn: &mut Conn) -> StoreResult<()> {
    set_automerge(conn, AUTOMERGE)?;
    loop {
        // FTS5's documented test for a finished merge: the step changed fewer than two rows
        // of its tables (`total_changes()` counts them; the command itself reports none).
        let changed = super::immediate(conn, |conn| {
            let before = total_changes(conn)?;
            diesel::sql_query("INSERT INTO articles_fts (articles_fts, rank) VALUES ('merge', ?)")
                .bind::<Integer, _>(MERGE_STEP_PAGES)
                .execute(conn)?;
            Ok::<_, crate::db::error::StoreError>(total_changes(conn)? - before)
        })?;
        if changed < 2 {
            return Ok(());
        }
    }
}

#[derive(QueryableByName)]
struct Changes {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn total_changes(conn: &mut Conn) -> QueryResult<i64> {
    diesel::sql_query("SELECT total_changes() AS n")
        .get_result::<Changes>(conn)
        .map(|c| c.n)
}

/// Resumes merging when an import that paused it never finished (the process died).
pub fn ensure_merging(conn: &mut Conn) -> StoreResult<()> {
    let paused: Option<MetaValue> = diesel::sql_query(
        "SELECT CAST(v AS TEXT) AS value FROM articles_fts_config WHERE k = 'automerge'",
    )
    .get_result(conn)
    .optional()?;
    if paused.is_some_and(|v| v.value == "0") {
        resume_merges(conn)?;
    }
    Ok(())
}

fn set_automerge(conn: &mut Conn, n: i32) -> StoreResult<()> {
    diesel::sql_query("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', ?)")
        .bind::<Integer, _>(n)
        .execute(conn)?;
    Ok(())
}

/// The instant a new search scores recency at: the start of the current hour. Results then
/// change only with the data or on the hour, which keeps ETags of searches exact.
pub fn scoring_instant(now: i64) -> i64 {
    now - now.rem_euclid(3_600_000_000)
}

/// Microseconds in 90 days: the scale of the recency boost.
const RECENCY_SCALE: f64 = 90.0 * 86_400.0 * 1e6;

/// A search expression in the dialect of each store (see `crate::search`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchExpr {
    /// FTS5's MATCH expression.
    pub fts5: String,
    /// PostgreSQL's `tsquery`, over the weight labels of [`LABELS`].
    pub tsquery: String,
}

/// The SQL of a search over `articles a`, in the dialect of the connection it was made for.
#[derive(Debug, Clone)]
pub struct Matching {
    /// `FROM … WHERE …`: the rows of `articles a` that match; more conditions follow with
    /// `AND`.
    pub from: String,
    /// The relevance of a row: negative, lower is better.
    pub score: String,
    /// The one value the SQL binds (as `$1`, wherever it appears).
    pub bind: String,
    /// Whether the store keeps an index that orders matches itself (RUM on PostgreSQL).
    ranked_index: bool,
}

impl Matching {
    /// `FROM … WHERE …` like [`Matching::from`], over only the `cap` best matches in the
    /// order of the ranked index (RUM's cover density, read from the positions it stores),
    /// when the store has one: a page by relevance then scores `cap` rows instead of every
    /// match. The rows keep [`Matching::score`], and `s.pool` says how many candidates the
    /// index gave (fewer than `cap`: they are every match, and a count over them is the
    /// total). The caller falls back to `from` when the filters leave a page short while
    /// more rows match.
    pub fn best(&self, cap: i64) -> Option<String> {
        self.ranked_index.then(|| {
            format!(
                "(SELECT article_id, doc, COUNT(*) OVER () AS pool FROM \
                 (SELECT article_id, doc FROM articles_search \
                 WHERE doc @@ CAST($1 AS tsquery) ORDER BY doc <=> CAST($1 AS tsquery) \
                 LIMIT {cap}) c) s JOIN articles a ON a.id = s.article_id WHERE TRUE"
            )
        })
    }
}

/// The rows of `articles a` matching `expr` and their score at `at`: a rank (bm25 on
/// SQLite, `ts_rank` with the column weights on PostgreSQL) times a boost of up to 1.5 for
/// a fresh article, falling to 1.25 at 90 days and towards 1 for old ones.
///
/// On SQLite the rows are read through the covering index that holds every column the
/// filters and the score read, and ranked by `anbaa_rank` with the phrases' document counts
/// (FTS5's way of choosing a query's rank function: the rank column stays a column, so
/// sorters and windows can hold it, where an auxiliary function called directly cannot be).
pub fn matching(conn: &mut Conn, expr: &MatchExpr, at: i64) -> StoreResult<Matching> {
    let boost = |greatest: &str| {
        format!("(1.0 + 0.5 / (1.0 + {greatest}(0, {at} - a.sort_at) / {RECENCY_SCALE:.1}))")
    };
    Ok(match dialect(conn) {
        Dialect::Sqlite => {
            let rank = super::rank::rank_sql(conn, &expr.fts5)?;
            Matching {
                from: format!(
                    "articles_fts CROSS JOIN articles a INDEXED BY articles_search_filter \
                     ON a.id = articles_fts.rowid WHERE articles_fts MATCH $1 \
                     AND articles_fts.rank MATCH '{rank}'"
                ),
                score: format!("(articles_fts.rank * {})", boost("MAX")),
                bind: expr.fts5.clone(),
                ranked_index: false,
            }
        }
        Dialect::Postgres => Matching {
            ranked_index: has_ranked_index(conn)?,
            from: "articles_search s JOIN articles a ON a.id = s.article_id \
                   WHERE s.doc @@ CAST($1 AS tsquery)"
                .to_owned(),
            score: format!(
                "(-CAST(ts_rank('{LABEL_WEIGHTS}', s.doc, CAST($1 AS tsquery), 1) AS float8) * {})",
                boost("GREATEST")
            ),
            bind: expr.tsquery.clone(),
        },
    })
}

/// Runs a search's statements. On PostgreSQL in one transaction that keeps the planner off
/// sequential scans: the search table is narrow (its documents live in TOAST), so a scan
/// looks cheap to a planner that does not count detoasting every document to test it (a
/// count over a word in every article: 730 ms by a scan, against the index's bitmap).
pub fn searching<T>(
    conn: &mut Conn,
    run: impl FnOnce(&mut Conn) -> StoreResult<T>,
) -> StoreResult<T> {
    match dialect(conn) {
        Dialect::Sqlite => run(conn),
        Dialect::Postgres => conn.transaction(|conn| {
            diesel::sql_query("SET LOCAL enable_seqscan = off").execute(conn)?;
            run(conn)
        }),
    }
}

/// The ranked search index on PostgreSQL, when the database has one.
const RANKED_INDEX: &str = "articles_search_rum";

/// What the ranked index is built on, after `CREATE INDEX [CONCURRENTLY] {RANKED_INDEX}`.
const RANKED_INDEX_ON: &str = "ON articles_search USING rum (doc rum_tsvector_ops)";

#[derive(QueryableByName)]
struct Present {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    present: bool,
}

/// Whether the database has a usable ranked (RUM) index: asked on each search, so a node
/// never orders by RUM's operator without the index (nor misses one added later).
pub fn has_ranked_index(conn: &mut Conn) -> StoreResult<bool> {
    Ok(diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM pg_index \
         WHERE indexrelid = to_regclass('{RANKED_INDEX}') AND indisvalid) AS present"
    ))
    .get_result::<Present>(conn)?
    .present)
}

/// Before many search rows are written on PostgreSQL: puts GIN in the ranked index's place
/// (built and dropped without blocking readers or writers) and says whether it did. RUM
/// stores every position in its posting lists and has no pending list: a row costs it ~20 ms
/// at 100,000 articles, against 0.3 ms a row to build it whole afterwards. Searches meanwhile
/// rank every match through GIN.
pub fn set_ranked_index_aside(conn: &mut Conn) -> StoreResult<bool> {
    if dialect(conn) != Dialect::Postgres || !has_ranked_index(conn)? {
        return Ok(false);
    }
    // One statement per call: several in one message would run as one transaction, where
    // CONCURRENTLY is refused.
    // Without the request limits: building RUM over 100,000 articles takes ~30 s, and a
    // concurrent build waits for every older transaction.
    super::unlimited(conn, |conn| {
        conn.batch_execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS articles_search_doc ON articles_search \
             USING gin (doc)",
        )?;
        conn.batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {RANKED_INDEX}"))?;
        Ok::<_, crate::db::error::StoreError>(())
    })?;
    Ok(true)
}

/// After a bulk write: builds the ranked index again, concurrently, and drops GIN.
pub fn restore_ranked_index(conn: &mut Conn) -> StoreResult<()> {
    super::unlimited(conn, |conn| {
        conn.batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {RANKED_INDEX}"))?;
        conn.batch_execute(&format!(
            "CREATE INDEX CONCURRENTLY {RANKED_INDEX} {RANKED_INDEX_ON}"
        ))?;
        conn.batch_execute("DROP INDEX CONCURRENTLY IF EXISTS articles_search_doc")?;
        Ok(())
    })
}

/// Gives PostgreSQL's search table the ranked index when the server has RUM
/// (`postgresql-15-rum`) and the role may create the extension, and then drops the GIN
/// index it replaces (RUM answers `@@` as well); without RUM the GIN index stays and
/// searches rank every match. Runs after the migrations, under their lock, so a package
/// installed later is picked up by the next `anbaa migrate` or start.
#[cfg(feature = "postgres")]
pub fn ensure_ranked_index(conn: &mut diesel::pg::PgConnection) -> QueryResult<bool> {
    // The migration's own connection: the build takes as long as the data it covers.
    conn.batch_execute(super::connect::PG_NO_LIMITS)?;
    conn.batch_execute(&format!(
        "DO $$
         BEGIN
           -- A concurrent build that failed leaves an invalid index: built again.
           IF EXISTS (SELECT 1 FROM pg_index
                      WHERE indexrelid = to_regclass('{RANKED_INDEX}') AND NOT indisvalid) THEN
             DROP INDEX {RANKED_INDEX};
           END IF;
           IF to_regclass('{RANKED_INDEX}') IS NULL
              AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
             CREATE EXTENSION IF NOT EXISTS rum;
             CREATE INDEX {RANKED_INDEX} {RANKED_INDEX_ON};
           END IF;
           IF to_regclass('{RANKED_INDEX}') IS NOT NULL THEN
             DROP INDEX IF EXISTS articles_search_doc;
           END IF;
         EXCEPTION WHEN insufficient_privilege THEN
           RAISE WARNING 'RUM is installed but this role may not create the extension: \
searches rank every match through GIN (see deploy/RUNBOOK.md)';
         END $$;"
    ))?;
    conn.batch_execute(super::connect::PG_LIMITS)?;
    let present: Present = diesel::sql_query(format!(
        "SELECT to_regclass('{RANKED_INDEX}') IS NOT NULL AS present"
    ))
    .get_result(conn)?;
    Ok(present.present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        rowid: i32,
    }

    fn automerge(conn: &mut Conn) -> String {
        diesel::sql_query(
            "SELECT CAST(v AS TEXT) AS value FROM articles_fts_config WHERE k = 'automerge'",
        )
        .get_result::<MetaValue>(conn)
        .unwrap()
        .value
    }

    /// An import pauses segment merges and leaves the index merged, whole and searchable,
    /// with the normal policy back; a process that died paused is resumed on open.
    #[test]
    fn merges_paused_by_an_import_resume_and_leave_a_whole_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fts.db");
        let pool = crate::db::open(path.to_str().unwrap()).unwrap();
        let mut conn = pool.get().unwrap();
        pause_merges(&mut conn).unwrap();
        assert_eq!(automerge(&mut conn), "0");
        // Forty transactions: forty segments that FTS5 would otherwise have merged.
        for batch in 0..40 {
            crate::db::immediate(&mut conn, |conn| {
                for i in 0..5 {
                    let id = batch * 5 + i + 1;
                    let doc = IndexDoc::of(&format!("عنوان {id}"), "ملخص", "نص عن النفط");
                    insert_doc(conn, id, &doc)?;
                }
                Ok::<_, crate::db::error::StoreError>(())
            })
            .unwrap();
        }
        resume_merges(&mut conn).unwrap();
        assert_eq!(automerge(&mut conn), "4");
        diesel::sql_query(
            "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 0)",
        )
        .execute(&mut conn)
        .unwrap();
        let hits: Vec<Id> =
            diesel::sql_query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?")
                .bind::<Text, _>(crate::search::parse("النفط").fts.unwrap())
                .load(&mut conn)
                .unwrap();
        let ids: std::collections::BTreeSet<i32> = hits.iter().map(|h| h.rowid).collect();
        assert_eq!(ids, (1..=200).collect());

        pause_merges(&mut conn).unwrap();
        drop(conn);
        drop(pool);
        let pool = crate::db::open(path.to_str().unwrap()).unwrap();
        assert_eq!(automerge(&mut pool.get().unwrap()), "4");
    }
}
