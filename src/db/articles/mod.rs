//! Article queries: look-up by id or slug, related articles, and writes with their tag links
//! and index documents; the list lives in `list`. Plain synchronous Diesel; nothing here
//! knows about HTTP.

use crate::db::Conn;
use std::collections::HashMap;

use diesel::prelude::*;

use super::fts::{IndexDoc, Pending};
use super::models::{ArticleRow, ArticleTagRow, ArticleWrite, NewArticleTag};
use super::schema::{article_tags, articles, tags};
use crate::db::error::{StoreError, StoreResult};
use crate::model::{PubStatus, RevisionAction};
use crate::text::slug::with_suffix;

mod list;

pub use list::{
    ArticleFilter, Keyset, Page, Paging, RANKED_CANDIDATES, Sort, Texts, Visibility, Where, list,
    public_link, search_ranking, sort_value,
};

/// Live articles by id, in the order of `ids`.
pub fn by_ids(conn: &mut Conn, ids: &[i32]) -> StoreResult<Vec<ArticleRow>> {
    let mut rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(ids))
        .select(ArticleRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|&i| i == r.id));
    Ok(rows)
}

/// The tags of each article, in the editor's order.
pub fn tags_of(conn: &mut Conn, ids: &[i32]) -> StoreResult<HashMap<i32, Vec<ArticleTagRow>>> {
    let query = article_tags::table
        .inner_join(tags::table)
        .order((article_tags::article_id, article_tags::position))
        .select((
            article_tags::article_id,
            tags::id,
            tags::slug,
            tags::name,
            tags::kind,
        ));
    // One article's tags (every read of one article) through a statement prepared once:
    // an `IN` list is prepared anew each time.
    let rows: Vec<ArticleTagRow> = match ids {
        [id] => query.filter(article_tags::article_id.eq(*id)).load(conn)?,
        _ => query
            .filter(article_tags::article_id.eq_any(ids))
            .load(conn)?,
    };
    let mut map: HashMap<i32, Vec<ArticleTagRow>> = HashMap::new();
    for r in rows {
        map.entry(r.article_id).or_default().push(r);
    }
    Ok(map)
}

/// The last two change times of each tag an article carries (its body embeds them).
pub fn tag_times(conn: &mut Conn, id: i32) -> StoreResult<Vec<(i64, Option<i64>)>> {
    article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(id))
        .select((tags::updated_at, tags::prev_updated_at))
        .load(conn)
        .map_err(StoreError::from)
}

/// Every row `reference` names, whatever its state. Fixed queries, prepared once per
/// connection (a query built with a visibility's SQL was parsed and planned on every read: a
/// quarter of an uncached article's time); the rows are few (a slug is held by one live
/// article and maybe trashed ones).
fn named(conn: &mut Conn, reference: &ArticleRef) -> StoreResult<Vec<ArticleRow>> {
    Ok(match reference {
        ArticleRef::Slug(slug) if !super::can_match(slug) => Vec::new(),
        ArticleRef::Id(id) => articles::table
            .filter(articles::id.eq(*id))
            .select(ArticleRow::as_select())
            .load(conn)?,
        ArticleRef::Slug(slug) => articles::table
            .filter(articles::slug.eq(slug))
            .select(ArticleRow::as_select())
            .load(conn)?,
    })
}

/// A live article by id or slug that `visibility` lets the reader see.
pub fn find(
    conn: &mut Conn,
    reference: &ArticleRef,
    visibility: Visibility,
    now: i64,
) -> StoreResult<Option<ArticleRow>> {
    Ok(named(conn, reference)?
        .into_iter()
        .find(|row| Where::admits(visibility, row, now)))
}

/// The id and status of a withdrawn (withheld or canceled) article that `reference` names
/// and that would otherwise be public: a public read of it is gone, not missing.
pub fn withdrawn(
    conn: &mut Conn,
    reference: &ArticleRef,
    now: i64,
) -> StoreResult<Option<(i32, PubStatus)>> {
    Ok(named(conn, reference)?.into_iter().find_map(|mut row| {
        let status = row.pub_status;
        row.pub_status = PubStatus::Usable;
        (status != PubStatus::Usable && Where::admits(Visibility::Public, &row, now))
            .then_some((row.id, status))
    }))
}

/// How a client names an article in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleRef {
    /// The numeric id.
    Id(i32),
    /// The slug.
    Slug(String),
}

/// The live article (not trashed) holding `slug`, other than `except`.
pub fn slug_holder(conn: &mut Conn, slug: &str, except: Option<i32>) -> StoreResult<Option<i32>> {
    let mut q = articles::table
        .filter(articles::slug.eq(slug))
        .filter(articles::trashed_at.is_null())
        .select(articles::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(articles::id.ne(id));
    }
    q.first(conn).optional().map_err(StoreError::from)
}

/// The first free slug among `base`, `base-2`, `base-3`, …
pub fn free_slug(conn: &mut Conn, base: &str, except: Option<i32>) -> StoreResult<String> {
    let mut n = 1;
    loop {
        let candidate = with_suffix(base, n);
        if slug_holder(conn, &candidate, except)?.is_none() {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Inserts an article with its tag links and index row (or, in a bulk load, holds the row
/// in `pending`); returns its id (bulk loads need nothing more, so the long texts are not
/// read back).
pub fn insert(
    conn: &mut Conn,
    write: &ArticleWrite,
    tag_ids: &[i32],
    now: i64,
    index: IndexDoc,
    pending: Option<&mut Pending>,
) -> StoreResult<i32> {
    let id = next_id(conn)?;
    diesel::insert_into(articles::table)
        .values((write, articles::id.eq(id), articles::created_at.eq(now)))
        .execute(conn)?;
    insert_tags(conn, id, tag_ids)?;
    match pending {
        Some(p) => p.add(id, index),
        None => super::fts::insert_doc(conn, id, &index)?,
    }
    Ok(id)
}

/// The next article id: above every id ever handed out, purged ones included.
fn next_id(conn: &mut Conn) -> StoreResult<i32> {
    let live_max: Option<i32> = articles::table
        .select(diesel::dsl::max(articles::id))
        .first(conn)?;
    super::changes::next_id(conn, super::changes::IdCounter::Article, live_max)
}

/// Keeps the current version of an article as a revision before it changes; returns it.
fn keep_revision(conn: &mut Conn, id: i32) -> StoreResult<ArticleRow> {
    let row: ArticleRow = articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)?;
    let tags = tags_of(conn, &[id])?.remove(&id).unwrap_or_default();
    super::revisions::snapshot(conn, &row, &tags)?;
    Ok(row)
}

/// Replaces an article's columns and tags, bumping its version; the version it had is kept
/// as a revision, and a slug it gave up keeps pointing at it. The index row is replaced now,
/// or held in a bulk load's `pending`.
pub fn update(
    conn: &mut Conn,
    id: i32,
    write: &ArticleWrite,
    tag_ids: &[i32],
    index: IndexDoc,
    pending: Option<&mut Pending>,
) -> StoreResult<ArticleRow> {
    let old_slug = keep_revision(conn, id)?.slug;
    if old_slug != write.slug {
        super::revisions::redirect_article(conn, &old_slug, id, write.updated_at)?;
        super::revisions::drop_article_redirect(conn, &write.slug)?;
    }
    let row: ArticleRow = diesel::update(articles::table.find(id))
        .set((
            write,
            articles::version.eq(articles::version + 1),
            articles::prev_updated_at.eq(articles::updated_at.nullable()),
        ))
        .returning(<ArticleRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)?;
    set_tags(conn, id, tag_ids)?;
    match pending {
        Some(p) => p.replace(conn, id, index)?,
        None => {
            super::fts::remove(conn, id)?;
            super::fts::insert_doc(conn, id, &index)?;
        }
    }
    Ok(row)
}

fn set_tags(conn: &mut Conn, id: i32, tag_ids: &[i32]) -> StoreResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    insert_tags(conn, id, tag_ids)
}

fn insert_tags(conn: &mut Conn, id: i32, tag_ids: &[i32]) -> StoreResult<()> {
    if tag_ids.is_empty() {
        return Ok(());
    }
    let links: Vec<NewArticleTag> = tag_ids
        .iter()
        .enumerate()
        .map(|(i, &tag_id)| NewArticleTag {
            article_id: id,
            tag_id,
            position: i as i32,
        })
        .collect();
    // One row at a time: a multi-row VALUES is SQLite's or PostgreSQL's, not both (the
    // statement is prepared once and a story has a handful of tags).
    for link in &links {
        diesel::insert_into(article_tags::table)
            .values(link)
            .execute(conn)?;
    }
    Ok(())
}

/// Moves a live article to the trash, bumping its version.
pub fn trash(conn: &mut Conn, id: i32, now: i64, by: &str) -> StoreResult<ArticleRow> {
    keep_revision(conn, id)?;
    let row = diesel::update(
        articles::table
            .find(id)
            .filter(articles::trashed_at.is_null()),
    )
    .set((
        articles::trashed_at.eq(now),
        articles::prev_updated_at.eq(articles::updated_at.nullable()),
        articles::updated_at.eq(now),
        articles::updated_by.eq(by),
        articles::version.eq(articles::version + 1),
        articles::last_action.eq(RevisionAction::Trash),
    ))
    .returning(<ArticleRow as Selectable<crate::db::Db>>::construct_selection())
    .get_result(conn)?;
    super::fts::remove(conn, id)?;
    Ok(row)
}

/// Number of publicly visible articles.
pub fn count_public(conn: &mut Conn, now: i64) -> StoreResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM articles a WHERE {}",
        Where::visible(Visibility::Public, now).sql()
    ))
    .get_result::<Count>(conn)
    .map(|c| c.n)
    .map_err(StoreError::from)
}

/// Number of live articles (for the demo loader).
pub fn count_all(conn: &mut Conn) -> StoreResult<i64> {
    articles::table
        .count()
        .get_result(conn)
        .map_err(StoreError::from)
}

/// Public articles other than `id` sharing at least one of the weighted tags, best first:
/// the sum of the weights of the shared tags, then the newest. Returns `(ids, total)`.
pub fn related(
    conn: &mut Conn,
    id: i32,
    weights: &[(i32, f64)],
    now: i64,
    limit: i64,
) -> StoreResult<(Vec<i32>, i64)> {
    use diesel::sql_types::{BigInt, Integer};
    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = Integer)]
        id: i32,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    if weights.is_empty() {
        return Ok((Vec::new(), 0));
    }
    // Weights and ids are numbers made here, never request text.
    let cases: String = weights
        .iter()
        .map(|(tag, w)| format!(" WHEN {tag} THEN {w:.6}"))
        .collect();
    let ids: Vec<String> = weights.iter().map(|(tag, _)| tag.to_string()).collect();
    let sql = format!(
        "SELECT at.article_id AS id, COUNT(*) OVER () AS total \
         FROM article_tags at JOIN articles a ON a.id = at.article_id \
         WHERE at.tag_id IN ({}) AND at.article_id <> $1 AND {} \
         GROUP BY at.article_id \
         ORDER BY SUM(CASE at.tag_id{cases} ELSE 0 END) DESC, MAX(a.sort_at) DESC, at.article_id DESC \
         LIMIT $2",
        ids.join(","),
        Where::visible(Visibility::Public, now).sql()
    );
    let hits: Vec<Hit> = diesel::sql_query(sql)
        .bind::<Integer, _>(id)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    let total = hits.first().map_or(0, |h| h.total);
    Ok((hits.into_iter().map(|h| h.id).collect(), total))
}

/// A trashed article by id, or the most recently trashed one with this slug.
pub fn find_trashed(conn: &mut Conn, reference: &ArticleRef) -> StoreResult<Option<ArticleRow>> {
    let q = articles::table
        .filter(articles::trashed_at.is_not_null())
        .select(ArticleRow::as_select())
        .into_boxed();
    match reference {
        ArticleRef::Id(id) => q
            .filter(articles::id.eq(*id))
            .first(conn)
            .optional()
            .map_err(StoreError::from),
        ArticleRef::Slug(slug) => q
            .filter(articles::slug.eq(slug.clone()))
            .order((articles::trashed_at.desc(), articles::id.desc()))
            .first(conn)
            .optional()
            .map_err(StoreError::from),
    }
}

/// Makes a new version of an article whose columns stay as they are (a correction is added
/// beside it), keeping the current one as a revision.
pub fn bump(
    conn: &mut Conn,
    id: i32,
    now: i64,
    by: &str,
    action: RevisionAction,
) -> StoreResult<ArticleRow> {
    keep_revision(conn, id)?;
    diesel::update(articles::table.find(id))
        .set((
            articles::prev_updated_at.eq(articles::updated_at.nullable()),
            articles::updated_at.eq(now),
            articles::updated_by.eq(by),
            articles::version.eq(articles::version + 1),
            articles::last_action.eq(action),
        ))
        .returning(<ArticleRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// Takes an article out of the trash, bumping its version; it must be re-indexed by the
/// caller's write of the search document.
pub fn untrash(conn: &mut Conn, id: i32, now: i64, by: &str) -> StoreResult<ArticleRow> {
    keep_revision(conn, id)?;
    let row: ArticleRow = diesel::update(articles::table.find(id))
        .set((
            articles::trashed_at.eq(None::<i64>),
            articles::prev_updated_at.eq(articles::updated_at.nullable()),
            articles::updated_at.eq(now),
            articles::updated_by.eq(by),
            articles::version.eq(articles::version + 1),
            articles::last_action.eq(RevisionAction::Restore),
        ))
        .returning(<ArticleRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)?;
    super::fts::index_article(conn, &row)?;
    Ok(row)
}

/// Deletes an article for good: its tags, revisions, redirects and index row go with it.
pub fn purge(conn: &mut Conn, id: i32) -> StoreResult<usize> {
    super::fts::remove(conn, id)?;
    diesel::delete(articles::table.find(id))
        .execute(conn)
        .map_err(StoreError::from)
}

/// Moves every link to `from` onto `to` (dropping it where the article has both); returns
/// the articles touched, after keeping their current versions as revisions and bumping them.
pub fn retag(conn: &mut Conn, from: i32, to: i32, now: i64, by: &str) -> StoreResult<Vec<i32>> {
    let ids: Vec<i32> = article_tags::table
        .filter(article_tags::tag_id.eq(from))
        .select(article_tags::article_id)
        .order(article_tags::article_id)
        .load(conn)?;
    for &id in &ids {
        keep_revision(conn, id)?;
        let has_target: i64 = article_tags::table
            .filter(article_tags::article_id.eq(id))
            .filter(article_tags::tag_id.eq(to))
            .count()
            .get_result(conn)?;
        let link = article_tags::table
            .filter(article_tags::article_id.eq(id))
            .filter(article_tags::tag_id.eq(from));
        if has_target > 0 {
            diesel::delete(link).execute(conn)?;
        } else {
            diesel::update(link)
                .set(article_tags::tag_id.eq(to))
                .execute(conn)?;
        }
        diesel::update(articles::table.find(id))
            .set((
                articles::prev_updated_at.eq(articles::updated_at.nullable()),
                articles::updated_at.eq(now),
                articles::updated_by.eq(by),
                articles::version.eq(articles::version + 1),
                articles::last_action.eq(RevisionAction::Merge),
            ))
            .execute(conn)?;
    }
    Ok(ids)
}

/// Live articles after `after_id` in id order, `limit` at a time (for export).
pub fn live_after(conn: &mut Conn, after_id: i32, limit: i64) -> StoreResult<Vec<ArticleRow>> {
    articles::table
        .filter(articles::trashed_at.is_null())
        .filter(articles::id.gt(after_id))
        .order(articles::id)
        .limit(limit)
        .select(ArticleRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// One public article as a sitemap lists it.
#[derive(Debug, Clone, QueryableByName)]
pub struct MapRow {
    /// Its id.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub id: i32,
    /// Its slug.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub slug: String,
    /// Its headline.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub title: String,
    /// Its language.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub lang: String,
    /// When it was published.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub sort_at: i64,
    /// Its last write.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub updated_at: i64,
}

/// The publication instant and last write of every public article, oldest first: what a
/// sitemap index groups by month.
pub fn public_times(conn: &mut Conn, now: i64) -> StoreResult<Vec<(i64, i64)>> {
    #[derive(QueryableByName)]
    struct Times {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        sort_at: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        updated_at: i64,
    }
    let rows: Vec<Times> = diesel::sql_query(format!(
        "SELECT a.sort_at AS sort_at, a.updated_at AS updated_at FROM articles a \
         WHERE {} ORDER BY a.sort_at, a.id",
        Where::visible(Visibility::Public, now).sql()
    ))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.sort_at, r.updated_at))
        .collect())
}

/// Public articles published in `[from, to)`, oldest first, `limit` after `offset`; or, with
/// `newest_first`, newest first.
pub fn public_map(
    conn: &mut Conn,
    from: i64,
    to: i64,
    now: i64,
    limit: i64,
    offset: i64,
    newest_first: bool,
) -> StoreResult<Vec<MapRow>> {
    let dir = if newest_first { "DESC" } else { "ASC" };
    diesel::sql_query(format!(
        "SELECT a.id AS id, a.slug AS slug, a.title AS title, a.lang AS lang, \
         a.sort_at AS sort_at, a.updated_at AS updated_at FROM articles a \
         WHERE {} AND a.sort_at >= {from} AND a.sort_at < {to} \
         ORDER BY a.sort_at {dir}, a.id {dir} LIMIT {limit} OFFSET {offset}",
        Where::visible(Visibility::Public, now).sql()
    ))
    .load(conn)
    .map_err(StoreError::from)
}
