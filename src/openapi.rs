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
    // Referenced only from query parameters and shared responses, so not collected from
    // the handlers.
    components(schemas(
        crate::dto::article::ArticleSort,
        crate::dto::article::ArticleFormat,
        crate::dto::article::ListFormat,
        crate::dto::article::Article,
        crate::dto::list::ArticleList,
        crate::dto::change::ChangeList,
        crate::dto::formats::NinjsDocument,
        crate::dto::formats::NinjsList,
        crate::dto::formats::NinjsChange,
        crate::dto::formats::NinjsChangeList,
        crate::dto::article::TagMode,
        crate::dto::article::ListStatus,
        crate::dto::article::Include,
        crate::dto::article::QueryInstant,
        crate::dto::article::FieldList,
        crate::dto::article::DetailFieldList,
        crate::dto::problem::ValidationProblem,
        crate::dto::tag::TagSort,
        crate::feeds::FeedFormat,
        crate::dto::webhook::WebhookPayload,
        crate::dto::webhook::DeliveryStatus
    )),
    tags(
        (name = "articles", description = "Arabic news articles"),
        (name = "tags", description = "Regions, countries, organizations, topics"),
        (name = "revisions", description = "Every earlier version of an article, and restoring one"),
        (name = "sync", description = "Incremental sync for partners: the change log"),
        (name = "webhooks", description = "Standard Webhooks pushed to partners: endpoints, deliveries, replays (admin keys). Every delivery is a POST of a `WebhookPayload` with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers"),
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
                        "An API key made with `anbaa keys create`; scopes: write, read:drafts, read:embargoed, admin.",
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
    api
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
