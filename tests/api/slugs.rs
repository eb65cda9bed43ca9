//! Property tests of slug derivation.

use anbaa::text::slug::{MAX_SLUG_CHARS, check_slug, is_all_digits, slugify};
use proptest::prelude::*;

fn title() -> impl Strategy<Value = String> {
    // Arabic letters and marks, Latin, digits of both scripts, punctuation and spaces.
    prop::collection::vec(
        prop_oneof![
            prop::char::range('\u{0621}', '\u{064A}'),
            prop::char::range('\u{064B}', '\u{0652}'),
            Just('\u{0640}'),
            prop::char::range('a', 'z'),
            prop::char::range('A', 'Z'),
            prop::char::range('0', '9'),
            prop::char::range('\u{0660}', '\u{0669}'),
            prop::sample::select(vec![
                ' ', '-', '«', '»', '،', '؟', ':', '.', '“', '”', '…', '+', 'İ', 'ß'
            ]),
        ],
        1..120,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #[test]
    fn idempotent(t in title()) {
        let once = slugify(&t);
        let twice = slugify(&once);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn never_empty_never_all_digits_always_valid(t in title()) {
        let s = slugify(&t);
        prop_assert!(!s.is_empty());
        let all_digits = is_all_digits(&s);
        prop_assert!(!all_digits);
        prop_assert!(s.chars().count() <= MAX_SLUG_CHARS);
        let valid = check_slug(&s);
        prop_assert!(valid.is_ok(), "{:?}", valid);
    }

    #[test]
    fn any_unicode_title_is_safe(t in "\\PC{1,200}") {
        let s = slugify(&t);
        prop_assert!(!s.is_empty());
        prop_assert_eq!(slugify(&s), s.clone());
    }
}

/// Any string, biased towards the characters slugs are made of and the ones they must not hold.
fn slug_candidate() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::char::range('a', 'z'),
            prop::char::range('0', '9'),
            Just('-'),
            prop::char::range('\u{0600}', '\u{06FF}'),
            prop::char::range('\u{0660}', '\u{0669}'),
            prop::sample::select(vec![
                'A', 'é', 'ж', ' ', '_', '\u{0640}', '\u{064E}', '٫', '½'
            ]),
            any::<char>(),
        ],
        0..90,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    /// The spec's slug `pattern` and `maxLength` accept exactly what the server accepts, so a
    /// client validating against the spec is never surprised (and schemathesis agrees).
    #[test]
    fn spec_pattern_agrees_with_check_slug(s in slug_candidate()) {
        let re = regex::Regex::new(&anbaa::text::slug::slug_pattern()).unwrap();
        let by_spec = re.is_match(&s) && s.chars().count() <= MAX_SLUG_CHARS;
        prop_assert_eq!(by_spec, check_slug(&s).is_ok(), "{:?}", s);
    }
}

#[test]
fn other_scripts_fold_into_slugs_and_bad_slugs_are_named() {
    use crate::helpers::{TestApp, error_fields, problem};
    use serde_json::{Value, json};
    let app = TestApp::spawn();
    let res = app.post("/api/v1/articles", &json!({"title": "Café Zürich Москва"}));
    assert_eq!(res.status(), 201);
    let created: Value = res.json().unwrap();
    assert_eq!(created["slug"], "cafe-zurich");
    for bad in ["café", "Kazakhstan", "١٢٣", "قمة--بريكس", "مُحَمَّد"] {
        let p = problem(
            app.post("/api/v1/articles", &json!({"title": "خبر", "slug": bad})),
            422,
        );
        assert_eq!(error_fields(&p), vec!["slug"], "{bad}");
    }
    // `fields` names exact fields joined by single commas, as the spec's pattern says.
    let p = problem(app.get("/api/v1/articles?fields=id,,slug"), 400);
    assert_eq!(error_fields(&p), vec!["fields"]);
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(empty)")
    );
    // An empty tag filter is no filter.
    app.article("خبر منشور", &[]);
    let all: Value = app.get("/api/v1/articles").json().unwrap();
    assert_eq!(all["meta"]["total"], 1);
    let empty: Value = app
        .get("/api/v1/articles?tag=&exclude_tag=")
        .json()
        .unwrap();
    assert_eq!(all["meta"]["total"], empty["meta"]["total"]);
}
