//! Articles: reading with visibility rules, and writes (create, replace, patch, trash) each
//! in one immediate transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use serde_json::{Map, Value};

use super::params::{self, csv};
use crate::auth::{Caller, Scope};
use crate::conditional::{IfMatch, check_if_match};
use crate::db::articles::{ArticleFilter, ArticleRef, Keyset, Paging, Visibility};
use crate::db::models::{ArticleRow, ArticleTagRow, ArticleWrite, RevisionRow, TagRow};
use crate::db::search::IndexDoc;
use crate::db::{self, now_micros};
use crate::dto::article::{
    ARTICLE_FIELDS, Article, ArticleCore, ArticleCreate, ArticleLinks, ArticleListItem,
    ArticleListParams, ArticlePatch, ArticleSort, ArticleStatus, Image, Revision, RevisionAction,
    TagRef, TextDirection,
};
use crate::dto::instant;
use crate::dto::tag::TagKind;
use crate::error::ApiError;
use crate::search;
use crate::text::markdown::{derive_summary, html_text, reading_time_minutes, render_html};
use crate::text::nfc;
use crate::text::slug::slugify;
use crate::validate::{Errors, MAX_TAGS, Validate, echo};

/// A page of articles, ready to be put in the list envelope.
#[derive(Debug)]
pub struct ArticlePage {
    /// The articles, with bodies when `include` (or `fields`) asked for them.
    pub data: Vec<ArticleListItem>,
    /// The fields a `fields` parameter selected, when it was given.
    pub selection: Option<Vec<String>>,
    /// Matching articles across all pages.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Page number in page mode.
    pub page: Option<i64>,
    /// Cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// Parses a URL reference: an all-ASCII-digit string is an id, anything else a slug.
pub fn parse_ref(raw: &str) -> ArticleRef {
    match raw.parse::<i32>() {
        Ok(id) if raw.bytes().all(|b| b.is_ascii_digit()) => ArticleRef::Id(id),
        _ => ArticleRef::Slug(nfc(raw)),
    }
}

fn sort_name(sort: ArticleSort) -> &'static str {
    match sort {
        ArticleSort::NewestFirst => "-published_at",
        ArticleSort::OldestFirst => "published_at",
        ArticleSort::RecentlyUpdated => "-updated_at",
        ArticleSort::Relevance => "relevance",
    }
}

/// A short fingerprint of the search text (FNV-1a), so a cursor cannot be replayed on
/// another search.
fn query_tag(q: Option<&str>) -> String {
    match q {
        None => String::new(),
        Some(q) => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in q.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            format!("~{:08x}", h >> 32)
        }
    }
}

/// The tag a slug names: a live tag, or the tag a merged or renamed one redirects to.
fn tag_by_slug<'a>(
    all: &'a [TagRow],
    redirects: &[(String, i32)],
    slug: &str,
) -> Option<&'a TagRow> {
    all.iter().find(|t| t.slug == slug).or_else(|| {
        let id = redirects.iter().find(|(s, _)| s == slug)?.1;
        all.iter().find(|t| t.id == id)
    })
}

fn resolve_groups(
    errors: &mut Errors,
    all: &[TagRow],
    redirects: &[(String, i32)],
    param: &str,
    slugs: &[String],
) -> Vec<Vec<i32>> {
    if slugs.len() > MAX_TAGS {
        errors.add(param, format!("names more than {MAX_TAGS} tags"));
        return Vec::new();
    }
    let mut groups = Vec::new();
    let mut unknown = Vec::new();
    for slug in slugs {
        match tag_by_slug(all, redirects, slug) {
            Some(t) => groups.push(db::tags::descendants(all, t.id)),
            None => unknown.push(format!("`{}`", echo(slug))),
        }
    }
    if !unknown.is_empty() {
        errors.add(param, format!("no tag with slug {}", unknown.join(", ")));
    }
    groups
}

/// Lists articles as `GET /api/v1/articles` asks.
pub fn list(
    conn: &mut SqliteConnection,
    p: &ArticleListParams,
    caller: &Caller,
) -> Result<ArticlePage, ApiError> {
    let mut errors = Errors::default();
    let limit = params::limit(&mut errors, p.limit.as_deref());
    let page = params::page(&mut errors, p.page.as_deref());
    let q =
        p.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
    // The query decoder replaces bytes that are not UTF-8 with U+FFFD: say so.
    if q.as_ref().is_some_and(|q| q.contains('\u{FFFD}')) {
        errors.add("q", "is not valid UTF-8 (check the percent-encoding)");
    }
    if q.as_ref()
        .is_some_and(|q| q.chars().count() > search::MAX_QUERY_CHARS)
    {
        errors.add(
            "q",
            format!("must be at most {} characters", search::MAX_QUERY_CHARS),
        );
    }
    let sort = match p.sort.as_deref() {
        None if q.is_some() => ArticleSort::Relevance,
        Some("relevance") if q.is_some() => ArticleSort::Relevance,
        // Without a search every article is equally relevant; the tie-break is recency.
        Some("relevance") => ArticleSort::NewestFirst,
        None | Some("-published_at") => ArticleSort::NewestFirst,
        Some("published_at") => ArticleSort::OldestFirst,
        Some("-updated_at") => ArticleSort::RecentlyUpdated,
        Some(other) => {
            errors.add(
                "sort",
                format!(
                    "must be -published_at, published_at, -updated_at or relevance, not `{}`",
                    echo(other)
                ),
            );
            ArticleSort::NewestFirst
        }
    };
    // A cursor belongs to one sort and one search: it carries both.
    let cursor_kind = format!("{}{}", sort_name(sort), query_tag(q.as_deref()));
    let cursor = params::decode_cursor(&mut errors, p.cursor.as_deref(), &cursor_kind);
    if page.is_some() && p.cursor.is_some() {
        errors.add("cursor", "give either `page` or `cursor`, not both");
    }
    let all_tags = match p.tag_mode.as_deref() {
        None | Some("any") => false,
        Some("all") => true,
        Some(other) => {
            errors.add(
                "tag_mode",
                format!("must be `any` or `all`, not `{}`", echo(other)),
            );
            false
        }
    };
    let include_body = match p.include.as_deref() {
        None => false,
        Some("body") => true,
        Some(other) => {
            errors.add(
                "include",
                format!("the only value is `body`, not `{}`", echo(other)),
            );
            false
        }
    };
    let fields = params::fields(&mut errors, p.fields.as_deref(), ARTICLE_FIELDS);
    if q.is_none()
        && fields
            .as_ref()
            .is_some_and(|f| f.iter().any(|x| x == "snippet"))
    {
        errors.add(
            "fields",
            "`snippet` is only there with `q`: it is the matched excerpt of a search",
        );
    }
    // Asking for a body field by name is asking for the body.
    let include_body = include_body
        || fields
            .as_ref()
            .is_some_and(|f| f.iter().any(|x| x == "body" || x == "body_html"));
    let visibility = match p.status.as_deref() {
        None => Visibility::Public,
        Some("published") if !caller.can(Scope::ReadDrafts) => Visibility::Public,
        Some("trashed") => {
            caller.require(Scope::Write)?;
            if q.is_some() {
                errors.add("q", "the trash is not searchable; list it without `q`");
            }
            Visibility::Trashed
        }
        Some(s @ ("published" | "draft" | "archived" | "all")) => {
            caller.require(Scope::ReadDrafts)?;
            match s {
                "published" => Visibility::Published,
                "draft" => Visibility::Draft,
                "archived" => Visibility::Archived,
                _ => Visibility::All,
            }
        }
        Some(other) => {
            errors.add(
                "status",
                format!(
                    "must be published, draft, archived, all or trashed, not `{}`",
                    echo(other)
                ),
            );
            Visibility::Public
        }
    };
    let published_after =
        params::instant(&mut errors, "published_after", p.published_after.as_deref());
    let published_before = params::instant(
        &mut errors,
        "published_before",
        p.published_before.as_deref(),
    );
    let updated_after = params::instant(&mut errors, "updated_after", p.updated_after.as_deref());

    // The tag tree is only needed to resolve tag filters; most list requests have none.
    let (all, redirects) = if p.tag.is_some() || p.exclude_tag.is_some() {
        (db::tags::all(conn)?, db::revisions::tag_redirects(conn)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let tag_groups = resolve_groups(&mut errors, &all, &redirects, "tag", &csv(p.tag.as_deref()));
    let exclude: Vec<i32> = resolve_groups(
        &mut errors,
        &all,
        &redirects,
        "exclude_tag",
        &csv(p.exclude_tag.as_deref()),
    )
    .into_iter()
    .flatten()
    .collect();
    errors.into_param_result()?;

    let parsed = q.as_deref().map(search::parse);
    let now = now_micros();
    let filter = ArticleFilter {
        tag_groups,
        all_tags,
        exclude_tags: exclude,
        published_after,
        published_before,
        updated_after,
        visibility,
        sort,
        limit,
        paging: match page {
            Some(n) => Paging::Page(n),
            None => Paging::After(cursor),
        },
        now,
        search: parsed.as_ref().and_then(|p| p.fts.clone()),
    };
    let page_mode = if p.cursor.is_some() {
        None
    } else {
        Some(page.unwrap_or(1))
    };
    // A search with nothing to look for (only exclusions, only punctuation) finds nothing.
    if parsed.as_ref().is_some_and(|p| p.fts.is_none()) {
        return Ok(ArticlePage {
            data: Vec::new(),
            selection: fields,
            total: 0,
            limit,
            page: page_mode,
            next_cursor: None,
        });
    }
    let found = db::articles::list(conn, &filter)?;
    let next_cursor = match (found.rows.last(), found.scores.last()) {
        (Some(last), score) if found.more => {
            let (name, value, at) = match (sort, score) {
                (ArticleSort::Relevance, Some(score)) => {
                    let at = cursor.map_or(db::search::scoring_instant(now), |c| c.at);
                    (format!("{cursor_kind}@{at}"), score.to_bits() as i64, at)
                }
                _ => (cursor_kind.clone(), db::articles::sort_value(last, sort), 0),
            };
            Some(params::encode_cursor(
                &name,
                Keyset {
                    value,
                    id: last.id,
                    at,
                },
            ))
        }
        _ => None,
    };
    let ids: Vec<i32> = found.rows.iter().map(|r| r.id).collect();
    let mut tags = db::articles::tags_of(conn, &ids)?;
    let data = found
        .rows
        .into_iter()
        .map(|row| {
            // Snippets cost an analysis of the text: only when the caller gets them.
            let wants_snippet = fields
                .as_ref()
                .is_none_or(|f| f.iter().any(|x| x == "snippet"));
            let snippet = parsed.as_ref().filter(|_| wants_snippet).map(|p| {
                // Paragraph breaks read as spaces in a one-line excerpt.
                // Paragraph breaks read as spaces in a one-line excerpt.
                let body = row.body_text.replace('\n', " ");
                search::snippet(&row.title, &row.summary, &body, &p.marks)
            });
            let t = tags.remove(&row.id).unwrap_or_default();
            let mut item = ArticleListItem::from_article(to_wire(row, t), include_body);
            item.snippet = snippet;
            item
        })
        .collect();
    Ok(ArticlePage {
        data,
        selection: fields,
        total: found.total,
        limit,
        page: page_mode,
        next_cursor,
    })
}

/// The newest public articles, with bodies, optionally only those under one tag (and its
/// descendants); for feeds. The tag comes back too; an unknown one is a 404.
pub fn latest(
    conn: &mut SqliteConnection,
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
    let filter = ArticleFilter {
        tag_groups: tag
            .iter()
            .map(|t| db::tags::descendants(&all, t.id))
            .collect(),
        all_tags: false,
        exclude_tags: Vec::new(),
        published_after: None,
        published_before: None,
        updated_after: None,
        visibility: Visibility::Public,
        sort: ArticleSort::NewestFirst,
        limit,
        paging: Paging::After(None),
        now: now_micros(),
        search: None,
    };
    let found = db::articles::list(conn, &filter)?;
    let ids: Vec<i32> = found.rows.iter().map(|r| r.id).collect();
    let mut tags = db::articles::tags_of(conn, &ids)?;
    let articles = found
        .rows
        .into_iter()
        .map(|row| {
            let t = tags.remove(&row.id).unwrap_or_default();
            to_wire(row, t)
        })
        .collect();
    Ok((tag, articles))
}

/// Most related articles one request returns (and counts).
pub const MAX_RELATED: i64 = 20;

/// Public articles related to a public one: those sharing its tags, a shared tag weighing
/// more the fewer articles carry it (inverse document frequency), then the newest.
pub fn related(
    conn: &mut SqliteConnection,
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
    let articles = rows
        .into_iter()
        .map(|row| {
            let t = tags.remove(&row.id).unwrap_or_default();
            ArticleListItem::from_article(to_wire(row, t), false)
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

/// The visibility a caller gets on single-article reads.
fn reader_visibility(caller: &Caller) -> Visibility {
    if caller.can(Scope::ReadDrafts) {
        Visibility::All
    } else {
        Visibility::Public
    }
}

/// One article by id or slug, with body, as the caller may see it, and the times its
/// representation changed (its own writes, its publication, its tags' renames).
pub fn get(
    conn: &mut SqliteConnection,
    reference: &str,
    caller: &Caller,
) -> Result<(Article, Vec<i64>), ApiError> {
    let r = parse_ref(reference);
    let now = now_micros();
    let row = db::articles::find(conn, &r, reader_visibility(caller), now)?
        .ok_or_else(|| not_found(&r))?;
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
    Ok((load_wire(conn, row)?, events))
}

/// Where an old slug of an article the caller may see now lives (its current slug).
pub fn moved(
    conn: &mut SqliteConnection,
    reference: &str,
    caller: &Caller,
) -> Result<Option<String>, ApiError> {
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

fn not_found(r: &ArticleRef) -> ApiError {
    match r {
        ArticleRef::Id(id) => ApiError::NotFound(format!("no article with id {id}")),
        ArticleRef::Slug(s) => ApiError::NotFound(format!("no article with slug `{}`", echo(s))),
    }
}

fn load_wire(conn: &mut SqliteConnection, row: ArticleRow) -> Result<Article, ApiError> {
    let mut tags = db::articles::tags_of(conn, &[row.id])?;
    let t = tags.remove(&row.id).unwrap_or_default();
    Ok(to_wire(row, t))
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

/// Turns a row and its tags into the wire type.
pub fn to_wire(row: ArticleRow, tags: Vec<ArticleTagRow>) -> Article {
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
            status: ArticleStatus::parse(&row.status).unwrap_or(ArticleStatus::Draft),
            published_at: row.published_at.map(instant),
            created_at: instant(row.created_at),
            updated_at: instant(public_change(row.updated_at, row.published_at)),
            version: row.version,
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            image,
            tags: tags
                .into_iter()
                .map(|t| tag_ref(t.id, t.slug, t.name, &t.kind))
                .collect(),
            trashed_at: row.trashed_at.map(instant),
        },
        body: row.body,
        body_html: row.body_html,
    }
}

/// The editable state of an article, before slugs, tags and HTML are worked out.
#[derive(Debug, Clone, Default)]
struct Fields {
    title: String,
    slug: Option<String>,
    /// `None`: derive from the body.
    summary: Option<String>,
    body: String,
    source: Option<String>,
    author: Option<String>,
    lang: String,
    status: Option<ArticleStatus>,
    published_at: Option<i64>,
    image: Option<Image>,
    tags: Vec<String>,
}

fn micros(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_micros()
}

fn opt_nfc(s: Option<String>) -> Option<String> {
    s.map(|v| nfc(&v))
}

impl Fields {
    fn from_create(input: ArticleCreate) -> Fields {
        Fields {
            title: nfc(input.title.as_deref().unwrap_or("")),
            slug: opt_nfc(input.slug),
            summary: opt_nfc(input.summary),
            body: nfc(input.body.as_deref().unwrap_or("")),
            source: opt_nfc(input.source),
            author: opt_nfc(input.author),
            lang: input.lang.unwrap_or_else(|| "ar".to_owned()),
            status: input.status,
            published_at: input.published_at.map(micros),
            image: input.image,
            tags: input
                .tags
                .unwrap_or_default()
                .iter()
                .map(|s| nfc(s))
                .collect(),
        }
    }

    fn from_row(row: &ArticleRow, tags: Vec<ArticleTagRow>) -> Fields {
        let slugs = tags.iter().map(|t| t.slug.clone()).collect();
        Fields::from_revision(&db::revisions::row_of(row, &tags), slugs)
    }

    /// The editable fields of a version, with its tags given by (current) slug.
    fn from_revision(rev: &RevisionRow, tags: Vec<String>) -> Fields {
        Fields {
            title: rev.title.clone(),
            slug: Some(rev.slug.clone()),
            summary: (!rev.summary_auto).then(|| rev.summary.clone()),
            body: rev.body.clone(),
            source: rev.source.clone(),
            author: rev.author.clone(),
            lang: rev.lang.clone(),
            status: ArticleStatus::parse(&rev.status),
            published_at: rev.published_at,
            image: rev.image_url.clone().map(|url| Image {
                url,
                caption: rev.image_caption.clone(),
            }),
            tags,
        }
    }

    fn apply(&mut self, p: ArticlePatch) {
        if let Some(v) = p.title {
            self.title = nfc(&v);
        }
        if let Some(v) = p.slug {
            self.slug = Some(nfc(&v));
        }
        if let Some(v) = p.summary {
            self.summary = opt_nfc(v);
        }
        if let Some(v) = p.body {
            self.body = nfc(&v);
        }
        if let Some(v) = p.source {
            self.source = opt_nfc(v);
        }
        if let Some(v) = p.author {
            self.author = opt_nfc(v);
        }
        if let Some(v) = p.lang {
            self.lang = v;
        }
        if let Some(v) = p.status {
            self.status = Some(v);
        }
        if let Some(v) = p.published_at {
            self.published_at = v.map(micros);
        }
        if let Some(v) = p.image {
            self.image = v;
        }
        if let Some(v) = p.tags {
            self.tags = v.iter().map(|s| nfc(s)).collect();
        }
    }
}

/// Resolves tag slugs to ids in the given order, dropping repeats; unknown ones are a 422.
fn tag_ids(conn: &mut SqliteConnection, slugs: &[String]) -> Result<Vec<i32>, ApiError> {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    let mut unknown = Vec::new();
    let found: HashMap<String, i32> = {
        use crate::db::schema::tags;
        tags::table
            .filter(tags::slug.eq_any(slugs))
            .select((tags::slug, tags::id))
            .load::<(String, i32)>(conn)?
            .into_iter()
            .collect()
    };
    for slug in slugs {
        // A merged tag's old slug still names the tag it went into.
        let id = match found.get(slug) {
            Some(&id) => Some(id),
            None => db::revisions::tag_redirect(conn, slug)?,
        };
        match id {
            Some(id) => {
                if seen.insert(id) {
                    ids.push(id);
                }
            }
            None => unknown.push(format!("`{}`", echo(slug))),
        }
    }
    if unknown.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::invalid_field(
            "tags",
            format!(
                "no tag with slug {}; create it first (POST /api/v1/tags)",
                unknown.join(", ")
            ),
        ))
    }
}

/// An article's fields with everything derived from the text worked out: HTML, plain
/// text, summary, word count and the search index document. Pure CPU work, done before the
/// write transaction so the database lock is held as briefly as possible.
#[derive(Clone)]
pub struct Prepared {
    fields: Fields,
    body_html: String,
    body_text: String,
    words: i32,
    summary: String,
    summary_auto: bool,
    index: IndexDoc,
}

impl Prepared {
    /// The tag slugs the article names.
    pub fn tag_slugs(&self) -> &[String] {
        &self.fields.tags
    }

    /// The slug an upsert addresses: the given one, or the one the title makes (without a
    /// numeric suffix).
    pub fn upsert_slug(&self) -> String {
        self.fields
            .slug
            .clone()
            .unwrap_or_else(|| slugify(&self.fields.title))
    }
}

fn prepare(mut f: Fields) -> Prepared {
    let body_html = render_html(&f.body);
    let body_text = html_text(&body_html);
    let (summary, summary_auto) = match f.summary.take() {
        Some(s) => (s, false),
        None => (derive_summary(&body_html), true),
    };
    let index = IndexDoc::of(&f.title, &summary, &body_text);
    // The analyzer already walked every word of the body: its count is the word count.
    let words = i32::try_from(index.body_words).unwrap_or(i32::MAX);
    // Only the beginning is stored, for snippets (which look no further): the whole text
    // would be a third copy of every body, and writes are what bulk loads wait for.
    let body_text = match body_text.char_indices().nth(search::SNIPPET_SCAN_CHARS) {
        Some((cut, _)) => body_text[..cut].to_owned(),
        None => body_text,
    };
    Prepared {
        fields: f,
        body_html,
        body_text,
        words,
        summary,
        summary_auto,
        index,
    }
}

/// Checks and prepares a new article without touching the database (bulk loads prepare on
/// one thread and write on another).
pub fn prepare_create(input: ArticleCreate) -> Result<Prepared, ApiError> {
    input.validate()?;
    Ok(prepare(Fields::from_create(input)))
}

/// Resolves slug and tags and fills in defaults, for a write.
fn build(
    conn: &mut SqliteConnection,
    p: Prepared,
    existing: Option<&ArticleRow>,
    now: i64,
    by: &str,
    action: RevisionAction,
) -> Result<(ArticleWrite, Vec<i32>, IndexDoc), ApiError> {
    let f = p.fields;
    let except = existing.map(|r| r.id);
    let slug = match (&f.slug, existing) {
        (Some(s), _) => {
            if let Some(holder) = db::articles::slug_holder(conn, s, except)? {
                return Err(ApiError::Conflict(format!(
                    "slug `{s}` is taken by article {holder}; choose another or leave `slug` out to derive one"
                )));
            }
            s.clone()
        }
        // Changing the title keeps an existing article's slug, so links stay valid.
        (None, Some(row)) => row.slug.clone(),
        (None, None) => db::articles::free_slug(conn, &slugify(&f.title), None)?,
    };
    let ids = tag_ids(conn, &f.tags)?;
    let status = f.status.unwrap_or(ArticleStatus::Draft);
    let published_at = match (status, f.published_at) {
        // The write's own instant: publishing is then one event, not two in the same second
        // (which would make every If-Modified-Since of that second unanswerable).
        (ArticleStatus::Published, None) => Some(now),
        (_, t) => t,
    };
    let write = ArticleWrite {
        slug,
        title: f.title,
        summary: p.summary,
        summary_auto: p.summary_auto,
        body_html: p.body_html,
        body_text: p.body_text,
        body: f.body,
        source: f.source,
        author: f.author,
        lang: f.lang,
        status: status.as_str().to_owned(),
        published_at,
        updated_at: now,
        word_count: p.words,
        reading_time_minutes: reading_time_minutes(p.words),
        image_url: f.image.as_ref().map(|i| i.url.clone()),
        image_caption: f.image.and_then(|i| i.caption),
        updated_by: Some(by.to_owned()),
        last_action: action.as_str().to_owned(),
    };
    Ok((write, ids, p.index))
}

/// Creates an article, in its own immediate transaction.
pub fn create(
    conn: &mut SqliteConnection,
    input: ArticleCreate,
    by: &str,
) -> Result<Article, ApiError> {
    let prepared = prepare_create(input)?;
    conn.immediate_transaction(|conn| {
        let id = create_prepared(conn, prepared, by, RevisionAction::Create)?;
        let row = db::articles::find(conn, &ArticleRef::Id(id), Visibility::All, now_micros())?
            .ok_or_else(|| ApiError::internal("a created article vanished"))?;
        load_wire(conn, row)
    })
}

/// Writes a prepared article inside a transaction the caller holds (bulk loads batch many);
/// returns its id.
pub fn create_prepared(
    conn: &mut SqliteConnection,
    prepared: Prepared,
    by: &str,
    action: RevisionAction,
) -> Result<i32, ApiError> {
    let now = now_micros();
    let (write, ids, index) = build(conn, prepared, None, now, by, action)?;
    let id = db::articles::insert(conn, &write, &ids, now, &index)?;
    logged(conn, id, now)?;
    Ok(id)
}

/// Enters a write to an article into the change log and the site counter (same
/// transaction as the write).
fn logged(conn: &mut SqliteConnection, id: i32, now: i64) -> Result<(), ApiError> {
    db::changes::record(conn, id, now)?;
    db::changes::touch(conn, now)?;
    Ok(())
}

/// What an upsert by slug did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// A new article with this id.
    Created(i32),
    /// The article with this id changed (a new version).
    Updated(i32),
    /// The article with this id already had exactly this content.
    Unchanged(i32),
}

/// Creates or replaces the live article holding the slug (given, or derived from the title
/// without a numeric suffix, so the same line always lands on the same article), inside a
/// transaction the caller holds. A line equal to what is stored changes nothing. A line
/// without `published_at` keeps the stored one.
pub fn upsert_prepared(
    conn: &mut SqliteConnection,
    mut prepared: Prepared,
    by: &str,
) -> Result<Upserted, ApiError> {
    let slug = prepared.upsert_slug();
    prepared.fields.slug = Some(slug.clone());
    let Some(id) = db::articles::slug_holder(conn, &slug, None)? else {
        return create_prepared(conn, prepared, by, RevisionAction::Import).map(Upserted::Created);
    };
    let row = db::articles::find(conn, &ArticleRef::Id(id), Visibility::All, now_micros())?
        .ok_or_else(|| ApiError::internal("a slug holder vanished"))?;
    if prepared.fields.published_at.is_none() {
        prepared.fields.published_at = row.published_at;
    }
    let current_ids = tag_ids_of(conn, id)?;
    match rewrite(
        conn,
        row,
        prepared,
        &current_ids,
        by,
        RevisionAction::Import,
    )? {
        (_, true) => Ok(Upserted::Updated(id)),
        (_, false) => Ok(Upserted::Unchanged(id)),
    }
}

/// The live article a writer addresses (drafts and scheduled included).
fn find_for_write(conn: &mut SqliteConnection, reference: &str) -> Result<ArticleRow, ApiError> {
    let r = parse_ref(reference);
    db::articles::find(conn, &r, Visibility::All, now_micros())?.ok_or_else(|| not_found(&r))
}

/// Replaces an article whole (fields left out go back to their defaults; the slug is kept
/// unless one is given).
pub fn replace(
    conn: &mut SqliteConnection,
    reference: &str,
    input: ArticleCreate,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    let mut prepared = prepare_create(input)?;
    conn.immediate_transaction(|conn| {
        let row = find_for_write(conn, reference)?;
        check_if_match(if_match, row.version)?;
        // A stored date stays when the body leaves it out: a PUT that fixes a typo must not
        // move a 2025 story to the top of every list and feed, nor publish a scheduled draft
        // before its time. (PATCH `"published_at": null` clears it.)
        if prepared.fields.published_at.is_none() {
            prepared.fields.published_at = row.published_at;
        }
        let now = now_micros();
        let (write, ids, index) = build(conn, prepared, Some(&row), now, by, RevisionAction::Edit)?;
        let row = db::articles::update(conn, row.id, &write, &ids, &index)?;
        logged(conn, row.id, now)?;
        load_wire(conn, row)
    })
}

/// Changes the fields present in the patch.
pub fn patch(
    conn: &mut SqliteConnection,
    reference: &str,
    patch: ArticlePatch,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    patch.validate()?;
    conn.immediate_transaction(|conn| {
        let row = find_for_write(conn, reference)?;
        // Checked inside the write transaction: of two writers holding the same version,
        // exactly one gets through.
        check_if_match(if_match, row.version)?;
        let current = db::articles::tags_of(conn, &[row.id])?
            .remove(&row.id)
            .unwrap_or_default();
        let current_ids: Vec<i32> = current.iter().map(|t| t.id).collect();
        let mut fields = Fields::from_row(&row, current);
        fields.apply(patch);
        // A patch that changes nothing is not a new version.
        let (row, _) = rewrite(
            conn,
            row,
            prepare(fields),
            &current_ids,
            by,
            RevisionAction::Edit,
        )?;
        load_wire(conn, row)
    })
}

/// Writes `prepared` over `row` as its next version, unless it would leave the content and
/// the tags (`current_ids`) as they are; returns the row as it now is and whether it changed.
fn rewrite(
    conn: &mut SqliteConnection,
    row: ArticleRow,
    prepared: Prepared,
    current_ids: &[i32],
    by: &str,
    action: RevisionAction,
) -> Result<(ArticleRow, bool), ApiError> {
    let now = now_micros();
    let (write, ids, index) = build(conn, prepared, Some(&row), now, by, action)?;
    if ids == current_ids && same_content(&row, &write) {
        return Ok((row, false));
    }
    let row = db::articles::update(conn, row.id, &write, &ids, &index)?;
    logged(conn, row.id, now)?;
    Ok((row, true))
}

/// The ids of an article's tags, in order (to tell whether a write changes them).
fn tag_ids_of(conn: &mut SqliteConnection, id: i32) -> Result<Vec<i32>, ApiError> {
    Ok(db::articles::tags_of(conn, &[id])?
        .remove(&id)
        .unwrap_or_default()
        .iter()
        .map(|t| t.id)
        .collect())
}

/// True when a write would leave every editable column as it is.
fn same_content(row: &ArticleRow, w: &ArticleWrite) -> bool {
    row.slug == w.slug
        && row.title == w.title
        && row.summary == w.summary
        && row.summary_auto == w.summary_auto
        && row.body == w.body
        && row.source == w.source
        && row.author == w.author
        && row.lang == w.lang
        && row.status == w.status
        && row.published_at == w.published_at
        && row.image_url == w.image_url
        && row.image_caption == w.image_caption
}

/// Moves an article to the trash.
pub fn trash(
    conn: &mut SqliteConnection,
    reference: &str,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    conn.immediate_transaction(|conn| {
        let row = find_for_write(conn, reference)?;
        check_if_match(if_match, row.version)?;
        let now = now_micros();
        db::articles::trash(conn, row.id, now, by)?;
        logged(conn, row.id, now)?;
        // The trashed version, whose ETag a restore's If-Match names.
        let trashed = db::articles::find_trashed(conn, &ArticleRef::Id(row.id))?
            .ok_or_else(|| ApiError::internal("a trashed article is not in the trash"))?;
        load_wire(conn, trashed)
    })
}

/// Takes an article out of the trash with its slug (409 when a live article took it).
pub fn restore(
    conn: &mut SqliteConnection,
    reference: &str,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    conn.immediate_transaction(|conn| {
        let r = parse_ref(reference);
        let row = match db::articles::find_trashed(conn, &r)? {
            Some(row) => row,
            None => {
                return Err(match db::articles::find(conn, &r, Visibility::All, now_micros())? {
                    Some(live) => ApiError::Conflict(format!(
                        "article {} is not in the trash",
                        live.id
                    )),
                    None => not_found(&r),
                });
            }
        };
        check_if_match(if_match, row.version)?;
        if let Some(holder) = db::articles::slug_holder(conn, &row.slug, Some(row.id))? {
            return Err(ApiError::Conflict(format!(
                "slug `{}` was taken by article {holder} while this one was in the trash; give article {holder} another slug (PATCH /api/v1/articles/{holder}), then restore this one",
                row.slug
            )));
        }
        let now = now_micros();
        let row = db::articles::untrash(conn, row.id, now, by)?;
        logged(conn, row.id, now)?;
        load_wire(conn, row)
    })
}

/// Deletes an article for good, live or trashed, revisions included (needs `admin`).
pub fn purge(
    conn: &mut SqliteConnection,
    reference: &str,
    if_match: Option<&IfMatch>,
) -> Result<(), ApiError> {
    conn.immediate_transaction(|conn| {
        let r = parse_ref(reference);
        let row = match db::articles::find(conn, &r, Visibility::All, now_micros())? {
            Some(row) => row,
            None => db::articles::find_trashed(conn, &r)?.ok_or_else(|| not_found(&r))?,
        };
        check_if_match(if_match, row.version)?;
        db::articles::purge(conn, row.id)?;
        logged(conn, row.id, now_micros())
    })
}

/// The article a revision request addresses, live or trashed (history stays readable in
/// the trash).
fn find_any(conn: &mut SqliteConnection, reference: &str) -> Result<ArticleRow, ApiError> {
    let r = parse_ref(reference);
    match db::articles::find(conn, &r, Visibility::All, now_micros())? {
        Some(row) => Ok(row),
        None => db::articles::find_trashed(conn, &r)?.ok_or_else(|| not_found(&r)),
    }
}

/// A tag as an article embeds it (its kind as stored; the schema's CHECK keeps it one of
/// the five).
fn tag_ref(id: i32, slug: String, name: String, kind: &str) -> TagRef {
    TagRef {
        id,
        slug,
        name,
        kind: TagKind::parse(kind).unwrap_or(TagKind::Topic),
    }
}

fn revision_wire(rev: RevisionRow, current: bool) -> Revision {
    let tags = db::revisions::tags_of(&rev)
        .into_iter()
        .map(|t| tag_ref(t.id, t.slug, t.name, &t.kind))
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
        status: ArticleStatus::parse(&rev.status).unwrap_or(ArticleStatus::Draft),
        published_at: rev.published_at.map(instant),
        image: rev.image_url.map(|url| Image {
            url,
            caption: rev.image_caption,
        }),
        tags,
        trashed: rev.trashed_at.is_some(),
        action: RevisionAction::parse(&rev.action).unwrap_or(RevisionAction::Edit),
    }
}

/// The current version as a revision row (it is not stored as one until it changes).
fn current_as_revision(
    conn: &mut SqliteConnection,
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
    conn: &mut SqliteConnection,
    reference: &str,
    page: i64,
    limit: i64,
) -> Result<(Vec<Revision>, i64), ApiError> {
    conn.transaction(|conn| {
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
pub fn revision(
    conn: &mut SqliteConnection,
    reference: &str,
    version: i32,
) -> Result<Revision, ApiError> {
    conn.transaction(|conn| {
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
    conn: &mut SqliteConnection,
    reference: &str,
    version: i32,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    conn.immediate_transaction(|conn| {
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
        let fields = Fields::from_revision(&rev, slugs);
        let current_ids = tag_ids_of(conn, row.id)?;
        // Restoring what is already current is not a new version (as a no-op PATCH).
        let (row, _) = rewrite(conn, row, prepare(fields), &current_ids, by, RevisionAction::Revert)?;
        load_wire(conn, row)
    })
}
