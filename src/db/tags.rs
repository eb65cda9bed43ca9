//! Tag queries. Tags are few (hundreds at most), so the tree is walked in memory.

use super::Conn;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use diesel::prelude::*;

use super::models::{TagRow, TagWrite};
use super::schema::{article_tags, articles, tags};
use crate::db::error::{StoreError, StoreResult};

/// Every tag, by id.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<TagRow>> {
    tags::table
        .select(TagRow::as_select())
        .order(tags::id)
        .load(conn)
        .map_err(StoreError::from)
}

/// The ids of the live tags among `slugs`, by slug.
pub fn ids_by_slug(conn: &mut Conn, slugs: &[String]) -> StoreResult<HashMap<String, i32>> {
    Ok(tags::table
        .filter(tags::slug.eq_any(slugs))
        .select((tags::slug, tags::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect())
}

/// The tag with this slug.
pub fn by_slug(conn: &mut Conn, slug: &str) -> StoreResult<Option<TagRow>> {
    if !super::can_match(slug) {
        return Ok(None);
    }
    tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// The ids of `root` and every tag below it.
pub fn descendants(all: &[TagRow], root: i32) -> Vec<i32> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for t in all {
        if let Some(p) = t.parent_id {
            children.entry(p).or_default().push(t.id);
        }
    }
    let mut out = vec![root];
    let mut seen: HashSet<i32> = HashSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            for &k in kids {
                if seen.insert(k) {
                    out.push(k);
                }
            }
        }
        i += 1;
    }
    out
}

/// What counts of public articles depend on: the database, the site counter (every write)
/// and the due watermark (publications falling due). Equal keys, equal counts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CountsKey {
    file: String,
    version: i64,
    watermark: i64,
}

/// The last counts computed, with their key: counting every link of a large site takes a
/// few hundred milliseconds, and tags lists, tag pages and related articles all need them.
static COUNTS: Mutex<Option<KeptCounts>> = Mutex::new(None);

/// Counts per tag and the public total, under the key they were computed for.
type KeptCounts = (CountsKey, HashMap<i32, i64>, i64);

fn counts_key(conn: &mut Conn, now: i64) -> StoreResult<CountsKey> {
    // Read before the counts: a write in between makes them newer than their key, never older.
    Ok(CountsKey {
        file: super::database_file(conn)?,
        version: super::changes::site(conn)?.version,
        watermark: super::changes::due_watermark(conn, now)?,
    })
}

/// Publicly visible articles per tag (the tag itself, not its descendants), and the number
/// of public articles; remembered until the site changes.
pub fn public_counts_and_total(conn: &mut Conn, now: i64) -> StoreResult<(HashMap<i32, i64>, i64)> {
    // Inside a write transaction the counts may include what a rollback undoes: never keep.
    let in_transaction = super::in_transaction(conn);
    let key = if in_transaction {
        None
    } else {
        Some(counts_key(conn, now)?)
    };
    if let Some(key) = &key
        && let Ok(guard) = COUNTS.lock()
        && let Some((k, counts, total)) = guard.as_ref()
        && k == key
    {
        return Ok((counts.clone(), *total));
    }
    let counts = count_public_per_tag(conn, now)?;
    let total = super::articles::count_public(conn, now)?;
    if let Some(key) = key
        && let Ok(mut guard) = COUNTS.lock()
    {
        *guard = Some((key, counts.clone(), total));
    }
    Ok((counts, total))
}

/// Publicly visible articles per tag (the tag itself, not its descendants).
pub fn public_counts(conn: &mut Conn, now: i64) -> StoreResult<HashMap<i32, i64>> {
    public_counts_and_total(conn, now).map(|(counts, _)| counts)
}

fn count_public_sql(now: i64, d: super::Dialect) -> String {
    format!(
        "SELECT l.tag_id AS tag_id, COUNT(*) AS n \
         FROM article_tags l{} WHERE {} GROUP BY l.tag_id",
        d.indexed_by("article_tags_listing"),
        super::articles::public_link(now)
    )
}

fn count_public_per_tag(conn: &mut Conn, now: i64) -> StoreResult<HashMap<i32, i64>> {
    use diesel::sql_types::{BigInt, Integer};
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Integer)]
        tag_id: i32,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // The links carry their article's visibility: one pass over the links' index, never an
    // article (joining every link to its article took 212 ms at 100,000 articles and 6.5 s
    // at a million; this takes 21 ms at 100,000).
    let rows: Vec<Count> =
        diesel::sql_query(count_public_sql(now, super::dialect(conn))).load(conn)?;
    Ok(rows.into_iter().map(|c| (c.tag_id, c.n)).collect())
}

/// Articles carrying this tag: (not in the trash, in the trash).
pub fn usage(conn: &mut Conn, tag_id: i32) -> StoreResult<(i64, i64)> {
    let trashed: Vec<bool> = article_tags::table
        .inner_join(articles::table)
        .filter(article_tags::tag_id.eq(tag_id))
        .select(articles::trashed_at.is_not_null())
        .load(conn)?;
    let in_trash = trashed.iter().filter(|t| **t).count() as i64;
    Ok((trashed.len() as i64 - in_trash, in_trash))
}

/// Inserts a tag under a new id; the caller checked the slug and parent.
pub fn insert(conn: &mut Conn, write: &TagWrite, now: i64) -> StoreResult<TagRow> {
    let id = next_id(conn)?;
    diesel::insert_into(tags::table)
        .values((write, tags::id.eq(id), tags::created_at.eq(now)))
        .returning(<TagRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// The next tag id: above every id ever handed out, deleted and merged tags' included, so an
/// id names one tag for good (revisions, mirrors and feeds refer to tags by id).
fn next_id(conn: &mut Conn) -> StoreResult<i32> {
    let live_max: Option<i32> = tags::table.select(diesel::dsl::max(tags::id)).first(conn)?;
    super::changes::next_id(conn, super::changes::IdCounter::Tag, live_max)
}

/// Replaces a tag's columns.
pub fn update(conn: &mut Conn, id: i32, write: &TagWrite) -> StoreResult<TagRow> {
    let row = diesel::update(tags::table.find(id))
        .set((write, tags::prev_updated_at.eq(tags::updated_at.nullable())))
        .returning(<TagRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)?;
    // Tag names are indexed with each article that carries them.
    super::fts::reindex_tag(conn, id)?;
    Ok(row)
}

/// What a delete did: deleted the tag, or found it still in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The tag is gone.
    Done,
    /// Articles carry it: so many live, so many in the trash.
    Carried {
        /// Live articles.
        live: i64,
        /// Articles in the trash (which keeps their tags for a restore).
        trashed: i64,
    },
    /// Tags sit below it.
    Parent {
        /// How many children.
        children: i64,
    },
}

/// Deletes a tag that no article carries and no tag has as parent; otherwise says which.
pub fn delete(conn: &mut Conn, tag: &TagRow) -> StoreResult<Deleted> {
    let (live, trashed) = usage(conn, tag.id)?;
    if live + trashed > 0 {
        return Ok(Deleted::Carried { live, trashed });
    }
    let children: i64 = tags::table
        .filter(tags::parent_id.eq(tag.id))
        .count()
        .get_result(conn)?;
    if children > 0 {
        return Ok(Deleted::Parent { children });
    }
    diesel::delete(tags::table.find(tag.id)).execute(conn)?;
    Ok(Deleted::Done)
}

/// Moves the children of `from` under `to`; returns how many moved.
pub fn reparent(conn: &mut Conn, from: i32, to: i32, now: i64) -> StoreResult<usize> {
    diesel::update(tags::table.filter(tags::parent_id.eq(from)))
        .set((
            tags::parent_id.eq(to),
            tags::prev_updated_at.eq(tags::updated_at.nullable()),
            tags::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(StoreError::from)
}

/// Deletes a tag the caller has emptied of articles and children.
pub fn delete_unused(conn: &mut Conn, id: i32) -> StoreResult<usize> {
    diesel::delete(tags::table.find(id))
        .execute(conn)
        .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Public counts per tag read one index of the links and never an article row.
    #[test]
    fn public_counts_read_only_the_links_index() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(dir.path().join("counts.db").to_str().unwrap()).unwrap();
        let plan = crate::db::query_plan(
            &mut pool.get().unwrap(),
            &count_public_sql(1_800_000_000_000_000, super::super::Dialect::Sqlite),
        );
        assert!(
            !plan.is_empty()
                && plan
                    .iter()
                    .all(|d| d.contains("COVERING INDEX article_tags_listing")),
            "{plan:?}"
        );
    }
}
