//! Where the store lives, as `--db` names it: an SQLite file, or a PostgreSQL server by URL.
//! The backend is chosen by the URL scheme, never by trying one and then the other (a
//! PostgreSQL URL must never become a file of that name, nor a down server an "invalid URL").

/// A parsed `--db` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A path to an SQLite file (created on first start).
    Sqlite(&'a str),
    /// A `postgres://` or `postgresql://` URL, handed to libpq as it is (multi-host lists
    /// and `target_session_attrs` included).
    Postgres(&'a str),
}

impl<'a> Target<'a> {
    /// Reads `--db`: a PostgreSQL URL by its scheme, anything else a file path.
    pub fn parse(db: &'a str) -> Target<'a> {
        let scheme = db.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("postgres" | "postgresql") => Target::Postgres(db),
            _ => Target::Sqlite(db),
        }
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{hosts}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_alone_chooses_the_backend() {
        assert_eq!(
            Target::parse("postgresql://a@db1,db2/anbaa?target_session_attrs=read-write"),
            Target::Postgres("postgresql://a@db1,db2/anbaa?target_session_attrs=read-write")
        );
        assert_eq!(
            Target::parse("POSTGRES://h/d"),
            Target::Postgres("POSTGRES://h/d")
        );
        assert_eq!(
            Target::parse("data/anbaa.db"),
            Target::Sqlite("data/anbaa.db")
        );
        assert_eq!(Target::parse("/tmp/x:y.db"), Target::Sqlite("/tmp/x:y.db"));
    }

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redacted("postgresql://anbaa:s3cret@db1:5432,db2/news?sslmode=require"),
            "postgresql://anbaa:***@db1:5432,db2/news?sslmode=require"
        );
        assert_eq!(
            redacted("postgresql://anbaa@db1/news"),
            "postgresql://anbaa@db1/news"
        );
        assert_eq!(redacted("postgresql:///news"), "postgresql:///news");
    }
}
