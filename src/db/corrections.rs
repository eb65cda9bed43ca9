//! Corrections and clarifications of articles: appended in order, never edited, gone with
//! the article when it is purged.

use std::collections::HashMap;

use diesel::prelude::*;

use super::Conn;
use super::models::CorrectionRow;
use super::schema::article_corrections;
use crate::db::error::StoreResult;
use crate::model::CorrectionKind;

/// The corrections of each article, oldest first.
pub fn of(conn: &mut Conn, ids: &[i32]) -> StoreResult<HashMap<i32, Vec<CorrectionRow>>> {
    let mut map: HashMap<i32, Vec<CorrectionRow>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let query = article_corrections::table
        .order((
            article_corrections::article_id,
            article_corrections::position,
        ))
        .select(CorrectionRow::as_select());
    let rows: Vec<CorrectionRow> = match ids {
        [id] => query
            .filter(article_corrections::article_id.eq(*id))
            .load(conn)?,
        _ => query
            .filter(article_corrections::article_id.eq_any(ids))
            .load(conn)?,
    };
    for r in rows {
        map.entry(r.article_id).or_default().push(r);
    }
    Ok(map)
}

/// Appends a correction that made `version` of the article (inside the caller's write
/// transaction).
pub fn add(
    conn: &mut Conn,
    article_id: i32,
    kind: CorrectionKind,
    text: &str,
    version: i32,
    now: i64,
    by: &str,
) -> StoreResult<()> {
    let last: Option<i32> = article_corrections::table
        .filter(article_corrections::article_id.eq(article_id))
        .select(diesel::dsl::max(article_corrections::position))
        .first(conn)?;
    diesel::insert_into(article_corrections::table)
        .values(CorrectionRow {
            article_id,
            position: last.unwrap_or(0) + 1,
            kind,
            text: text.to_owned(),
            version,
            created_at: now,
            created_by: Some(by.to_owned()),
        })
        .execute(conn)?;
    Ok(())
}
