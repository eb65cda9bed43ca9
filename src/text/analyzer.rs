//! The Arabic analyzer, one for indexing and for queries alike: tokenize the original text
//! keeping spans, normalize, light-stem, and derive the keys that let spelling variants meet.
//!
//! Built on Lucene's ArabicNormalizer and light stemmer with the fixes recorded in
//! `shared/research/arabic-search.md`: full mark and control coverage, Persian letters and
//! every decimal digit folded, stacked suffixes removed in repeated passes, attached ب ل ك ف
//! handled through a second ("alt") stem instead of blind stripping, and a consonant-class
//! key so that transliterated names spelled differently (قرغيزستان / قيرغيزستان) meet.

use unicode_normalization::UnicodeNormalization;

/// Bump when the analysis changes: the index is rebuilt on start when it was built by
/// another version.
pub const ANALYZER_VERSION: i32 = 4;

/// One word of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the word in the original text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The normalized word (no marks, folded letters, ASCII digits, lower case).
    pub norm: String,
    /// The light stem of `norm`.
    pub stem: String,
    /// The stem after removing an attached ب ل ك ف (with و or ف before it), if any.
    pub alt: Option<String>,
    /// The spelling-variant key of the stem, for words long enough to carry one.
    pub key: Option<String>,
    /// The spelling-variant key of the alt stem.
    pub alt_key: Option<String>,
}

/// Characters dropped inside a word: harakat, Quranic marks, tatweel, invisible controls.
fn is_dropped(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' | '\u{200B}' | '\u{200D}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

/// Letters and digits, with a fast answer for ASCII and the Arabic letters (the general
/// Unicode lookup dominated indexing time).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{0660}'..='\u{0669}')
    {
        true
    } else {
        c.is_alphanumeric()
    }
}

/// Characters that belong to a word: letters, digits, and the dropped ones (so a word with
/// harakat or tatweel stays one word). ZWNJ and everything else separate words.
fn is_word_char(c: char) -> bool {
    is_letter(c) || is_dropped(c)
}

/// Folds one character; `None` drops it.
fn fold_char(c: char) -> Option<char> {
    if is_dropped(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        // A hamza on its seat is often left off: مؤسسة / موسسة, رئيس / رييس.
        'ؤ' => 'و',
        'ئ' | 'ى' | 'ی' | 'ے' | 'ې' => 'ي',
        'ة' | 'ۀ' | 'ہ' | 'ە' => 'ه',
        'ک' | 'ڪ' => 'ك',
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0966}'..='\u{096F}' => char::from(b'0' + (c as u32 - 0x0966) as u8),
        other => other,
    })
}

/// Normalizes one word: NFKC, marks and controls dropped, letters and digits folded,
/// lower case.
pub fn normalize(word: &str) -> String {
    // Most words are already NFKC; the quick check spares the decomposition.
    if unicode_normalization::is_nfkc_quick(word.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        return fold_word(word.chars());
    }
    fold_word(word.nfkc())
}

fn fold_word(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    for c in chars.filter_map(fold_char) {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if ('\u{0621}'..='\u{064A}').contains(&c) {
            // Arabic has no case; tatweel and marks were dropped by fold_char.
            out.push(c);
        } else {
            out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        }
    }
    out
}

/// A whole text in comparison form: its normalized words joined by single spaces (used to
/// sort names as Arabic readers expect, with the hamza forms of alef beside bare alef).
pub fn fold(text: &str) -> String {
    spans(text)
        .into_iter()
        .map(|(s, e)| normalize(&text[s..e]))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits text into words with their byte spans.
fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn len(s: &str) -> usize {
    s.chars().count()
}

/// Article-like proclitics, longest first; at least 2 letters must remain.
const PROCLITICS: &[&str] = &[
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
];

/// Suffixes removed in repeated passes.
const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "يا", "ه", "ي"];

/// Strips one article-like proclitic, or a leading و from a long word.
fn strip_proclitic(w: &str) -> &str {
    for p in PROCLITICS {
        if let Some(rest) = w.strip_prefix(p)
            && len(rest) >= 2
        {
            return rest;
        }
    }
    if len(w) >= 4
        && let Some(rest) = w.strip_prefix('و')
    {
        return rest;
    }
    w
}

/// Strips stacked suffixes: the pass repeats until nothing changes (at most 3 times).
fn strip_suffixes(w: &str) -> &str {
    let mut w = w;
    for _ in 0..3 {
        let before = w;
        for s in SUFFIXES {
            // Three letters stay: stacked strips down to two ate whole words (المواني →
            // موان → مو, the stem of thousands of unrelated words), and a floor that
            // depended on how many suffixes went would split بيان from بيانها.
            if let Some(rest) = w.strip_suffix(s)
                && len(rest) >= 3
            {
                w = rest;
            }
        }
        if w == before {
            break;
        }
    }
    w
}

fn is_arabic(w: &str) -> bool {
    w.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The light stem of a normalized word (non-Arabic words are returned as they are).
pub fn stem(norm: &str) -> String {
    if !is_arabic(norm) {
        return norm.to_owned();
    }
    strip_suffixes(strip_proclitic(norm)).to_owned()
}

/// Attached prepositions and conjunctions that are not stripped blindly (they begin many
/// words: بريكس, كازاخستان, لبنان), but give a second stem to match on.
const ATTACHED: &[&str] = &["وب", "ول", "وك", "فب", "فل", "ب", "ل", "ك", "ف"];

/// The stem of a word with an attached ب ل ك ف removed, when at least 4 letters remain.
pub fn alt_stem(norm: &str) -> Option<String> {
    // A word whose article-like proclitic was stripped (للتعاون) has no second reading.
    if !is_arabic(norm) || strip_proclitic(norm) != norm {
        return None;
    }
    for p in ATTACHED {
        if let Some(rest) = norm.strip_prefix(p)
            && len(rest) >= 4
        {
            return Some(stem(rest));
        }
    }
    None
}

/// Written in front of every spelling-variant key in the search index: tatweel, which
/// `normalize` removes from every word, so no stem equals or begins like a key, and a query
/// finds stems and keys with no column filter (a filter makes FTS5 decode the positions of
/// every match: a fifth of a common two-word query).
pub const KEY_MARK: char = '\u{0640}';

/// Spelling-variant key of a stem: consonants merged into the classes transliteration
/// confuses (غ ج ق ك, ط ت, ص س ث, ذ ظ ز, ض د), hamza carriers dropped, long vowels after the
/// first letter dropped. Only for stems of 5 or more letters, so
/// short words do not collide.
pub fn variant_key(stem: &str) -> Option<String> {
    if len(stem) < 5 || !is_arabic(stem) {
        return None;
    }
    let mut key = String::new();
    for (i, c) in stem.chars().enumerate() {
        let c = match c {
            'غ' | 'ج' | 'ق' | 'ك' => 'ك',
            'ط' | 'ت' => 'ت',
            'ص' | 'س' | 'ث' => 'س',
            'ذ' | 'ظ' | 'ز' => 'ز',
            'ض' | 'د' => 'د',
            'ء' | 'ؤ' | 'ئ' => continue,
            'ا' | 'و' | 'ي' if i > 0 => continue,
            other => other,
        };
        key.push(c);
    }
    // A short key stands for too many unrelated words (تطوير and الطوارئ would both be «تر»).
    (key.chars().count() >= 4).then_some(key)
}

/// Analyzes one normalized word.
fn analyze_norm(start: usize, end: usize, norm: String) -> Token {
    let stem = stem(&norm);
    let alt = alt_stem(&norm).filter(|a| *a != stem);
    let key = variant_key(&stem);
    let alt_key = alt.as_deref().and_then(variant_key);
    Token {
        start,
        end,
        norm,
        stem,
        alt,
        key,
        alt_key,
    }
}

/// Each word of `text` as its byte span and what `judge` says of its token, asking once per
/// distinct spelling in `memo` (shared across texts: a page of snippets repeats its words).
/// Spans that analyze to nothing are left out, as [`analyze`] leaves them out.
pub fn judge_words<F: Fn(&Token) -> bool>(
    text: &str,
    memo: &mut std::collections::HashMap<String, Option<bool>>,
    judge: F,
) -> Vec<(usize, usize, bool)> {
    spans(text)
        .into_iter()
        .filter_map(|(s, e)| {
            let word = &text[s..e];
            let verdict = match memo.get(word) {
                Some(v) => *v,
                None => {
                    let norm = normalize(word);
                    let v = (!norm.is_empty()).then(|| judge(&analyze_norm(s, e, norm)));
                    memo.insert(word.to_owned(), v);
                    v
                }
            };
            verdict.map(|hit| (s, e, hit))
        })
        .collect()
}

/// Analyzes a text into tokens, each with its span in `text`.
pub fn analyze(text: &str) -> Vec<Token> {
    spans(text)
        .into_iter()
        .filter_map(|(s, e)| {
            let norm = normalize(&text[s..e]);
            (!norm.is_empty()).then(|| analyze_norm(s, e, norm))
        })
        .collect()
}

/// The index columns of a text: stems (one per token, in order), alt stems and keys.
#[derive(Debug, Default, Clone)]
pub struct Indexed {
    /// Space-joined stems, one per original token, so positions (phrases) hold.
    pub stems: String,
    /// Space-joined alt stems, one per original token (the stem itself where there is no
    /// alt), so phrases also match through attached prepositions (لمنظمة شنغهاي).
    pub alts: String,
    /// Space-joined variant keys.
    pub keys: String,
    /// How many words the text has.
    pub words: usize,
}

/// Builds the index columns of a text.
pub fn index_text(text: &str) -> Indexed {
    let mut out = Indexed::default();
    for t in analyze(text) {
        out.words += 1;
        push_word(&mut out.stems, &t.stem);
        push_word(&mut out.alts, t.alt.as_deref().unwrap_or(&t.stem));
        for k in [&t.key, &t.alt_key].into_iter().flatten() {
            push_word(&mut out.keys, k);
        }
    }
    out
}

fn push_word(buf: &mut String, w: &str) {
    if !buf.is_empty() {
        buf.push(' ');
    }
    buf.push_str(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn prefixes_and_derived_forms_meet() {
        let base = stem(&normalize("كازاخستان"));
        for w in [
            "الكازاخستانية",
            "الكازاخستانيون",
            "والكازاخستاني",
            "كازاخستانية",
        ] {
            assert_eq!(stem(&normalize(w)), base, "{w}");
        }
        // Attached ب meets through the alt stem, without stripping ب from بريكس.
        let t = &analyze("بكازاخستان")[0];
        assert_eq!(t.alt.as_deref(), Some(base.as_str()));
        assert_eq!(stem(&normalize("بريكس")), "بريكس");
    }

    #[test]
    fn normalization_folds_what_readers_treat_as_the_same() {
        assert_eq!(normalize("أوبك"), normalize("اوبك"));
        assert_eq!(normalize("إيران"), "ايران");
        assert_eq!(normalize("كَازَاخِسْتَانُ"), "كازاخستان");
        assert_eq!(normalize("كـــازاخستان"), "كازاخستان");
        assert_eq!(normalize("مستوى"), normalize("مستوي"));
        assert_eq!(normalize("الطاقة"), normalize("الطاقه"));
        assert_eq!(normalize("٢٠٢٥"), "2025");
        assert_eq!(normalize("۲۰۲۵"), "2025");
        assert_eq!(normalize("تاجیکستان"), normalize("تاجيكستان"));
        assert_eq!(normalize("\u{200F}أوبك\u{200E}"), "اوبك");
        assert_eq!(normalize("BRICS"), "brics");
        assert_eq!(normalize("ﻻ"), "لا");
    }

    #[test]
    fn harakat_keep_a_word_whole_and_spans_point_at_the_original() {
        let text = "قال مُحَمَّدٌ: «الطَّاقَة»";
        let tokens = analyze(text);
        assert_eq!(tokens.len(), 3);
        assert_eq!(&text[tokens[1].start..tokens[1].end], "مُحَمَّدٌ");
        assert_eq!(tokens[1].norm, "محمد");
        assert_eq!(&text[tokens[2].start..tokens[2].end], "الطَّاقَة");
        assert_eq!(stems(text)[2], stem("الطاقه"));
    }

    #[test]
    fn counts_words_with_marks_inside() {
        assert_eq!(index_text("وُلِدَ مُحَمَّدٌ في مكة، عام ٢٠٢٥").words, 6);
    }

    #[test]
    fn fold_compares_names() {
        assert_eq!(fold("أوبك+ «بلس»"), "اوبك بلس");
        assert!(fold("إيران") < fold("باكو"));
    }

    #[test]
    fn transliteration_variants_share_a_key() {
        let key = |w: &str| analyze(w)[0].key.clone();
        assert_eq!(key("قرغيزستان"), key("قيرغيزستان"));
        assert_eq!(key("طشقند"), key("طاشقند"));
        assert_eq!(key("بشكيك"), key("بيشكيك"));
        assert_ne!(key("كازاخستان"), key("قرغيزستان"));
        assert_eq!(key("روسيا"), None, "short stems get no key");
    }

    #[test]
    fn stacked_suffixes_and_guards() {
        assert_eq!(stem(&normalize("روسيا")), stem(&normalize("الروسي")));
        assert_eq!(stem(&normalize("قمة")), stem(&normalize("القمة")));
        assert_eq!(stem(&normalize("الطاقة")), "طاق");
    }

    #[test]
    fn suffix_stripping_leaves_three_letters() {
        // The ports: ي then ان stripped down to مو, shared with thousands of other words.
        assert_eq!(stem(&normalize("الموانئ")), "موان");
        assert_eq!(stem(&normalize("موانئ")), stem(&normalize("الموانئ")));
        for w in ["بيانها", "البيانات", "بيان"] {
            assert_eq!(stem(&normalize(w)), "بيان", "{w}");
        }
    }
}
