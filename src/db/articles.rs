//! Article queries: the filtered, paginated list, look-up by id or slug, and writes with
//! their tag links. Plain synchronous Diesel; nothing here knows about HTTP.

use std::collections::HashMap;

use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sqlite::{Sqlite, SqliteConnection};

use super::models::{ArticleRow, ArticleTagRow, ArticleWrite, NewArticleTag};
use super::schema::{article_tags, articles, tags};
use super::search::IndexDoc;
use crate::dto::article::ArticleSort;
use crate::text::slug::with_suffix;

/// Which articles a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published and due (`published_at` passed), not trashed: what anyone sees.
    Public,
    /// Published, scheduled ones included (needs `read:drafts`).
    Published,
    /// Drafts only (needs `read:drafts`).
    Draft,
    /// Archived only (needs `read:drafts`).
    Archived,
    /// Every live article (needs `read:drafts`).
    All,
    /// The trash (needs `write`).
    Trashed,
}

/// Where a keyset page starts: after the row with this sort value and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyset {
    /// The sort column's value in the last row of the previous page.
    pub value: i64,
    /// The id of that row (the tie-breaker).
    pub id: i32,
    /// For relevance: the instant the first page's recency boost was computed at, so every
    /// page of one walk scores rows the same way.
    pub at: i64,
}

/// How the list is paged.
#[derive(Debug, Clone, Copy)]
pub enum Paging {
    /// `OFFSET` paging, 1-based page.
    Page(i64),
    /// Keyset paging; `None` is the first page.
    After(Option<Keyset>),
}

/// A parsed, checked article list request.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    /// Each group is a tag and its descendants' ids.
    pub tag_groups: Vec<Vec<i32>>,
    /// Every group must match (`tag_mode=all`) rather than any.
    pub all_tags: bool,
    /// Tags (with descendants) whose articles are left out.
    pub exclude_tags: Vec<i32>,
    pub published_after: Option<i64>,
    pub published_before: Option<i64>,
    pub updated_after: Option<i64>,
    pub visibility: Visibility,
    pub sort: ArticleSort,
    pub limit: i64,
    pub paging: Paging,
    /// The instant scheduled articles are compared with.
    pub now: i64,
    /// An FTS5 expression the articles must match (a search).
    pub search: Option<String>,
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    /// The rows, in order.
    pub rows: Vec<ArticleRow>,
    /// Relevance scores of the rows (lower is better), for searches.
    pub scores: Vec<f64>,
    /// Whether another page follows.
    pub more: bool,
    /// Rows matching the filters across all pages.
    pub total: i64,
}

type Boxed<'a> = articles::BoxedQuery<'a, Sqlite>;

fn visible(mut q: Boxed<'_>, visibility: Visibility, now: i64) -> Boxed<'_> {
    if visibility == Visibility::Trashed {
        return q.filter(articles::trashed_at.is_not_null());
    }
    q = q.filter(articles::trashed_at.is_null());
    match visibility {
        // sort_at equals published_at for published articles and, unlike it, is in the
        // (status, trashed_at, sort_at, id) index: counting public articles then never
        // reads a table row.
        Visibility::Public => q
            .filter(articles::status.eq("published"))
            .filter(articles::sort_at.le(now)),
        Visibility::Published => q.filter(articles::status.eq("published")),
        Visibility::Draft => q.filter(articles::status.eq("draft")),
        Visibility::Archived => q.filter(articles::status.eq("archived")),
        Visibility::All | Visibility::Trashed => q,
    }
}

fn with_tag(
    ids: Vec<i32>,
) -> article_tags::BoxedQuery<'static, Sqlite, diesel::sql_types::Integer> {
    article_tags::table
        .filter(article_tags::tag_id.eq_any(ids))
        .select(article_tags::article_id)
        .into_boxed()
}

/// The filters without paging, as a fresh boxed query (used for the count and the page).
fn filtered(f: &ArticleFilter) -> Boxed<'static> {
    let mut q = visible(articles::table.into_boxed(), f.visibility, f.now);
    if f.all_tags {
        for group in &f.tag_groups {
            q = q.filter(articles::id.eq_any(with_tag(group.clone())));
        }
    } else if !f.tag_groups.is_empty() {
        let any: Vec<i32> = f.tag_groups.iter().flatten().copied().collect();
        q = q.filter(articles::id.eq_any(with_tag(any)));
    }
    if !f.exclude_tags.is_empty() {
        q = q.filter(not(articles::id.eq_any(with_tag(f.exclude_tags.clone()))));
    }
    if let Some(t) = f.published_after {
        q = q.filter(articles::published_at.ge(t));
    }
    if let Some(t) = f.published_before {
        q = q.filter(articles::published_at.lt(t));
    }
    if let Some(t) = f.updated_after {
        // A scheduled article changes when it becomes public, after its last write.
        q = q.filter(
            articles::updated_at
                .ge(t)
                .nullable()
                .or(articles::sort_at.ge(t).and(articles::sort_at.le(f.now))),
        );
    }
    q
}

/// The value of the sort column of a row, as keyset cursors carry it.
pub fn sort_value(row: &ArticleRow, sort: ArticleSort) -> i64 {
    match sort {
        ArticleSort::NewestFirst | ArticleSort::OldestFirst => {
            row.published_at.unwrap_or(row.created_at)
        }
        ArticleSort::RecentlyUpdated => row.updated_at,
        ArticleSort::Relevance => 0,
    }
}

/// One page of articles and the total matching the filters. Fetches one row more than the
/// limit so the caller knows whether a next page exists.
pub fn list(conn: &mut SqliteConnection, f: &ArticleFilter) -> QueryResult<Page> {
    if let Some(expr) = &f.search {
        return super::search::list(conn, f, expr);
    }
    // (The SQL filters of searches know nothing of the trash: the trash is never searched.)
    let total: i64 = if f.tag_groups.is_empty() || f.visibility == Visibility::Trashed {
        filtered(f).count().get_result(conn)?
    } else {
        super::search::count_with_tags(conn, f)?
    };
    let mut q = filtered(f);
    q = match f.sort {
        ArticleSort::NewestFirst => q.order((articles::sort_at.desc(), articles::id.desc())),
        ArticleSort::OldestFirst => q.order((articles::sort_at.asc(), articles::id.asc())),
        // Relevance needs a search, which takes the other path; order by update otherwise.
        ArticleSort::RecentlyUpdated | ArticleSort::Relevance => {
            q.order((articles::updated_at.desc(), articles::id.desc()))
        }
    };
    match f.paging {
        Paging::Page(page) => q = q.offset((page - 1).saturating_mul(f.limit)),
        Paging::After(None) => {}
        Paging::After(Some(k)) => {
            q = match f.sort {
                ArticleSort::NewestFirst => q.filter(
                    articles::sort_at
                        .lt(k.value)
                        .or(articles::sort_at.eq(k.value).and(articles::id.lt(k.id))),
                ),
                ArticleSort::OldestFirst => q.filter(
                    articles::sort_at
                        .gt(k.value)
                        .or(articles::sort_at.eq(k.value).and(articles::id.gt(k.id))),
                ),
                ArticleSort::RecentlyUpdated | ArticleSort::Relevance => q.filter(
                    articles::updated_at
                        .lt(k.value)
                        .or(articles::updated_at.eq(k.value).and(articles::id.lt(k.id))),
                ),
            }
        }
    }
    let mut rows: Vec<ArticleRow> = q
        .limit(f.limit + 1)
        .select(ArticleRow::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > f.limit;
    rows.truncate(f.limit as usize);
    Ok(Page {
        rows,
        scores: Vec::new(),
        more,
        total,
    })
}

/// Live articles by id, in the order of `ids`.
pub fn by_ids(conn: &mut SqliteConnection, ids: &[i32]) -> QueryResult<Vec<ArticleRow>> {
    let mut rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(ids))
        .select(ArticleRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|&i| i == r.id));
    Ok(rows)
}

/// The tags of each article, in the editor's order.
pub fn tags_of(
    conn: &mut SqliteConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<ArticleTagRow>>> {
    let rows: Vec<ArticleTagRow> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(ids))
        .order((article_tags::article_id, article_tags::position))
        .select((
            article_tags::article_id,
            tags::id,
            tags::slug,
            tags::name,
            tags::kind,
        ))
        .load(conn)?;
    let mut map: HashMap<i32, Vec<ArticleTagRow>> = HashMap::new();
    for r in rows {
        map.entry(r.article_id).or_default().push(r);
    }
    Ok(map)
}

/// The last two change times of each tag an article carries (its body embeds them).
pub fn tag_times(conn: &mut SqliteConnection, id: i32) -> QueryResult<Vec<(i64, Option<i64>)>> {
    article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(id))
        .select((tags::updated_at, tags::prev_updated_at))
        .load(conn)
}

/// A live article by id or slug that `visibility` lets the reader see.
pub fn find(
    conn: &mut SqliteConnection,
    reference: &ArticleRef,
    visibility: Visibility,
    now: i64,
) -> QueryResult<Option<ArticleRow>> {
    let q = visible(articles::table.into_boxed(), visibility, now);
    let q = match reference {
        ArticleRef::Id(id) => q.filter(articles::id.eq(*id)),
        ArticleRef::Slug(slug) => q.filter(articles::slug.eq(slug.clone())),
    };
    q.select(ArticleRow::as_select()).first(conn).optional()
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
pub fn slug_holder(
    conn: &mut SqliteConnection,
    slug: &str,
    except: Option<i32>,
) -> QueryResult<Option<i32>> {
    let mut q = articles::table
        .filter(articles::slug.eq(slug))
        .filter(articles::trashed_at.is_null())
        .select(articles::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(articles::id.ne(id));
    }
    q.first(conn).optional()
}

/// The first free slug among `base`, `base-2`, `base-3`, …
pub fn free_slug(
    conn: &mut SqliteConnection,
    base: &str,
    except: Option<i32>,
) -> QueryResult<String> {
    let mut n = 1;
    loop {
        let candidate = with_suffix(base, n);
        if slug_holder(conn, &candidate, except)?.is_none() {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Inserts an article with its tag links and index row; returns its id (bulk loads need
/// nothing more, so the long texts are not read back).
pub fn insert(
    conn: &mut SqliteConnection,
    write: &ArticleWrite,
    tag_ids: &[i32],
    now: i64,
    index: &IndexDoc,
) -> QueryResult<i32> {
    let id = next_id(conn)?;
    diesel::insert_into(articles::table)
        .values((write, articles::id.eq(id), articles::created_at.eq(now)))
        .execute(conn)?;
    insert_tags(conn, id, tag_ids)?;
    super::search::insert_doc(conn, id, index)?;
    Ok(id)
}

/// The next article id: above every id ever handed out, purged ones included.
fn next_id(conn: &mut SqliteConnection) -> QueryResult<i32> {
    let live_max: Option<i32> = articles::table
        .select(diesel::dsl::max(articles::id))
        .first(conn)?;
    super::changes::next_id(conn, super::changes::IdCounter::Article, live_max)
}

/// Keeps the current version of an article as a revision before it changes; returns it.
fn keep_revision(conn: &mut SqliteConnection, id: i32) -> QueryResult<ArticleRow> {
    let row: ArticleRow = articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)?;
    let tags = tags_of(conn, &[id])?.remove(&id).unwrap_or_default();
    super::revisions::snapshot(conn, &row, &tags)?;
    Ok(row)
}

/// Replaces an article's columns and tags, bumping its version; the version it had is kept
/// as a revision, and a slug it gave up keeps pointing at it.
pub fn update(
    conn: &mut SqliteConnection,
    id: i32,
    write: &ArticleWrite,
    tag_ids: &[i32],
    index: &IndexDoc,
) -> QueryResult<ArticleRow> {
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
        .returning(ArticleRow::as_returning())
        .get_result(conn)?;
    set_tags(conn, id, tag_ids)?;
    super::search::remove(conn, id)?;
    super::search::insert_doc(conn, id, index)?;
    Ok(row)
}

fn set_tags(conn: &mut SqliteConnection, id: i32, tag_ids: &[i32]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    insert_tags(conn, id, tag_ids)
}

fn insert_tags(conn: &mut SqliteConnection, id: i32, tag_ids: &[i32]) -> QueryResult<()> {
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
    diesel::insert_into(article_tags::table)
        .values(&links)
        .execute(conn)?;
    Ok(())
}

/// Moves a live article to the trash, bumping its version.
pub fn trash(conn: &mut SqliteConnection, id: i32, now: i64, by: &str) -> QueryResult<ArticleRow> {
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
        articles::last_action.eq("trash"),
    ))
    .returning(ArticleRow::as_returning())
    .get_result(conn)?;
    super::search::remove(conn, id)?;
    Ok(row)
}

/// Number of publicly visible articles.
pub fn count_public(conn: &mut SqliteConnection, now: i64) -> QueryResult<i64> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::trashed_at.is_null())
        .filter(articles::published_at.le(now))
        .count()
        .get_result(conn)
}

/// Number of live articles (for the demo loader).
pub fn count_all(conn: &mut SqliteConnection) -> QueryResult<i64> {
    articles::table.count().get_result(conn)
}

/// Public articles other than `id` sharing at least one of the weighted tags, best first:
/// the sum of the weights of the shared tags, then the newest. Returns `(ids, total)`.
pub fn related(
    conn: &mut SqliteConnection,
    id: i32,
    weights: &[(i32, f64)],
    now: i64,
    limit: i64,
) -> QueryResult<(Vec<i32>, i64)> {
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
         WHERE at.tag_id IN ({}) AND at.article_id <> ? \
           AND a.status = 'published' AND a.trashed_at IS NULL AND a.published_at <= ? \
         GROUP BY at.article_id \
         ORDER BY SUM(CASE at.tag_id{cases} ELSE 0 END) DESC, MAX(a.sort_at) DESC, at.article_id DESC \
         LIMIT ?",
        ids.join(",")
    );
    let hits: Vec<Hit> = diesel::sql_query(sql)
        .bind::<Integer, _>(id)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    let total = hits.first().map_or(0, |h| h.total);
    Ok((hits.into_iter().map(|h| h.id).collect(), total))
}

/// A trashed article by id, or the most recently trashed one with this slug.
pub fn find_trashed(
    conn: &mut SqliteConnection,
    reference: &ArticleRef,
) -> QueryResult<Option<ArticleRow>> {
    let q = articles::table
        .filter(articles::trashed_at.is_not_null())
        .select(ArticleRow::as_select())
        .into_boxed();
    match reference {
        ArticleRef::Id(id) => q.filter(articles::id.eq(*id)).first(conn).optional(),
        ArticleRef::Slug(slug) => q
            .filter(articles::slug.eq(slug.clone()))
            .order((articles::trashed_at.desc(), articles::id.desc()))
            .first(conn)
            .optional(),
    }
}

/// Takes an article out of the trash, bumping its version; it must be re-indexed by the
/// caller's write of the search document.
pub fn untrash(
    conn: &mut SqliteConnection,
    id: i32,
    now: i64,
    by: &str,
) -> QueryResult<ArticleRow> {
    keep_revision(conn, id)?;
    let row: ArticleRow = diesel::update(articles::table.find(id))
        .set((
            articles::trashed_at.eq(None::<i64>),
            articles::prev_updated_at.eq(articles::updated_at.nullable()),
            articles::updated_at.eq(now),
            articles::updated_by.eq(by),
            articles::version.eq(articles::version + 1),
            articles::last_action.eq("restore"),
        ))
        .returning(ArticleRow::as_returning())
        .get_result(conn)?;
    super::search::index_article(conn, &row)?;
    Ok(row)
}

/// Deletes an article for good: its tags, revisions, redirects and index row go with it.
pub fn purge(conn: &mut SqliteConnection, id: i32) -> QueryResult<usize> {
    super::search::remove(conn, id)?;
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Moves every link to `from` onto `to` (dropping it where the article has both); returns
/// the articles touched, after keeping their current versions as revisions and bumping them.
pub fn retag(
    conn: &mut SqliteConnection,
    from: i32,
    to: i32,
    now: i64,
    by: &str,
) -> QueryResult<Vec<i32>> {
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
                articles::last_action.eq("merge"),
            ))
            .execute(conn)?;
    }
    Ok(ids)
}

/// Live articles after `after_id` in id order, `limit` at a time (for export).
pub fn live_after(
    conn: &mut SqliteConnection,
    after_id: i32,
    limit: i64,
) -> QueryResult<Vec<ArticleRow>> {
    articles::table
        .filter(articles::trashed_at.is_null())
        .filter(articles::id.gt(after_id))
        .order(articles::id)
        .limit(limit)
        .select(ArticleRow::as_select())
        .load(conn)
}
