//! OPML subscription lists (what podcast apps export): every `outline` with an `xmlUrl`, nested
//! outlines included, is a feed. Writing a list back out lives here too, so both directions
//! agree on the format.

use std::fmt::Write as _;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, Result};

/// One feed of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// The feed's address (`xmlUrl`).
    pub url: String,
    /// Its name in the list (`text`, else `title`), if any.
    pub title: Option<String>,
}

/// True when the first element of `head` (after the declaration, comments and a doctype) is
/// `<opml>`.
pub fn looks_like_opml(head: &[u8]) -> bool {
    let mut rest = head;
    loop {
        let Some(at) = rest.iter().position(|&b| b == b'<') else {
            return false;
        };
        rest = &rest[at + 1..];
        match rest.first() {
            Some(b'?') | Some(b'!') => continue,
            _ => {
                let name: Vec<u8> = rest
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b':')
                    .map(u8::to_ascii_lowercase)
                    .collect();
                return name == b"opml";
            }
        }
    }
}

/// The feeds of an OPML document, in document order, without repeats. `name` is used in
/// errors: `name:line: reason`.
pub fn parse(bytes: &[u8], name: &str) -> Result<Vec<Outline>> {
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let line = |at: u64| {
        let at = (at as usize).min(text.len());
        text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    let mut outlines: Vec<Outline> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut depth = 0usize;
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|e| Error::Record {
            location: format!("{name}:{}", line(reader.error_position())),
            reason: crate::error::message(&e.to_string()),
        })?;
        match event {
            Event::Start(e) if !saw_opml => {
                root(&e, &line(reader.buffer_position()).to_string(), name)?;
                saw_opml = true;
                depth = 1;
            }
            Event::Empty(e) if !saw_opml => {
                root(&e, &line(reader.buffer_position()).to_string(), name)?;
                saw_opml = true;
            }
            Event::Start(e) => {
                depth += 1;
                outline(&e, &mut outlines, &mut seen);
            }
            Event::Empty(e) => outline(&e, &mut outlines, &mut seen),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => {
                if depth > 0 {
                    return Err(Error::Record {
                        location: format!("{name}:{}", line(reader.buffer_position())),
                        reason: "unexpected end of the document: an element is not closed".into(),
                    });
                }
                break;
            }
            _ => {}
        }
    }
    Ok(outlines)
}

/// Refuse a document whose root is not `<opml>`.
fn root(e: &BytesStart<'_>, line: &str, name: &str) -> Result<()> {
    if e.local_name().as_ref().eq_ignore_ascii_case(b"opml") {
        return Ok(());
    }
    Err(Error::Record {
        location: format!("{name}:{line}"),
        reason: "not an OPML document: the root element is not <opml>".into(),
    })
}

/// Add the feed an `<outline>` element names, if it names one not seen before.
fn outline(
    e: &BytesStart<'_>,
    out: &mut Vec<Outline>,
    seen: &mut std::collections::HashSet<String>,
) {
    if !e.local_name().as_ref().eq_ignore_ascii_case(b"outline") {
        return;
    }
    let mut url = None;
    let mut text = None;
    let mut title = None;
    for attr in e.attributes().with_checks(false).flatten() {
        let value = unescape(&String::from_utf8_lossy(&attr.value));
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            continue;
        }
        match attr
            .key
            .local_name()
            .as_ref()
            .to_ascii_lowercase()
            .as_slice()
        {
            b"xmlurl" => url = Some(value),
            b"text" => text = Some(value),
            b"title" => title = Some(value),
            _ => {}
        }
    }
    if let Some(url) = url {
        if seen.insert(url.clone()) {
            out.push(Outline {
                url,
                title: text.or(title),
            });
        }
    }
}

/// Attribute text with XML's entities, character references and HTML's named entities
/// (`&eacute;`, `&nbsp;`: apps write them) decoded; anything else is kept as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|n| n + 1);
        let decoded = match end {
            Some(end) if rest[end..].starts_with(';') => {
                entity(&rest[1..end]).map(|s| (s, end + 1))
            }
            _ => None,
        };
        match decoded {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of the entity `name` (without `&` and `;`).
fn entity(name: &str) -> Option<String> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    let (first, second) = markup5ever::data::NAMED_ENTITIES.get(format!("{name};").as_str())?;
    let mut text: String = char::from_u32(*first)?.into();
    if *second != 0 {
        text.push(char::from_u32(*second)?);
    }
    Some(text)
}

/// An OPML 2.0 document listing `feeds` (address and title), as podcast apps import it.
pub fn write(title: &str, feeds: &[Outline]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    let _ = writeln!(
        out,
        "  <head>\n    <title>{}</title>\n  </head>",
        escape(title)
    );
    out.push_str("  <body>\n");
    for feed in feeds {
        let name = escape(feed.title.as_deref().unwrap_or(&feed.url));
        let _ = writeln!(
            out,
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"/>",
            escape(&feed.url)
        );
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(doc: &str) -> Vec<String> {
        parse(doc.as_bytes(), "list.opml")
            .unwrap()
            .into_iter()
            .map(|o| o.url)
            .collect()
    }

    #[test]
    fn nested_outlines_are_read_and_those_without_xml_url_passed_over() {
        let doc = r#"<?xml version="1.0"?>
<!-- exported -->
<opml version="1.0"><head><title>Subs</title></head><body>
  <outline text="Tech">
    <outline type="rss" text="One" xmlUrl="https://a.example/feed.xml"/>
    <outline text="Deeper"><outline title="Two" xmlUrl="http://b.example/rss"></outline></outline>
  </outline>
  <outline text="no feed here" htmlUrl="https://c.example/"/>
  <outline text="empty" xmlUrl=""/>
  <outline text="again" xmlUrl="https://a.example/feed.xml"/>
</body></opml>"#;
        let feeds = parse(doc.as_bytes(), "list.opml").unwrap();
        assert_eq!(
            feeds,
            vec![
                Outline {
                    url: "https://a.example/feed.xml".into(),
                    title: Some("One".into())
                },
                Outline {
                    url: "http://b.example/rss".into(),
                    title: Some("Two".into())
                },
            ]
        );
    }

    #[test]
    fn entities_xml_and_html_are_decoded() {
        let doc = r#"<opml><body><outline text="Caf&eacute; &amp; Co&#8217;s &nbsp;Show &bogus;" xmlUrl="https://x.example/f?a=1&amp;b=2"/></body></opml>"#;
        let feeds = parse(doc.as_bytes(), "l.opml").unwrap();
        assert_eq!(feeds[0].url, "https://x.example/f?a=1&b=2");
        assert_eq!(feeds[0].title.as_deref(), Some("Café & Co’s Show &bogus;"));
    }

    #[test]
    fn broken_xml_is_reported_with_its_line() {
        let doc = "<opml>\n<body>\n<outline xmlUrl=\"https://a/\">\n</body>\n</opml>";
        let err = parse(doc.as_bytes(), "subs.opml").unwrap_err().to_string();
        assert!(err.starts_with("subs.opml:4: "), "{err}");
        let err = parse(b"<opml>\n<body>\n", "subs.opml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "subs.opml:3: unexpected end of the document: an element is not closed"
        );
        let err = parse(b"<rss/>", "x").unwrap_err().to_string();
        assert_eq!(
            err,
            "x:1: not an OPML document: the root element is not <opml>"
        );
    }

    #[test]
    fn detection_and_a_round_trip() {
        assert!(looks_like_opml(
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- x -->\n<opml version=\"2.0\">"
        ));
        assert!(!looks_like_opml(b"<?xml version='1.0'?><rss>"));
        let feeds = vec![Outline {
            url: "https://a.example/f?x=1&y=2".into(),
            title: Some("A \"quoted\" <show>".into()),
        }];
        assert_eq!(
            urls(&write("episearch sources", &feeds)),
            vec![feeds[0].url.clone()]
        );
        assert_eq!(parse(write("t", &feeds).as_bytes(), "x").unwrap(), feeds);
    }
}
