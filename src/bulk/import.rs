//! Import: JSON Lines upserted by slug in batched transactions, one savepoint per line only
//! when a line fails mid-write, so a bad line never takes good ones down with it; parsing
//! and rendering run on a second thread while the first writes.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{TagEnvelope, TagLine};
use crate::db::Conn;
use crate::db::error::StoreError;
use crate::db::fts::Pending;
use crate::db::{self, models::TagWrite, now_micros};
use crate::dto::article::ArticleCreate;
use crate::dto::tag::{TagCreate, TagPatch};
use crate::error::ApiError;
use crate::service::articles::{Prepared, Upserted, prepare_create, upsert_prepared};
use crate::text::slug::check_slug;
use crate::validate::Validate;

/// Lines written per transaction.
const BATCH: usize = 1000;

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Create tags a line names that do not exist (name = slug, kind `topic`).
    pub create_tags: bool,
    /// Do everything, then roll it all back.
    pub dry_run: bool,
    /// Name recorded as the author of the changes.
    pub by: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Non-empty lines read.
    pub lines: usize,
    /// New articles.
    pub created: usize,
    /// Articles that changed.
    pub updated: usize,
    /// Lines equal to what was stored.
    pub unchanged: usize,
    /// Rejected lines: (line number, reason).
    pub rejected: Vec<(usize, String)>,
    /// Tags created on the fly.
    pub tags_created: Vec<String>,
    /// Tag lines that created a tag.
    pub tags_new: usize,
    /// Tag lines that changed a tag (or added redirects to it).
    pub tags_changed: usize,
    /// Wall time.
    pub elapsed: Duration,
}

impl ImportReport {
    /// Writes the summary and every rejected line.
    pub fn print(&self, out: &mut impl Write, dry_run: bool) -> std::io::Result<()> {
        let secs = self.elapsed.as_secs_f64();
        if dry_run {
            writeln!(
                out,
                "dry run: nothing was written; this is what an import would do"
            )?;
        }
        writeln!(
            out,
            "import: {} lines in {secs:.1} s ({:.0} lines/s): {} created, {} updated, {} unchanged, {} rejected",
            self.lines,
            self.lines as f64 / secs.max(1e-9),
            self.created,
            self.updated,
            self.unchanged,
            self.rejected.len()
        )?;
        if self.tags_new + self.tags_changed > 0 {
            writeln!(
                out,
                "taxonomy: {} tags created, {} changed",
                self.tags_new, self.tags_changed
            )?;
        }
        if !self.tags_created.is_empty() {
            writeln!(
                out,
                "tags created ({}): {}",
                self.tags_created.len(),
                self.tags_created.join(", ")
            )?;
        }
        if !self.rejected.is_empty() {
            writeln!(out, "rejected lines:")?;
            for (line, reason) in &self.rejected {
                writeln!(out, "  line {line}: {reason}")?;
            }
        }
        Ok(())
    }
}

/// What a line of the file holds.
#[derive(Clone)]
enum Line {
    /// A tag of the taxonomy.
    Tag(Box<TagLine>),
    /// An article.
    Article(Box<Prepared>),
}

/// One parsed line on its way to the writer.
struct Item {
    line: usize,
    parsed: Result<Line, String>,
}

/// A reason a person can act on, from an API error.
fn reason(e: &ApiError) -> String {
    match e {
        ApiError::Validation(errors) | ApiError::InvalidParams(errors) => errors
            .iter()
            .map(|f| {
                if f.field.is_empty() {
                    f.message.clone()
                } else {
                    format!("{}: {}", f.field, f.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Parses one line (CPU only, no database): a tag line, or an article prepared for writing.
fn parse_line(text: &str) -> Result<Line, String> {
    // An article line fails this at its first key, so trying costs next to nothing.
    match serde_json::from_str::<TagEnvelope>(text) {
        Ok(envelope) => {
            let t = envelope.tag;
            tag_create(&t).validate().map_err(|e| {
                // The tag's fields, named as the line has them.
                reason(&e)
                    .split("; ")
                    .map(|part| format!("tag.{part}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            check_redirects(&t)?;
            return Ok(Line::Tag(Box::new(t)));
        }
        // A line whose only key is `tag` is a tag line, however malformed: say what is wrong
        // with it rather than with an article.
        Err(e) if is_tag_line(text) => return Err(format!("tag line: {e}")),
        Err(_) => {}
    }
    parse_article(text).map(|p| Line::Article(Box::new(p)))
}

/// Most old slugs one tag line may list.
const MAX_REDIRECTS: usize = 100;

/// Checks a tag line's old slugs: a handful of slug-like strings (they are looked up as
/// slugs in URLs and filters, so no whitespace, no control characters, at most 80 long).
fn check_redirects(t: &TagLine) -> Result<(), String> {
    if t.redirects.len() > MAX_REDIRECTS {
        return Err(format!(
            "tag.redirects: at most {MAX_REDIRECTS} old slugs, not {}",
            t.redirects.len()
        ));
    }
    let bad: Vec<String> = t
        .redirects
        .iter()
        .filter(|r| {
            r.is_empty()
                || r.chars().count() > crate::text::slug::MAX_SLUG_CHARS
                || r.chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        })
        .map(|r| format!("`{}`", crate::validate::echo(r)))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tag.redirects: not a slug (empty, over 80 characters, or with spaces, slashes or control characters): {}",
            bad.join(", ")
        ))
    }
}

/// True for a JSON object whose only key is `tag`.
fn is_tag_line(text: &str) -> bool {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
        .is_ok_and(|m| m.len() == 1 && m.contains_key("tag"))
}

/// The create body a tag line stands for.
fn tag_create(t: &TagLine) -> TagCreate {
    TagCreate {
        slug: Some(t.slug.clone()),
        name: Some(t.name.clone()),
        name_en: t.name_en.clone(),
        kind: Some(t.kind),
        parent: t.parent.clone(),
        description: t.description.clone(),
        iptc_media_topic: t.iptc_media_topic.clone(),
        iso3166: t.iso3166.clone(),
        wikidata: t.wikidata.clone(),
    }
}

/// Parses and prepares one article line.
fn parse_article(text: &str) -> Result<Prepared, String> {
    // Fast path; on failure the field-by-field parser names every bad field.
    let input = match serde_json::from_str::<ArticleCreate>(text) {
        Ok(input) if input.validate().is_ok() => input,
        _ => crate::extract::parse_json::<ArticleCreate>(text.as_bytes()).map_err(|e| match e {
            ApiError::MalformedBody(m) => m.replace("the request body", "the line"),
            other => reason(&other),
        })?,
    };
    prepare_create(input).map_err(|e| reason(&e))
}

/// A write's rejection reason, with the import's own way out for unknown tags.
fn write_reason(e: &ApiError) -> String {
    let why = reason(e);
    if why.contains("no tag with slug") {
        why.replace(
            "create it first (POST /api/v1/tags)",
            "create it first, or import with --create-tags",
        )
    } else {
        why
    }
}

/// Creates the tags a line names that do not exist yet (with `--create-tags`).
fn create_missing_tags(
    conn: &mut Conn,
    slugs: &[String],
    known: &mut HashSet<String>,
    created: &mut Vec<String>,
) -> Result<(), ApiError> {
    for slug in slugs {
        // The line's precheck put every tag that exists in `known`: the rest are new.
        if known.contains(slug) {
            continue;
        }
        check_slug(slug).map_err(|m| ApiError::invalid_field("tags", format!("`{slug}` {m}")))?;
        let now = now_micros();
        db::tags::insert(
            conn,
            &TagWrite {
                slug: slug.clone(),
                name: slug.clone(),
                name_en: None,
                kind: crate::model::TagKind::Topic,
                parent_id: None,
                description: None,
                updated_at: now,
                iptc_media_topic: None,
                iso3166: None,
                wikidata: None,
            },
            now,
        )?;
        db::changes::touch(conn, now)?;
        known.insert(slug.clone());
        created.push(slug.clone());
    }
    Ok(())
}

/// What one batch did (merged into the report once its transaction commits).
#[derive(Debug, Default)]
struct BatchOutcome {
    created: usize,
    updated: usize,
    unchanged: usize,
    rejected: Vec<(usize, String)>,
    tags_created: Vec<String>,
    tags_new: usize,
    tags_changed: usize,
}

/// What a tag line did.
enum TagOutcome {
    Created,
    Changed,
    Unchanged,
}

/// Creates or updates the tag a line describes (its parent must exist: the file lists
/// parents first), then points its old slugs at it where nothing else holds them.
fn write_tag(conn: &mut Conn, t: &TagLine) -> Result<TagOutcome, ApiError> {
    let slug = crate::text::nfc(&t.slug);
    let (outcome, id) = match db::tags::by_slug(conn, &slug)? {
        None => {
            let tag = crate::service::tags::create_in(conn, tag_create(t))?;
            (TagOutcome::Created, tag.id)
        }
        Some(row) => {
            // The line's parent, as the tag's parent id (the file lists parents first).
            let parent_id = match &t.parent {
                Some(p) => db::tags::by_slug(conn, &crate::text::nfc(p))?.map(|p| p.id),
                None => None,
            };
            let same = row.name == t.name
                && row.name_en == t.name_en
                && row.kind == t.kind
                && row.parent_id == parent_id
                && t.parent.is_some() == parent_id.is_some()
                && row.description == t.description
                && row.iptc_media_topic == t.iptc_media_topic
                && row.iso3166 == t.iso3166
                && row.wikidata == t.wikidata;
            if same {
                (TagOutcome::Unchanged, row.id)
            } else {
                let patch = TagPatch {
                    slug: None,
                    name: Some(t.name.clone()),
                    name_en: Some(t.name_en.clone()),
                    kind: Some(t.kind),
                    parent: Some(t.parent.clone()),
                    description: Some(t.description.clone()),
                    iptc_media_topic: Some(t.iptc_media_topic.clone()),
                    iso3166: Some(t.iso3166.clone()),
                    wikidata: Some(t.wikidata.clone()),
                };
                let tag = crate::service::tags::patch_in(conn, &slug, patch, None)?;
                (TagOutcome::Changed, tag.id)
            }
        }
    };
    let mut added = false;
    let now = now_micros();
    for old in &t.redirects {
        let old = crate::text::nfc(old);
        let free = db::tags::by_slug(conn, &old)?.is_none()
            && db::revisions::tag_redirect(conn, &old)?.is_none();
        if free {
            db::revisions::add_tag_redirect(conn, &old, id, now)?;
            added = true;
        }
    }
    Ok(match outcome {
        TagOutcome::Unchanged if added => TagOutcome::Changed,
        other => other,
    })
}

/// Why a batch's transaction ended early.
#[derive(Debug)]
enum BatchError {
    /// A line failed after it had started writing: roll the batch back and write it again
    /// with a savepoint per line.
    Redo,
    /// The database itself failed.
    Fatal(ApiError),
}

impl From<StoreError> for BatchError {
    fn from(e: StoreError) -> Self {
        BatchError::Fatal(e.into())
    }
}

/// Checks what a line's write could trip on, reading only: its tags exist (or may be
/// created). A line that passes writes without failing, so a batch needs no savepoints.
fn precheck(
    conn: &mut Conn,
    p: &Prepared,
    opts: &ImportOptions,
    known: &mut HashSet<String>,
) -> Result<(), ApiError> {
    let mut unknown = Vec::new();
    for slug in p.tag_slugs() {
        if known.contains(slug) {
            continue;
        }
        if db::tags::by_slug(conn, slug)?.is_some()
            || db::revisions::tag_redirect(conn, slug)?.is_some()
        {
            // Tags are only added during an import, so a slug seen once stays good.
            known.insert(slug.clone());
            continue;
        }
        if opts.create_tags {
            check_slug(slug)
                .map_err(|m| ApiError::invalid_field("tags", format!("`{slug}` {m}")))?;
        } else {
            unknown.push(format!("`{}`", crate::validate::echo(slug)));
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "tags",
            format!(
                "no tag with slug {}; create it first, or import with --create-tags",
                unknown.join(", ")
            ),
        ))
    }
}

/// Writes one line: tags it needs, then the upsert (its index row held in `pending` when
/// given).
fn write_line(
    conn: &mut Conn,
    p: Prepared,
    opts: &ImportOptions,
    known: &mut HashSet<String>,
    new_tags: &mut Vec<String>,
    pending: Option<&mut Pending>,
) -> Result<Upserted, ApiError> {
    if opts.create_tags {
        create_missing_tags(conn, p.tag_slugs(), known, new_tags)?;
    }
    upsert_prepared(conn, p, &opts.by, pending)
}

/// Writes one batch inside the caller's transaction. Fast mode checks each line first and
/// writes it with no savepoint, holding the index rows until the batch's end (FTS5 flushes
/// what it holds in memory at every savepoint, a statement's own included, so indexing as
/// it goes would write a tiny index segment per article); a line failing mid-write asks
/// for a redo. Safe mode gives every line its own savepoint and indexes it there.
fn write_batch(
    conn: &mut Conn,
    batch: &[Item],
    opts: &ImportOptions,
    known: &mut HashSet<String>,
    safe: bool,
) -> Result<BatchOutcome, BatchError> {
    let mut out = BatchOutcome::default();
    let mut pending = Pending::default();
    for item in batch {
        let prepared = match &item.parsed {
            Ok(Line::Article(p)) => (**p).clone(),
            Ok(Line::Tag(t)) => {
                // Tags are few: each in its own savepoint, whatever the mode.
                match db::transaction::<_, ApiError, _>(conn, |conn| write_tag(conn, t)) {
                    Ok(TagOutcome::Created) => out.tags_new += 1,
                    Ok(TagOutcome::Changed) => out.tags_changed += 1,
                    Ok(TagOutcome::Unchanged) => {}
                    Err(e) => out.rejected.push((item.line, reason(&e))),
                }
                known.insert(t.slug.clone());
                continue;
            }
            Err(why) => {
                out.rejected.push((item.line, why.clone()));
                continue;
            }
        };
        if let Err(e) = precheck(conn, &prepared, opts, known) {
            out.rejected.push((item.line, write_reason(&e)));
            continue;
        }
        let mut new_tags = Vec::new();
        let outcome = if safe {
            db::transaction::<_, ApiError, _>(conn, |conn| {
                write_line(conn, prepared, opts, known, &mut new_tags, None)
            })
        } else {
            write_line(
                conn,
                prepared,
                opts,
                known,
                &mut new_tags,
                Some(&mut pending),
            )
        };
        match outcome {
            Ok(Upserted::Created(_)) => out.created += 1,
            Ok(Upserted::Updated(_)) => out.updated += 1,
            Ok(Upserted::Unchanged(_)) => out.unchanged += 1,
            Err(_) if !safe => return Err(BatchError::Redo),
            Err(e) => {
                // The savepoint rolled back; tags it created are gone too.
                for t in &new_tags {
                    known.remove(t);
                }
                new_tags.clear();
                out.rejected.push((item.line, write_reason(&e)));
            }
        }
        out.tags_created.extend(new_tags);
    }
    pending.write(conn)?;
    Ok(out)
}

/// Writes a batch in its own transaction (a savepoint inside a dry run's one transaction),
/// falling back to a savepoint per line when a line fails mid-write.
fn run_batch(
    conn: &mut Conn,
    batch: &[Item],
    opts: &ImportOptions,
    known: &mut HashSet<String>,
    nested: bool,
) -> Result<BatchOutcome, ApiError> {
    for safe in [false, true] {
        let before = known.clone();
        let attempt = |conn: &mut Conn| write_batch(conn, batch, opts, known, safe);
        let result = if nested {
            db::transaction(conn, attempt)
        } else {
            db::immediate(conn, attempt)
        };
        match result {
            Ok(out) => return Ok(out),
            Err(BatchError::Redo) => *known = before,
            Err(BatchError::Fatal(e)) => return Err(e),
        }
    }
    Err(ApiError::internal("a batch failed in safe mode too"))
}

fn merge(report: &mut ImportReport, out: BatchOutcome) {
    report.created += out.created;
    report.updated += out.updated;
    report.unchanged += out.unchanged;
    report.rejected.extend(out.rejected);
    report.tags_created.extend(out.tags_created);
    report.tags_new += out.tags_new;
    report.tags_changed += out.tags_changed;
}

/// Shows progress: a bar on a terminal, a plain line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    last_line: Instant,
    total_bytes: u64,
}

impl Progress {
    fn new(total_bytes: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total_bytes);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta}) {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            last_line: Instant::now(),
            total_bytes,
        }
    }

    fn update(&mut self, bytes: u64, report: &ImportReport) {
        let msg = format!(
            "{} lines, {} rejected",
            report.created + report.updated + report.unchanged + report.rejected.len(),
            report.rejected.len()
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(bytes);
                bar.set_message(msg);
            }
            None if self.last_line.elapsed() >= Duration::from_secs(2) => {
                self.last_line = Instant::now();
                let pct = if self.total_bytes > 0 {
                    format!("{:.0}%", bytes as f64 * 100.0 / self.total_bytes as f64)
                } else {
                    "…".to_owned()
                };
                eprintln!("import: {pct} ({msg})");
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// How a dry run's one transaction ends: always rolled back.
enum DryRunEnd {
    /// Everything ran; roll it back.
    Done,
    /// A fault stopped it.
    Failed(ApiError),
}

impl From<StoreError> for DryRunEnd {
    fn from(e: StoreError) -> Self {
        DryRunEnd::Failed(e.into())
    }
}

/// Imports JSON Lines from `input` (`total_bytes` for progress; 0 when unknown).
pub fn import(
    conn: &mut Conn,
    input: Box<dyn BufRead + Send>,
    total_bytes: u64,
    opts: &ImportOptions,
) -> Result<ImportReport, ApiError> {
    let started = Instant::now();
    let (tx, rx) = mpsc::sync_channel::<(Vec<Item>, u64)>(4);
    let reader = std::thread::spawn(move || -> std::io::Result<usize> {
        let mut input = input;
        let (mut batch, mut line_no, mut lines, mut bytes) = (Vec::new(), 0usize, 0usize, 0u64);
        // Slugs this file already used, and where: a second line with the same slug would
        // overwrite the first, and make every re-import an "update".
        let mut slugs: HashMap<String, usize> = HashMap::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = input.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            bytes += n as u64;
            let raw = match std::str::from_utf8(&buf) {
                Ok(text) => text,
                Err(e) => {
                    lines += 1;
                    batch.push(Item {
                        line: line_no,
                        parsed: Err(format!(
                            "the line is not valid UTF-8 (byte {} of the line)",
                            e.valid_up_to() + 1
                        )),
                    });
                    continue;
                }
            };
            // Files saved by some Windows tools start with a byte order mark.
            let text = raw.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            lines += 1;
            let parsed = parse_line(text).and_then(|line| {
                let (slug, what) = match &line {
                    Line::Article(p) => (p.upsert_slug(), "article"),
                    Line::Tag(t) => (format!("tag:{}", t.slug), "tag"),
                };
                match slugs.get(&slug) {
                    Some(first) => Err(format!(
                        "slug `{}` is already used by line {first} of this file; give each {what} its own slug",
                        slug.trim_start_matches("tag:")
                    )),
                    None => {
                        slugs.insert(slug, line_no);
                        Ok(line)
                    }
                }
            });
            batch.push(Item {
                line: line_no,
                parsed,
            });
            if batch.len() == BATCH && tx.send((std::mem::take(&mut batch), bytes)).is_err() {
                return Ok(lines);
            }
        }
        if !batch.is_empty() {
            let _ = tx.send((batch, bytes));
        }
        Ok(lines)
    });

    let mode = db::prepare_for_import(conn, total_bytes)?;
    let mut report = ImportReport::default();
    let mut known_tags = HashSet::new();
    let mut progress = Progress::new(total_bytes);
    let result = if opts.dry_run {
        let outcome = db::immediate::<(), DryRunEnd, _>(conn, |conn| {
            for (batch, bytes) in rx.iter() {
                let out = run_batch(conn, &batch, opts, &mut known_tags, true)
                    .map_err(DryRunEnd::Failed)?;
                merge(&mut report, out);
                progress.update(bytes, &report);
            }
            Err(DryRunEnd::Done)
        });
        match outcome {
            Ok(()) | Err(DryRunEnd::Done) => Ok(()),
            Err(DryRunEnd::Failed(e)) => Err(e),
        }
    } else {
        let mut result = Ok(());
        for (batch, bytes) in rx.iter() {
            match run_batch(conn, &batch, opts, &mut known_tags, false) {
                Ok(out) => merge(&mut report, out),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            progress.update(bytes, &report);
        }
        result
    };
    progress.finish();
    drop(rx);
    db::finish_import(conn, mode)?;
    let lines = reader
        .join()
        .map_err(|_| ApiError::internal("the reader thread panicked"))?
        .map_err(|e| ApiError::internal(format!("reading the input: {e}")))?;
    result?;
    report.lines = lines;
    report.rejected.sort_by_key(|(line, _)| *line);
    report.elapsed = started.elapsed();
    Ok(report)
}
