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
