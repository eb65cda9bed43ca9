//! The change log partners sync from, and the site-wide write counter that list and feed
//! validators derive from. Every function that writes here runs inside the caller's write
//! transaction, so a change and its log entry commit together or not at all.

use super::Conn;
use diesel::dsl::max;
use diesel::prelude::*;

use super::models::{ChangeRow, SiteRow};
use super::schema::{articles, changes, site_state};
use crate::db::error::{StoreError, StoreResult};
use crate::model::{ArticleStatus, ChangeEvent, ChangeOp, PubStatus};

/// What the public can currently see of one article, for the log.
#[derive(Debug, Clone, Queryable)]
struct PublicState {
    status: ArticleStatus,
    published_at: Option<i64>,
    trashed_at: Option<i64>,
    slug: String,
    version: i32,
    pub_status: PubStatus,
    embargoed_until: Option<i64>,
}

impl PublicState {
    fn visible(&self, now: i64) -> bool {
        self.status == ArticleStatus::Published
            && self.pub_status == PubStatus::Usable
            && self.trashed_at.is_none()
            && self.published_at.is_some_and(|p| p <= now)
    }
}

/// Why an article is being logged: a write of any kind, or a correction (announced as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A write, a publication falling due, a tag it carries changing.
    Write,
    /// A correction or clarification was recorded.
    Correction,
    /// Its publication instant (or its embargo's end) passed, with no write.
    Due,
}

/// One entry the log just took: what partners are told of (the outbox copies it).
#[derive(Debug, Clone)]
pub struct Logged {
    /// The entry's seq (the `/changes` cursor).
    pub seq: i64,
    /// The article.
    pub article_id: i32,
    /// Its slug (the one the public last saw, for a removal).
    pub slug: String,
    /// Its version.
    pub version: i32,
    /// What it meant.
    pub event: ChangeEvent,
    /// When.
    pub at: i64,
}

/// The host feed ids are minted under: the one stored at the first start, or `candidate`,
/// stored now when none was.
pub fn id_authority(conn: &mut Conn, candidate: &str) -> StoreResult<String> {
    diesel::update(
        site_state::table
            .find(1)
            .filter(site_state::id_authority.is_null()),
    )
    .set(site_state::id_authority.eq(candidate))
    .execute(conn)?;
    site_state::table
        .find(1)
        .select(site_state::id_authority)
        .first::<Option<String>>(conn)
        .map(|a| a.unwrap_or_else(|| candidate.to_owned()))
        .map_err(StoreError::from)
}

/// An id sequence that never hands out an id twice.
#[derive(Debug, Clone, Copy)]
pub enum IdCounter {
    /// Article ids.
    Article,
    /// Tag ids.
    Tag,
}

/// The next id of `counter`: above every id it ever handed out and above `live_max`, the
/// highest id in use (SQLite alone would hand out max + 1 again after a delete).
pub fn next_id(conn: &mut Conn, counter: IdCounter, live_max: Option<i32>) -> StoreResult<i32> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    let column = match counter {
        IdCounter::Article => "last_article_id",
        IdCounter::Tag => "last_tag_id",
    };
    let greatest = super::dialect(conn).greatest();
    let next: Next = diesel::sql_query(format!(
        "UPDATE site_state SET {column} = {greatest}({column}, $1) + 1 WHERE id = 1 \
         RETURNING {column} AS id"
    ))
    .bind::<diesel::sql_types::Integer, _>(live_max.unwrap_or(0))
    .get_result(conn)?;
    Ok(next.id)
}

/// Counts a committed write: every list and feed validator changes with it.
pub fn touch(conn: &mut Conn, now: i64) -> StoreResult<()> {
    diesel::update(site_state::table.find(1))
        .set((
            site_state::version.eq(site_state::version + 1),
            site_state::prev_changed_at.eq(site_state::changed_at),
            site_state::changed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Enters the current public state of an article into the log after a write to it (or
/// after it was purged). A public article gets an `upsert` at a new seq; one that left
/// public view gets a `delete` with the slug the public knew; one the public never saw
/// gets nothing, so drafts never leak through the log.
pub fn record(conn: &mut Conn, article_id: i32, now: i64) -> StoreResult<Option<Logged>> {
    record_as(conn, article_id, now, Cause::Write)
}

/// `record`, saying why: a correction is announced as `corrected`, not `updated`. The entry's
/// event tells partners what happened: `published` (or `embargo_lifted`) when the article
/// became public, `updated` or `corrected` while it stays public, `withheld` or `canceled`
/// when it was withdrawn, `deleted` when it left public view any other way.
pub fn record_as(
    conn: &mut Conn,
    article_id: i32,
    now: i64,
    cause: Cause,
) -> StoreResult<Option<Logged>> {
    let state: Option<PublicState> = articles::table
        .find(article_id)
        .select((
            articles::status,
            articles::published_at,
            articles::trashed_at,
            articles::slug,
            articles::version,
            articles::pub_status,
            articles::embargoed_until,
        ))
        .first(conn)
        .optional()?;
    let logged: Option<(ChangeOp, String, ChangeEvent, i32)> = changes::table
        .filter(changes::article_id.eq(article_id))
        .select((changes::op, changes::slug, changes::event, changes::version))
        .first(conn)
        .optional()?;
    let was_public = matches!(logged, Some((ChangeOp::Upsert, _, _, _)));
    let entry = match (&state, &logged) {
        (Some(s), _) if s.visible(now) => {
            // An embargo lifts when its time comes; a write that publishes an article whose
            // embargo is already past (or removes it early) publishes it.
            let event = match (was_public, cause) {
                (false, Cause::Due) if s.embargoed_until.is_some_and(|e| e <= now) => {
                    ChangeEvent::EmbargoLifted
                }
                (false, _) => ChangeEvent::Published,
                (true, Cause::Correction) => ChangeEvent::Corrected,
                (true, Cause::Write | Cause::Due) => ChangeEvent::Updated,
            };
            Some((event, s.slug.clone(), s.version))
        }
        // A kill after a withdrawal is news of its own: every copy must now be recalled
        // for good, not only until the story comes back.
        (Some(s), Some((ChangeOp::Delete, public_slug, ChangeEvent::Withheld, _)))
            if s.pub_status == PubStatus::Canceled =>
        {
            Some((ChangeEvent::Canceled, public_slug.clone(), s.version))
        }
        (_, Some((ChangeOp::Upsert, public_slug, _, public_version))) => {
            let event = match state.as_ref().map(|s| s.pub_status) {
                Some(PubStatus::Withheld) => ChangeEvent::Withheld,
                Some(PubStatus::Canceled) => ChangeEvent::Canceled,
                _ => ChangeEvent::Deleted,
            };
            // A purged article has no row left: the version the public last saw.
            Some((
                event,
                public_slug.clone(),
                state.as_ref().map_or(*public_version, |s| s.version),
            ))
        }
        _ => None,
    };
    let Some((event, slug, version)) = entry else {
        return Ok(None);
    };
    // The article's old row goes; the new one takes the next seq.
    diesel::delete(changes::table.filter(changes::article_id.eq(article_id))).execute(conn)?;
    let seq: i32 = diesel::insert_into(changes::table)
        .values((
            changes::article_id.eq(article_id),
            changes::op.eq(event.op()),
            changes::slug.eq(&slug),
            changes::version.eq(version),
            changes::at.eq(now),
            changes::event.eq(event),
        ))
        .returning(changes::seq)
        .get_result(conn)?;
    // The outbox takes the event in this same transaction: committed together or not at all.
    super::webhooks::enqueue(
        conn,
        &super::webhooks::Outgoing {
            event: format!("article.{}", event.as_str()),
            cursor: i64::from(seq),
            at: now,
            subject: super::webhooks::Subject::Article {
                id: article_id,
                slug: slug.clone(),
                version,
            },
        },
    )?;
    Ok(Some(Logged {
        seq: i64::from(seq),
        article_id,
        slug,
        version,
        event,
        at: now,
    }))
}

/// The site counter and the two latest write times.
pub fn site(conn: &mut Conn) -> StoreResult<SiteRow> {
    site_state::table
        .find(1)
        .select(SiteRow::as_select())
        .first(conn)
        .map_err(StoreError::from)
}

/// The latest publication instant at or before `now` of a live published article: it moves
/// exactly when a scheduled article falls due, which changes lists without any write.
pub fn due_watermark(conn: &mut Conn, now: i64) -> StoreResult<i64> {
    // sort_at equals published_at for published articles, and the (status, trashed_at,
    // sort_at) index answers this with one seek.
    let m: Option<Option<i64>> = articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::trashed_at.is_null())
        .filter(articles::pub_status.eq(PubStatus::Usable))
        .filter(articles::sort_at.le(now))
        .select(max(articles::sort_at))
        .first(conn)
        .optional()?;
    Ok(m.flatten().unwrap_or(0))
}

/// How many live published articles fell due within `[from, now]`.
pub fn due_between(conn: &mut Conn, from: i64, now: i64) -> StoreResult<i64> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::trashed_at.is_null())
        .filter(articles::pub_status.eq(PubStatus::Usable))
        .filter(articles::sort_at.ge(from))
        .filter(articles::sort_at.le(now))
        .count()
        .get_result(conn)
        .map_err(StoreError::from)
}

/// True when a scheduled article fell due that the log does not show yet.
pub fn needs_sweep(conn: &mut Conn, now: i64) -> StoreResult<bool> {
    let from = site(conn)?.swept_until;
    Ok(due_between(conn, from + 1, now)? > 0)
}

/// Logs an `upsert` for every scheduled article that fell due since the last sweep. Runs
/// inside a write transaction.
pub fn sweep(conn: &mut Conn, now: i64) -> StoreResult<usize> {
    let from = site(conn)?.swept_until;
    let due: Vec<(i32, i32)> = articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::trashed_at.is_null())
        .filter(articles::pub_status.eq(PubStatus::Usable))
        .filter(articles::sort_at.gt(from))
        .filter(articles::sort_at.le(now))
        .order((articles::sort_at, articles::id))
        .select((articles::id, articles::version))
        .load(conn)?;
    let mut logged = 0;
    for (id, version) in due {
        // Most were public the moment they were written and are logged as such already.
        let current: Option<(ChangeOp, i32)> = changes::table
            .filter(changes::article_id.eq(id))
            .select((changes::op, changes::version))
            .first(conn)
            .optional()?;
        if current == Some((ChangeOp::Upsert, version)) {
            continue;
        }
        record_as(conn, id, now, Cause::Due)?;
        logged += 1;
    }
    diesel::update(site_state::table.find(1))
        .set(site_state::swept_until.eq(now))
        .execute(conn)?;
    Ok(logged)
}

/// Log entries after `since`, oldest first.
pub fn after(conn: &mut Conn, since: i64, limit: i64) -> StoreResult<Vec<ChangeRow>> {
    changes::table
        .filter(changes::seq.gt(since as i32))
        .order(changes::seq)
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// How many entries lie after `since`.
pub fn count_after(conn: &mut Conn, since: i64) -> StoreResult<i64> {
    changes::table
        .filter(changes::seq.gt(since as i32))
        .count()
        .get_result(conn)
        .map_err(StoreError::from)
}

/// Whether a committed entry follows `since`. Not `last_seq() > since`: on PostgreSQL the
/// sequence also counts values that transactions took and rolled back, so the highest seq
/// handed out can stand past every entry (a waiting stream would spin on it).
pub fn any_after(conn: &mut Conn, since: i64) -> StoreResult<bool> {
    let since = i32::try_from(since).unwrap_or(i32::MAX);
    Ok(changes::table
        .filter(changes::seq.gt(since))
        .select(changes::seq)
        .first::<i32>(conn)
        .optional()?
        .is_some())
}

/// The highest seq ever handed out (0 for an empty log).
pub fn last_seq(conn: &mut Conn) -> StoreResult<i64> {
    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    // The counter itself, not MAX(seq): a purge may delete the newest entries.
    let sql = match super::dialect(conn) {
        super::Dialect::Sqlite => {
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS seq"
        }
        super::Dialect::Postgres => {
            "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('changes', 'seq')::regclass), 0) AS seq"
        }
    };
    let rows: Vec<Seq> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.first().map_or(0, |r| r.seq))
}

/// Logs a change of the public state of every article carrying one of `tag_ids` (their
/// embedded tag changed).
pub fn record_carriers(conn: &mut Conn, tag_ids: &[i32], now: i64) -> StoreResult<usize> {
    use super::schema::article_tags;
    let ids: Vec<i32> = article_tags::table
        .filter(article_tags::tag_id.eq_any(tag_ids))
        .select(article_tags::article_id)
        .distinct()
        .order(article_tags::article_id)
        .load(conn)?;
    for id in &ids {
        record(conn, *id, now)?;
    }
    Ok(ids.len())
}
