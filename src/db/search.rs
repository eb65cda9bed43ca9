//! The full-text index (`articles_fts`): written in the same transaction as every article
//! write, rebuilt by `anbaa reindex` or on start when the analyzer changed.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel::sqlite::SqliteConnection;

use super::models::ArticleRow;
use super::schema::{article_tags, articles, tags};
use crate::text::analyzer::{ANALYZER_VERSION, index_text};
use crate::text::markdown::html_text;

/// Removes an article from the index (no-op when it is not there).
pub fn remove(conn: &mut SqliteConnection, id: i32) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM articles_fts WHERE rowid = ?")
        .bind::<Integer, _>(id)
        .execute(conn)?;
    Ok(())
}

/// (Re)writes the index row of an article; a trashed article is only removed.
pub fn index_article(conn: &mut SqliteConnection, row: &ArticleRow) -> QueryResult<()> {
    remove(conn, row.id)?;
    if row.trashed_at.is_some() {
        return Ok(());
    }
    let names: Vec<(String, Option<String>)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(row.id))
        .select((tags::name, tags::name_en))
        .load(conn)?;
    let tag_text = names
        .into_iter()
        .map(|(n, en)| format!("{n} {}", en.unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(" ");
    let title = index_text(&row.title);
    let summary = index_text(&row.summary);
    let body = index_text(&html_text(&row.body_html));
    let tag_idx = index_text(&tag_text);
    let join = |parts: [&str; 3]| {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let alt = join([&title.alts, &summary.alts, &body.alts]);
    let keys = join([&title.keys, &summary.keys, &body.keys]);
    diesel::sql_query(
        "INSERT INTO articles_fts (rowid, title, summary, body, alt, keys, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(row.id)
    .bind::<Text, _>(title.stems)
    .bind::<Text, _>(summary.stems)
    .bind::<Text, _>(body.stems)
    .bind::<Text, _>(alt)
    .bind::<Text, _>(keys)
    .bind::<Text, _>(tag_idx.stems)
    .execute(conn)?;
    Ok(())
}

/// Re-indexes every live article carrying a tag (after the tag's names change).
pub fn reindex_tag(conn: &mut SqliteConnection, tag_id: i32) -> QueryResult<usize> {
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
pub fn reindex_all(conn: &mut SqliteConnection) -> QueryResult<usize> {
    conn.immediate_transaction(|conn| {
        diesel::sql_query("DELETE FROM articles_fts").execute(conn)?;
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
                index_article(conn, row)?;
            }
            n += batch.len();
        }
        diesel::sql_query(
            "INSERT INTO search_meta (key, value) VALUES ('analyzer_version', ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind::<Text, _>(ANALYZER_VERSION.to_string())
        .execute(conn)?;
        Ok(n)
    })
}

#[derive(QueryableByName)]
struct MetaValue {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Rebuilds the index when it was built by another analyzer version (or never).
pub fn ensure_current(conn: &mut SqliteConnection) -> QueryResult<Option<usize>> {
    let current: Option<MetaValue> =
        diesel::sql_query("SELECT value FROM search_meta WHERE key = 'analyzer_version'")
            .get_result(conn)
            .optional()?;
    if current.is_some_and(|v| v.value == ANALYZER_VERSION.to_string()) {
        return Ok(None);
    }
    reindex_all(conn).map(Some)
}
