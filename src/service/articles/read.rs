//! Reading articles: one by id or slug (and where an old slug went), the feeds' latest, the
//! related ones, and field selections.

use super::*;

/// The newest public articles, with bodies, optionally only those under one tag (and its
/// descendants); for feeds. The tag comes back too; an unknown one is a 404.
pub fn latest(
    conn: &mut Conn,
    tag: Option<&str>,
    limit: i64,
) -> Result<(Option<TagRow>, Vec<Article>), ApiError> {
    let all = db::tags::all(conn)?;
    let tag = match tag {
        None => None,
        Some(slug) => {
            let slug = crate::text::nfc(slug);
            Some(
                all.iter()
                    .find(|t| t.slug == slug)
                    .cloned()
                    .ok_or_else(|| {
                        ApiError::NotFound(format!("no tag with slug `{}`", echo(&slug)))
                    })?,
            )
        }
    };
    let groups = tag
        .iter()
        .map(|t| db::tags::descendants(&all, t.id))
        .collect();
    let filter = ArticleFilter::latest(groups, limit, now_micros());
    let found = db::articles::list(conn, &filter)?;
    let ids: Vec<i32> = found.rows.iter().map(|r| r.id).collect();
    let mut tags = db::articles::tags_of(conn, &ids)?;
    let mut corrections = db::corrections::of(conn, &ids)?;
    let articles = found
        .rows
        .into_iter()
        .map(|row| {
            let t = tags.remove(&row.id).unwrap_or_default();
            let c = corrections.remove(&row.id).unwrap_or_default();
            to_wire(row, t, c)
        })
        .collect();
    Ok((tag, articles))
}

/// Most related articles one request returns (and counts).
pub const MAX_RELATED: i64 = 20;

/// Public articles related to a public one: those sharing its tags, a shared tag weighing
/// more the fewer articles carry it (inverse document frequency), then the newest.
pub fn related(
    conn: &mut Conn,
    reference: &str,
    limit: i64,
) -> Result<(Vec<ArticleListItem>, i64), ApiError> {
    let r = parse_ref(reference);
    let now = now_micros();
    let row =
        db::articles::find(conn, &r, Visibility::Public, now)?.ok_or_else(|| not_found(&r))?;
    let own = db::articles::tags_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    let (counts, public) = db::tags::public_counts_and_total(conn, now)?;
    let weights: Vec<(i32, f64)> = own
        .iter()
        .map(|t| {
            let carriers = counts.get(&t.id).copied().unwrap_or(1).max(1);
            (t.id, (1.0 + public as f64 / carriers as f64).ln())
        })
        .collect();
    let (ids, total) = db::articles::related(conn, row.id, &weights, now, limit)?;
    // The list is not paged: count only what a caller can fetch.
    let total = total.min(MAX_RELATED);
    let rows = db::articles::by_ids(conn, &ids)?;
    let mut tags = db::articles::tags_of(conn, &ids)?;
    let mut corrections = db::corrections::of(conn, &ids)?;
    let articles = rows
        .into_iter()
        .map(|row| {
            let t = tags.remove(&row.id).unwrap_or_default();
            let c = corrections.remove(&row.id).unwrap_or_default();
            ArticleListItem::from_article(to_wire(row, t, c), false)
        })
        .collect();
    Ok((articles, total))
}

/// Keeps only the selected top-level fields of a serialized article view.
pub fn select<T: serde::Serialize>(article: &T, fields: &[String]) -> Map<String, Value> {
    match serde_json::to_value(article) {
        Ok(Value::Object(mut map)) => {
            map.retain(|k, _| fields.iter().any(|f| f == k));
            map
        }
        _ => Map::new(),
    }
}

/// One article by id or slug, with body, as the caller may see it, and the times its
/// representation changed (its own writes, its publication, its tags' renames).
pub fn get(
    conn: &mut Conn,
    reference: &str,
    caller: &Caller,
) -> Result<(Article, Vec<i64>), ApiError> {
    let r = parse_ref(reference);
    let now = now_micros();
    let Some(row) = db::articles::find(conn, &r, reader_visibility(caller), now)? else {
        return Err(match db::articles::withdrawn(conn, &r, now)? {
            Some((id, status)) => gone(id, status),
            None => not_found(&r),
        });
    };
    let mut events = vec![row.updated_at];
    events.extend(row.prev_updated_at);
    // A publication instant is a change of its own only when it came after the last write
    // (a scheduled article falling due); otherwise the write made the article public.
    events.extend(
        row.published_at
            .filter(|p| *p <= now && *p > row.updated_at),
    );
    for (updated, prev) in db::articles::tag_times(conn, row.id)? {
        events.push(updated);
        events.extend(prev);
    }
    let mut article = load_wire(conn, row)?;
    if !partner(caller) {
        article.ed_note = None;
    }
    Ok((article, events))
}

/// The standard codes of every tag, for the industry formats.
pub fn tag_codes(
    conn: &mut Conn,
) -> Result<std::collections::HashMap<i32, crate::formats::TagCodes>, ApiError> {
    Ok(crate::formats::TagCodes::of(&db::tags::all(conn)?))
}

/// The answer to a public read of a withheld or canceled article.
fn gone(id: i32, status: PubStatus) -> ApiError {
    ApiError::Gone(match status {
        PubStatus::Canceled => format!(
            "article {id} was canceled (killed): it must not be distributed, and every copy already delivered must be removed"
        ),
        _ => format!(
            "article {id} was withheld: it is withdrawn from distribution; remove every copy until it is published again"
        ),
    })
}

/// What a request naming an article by id or slug found: the answer, or the current slug
/// of the article an old slug names.
#[derive(Debug)]
pub enum Resolved<T> {
    /// The article was there; this is the answer.
    Found(T),
    /// `{ref}` is an old slug of an article the caller may see; it lives at this slug now.
    Moved(String),
}

/// Runs `op` on the article `reference` names. When none goes by that name, an old slug of
/// a renamed article the caller may see resolves to where it went, in the same unit of work;
/// any other outcome passes through.
pub fn resolved<T>(
    conn: &mut Conn,
    reference: &str,
    caller: &Caller,
    op: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
) -> Result<Resolved<T>, ApiError> {
    match op(conn) {
        Err(ApiError::NotFound(missing)) => match moved(conn, reference, caller)? {
            Some(slug) => Ok(Resolved::Moved(slug)),
            None => Err(ApiError::NotFound(missing)),
        },
        other => other.map(Resolved::Found),
    }
}

/// Where an old slug of an article the caller may see now lives (its current slug).
fn moved(conn: &mut Conn, reference: &str, caller: &Caller) -> Result<Option<String>, ApiError> {
    let ArticleRef::Slug(slug) = parse_ref(reference) else {
        return Ok(None);
    };
    let Some(id) = db::revisions::article_redirect(conn, &slug)? else {
        return Ok(None);
    };
    let row = db::articles::find(
        conn,
        &ArticleRef::Id(id),
        reader_visibility(caller),
        now_micros(),
    )?;
    Ok(row.map(|r| r.slug).filter(|s| *s != slug))
}
