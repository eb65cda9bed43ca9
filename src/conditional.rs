//! Conditional GET: strong ETags, Last-Modified, and the 304 answers to `If-None-Match` and
//! `If-Modified-Since`.
//!
//! Lists, tags, feeds and the change log take their validator from the site counter (every
//! committed write bumps it) and the latest publication instant that has passed (a
//! scheduled article falling due changes lists without a write), plus everything else the
//! body depends on: the URL, the host, the key. The validator is read *before* the body is
//! built, so a body is never older than the ETag it is sent with and a 304 is never stale.
//! A single article's ETag comes from its version and the tags it embeds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header::{self, HeaderValue, HttpDate};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db::now_micros;
use crate::db::source::Source;
use crate::dto::article::Article;
use crate::error::ApiError;

/// Bumped when a release changes how bodies are written, so old ETags stop matching.
const FORMAT: &str = "anbaa-1";

/// Content codings the compression layer may add to an ETag (`"tag-br"`).
const CODING_SUFFIXES: [&str; 4] = ["-br", "-gzip", "-zstd", "-deflate"];

const SECOND: i64 = 1_000_000;

/// When a representation last changed, and whether that second is shared with an earlier
/// change (then a whole-second `If-Modified-Since` cannot tell them apart).
#[derive(Debug, Clone, Copy)]
pub struct Modified {
    /// The last change, in microseconds.
    pub at: i64,
    /// Another change fell in the same second.
    pub ambiguous: bool,
}

impl Modified {
    /// The latest of `events` (microseconds; a representation's change times), noting
    /// whether two distinct ones share its second.
    pub fn of(events: &[i64]) -> Modified {
        let at = events.iter().copied().max().unwrap_or(0);
        let second = at.div_euclid(SECOND);
        let mut same: Vec<i64> = events
            .iter()
            .copied()
            .filter(|e| e.div_euclid(SECOND) == second)
            .collect();
        same.sort_unstable();
        same.dedup();
        Modified {
            at,
            ambiguous: same.len() > 1,
        }
    }
}

/// A representation's validators.
#[derive(Debug, Clone)]
pub struct Validator {
    /// The opaque part of the ETag, without quotes.
    tag: String,
    modified: Option<Modified>,
    /// Built from the site state (not from one article's row): the response cache may keep
    /// the answer under it.
    shared: bool,
}

/// The result of checking a request's preconditions.
pub enum Precondition {
    /// The client's copy is current: send this 304.
    NotModified(HttpResponse),
    /// Build the body and send it with these validators.
    Build(Validator),
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What else a body depends on besides the data: the request target, the base URL its links
/// use, the key (drafts), and for searches the hour their recency boost is computed at.
fn request_fingerprint(req: &HttpRequest, settings: &Settings) -> Sha256 {
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update([0]);
    h.update(req.path().as_bytes());
    h.update([0]);
    h.update(req.query_string().as_bytes());
    h.update([0]);
    h.update(settings.public_url.as_deref().unwrap_or("").as_bytes());
    h.update([0]);
    // Feeds link to the site's pages through it; the formats name the publisher.
    for part in [
        settings.article_url.as_deref(),
        settings.site_url.as_deref(),
        Some(settings.site_name.as_str()),
        settings.site_logo.as_deref(),
        settings.copyright_holder.as_deref(),
        settings.usage_terms.as_deref(),
    ] {
        h.update(part.unwrap_or("").as_bytes());
        h.update([0]);
    }
    // The representation the Accept header chose (?format= is in the query already).
    let chosen = crate::formats::Representation::of_request(
        req,
        None,
        crate::formats::Representation::ARTICLE,
    )
    .map_or("json", |r| r.name());
    h.update(chosen.as_bytes());
    h.update([0]);
    h.update(req.connection_info().host().as_bytes());
    h.update([0]);
    if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        h.update(auth.as_bytes());
    }
    h
}

impl Validator {
    /// The validator of a list, feed or log page: the site counter and due watermark.
    pub async fn site(
        req: &HttpRequest,
        source: &Source,
        settings: &Settings,
    ) -> Result<Validator, ApiError> {
        Validator::scoped(req, source, settings, &[]).await
    }

    /// The validator of a list or feed filtered by the tags `slugs` name: it moves with a
    /// change to an article linked to one of them or to their descendants (its links, its
    /// fields, its trash), with a change to any tag itself (an article embeds the names of
    /// all its tags), and with a publication falling due; a write elsewhere leaves it, and
    /// the cached answer, as they were. Without slugs, or with one that names no tag, it is
    /// the site's, which every write moves.
    pub async fn scoped(
        req: &HttpRequest,
        source: &Source,
        settings: &Settings,
        slugs: &[String],
    ) -> Result<Validator, ApiError> {
        let now = now_micros();
        let site = source.watch().current(source.pool(), now).await?;
        let (watermark, due_in_second) = (site.watermark, site.due_in_second);
        let mut h = request_fingerprint(req, settings);
        let scope = if slugs.is_empty() {
            None
        } else {
            site.scopes.generations(slugs)
        };
        match &scope {
            None => {
                h.update(site.version.to_le_bytes());
                h.update(watermark.to_le_bytes());
            }
            Some(tags) => {
                h.update(b"tags");
                h.update(site.tags_version.to_le_bytes());
                for (id, generation, due) in tags {
                    h.update(id.to_le_bytes());
                    h.update(generation.to_le_bytes());
                    h.update(due.to_le_bytes());
                }
            }
        }
        if req.query_string().contains("q=") {
            h.update(crate::db::fts::scoring_instant(now).to_le_bytes());
        }
        let digest = h.finalize();
        // Last-Modified stays the site's: the date of the last change under these tags is
        // not kept, and a later date only costs an If-Modified-Since client a full answer.
        let kind = if scope.is_some() { "g" } else { "s" };
        Ok(Validator {
            shared: true,
            tag: format!("{kind}{}", hex(&digest[..10])),
            modified: Some({
                let mut m = Modified::of(&[site.changed_at, site.prev_changed_at, watermark]);
                m.ambiguous |= due_in_second > 1 && m.at == watermark;
                m
            }),
        })
    }

    /// The validator of one article: its version, and a digest of the tags it embeds (a
    /// tag rename changes the article's body, not its version) and of the field selection.
    /// Nothing in an article's body depends on the request, so the same for every URL and
    /// host naming the article: a write's ETag serves a later read, and a change-log entry
    /// carries the ETag a GET answers.
    pub fn article(a: &Article, fields: Option<&str>, modified: Modified) -> Validator {
        let mut h = Sha256::new();
        h.update(FORMAT.as_bytes());
        h.update([0]);
        for t in &a.core.tags {
            h.update(t.id.to_le_bytes());
            for part in [t.slug.as_str(), t.name.as_str(), t.kind.as_str()] {
                h.update(part.as_bytes());
                h.update([0]);
            }
        }
        h.update([0x1e]);
        h.update(fields.unwrap_or("*").as_bytes());
        let digest = h.finalize();
        Validator {
            tag: format!("v{}-{}", a.core.version, hex(&digest[..6])),
            modified: Some(modified),
            shared: false,
        }
    }

    /// The validator of one tag: its last write, then the site validator (its counts and
    /// children change with other writes). `If-Match` compares the first part only.
    pub fn tag(site: &Validator, updated_at: i64) -> Validator {
        Validator {
            tag: format!("t{updated_at}-{}", site.tag),
            modified: site.modified,
            shared: site.shared,
        }
    }

    /// The ETag of an article's whole representation (what a write or a change-log entry
    /// hands out, and a plain GET answers).
    pub fn article_etag(a: &Article) -> String {
        Validator::article(a, None, Modified::of(&[])).etag()
    }

    /// The key a response cache may store this representation under.
    pub fn cache_key(&self) -> &str {
        &self.tag
    }

    /// True when built from the site state, so the response cache may keep the answer.
    pub fn shared(&self) -> bool {
        self.shared
    }

    /// When the representation last changed (microseconds; 0 when unknown).
    pub fn modified_at(&self) -> i64 {
        self.modified.map_or(0, |m| m.at)
    }

    /// The quoted ETag.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.tag)
    }

    /// Answers 304 when the request's `If-None-Match` (or, without one, its
    /// `If-Modified-Since`) shows the client's copy is current.
    pub fn check(self, req: &HttpRequest) -> Precondition {
        let outcome = self.decide(req);
        if req.headers().contains_key(header::IF_NONE_MATCH)
            || req.headers().contains_key(header::IF_MODIFIED_SINCE)
        {
            let label = match outcome {
                Precondition::NotModified(_) => "not_modified",
                Precondition::Build(_) => "modified",
            };
            crate::metrics::REVALIDATIONS
                .with_label_values(&[label])
                .inc();
        }
        outcome
    }

    fn decide(self, req: &HttpRequest) -> Precondition {
        if let Some(inm) = req.headers().get(header::IF_NONE_MATCH) {
            return match inm.to_str().ok().and_then(|v| self.matching(v)) {
                Some(sent) => Precondition::NotModified(self.not_modified(sent)),
                None => Precondition::Build(self),
            };
        }
        // A date in a later second than the last change is safe; the change's own second
        // only when no other change shares it (the client's copy may predate the second one).
        if let (Some(m), Some(since)) = (self.modified, if_modified_since(req))
            && (m.at.div_euclid(SECOND) < since
                || (m.at.div_euclid(SECOND) == since && !m.ambiguous))
        {
            let etag = self.etag();
            return Precondition::NotModified(self.not_modified(etag));
        }
        Precondition::Build(self)
    }

    /// The entity tag in an `If-None-Match` list that names this representation (weak
    /// comparison, as RFC 9110 asks for `If-None-Match`), as the client sent it.
    fn matching(&self, list: &str) -> Option<String> {
        none_match(list, &self.tag)
    }

    fn not_modified(&self, etag: String) -> HttpResponse {
        let mut res = HttpResponse::NotModified();
        res.insert_header((header::ETAG, etag));
        if let Some(m) = self.modified {
            res.insert_header((header::LAST_MODIFIED, http_date(m.at)));
        }
        res.finish()
    }

    /// Adds `ETag` and `Last-Modified` to a response.
    pub fn apply(&self, mut res: HttpResponse) -> HttpResponse {
        let headers = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.etag()) {
            headers.insert(header::ETAG, v);
        }
        if let Some(m) = self.modified {
            headers.insert(header::LAST_MODIFIED, http_date(m.at));
        }
        res
    }
}

/// A write's `If-Match`: the entity tags of the copies the client edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: whatever is current.
    Any,
    /// The strong entity tags listed, without quotes or a content-coding suffix (a weak tag,
    /// `W/"…"`, is never listed: it never matches).
    Tags(Vec<String>),
}

impl IfMatch {
    /// The request's `If-Match`, if it sent one (an empty one lists no tag and matches
    /// nothing).
    pub fn of(req: &HttpRequest) -> Option<IfMatch> {
        let raw = req.headers().get(header::IF_MATCH)?;
        let text = raw.to_str().unwrap_or("");
        if text.trim() == "*" {
            return Some(IfMatch::Any);
        }
        Some(IfMatch::Tags(
            text.split(',')
                .filter_map(|t| t.trim().strip_prefix('"')?.strip_suffix('"'))
                .map(|t| strip_coding(t).to_owned())
                .collect(),
        ))
    }

    /// The request's `If-Match`; a 428 when the server requires one and it has none.
    pub fn required(req: &HttpRequest, settings: &Settings) -> Result<Option<IfMatch>, ApiError> {
        match IfMatch::of(req) {
            None if settings.require_if_match => {
                // The resource whose ETag counts: `/api/v1/{articles|tags}/{ref}`, whatever
                // action below it this request is.
                let resource = req.path().split('/').take(5).collect::<Vec<_>>().join("/");
                let how = if req.path().ends_with("/restore") && !req.path().contains("/revisions/")
                {
                    format!(
                        "send the ETag the trash (DELETE {resource}) answered, or `\"v{{version}}\"` with the version `GET /api/v1/articles?status=trashed` lists"
                    )
                } else {
                    format!("GET {resource} and send its ETag back")
                };
                Err(ApiError::PreconditionRequired(format!(
                    "this server refuses changes without If-Match: {how} in If-Match (or `If-Match: *` to change whatever is current)"
                )))
            }
            found => Ok(found),
        }
    }

    /// Passes when the article's current version is one the client named (an article's
    /// ETag is `v{version}-…`; what follows the version describes embedded tags, which do
    /// not make a version).
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self {
            IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) if tags.iter().any(|t| version_in(t) == Some(current)) => Ok(()),
            IfMatch::Tags(_) => Err(ApiError::PreconditionFailed(current)),
        }
    }

    /// Passes when the tag's last write (`updated_at`, microseconds) is the one the
    /// client's ETag (`t{updated_at}-…`) was made from.
    pub fn check_tag(&self, updated_at: i64) -> Result<(), ApiError> {
        let stamp = |t: &String| t.strip_prefix('t')?.split('-').next()?.parse::<i64>().ok();
        match self {
            IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) if tags.iter().any(|t| stamp(t) == Some(updated_at)) => Ok(()),
            IfMatch::Tags(_) => Err(ApiError::TagPreconditionFailed),
        }
    }
}

/// The version in an article ETag's opaque part (`v{version}-…`).
fn version_in(opaque: &str) -> Option<i32> {
    strict_version(opaque.strip_prefix('v')?.split('-').next()?)
}

/// Checks an optional `If-Match` against an article's current version.
pub fn check_if_match(if_match: Option<&IfMatch>, current: i32) -> Result<(), ApiError> {
    if_match.map_or(Ok(()), |m| m.check(current))
}

/// A version number as this API writes it: digits, no sign, no leading zero, at least 1.
pub fn strict_version(raw: &str) -> Option<i32> {
    let canonical =
        !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0');
    canonical.then(|| raw.parse().ok()).flatten()
}

/// The entity tag in an `If-None-Match` list that names the representation whose opaque
/// tag is `tag` (weak comparison, any content coding), as the client sent it.
pub fn none_match(list: &str, tag: &str) -> Option<String> {
    let tag = strip_coding(tag);
    list.split(',').map(str::trim).find_map(|item| {
        if item == "*" {
            return Some(format!("\"{tag}\""));
        }
        let opaque = item
            .strip_prefix("W/")
            .unwrap_or(item)
            .strip_prefix('"')?
            .strip_suffix('"')?;
        (strip_coding(opaque) == tag).then(|| item.to_owned())
    })
}

/// An ETag's opaque part without a content-coding suffix the compression layer added.
fn strip_coding(opaque: &str) -> &str {
    CODING_SUFFIXES
        .iter()
        .find_map(|s| opaque.strip_suffix(s))
        .unwrap_or(opaque)
}

/// Adds the response's content coding to its ETag: a compressed body is another
/// representation and needs its own strong validator.
pub fn etag_for_coding(etag: &str, coding: &str) -> Option<String> {
    let opaque = etag.strip_prefix('"')?.strip_suffix('"')?;
    if strip_coding(opaque) != opaque {
        return None;
    }
    Some(format!("\"{opaque}-{coding}\""))
}

/// `If-Modified-Since` in whole seconds since the epoch.
fn if_modified_since(req: &HttpRequest) -> Option<i64> {
    let raw = req
        .headers()
        .get(header::IF_MODIFIED_SINCE)?
        .to_str()
        .ok()?;
    let date: HttpDate = raw.parse().ok()?;
    let t: SystemTime = date.into();
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// Renders microseconds as an HTTP date (whole seconds, rounded down).
pub fn http_date(micros: i64) -> HeaderValue {
    let secs = u64::try_from(micros.div_euclid(SECOND)).unwrap_or(0);
    let date = HttpDate::from(UNIX_EPOCH + Duration::from_secs(secs));
    HeaderValue::from_str(&date.to_string()).unwrap_or(HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_changes_in_one_second_are_ambiguous() {
        assert!(!Modified::of(&[1_000_000, 2_500_000]).ambiguous);
        assert!(Modified::of(&[2_100_000, 2_500_000]).ambiguous);
        assert!(!Modified::of(&[2_500_000, 2_500_000]).ambiguous);
        assert_eq!(Modified::of(&[3, 9, 4]).at, 9);
    }

    #[test]
    fn versions_come_back_out_of_article_etags() {
        assert_eq!(version_in("v12-abcdef"), Some(12));
        assert_eq!(version_in("s0123"), None);
        assert_eq!(version_in("v+12-ab"), None);
        assert_eq!(version_in("v012-ab"), None);
        assert_eq!(strict_version("0"), None);
    }

    #[test]
    fn if_match_lists_strong_tags_without_their_coding() {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::IF_MATCH, "\"v12-ab-br\", W/\"v3-x\", \"t17-cd\""))
            .to_http_request();
        let m = IfMatch::of(&req).unwrap();
        assert_eq!(m, IfMatch::Tags(vec!["v12-ab".into(), "t17-cd".into()]));
        assert!(m.check(12).is_ok());
        assert!(m.check(3).is_err(), "a weak tag never matches");
        assert!(m.check_tag(17).is_ok());
        assert!(m.check_tag(18).is_err());
        let empty = actix_web::test::TestRequest::default()
            .insert_header((header::IF_MATCH, ""))
            .to_http_request();
        assert!(
            IfMatch::of(&empty).unwrap().check(1).is_err(),
            "empty matches nothing"
        );
    }

    #[test]
    fn coding_suffix_is_added_once() {
        assert_eq!(
            etag_for_coding("\"v1-ab\"", "br").as_deref(),
            Some("\"v1-ab-br\"")
        );
        assert_eq!(etag_for_coding("\"v1-ab-br\"", "gzip"), None);
    }
}
