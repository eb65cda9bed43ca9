//! Text handling shared by every resource: Unicode normalization, slugs, and the
//! CommonMark → sanitized HTML pipeline.

pub mod analyzer;
pub mod iso3166;
pub mod markdown;
pub mod slug;

use unicode_normalization::UnicodeNormalization;

/// NFC, the one form every stored text is kept in.
pub fn nfc(s: &str) -> String {
    // Almost every text arrives in NFC already; the quick check spares recomposing it.
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        return s.to_owned();
    }
    s.nfc().collect()
}

/// True for Arabic harakat, Quranic annotation marks and the superscript alef: marks a
/// writer may add or leave out without changing the word.
pub fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

/// Tatweel (kashida), a stretching stroke with no meaning.
pub const TATWEEL: char = '\u{0640}';

/// Percent-encodes a path segment (an Arabic slug) so it can go in a URL or a header.
pub fn pct(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() * 3);
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes text for HTML element content and quoted attributes.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
