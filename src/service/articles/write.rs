//! Writing articles: create, replace, patch, trash, restore and purge, each in one immediate
//! transaction; the import's upsert; what a write derives (slug, summary, HTML, index).

use super::*;

/// The editable state of an article, before slugs, tags and HTML are worked out.
#[derive(Debug, Clone)]
pub(super) struct Fields {
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
    pub_status: PubStatus,
    embargoed_until: Option<i64>,
    ed_note: Option<String>,
}

pub(super) fn micros(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_micros()
}

pub(super) fn opt_nfc(s: Option<String>) -> Option<String> {
    s.map(|v| nfc(&v))
}

impl Fields {
    pub(super) fn from_create(input: ArticleCreate) -> Fields {
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
            pub_status: input.pub_status.unwrap_or(PubStatus::Usable),
            embargoed_until: input.embargoed_until.map(micros),
            ed_note: opt_nfc(input.ed_note),
        }
    }

    pub(super) fn from_row(row: &ArticleRow, tags: Vec<ArticleTagRow>) -> Fields {
        let slugs = tags.iter().map(|t| t.slug.clone()).collect();
        Fields::from_revision(&db::revisions::row_of(row, &tags), slugs)
    }

    /// The editable fields of a version, with its tags given by (current) slug.
    pub(super) fn from_revision(rev: &RevisionRow, tags: Vec<String>) -> Fields {
        Fields {
            title: rev.title.clone(),
            slug: Some(rev.slug.clone()),
            summary: (!rev.summary_auto).then(|| rev.summary.clone()),
            body: rev.body.clone(),
            source: rev.source.clone(),
            author: rev.author.clone(),
            lang: rev.lang.clone(),
            status: Some(rev.status),
            published_at: rev.published_at,
            image: rev.image_url.clone().map(|url| Image {
                url,
                caption: rev.image_caption.clone(),
            }),
            tags,
            pub_status: rev.pub_status,
            embargoed_until: rev.embargoed_until,
            ed_note: rev.ed_note.clone(),
        }
    }

    /// Keeps the lifecycle of `row` (a revert restores content, not whether the article may
    /// be distributed).
    pub(super) fn keep_lifecycle(&mut self, row: &ArticleRow) {
        self.pub_status = row.pub_status;
        self.embargoed_until = row.embargoed_until;
        self.ed_note = row.ed_note.clone();
    }

    pub(super) fn apply(&mut self, p: ArticlePatch, now: i64) {
        if let Some(v) = p.embargoed_until {
            let lifted_early = v.is_none()
                && p.published_at.is_none()
                && self
                    .embargoed_until
                    .is_some_and(|e| e > now && self.published_at == Some(e));
            // Lifting an embargo before its end publishes the article now, not at the end
            // it no longer has.
            if lifted_early {
                self.published_at = None;
            }
            self.embargoed_until = v.map(micros);
        }
        if let Some(v) = p.pub_status {
            self.pub_status = v;
        }
        if let Some(v) = p.ed_note {
            self.ed_note = opt_nfc(v);
        }
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
pub(super) fn tag_ids(conn: &mut Conn, slugs: &[String]) -> Result<Vec<i32>, ApiError> {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    let mut unknown = Vec::new();
    let found = db::tags::ids_by_slug(conn, slugs)?;
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

pub(super) fn prepare(mut f: Fields) -> Prepared {
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
pub(super) fn build(
    conn: &mut Conn,
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
    if let Some(row) = existing
        && row.pub_status == PubStatus::Canceled
    {
        return Err(canceled(row.id));
    }
    let ids = tag_ids(conn, &f.tags)?;
    let status = f.status.unwrap_or(ArticleStatus::Draft);
    let published_at = match (status, f.published_at) {
        // The write's own instant: publishing is then one event, not two in the same second
        // (which would make every If-Modified-Since of that second unanswerable).
        (ArticleStatus::Published, None) => Some(now),
        (_, t) => t,
    };
    // An embargoed story is published when the embargo ends, not before: the existing
    // scheduling then makes it public at that instant with no job to run.
    let published_at = match (status, f.embargoed_until, published_at) {
        (ArticleStatus::Published, Some(e), Some(p)) if p < e => Some(e),
        (_, _, p) => p,
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
        status,
        published_at,
        updated_at: now,
        word_count: p.words,
        reading_time_minutes: reading_time_minutes(p.words),
        image_url: f.image.as_ref().map(|i| i.url.clone()),
        image_caption: f.image.and_then(|i| i.caption),
        updated_by: Some(by.to_owned()),
        last_action: action,
        pub_status: f.pub_status,
        embargoed_until: f.embargoed_until,
        ed_note: f.ed_note,
    };
    Ok((write, ids, p.index))
}

/// Creates an article, in its own immediate transaction.
pub fn create(conn: &mut Conn, input: ArticleCreate, by: &str) -> Result<Article, ApiError> {
    let prepared = prepare_create(input)?;
    db::immediate(conn, |conn| {
        let id = create_prepared(conn, prepared, by, RevisionAction::Create, None)?;
        let row = db::articles::find(conn, &ArticleRef::Id(id), Visibility::All, now_micros())?
            .ok_or_else(|| ApiError::internal("a created article vanished"))?;
        load_wire(conn, row)
    })
}

/// Writes a prepared article inside a transaction the caller holds (bulk loads batch many,
/// holding index rows in `pending`); returns its id.
pub fn create_prepared(
    conn: &mut Conn,
    prepared: Prepared,
    by: &str,
    action: RevisionAction,
    pending: Option<&mut Pending>,
) -> Result<i32, ApiError> {
    let now = now_micros();
    let (write, ids, index) = build(conn, prepared, None, now, by, action)?;
    let id = db::articles::insert(conn, &write, &ids, now, index, pending)?;
    logged(conn, id, now)?;
    Ok(id)
}

/// Enters a write to an article into the change log and the site counter (same
/// transaction as the write).
pub(super) fn logged(conn: &mut Conn, id: i32, now: i64) -> Result<(), ApiError> {
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
/// without `published_at` keeps the stored one. Index rows go to `pending` when given.
pub fn upsert_prepared(
    conn: &mut Conn,
    mut prepared: Prepared,
    by: &str,
    pending: Option<&mut Pending>,
) -> Result<Upserted, ApiError> {
    let slug = prepared.upsert_slug();
    prepared.fields.slug = Some(slug.clone());
    let Some(id) = db::articles::slug_holder(conn, &slug, None)? else {
        return create_prepared(conn, prepared, by, RevisionAction::Import, pending)
            .map(Upserted::Created);
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
        pending,
    )? {
        (_, true) => Ok(Upserted::Updated(id)),
        (_, false) => Ok(Upserted::Unchanged(id)),
    }
}

/// The live article a writer addresses (drafts and scheduled included).
pub(super) fn find_for_write(conn: &mut Conn, reference: &str) -> Result<ArticleRow, ApiError> {
    let r = parse_ref(reference);
    db::articles::find(conn, &r, Visibility::All, now_micros())?.ok_or_else(|| not_found(&r))
}

/// Replaces an article whole (fields left out go back to their defaults; the slug is kept
/// unless one is given).
pub fn replace(
    conn: &mut Conn,
    reference: &str,
    input: ArticleCreate,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    let mut prepared = prepare_create(input)?;
    db::immediate(conn, |conn| {
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
        let row = db::articles::update(conn, row.id, &write, &ids, index, None)?;
        logged(conn, row.id, now)?;
        load_wire(conn, row)
    })
}

/// Changes the fields present in the patch.
pub fn patch(
    conn: &mut Conn,
    reference: &str,
    patch: ArticlePatch,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    patch.validate()?;
    db::immediate(conn, |conn| {
        let row = find_for_write(conn, reference)?;
        // Checked inside the write transaction: of two writers holding the same version,
        // exactly one gets through.
        check_if_match(if_match, row.version)?;
        let current = db::articles::tags_of(conn, &[row.id])?
            .remove(&row.id)
            .unwrap_or_default();
        let current_ids: Vec<i32> = current.iter().map(|t| t.id).collect();
        let mut fields = Fields::from_row(&row, current);
        fields.apply(patch, now_micros());
        // A patch that changes nothing is not a new version.
        let (row, _) = rewrite(
            conn,
            row,
            prepare(fields),
            &current_ids,
            by,
            RevisionAction::Edit,
            None,
        )?;
        load_wire(conn, row)
    })
}

/// Writes `prepared` over `row` as its next version, unless it would leave the content and
/// the tags (`current_ids`) as they are; returns the row as it now is and whether it changed.
/// The index row goes to `pending` when given.
pub(super) fn rewrite(
    conn: &mut Conn,
    row: ArticleRow,
    prepared: Prepared,
    current_ids: &[i32],
    by: &str,
    action: RevisionAction,
    pending: Option<&mut Pending>,
) -> Result<(ArticleRow, bool), ApiError> {
    let now = now_micros();
    let (write, ids, index) = build(conn, prepared, Some(&row), now, by, action)?;
    if ids == current_ids && same_content(&row, &write) {
        return Ok((row, false));
    }
    let row = db::articles::update(conn, row.id, &write, &ids, index, pending)?;
    logged(conn, row.id, now)?;
    Ok((row, true))
}

/// The ids of an article's tags, in order (to tell whether a write changes them).
pub(super) fn tag_ids_of(conn: &mut Conn, id: i32) -> Result<Vec<i32>, ApiError> {
    Ok(db::articles::tags_of(conn, &[id])?
        .remove(&id)
        .unwrap_or_default()
        .iter()
        .map(|t| t.id)
        .collect())
}

/// True when a write would leave every editable column as it is.
pub(super) fn same_content(row: &ArticleRow, w: &ArticleWrite) -> bool {
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
        && row.pub_status == w.pub_status
        && row.embargoed_until == w.embargoed_until
        && row.ed_note == w.ed_note
}

/// The answer to a write to a canceled article.
pub(super) fn canceled(id: i32) -> ApiError {
    ApiError::Conflict(format!(
        "article {id} was canceled (killed): it can no longer change; purge it (DELETE /api/v1/articles/{id}?purge=true) or write a new article"
    ))
}

/// Records a correction or clarification: a new version of the article, announced to
/// partners as `corrected` rather than as an ordinary update.
pub fn correct(
    conn: &mut Conn,
    reference: &str,
    input: CorrectionCreate,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    input.validate()?;
    let (Some(text), Some(kind)) = (input.text, input.kind) else {
        return Err(ApiError::internal("a checked correction lacks a field"));
    };
    let text = nfc(&text);
    db::immediate(conn, |conn| {
        let row = find_for_write(conn, reference)?;
        check_if_match(if_match, row.version)?;
        if row.pub_status == PubStatus::Canceled {
            return Err(canceled(row.id));
        }
        let now = now_micros();
        let row = db::articles::bump(conn, row.id, now, by, RevisionAction::Correct)?;
        db::corrections::add(conn, row.id, kind, &text, row.version, now, by)?;
        db::changes::record_as(conn, row.id, now, db::changes::Cause::Correction)?;
        db::changes::touch(conn, now)?;
        load_wire(conn, row)
    })
}

/// Moves an article to the trash.
pub fn trash(
    conn: &mut Conn,
    reference: &str,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    db::immediate(conn, |conn| {
        let row = find_for_write(conn, reference)?;
        check_if_match(if_match, row.version)?;
        let now = now_micros();
        let trashed = db::articles::trash(conn, row.id, now, by)?;
        logged(conn, row.id, now)?;
        // The trashed version, whose ETag a restore's If-Match names.
        load_wire(conn, trashed)
    })
}

/// Takes an article out of the trash with its slug (409 when a live article took it).
pub fn restore(
    conn: &mut Conn,
    reference: &str,
    by: &str,
    if_match: Option<&IfMatch>,
) -> Result<Article, ApiError> {
    db::immediate(conn, |conn| {
        let r = parse_ref(reference);
        let row = match db::articles::find_trashed(conn, &r)? {
            Some(row) => row,
            None => {
                return Err(
                    match db::articles::find(conn, &r, Visibility::All, now_micros())? {
                        Some(live) => {
                            ApiError::Conflict(format!("article {} is not in the trash", live.id))
                        }
                        None => not_found(&r),
                    },
                );
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
pub fn purge(conn: &mut Conn, reference: &str, if_match: Option<&IfMatch>) -> Result<(), ApiError> {
    db::immediate(conn, |conn| {
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
