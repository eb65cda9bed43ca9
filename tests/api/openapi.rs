//! The committed spec matches the code; the served spec and docs work.

use serde_json::Value;

use crate::helpers::TestApp;

#[test]
fn committed_spec_matches_the_code() {
    let generated = anbaa::openapi::spec_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != generated {
        std::fs::write(path, &generated).expect("rewrite spec");
        panic!("openapi/openapi.json was stale and has been regenerated: review and commit it");
    }
}

/// What a client fetches from the URL, what `anbaa openapi` prints and what the repository
/// holds are one document, byte for byte, and the docs page reads that URL.
#[test]
fn served_printed_and_committed_specs_are_the_same_bytes() {
    let app = TestApp::spawn();
    let res = app.get("/openapi.json");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let served = res.bytes().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read(path).unwrap();
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_anbaa"))
        .arg("openapi")
        .output()
        .unwrap()
        .stdout;
    assert!(served[..] == committed[..], "served != committed");
    assert!(printed[..] == committed[..], "printed != committed");
    let again = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status(), 304);
    let init = app.get("/docs/swagger-initializer.js").text().unwrap();
    assert!(init.contains("\"/openapi.json\""), "{init}");
}

#[test]
fn spec_is_served_and_documents_every_route_and_error() {
    let app = TestApp::spawn();
    let spec: Value = app.get("/openapi.json").json().unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/api/v1/articles",
        "/api/v1/articles/{ref}",
        "/api/v1/tags",
        "/api/v1/tags/{slug}",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec["components"]["schemas"]["Problem"].is_object());
    let create = &spec["paths"]["/api/v1/articles"]["post"];
    for status in ["201", "400", "401", "403", "409", "413", "415", "422"] {
        assert!(
            create["responses"][status].is_object(),
            "POST /articles lacks {status}"
        );
    }
    let limit = spec["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["maximum"], 100);
    let docs = app.get("/docs/");
    assert_eq!(docs.status(), 200);
    assert!(docs.text().unwrap().contains("swagger"));
}

/// Every `$ref` in the spec points at a component that exists (a broken one makes clients
/// and fuzzers give up on the whole operation).
#[test]
fn every_reference_in_the_spec_resolves() {
    let spec: Value = serde_json::from_str(&anbaa::openapi::spec_json()).unwrap();
    fn walk(v: &Value, spec: &Value, broken: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let target = r.strip_prefix('#').and_then(|p| spec.pointer(p));
                    if target.is_none() {
                        broken.push(r.clone());
                    }
                }
                map.values().for_each(|x| walk(x, spec, broken));
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, spec, broken)),
            _ => {}
        }
    }
    let mut broken = Vec::new();
    walk(&spec, &spec, &mut broken);
    assert!(broken.is_empty(), "unresolved: {broken:?}");
    for path in [
        "/api/v1/changes",
        "/api/v1/articles/{ref}/related",
        "/api/v1/articles/{ref}/revisions",
        "/api/v1/articles/{ref}/revisions/{n}/restore",
        "/api/v1/articles/{ref}/restore",
        "/api/v1/tags/{slug}/merge",
        "/feeds/articles.{format}",
        "/feeds/tags/{slug}.{format}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
}
