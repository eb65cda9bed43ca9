//! Earlier versions of articles, and the slug redirects renames and merges leave behind.

use super::Conn;
use diesel::prelude::*;

use super::models::{ArticleRow, ArticleTagRow, RevisionRow};
use super::schema::{article_redirects, article_revisions, tag_redirects};
use crate::db::error::{StoreError, StoreResult};

/// A tag as a revision records it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RevisionTag {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub kind: crate::model::TagKind,
}

/// An article's current state as a revision row (with its tags as embedded now).
pub fn row_of(row: &ArticleRow, tags: &[ArticleTagRow]) -> RevisionRow {
    let tags: Vec<RevisionTag> = tags
        .iter()
        .map(|t| RevisionTag {
            id: t.id,
            slug: t.slug.clone(),
            name: t.name.clone(),
            kind: t.kind,
        })
        .collect();
    RevisionRow {
        article_id: row.id,
        version: row.version,
        slug: row.slug.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        summary_auto: row.summary_auto,
        body: row.body.clone(),
        source: row.source.clone(),
        author: row.author.clone(),
        lang: row.lang.clone(),
        status: row.status,
        published_at: row.published_at,
        image_url: row.image_url.clone(),
        image_caption: row.image_caption.clone(),
        tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".to_owned()),
        trashed_at: row.trashed_at,
        changed_by: row.updated_by.clone(),
        changed_at: row.updated_at,
        action: row.last_action,
        pub_status: row.pub_status,
        embargoed_until: row.embargoed_until,
        ed_note: row.ed_note.clone(),
    }
}

/// Keeps the article's current version whole before it changes (same transaction as the
/// change). Idempotent: a version is recorded once.
pub fn snapshot(conn: &mut Conn, row: &ArticleRow, tags: &[ArticleTagRow]) -> StoreResult<()> {
    let kept = article_revisions::table
        .find((row.id, row.version))
        .count()
        .get_result::<i64>(conn)?;
    if kept == 0 {
        diesel::insert_into(article_revisions::table)
            .values(&row_of(row, tags))
            .execute(conn)?;
    }
    Ok(())
}

/// Every recorded earlier version of an article, oldest first.
pub fn list(conn: &mut Conn, article_id: i32) -> StoreResult<Vec<RevisionRow>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::version)
        .select(RevisionRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// A page of an article's recorded earlier versions below `below` (the current version),
/// oldest first, and how many there are.
pub fn page(
    conn: &mut Conn,
    article_id: i32,
    below: i32,
    offset: i64,
    limit: i64,
) -> StoreResult<(Vec<RevisionRow>, i64)> {
    let mine = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::version.lt(below));
    let total = mine.count().get_result(conn)?;
    let rows = mine
        .order(article_revisions::version)
        .offset(offset)
        .limit(limit)
        .select(RevisionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// One earlier version.
pub fn get(conn: &mut Conn, article_id: i32, version: i32) -> StoreResult<Option<RevisionRow>> {
    article_revisions::table
        .find((article_id, version))
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Parses a revision's tags.
pub fn tags_of(rev: &RevisionRow) -> Vec<RevisionTag> {
    serde_json::from_str(&rev.tags).unwrap_or_default()
}

/// Points `old_slug` at an article (a rename left it behind).
pub fn redirect_article(
    conn: &mut Conn,
    old_slug: &str,
    article_id: i32,
    now: i64,
) -> StoreResult<()> {
    diesel::delete(article_redirects::table.find(old_slug)).execute(conn)?;
    diesel::insert_into(article_redirects::table)
        .values((
            article_redirects::slug.eq(old_slug),
            article_redirects::article_id.eq(article_id),
            article_redirects::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The article an old slug now points at.
pub fn article_redirect(conn: &mut Conn, slug: &str) -> StoreResult<Option<i32>> {
    if !super::can_match(slug) {
        return Ok(None);
    }
    article_redirects::table
        .find(slug)
        .select(article_redirects::article_id)
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Drops a redirect whose slug an article holds again.
pub fn drop_article_redirect(conn: &mut Conn, slug: &str) -> StoreResult<()> {
    diesel::delete(article_redirects::table.find(slug)).execute(conn)?;
    Ok(())
}

/// Adds a redirect from `old_slug` to a tag (an import restoring one), leaving others alone.
pub fn add_tag_redirect(conn: &mut Conn, old_slug: &str, tag: i32, now: i64) -> StoreResult<()> {
    if tag_redirect(conn, old_slug)?.is_some() {
        return Ok(());
    }
    diesel::insert_into(tag_redirects::table)
        .values((
            tag_redirects::slug.eq(old_slug),
            tag_redirects::tag_id.eq(tag),
            tag_redirects::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Points `old_slug` (and every redirect to `from_tag`) at `to_tag`.
pub fn redirect_tag(
    conn: &mut Conn,
    old_slug: &str,
    from_tag: i32,
    to_tag: i32,
    now: i64,
) -> StoreResult<()> {
    diesel::update(tag_redirects::table.filter(tag_redirects::tag_id.eq(from_tag)))
        .set(tag_redirects::tag_id.eq(to_tag))
        .execute(conn)?;
    diesel::delete(tag_redirects::table.find(old_slug)).execute(conn)?;
    diesel::insert_into(tag_redirects::table)
        .values((
            tag_redirects::slug.eq(old_slug),
            tag_redirects::tag_id.eq(to_tag),
            tag_redirects::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The tag an old slug now points at.
pub fn tag_redirect(conn: &mut Conn, slug: &str) -> StoreResult<Option<i32>> {
    if !super::can_match(slug) {
        return Ok(None);
    }
    tag_redirects::table
        .find(slug)
        .select(tag_redirects::tag_id)
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Every tag redirect: (old slug, tag id).
pub fn tag_redirects(conn: &mut Conn) -> StoreResult<Vec<(String, i32)>> {
    tag_redirects::table
        .select((tag_redirects::slug, tag_redirects::tag_id))
        .load(conn)
        .map_err(StoreError::from)
}

/// Drops a redirect whose slug a tag holds again.
pub fn drop_tag_redirect(conn: &mut Conn, slug: &str) -> StoreResult<()> {
    diesel::delete(tag_redirects::table.find(slug)).execute(conn)?;
    Ok(())
}
