//! Tags tied to the vocabularies partners route by (IPTC Media Topics, ISO 3166-1, Wikidata),
//! checked through HTTP, and the ISO list held equal to an independent one (pycountry).

use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_fields, problem};

fn ids(app: &TestApp, path: &str) -> Vec<i64> {
    let page: Value = app.get(path).json().unwrap();
    let mut ids: Vec<i64> = page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {page}"))
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn tags_carry_checked_codes_and_lists_filter_by_them() {
    let app = TestApp::spawn_demo();
    let kz: Value = app.get("/api/v1/tags/kazakhstan").json().unwrap();
    assert_eq!(kz["iso3166"], "KZ");
    assert_eq!(kz["wikidata"], "Q232");
    assert!(kz["iptc_media_topic"].is_null());
    let economy: Value = app.get("/api/v1/tags/economy").json().unwrap();
    assert_eq!(economy["iptc_media_topic"], "medtop:04000000");

    // A code filters like the tag that carries it (a region's code covers its countries).
    let by_code = ids(&app, "/api/v1/articles?subject=medtop:04000000&limit=100");
    assert!(!by_code.is_empty());
    assert_eq!(by_code, ids(&app, "/api/v1/articles?tag=economy&limit=100"));
    assert_eq!(
        ids(&app, "/api/v1/articles?subject=iso3166:KZ&limit=100"),
        ids(&app, "/api/v1/articles?tag=kazakhstan&limit=100")
    );
    assert_eq!(
        ids(&app, "/api/v1/articles?subject=wikidata:Q27275&limit=100"),
        ids(&app, "/api/v1/articles?tag=central-asia&limit=100")
    );
    // A real code no tag carries: nothing, not an error.
    assert!(ids(&app, "/api/v1/articles?subject=medtop:20000639").is_empty());
    let p = problem(
        app.get("/api/v1/articles?subject=medtop:123,iso3166:XX,wikidata:Q0"),
        400,
    );
    assert_eq!(error_fields(&p), ["subject", "subject", "subject"]);

    // Writes check each code and name the field.
    let p = problem(
        app.post(
            "/api/v1/tags",
            &json!({"name": "أفغانستان", "kind": "country", "iptc_media_topic": "20000639",
                    "iso3166": "XK", "wikidata": "232"}),
        ),
        422,
    );
    assert_eq!(
        error_fields(&p),
        ["iptc_media_topic", "iso3166", "wikidata"]
    );
    let res = app.post(
        "/api/v1/tags",
        &json!({"slug": "afghanistan", "name": "أفغانستان", "kind": "country",
                "iso3166": "af", "wikidata": "Q889"}),
    );
    let p = problem(res, 422);
    assert_eq!(
        error_fields(&p),
        ["iso3166"],
        "ISO writes codes in upper case"
    );
    let res = app.post(
        "/api/v1/tags",
        &json!({"slug": "afghanistan", "name": "أفغانستان", "kind": "country",
                "iso3166": "AF", "wikidata": "Q889"}),
    );
    assert_eq!(res.status(), 201);
    let made: Value = res.json().unwrap();
    assert_eq!(made["iso3166"], "AF");
    let res = app.send(
        Method::PATCH,
        "/api/v1/tags/afghanistan",
        &json!({"wikidata": null, "iptc_media_topic": "medtop:20000639"}),
    );
    assert_eq!(res.status(), 200);
    let patched: Value = res.json().unwrap();
    assert!(patched["wikidata"].is_null());
    assert_eq!(patched["iptc_media_topic"], "medtop:20000639");

    // A webhook filter may name a merged tag by its old slug, as every filter may.
    let merged = app.post(
        "/api/v1/tags/afghanistan/merge",
        &json!({"into": "kazakhstan"}),
    );
    assert_eq!(merged.status(), 200);
    let hook = app
        .client
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&app.admin)
        .json(&json!({"url": "https://partner.example.org/h", "tags": ["afghanistan"]}))
        .send()
        .unwrap();
    assert_eq!(hook.status(), 201);
    let hook: Value = hook.json().unwrap();
    assert_eq!(hook["tags"], json!(["kazakhstan"]));
}

/// The list of assigned codes equals pycountry's (when the Python tools are installed).
#[test]
fn the_iso_3166_list_is_pycountrys() {
    let Some(python) = crate::helpers::python_with(&["pycountry"]) else {
        return;
    };
    let out = Command::new(&python)
        .args([
            "-c",
            "import pycountry; print(' '.join(sorted(c.alpha_2 for c in pycountry.countries)))",
        ])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(theirs, anbaa::text::iso3166::ASSIGNED.to_vec());
}
