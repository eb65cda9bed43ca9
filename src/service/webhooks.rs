//! Managing webhook endpoints: checked input, secrets, tag filters by slug, deliveries and
//! replays. Delivery itself is `push::sender`'s.

use crate::db::models::{DeliveryRow, TagRow, WebhookRow, WebhookWrite};
use crate::db::webhooks::EVENT_TYPES;
use crate::db::{self, Conn, now_micros};
use crate::dto::instant;
use crate::dto::list::ListMeta;
use crate::dto::webhook::{
    DeliveriesParams, Delivery, DeliveryList, ReplayRequest, Webhook, WebhookCreate, WebhookLinks,
    WebhookPatch,
};
use crate::error::ApiError;
use crate::push::guard::refused_literal;
use crate::push::sign;
use crate::validate::{Errors, Validate, echo};

/// How long a rotated secret keeps signing beside the new one.
const ROTATION_MICROS: i64 = 24 * 3600 * 1_000_000;

/// Where the server's own API lives, for the URLs payloads carry.
pub struct ApiBase(pub String);

fn webhook_path(id: i32) -> String {
    format!("{}/webhooks/{id}", crate::paths::API)
}

/// The URL as answers show it: a password in it (basic auth to the receiver) masked.
fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn to_wire(w: &WebhookRow, tags: &[TagRow], pending: i64, secret: Option<String>) -> Webhook {
    let now = now_micros();
    Webhook {
        id: w.id,
        url: shown_url(&w.url),
        description: w.description.clone(),
        events: w.event_list().into_iter().map(str::to_owned).collect(),
        tags: w
            .tag_ids()
            .into_iter()
            .filter_map(|id| tags.iter().find(|t| t.id == id).map(|t| t.slug.clone()))
            .collect(),
        enabled: w.disabled_at.is_none(),
        disabled_reason: w.disabled_reason.clone(),
        secret,
        previous_secret_until: w.previous_until.filter(|u| *u > now).map(instant),
        created_at: instant(w.created_at),
        updated_at: instant(w.updated_at),
        pending,
        links: WebhookLinks {
            self_: webhook_path(w.id),
            deliveries: format!("{}/deliveries", webhook_path(w.id)),
        },
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("no webhook with id {}", echo(id)))
}

fn parse_id(raw: &str) -> Result<i32, ApiError> {
    raw.parse::<i32>().map_err(|_| not_found(raw))
}

/// Checks the event types and resolves tag slugs to ids, naming each bad one.
fn filters(
    conn: &mut Conn,
    events: Option<&[String]>,
    tags: Option<&[String]>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let mut errors = Errors::default();
    let events = events.map(|list| {
        let unknown: Vec<String> = list
            .iter()
            .filter(|e| !EVENT_TYPES.contains(&e.as_str()))
            .map(|e| format!("`{}`", echo(e)))
            .collect();
        if list.is_empty() {
            errors.add(
                "events",
                format!(
                    "names no event type; choose from {}",
                    EVENT_TYPES.join(", ")
                ),
            );
        } else if !unknown.is_empty() {
            errors.add(
                "events",
                format!(
                    "{} is not an event type; choose from {}",
                    unknown.join(", "),
                    EVENT_TYPES.join(", ")
                ),
            );
        }
        let mut kept: Vec<&str> = Vec::new();
        for e in list {
            if !kept.contains(&e.as_str()) {
                kept.push(e);
            }
        }
        kept.join(",")
    });
    let tags = match tags {
        None => None,
        Some(slugs) => {
            let mut found = db::tags::ids_by_slug(conn, slugs)?;
            // A merged tag's old slug names the tag it went into, as in every filter.
            for s in slugs {
                if !found.contains_key(s.as_str())
                    && let Some(id) = db::revisions::tag_redirect(conn, s)?
                {
                    found.insert(s.clone(), id);
                }
            }
            let unknown: Vec<String> = slugs
                .iter()
                .filter(|s| !found.contains_key(s.as_str()))
                .map(|s| format!("`{}`", echo(s)))
                .collect();
            if !unknown.is_empty() {
                errors.add("tags", format!("no tag with slug {}", unknown.join(", ")));
            }
            let mut ids: Vec<i32> = Vec::new();
            for s in slugs {
                if let Some(&id) = found.get(s.as_str())
                    && !ids.contains(&id)
                {
                    ids.push(id);
                }
            }
            Some(ids.iter().map(i32::to_string).collect::<Vec<_>>().join(","))
        }
    };
    errors.into_result()?;
    Ok((events, tags))
}

/// Refuses a URL the client could not use, and a private target unless the server allows
/// them.
fn check_target(url: &str, allow_private: bool) -> Result<(), ApiError> {
    crate::push::guard::parse(url).map_err(|why| ApiError::invalid_field("url", why))?;
    match refused_literal(url) {
        Some(why) if !allow_private => Err(ApiError::invalid_field(
            "url",
            format!(
                "{why}: webhooks may not reach this server's own network (the server allows it with --webhook-allow-private)"
            ),
        )),
        _ => Ok(()),
    }
}

/// Registers an endpoint; the answer carries its secret (the only time it is shown with
/// `rotate_secret`).
pub fn create(
    conn: &mut Conn,
    input: WebhookCreate,
    base: &ApiBase,
    allow_private: bool,
) -> Result<Webhook, ApiError> {
    input.validate()?;
    let url = input.url.unwrap_or_default();
    check_target(&url, allow_private)?;
    db::immediate(conn, |conn| {
        let (events, tags) = filters(conn, input.events.as_deref(), input.tags.as_deref())?;
        let now = now_micros();
        let write = WebhookWrite {
            url: url.clone(),
            description: input.description.clone(),
            events: events.unwrap_or_else(|| EVENT_TYPES.join(",")),
            tags: tags.unwrap_or_default(),
            disabled_at: None,
            disabled_reason: None,
            updated_at: now,
        };
        let secret = sign::new_secret();
        let row = db::webhooks::create(conn, &write, &secret, &base.0, now)?;
        let all = db::tags::all(conn)?;
        Ok(to_wire(&row, &all, 0, Some(secret)))
    })
}

/// Every endpoint.
pub fn list(conn: &mut Conn) -> Result<Vec<Webhook>, ApiError> {
    let rows = db::webhooks::all(conn)?;
    let all = db::tags::all(conn)?;
    let pending = db::webhooks::pending_counts(conn)?;
    Ok(rows
        .iter()
        .map(|w| to_wire(w, &all, pending.get(&w.id).copied().unwrap_or(0), None))
        .collect())
}

/// One endpoint.
pub fn get(conn: &mut Conn, raw: &str) -> Result<Webhook, ApiError> {
    let row = db::webhooks::get(conn, parse_id(raw)?)?.ok_or_else(|| not_found(raw))?;
    let all = db::tags::all(conn)?;
    let pending = db::webhooks::pending_counts(conn)?;
    Ok(to_wire(
        &row,
        &all,
        pending.get(&row.id).copied().unwrap_or(0),
        None,
    ))
}

/// Changes an endpoint (and rotates its secret when asked).
pub fn patch(
    conn: &mut Conn,
    raw: &str,
    p: WebhookPatch,
    allow_private: bool,
) -> Result<Webhook, ApiError> {
    p.validate()?;
    if let Some(url) = &p.url {
        check_target(url, allow_private)?;
    }
    db::immediate(conn, |conn| {
        let id = parse_id(raw)?;
        let row = db::webhooks::get(conn, id)?.ok_or_else(|| not_found(raw))?;
        let (events, tags) = filters(conn, p.events.as_deref(), p.tags.as_deref())?;
        let now = now_micros();
        let (disabled_at, disabled_reason) = match p.enabled {
            Some(true) => (None, None),
            Some(false) if row.disabled_at.is_none() => {
                (Some(now), Some("disabled through the API".to_owned()))
            }
            _ => (row.disabled_at, row.disabled_reason.clone()),
        };
        let write = WebhookWrite {
            url: p.url.clone().unwrap_or(row.url.clone()),
            description: match &p.description {
                Some(d) => d.clone(),
                None => row.description.clone(),
            },
            events: events.unwrap_or(row.events.clone()),
            tags: tags.unwrap_or(row.tags.clone()),
            disabled_at,
            disabled_reason,
            updated_at: now,
        };
        let mut row = db::webhooks::update(conn, id, &write)?;
        let mut secret = None;
        if p.rotate_secret == Some(true) {
            let fresh = sign::new_secret();
            row = db::webhooks::rotate(conn, id, &fresh, now + ROTATION_MICROS, now)?;
            secret = Some(fresh);
        }
        let all = db::tags::all(conn)?;
        let pending = db::webhooks::pending_counts(conn)?;
        Ok(to_wire(
            &row,
            &all,
            pending.get(&row.id).copied().unwrap_or(0),
            secret,
        ))
    })
}

/// Deletes an endpoint and what it had waiting.
pub fn delete(conn: &mut Conn, raw: &str) -> Result<(), ApiError> {
    let id = parse_id(raw)?;
    db::immediate(conn, |conn| {
        if db::webhooks::delete(conn, id)? {
            Ok(())
        } else {
            Err(not_found(raw))
        }
    })
}

fn delivery_wire(d: DeliveryRow) -> Delivery {
    Delivery {
        id: d.msg_id,
        event: d.event,
        cursor: d.cursor.to_string(),
        status: d.status,
        attempts: d.attempts,
        response_status: d.last_status,
        error: d.last_error,
        created_at: instant(d.created_at),
        last_attempt_at: d.last_at.map(instant),
        next_attempt_at: d.next_at.map(instant),
        delivered_at: d.delivered_at.map(instant),
        payload: d.payload,
    }
}

/// A page of an endpoint's deliveries, newest first.
pub fn deliveries(
    conn: &mut Conn,
    raw: &str,
    params: &DeliveriesParams,
) -> Result<DeliveryList, ApiError> {
    let mut errors = Errors::default();
    let status = match params.status.as_deref() {
        None => None,
        Some(s @ ("pending" | "delivered" | "failed")) => Some(s.to_owned()),
        Some(other) => {
            errors.add(
                "status",
                format!(
                    "must be pending, delivered or failed, not `{}`",
                    echo(other)
                ),
            );
            None
        }
    };
    let limit = match params.limit.as_deref() {
        None => 50,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                errors.add(
                    "limit",
                    format!("must be a whole number from 1 to 100, not `{}`", echo(l)),
                );
                50
            }
        },
    };
    let before = match params.before.as_deref() {
        None => None,
        Some(b) => match b.parse::<i32>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.add(
                    "before",
                    format!(
                        "must be the `meta.next_cursor` of a page, not `{}`",
                        echo(b)
                    ),
                );
                None
            }
        },
    };
    errors.into_param_result()?;
    let id = parse_id(raw)?;
    db::webhooks::get(conn, id)?.ok_or_else(|| not_found(raw))?;
    let (rows, total) = db::webhooks::deliveries(conn, id, before, status.as_deref(), limit + 1)?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<DeliveryRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| rows.last().map(|r| r.seq.to_string()))
        .flatten();
    Ok(DeliveryList {
        data: rows.into_iter().map(delivery_wire).collect(),
        meta: ListMeta {
            total,
            limit,
            page: None,
            next_cursor,
        },
    })
}

/// Queues one message, or every message after a cursor, again.
pub fn replay(conn: &mut Conn, raw: &str, r: ReplayRequest) -> Result<i64, ApiError> {
    r.validate()?;
    let since = r.since.as_deref().and_then(|s| s.parse::<i64>().ok());
    db::immediate(conn, |conn| {
        let id = parse_id(raw)?;
        db::webhooks::get(conn, id)?.ok_or_else(|| not_found(raw))?;
        let now = now_micros();
        let n = match (&r.message, since) {
            (Some(msg), _) => {
                let n = db::webhooks::replay_message(conn, id, msg, now)?;
                // The endpoint exists (a 404 would say it does not): the message is what
                // its outbox lacks.
                if n == 0 {
                    return Err(ApiError::Conflict(format!(
                        "webhook {id} has no message `{}`; GET /api/v1/webhooks/{id}/deliveries lists its messages",
                        echo(msg)
                    )));
                }
                n
            }
            (None, Some(since)) => db::webhooks::replay_since(conn, id, since, now)?,
            (None, None) => 0,
        };
        Ok(n as i64)
    })
}
