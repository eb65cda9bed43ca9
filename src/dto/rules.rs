//! The rules of every text a client writes, in one table: the validator (`validate.rs`)
//! checks them and the spec states them, through a named schema per rule (`Headline`,
//! `Slug`…) that write bodies point their fields at with `value_type`.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::text::slug::{MAX_SLUG_CHARS, slug_pattern};

/// What a text must look like besides its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Any text without control characters (tab and line breaks allowed).
    Text,
    /// Text with at least one letter or digit (not only marks or tatweel).
    Name,
    /// A slug: the grammar of `text::slug::check_slug`.
    Slug,
    /// An absolute http(s) URL with a host and no whitespace.
    Url,
}

/// One text rule: the most characters (Unicode code points, as JSON Schema counts) and the
/// shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    /// Most characters.
    pub max: usize,
    /// What the text must look like.
    pub shape: Shape,
}

/// Characters no text may hold (see `validate::is_forbidden_char`), as a regex class body.
const FORBIDDEN: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF";

impl TextRule {
    /// The JSON Schema pattern the spec gives this rule's texts.
    pub fn pattern(self) -> String {
        match self.shape {
            Shape::Text => format!("^[^{FORBIDDEN}]*$"),
            // A letter or digit that is not tatweel, among allowed characters.
            Shape::Name => format!("^[^{FORBIDDEN}]*[^\\W_\\u0640][^{FORBIDDEN}]*$"),
            Shape::Slug => slug_pattern(),
            Shape::Url => r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\u0000-\u001F\u007F-\u009F/?#][^\s\u0000-\u001F\u007F-\u009F]*$".to_owned(),
        }
    }

    /// The schema of a text under this rule.
    pub fn schema(self, description: &str) -> Schema {
        let min = match self.shape {
            Shape::Text => None,
            Shape::Name | Shape::Slug | Shape::Url => Some(1),
        };
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .min_length(min)
            .max_length(Some(self.max))
            .pattern(Some(self.pattern()))
            .into()
    }
}

/// Declares a schema type per rule: `value_type = Headline` on a field says the rule in
/// the spec, `Headline::RULE` is what the validator checks.
macro_rules! text_rules {
    ($($(#[doc = $doc:literal])+ $name:ident = $max:expr, $shape:ident;)+) => {$(
        $(#[doc = $doc])+
        pub struct $name;

        impl $name {
            /// The rule the validator checks.
            pub const RULE: TextRule = TextRule { max: $max, shape: Shape::$shape };
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                RefOr::T(Self::RULE.schema(concat!($($doc),+).trim()))
            }
        }

        impl ToSchema for $name {}
    )+};
}

text_rules! {
    /// A headline: 1–300 characters with a letter or digit, no control characters.
    Headline = 300, Name;
    /// A slug: letters (Arabic script or a-z), digits and single hyphens, not all digits.
    Slug = MAX_SLUG_CHARS, Slug;
    /// A plain-text summary: at most 1,000 characters, no control characters.
    Summary = 1000, Text;
    /// A CommonMark body: at most 200,000 characters, no control characters.
    Body = 200_000, Text;
    /// A source or byline: at most 300 characters, no control characters.
    Byline = 300, Text;
    /// A tag's Arabic name: 1–120 characters with a letter or digit.
    TagName = 120, Name;
    /// A tag's English name: at most 120 characters, no control characters.
    EnglishName = 120, Text;
    /// A tag's description: at most 2,000 characters, no control characters.
    Description = 2000, Text;
    /// An image caption: at most 500 characters, no control characters.
    Caption = 500, Text;
    /// An editors' note for partners: at most 2,000 characters, no control characters.
    EdNote = 2000, Text;
    /// A reader-facing correction: 1–2,000 characters with a letter or digit.
    CorrectionText = 2000, Name;
    /// An absolute http(s) URL of at most 4,096 characters.
    WebUrl = 4096, Url;
}

/// Most tags one article may carry, and one filter may name.
pub const MAX_TAGS: usize = 50;

/// Tag slugs in display order: at most `MAX_TAGS`, none empty.
pub struct TagSlugs;

impl PartialSchema for TagSlugs {
    fn schema() -> RefOr<Schema> {
        let slug = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1));
        RefOr::T(
            utoipa::openapi::schema::ArrayBuilder::new()
                .items(slug)
                .max_items(Some(MAX_TAGS))
                .description(Some(
                    "Tag slugs in display order: at most 50, each an existing tag.",
                ))
                .into(),
        )
    }
}

impl ToSchema for TagSlugs {}
