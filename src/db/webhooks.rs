//! Webhook endpoints and their outbox. A change enters the outbox in the transaction that
//! makes it (`enqueue`, called where the change log takes its entry), so a crash can lose
//! neither; the sender claims one endpoint at a time (`claim`), sends its oldest due message
//! and records the outcome (`settle`). Plain Diesel, no HTTP.

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;

use super::Conn;
use super::models::{DeliveryRow, WebhookRow, WebhookWrite};
use super::schema::{article_tags, webhook_deliveries, webhooks};
use crate::db::error::{StoreError, StoreResult};

/// Every event type an endpoint may ask for.
pub const EVENT_TYPES: &[&str] = &[
    "article.published",
    "article.updated",
    "article.corrected",
    "article.withheld",
    "article.canceled",
    "article.embargo_lifted",
    "article.deleted",
    "tag.merged",
];

/// What an outgoing event is about.
#[derive(Debug, Clone)]
pub enum Subject {
    /// An article, as the change log entry names it.
    Article {
        /// Its id.
        id: i32,
        /// Its slug (for a removal, the one the public last saw).
        slug: String,
        /// Its version.
        version: i32,
    },
    /// A tag merged into another.
    TagMerged {
        /// The tag that went away.
        id: i32,
        /// Its slug.
        slug: String,
        /// The tag it went into.
        into_id: i32,
        /// That tag's slug.
        into_slug: String,
    },
}

/// One event to announce.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// `article.published`, …, `tag.merged`.
    pub event: String,
    /// The `/changes` cursor a partner resumes from to see this change.
    pub cursor: i64,
    /// When it happened.
    pub at: i64,
    /// What it is about.
    pub subject: Subject,
}

/// The thin payload, as stored and sent (the exact bytes every attempt carries).
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: PayloadData<'a>,
}

#[derive(Serialize)]
struct PayloadData<'a> {
    id: i32,
    slug: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
    cursor: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    into: Option<MergedInto<'a>>,
}

#[derive(Serialize)]
struct MergedInto<'a> {
    id: i32,
    slug: &'a str,
}

fn payload(out: &Outgoing, api_base: &str) -> String {
    let (id, slug, version, url, into) = match &out.subject {
        Subject::Article { id, slug, version } => (
            *id,
            slug.as_str(),
            Some(*version),
            format!("{api_base}{}", crate::paths::article(*id)),
            None,
        ),
        Subject::TagMerged {
            id,
            slug,
            into_id,
            into_slug,
        } => (
            *id,
            slug.as_str(),
            None,
            format!("{api_base}{}", crate::paths::tag(into_slug)),
            Some(MergedInto {
                id: *into_id,
                slug: into_slug,
            }),
        ),
    };
    let timestamp = chrono::DateTime::from_timestamp_micros(out.at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let p = Payload {
        kind: &out.event,
        timestamp,
        data: PayloadData {
            id,
            slug,
            version,
            cursor: out.cursor.to_string(),
            url,
            into,
        },
    };
    serde_json::to_string(&p).unwrap_or_default()
}

/// A new message id: the `webhook-id` of every attempt of one event, to every endpoint.
fn message_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// Writes `out` into the outbox of every enabled endpoint that takes its type and whose tag
/// filter it passes (a region's filter passes its countries' articles). Runs inside the
/// caller's write transaction. Returns how many deliveries it made.
pub fn enqueue(conn: &mut Conn, out: &Outgoing) -> StoreResult<usize> {
    let endpoints: Vec<WebhookRow> = webhooks::table
        .filter(webhooks::disabled_at.is_null())
        .select(WebhookRow::as_select())
        .load(conn)?;
    let takers: Vec<&WebhookRow> = endpoints
        .iter()
        .filter(|w| w.event_list().contains(&out.event.as_str()))
        .collect();
    if takers.is_empty() {
        return Ok(0);
    }
    let article = match &out.subject {
        Subject::Article { id, .. } => Some(*id),
        Subject::TagMerged { .. } => None,
    };
    // A withdrawal goes to every endpoint that was told of the article, whatever its tags
    // are now (retagged, then killed: the partner still holds the old copy).
    let removal = matches!(
        out.event.as_str(),
        "article.withheld" | "article.canceled" | "article.deleted"
    );
    let told: HashSet<i32> = match article {
        Some(id) if removal => webhook_deliveries::table
            .filter(webhook_deliveries::article_id.eq(id))
            .select(webhook_deliveries::webhook_id)
            .distinct()
            .load::<i32>(conn)?
            .into_iter()
            .collect(),
        _ => HashSet::new(),
    };
    // The tags the subject stands under: its own, and every ancestor of them.
    let mut under: Option<HashSet<i32>> = None;
    let msg_id = message_id();
    let mut made = 0;
    for w in takers {
        let filter = w.tag_ids();
        if !filter.is_empty() && !told.contains(&w.id) {
            if under.is_none() {
                under = Some(subject_tags(conn, &out.subject)?);
            }
            if !filter
                .iter()
                .any(|t| under.as_ref().is_some_and(|u| u.contains(t)))
            {
                continue;
            }
        }
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(w.id),
                webhook_deliveries::msg_id.eq(&msg_id),
                webhook_deliveries::event.eq(&out.event),
                webhook_deliveries::cursor.eq(out.cursor),
                webhook_deliveries::payload.eq(payload(out, &w.api_base)),
                webhook_deliveries::created_at.eq(out.at),
                webhook_deliveries::status.eq("pending"),
                webhook_deliveries::next_at.eq(out.at),
                webhook_deliveries::article_id.eq(article),
            ))
            .execute(conn)?;
        made += 1;
    }
    Ok(made)
}

/// The tags a subject stands under: its tags and their ancestors (a merge: both tags).
fn subject_tags(conn: &mut Conn, subject: &Subject) -> StoreResult<HashSet<i32>> {
    let direct: Vec<i32> = match subject {
        Subject::Article { id, .. } => article_tags::table
            .filter(article_tags::article_id.eq(*id))
            .select(article_tags::tag_id)
            .load(conn)?,
        Subject::TagMerged { id, into_id, .. } => vec![*id, *into_id],
    };
    let all = super::tags::all(conn)?;
    let mut under: HashSet<i32> = HashSet::new();
    for t in direct {
        let mut at = Some(t);
        // The tree is acyclic; the bound only guards a corrupt one.
        for _ in 0..64 {
            let Some(id) = at else { break };
            if !under.insert(id) {
                break;
            }
            at = all.iter().find(|x| x.id == id).and_then(|x| x.parent_id);
        }
    }
    Ok(under)
}

/// Filters that named a tag merged away name the tag it went into.
pub fn follow_merge(conn: &mut Conn, from: i32, into: i32) -> StoreResult<()> {
    for w in all(conn)? {
        let ids = w.tag_ids();
        if !ids.contains(&from) {
            continue;
        }
        let mut next: Vec<i32> = Vec::new();
        for id in ids {
            let id = if id == from { into } else { id };
            if !next.contains(&id) {
                next.push(id);
            }
        }
        let tags = next
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        diesel::update(webhooks::table.find(w.id))
            .set(webhooks::tags.eq(tags))
            .execute(conn)?;
    }
    Ok(())
}

/// Every endpoint, oldest first.
pub fn all(conn: &mut Conn) -> StoreResult<Vec<WebhookRow>> {
    webhooks::table
        .order(webhooks::id)
        .select(WebhookRow::as_select())
        .load(conn)
        .map_err(StoreError::from)
}

/// One endpoint.
pub fn get(conn: &mut Conn, id: i32) -> StoreResult<Option<WebhookRow>> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::from)
}

/// Registers an endpoint.
pub fn create(
    conn: &mut Conn,
    w: &WebhookWrite,
    secret: &str,
    api_base: &str,
    now: i64,
) -> StoreResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values((
            w,
            webhooks::secret.eq(secret),
            webhooks::api_base.eq(api_base),
            webhooks::created_at.eq(now),
        ))
        .returning(<WebhookRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// Replaces an endpoint's settings.
pub fn update(conn: &mut Conn, id: i32, w: &WebhookWrite) -> StoreResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set(w)
        .returning(<WebhookRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// A new secret; the old one keeps signing beside it until `previous_until`.
pub fn rotate(
    conn: &mut Conn,
    id: i32,
    secret: &str,
    previous_until: i64,
    now: i64,
) -> StoreResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::previous_secret.eq(webhooks::secret.nullable()),
            webhooks::previous_until.eq(previous_until),
            webhooks::secret.eq(secret),
            webhooks::updated_at.eq(now),
        ))
        .returning(<WebhookRow as Selectable<crate::db::Db>>::construct_selection())
        .get_result(conn)
        .map_err(StoreError::from)
}

/// Deletes an endpoint and its outbox; false when there was none.
pub fn delete(conn: &mut Conn, id: i32) -> StoreResult<bool> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id)))
        .execute(conn)?;
    Ok(diesel::delete(webhooks::table.find(id)).execute(conn)? > 0)
}

/// Stops deliveries to an endpoint (they stay pending until it is enabled again).
pub fn disable(conn: &mut Conn, id: i32, reason: &str, now: i64) -> StoreResult<()> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::disabled_at.eq(now),
            webhooks::disabled_reason.eq(reason),
            webhooks::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deliveries waiting or between retries, per endpoint.
pub fn pending_counts(conn: &mut Conn) -> StoreResult<std::collections::HashMap<i32, i64>> {
    let rows: Vec<(i32, i64)> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .group_by(webhook_deliveries::webhook_id)
        .select((webhook_deliveries::webhook_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Whether any endpoint is enabled (the sender idles otherwise).
pub fn any_enabled(conn: &mut Conn) -> StoreResult<bool> {
    Ok(webhooks::table
        .filter(webhooks::disabled_at.is_null())
        .select(webhooks::id)
        .first::<i32>(conn)
        .optional()?
        .is_some())
}

/// Up to `limit` enabled endpoints that no sender holds and whose oldest pending delivery is
/// due at `now` (the only one `next_due` would send).
pub fn due_endpoints(conn: &mut Conn, now: i64, limit: i64) -> StoreResult<Vec<i32>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    let ids: Vec<Id> = diesel::sql_query(
        "SELECT w.id AS id FROM webhooks w \
         WHERE w.disabled_at IS NULL AND (w.busy_until IS NULL OR w.busy_until < $1) \
         AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.seq = \
             (SELECT MIN(o.seq) FROM webhook_deliveries o \
              WHERE o.webhook_id = w.id AND o.status = 'pending') \
             AND d.next_at <= $1) \
         ORDER BY w.id LIMIT $2",
    )
    .bind::<diesel::sql_types::BigInt, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)?;
    Ok(ids.into_iter().map(|r| r.id).collect())
}

/// Takes an endpoint for one sender until `until`, unless another holds it; true when taken.
/// A compare-and-set on the row, so it holds across processes on one database.
pub fn claim(conn: &mut Conn, id: i32, now: i64, until: i64) -> StoreResult<bool> {
    let n = diesel::update(
        webhooks::table
            .find(id)
            .filter(webhooks::disabled_at.is_null())
            .filter(
                webhooks::busy_until
                    .is_null()
                    .or(webhooks::busy_until.lt(now)),
            ),
    )
    .set(webhooks::busy_until.eq(until))
    .execute(conn)?;
    Ok(n == 1)
}

/// Extends the claim a sender holds on an endpoint.
pub fn claim_again(conn: &mut Conn, id: i32, until: i64) -> StoreResult<()> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::busy_until.eq(until))
        .execute(conn)?;
    Ok(())
}

/// Gives an endpoint back.
pub fn release(conn: &mut Conn, id: i32) -> StoreResult<()> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::busy_until.eq(None::<i64>))
        .execute(conn)?;
    Ok(())
}

/// The endpoint's oldest pending delivery, with the endpoint, when it is due at `now`. A
/// later message never overtakes an earlier one: while the oldest waits for its retry, the
/// endpoint gets nothing (a mirror applying a withhold after the republish that followed it
/// would drop a live story).
pub fn next_due(
    conn: &mut Conn,
    webhook_id: i32,
    now: i64,
) -> StoreResult<Option<(DeliveryRow, WebhookRow)>> {
    let Some(w) = get(conn, webhook_id)? else {
        return Ok(None);
    };
    if w.disabled_at.is_some() {
        return Ok(None);
    }
    let d: Option<DeliveryRow> = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::status.eq("pending"))
        .order(webhook_deliveries::seq)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?;
    Ok(d.filter(|d| d.next_at.is_none_or(|at| at <= now))
        .map(|d| (d, w)))
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// When it was made.
    pub at: i64,
    /// The HTTP status, when one came back.
    pub status: Option<i32>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// What comes of it.
    pub then: Then,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Delivered.
    Delivered,
    /// Try again at this instant.
    Retry(i64),
    /// No more tries.
    GiveUp,
}

/// Records an attempt at delivery `seq`.
pub fn settle(conn: &mut Conn, seq: i32, a: &Attempt) -> StoreResult<()> {
    let (status, next_at, delivered_at) = match a.then {
        Then::Delivered => ("delivered", None, Some(a.at)),
        Then::Retry(at) => ("pending", Some(at), None),
        Then::GiveUp => ("failed", None, None),
    };
    diesel::update(webhook_deliveries::table.find(seq))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_at.eq(next_at),
            webhook_deliveries::last_at.eq(a.at),
            webhook_deliveries::last_status.eq(a.status),
            webhook_deliveries::last_error.eq(&a.error),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deliveries of an endpoint, newest first, below `before` (a `seq`), optionally of one
/// status; and how many there are in all.
pub fn deliveries(
    conn: &mut Conn,
    webhook_id: i32,
    before: Option<i32>,
    status: Option<&str>,
    limit: i64,
) -> StoreResult<(Vec<DeliveryRow>, i64)> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .into_boxed();
    let mut count = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.to_owned()));
        count = count.filter(webhook_deliveries::status.eq(s.to_owned()));
    }
    if let Some(b) = before {
        q = q.filter(webhook_deliveries::seq.lt(b));
    }
    let rows = q
        .order(webhook_deliveries::seq.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let total = count.count().get_result(conn)?;
    Ok((rows, total))
}

/// Sends one message again (the same id and bytes), from now on the schedule's first step;
/// how many deliveries that was (0 or 1).
pub fn replay_message(
    conn: &mut Conn,
    webhook_id: i32,
    msg_id: &str,
    now: i64,
) -> StoreResult<usize> {
    let seqs = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::msg_id.eq(msg_id))
        .select(webhook_deliveries::seq)
        .load(conn)?;
    replay(conn, seqs, now)
}

/// Sends again every message of an endpoint after `/changes` cursor `since`.
pub fn replay_since(conn: &mut Conn, webhook_id: i32, since: i64, now: i64) -> StoreResult<usize> {
    let seqs = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::cursor.gt(since))
        .select(webhook_deliveries::seq)
        .load(conn)?;
    replay(conn, seqs, now)
}

fn replay(conn: &mut Conn, seqs: Vec<i32>, now: i64) -> StoreResult<usize> {
    if seqs.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::seq.eq_any(&seqs)))
            .set((
                webhook_deliveries::status.eq("pending"),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_at.eq(now),
            ))
            .execute(conn)?,
    )
}
