//! Articles: the list (`query`), reads (`read`), writes (`write`) and history (`revisions`),
//! and what they share: references, visibility, rows into wire types.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::params::{self, csv};
use crate::auth::{Caller, Scope};
use crate::conditional::{IfMatch, check_if_match};
use crate::db::Conn;
use crate::db::articles::{ArticleFilter, ArticleRef, Keyset, Paging, Sort, Texts, Visibility};
use crate::db::fts::{IndexDoc, Pending};
use crate::db::models::{
    ArticleRow, ArticleTagRow, ArticleWrite, CorrectionRow, RevisionRow, TagRow,
};
use crate::db::{self, now_micros};
use crate::dto::article::{
    ARTICLE_FIELDS, Article, ArticleCore, ArticleCreate, ArticleLinks, ArticleListItem,
    ArticleListParams, ArticlePatch, ArticleStatus, Correction, CorrectionCreate, Image, PubStatus,
    Revision, RevisionAction, TagRef, TextDirection,
};
use crate::dto::instant;
use crate::dto::tag::TagKind;
use crate::error::ApiError;
use crate::search;
use crate::text::markdown::{derive_summary, html_text, reading_time_minutes, render_html};
use crate::text::nfc;
use crate::text::slug::slugify;
use crate::validate::{Errors, MAX_TAGS, Validate, echo};

mod query;
mod read;
mod revisions;
mod write;

pub use query::{ArticlePage, ListQuery, list};
pub use read::{MAX_RELATED, Resolved, get, latest, related, resolved, select, tag_codes};
pub use revisions::{restore_revision, revision, revisions};
pub use write::{
    Prepared, Upserted, correct, create, create_prepared, patch, prepare_create, purge, replace,
    restore, trash, upsert_prepared,
};

/// Parses a URL reference: an all-ASCII-digit string is an id, anything else a slug.
pub fn parse_ref(raw: &str) -> ArticleRef {
    match raw.parse::<i32>() {
        Ok(id) if raw.bytes().all(|b| b.is_ascii_digit()) => ArticleRef::Id(id),
        _ => ArticleRef::Slug(nfc(raw)),
    }
}

/// The visibility a caller gets on single-article reads.
fn reader_visibility(caller: &Caller) -> Visibility {
    if caller.can(Scope::ReadDrafts) {
        Visibility::All
    } else if caller.can(Scope::ReadEmbargoed) {
        Visibility::Embargoed
    } else {
        Visibility::Public
    }
}

fn not_found(r: &ArticleRef) -> ApiError {
    match r {
        ArticleRef::Id(id) => ApiError::NotFound(format!("no article with id {id}")),
        ArticleRef::Slug(s) => ApiError::NotFound(format!("no article with slug `{}`", echo(s))),
    }
}

/// One article as its writers and privileged readers see it: with its corrections and its
/// editors' note.
fn load_wire(conn: &mut Conn, row: ArticleRow) -> Result<Article, ApiError> {
    let mut tags = db::articles::tags_of(conn, &[row.id])?;
    let t = tags.remove(&row.id).unwrap_or_default();
    let c = db::corrections::of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    let note = row.ed_note.clone();
    let mut article = to_wire(row, t, c);
    article.ed_note = note;
    Ok(article)
}

/// Whether a caller may read editors' notes and articles under embargo.
fn partner(caller: &Caller) -> bool {
    caller.can(Scope::ReadDrafts) || caller.can(Scope::ReadEmbargoed)
}

/// Text direction of a language tag.
pub fn dir_of(lang: &str) -> TextDirection {
    let mut parts = lang.split(['-', '_']).map(str::to_ascii_lowercase);
    let primary = parts.next().unwrap_or_default();
    // A script subtag decides when there is one: Azerbaijani or Uzbek in Arabic script
    // (`az-Arab`) read right to left, Kurdish in Latin script (`ku-Latn`) left to right.
    if let Some(script) = parts.find(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return match script.as_str() {
            "arab" | "hebr" | "syrc" | "thaa" | "nkoo" | "adlm" | "rohg" => TextDirection::Rtl,
            _ => TextDirection::Ltr,
        };
    }
    match primary.as_str() {
        "ar" | "fa" | "he" | "ur" | "ps" | "ckb" | "yi" | "dv" | "sd" | "ug" | "ku" | "syr" => {
            TextDirection::Rtl
        }
        _ => TextDirection::Ltr,
    }
}

/// When an article last changed as its readers see it: its last write, or the instant it
/// became public when that came later (a scheduled article).
fn public_change(updated_at: i64, published_at: Option<i64>) -> i64 {
    match published_at {
        Some(p) if p > updated_at && p <= now_micros() => p,
        _ => updated_at,
    }
}

/// Turns a row, its tags and its corrections into the wire type; never with the editors'
/// note (the public must not see it: the callers that may add it).
pub fn to_wire(
    row: ArticleRow,
    tags: Vec<ArticleTagRow>,
    corrections: Vec<CorrectionRow>,
) -> Article {
    let now = now_micros();
    let image = row.image_url.map(|url| Image {
        url,
        caption: row.image_caption,
    });
    let dir = dir_of(&row.lang);
    Article {
        core: ArticleCore {
            links: ArticleLinks {
                self_: crate::paths::article(row.id),
            },
            id: row.id,
            dir,
            slug: row.slug,
            title: row.title,
            summary: row.summary,
            source: row.source,
            author: row.author,
            lang: row.lang,
            status: row.status,
            published_at: row.published_at.map(instant),
            created_at: instant(row.created_at),
            updated_at: instant(public_change(row.updated_at, row.published_at)),
            version: row.version,
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            image,
            tags: tags
                .into_iter()
                .map(|t| tag_ref(t.id, t.slug, t.name, t.kind))
                .collect(),
            trashed_at: row.trashed_at.map(instant),
            pub_status: row.pub_status,
            embargoed_until: row.embargoed_until.filter(|e| *e > now).map(instant),
            corrections: corrections
                .into_iter()
                .map(|c| Correction {
                    kind: c.kind,
                    text: c.text,
                    version: c.version,
                    at: instant(c.created_at),
                })
                .collect(),
        },
        body: row.body,
        body_html: row.body_html,
        ed_note: None,
    }
}

/// The article a revision request addresses, live or trashed (history stays readable in
/// the trash).
fn find_any(conn: &mut Conn, reference: &str) -> Result<ArticleRow, ApiError> {
    let r = parse_ref(reference);
    match db::articles::find(conn, &r, Visibility::All, now_micros())? {
        Some(row) => Ok(row),
        None => db::articles::find_trashed(conn, &r)?.ok_or_else(|| not_found(&r)),
    }
}

/// A tag as an article embeds it.
fn tag_ref(id: i32, slug: String, name: String, kind: TagKind) -> TagRef {
    TagRef {
        id,
        slug,
        name,
        kind,
    }
}
