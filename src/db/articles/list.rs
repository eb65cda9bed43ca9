//! The article list query, one for every shape: the conditions (visibility, tags, dates),
//! the keyset and the order are built once here, and a plain list, its count and a search
//! all use them. A search only adds the full-text match and its score from `fts`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Text};

use super::super::fts;
use super::ArticleRow;
use crate::db::error::StoreResult;
use crate::db::{Conn, Dialect};
use crate::model::{ArticleStatus, PubStatus};

/// The condition on `articles a` that an article may be distributed: neither withheld nor
/// canceled. Every public read holds it; the (status, trashed_at, pub_status, sort_at) index
/// serves it.
pub const USABLE: &str = "a.pub_status = 'usable'";

/// Which articles a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published and due (`published_at` passed), not trashed: what anyone sees.
    Public,
    /// What anyone sees, and the articles under an embargo not lifted yet (needs
    /// `read:embargoed`).
    Embargoed,
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

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest publication first.
    NewestFirst,
    /// Oldest publication first.
    OldestFirst,
    /// Latest write first.
    RecentlyUpdated,
    /// Best match first (a search); newest first without one.
    Relevance,
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
    /// Published at or after (microseconds).
    pub published_after: Option<i64>,
    /// Published before (microseconds).
    pub published_before: Option<i64>,
    /// Changed, as the public sees it, at or after (microseconds).
    pub updated_after: Option<i64>,
    /// Which articles.
    pub visibility: Visibility,
    /// Their order.
    pub sort: Sort,
    /// Page size.
    pub limit: i64,
    /// Which page.
    pub paging: Paging,
    /// The instant scheduled articles are compared with.
    pub now: i64,
    /// What the articles must match (a search).
    pub search: Option<fts::MatchExpr>,
    /// Which long texts the rows carry.
    pub texts: Texts,
}

/// The long texts a page's rows carry. Left out, a row's text columns read as empty: a list
/// of a hundred articles otherwise copies and checks a megabyte of bodies nobody asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts {
    /// The CommonMark body and its HTML (`include=body`, feeds).
    pub body: bool,
    /// The plain text snippets are cut from.
    pub plain: bool,
}

impl Texts {
    /// Every text column.
    pub const ALL: Texts = Texts {
        body: true,
        plain: true,
    };

    /// The select list of `articles a` for these texts, by the names rows are read by. A list
    /// never shows `prev_updated_at` or `last_action` (only one article's validators and its
    /// revisions do), and they were added after the bodies: reading them would walk every
    /// overflow page of a long body, so a list row carries neutral values instead. The
    /// lifecycle columns came later still: a public list knows their values (usable, no
    /// embargo pending) and never shows an editors' note, so only other lists read them.
    fn columns(self, visibility: Visibility) -> String {
        let pick = |wanted: bool, column: &str| {
            if wanted {
                format!("a.{column}")
            } else {
                format!("'' AS {column}")
            }
        };
        format!(
            "a.id, a.slug, a.title, a.summary, a.summary_auto, {}, {}, {}, a.source, a.author, \
             a.lang, a.status, a.published_at, a.created_at, a.updated_at, a.version, \
             a.word_count, a.reading_time_minutes, a.image_url, a.image_caption, a.updated_by, \
             a.trashed_at, NULL AS prev_updated_at, 'edit' AS last_action, {}, NULL AS ed_note",
            pick(self.body, "body"),
            pick(self.body, "body_html"),
            pick(self.plain, "body_text"),
            if visibility == Visibility::Public {
                "'usable' AS pub_status, NULL AS embargoed_until"
            } else {
                "a.pub_status, a.embargoed_until"
            },
        )
    }
}

impl ArticleFilter {
    /// The newest public articles, optionally under any of `tag_groups`: what feeds show.
    pub fn latest(tag_groups: Vec<Vec<i32>>, limit: i64, now: i64) -> ArticleFilter {
        ArticleFilter {
            tag_groups,
            all_tags: false,
            exclude_tags: Vec::new(),
            published_after: None,
            published_before: None,
            updated_after: None,
            visibility: Visibility::Public,
            sort: Sort::NewestFirst,
            limit,
            paging: Paging::After(None),
            now,
            search: None,
            texts: Texts::ALL,
        }
    }
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

/// Conditions over `articles a`, as SQL. Every value written inline is ours (ids, instants,
/// the names of statuses); the one piece of request text, a search expression, is always
/// bound.
#[derive(Debug, Clone)]
pub struct Where(Vec<String>);

impl Where {
    /// What `visibility` lets a reader see at `now`. The trash and the live articles are
    /// told apart here and nowhere else.
    pub fn visible(visibility: Visibility, now: i64) -> Where {
        let status = |s: ArticleStatus| format!("a.status = '{}'", s.as_str());
        let mut w = Vec::with_capacity(3);
        if visibility == Visibility::Trashed {
            w.push("a.trashed_at IS NOT NULL".to_owned());
            return Where(w);
        }
        w.push("a.trashed_at IS NULL".to_owned());
        match visibility {
            // sort_at equals published_at for published articles and, unlike it, is in the
            // (status, trashed_at, sort_at, id) index: counting public articles then never
            // reads a table row.
            Visibility::Public => {
                w.push(status(ArticleStatus::Published));
                w.push(USABLE.to_owned());
                w.push(format!("a.sort_at <= {now}"));
            }
            Visibility::Embargoed => {
                w.push(status(ArticleStatus::Published));
                w.push(USABLE.to_owned());
                w.push(format!("(a.sort_at <= {now} OR a.embargoed_until > {now})"));
            }
            Visibility::Published => w.push(status(ArticleStatus::Published)),
            Visibility::Draft => w.push(status(ArticleStatus::Draft)),
            Visibility::Archived => w.push(status(ArticleStatus::Archived)),
            Visibility::All | Visibility::Trashed => {}
        }
        Where(w)
    }

    /// The rule of `visible` for one row already read (a look-up by id or slug runs one
    /// cached statement and checks the row here; a test holds the two to the same answers).
    pub fn admits(visibility: Visibility, row: &ArticleRow, now: i64) -> bool {
        if visibility == Visibility::Trashed {
            return row.trashed_at.is_some();
        }
        // sort_at is COALESCE(published_at, created_at).
        let due = row.published_at.unwrap_or(row.created_at) <= now;
        let distributable =
            row.status == ArticleStatus::Published && row.pub_status == PubStatus::Usable;
        row.trashed_at.is_none()
            && match visibility {
                Visibility::Public => distributable && due,
                Visibility::Embargoed => {
                    distributable && (due || row.embargoed_until.is_some_and(|e| e > now))
                }
                Visibility::Published => row.status == ArticleStatus::Published,
                Visibility::Draft => row.status == ArticleStatus::Draft,
                Visibility::Archived => row.status == ArticleStatus::Archived,
                Visibility::All | Visibility::Trashed => true,
            }
    }

    /// The visibility and filters of a list, without paging.
    pub fn filter(f: &ArticleFilter) -> Where {
        let mut w = Where::visible(f.visibility, f.now);
        let with_tags = |g: &[i32]| {
            let ids: Vec<String> = g.iter().map(i32::to_string).collect();
            format!(
                "SELECT article_id FROM article_tags WHERE tag_id IN ({})",
                ids.join(",")
            )
        };
        if f.all_tags {
            for g in &f.tag_groups {
                w.push(format!("a.id IN ({})", with_tags(g)));
            }
        } else if !f.tag_groups.is_empty() {
            let any: Vec<i32> = f.tag_groups.iter().flatten().copied().collect();
            w.push(format!("a.id IN ({})", with_tags(&any)));
        }
        if !f.exclude_tags.is_empty() {
            w.push(format!("a.id NOT IN ({})", with_tags(&f.exclude_tags)));
        }
        if let Some(t) = f.published_after {
            w.push(format!("a.published_at >= {t}"));
        }
        if let Some(t) = f.published_before {
            w.push(format!("a.published_at < {t}"));
        }
        if let Some(t) = f.updated_after {
            // A scheduled article changes when it becomes public, after its last write.
            w.push(format!(
                "(a.updated_at >= {t} OR (a.sort_at >= {t} AND a.sort_at <= {}))",
                f.now
            ));
        }
        w
    }

    /// Adds a condition.
    pub fn push(&mut self, condition: String) {
        self.0.push(condition);
    }

    /// The conditions joined by `AND`.
    pub fn sql(&self) -> String {
        self.0.join(" AND ")
    }
}

/// `ORDER BY` of a sort; `score` names the relevance expression of a search.
fn order_sql(sort: Sort, searching: bool) -> &'static str {
    match sort {
        Sort::Relevance if searching => "score ASC, a.id ASC",
        Sort::NewestFirst | Sort::Relevance => "a.sort_at DESC, a.id DESC",
        Sort::OldestFirst => "a.sort_at ASC, a.id ASC",
        Sort::RecentlyUpdated => "a.updated_at DESC, a.id DESC",
    }
}

/// The rows after keyset `k` in the order of `sort` (`score` is the relevance expression).
fn after_sql(sort: Sort, k: Keyset, score: Option<&str>) -> String {
    let (column, op) = match (sort, score) {
        (Sort::Relevance, Some(score)) => {
            let v = f64::from_bits(k.value as u64);
            return format!("({score} > {v:e} OR ({score} = {v:e} AND a.id > {}))", k.id);
        }
        (Sort::NewestFirst | Sort::Relevance, _) => ("a.sort_at", "<"),
        (Sort::OldestFirst, _) => ("a.sort_at", ">"),
        (Sort::RecentlyUpdated, _) => ("a.updated_at", "<"),
    };
    let (v, id) = (k.value, k.id);
    format!("({column} {op} {v} OR ({column} = {v} AND a.id {op} {id}))")
}

/// The value of the sort column of a row, as keyset cursors carry it.
pub fn sort_value(row: &ArticleRow, sort: Sort) -> i64 {
    match sort {
        Sort::NewestFirst | Sort::OldestFirst | Sort::Relevance => {
            row.published_at.unwrap_or(row.created_at)
        }
        Sort::RecentlyUpdated => row.updated_at,
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = BigInt)]
    pool: i64,
}

/// The tags whose links alone can answer a list: a public list under one group of tags (or
/// any of several), newest or oldest first, with no other filter. Each link carries its
/// article's status, trash flag and sort instant, kept by triggers, under one index.
fn by_links(f: &ArticleFilter) -> Option<Vec<i32>> {
    let plain = f.visibility == Visibility::Public
        && f.search.is_none()
        && f.exclude_tags.is_empty()
        && f.published_after.is_none()
        && f.published_before.is_none()
        && f.updated_after.is_none()
        && matches!(
            f.sort,
            Sort::NewestFirst | Sort::OldestFirst | Sort::Relevance
        )
        && (f.tag_groups.len() == 1 || (!f.all_tags && !f.tag_groups.is_empty()));
    plain.then(|| {
        let mut ids: Vec<i32> = f.tag_groups.iter().flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    })
}

/// The public links of `ids` at `now`, over `article_tags l`.
fn public_links(ids: &[i32], now: i64) -> String {
    let ids: Vec<String> = ids.iter().map(i32::to_string).collect();
    format!("l.tag_id IN ({}) AND {}", ids.join(","), public_link(now))
}

/// The links `l` (of `article_tags`) whose article the public sees at `now`: the link
/// carries its article's status, trash flag and sort instant (kept by triggers), so no
/// article row is read.
pub fn public_link(now: i64) -> String {
    format!(
        "l.status = '{}' AND l.trashed = FALSE AND l.sort_at <= {now}",
        ArticleStatus::Published.as_str()
    )
}

/// How many articles the list has: from the links' index when they can tell (an article
/// under two of the tags counts once), else from the articles' covering filter index (with
/// tags) or the public index.
fn count_sql(f: &ArticleFilter, d: Dialect) -> String {
    match by_links(f) {
        Some(ids) => {
            let what = if ids.len() == 1 {
                "COUNT(*)"
            } else {
                "COUNT(DISTINCT l.article_id)"
            };
            format!(
                "SELECT {what} AS n FROM article_tags l WHERE {}",
                public_links(&ids, f.now)
            )
        }
        None => {
            let indexed = if f.tag_groups.is_empty() {
                String::new()
            } else {
                d.indexed_by("articles_search_filter")
            };
            format!(
                "SELECT COUNT(*) AS n FROM articles a{indexed} WHERE {}",
                Where::filter(f).sql()
            )
        }
    }
}

/// The SQL of a page of the plain list (no search), and of its count.
fn page_sql(f: &ArticleFilter, d: Dialect) -> String {
    let offset = match f.paging {
        Paging::Page(page) => (page - 1).saturating_mul(f.limit),
        Paging::After(_) => 0,
    };
    let limit = f.limit + 1;
    if let Some([id]) = by_links(f).as_deref() {
        // One tag: its links, in index order, give the page; only its rows are read.
        let (op, dir) = if f.sort == Sort::OldestFirst {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let after = match f.paging {
            Paging::After(Some(k)) => format!(
                " AND (l.sort_at {op} {v} OR (l.sort_at = {v} AND l.article_id {op} {i}))",
                v = k.value,
                i = k.id
            ),
            _ => String::new(),
        };
        return format!(
            "SELECT {} FROM article_tags l {} articles a ON a.id = l.article_id \
             WHERE {}{after} ORDER BY l.sort_at {dir}, l.article_id {dir} \
             LIMIT {limit} OFFSET {offset}",
            f.texts.columns(f.visibility),
            d.join_in_order(),
            public_links(&[*id], f.now)
        );
    }
    let mut conds = Where::filter(f);
    if let Paging::After(Some(k)) = f.paging {
        conds.push(after_sql(f.sort, k, None));
    }
    format!(
        "SELECT {} FROM articles a WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        f.texts.columns(f.visibility),
        conds.sql(),
        order_sql(f.sort, false),
    )
}

/// One page of articles and the total matching the filters. Fetches one row more than the
/// limit so the caller knows whether a next page exists.
pub fn list(conn: &mut Conn, f: &ArticleFilter) -> StoreResult<Page> {
    if let Some(expr) = &f.search {
        return search(conn, f, expr);
    }
    let d = crate::db::dialect(conn);
    let total = diesel::sql_query(count_sql(f, d))
        .get_result::<Count>(conn)?
        .n;
    let mut rows: Vec<ArticleRow> = diesel::sql_query(page_sql(f, d)).load(conn)?;
    let more = rows.len() as i64 > f.limit;
    rows.truncate(f.limit as usize);
    Ok(Page {
        rows,
        scores: Vec::new(),
        more,
        total,
    })
}

/// The `OFFSET` of a numbered page, or (adding the keyset condition to `conds`) zero.
fn offset_or_after(f: &ArticleFilter, conds: &mut Where, score: Option<&str>) -> i64 {
    match f.paging {
        Paging::Page(page) => (page - 1).saturating_mul(f.limit),
        Paging::After(None) => 0,
        Paging::After(Some(k)) => {
            conds.push(after_sql(f.sort, k, score));
            0
        }
    }
}

/// Matches a page by relevance ranks, in blocks, when the store's index orders matches
/// itself (RUM): the best this many by the index's order, scored exactly, and for deeper
/// pages the next block as well. A match outside the block the index chose is not shown
/// before its rows run out, even where its exact score beats one of them: the price of not
/// scoring every match of a common word.
pub const RANKED_CANDIDATES: i64 = 1000;

/// One page of a search: the list's conditions over the rows the index matches.
fn search(conn: &mut Conn, f: &ArticleFilter, expr: &fts::MatchExpr) -> StoreResult<Page> {
    fts::searching(conn, |conn| {
        search_ranking(conn, f, expr, RANKED_CANDIDATES)
    })
}

/// [`search`] with the number of candidates a ranked index hands a relevance page.
pub fn search_ranking(
    conn: &mut Conn,
    f: &ArticleFilter,
    expr: &fts::MatchExpr,
    candidates: i64,
) -> StoreResult<Page> {
    let at = match f.paging {
        Paging::After(Some(k)) if f.sort == Sort::Relevance => k.at,
        _ => fts::scoring_instant(f.now),
    };
    let m = fts::matching(conn, expr, at)?;
    let mut conds = Where::filter(f);
    let count = |conn: &mut Conn, conds: &Where| {
        diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM {} AND {}",
            m.from,
            conds.sql()
        ))
        .bind::<Text, _>(&m.bind)
        .get_result::<Count>(conn)
        .map(|c| c.n)
    };
    let unpaged = conds.clone();
    let offset = offset_or_after(f, &mut conds, Some(&m.score));
    // `counted`: the page also counts every row it was drawn from (one full-text pass);
    // `pool`: how many candidates a ranked index gave (`s.pool` of `Matching::best`).
    let page = |conn: &mut Conn, from: &str, counted: bool, pool: &str| {
        diesel::sql_query(format!(
            "SELECT a.id AS id, {} AS score, {} AS total, {pool} AS pool FROM {from} AND {} \
             ORDER BY {} LIMIT {} OFFSET {offset}",
            m.score,
            if counted {
                "COUNT(*) OVER ()"
            } else {
                "CAST(0 AS BIGINT)"
            },
            conds.sql(),
            order_sql(f.sort, true),
            f.limit + 1
        ))
        .bind::<Text, _>(&m.bind)
        .load::<Hit>(conn)
    };
    // Pages share their block of candidates, so paging within it neither repeats nor skips
    // a row; a page past the first block ranks the next block too.
    let block = candidates.max(1);
    let cap = (offset + f.limit + block) / block * block;
    let no_pool = "CAST(0 AS BIGINT)";
    let best = match f.sort {
        Sort::Relevance => m.best(cap),
        _ => None,
    };
    let (hits, total) = if let Some(best) = best {
        let cursor = matches!(f.paging, Paging::After(Some(_)));
        let hits = page(conn, &best, !cursor, "s.pool")?;
        // Fewer candidates than asked for are every match: the page counted them all. Else
        // (or behind a cursor, or past the end) the count is its own statement.
        let total = match hits.first() {
            Some(h) if !cursor && h.pool < cap => h.total,
            _ => count(conn, &unpaged)?,
        };
        // The filters may have left the candidates short of a page while more rows match
        // (a rare tag among a common word's matches): those pages rank every match.
        let hits = if hits.len() as i64 > f.limit {
            hits
        } else {
            let remaining = match f.paging {
                Paging::After(Some(_)) => count(conn, &conds)?,
                _ => total - offset,
            };
            if (hits.len() as i64) < remaining {
                page(conn, &m.from, false, no_pool)?
            } else {
                hits
            }
        };
        (hits, total)
    } else {
        // Without a cursor the page counts the matches itself; a cursor narrows the rows,
        // so its pages count separately.
        let separate = match f.paging {
            Paging::After(Some(_)) => Some(count(conn, &unpaged)?),
            _ => None,
        };
        let hits = page(conn, &m.from, separate.is_none(), no_pool)?;
        let total = match (separate, hits.first()) {
            (Some(n), _) => n,
            (None, Some(h)) => h.total,
            // A page past the end returns no row to carry the count.
            (None, None) => count(conn, &unpaged)?,
        };
        (hits, total)
    };
    let more = hits.len() as i64 > f.limit;
    let hits = &hits[..hits.len().min(f.limit as usize)];
    let ids: Vec<i32> = hits.iter().map(|h| h.id).collect();
    let mut rows: Vec<ArticleRow> = if ids.is_empty() {
        Vec::new()
    } else {
        let list = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
        diesel::sql_query(format!(
            "SELECT {} FROM articles a WHERE a.id IN ({list})",
            f.texts.columns(f.visibility)
        ))
        .load(conn)?
    };
    rows.sort_by_key(|r| ids.iter().position(|&i| i == r.id));
    Ok(Page {
        rows,
        scores: hits.iter().map(|h| h.score).collect(),
        more,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE: Dialect = Dialect::Sqlite;

    fn plan(conn: &mut Conn, sql: &str) -> String {
        crate::db::query_plan(conn, sql).join("; ")
    }

    fn filter(tag_groups: Vec<Vec<i32>>) -> ArticleFilter {
        ArticleFilter::latest(tag_groups, 20, 1_800_000_000_000_000)
    }

    /// `Where::admits` (one row read by id or slug) and `Where::visible` (the SQL of every
    /// list) give the same answer for every visibility, on rows of every status, live and
    /// trashed, published in the past, the future or never, usable, withheld or canceled,
    /// under an embargo or not.
    #[test]
    fn a_row_check_and_the_list_sql_agree_on_visibility() {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = Integer)]
            id: i32,
        }
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(dir.path().join("v.db").to_str().unwrap()).unwrap();
        let mut conn = pool.get().unwrap();
        let now = 1_800_000_000_000_000_i64;
        let mut id = 0;
        for status in ["published", "draft", "archived"] {
            for trashed in ["NULL", "1"] {
                for published in ["NULL", "1700000000000000", "1900000000000000"] {
                    for created in [1_700_000_000_000_000_i64, 1_900_000_000_000_000] {
                        for (pub_status, embargo) in [
                            ("usable", "NULL"),
                            ("usable", "1900000000000000"),
                            ("usable", "1700000000000000"),
                            ("withheld", "NULL"),
                            ("canceled", "1900000000000000"),
                        ] {
                            id += 1;
                            diesel::sql_query(format!(
                                "INSERT INTO articles (id, slug, title, summary, summary_auto, \
                                 body, body_html, body_text, lang, status, published_at, \
                                 created_at, updated_at, version, word_count, \
                                 reading_time_minutes, trashed_at, pub_status, embargoed_until) \
                                 VALUES ({id}, 's{id}', 't', 's', 0, 'b', 'b', 'b', 'ar', \
                                 '{status}', {published}, {created}, {created}, 1, 1, 1, \
                                 {trashed}, '{pub_status}', {embargo})"
                            ))
                            .execute(&mut conn)
                            .unwrap();
                        }
                    }
                }
            }
        }
        let rows: Vec<ArticleRow> = super::super::articles::table
            .select(ArticleRow::as_select())
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 180);
        for v in [
            Visibility::Public,
            Visibility::Embargoed,
            Visibility::Published,
            Visibility::Draft,
            Visibility::Archived,
            Visibility::All,
            Visibility::Trashed,
        ] {
            let by_sql: Vec<i32> = diesel::sql_query(format!(
                "SELECT a.id AS id FROM articles a WHERE {} ORDER BY a.id",
                Where::visible(v, now).sql()
            ))
            .load::<Id>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
            let by_row: Vec<i32> = rows
                .iter()
                .filter(|r| Where::admits(v, r, now))
                .map(|r| r.id)
                .collect();
            assert!(!by_sql.is_empty(), "{v:?}");
            assert_eq!(by_sql, by_row, "{v:?}");
        }
    }

    /// Every list shape reads an index, never every article row: one tag's page comes from
    /// its links in index order (no sort), totals count index entries, and the unfiltered
    /// lists walk the public index in order.
    #[test]
    fn every_list_shape_reads_an_index_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(dir.path().join("plan.db").to_str().unwrap()).unwrap();
        let mut conn = pool.get().unwrap();
        let after = Paging::After(Some(Keyset {
            value: 1_700_000_000_000_000,
            id: 50,
            at: 0,
        }));

        let one_tag = filter(vec![vec![3]]);
        let page = plan(&mut conn, &page_sql(&one_tag, SQLITE));
        assert!(page.contains("article_tags_listing"), "{page}");
        assert!(!page.contains("TEMP B-TREE"), "{page}");
        let total = plan(&mut conn, &count_sql(&one_tag, SQLITE));
        assert!(
            total.contains("COVERING INDEX article_tags_listing"),
            "{total}"
        );
        let cursor = plan(
            &mut conn,
            &page_sql(
                &ArticleFilter {
                    paging: after,
                    ..one_tag.clone()
                },
                SQLITE,
            ),
        );
        assert!(cursor.contains("article_tags_listing"), "{cursor}");
        assert!(!cursor.contains("TEMP B-TREE"), "{cursor}");
        let oldest = ArticleFilter {
            sort: Sort::OldestFirst,
            ..one_tag
        };
        let oldest = plan(&mut conn, &page_sql(&oldest, SQLITE));
        assert!(!oldest.contains("TEMP B-TREE"), "{oldest}");

        // A region (a tag and its descendants) or two tags: links count each article once.
        let region = filter(vec![vec![1, 2, 3]]);
        let total = plan(&mut conn, &count_sql(&region, SQLITE));
        assert!(
            total.contains("COVERING INDEX article_tags_listing"),
            "{total}"
        );

        let latest = filter(Vec::new());
        let shapes = [
            ("latest", latest.clone()),
            (
                "latest, cursor",
                ArticleFilter {
                    paging: after,
                    ..latest.clone()
                },
            ),
            (
                "oldest",
                ArticleFilter {
                    sort: Sort::OldestFirst,
                    ..latest.clone()
                },
            ),
            ("two tags, any", filter(vec![vec![3], vec![4]])),
            (
                "two tags, all",
                ArticleFilter {
                    all_tags: true,
                    ..filter(vec![vec![3], vec![4]])
                },
            ),
            (
                "exclude",
                ArticleFilter {
                    exclude_tags: vec![4],
                    ..filter(vec![vec![3]])
                },
            ),
            (
                "dates",
                ArticleFilter {
                    published_after: Some(1_600_000_000_000_000),
                    published_before: Some(1_700_000_000_000_000),
                    ..filter(vec![vec![3]])
                },
            ),
            (
                "region, cursor",
                ArticleFilter {
                    paging: after,
                    ..region
                },
            ),
        ];
        for (name, f) in shapes {
            for sql in [page_sql(&f, SQLITE), count_sql(&f, SQLITE)] {
                let p = plan(&mut conn, &sql);
                // `SCAN a` without an index reads every article row.
                let full_scan = p.split("; ").any(|step| {
                    step == "SCAN a" || step.starts_with("SCAN a ") && !step.contains("INDEX")
                });
                assert!(!full_scan, "{name}: {sql}\n{p}");
            }
        }
        for (name, f) in [
            ("latest", latest.clone()),
            (
                "latest, cursor",
                ArticleFilter {
                    paging: after,
                    ..latest
                },
            ),
        ] {
            let p = plan(&mut conn, &page_sql(&f, SQLITE));
            assert!(!p.contains("TEMP B-TREE"), "{name}: {p}");
        }
    }
}
