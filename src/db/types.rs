//! The domain's closed sets as SQL text, mapped once: a stored value that is not one of the
//! set is an error to report, never a default to guess.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::{AsExpression, FromSqlRow};

use crate::model::{
    ArticleStatus, ChangeEvent, ChangeOp, CorrectionKind, PubStatus, RevisionAction, Scopes,
    TagKind,
};

/// Implements `FromSql`/`ToSql` over `Text` for an enum with `as_str` and `parse`; the
/// proxy struct gives Diesel's derives (`AsExpression`, `FromSqlRow`) a local item to read.
macro_rules! text_enum {
    ($ty:ty, $proxy:ident, $what:literal) => {
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive, sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = String::from_sql(bytes)?;
                <$ty>::parse(&s).ok_or_else(|| format!("`{s}` is not a stored {}", $what).into())
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }
    };
}

text_enum!(ArticleStatus, ArticleStatusSql, "article status");
text_enum!(TagKind, TagKindSql, "tag kind");
text_enum!(RevisionAction, RevisionActionSql, "revision action");
text_enum!(ChangeOp, ChangeOpSql, "change op");
text_enum!(PubStatus, PubStatusSql, "publication status");
text_enum!(CorrectionKind, CorrectionKindSql, "correction kind");
text_enum!(ChangeEvent, ChangeEventSql, "change event");

#[derive(AsExpression, FromSqlRow)]
#[diesel(foreign_derive, sql_type = Text)]
#[allow(dead_code)]
struct ScopesSql(Scopes);

impl<DB: Backend> FromSql<Text, DB> for Scopes
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let s = String::from_sql(bytes)?;
        Scopes::parse(&s).ok_or_else(|| format!("`{s}` is not a stored list of scopes").into())
    }
}

impl ToSql<Text, diesel::sqlite::Sqlite> for Scopes {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
        // The joined text is made here, so it is handed over owned.
        out.set_value(self.to_stored());
        Ok(serialize::IsNull::No)
    }
}

#[cfg(feature = "postgres")]
impl ToSql<Text, diesel::pg::Pg> for Scopes {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
        use std::io::Write;
        out.write_all(self.to_stored().as_bytes())?;
        Ok(serialize::IsNull::No)
    }
}

#[cfg(feature = "postgres")]
impl ToSql<Text, super::MultiBackend> for Scopes {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, super::MultiBackend>) -> serialize::Result {
        // The store's connection type hands the value to whichever backend it holds.
        out.set_value((Text, self));
        Ok(serialize::IsNull::No)
    }
}
