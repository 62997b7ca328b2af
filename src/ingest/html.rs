//! HTML fragments (feed descriptions, dataset exports) to plain text.
//!
//! Markup is rendered by `html2text` with a decorator that adds nothing: link text stays, URLs,
//! footnotes, list bullets, emphasis marks and images (alt text included) do not. Paragraphs come out separated by one blank
//! line, lines are never wrapped, and runs of spaces collapse. Text without tags skips the HTML
//! parser: only its entities are decoded, and its own line breaks are kept.

use std::borrow::Cow;

use html2text::render::{TaggedLine, TextDecorator};
use markup5ever::data::NAMED_ENTITIES;

/// Rendering width: wide enough that no line is ever wrapped.
const NO_WRAP: usize = 1_000_000;

/// Rounds of conversion for text whose markup was escaped twice (`&amp;lt;p&amp;gt;`).
const MAX_ROUNDS: usize = 3;

/// Markup nested deeper than this is not handed to the renderer, whose time grows with the
/// square of the depth; it is stripped of tags instead.
const MAX_HTML_DEPTH: usize = 512;

/// True when `s` carries markup or entities worth converting: a tag (`<p`, `</`, `<!--`) or an
/// entity reference (`&amp;`, `&#39;`).
pub fn looks_like_html(s: &str) -> bool {
    has_tag(s) || has_entity(s)
}

/// Plain text of an HTML fragment: tags, scripts and styles gone, entities decoded, paragraphs
/// kept as blank lines, no line wrapping.
pub fn to_text(html: &str) -> String {
    let mut text = render(html);
    for _ in 1..MAX_ROUNDS {
        if !looks_like_html(&text) {
            break;
        }
        let again = render(&text);
        if again == text {
            break;
        }
        text = again;
    }
    text
}

/// One round of conversion.
fn render(html: &str) -> String {
    if !has_tag(html) {
        return tidy(&decode_entities(html, Unknown::Keep));
    }
    // Descriptions mixing plain-text line breaks with inline tags (`<a>`, `<b>`) rely on those
    // breaks; without any block-level markup, keep them as `<br>`.
    let prepared: Cow<str> = if has_block_markup(html) {
        Cow::Borrowed(html)
    } else {
        Cow::Owned(html.replace('\n', "<br>\n"))
    };
    let rendered = if nesting_depth(&prepared) > MAX_HTML_DEPTH {
        None
    } else {
        html2text::config::with_decorator(Undecorated)
            .raw_mode(true)
            .allow_width_overflow()
            .string_from_read(prepared.as_bytes(), NO_WRAP)
            .ok()
    };
    let text = rendered.unwrap_or_else(|| strip_tags(&prepared));
    tidy(&text)
}

/// A decorator that adds no characters of its own: text is all that comes out.
#[derive(Debug, Clone, Copy)]
struct Undecorated;

impl TextDecorator for Undecorated {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    /// Alt text reads as noise glued to its neighbours ("Episode image for ..."): left out.
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        String::new()
    }
    fn unordered_item_prefix(&self) -> String {
        String::new()
    }
    fn ordered_item_prefix(&self, _i: i64) -> String {
        String::new()
    }
    fn make_subblock_decorator(&self) -> Self {
        Undecorated
    }
    fn decorate_superscript_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_superscript_end(&self) -> String {
        String::new()
    }
    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<()>> {
        Vec::new()
    }
}

/// Whether `s` holds something that starts a tag or comment.
fn has_tag(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}

/// Whether `s` holds a complete entity reference (`&name;`, `&#123;`, `&#x1F;`).
fn has_entity(s: &str) -> bool {
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        rest = &rest[at + 1..];
        if reference_len(rest).is_some() {
            return true;
        }
    }
    false
}

/// Length of the entity name after `&` up to and including `;`, when `s` starts with one.
fn reference_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let name_len = match bytes.first()? {
        b'#' => {
            let digits = match bytes.get(1) {
                Some(b'x' | b'X') => {
                    bytes[2..]
                        .iter()
                        .take_while(|b| b.is_ascii_hexdigit())
                        .count()
                        + 1
                }
                _ => bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count(),
            };
            if digits == 0 || (digits == 1 && matches!(bytes.get(1), Some(b'x' | b'X'))) {
                return None;
            }
            1 + digits
        }
        b if b.is_ascii_alphabetic() => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count(),
        _ => return None,
    };
    // Entity names are short; the longest HTML one has 32 characters.
    (name_len <= 40 && bytes.get(name_len) == Some(&b';')).then_some(name_len + 1)
}

/// The text an entity reference stands for: numeric references (C1 code points read as
/// windows-1252, as browsers do) and HTML's named entities, the five XML ones among them.
/// `name` is what sits between `&` and `;`. Unknown names and invalid code points give `None`.
pub(crate) fn entity(name: &str) -> Option<String> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse::<u32>().ok()?,
        };
        let c = match code {
            0x80..=0x9f => {
                let byte = [code as u8];
                let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                decoded.chars().next()?
            }
            0 => return None,
            _ => char::from_u32(code)?,
        };
        return Some(c.to_string());
    }
    if name.is_empty() || name.len() > 40 {
        return None;
    }
    let key = format!("{name};");
    let &(first, second) = NAMED_ENTITIES.get(key.as_str())?;
    let mut out = String::new();
    out.extend(char::from_u32(first));
    if second != 0 {
        out.extend(char::from_u32(second));
    }
    Some(out)
}

/// What to do with a reference whose name is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Leave `&name;` as written (HTML shows it so).
    Keep,
    /// Remove it (in XML it names a DTD entity, which is never expanded).
    Drop,
}

/// Replace every complete entity reference in `s` by its text.
pub(crate) fn decode_entities(s: &str, unknown: Unknown) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match reference_len(after) {
            Some(len) => {
                let name = &after[..len - 1];
                match entity(name) {
                    Some(text) => out.push_str(&text),
                    None if unknown == Unknown::Keep => out.push_str(&rest[at..at + 1 + len]),
                    None => {}
                }
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A tag as the scanner sees it: enough to judge layout and nesting.
struct Tag<'a> {
    name: &'a [u8],
    closing: bool,
    self_closing: bool,
    /// Bytes from `<` to `>` inclusive (to the end of input when unterminated).
    len: usize,
}

impl Tag<'_> {
    fn is(&self, names: &[&str]) -> bool {
        names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(self.name))
    }
}

/// The tag starting at `s` (which starts with `<`), if it is one.
fn tag_at(s: &[u8]) -> Option<Tag<'_>> {
    let rest = s.strip_prefix(b"<")?;
    let (closing, name_start) = match rest.strip_prefix(b"/") {
        Some(after) => (true, after),
        None => (false, rest),
    };
    if !name_start.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_len = name_start
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let prefix = s.len() - name_start.len();
    // A `>` is looked for nearby only, so that scanning stays linear on garbage.
    let end = s[prefix..].iter().take(4096).position(|&b| b == b'>');
    Some(Tag {
        name: &name_start[..name_len],
        closing,
        self_closing: end.is_some_and(|e| s[prefix + e - 1] == b'/'),
        len: end.map_or(s.len(), |e| prefix + e + 1),
    })
}

fn tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    let bytes = html.as_bytes();
    html.match_indices('<')
        .filter_map(|(at, _)| tag_at(&bytes[at..]))
}

/// Elements that start a block of their own.
const BLOCKS: [&str; 16] = [
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "blockquote",
    "pre",
];

/// Elements that never hold others, or that an unclosed sibling closes: they add no depth.
const FLAT: [&str; 22] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th",
];

/// Whether the fragment lays itself out with block-level elements.
fn has_block_markup(html: &str) -> bool {
    tags(html).any(|t| t.is(&BLOCKS))
}

/// How deeply elements nest, at most (the renderer's time grows with the square of it).
fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut peak) = (0usize, 0usize);
    for tag in tags(html).filter(|t| !t.self_closing && !t.is(&FLAT)) {
        if tag.closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            peak = peak.max(depth);
        }
    }
    peak
}

/// A crude fallback for markup the renderer refuses: tags removed (blocks become line breaks),
/// entities decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        match tag_at(after.as_bytes()) {
            Some(tag) if tag.len <= after.len() && after.is_char_boundary(tag.len) => {
                out.push(if tag.is(&BLOCKS) { '\n' } else { ' ' });
                rest = &after[tag.len..];
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out, Unknown::Keep).into_owned()
}

/// Collapse runs of spaces inside lines, trim lines, and leave at most one blank line between
/// paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.lines() {
        let mut words = line
            .split(|c: char| c.is_whitespace() || c == '\u{a0}')
            .filter(|w| !w.is_empty())
            .peekable();
        if words.peek().is_none() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_and_entities() {
        let html = "<p>Tom &amp; Jerry&#39;s <a href=\"https://x.org/a\">show notes</a>.</p>\
                    <p>Second&nbsp;&nbsp;paragraph &#8217;n&#x2019; more</p>";
        assert_eq!(
            to_text(html),
            "Tom & Jerry's show notes.\n\nSecond paragraph \u{2019}n\u{2019} more"
        );
    }

    #[test]
    fn no_decorations() {
        let html =
            "<h2>Topics</h2><ul><li><strong>Bold</strong> item</li><li><em>Em</em> item</li>\
                    </ul><p><img src=\"a.png\" alt=\"Cover\">x<sup>2</sup> <code>code</code></p>";
        let text = to_text(html);
        assert_eq!(text, "Topics\nBold item\nEm item\n\nx² code");
        for mark in ["*", "#", "[", "`", "^", "{", "http", "Cover"] {
            assert!(!text.contains(mark), "{mark} in {text:?}");
        }
    }

    #[test]
    fn scripts_and_styles_vanish() {
        let html = "<style>p { color: red }</style><p>Hello</p><script>alert('x')</script>";
        assert_eq!(to_text(html), "Hello");
    }

    #[test]
    fn plain_text_keeps_its_line_breaks() {
        let text = "First line\nsecond   line\n\n\n\nNext paragraph &amp; more, Q&A";
        assert_eq!(
            to_text(text),
            "First line\nsecond line\n\nNext paragraph & more, Q&A"
        );
        let inline = "Line one with <a href=\"x\">a link</a>\n\nLine two";
        assert_eq!(to_text(inline), "Line one with a link\n\nLine two");
    }

    #[test]
    fn doubly_escaped_markup_is_converted_too() {
        assert_eq!(to_text("&lt;p&gt;Caf&amp;eacute;&lt;/p&gt;"), "Café");
        assert_eq!(to_text("Rock &amp;amp; roll"), "Rock & roll");
    }

    #[test]
    fn long_lines_are_not_wrapped() {
        let long = "word ".repeat(500);
        let text = to_text(&format!("<p>{long}</p>"));
        assert_eq!(text.lines().count(), 1);
        assert_eq!(text, long.trim_end());
    }

    #[test]
    fn detection() {
        assert!(looks_like_html("<p>hi"));
        assert!(looks_like_html("a &amp; b"));
        assert!(looks_like_html("it&#39;s"));
        assert!(!looks_like_html("Q&A: x < y & z"));
        assert!(!looks_like_html("plain"));
    }

    #[test]
    fn entities_by_name_and_number() {
        assert_eq!(entity("amp").as_deref(), Some("&"));
        assert_eq!(entity("apos").as_deref(), Some("'"));
        assert_eq!(entity("nbsp").as_deref(), Some("\u{a0}"));
        assert_eq!(entity("#233").as_deref(), Some("é"));
        assert_eq!(entity("#x3B1").as_deref(), Some("α"));
        assert_eq!(entity("#146").as_deref(), Some("\u{2019}"));
        assert_eq!(entity("#0"), None);
        assert_eq!(entity("#xD800"), None);
        assert_eq!(entity("lol9"), None);
        assert_eq!(decode_entities("a&lol;b&amp;", Unknown::Drop), "ab&");
        assert_eq!(decode_entities("a&lol;b&", Unknown::Keep), "a&lol;b&");
    }

    #[test]
    fn non_english_text_is_preserved() {
        let html = "<p>Ελληνοφρένεια — Grüße aus München, ação, zażółć gęślą jaźń</p>";
        assert_eq!(
            to_text(html),
            "Ελληνοφρένεια — Grüße aus München, ação, zażółć gęślą jaźń"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn converted_text_holds_no_markup(
            html in "(<p>|</p>|<b>|<a href='x'>|</a>|<br>|<script>|</script>|&nbsp;|&#39;|&amp;|\
                      &lt;p&gt;|[a-zé <>&;\n]){0,40}"
        ) {
            let text = to_text(&html);
            proptest::prop_assert!(!text.contains("<p>") && !text.contains("&nbsp;"), "{text:?}");
            proptest::prop_assert!(!text.contains("  "), "{text:?}");
        }
    }

    #[test]
    fn deep_or_broken_markup_does_not_fail() {
        let deep = format!("{}text{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let started = std::time::Instant::now();
        assert_eq!(to_text(&deep), "text");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let many = format!("<p>{}</p><p>end</p>", "line<br>\n".repeat(2000));
        assert!(nesting_depth(&many) < 3);
        assert!(to_text(&many).ends_with("line\n\nend"));
        assert_eq!(to_text("<p>unclosed <b>bold <i>x"), "unclosed bold x");
        assert_eq!(to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(to_text(""), "");
    }
}
