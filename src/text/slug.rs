//! Slugs derived from titles: Arabic letters stay Arabic (as WordPress does), marks and
//! punctuation go, words are joined by `-`, at most 80 characters, never all digits.

use unicode_normalization::UnicodeNormalization;

use super::{TATWEEL, is_arabic_mark, nfc};

/// The letters a slug may hold, as a regex class body (the spec's `pattern` uses it):
/// ASCII lowercase and the Arabic-script letters (Persian and Urdu ones too), no harakat or
/// tatweel. Other scripts are folded to these (é → e) or left out.
pub const SLUG_LETTERS: &str =
    r"a-z\u0621-\u063A\u0641-\u064A\u066E\u066F\u0671-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FC\u06FF";

/// The digits a slug may hold, as a regex class body: ASCII, Arabic-Indic and Persian.
pub const SLUG_DIGITS: &str = r"0-9\u0660-\u0669\u06F0-\u06F9";

/// True for a character a slug may hold besides `-` (see [`SLUG_LETTERS`], [`SLUG_DIGITS`]).
pub fn is_slug_char(c: char) -> bool {
    matches!(c,
        'a'..='z' | '0'..='9'
        | '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{066E}' | '\u{066F}'
        | '\u{0671}'..='\u{06D3}' | '\u{06D5}' | '\u{06EE}' | '\u{06EF}' | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}' | '\u{0660}'..='\u{0669}' | '\u{06F0}'..='\u{06F9}')
}

/// The regex a client-given slug must match (also the spec's `pattern`): letters and digits
/// joined by single hyphens, not all digits. Length is checked apart (1–80 characters).
pub fn slug_pattern() -> String {
    let (l, d) = (SLUG_LETTERS, SLUG_DIGITS);
    format!("^(?:[{d}]*[{l}][{l}{d}]*(?:-[{l}{d}]+)*|[{l}{d}]+(?:-[{l}{d}]+)+)$")
}

/// Appends what a title character becomes in a slug: itself, its lowercase, its
/// compatibility-folded letters that a slug may hold (é → e, ﻷ → لأ), or nothing.
fn push_folded(c: char, out: &mut String) {
    if is_slug_char(c) {
        out.push(c);
        return;
    }
    let lower: String = c.to_lowercase().collect();
    // Compatibility forms first (ﻷ → لأ, recomposed so the hamza stays), then accents off
    // whatever is still not a slug letter (é → e).
    let folded: String = lower.nfkd().collect::<String>().nfc().collect();
    for f in folded.chars() {
        if is_slug_char(f) {
            out.push(f);
        } else {
            out.extend(std::iter::once(f).nfd().filter(|&d| is_slug_char(d)));
        }
    }
}

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;

/// The word used when a title yields no letters or only digits.
const FALLBACK: &str = "خبر";

/// Derives a slug from a title. Idempotent: `slugify(slugify(t)) == slugify(t)`.
pub fn slugify(title: &str) -> String {
    let normalized = nfc(title);
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in normalized.chars() {
        if is_arabic_mark(c) || c == TATWEEL || is_invisible(c) {
            continue;
        }
        if c.is_alphanumeric() {
            push_folded(c, &mut current);
        } else if !current.is_empty() {
            // Apostrophes inside a Latin word (don't) join rather than split it.
            if matches!(c, '\'' | '’') {
                continue;
            }
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    let mut slug = String::new();
    let mut len = 0;
    for word in &words {
        let wlen = word.chars().count();
        let extra = if slug.is_empty() { wlen } else { wlen + 1 };
        if len + extra > MAX_SLUG_CHARS {
            if slug.is_empty() {
                // One word longer than the limit: cut it.
                slug = word.chars().take(MAX_SLUG_CHARS).collect();
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
        len += extra;
    }
    let slug = nfc(&slug);
    if slug.is_empty() {
        return FALLBACK.to_owned();
    }
    if is_all_digits(&slug) {
        let mut with_word = format!("{FALLBACK}-{slug}");
        if with_word.chars().count() > MAX_SLUG_CHARS {
            with_word = with_word.chars().take(MAX_SLUG_CHARS).collect();
        }
        return with_word;
    }
    slug
}

/// Zero-width and bidi controls that editors paste in without seeing them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// True when every character is a decimal digit of any script (such a slug would read as an id).
pub fn is_all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_numeric())
}

/// Checks a slug given by a client; returns what is wrong with it.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("must not be empty".into());
    }
    if slug.chars().count() > MAX_SLUG_CHARS {
        return Err(format!("must be at most {MAX_SLUG_CHARS} characters"));
    }
    if is_all_digits(slug) {
        return Err("must not be all digits (it would read as an id)".into());
    }
    if slug
        .chars()
        .any(|c| is_arabic_mark(c) || c == super::TATWEEL)
    {
        return Err("must not contain harakat or tatweel".into());
    }
    let ok_chars = slug.chars().all(|c| c == '-' || is_slug_char(c));
    if !ok_chars || slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err(
            "must be Arabic letters, lowercase a-z and digits joined by single hyphens, e.g. `kazakhstan` or `قمة-بريكس`"
                .into(),
        );
    }
    Ok(())
}

/// The candidate for the n-th collision: `slug`, `slug-2`, `slug-3`, … When the suffix would
/// pass the length limit, whole words are dropped from the end to make room.
pub fn with_suffix(slug: &str, n: u32) -> String {
    if n <= 1 {
        return slug.to_owned();
    }
    let suffix = format!("-{n}");
    let room = MAX_SLUG_CHARS - suffix.len();
    let mut base = slug.to_owned();
    while base.chars().count() > room {
        match base.rfind('-') {
            Some(i) if i > 0 => base.truncate(i),
            _ => base = base.chars().take(room).collect(),
        }
    }
    format!("{base}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_title() {
        assert_eq!(
            slugify("مقتل جنديين من «قره باخ»: تفاصيل…"),
            "مقتل-جنديين-من-قره-باخ-تفاصيل"
        );
    }

    #[test]
    fn marks_and_tatweel_go() {
        assert_eq!(slugify("مُحَمَّدٌ يزور الكويـــت"), "محمد-يزور-الكويت");
    }

    #[test]
    fn latin_lowercased_and_digits_kept() {
        assert_eq!(slugify("OPEC+ Meets in 2025"), "opec-meets-in-2025");
    }

    #[test]
    fn other_scripts_fold_or_go() {
        assert_eq!(slugify("Café Zürich"), "cafe-zurich");
        assert_eq!(slugify("Москва"), "خبر");
        assert_eq!(slugify("ﻻ ﻷ"), "لا-لأ");
        assert_eq!(slugify("İstanbul"), "istanbul");
        assert!(check_slug("café").is_err());
        assert!(check_slug("نو-روز-۱۴۰۳").is_ok());
    }

    #[test]
    fn all_digits_and_empty() {
        assert_eq!(slugify("2025"), "خبر-2025");
        assert_eq!(slugify("؟؟!"), "خبر");
        assert!(check_slug("123").is_err());
        assert!(check_slug("٢٠٢٥").is_err());
    }

    #[test]
    fn suffix_drops_whole_words_to_fit() {
        let long = slugify(&"كلمة ".repeat(16));
        assert_eq!(long.chars().count(), 79);
        let second = with_suffix(&long, 2);
        assert!(second.chars().count() <= MAX_SLUG_CHARS, "{second}");
        assert!(second.ends_with("كلمة-2"), "{second}");
        assert_eq!(with_suffix("قمة", 3), "قمة-3");
    }

    #[test]
    fn cut_at_word_boundary() {
        let title = "كلمة ".repeat(40);
        let slug = slugify(&title);
        assert!(slug.chars().count() <= MAX_SLUG_CHARS);
        assert!(!slug.ends_with('-'));
        assert!(slug.split('-').all(|w| w == "كلمة"));
    }
}
