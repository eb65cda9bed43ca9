//! Field checks of write bodies, collected so that one response names every bad field.
//! Inputs check themselves (`Validate`); the services run the same checks again so other
//! entry points (demo, imports) get them too.

use crate::dto::article::{ArticleCreate, ArticlePatch, CorrectionCreate, Image};
use crate::dto::problem::FieldError;
use crate::dto::rules::{
    Body, Byline, Caption, CorrectionText, Description, EdNote, EnglishName, Headline, Shape, Slug,
    Summary, TagName, TextRule, WebUrl,
};
use crate::dto::tag::{TagCreate, TagMerge, TagPatch};
use crate::dto::webhook::{ReplayRequest, WebhookCreate, WebhookPatch};
use crate::error::ApiError;
use crate::text::slug::check_slug;
use crate::text::{TATWEEL, is_arabic_mark};
use unicode_normalization::char::is_combining_mark;

pub use crate::dto::rules::MAX_TAGS;

/// Collects field errors and turns them into one problem.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Records that `field` is invalid.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Records an error made elsewhere.
    pub fn add_error(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `field` already has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// The errors recorded so far.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// Ok when nothing was recorded, else a 422 listing everything.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }

    /// Ok when nothing was recorded, else a 400 listing every parameter.
    pub fn into_param_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidParams(self.0))
        }
    }
}

/// A piece of client input quoted in a message, cut so a huge value is not echoed whole.
pub fn echo(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut cut: String = s.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// A write body that can check its own fields.
pub trait Validate {
    /// Records every invalid field.
    fn check(&self, errors: &mut Errors);

    /// Ok, or a 422 naming every invalid field.
    fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Errors::default();
        self.check(&mut errors);
        errors.into_result()
    }
}

/// Checks a text's length in characters (never bytes) and, when required, that it is not blank.
pub fn check_text(errors: &mut Errors, field: &str, value: &str, required: bool, max: usize) {
    if required && value.trim().is_empty() {
        errors.add(field, "must not be empty");
    } else if value.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if let Some(c) = value.chars().find(|c| is_forbidden_char(*c)) {
        errors.add(
            field,
            format!(
                "must not contain the control character U+{:04X} (only tab and line breaks are allowed)",
                u32::from(c)
            ),
        );
    }
}

/// Characters no text field may hold: C0 controls other than tab and line breaks, DEL, and
/// the noncharacters U+FFFE/U+FFFF. XML (Atom, RSS) cannot carry them, so one such title
/// would break every feed it appears in.
pub fn is_forbidden_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}' | '\u{fffe}' | '\u{ffff}')
}

/// Checks a required name-like text: as `check_text`, and it must have a letter or digit.
fn check_name(errors: &mut Errors, field: &str, value: &str, max: usize) {
    check_text(errors, field, value, true, max);
    // Tatweel and combining marks (harakat) count as "alphabetic" in Unicode, but are not
    // letters a reader sees; this matches the spec's `[^\W_\u0640]`.
    let letter = |c: char| {
        c.is_alphanumeric() && !is_arabic_mark(c) && !is_combining_mark(c) && c != TATWEEL
    };
    if !errors.has(field) && !value.chars().any(letter) {
        errors.add(field, "must contain at least one letter or digit");
    }
}

/// Checks a text against its rule (`dto::rules`, the same table the spec states).
fn check_rule(errors: &mut Errors, field: &str, value: &str, rule: TextRule) {
    match rule.shape {
        Shape::Text => check_text(errors, field, value, false, rule.max),
        Shape::Name => check_name(errors, field, value, rule.max),
        Shape::Slug => {
            if let Err(msg) = check_slug(value) {
                errors.add(field, msg);
            }
        }
        Shape::Url => {
            if value.chars().count() > rule.max {
                errors.add(field, format!("must be at most {} characters", rule.max));
            } else if !valid_url(value) {
                errors.add(field, "must be an absolute http or https URL");
            }
        }
    }
}

/// Checks a text that may be absent.
fn check_opt(errors: &mut Errors, field: &str, value: Option<&str>, rule: TextRule) {
    if let Some(v) = value {
        check_rule(errors, field, v, rule);
    }
}

/// True for a BCP 47-shaped language tag such as `ar` or `en-GB`.
pub fn valid_lang(lang: &str) -> bool {
    let mut parts = lang.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn check_lang(errors: &mut Errors, lang: Option<&str>) {
    if let Some(l) = lang
        && !valid_lang(l)
    {
        errors.add(
            "lang",
            format!("must be a BCP 47 language tag such as `ar` or `en-GB`, not `{l}`"),
        );
    }
}

/// True for an absolute http(s) URL with a host and no whitespace.
pub fn valid_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_image(errors: &mut Errors, image: Option<&Image>) {
    if let Some(img) = image {
        check_rule(errors, "image.url", &img.url, WebUrl::RULE);
        check_opt(
            errors,
            "image.caption",
            img.caption.as_deref(),
            Caption::RULE,
        );
    }
}

fn check_tags(errors: &mut Errors, tags: Option<&Vec<String>>) {
    if let Some(tags) = tags {
        if tags.len() > MAX_TAGS {
            errors.add("tags", format!("at most {MAX_TAGS} tags"));
        } else if tags.iter().any(|t| t.trim().is_empty()) {
            errors.add("tags", "tag slugs must not be empty");
        }
    }
}

/// The value a patch field sets, when it sets one (absent and null set none).
fn set_to(v: &Option<Option<String>>) -> Option<&str> {
    v.as_ref().and_then(|s| s.as_deref())
}

impl Validate for ArticleCreate {
    fn check(&self, e: &mut Errors) {
        match &self.title {
            None => e.add("title", "is required"),
            Some(t) => check_rule(e, "title", t, Headline::RULE),
        }
        check_opt(e, "slug", self.slug.as_deref(), Slug::RULE);
        check_opt(e, "summary", self.summary.as_deref(), Summary::RULE);
        check_opt(e, "body", self.body.as_deref(), Body::RULE);
        check_opt(e, "source", self.source.as_deref(), Byline::RULE);
        check_opt(e, "author", self.author.as_deref(), Byline::RULE);
        check_lang(e, self.lang.as_deref());
        check_image(e, self.image.as_ref());
        check_tags(e, self.tags.as_ref());
        check_opt(e, "ed_note", self.ed_note.as_deref(), EdNote::RULE);
    }
}

impl Validate for ArticlePatch {
    fn check(&self, e: &mut Errors) {
        check_opt(e, "title", self.title.as_deref(), Headline::RULE);
        check_opt(e, "slug", self.slug.as_deref(), Slug::RULE);
        check_opt(e, "summary", set_to(&self.summary), Summary::RULE);
        check_opt(e, "body", self.body.as_deref(), Body::RULE);
        check_opt(e, "source", set_to(&self.source), Byline::RULE);
        check_opt(e, "author", set_to(&self.author), Byline::RULE);
        check_lang(e, self.lang.as_deref());
        check_image(e, self.image.as_ref().and_then(|i| i.as_ref()));
        check_tags(e, self.tags.as_ref());
        check_opt(e, "ed_note", set_to(&self.ed_note), EdNote::RULE);
    }
}

impl Validate for WebhookCreate {
    fn check(&self, e: &mut Errors) {
        match &self.url {
            None => e.add(
                "url",
                "is required: the absolute http(s) URL to POST deliveries to",
            ),
            Some(u) => check_rule(e, "url", u, WebUrl::RULE),
        }
        check_opt(
            e,
            "description",
            self.description.as_deref(),
            Description::RULE,
        );
    }
}

impl Validate for WebhookPatch {
    fn check(&self, e: &mut Errors) {
        check_opt(e, "url", self.url.as_deref(), WebUrl::RULE);
        check_opt(
            e,
            "description",
            set_to(&self.description),
            Description::RULE,
        );
    }
}

impl Validate for ReplayRequest {
    fn check(&self, e: &mut Errors) {
        match (&self.message, &self.since) {
            (Some(_), Some(_)) | (None, None) => e.add(
                "message",
                "give `message` (one message id) or `since` (a /changes cursor), not both nor neither",
            ),
            (None, Some(s)) if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) => {
                e.add("since", format!("must be a /changes cursor (digits), not `{}`", echo(s)))
            }
            _ => {}
        }
    }
}

impl Validate for CorrectionCreate {
    fn check(&self, e: &mut Errors) {
        match &self.text {
            None => e.add("text", "is required"),
            Some(t) => check_rule(e, "text", t, CorrectionText::RULE),
        }
        if self.kind.is_none() {
            e.add("kind", "is required: `correction` or `clarification`");
        }
    }
}

impl Validate for TagCreate {
    fn check(&self, e: &mut Errors) {
        check_codes(
            e,
            self.iptc_media_topic.as_deref(),
            self.iso3166.as_deref(),
            self.wikidata.as_deref(),
        );
        match &self.name {
            None => e.add("name", "is required"),
            Some(n) => check_rule(e, "name", n, TagName::RULE),
        }
        check_opt(e, "slug", self.slug.as_deref(), Slug::RULE);
        check_opt(e, "name_en", self.name_en.as_deref(), EnglishName::RULE);
        check_opt(
            e,
            "description",
            self.description.as_deref(),
            Description::RULE,
        );
    }
}

/// Checks the vocabulary codes of a tag: a Media Topic qcode, an assigned ISO 3166-1
/// alpha-2 code, a Wikidata item id.
fn check_codes(e: &mut Errors, medtop: Option<&str>, iso: Option<&str>, wikidata: Option<&str>) {
    if let Some(m) = medtop {
        let digits = m.strip_prefix("medtop:").unwrap_or("");
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            e.add(
                "iptc_media_topic",
                format!("must be a Media Topic qcode, `medtop:` and 8 digits such as medtop:20000639, not `{}`", echo(m)),
            );
        }
    }
    if let Some(c) = iso
        && !crate::text::iso3166::is_assigned(c)
    {
        e.add(
            "iso3166",
            format!(
                "must be an assigned ISO 3166-1 alpha-2 code in upper case such as KZ, not `{}`",
                echo(c)
            ),
        );
    }
    if let Some(q) = wikidata {
        let digits = q.strip_prefix('Q').unwrap_or("");
        if digits.is_empty()
            || digits.len() > 12
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            e.add(
                "wikidata",
                format!(
                    "must be a Wikidata item, `Q` and digits such as Q232, not `{}`",
                    echo(q)
                ),
            );
        }
    }
}

impl Validate for TagPatch {
    fn check(&self, e: &mut Errors) {
        check_codes(
            e,
            set_to(&self.iptc_media_topic),
            set_to(&self.iso3166),
            set_to(&self.wikidata),
        );
        check_opt(e, "name", self.name.as_deref(), TagName::RULE);
        check_opt(e, "slug", self.slug.as_deref(), Slug::RULE);
        check_opt(e, "name_en", set_to(&self.name_en), EnglishName::RULE);
        check_opt(
            e,
            "description",
            set_to(&self.description),
            Description::RULE,
        );
    }
}

impl Validate for TagMerge {
    fn check(&self, errors: &mut Errors) {
        if self.into.as_deref().is_none_or(|s| s.trim().is_empty()) {
            errors.add("into", "is required: the slug of the tag to merge into");
        }
    }
}
