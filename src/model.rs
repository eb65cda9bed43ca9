//! The closed sets of the domain: article status, tag kind, what made a version, what a
//! change did, and key scopes. Rows store them (`db/types.rs` maps them to SQL text once) and
//! wire types show them; neither layer owns them, so neither imports the other for them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Editorial state of an article. The trash is separate from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written; visible only with `read:drafts`.
    Draft,
    /// Public once `published_at` has passed.
    Published,
    /// Withdrawn from lists and feeds; visible only with `read:drafts`.
    Archived,
}

impl ArticleStatus {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(ArticleStatus::Draft),
            "published" => Some(ArticleStatus::Published),
            "archived" => Some(ArticleStatus::Archived),
            _ => None,
        }
    }
}

/// What a tag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    /// A region such as Central Asia; filtering by it includes its descendants.
    Region,
    /// A country.
    Country,
    /// An organization such as BRICS, the SCO or OPEC+.
    Organization,
    /// A subject such as energy.
    Topic,
    /// A person.
    Person,
}

impl TagKind {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Region => "region",
            TagKind::Country => "country",
            TagKind::Organization => "organization",
            TagKind::Topic => "topic",
            TagKind::Person => "person",
        }
    }

    /// Parses the stored or query value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "region" => Some(TagKind::Region),
            "country" => Some(TagKind::Country),
            "organization" => Some(TagKind::Organization),
            "topic" => Some(TagKind::Topic),
            "person" => Some(TagKind::Person),
            _ => None,
        }
    }
}

/// What made a version of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RevisionAction {
    /// The article was created (`POST`).
    Create,
    /// An edit (`PATCH` or `PUT`).
    Edit,
    /// Moved to the trash.
    Trash,
    /// Taken out of the trash.
    Restore,
    /// A tag it carried was merged into another.
    Merge,
    /// Written by `anbaa import`.
    Import,
    /// An earlier version restored (`…/revisions/{n}/restore`).
    Revert,
}

impl RevisionAction {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionAction::Create => "create",
            RevisionAction::Edit => "edit",
            RevisionAction::Trash => "trash",
            RevisionAction::Restore => "restore",
            RevisionAction::Merge => "merge",
            RevisionAction::Import => "import",
            RevisionAction::Revert => "revert",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        [
            RevisionAction::Create,
            RevisionAction::Edit,
            RevisionAction::Trash,
            RevisionAction::Restore,
            RevisionAction::Merge,
            RevisionAction::Import,
            RevisionAction::Revert,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// What happened to an article, as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    /// The article is public now: store `article` (created, edited, published, restored).
    Upsert,
    /// The article left public view (trashed, unpublished, archived, purged): drop it.
    Delete,
}

impl ChangeOp {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Delete => "delete",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upsert" => Some(ChangeOp::Upsert),
            "delete" => Some(ChangeOp::Delete),
            _ => None,
        }
    }
}

/// What a key may do beyond reading published content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Create, change and trash articles and tags.
    Write,
    /// Read drafts, archived and scheduled articles.
    ReadDrafts,
    /// Everything, including purges.
    Admin,
}

impl Scope {
    /// The scope's name on the command line and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Write => "write",
            Scope::ReadDrafts => "read:drafts",
            Scope::Admin => "admin",
        }
    }

    /// Parses a scope name.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "write" => Some(Scope::Write),
            "read:drafts" => Some(Scope::ReadDrafts),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// A key's scopes, stored as a comma-separated list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(pub Vec<Scope>);

impl Scopes {
    /// The stored form: names joined by commas.
    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses the stored form; `None` when a name is not a scope.
    pub fn parse(s: &str) -> Option<Self> {
        s.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Scope::parse)
            .collect::<Option<Vec<_>>>()
            .map(Scopes)
    }
}
