//! Search queries: parsing what a reader types into an FTS5 expression over the analyzed
//! index, and snippets of the original text with the matches marked.
//!
//! Syntax: words are ANDed; `"a phrase"`; `a OR b`; `-word` excludes; `word*` is a prefix.
//! Everything else is taken literally: every term reaches FTS5 quoted, so no input can be
//! an FTS5 syntax error.

use std::collections::HashSet;

use crate::text::analyzer::{KEY_MARK, Token, analyze, normalize, stem};

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

/// Columns that keep positions for phrases (alt holds one entry per word, like the others).
const PHRASE_COLUMNS: &str = "{title summary body title_alt alt}";

/// Cross-script names a reader may type in Latin for what the text writes in Arabic (or
/// the reverse): a few acronyms, expanded as alternatives. Spelling variants of Arabic
/// names need no table: the variant key handles them.
const ACRONYMS: &[(&str, &str)] = &[
    ("opec", "اوبك"),
    ("brics", "بريكس"),
    ("sco", "شنغهاي"),
    ("cis", "الكومنولث"),
    ("eaeu", "الاوراسي"),
    ("cop29", "cop29"),
];

/// Query-side Arabic stopwords (normalized). Dropped when the query has other words, so
/// «قمة في طشقند» needs قمة and طشقند, not في.
const STOPWORDS: &[&str] = &[
    "في",
    "من",
    "الي",
    "علي",
    "عن",
    "مع",
    "او",
    "ان",
    "و",
    "ثم",
    "لا",
    "ما",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كان",
    "كانت",
    "قد",
    "لم",
    "لن",
    "بين",
    "حتي",
    "منذ",
    "عند",
    "بعد",
    "قبل",
    "هو",
    "هي",
    "هم",
    "كل",
    "اي",
    "the",
    "of",
    "and",
    "in",
    "a",
    "an",
    "to",
];

/// A parsed query.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The FTS5 MATCH expression; `None` when nothing can match (no positive term).
    pub fts: Option<String>,
    /// The same expression as a PostgreSQL `tsquery` over the index's weight labels.
    pub tsquery: Option<String>,
    /// What the snippet marks.
    pub marks: Marks,
}

/// The analyzed forms a snippet marks in the original text.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    stems: HashSet<String>,
    keys: HashSet<String>,
    prefixes: Vec<String>,
}

impl Marks {
    /// True when a token of the original text matches the query.
    pub fn matches(&self, t: &Token) -> bool {
        self.stems.contains(&t.stem)
            || t.alt.as_ref().is_some_and(|a| self.stems.contains(a))
            || t.key.as_ref().is_some_and(|k| self.keys.contains(k))
            || t.alt_key.as_ref().is_some_and(|k| self.keys.contains(k))
            || self.prefixes.iter().any(|p| {
                t.norm.starts_with(p.as_str()) || strip_article(&t.norm).starts_with(p.as_str())
            })
    }
}

/// One item of the query as typed.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Word(String),
    Phrase(String),
    /// `-"a phrase"`: articles with the phrase are left out.
    NotPhrase(String),
    Or,
}

fn lex(q: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut chars = q.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, items: &mut Vec<Item>| {
        if !word.is_empty() {
            let w = std::mem::take(word);
            match w.as_str() {
                "OR" => items.push(Item::Or),
                // AND is what words already mean together; NEAR is read the same way.
                "AND" | "NEAR" => {}
                _ => items.push(Item::Word(w)),
            }
        }
    };
    while let Some(c) = chars.next() {
        if c == '"' || c == '«' || c == '“' {
            // `-"…"` excludes the phrase.
            let negated = word == "-";
            if negated {
                word.clear();
            }
            flush(&mut word, &mut items);
            let mut phrase = String::new();
            let mut closed = false;
            for d in chars.by_ref() {
                if d == '"' || d == '»' || d == '”' {
                    closed = true;
                    break;
                }
                phrase.push(d);
            }
            if closed && negated {
                items.push(Item::NotPhrase(phrase));
            } else if closed {
                items.push(Item::Phrase(phrase));
            } else {
                // An unbalanced quote is a stray character: the rest are plain words, and a
                // `-` before it still excludes the word it stood before.
                let mut words = phrase.split_whitespace();
                if negated && let Some(first) = words.next() {
                    items.push(Item::Word(format!("-{first}")));
                }
                items.extend(words.map(|w| Item::Word(w.to_owned())));
            }
        } else if c.is_whitespace() {
            flush(&mut word, &mut items);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut items);
    items
}

/// A string as an FTS5 string literal.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A string as a `tsquery` lexeme (taken as it is: the analyzer already normalized it).
fn lexeme(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// The weight labels phrases search (title, summary, body and their alternates; not the
/// variant keys nor the tag names), as FTS5's column filter does.
const PHRASE_LABELS: &str = "ABC";

/// One expression in both dialects: FTS5's and PostgreSQL's `tsquery`.
#[derive(Debug, Clone)]
struct Both {
    fts: String,
    tsq: String,
}

impl Both {
    /// Alternatives: any of them matches.
    fn any(parts: Vec<Both>) -> Both {
        let (f, t): (Vec<String>, Vec<String>) = parts.into_iter().map(|b| (b.fts, b.tsq)).unzip();
        Both {
            fts: format!("({})", f.join(" OR ")),
            tsq: format!("({})", t.join(" | ")),
        }
    }
}

fn strip_article(norm: &str) -> &str {
    for p in ["وال", "بال", "فال", "كال", "لل", "ال"] {
        if let Some(rest) = norm.strip_prefix(p)
            && rest.chars().count() >= 2
        {
            return rest;
        }
    }
    norm
}

/// The FTS5 expression of one analyzed word, recording what to mark. The word as typed is
/// looked up as a stem (which also finds it behind an attached ب ل ك ف, through the index's
/// alt column) and by its spelling-variant key. The query's own alt stem is not used: a
/// typed ك or ب is far more often part of the word (كازاخستان, بريكس) than a preposition.
fn term(t: &Token, marks: &mut Marks) -> Both {
    let word = |w: &str| Both {
        fts: quoted(w),
        tsq: lexeme(w),
    };
    // Stems and keys need no column filter: keys carry KEY_MARK, which no stem can hold.
    let mut alts = vec![word(&t.stem)];
    marks.stems.insert(t.stem.clone());
    // A typed attached preposition (بكازاخستان) also finds the bare word; only when what
    // remains is long enough not to be a different short word (لبنان is not «بن»).
    if let Some(a) = t.alt.as_ref().filter(|a| a.chars().count() >= 4) {
        alts.push(word(a));
        marks.stems.insert(a.clone());
    }
    for (latin, arabic) in ACRONYMS {
        let other = if t.norm == *latin {
            Some(stem(&normalize(arabic)))
        } else if stem(&normalize(arabic)) == t.stem {
            Some((*latin).to_owned())
        } else {
            None
        };
        if let Some(o) = other.filter(|o| *o != t.stem) {
            alts.push(word(&o));
            marks.stems.insert(o);
        }
    }
    if let Some(k) = &t.key {
        alts.push(word(&format!("{KEY_MARK}{k}")));
        marks.keys.insert(k.clone());
    }
    Both::any(alts)
}

/// A prefix search: normalized, an article-like proclitic removed, suffixes kept; with an
/// attached و ب ل ك ف also tried without it.
fn prefix(word: &str, marks: &mut Marks) -> Option<Both> {
    let norm = normalize(word.trim_end_matches('*'));
    let p = strip_article(&norm).to_owned();
    if p.chars().count() < 2 {
        return None;
    }
    let mut forms = vec![p.clone()];
    for c in ['و', 'ب', 'ل', 'ك', 'ف'] {
        if let Some(rest) = p.strip_prefix(c) {
            let rest = strip_article(rest);
            if rest.chars().count() >= 3 {
                forms.push(rest.to_owned());
            }
        }
    }
    let alts: Vec<Both> = forms
        .iter()
        .map(|f| Both {
            fts: format!("{} *", quoted(f)),
            tsq: format!("{}:*", lexeme(f)),
        })
        .collect();
    marks.prefixes.extend(forms);
    Some(Both::any(alts))
}

/// The expression of one word or phrase item; `None` when it has nothing searchable.
fn item_expr(item: &Item, drop_stopwords: bool, marks: &mut Marks) -> Option<Both> {
    match item {
        Item::Or | Item::NotPhrase(_) => None,
        Item::Word(w) if w.ends_with('*') && w.trim_end_matches('*').chars().count() > 0 => {
            prefix(w, marks)
        }
        Item::Word(w) => {
            let tokens: Vec<Token> = analyze(w)
                .into_iter()
                .filter(|t| !(drop_stopwords && STOPWORDS.contains(&t.norm.as_str())))
                .collect();
            match tokens.len() {
                0 => None,
                1 => Some(term(&tokens[0], marks)),
                // A word with inner punctuation (قره-باخ) is its parts in order.
                _ => Some(phrase(&tokens, marks)),
            }
        }
        Item::Phrase(p) => {
            let tokens = analyze(p);
            match tokens.len() {
                0 => None,
                1 => Some(term(&tokens[0], marks)),
                _ => Some(phrase(&tokens, marks)),
            }
        }
    }
}

fn phrase(tokens: &[Token], marks: &mut Marks) -> Both {
    for t in tokens {
        marks.stems.insert(t.stem.clone());
    }
    let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
    let tsq: Vec<String> = stems
        .iter()
        .map(|s| format!("{}:{PHRASE_LABELS}", lexeme(s)))
        .collect();
    Both {
        fts: format!("({PHRASE_COLUMNS} : {})", quoted(&stems.join(" "))),
        tsq: format!("({})", tsq.join(" <-> ")),
    }
}

/// Parses what a reader typed.
pub fn parse(q: &str) -> Query {
    let items = lex(q);
    // Split off exclusions: `-word` (a lone `-` is just punctuation).
    let mut positive: Vec<Item> = Vec::new();
    let mut negative: Vec<Item> = Vec::new();
    for item in items {
        match item {
            Item::Word(w) if w.starts_with('-') && w.chars().count() > 1 => {
                negative.push(Item::Word(w.trim_start_matches('-').to_owned()))
            }
            Item::NotPhrase(p) => negative.push(Item::Phrase(p)),
            other => positive.push(other),
        }
    }
    let content_words = positive
        .iter()
        .filter(|i| match i {
            Item::Word(w) => analyze(w)
                .iter()
                .any(|t| !STOPWORDS.contains(&t.norm.as_str())),
            Item::Phrase(_) => true,
            Item::Or | Item::NotPhrase(_) => false,
        })
        .count();
    let drop_stopwords = content_words > 0;

    let mut marks = Marks::default();
    // Consecutive items joined by OR form one group; groups are ANDed.
    let mut groups: Vec<Vec<Both>> = Vec::new();
    let mut pending_or = false;
    for item in &positive {
        if *item == Item::Or {
            pending_or = !groups.is_empty();
            continue;
        }
        let Some(expr) = item_expr(item, drop_stopwords, &mut marks) else {
            continue;
        };
        match groups.last_mut() {
            Some(g) if pending_or => g.push(expr),
            _ => groups.push(vec![expr]),
        }
        pending_or = false;
    }
    if groups.is_empty() {
        return Query {
            fts: None,
            tsquery: None,
            marks,
        };
    }
    let groups: Vec<Both> = groups.into_iter().map(Both::any).collect();
    let mut fts = groups
        .iter()
        .map(|g| g.fts.as_str())
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut tsq = groups
        .iter()
        .map(|g| g.tsq.as_str())
        .collect::<Vec<_>>()
        .join(" & ");
    let mut ignored = Marks::default();
    for item in &negative {
        if let Some(expr) = item_expr(item, false, &mut ignored) {
            fts = format!("({fts}) NOT {}", expr.fts);
            tsq = format!("({tsq}) & !{}", expr.tsq);
        }
    }
    Query {
        fts: Some(fts),
        tsquery: Some(tsq),
        marks,
    }
}

/// How many words a snippet shows.
const SNIPPET_WORDS: usize = 24;

/// How much of a text is searched for the excerpt, in characters.
pub const SNIPPET_SCAN_CHARS: usize = 1200;

/// The window of the text with the most matches, HTML-escaped, matches in `<mark>`;
/// `None` when nothing in the text matches.
fn window(text: &str, marks: &Marks, memo: &mut Memo) -> Option<(usize, String)> {
    // The excerpt comes from the opening of a long text: the lede is where news puts what
    // matters, and analyzing whole bodies for every hit of a page cost milliseconds.
    let text = match text.char_indices().nth(SNIPPET_SCAN_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    };
    let words = crate::text::analyzer::judge_words(text, memo, |t| marks.matches(t));
    let tokens: Vec<(usize, usize)> = words.iter().map(|&(s, e, _)| (s, e)).collect();
    let hits: Vec<bool> = words.iter().map(|&(_, _, hit)| hit).collect();
    let total: usize = hits.iter().filter(|h| **h).count();
    if total == 0 {
        return None;
    }
    let width = SNIPPET_WORDS.min(tokens.len());
    let (mut best, mut best_n) = (0, 0);
    let mut n: usize = hits[..width].iter().filter(|h| **h).count();
    if n > best_n {
        best_n = n;
    }
    for start in 1..=tokens.len() - width {
        n = n + usize::from(hits[start + width - 1]) - usize::from(hits[start - 1]);
        if n > best_n {
            best = start;
            best_n = n;
        }
    }
    // Start a little before the first match in the window, for context.
    let first_hit = (best..best + width).find(|&i| hits[i]).unwrap_or(best);
    let start = first_hit.saturating_sub(3).max(best.saturating_sub(0));
    let end = (start + width).min(tokens.len());
    let from = if start == 0 { 0 } else { tokens[start].0 };
    let to = if end == tokens.len() {
        text.len()
    } else {
        tokens[end - 1].1
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut cursor = from;
    for (&(t_start, t_end), hit) in tokens[start..end].iter().zip(&hits[start..end]) {
        if *hit {
            out.push_str(&crate::text::html_escape(&text[cursor..t_start]));
            out.push_str("<mark>");
            out.push_str(&crate::text::html_escape(&text[t_start..t_end]));
            out.push_str("</mark>");
            cursor = t_end;
        }
    }
    out.push_str(&crate::text::html_escape(&text[cursor..to]));
    if to < text.len() {
        out.push('…');
    }
    Some((best_n, out))
}

/// A snippet for a hit: the best window of the body, else the summary, else the title.
pub fn snippet(title: &str, summary: &str, body_text: &str, marks: &Marks) -> String {
    Snippets::new(marks).of(title, summary, body_text)
}

/// What each spelling met so far analyzed to: a hit or not (`None`: not a word).
type Memo = std::collections::HashMap<String, Option<bool>>;

/// The snippets of one page of a search: each distinct spelling is analyzed once for the
/// whole page (news repeats its words), not once per occurrence.
pub struct Snippets<'a> {
    marks: &'a Marks,
    memo: Memo,
}

impl<'a> Snippets<'a> {
    /// Snippets marking what `marks` matches.
    pub fn new(marks: &'a Marks) -> Snippets<'a> {
        Snippets {
            marks,
            memo: Memo::new(),
        }
    }

    /// The snippet of one article, as [`snippet`] describes it.
    pub fn of(&mut self, title: &str, summary: &str, body_text: &str) -> String {
        // On a tie the last wins: the body, which gives the most context.
        let candidates = [title, summary, body_text];
        let (marks, memo) = (self.marks, &mut self.memo);
        candidates
            .iter()
            .filter_map(|text| window(text, marks, memo))
            .max_by_key(|(n, _)| *n)
            .map(|(_, s)| s)
            .unwrap_or_else(|| {
                crate::text::html_escape(&crate::text::markdown::truncate_words(summary, 160))
            })
    }
}

/// Normalized prefix match of a tag name for autocomplete: any word of the name, with or
/// without its article, starts with the typed text.
pub fn name_matches(name: &str, typed_norm: &str) -> bool {
    if typed_norm.is_empty() {
        return false;
    }
    // A whole word typed in another spelling (قيرغيزستان) matches through its variant key.
    let typed_key = analyze(typed_norm).first().and_then(|t| t.key.clone());
    analyze(name).iter().any(|t| {
        t.norm.starts_with(typed_norm)
            || strip_article(&t.norm).starts_with(typed_norm)
            || (typed_key.is_some() && t.key == typed_key)
    })
}

/// Bounds how many searches run at once. A search's working memory (FTS5 doclists of common
/// words) is large and its work is CPU-bound: more searches in parallel than cores only
/// queue inside SQLite while each holds its memory.
pub struct SearchGate(tokio::sync::Semaphore);

impl SearchGate {
    /// A gate with one place per core.
    pub fn per_core() -> SearchGate {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        SearchGate(tokio::sync::Semaphore::new(cores))
    }

    /// Waits for a place; the search runs while the permit lives.
    pub async fn enter(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.0.acquire().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stray quote is ignored, even after a `-`: `-"بحر` excludes بحر as `-بحر` does
    /// (it once required it), and the words after it are plain words.
    #[test]
    fn a_stray_quote_after_a_minus_still_excludes() {
        let same = |a: &str, b: &str| {
            let (x, y) = (parse(a), parse(b));
            assert_eq!((x.fts, x.tsquery), (y.fts, y.tsquery), "{a} / {b}");
        };
        same("قزوين -\"بحر", "قزوين -بحر");
        same("-\"بحر قزوين", "-بحر قزوين");
        same("قزوين «بحر", "قزوين بحر");
        assert!(parse("-\"").fts.is_none());
    }

    #[test]
    fn hostile_input_is_always_a_valid_expression_or_nothing() {
        for q in [
            "\"",
            "*",
            "(",
            ")",
            ":",
            "^",
            "NEAR",
            "AND",
            "OR",
            "-",
            "\"غير مغلق",
            "a:b",
            "NEAR(x y)",
            "---",
            "\"\"",
            "title:قطر",
        ] {
            let parsed = parse(q);
            if let Some(f) = &parsed.fts {
                // Every user word is inside a quoted string.
                assert!(!f.contains("NEAR("), "{q} -> {f}");
            }
        }
        assert!(
            parse("-روسيا").fts.is_none(),
            "only exclusions match nothing"
        );
    }

    #[test]
    fn syntax() {
        let q = parse("كازاخستان OR أوزبكستان النفط -روسيا \"بحر قزوين\" تركمان*");
        let f = q.fts.unwrap();
        assert!(f.contains(" OR "), "{f}");
        assert!(f.contains("NOT"), "{f}");
        assert!(
            f.contains("{title summary body title_alt alt} : \"بحر قزو\""),
            "{f}"
        );
        assert!(f.contains("\"تركمان\" *"), "{f}");
    }

    #[test]
    fn snippet_marks_the_original_words() {
        let q = parse("كازاخستان الطاقة");
        let s = snippet(
            "عنوان",
            "ملخص",
            "أعلنت وزارة الطَّاقَة بكازاخستان <خطة> جديدة.",
            &q.marks,
        );
        assert!(s.contains("<mark>الطَّاقَة</mark>"), "{s}");
        assert!(s.contains("<mark>بكازاخستان</mark>"), "{s}");
        assert!(s.contains("&lt;خطة&gt;"), "{s}");
    }
}
