//! Answers for requests no route takes: 405 with `Allow` when the path exists under
//! another method, else 404. The known paths come from the spec, so they never drift.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// Every served path pattern and the methods it answers.
#[derive(Debug)]
pub struct KnownRoutes(Vec<(ResourceDef, Vec<Method>)>);

impl KnownRoutes {
    /// Collects the routes from the spec, plus the documentation routes.
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> KnownRoutes {
        let mut routes = Vec::new();
        for (path, item) in spec.paths.paths.iter() {
            let mut methods = Vec::new();
            let ops = [
                (&item.get, Method::GET),
                (&item.post, Method::POST),
                (&item.put, Method::PUT),
                (&item.patch, Method::PATCH),
                (&item.delete, Method::DELETE),
            ];
            for (op, method) in ops {
                if op.is_some() {
                    methods.push(method);
                }
            }
            routes.push((ResourceDef::new(path.as_str()), methods));
        }
        routes.push((ResourceDef::new("/openapi.json"), vec![Method::GET]));
        routes.push((ResourceDef::new("/metrics"), vec![Method::GET]));
        routes.push((ResourceDef::prefix("/docs"), vec![Method::GET]));
        KnownRoutes(routes)
    }

    fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut found: Option<Vec<Method>> = None;
        for (def, methods) in &self.0 {
            if def.is_match(path) {
                let all = found.get_or_insert_with(Vec::new);
                for m in methods {
                    if !all.contains(m) {
                        all.push(m.clone());
                    }
                    // Every GET answers HEAD too.
                    if *m == Method::GET && !all.contains(&Method::HEAD) {
                        all.push(Method::HEAD);
                    }
                }
            }
        }
        found
    }
}

/// The default service: a permanent redirect when only a trailing slash is in the way,
/// else 405 or 404 as problem+json.
pub async fn not_routed(
    req: HttpRequest,
    known: web::Data<KnownRoutes>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let trimmed = path.trim_end_matches('/');
    if trimmed.len() < path.len() && !trimmed.is_empty() && known.allowed(trimmed).is_some() {
        let query = req.query_string();
        let location = if query.is_empty() {
            trimmed.to_owned()
        } else {
            format!("{trimmed}?{query}")
        };
        // 308 keeps the method and body, so a POST to `/articles/` still works.
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish());
    }
    Err(match known.allowed(path) {
        Some(methods) if !methods.is_empty() && !methods.contains(req.method()) => {
            ApiError::MethodNotAllowed(methods)
        }
        _ if path == "/" => ApiError::NotFound(
            "nothing here: the API is under /api/v1, its documentation at /docs/ and its OpenAPI spec at /openapi.json".to_owned(),
        ),
        _ => ApiError::NotFound(format!("no resource at {}", req.path())),
    })
}
