//! The article list: parameters parsed and checked, filters, visibility, keyset or page,
//! search and its snippets.

use super::*;

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

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::NewestFirst => "-published_at",
        Sort::OldestFirst => "published_at",
        Sort::RecentlyUpdated => "-updated_at",
        Sort::Relevance => "relevance",
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

/// A list request parsed at the edge: every parameter typed and checked, and every bad one
/// reported at once, before any connection is taken. Tag slugs stay names until the list
/// resolves them against the tag tree.
#[derive(Debug, Clone)]
pub struct ListQuery {
    q: Option<String>,
    sort: Sort,
    /// The sort and search a cursor belongs to (it carries both).
    cursor_kind: String,
    cursor: Option<Keyset>,
    page: Option<i64>,
    by_cursor: bool,
    limit: i64,
    all_tags: bool,
    include_body: bool,
    fields: Option<Vec<String>>,
    visibility: Visibility,
    published_after: Option<i64>,
    published_before: Option<i64>,
    updated_after: Option<i64>,
    tags: Vec<String>,
    exclude_tags: Vec<String>,
    subjects: Vec<Subject>,
    format: Option<String>,
}

/// A standard code a list filters by (`subject=`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    /// An IPTC Media Topic qcode, `medtop:…`.
    MediaTopic(String),
    /// An ISO 3166-1 alpha-2 code, upper case.
    Country(String),
    /// A Wikidata item, `Q…`.
    Wikidata(String),
}

impl Subject {
    fn parse(raw: &str) -> Option<Subject> {
        let (scheme, code) = raw.split_once(':')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match scheme {
            "medtop" if code.len() == 8 && digits(code) => {
                Some(Subject::MediaTopic(format!("medtop:{code}")))
            }
            "iso3166" if crate::text::iso3166::is_assigned(code) => {
                Some(Subject::Country(code.to_owned()))
            }
            "wikidata"
                if code.starts_with('Q') && digits(&code[1..]) && !code[1..].starts_with('0') =>
            {
                Some(Subject::Wikidata(code.to_owned()))
            }
            _ => None,
        }
    }

    fn names(&self, t: &TagRow) -> bool {
        match self {
            Subject::MediaTopic(c) => t.iptc_media_topic.as_deref() == Some(c),
            Subject::Country(c) => t.iso3166.as_deref() == Some(c),
            Subject::Wikidata(c) => t.wikidata.as_deref() == Some(c),
        }
    }
}

impl ListQuery {
    /// Parses the query string of `GET /api/v1/articles` for `caller`: a 400 naming every
    /// bad parameter (unknown ones included), or a 401/403 when the caller may not see the
    /// status asked for.
    pub fn parse(query: &str, caller: &Caller) -> Result<ListQuery, ApiError> {
        let mut errors = Errors::default();
        let p: ArticleListParams =
            crate::extract::parse_query_into(query, &mut errors).unwrap_or_default();
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
            None if q.is_some() => Sort::Relevance,
            Some("relevance") if q.is_some() => Sort::Relevance,
            // Without a search every article is equally relevant; the tie-break is recency.
            Some("relevance") => Sort::NewestFirst,
            None | Some("-published_at") => Sort::NewestFirst,
            Some("published_at") => Sort::OldestFirst,
            Some("-updated_at") => Sort::RecentlyUpdated,
            Some(other) => {
                errors.add(
                    "sort",
                    format!(
                        "must be -published_at, published_at, -updated_at or relevance, not `{}`",
                        echo(other)
                    ),
                );
                Sort::NewestFirst
            }
        };
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
        let selects = |name: &str| fields.as_ref().is_some_and(|f| f.iter().any(|x| x == name));
        if q.is_none() && selects("snippet") {
            errors.add(
                "fields",
                "`snippet` is only there with `q`: it is the matched excerpt of a search",
            );
        }
        // Asking for a body field by name is asking for the body.
        let include_body = include_body || selects("body") || selects("body_html");
        // A partner's key sees articles under embargo in every public list.
        let public = if !caller.can(Scope::ReadDrafts) && caller.can(Scope::ReadEmbargoed) {
            Visibility::Embargoed
        } else {
            Visibility::Public
        };
        let visibility = match p.status.as_deref() {
            None => public,
            Some("published") if !caller.can(Scope::ReadDrafts) => public,
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
        let instant = |errors: &mut Errors, name: &str, raw: &Option<String>| {
            params::instant(errors, name, raw.as_deref())
        };
        let published_after = instant(&mut errors, "published_after", &p.published_after);
        let published_before = instant(&mut errors, "published_before", &p.published_before);
        let updated_after = instant(&mut errors, "updated_after", &p.updated_after);
        let tags = csv(p.tag.as_deref());
        let exclude_tags = csv(p.exclude_tag.as_deref());
        let mut subjects = Vec::new();
        for raw in csv(p.subject.as_deref()) {
            match Subject::parse(&raw) {
                Some(s) => subjects.push(s),
                None => errors.add(
                    "subject",
                    format!(
                        "`{}` is not a code: give medtop:20000639 (an IPTC Media Topic), iso3166:KZ or wikidata:Q232",
                        echo(&raw)
                    ),
                ),
            }
        }
        if subjects.len() > MAX_TAGS {
            errors.add("subject", format!("names more than {MAX_TAGS} codes"));
        }
        for (param, slugs) in [("tag", &tags), ("exclude_tag", &exclude_tags)] {
            if slugs.len() > MAX_TAGS {
                errors.add(param, format!("names more than {MAX_TAGS} tags"));
            }
        }
        errors.into_param_result()?;
        Ok(ListQuery {
            q,
            sort,
            cursor_kind,
            cursor,
            page,
            by_cursor: p.cursor.is_some(),
            limit,
            all_tags,
            include_body,
            fields,
            visibility,
            published_after,
            published_before,
            updated_after,
            tags,
            exclude_tags,
            subjects,
            format: p.format,
        })
    }

    /// The `format` asked for, unchecked (the route negotiates it with `Accept`).
    pub fn format(&self) -> Option<&str> {
        self.format.as_deref()
    }

    /// Whether `fields` chose a selection.
    pub fn selects(&self) -> bool {
        self.fields.is_some()
    }

    /// The same list with every article's body (a format that carries bodies).
    pub fn with_bodies(mut self) -> ListQuery {
        self.include_body = true;
        self
    }

    /// The tags a list's validator may be scoped by: the slugs its `tag` parameters name,
    /// read as the list reads them; none for a search (its scores weigh every article) or a
    /// list without tags, whose validators are the site's.
    pub fn scope(query: &str) -> Vec<String> {
        if query.is_empty() {
            return Vec::new();
        }
        let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
            return Vec::new();
        };
        // A subject names tags by code: such a list takes the site's validators.
        if pairs
            .iter()
            .any(|(k, v)| (k == "q" || k == "subject") && !v.trim().is_empty())
        {
            return Vec::new();
        }
        pairs
            .iter()
            .filter(|(k, _)| k == "tag")
            .flat_map(|(_, v)| csv(Some(v)))
            .collect()
    }

    /// True when the response carries `field` (every field unless `fields` chose some).
    pub fn wants(&self, field: &str) -> bool {
        self.fields
            .as_ref()
            .is_none_or(|f| f.iter().any(|x| x == field))
    }

    /// True for a search (`q` with text in it).
    pub fn is_search(&self) -> bool {
        self.q.is_some()
    }

    /// True when pages are numbered (`page`) rather than walked by cursor.
    pub fn by_page(&self) -> bool {
        self.page.is_some()
    }
}

/// Lists articles as a parsed `GET /api/v1/articles` asks; an unknown tag slug is a 400.
pub fn list(conn: &mut Conn, query: ListQuery) -> Result<ArticlePage, ApiError> {
    let mut errors = Errors::default();
    // The tag tree is only needed to resolve tag filters; most list requests have none.
    let (all, redirects) =
        if query.tags.is_empty() && query.exclude_tags.is_empty() && query.subjects.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (db::tags::all(conn)?, db::revisions::tag_redirects(conn)?)
        };
    let mut tag_groups = resolve_groups(&mut errors, &all, &redirects, "tag", &query.tags);
    for subject in &query.subjects {
        let mut group: Vec<i32> = all
            .iter()
            .filter(|t| subject.names(t))
            .flat_map(|t| db::tags::descendants(&all, t.id))
            .collect();
        group.sort_unstable();
        group.dedup();
        // A code no tag carries matches no article (ids start at 1), rather than being an
        // error: it is a real code, just not one this site uses yet.
        if group.is_empty() {
            group.push(0);
        }
        tag_groups.push(group);
    }
    let exclude: Vec<i32> = resolve_groups(
        &mut errors,
        &all,
        &redirects,
        "exclude_tag",
        &query.exclude_tags,
    )
    .into_iter()
    .flatten()
    .collect();
    errors.into_param_result()?;

    let parsed = query.q.as_deref().map(search::parse);
    let now = now_micros();
    let filter = ArticleFilter {
        tag_groups,
        all_tags: query.all_tags,
        exclude_tags: exclude,
        published_after: query.published_after,
        published_before: query.published_before,
        updated_after: query.updated_after,
        visibility: query.visibility,
        sort: query.sort,
        limit: query.limit,
        paging: match query.page {
            Some(n) => Paging::Page(n),
            None => Paging::After(query.cursor),
        },
        now,
        search: parsed.as_ref().and_then(|p| {
            Some(db::fts::MatchExpr {
                fts5: p.fts.clone()?,
                tsquery: p.tsquery.clone()?,
            })
        }),
        texts: Texts {
            body: query.include_body,
            plain: parsed.is_some() && query.wants("snippet"),
        },
    };
    let page_mode = if query.by_cursor {
        None
    } else {
        Some(query.page.unwrap_or(1))
    };
    // A search with nothing to look for (only exclusions, only punctuation) finds nothing.
    if parsed.as_ref().is_some_and(|p| p.fts.is_none()) {
        return Ok(ArticlePage {
            data: Vec::new(),
            selection: query.fields,
            total: 0,
            limit: query.limit,
            page: page_mode,
            next_cursor: None,
        });
    }
    let found = db::articles::list(conn, &filter)?;
    let next_cursor = match (found.rows.last(), found.scores.last()) {
        (Some(last), score) if found.more => {
            let (name, value, at) = match (query.sort, score) {
                (Sort::Relevance, Some(score)) => {
                    let at = query.cursor.map_or(db::fts::scoring_instant(now), |c| c.at);
                    (
                        format!("{}@{at}", query.cursor_kind),
                        score.to_bits() as i64,
                        at,
                    )
                }
                _ => (
                    query.cursor_kind.clone(),
                    db::articles::sort_value(last, query.sort),
                    0,
                ),
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
    let mut corrections = db::corrections::of(conn, &ids)?;
    let mut snippets = parsed.as_ref().map(|p| search::Snippets::new(&p.marks));
    let data = found
        .rows
        .into_iter()
        .map(|row| {
            // Snippets cost an analysis of the text: only when the caller gets them.
            let snippet = snippets
                .as_mut()
                .filter(|_| query.wants("snippet"))
                .map(|s| {
                    // Paragraph breaks read as spaces in a one-line excerpt.
                    let body = row.body_text.replace('\n', " ");
                    s.of(&row.title, &row.summary, &body)
                });
            let t = tags.remove(&row.id).unwrap_or_default();
            let c = corrections.remove(&row.id).unwrap_or_default();
            let mut item = ArticleListItem::from_article(to_wire(row, t, c), query.include_body);
            item.snippet = snippet;
            item
        })
        .collect();
    Ok(ArticlePage {
        data,
        selection: query.fields,
        total: found.total,
        limit: query.limit,
        page: page_mode,
        next_cursor,
    })
}
