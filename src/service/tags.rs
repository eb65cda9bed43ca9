//! Tags: the list with counts, one tag with its children, and writes.

use std::collections::HashMap;

use super::params;
use crate::conditional::IfMatch;
use crate::db::Conn;
use crate::db::models::{TagRow, TagWrite};
use crate::db::{self, now_micros};
use crate::dto::tag::{
    Tag, TagBrief, TagCreate, TagKind, TagLinks, TagListParams, TagMerge, TagMergeResult, TagPatch,
};
use crate::error::ApiError;
use crate::search::name_matches;
use crate::text::analyzer::{fold, normalize};
use crate::text::nfc;
use crate::text::slug::{check_slug, slugify};
use crate::validate::{Errors, Validate, echo};

/// A page of tags.
#[derive(Debug)]
pub struct TagPage {
    /// The tags.
    pub data: Vec<Tag>,
    /// Matching tags across pages.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Page number.
    pub page: i64,
}

fn brief(t: &TagRow) -> TagBrief {
    TagBrief {
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
    }
}

fn to_wire(t: &TagRow, all: &[TagRow], counts: &HashMap<i32, i64>) -> Tag {
    Tag {
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
        name_en: t.name_en.clone(),
        kind: t.kind,
        parent: t
            .parent_id
            .and_then(|p| all.iter().find(|x| x.id == p))
            .map(brief),
        description: t.description.clone(),
        iptc_media_topic: t.iptc_media_topic.clone(),
        iso3166: t.iso3166.clone(),
        wikidata: t.wikidata.clone(),
        article_count: counts.get(&t.id).copied().unwrap_or(0),
        updated_at: crate::dto::instant(t.updated_at),
        children: None,
        links: TagLinks {
            self_: crate::paths::tag(&t.slug),
            articles: crate::paths::articles_tagged(&t.slug),
        },
    }
}

/// Lists tags as `GET /api/v1/tags` asks.
pub fn list(conn: &mut Conn, p: &TagListParams) -> Result<TagPage, ApiError> {
    let mut errors = Errors::default();
    let limit = params::limit(&mut errors, p.limit.as_deref());
    let page = params::page(&mut errors, p.page.as_deref()).unwrap_or(1);
    let kind = p.kind.as_deref().map(|k| {
        TagKind::parse(k).ok_or_else(|| {
            errors.add(
                "kind",
                format!(
                    "must be region, country, organization, topic or person, not `{}`",
                    echo(k)
                ),
            )
        })
    });
    // Typed text with no letter in it (`*`, `%`) matches nothing rather than everything.
    let typed =
        p.q.as_deref()
            .filter(|q| !q.trim().is_empty())
            .map(normalize);
    if p.q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        errors.add("q", "must be at most 100 characters");
    } else if p.q.as_ref().is_some_and(|q| q.contains('\u{FFFD}')) {
        // The query decoder replaces bytes that are not UTF-8 with U+FFFD, as for articles.
        errors.add("q", "is not valid UTF-8 (check the percent-encoding)");
    }
    let by_count = match p.sort.as_deref() {
        None => typed.is_some(),
        Some("name") => false,
        Some("-article_count") => true,
        Some(other) => {
            errors.add(
                "sort",
                format!("must be `name` or `-article_count`, not `{}`", echo(other)),
            );
            false
        }
    };
    let all = db::tags::all(conn)?;
    let parent = match p.parent.as_deref() {
        None => None,
        Some(slug) => match find_tag(conn, &all, &nfc(slug))? {
            Some(t) => Some(t.id),
            None => {
                errors.add("parent", format!("no tag with slug `{}`", echo(slug)));
                None
            }
        },
    };
    errors.into_param_result()?;
    let counts = db::tags::public_counts(conn, now_micros())?;
    let mut rows: Vec<&TagRow> = all
        .iter()
        .filter(|t| match &kind {
            Some(Ok(k)) => t.kind == *k,
            _ => true,
        })
        .filter(|t| parent.is_none() || t.parent_id == parent)
        .filter(|t| {
            typed.as_deref().is_none_or(|q| {
                name_matches(&t.name, q)
                    || t.name_en.as_deref().is_some_and(|en| name_matches(en, q))
            })
        })
        .collect();
    // Sorted as a reader expects: hamza forms of alef sort with bare alef.
    let keys: HashMap<i32, String> = rows.iter().map(|t| (t.id, fold(&t.name))).collect();
    rows.sort_by(|a, b| {
        let by_name = keys[&a.id]
            .cmp(&keys[&b.id])
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id));
        if by_count {
            let ca = counts.get(&a.id).copied().unwrap_or(0);
            let cb = counts.get(&b.id).copied().unwrap_or(0);
            cb.cmp(&ca).then(by_name)
        } else {
            by_name
        }
    });
    let total = rows.len() as i64;
    let data = rows
        .into_iter()
        .skip(((page - 1) * limit) as usize)
        .take(limit as usize)
        .map(|t| to_wire(t, &all, &counts))
        .collect();
    Ok(TagPage {
        data,
        total,
        limit,
        page,
    })
}

/// The tag a slug names: a live tag, or the one a merged or renamed slug redirects to.
fn find_tag<'a>(
    conn: &mut Conn,
    all: &'a [TagRow],
    slug: &str,
) -> Result<Option<&'a TagRow>, ApiError> {
    if let Some(t) = all.iter().find(|t| t.slug == slug) {
        return Ok(Some(t));
    }
    Ok(db::revisions::tag_redirect(conn, slug)?.and_then(|id| all.iter().find(|t| t.id == id)))
}

/// Where a merged or renamed tag's old slug now points (the tag's current slug).
pub fn moved(conn: &mut Conn, slug: &str) -> Result<Option<String>, ApiError> {
    let slug = nfc(slug);
    let Some(id) = db::revisions::tag_redirect(conn, &slug)? else {
        return Ok(None);
    };
    Ok(db::tags::all(conn)?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.slug)
        .filter(|s| *s != slug))
}

/// One tag by slug, with its direct children.
pub fn get(conn: &mut Conn, slug: &str) -> Result<Tag, ApiError> {
    let all = db::tags::all(conn)?;
    let slug = nfc(slug);
    let tag = all
        .iter()
        .find(|t| t.slug == slug)
        .ok_or_else(|| ApiError::NotFound(format!("no tag with slug `{}`", echo(&slug))))?;
    let counts = db::tags::public_counts(conn, now_micros())?;
    let mut wire = to_wire(tag, &all, &counts);
    let mut children: Vec<TagBrief> = all
        .iter()
        .filter(|t| t.parent_id == Some(tag.id))
        .map(brief)
        .collect();
    children.sort_by_cached_key(|t| (fold(&t.name), t.id));
    wire.children = Some(children);
    Ok(wire)
}

fn validate(
    conn: &mut Conn,
    w: &mut TagWrite,
    parent_slug: Option<&str>,
    self_id: Option<i32>,
) -> Result<(), ApiError> {
    let mut e = Errors::default();
    // A slug derived from a name can still be unusable (e.g. a name of punctuation only).
    if let Err(msg) = check_slug(&w.slug) {
        e.add("slug", msg);
    }
    let all = db::tags::all(conn)?;
    w.parent_id = match parent_slug {
        None => None,
        Some(p) => match find_tag(conn, &all, p)? {
            None => {
                e.add("parent", format!("no tag with slug `{}`", echo(p)));
                None
            }
            Some(t) => {
                // A tag may not sit below itself or its own descendants.
                if let Some(id) = self_id
                    && db::tags::descendants(&all, id).contains(&t.id)
                {
                    e.add(
                        "parent",
                        "would make a cycle: it is this tag or one of its descendants",
                    );
                }
                Some(t.id)
            }
        },
    };
    e.into_result()?;
    if let Some(other) = all
        .iter()
        .find(|t| t.slug == w.slug && Some(t.id) != self_id)
    {
        return Err(ApiError::Conflict(format!(
            "slug `{}` is taken by tag {}",
            w.slug, other.id
        )));
    }
    Ok(())
}

/// Creates a tag.
pub fn create(conn: &mut Conn, input: TagCreate) -> Result<Tag, ApiError> {
    input.validate()?;
    db::immediate(conn, |conn| create_in(conn, input))
}

/// Creates a tag inside a transaction the caller holds (an import's batch); the input was
/// validated.
pub fn create_in(conn: &mut Conn, input: TagCreate) -> Result<Tag, ApiError> {
    let name = nfc(input.name.as_deref().unwrap_or(""));
    let slug = match &input.slug {
        Some(s) => nfc(s),
        None => slugify(input.name_en.as_deref().unwrap_or(&name)),
    };
    let now = now_micros();
    let mut w = TagWrite {
        slug,
        name,
        name_en: input.name_en.map(|s| nfc(&s)),
        kind: input.kind.unwrap_or(TagKind::Topic),
        parent_id: None,
        description: input.description.map(|s| nfc(&s)),
        updated_at: now,
        iptc_media_topic: input.iptc_media_topic,
        iso3166: input.iso3166,
        wikidata: input.wikidata,
    };
    let parent = input.parent.map(|p| nfc(&p));
    validate(conn, &mut w, parent.as_deref(), None)?;
    let row = db::tags::insert(conn, &w, now)?;
    // A new tag takes its slug back from any redirect.
    db::revisions::drop_tag_redirect(conn, &row.slug)?;
    db::changes::touch(conn, now)?;
    get(conn, &row.slug)
}

/// Changes the fields present in the patch.
pub fn patch(
    conn: &mut Conn,
    slug: &str,
    p: TagPatch,
    if_match: Option<&IfMatch>,
) -> Result<Tag, ApiError> {
    p.validate()?;
    db::immediate(conn, |conn| patch_in(conn, slug, p, if_match))
}

/// Changes a tag inside a transaction the caller holds; the patch was validated.
pub fn patch_in(
    conn: &mut Conn,
    slug: &str,
    p: TagPatch,
    if_match: Option<&IfMatch>,
) -> Result<Tag, ApiError> {
    let row = db::tags::by_slug(conn, &nfc(slug))?
        .ok_or_else(|| ApiError::NotFound(format!("no tag with slug `{}`", echo(slug))))?;
    // Inside the write transaction: of two editors holding the same ETag, one wins.
    check_tag_match(if_match, row.updated_at)?;
    let all = db::tags::all(conn)?;
    let current_parent = row
        .parent_id
        .and_then(|id| all.iter().find(|t| t.id == id))
        .map(|t| t.slug.clone());
    let mut w = TagWrite {
        slug: p.slug.map_or(row.slug.clone(), |s| nfc(&s)),
        name: p.name.map_or(row.name.clone(), |s| nfc(&s)),
        name_en: p
            .name_en
            .map_or(row.name_en.clone(), |v| v.map(|s| nfc(&s))),
        kind: p.kind.unwrap_or(row.kind),
        parent_id: None,
        description: p
            .description
            .map_or(row.description.clone(), |v| v.map(|s| nfc(&s))),
        updated_at: now_micros(),
        iptc_media_topic: p.iptc_media_topic.unwrap_or(row.iptc_media_topic.clone()),
        iso3166: p.iso3166.unwrap_or(row.iso3166.clone()),
        wikidata: p.wikidata.unwrap_or(row.wikidata.clone()),
    };
    let parent = p.parent.map_or(current_parent, |v| v.map(|s| nfc(&s)));
    validate(conn, &mut w, parent.as_deref(), Some(row.id))?;
    let embedded_changed = w.slug != row.slug || w.name != row.name || w.kind != row.kind;
    let now = w.updated_at;
    if w.slug != row.slug {
        db::revisions::redirect_tag(conn, &row.slug, row.id, row.id, now)?;
        db::revisions::drop_tag_redirect(conn, &w.slug)?;
    }
    let row = db::tags::update(conn, row.id, &w)?;
    db::changes::touch(conn, now)?;
    // Articles embed slug, name and kind of their tags: partners mirroring them need
    // the new ones.
    if embedded_changed {
        db::changes::record_carriers(conn, &[row.id], now)?;
    }
    get(conn, &row.slug)
}

/// Checks an optional `If-Match` against a tag's last write.
fn check_tag_match(if_match: Option<&IfMatch>, updated_at: i64) -> Result<(), ApiError> {
    if_match.map_or(Ok(()), |m| m.check_tag(updated_at))
}

/// Why a tag in use cannot be deleted, and only what can be done about it (a trashed
/// article cannot be edited).
fn carried_message(slug: &str, live: i64, trashed: i64) -> String {
    let used = live + trashed;
    let merge = crate::paths::tag(slug) + "/merge";
    let way = if trashed > 0 {
        format!(
            " ({trashed} of them in the trash, which keeps its tags for a restore); merge it into another tag (POST {merge}), which moves every one of them, or remove it from the live ones and purge or restore the trashed ones"
        )
    } else {
        format!(
            "; remove it from them (PATCH each article's `tags`) or merge it into another tag (POST {merge})"
        )
    };
    format!(
        "tag `{slug}` is carried by {used} article{}{way}",
        if used == 1 { "" } else { "s" }
    )
}

/// Deletes a tag no article carries.
pub fn delete(conn: &mut Conn, slug: &str, if_match: Option<&IfMatch>) -> Result<(), ApiError> {
    db::immediate(conn, |conn| {
        let row = db::tags::by_slug(conn, &nfc(slug))?
            .ok_or_else(|| ApiError::NotFound(format!("no tag with slug `{}`", echo(slug))))?;
        check_tag_match(if_match, row.updated_at)?;
        // A webhook limited to the tag would go silent without a word.
        let filtering: Vec<String> = db::webhooks::all(conn)?
            .iter()
            .filter(|w| w.tag_ids().contains(&row.id))
            .map(|w| w.id.to_string())
            .collect();
        if !filtering.is_empty() {
            return Err(ApiError::Conflict(format!(
                "webhook {} is limited to tag `{}`; change its tags (PATCH /api/v1/webhooks/{}) first, or merge this tag into another (its filter follows)",
                filtering.join(", "),
                row.slug,
                filtering[0]
            )));
        }
        match db::tags::delete(conn, &row)? {
            db::tags::Deleted::Done => {}
            db::tags::Deleted::Carried { live, trashed } => {
                return Err(ApiError::Conflict(carried_message(
                    &row.slug, live, trashed,
                )));
            }
            db::tags::Deleted::Parent { children } => {
                return Err(ApiError::Conflict(format!(
                    "tag `{}` is the parent of {children} tag{}; move or delete them first",
                    row.slug,
                    if children == 1 { "" } else { "s" }
                )));
            }
        }
        db::changes::touch(conn, now_micros())?;
        Ok(())
    })
}

/// Merges the tag `slug` into `into`: its articles (and child tags) move in one
/// transaction, it is deleted, and its slug redirects to `into` from then on.
pub fn merge(
    conn: &mut Conn,
    slug: &str,
    input: TagMerge,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<TagMergeResult, ApiError> {
    input.validate()?;
    let into = nfc(input.into.as_deref().unwrap_or("").trim());
    db::immediate(conn, |conn| {
        let all = db::tags::all(conn)?;
        let source = all
            .iter()
            .find(|t| t.slug == nfc(slug))
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("no tag with slug `{}`", echo(slug))))?;
        check_tag_match(if_match, source.updated_at)?;
        let target = find_tag(conn, &all, &into)?.cloned().ok_or_else(|| {
            ApiError::invalid_field("into", format!("no tag with slug `{}`", echo(&into)))
        })?;
        if target.id == source.id {
            return Err(ApiError::Conflict(format!(
                "`{}` is the tag being merged; a tag cannot be merged into itself",
                into
            )));
        }
        if db::tags::descendants(&all, source.id).contains(&target.id) {
            return Err(ApiError::Conflict(format!(
                "`{}` is under `{}` in the tag tree; move it out first (PATCH its parent), then merge",
                target.slug, source.slug
            )));
        }
        let now = now_micros();
        let moved = db::articles::retag(conn, source.id, target.id, now, by)?;
        let children = db::tags::reparent(conn, source.id, target.id, now)?;
        // Redirects first: older slugs that pointed at the source (an earlier merge) must
        // follow it to the target before its row, and their foreign key, go away.
        db::revisions::redirect_tag(conn, &source.slug, source.id, target.id, now)?;
        db::tags::delete_unused(conn, source.id)?;
        // The moved articles embed the target tag now: index, log and counter follow.
        db::fts::reindex_tag(conn, target.id)?;
        for id in &moved {
            db::changes::record(conn, *id, now)?;
        }
        db::webhooks::follow_merge(conn, source.id, target.id)?;
        let cursor = db::changes::last_seq(conn)?;
        db::webhooks::enqueue(
            conn,
            &db::webhooks::Outgoing {
                event: "tag.merged".to_owned(),
                cursor,
                at: now,
                subject: db::webhooks::Subject::TagMerged {
                    id: source.id,
                    slug: source.slug.clone(),
                    into_id: target.id,
                    into_slug: target.slug.clone(),
                },
            },
        )?;
        db::changes::touch(conn, now)?;
        Ok(TagMergeResult {
            into: get(conn, &target.slug)?,
            merged_slug: source.slug,
            articles_moved: moved.len() as i64,
            children_moved: children as i64,
        })
    })
}
