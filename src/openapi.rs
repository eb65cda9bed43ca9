//! The OpenAPI document: top-level facts here, paths and schemas collected from the
//! handlers registered in `routes::configure`, so the spec cannot list a route that is not
//! served. The server builds it once at start and serves the bytes `spec_json` returns.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// Top-level facts of the spec.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "anbaa",
        description = "A JSON REST content API for Arabic news: articles and the regional tags they carry (Central Asia, the Caucasus, their neighbours, BRICS, the SCO, OPEC+). Errors are RFC 9457 problem+json.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    // Referenced only from query parameters, so not collected from the handlers.
    components(schemas(
        crate::dto::article::ArticleSort,
        crate::dto::tag::TagSort,
        crate::feeds::FeedFormat
    )),
    tags(
        (name = "articles", description = "Arabic news articles"),
        (name = "tags", description = "Regions, countries, organizations, topics"),
        (name = "revisions", description = "Every earlier version of an article, and restoring one"),
        (name = "sync", description = "Incremental sync for partners: the change log"),
        (name = "feeds", description = "Atom, RSS 2.0 and JSON Feed 1.1, site-wide and per tag"),
        (name = "health", description = "Probes")
    )
)]
pub struct ApiDoc;

/// Adds the bearer-key security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key made with `anbaa keys create`; scopes: write, read:drafts, admin.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The spec as the code defines it.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    with_field_selections(api)
}

/// Writes the text rules into the request schemas.
fn with_field_selections(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut v) = serde_json::to_value(&api) else {
        return api;
    };
    with_text_rules(&mut v);
    serde_json::from_value(v).unwrap_or(api)
}

/// Characters no text field may hold (see `validate::is_forbidden_char`), as a regex class body.
const FORBIDDEN: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF";

/// Writes the validation rules utoipa's attributes cannot say into the request schemas, so
/// the spec accepts exactly what the server accepts: slugs, text without control characters,
/// names with a letter, image URLs, lengths.
fn with_text_rules(v: &mut serde_json::Value) {
    let text = format!("^[^{FORBIDDEN}]*$");
    // A letter or digit that is not tatweel, among allowed characters.
    let name = format!("^[^{FORBIDDEN}]*[^\\W_\\u0640][^{FORBIDDEN}]*$");
    let url = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s\u0000-\u001F\u007F-\u009F/?#][^\s\u0000-\u001F\u007F-\u009F]*$";
    let slug = crate::text::slug::slug_pattern();
    let rules: &[(&str, &[&str], &str, Option<usize>)] = &[
        ("ArticleCreate", &["title"], &name, Some(300)),
        ("ArticlePatch", &["title"], &name, Some(300)),
        ("TagCreate", &["name"], &name, Some(120)),
        ("TagPatch", &["name"], &name, Some(120)),
        ("ArticleCreate", &["slug"], &slug, Some(80)),
        ("ArticlePatch", &["slug"], &slug, Some(80)),
        ("TagCreate", &["slug"], &slug, Some(80)),
        ("TagPatch", &["slug"], &slug, Some(80)),
        ("ArticleCreate", &["summary"], &text, Some(1000)),
        ("ArticlePatch", &["summary"], &text, Some(1000)),
        ("ArticleCreate", &["body"], &text, Some(200_000)),
        ("ArticlePatch", &["body"], &text, Some(200_000)),
        ("ArticleCreate", &["source", "author"], &text, Some(300)),
        ("ArticlePatch", &["source", "author"], &text, Some(300)),
        ("TagCreate", &["name_en"], &text, Some(120)),
        ("TagPatch", &["name_en"], &text, Some(120)),
        ("TagCreate", &["description"], &text, Some(2000)),
        ("TagPatch", &["description"], &text, Some(2000)),
        ("Image", &["caption"], &text, Some(500)),
        ("Image", &["url"], url, Some(crate::validate::MAX_URL)),
    ];
    for (schema, props, pattern, max) in rules {
        for prop in *props {
            let path = format!("/components/schemas/{schema}/properties/{prop}");
            let Some(obj) = v.pointer_mut(&path).and_then(|p| p.as_object_mut()) else {
                continue;
            };
            obj.insert("pattern".into(), (*pattern).into());
            if let Some(max) = max {
                obj.insert("maxLength".into(), (*max).into());
            }
        }
    }
    for schema in ["ArticleCreate", "ArticlePatch"] {
        let path = format!("/components/schemas/{schema}/properties/tags");
        if let Some(obj) = v.pointer_mut(&path).and_then(|p| p.as_object_mut()) {
            obj.insert("maxItems".into(), crate::validate::MAX_TAGS.into());
        }
    }
}

/// The spec as pretty JSON with a trailing newline, as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    to_json(&spec())
}

/// A spec as pretty JSON with a trailing newline.
pub fn to_json(spec: &utoipa::openapi::OpenApi) -> String {
    let mut s = spec.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
