//! Every version of an article: paged history, one version, and restoring one.

use super::write::{Fields, find_for_write, prepare, rewrite, tag_ids_of};
use super::*;

pub(super) fn revision_wire(rev: RevisionRow, current: bool) -> Revision {
    let tags = db::revisions::tags_of(&rev)
        .into_iter()
        .map(|t| tag_ref(t.id, t.slug, t.name, t.kind))
        .collect();
    Revision {
        version: rev.version,
        current,
        changed_by: rev.changed_by,
        changed_at: instant(rev.changed_at),
        slug: rev.slug,
        title: rev.title,
        summary: rev.summary,
        body: rev.body,
        source: rev.source,
        author: rev.author,
        lang: rev.lang,
        status: rev.status,
        published_at: rev.published_at.map(instant),
        image: rev.image_url.map(|url| Image {
            url,
            caption: rev.image_caption,
        }),
        tags,
        trashed: rev.trashed_at.is_some(),
        action: rev.action,
        pub_status: rev.pub_status,
        embargoed_until: rev.embargoed_until.map(instant),
        ed_note: rev.ed_note,
    }
}

/// The current version as a revision row (it is not stored as one until it changes).
pub(super) fn current_as_revision(
    conn: &mut Conn,
    row: &ArticleRow,
) -> Result<RevisionRow, ApiError> {
    let tags = db::articles::tags_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(db::revisions::row_of(row, &tags))
}

/// A page of an article's versions, oldest first (the current one is the last of the last
/// page), and how many versions there are.
pub fn revisions(
    conn: &mut Conn,
    reference: &str,
    page: i64,
    limit: i64,
) -> Result<(Vec<Revision>, i64), ApiError> {
    db::transaction(conn, |conn| {
        let row = find_any(conn, reference)?;
        let offset = (page - 1) * limit;
        let (earlier, kept) = db::revisions::page(conn, row.id, row.version, offset, limit)?;
        let mut out: Vec<Revision> = earlier
            .into_iter()
            .map(|r| revision_wire(r, false))
            .collect();
        // The current version is not a kept row: it follows the last kept one.
        if offset + limit > kept && (out.len() as i64) < limit {
            out.push(revision_wire(current_as_revision(conn, &row)?, true));
        }
        Ok((out, kept + 1))
    })
}

/// One version of an article (the current one included).
pub fn revision(conn: &mut Conn, reference: &str, version: i32) -> Result<Revision, ApiError> {
    db::transaction(conn, |conn| {
        let row = find_any(conn, reference)?;
        if version == row.version {
            return Ok(revision_wire(current_as_revision(conn, &row)?, true));
        }
        db::revisions::get(conn, row.id, version)?
            .filter(|r| r.version < row.version)
            .map(|r| revision_wire(r, false))
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "article {} has no version {version}; it has versions 1 to {}",
                    row.id, row.version
                ))
            })
    })
}

/// Makes a new version equal to version `version` (history is never rewritten).
pub fn restore_revision(
    conn: &mut Conn,
    reference: &str,
    version: i32,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    db::immediate(conn, |conn| {
        let row = find_for_write(conn, reference)?;
        check_if_match(if_match, row.version)?;
        let rev = if version == row.version {
            current_as_revision(conn, &row)?
        } else {
            db::revisions::get(conn, row.id, version)?.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "article {} has no version {version}; it has versions 1 to {}",
                    row.id, row.version
                ))
            })?
        };
        // Tags by id; a tag merged away since maps to the tag it went into.
        let mut slugs = Vec::new();
        let all = db::tags::all(conn)?;
        for t in db::revisions::tags_of(&rev) {
            match all.iter().find(|x| x.id == t.id) {
                Some(tag) => slugs.push(tag.slug.clone()),
                None => match db::revisions::tag_redirect(conn, &t.slug)?
                    .and_then(|id| all.iter().find(|x| x.id == id))
                {
                    Some(tag) => slugs.push(tag.slug.clone()),
                    None => {
                        return Err(ApiError::Conflict(format!(
                            "version {version} carries tag `{}`, which was deleted (a tag made since under that slug is another tag); restore another version, or PATCH the article with the tags it should carry",
                            t.slug
                        )));
                    }
                },
            }
        }
        // The version's slug may be held by another article now: say how to free it (this
        // request has no body to choose another).
        if let Some(holder) = db::articles::slug_holder(conn, &rev.slug, Some(row.id))? {
            return Err(ApiError::Conflict(format!(
                "version {version} has the slug `{}`, which article {holder} holds now; give article {holder} another slug (PATCH /api/v1/articles/{holder}), then restore again",
                rev.slug
            )));
        }
        let mut fields = Fields::from_revision(&rev, slugs);
        fields.keep_lifecycle(&row);
        let current_ids = tag_ids_of(conn, row.id)?;
        // Restoring what is already current is not a new version (as a no-op PATCH).
        let (row, _) = rewrite(
            conn,
            row,
            prepare(fields),
            &current_ids,
            by,
            RevisionAction::Revert,
            None,
        )?;
        load_wire(conn, row)
    })
}
