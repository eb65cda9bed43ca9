//! Article bodies: CommonMark in, sanitized HTML out, plus the plain-text facts derived
//! from the body (summary, word count, reading time).

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

/// Assumed silent reading speed for Arabic news prose, in words a minute. The IReST study
/// (Trauzettel-Klosinski & Dietz, 2012) measured 138 ± 20 for Arabic, slower than the 200+
/// usually assumed for English because of word length and script.
pub const ARABIC_WORDS_PER_MINUTE: i32 = 140;

/// Longest derived summary, in characters.
const SUMMARY_CHARS: usize = 280;

/// GFM tables, strikethrough and footnotes (without footnotes, `[^1]: text` reads as a link
/// definition: the note's text became a broken relative link).
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// One sanitizer for every body: ammonia's allow-list (no script, style, iframe or event
/// handler; only absolute http, https and mailto URLs), and every link made safe to open.
/// Relative and protocol-relative URLs (`/admin`, `//tracker.example/p.gif`) go: on a
/// partner's page they would resolve against the partner's own site.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        // `https:/x` and `http:host` parse as absolute, but browsers resolve a same-scheme URL
        // without `//` against the page: only `scheme://` (and `mailto:`) is absolute enough.
        .attribute_filter(|_, attribute, value| {
            let url_attribute = matches!(attribute, "href" | "src" | "cite" | "longdesc");
            let lower = value.trim().to_ascii_lowercase();
            let absolute = lower.starts_with("https://")
                || lower.starts_with("http://")
                || lower.starts_with("mailto:");
            (!url_attribute || absolute).then_some(value.into())
        })
        .link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// Renders CommonMark to HTML that is safe to embed on a partner's page.
pub fn render_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options()));
    SANITIZER.clean(&raw).to_string()
}

/// Text extractor for sanitized HTML: no tag survives, text is kept.
static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// The text of an HTML fragment, entities decoded; blocks end with a line break so words of
/// adjacent blocks stay apart.
pub fn html_text(html: &str) -> String {
    // One pass: a line break before each tag that ends a block.
    const BLOCK_ENDS: &[&str] = &[
        "</p>", "</li>", "</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>", "</td>", "</th>",
        "</pre>", "<br>", "<br />",
    ];
    let mut spaced = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        spaced.push_str(&rest[..i]);
        rest = &rest[i..];
        if BLOCK_ENDS.iter().any(|b| rest.starts_with(b)) {
            spaced.push('\n');
        }
        spaced.push('<');
        rest = &rest[1..];
    }
    spaced.push_str(rest);
    let escaped = TEXT_ONLY.clean(&spaced).to_string();
    escaped
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The plain text of the first paragraph with text in the *sanitized* HTML (so nothing the
/// sanitizer removed, such as script content, can leak into it), cut at a word boundary
/// near 280 characters.
pub fn derive_summary(body_html: &str) -> String {
    for chunk in body_html.split("</p>") {
        if let Some(i) = chunk.find("<p>") {
            let text = collapse_ws(&html_text(&chunk[i + 3..]));
            if !text.is_empty() {
                return truncate_words(&text, SUMMARY_CHARS);
            }
        }
    }
    String::new()
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `s` to at most `max` characters at a word boundary, adding `…` when cut.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = s.chars().take(max).collect();
    }
    out.push('…');
    out
}

/// Minutes to read `words` Arabic words, rounded up; 0 for an empty body.
pub fn reading_time_minutes(words: i32) -> i32 {
    if words <= 0 {
        0
    } else {
        (words + ARABIC_WORDS_PER_MINUTE - 1) / ARABIC_WORDS_PER_MINUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_script_handlers_and_js_urls() {
        let html = render_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn summary_from_first_paragraph() {
        let md = "# عنوان\n\nالفقرة **الأولى** & هنا.\n\nالثانية.";
        assert_eq!(derive_summary(&render_html(md)), "الفقرة الأولى & هنا.");
        let hostile = "<svg><script>alert(1)</script></svg>\n\n<script>x()</script>نص";
        assert!(!derive_summary(&render_html(hostile)).contains("alert"));
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_time_minutes(141), 2);
        assert_eq!(reading_time_minutes(0), 0);
    }
}
