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
    /// A correction or clarification was recorded (`POST …/corrections`).
    Correct,
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
            RevisionAction::Correct => "correct",
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
            RevisionAction::Correct,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// Whether an article may be distributed, as the wires say it (IPTC `pubStatus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PubStatus {
    /// Fit to publish (the default).
    #[default]
    Usable,
    /// Withdrawn for now: out of every list, feed and search; may become usable again.
    Withheld,
    /// Killed: must not be distributed, and every copy already delivered must be recalled.
    /// Final: a canceled article can only be purged.
    Canceled,
}

impl PubStatus {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PubStatus::Usable => "usable",
            PubStatus::Withheld => "withheld",
            PubStatus::Canceled => "canceled",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "usable" => Some(PubStatus::Usable),
            "withheld" => Some(PubStatus::Withheld),
            "canceled" => Some(PubStatus::Canceled),
            _ => None,
        }
    }
}

/// Kinds of reader-facing corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CorrectionKind {
    /// Something the article said was wrong.
    Correction,
    /// Something it said was unclear.
    Clarification,
}

impl CorrectionKind {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CorrectionKind::Correction => "correction",
            CorrectionKind::Clarification => "clarification",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "correction" => Some(CorrectionKind::Correction),
            "clarification" => Some(CorrectionKind::Clarification),
            _ => None,
        }
    }
}

/// What a change meant to partners: the webhook event types without their `article.`
/// prefix, and `deleted` for an article that left public view any other way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeEvent {
    /// It became public (created, published, restored, reinstated, fell due).
    Published,
    /// A public article changed.
    Updated,
    /// A correction or clarification was added to it.
    Corrected,
    /// Its embargo lifted: it is public from now on.
    EmbargoLifted,
    /// Withheld: remove it for now.
    Withheld,
    /// Canceled (killed): remove it and recall every copy.
    Canceled,
    /// It left public view otherwise (trashed, unpublished, archived, purged).
    Deleted,
}

impl ChangeEvent {
    /// The value stored in the database and used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeEvent::Published => "published",
            ChangeEvent::Updated => "updated",
            ChangeEvent::Corrected => "corrected",
            ChangeEvent::EmbargoLifted => "embargo_lifted",
            ChangeEvent::Withheld => "withheld",
            ChangeEvent::Canceled => "canceled",
            ChangeEvent::Deleted => "deleted",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeEvent::Published,
            ChangeEvent::Updated,
            ChangeEvent::Corrected,
            ChangeEvent::EmbargoLifted,
            ChangeEvent::Withheld,
            ChangeEvent::Canceled,
            ChangeEvent::Deleted,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }

    /// The `/changes` op of an entry with this event.
    pub fn op(self) -> ChangeOp {
        match self {
            ChangeEvent::Published
            | ChangeEvent::Updated
            | ChangeEvent::Corrected
            | ChangeEvent::EmbargoLifted => ChangeOp::Upsert,
            ChangeEvent::Withheld | ChangeEvent::Canceled | ChangeEvent::Deleted => {
                ChangeOp::Delete
            }
        }
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
    /// Read embargoed articles before their embargo lifts, and editors' notes (partners).
    ReadEmbargoed,
    /// Everything, including purges.
    Admin,
}

impl Scope {
    /// The scope's name on the command line and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Write => "write",
            Scope::ReadDrafts => "read:drafts",
            Scope::ReadEmbargoed => "read:embargoed",
            Scope::Admin => "admin",
        }
    }

    /// Parses a scope name.
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "write" => Some(Scope::Write),
            "read:drafts" => Some(Scope::ReadDrafts),
            "read:embargoed" => Some(Scope::ReadEmbargoed),
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
