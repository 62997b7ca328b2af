//! HTML transcripts: the Podcasting 2.0 layout (`<cite>Speaker:</cite> <time>0:00</time>
//! <p>text</p>`) and the turn layout (`<div class="turn"><p class="speaker">` with times in
//! `playAt('1:17:16')` links), whose headings are returned as chapters.

use crate::episode::{Chapter, Transcript};
use crate::ingest::html::{decode_entities, Unknown};

use super::cues::{CueSink, Parsed, TranscriptError};
use super::text::collapse;
use super::timing::parse_time;

/// Elements whose content is never transcript text.
const SKIPPED: [&str; 4] = ["script", "style", "title", "template"];

/// What the text being collected will become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Speaker,
    Time,
    Heading,
    Paragraph,
}

#[derive(Debug)]
struct Capture {
    role: Role,
    /// The element that ends it (`cite`, `p`, `h2`).
    element: String,
    line: usize,
    text: String,
    time: Option<f64>,
}

/// A paragraph read, before ends are known.
struct Said {
    line: usize,
    start: Option<f64>,
    speaker: Option<String>,
    text: String,
}

/// Read an HTML transcript (already decoded). A paragraph starts at its own `playAt` time, else
/// at the last `<time>` before it, and ends where the next timed paragraph starts. A file with
/// no times at all gives an untimed transcript. Headings (`<h1>`-`<h3>`) become chapters that
/// start with the paragraph after them.
pub fn read(html: &str) -> Result<Parsed<Transcript>, TranscriptError> {
    let mut sink = CueSink::default();
    let mut read = Reading::default();
    let mut capture: Option<Capture> = None;
    let mut in_play_link = false;
    let mut language = None;
    let mut line = 1;
    let mut rest = html;

    while let Some(at) = rest.find('<') {
        if let Some(c) = capture.as_mut() {
            if !in_play_link {
                c.text.push_str(&rest[..at]);
            }
        }
        line += count_lines(&rest[..at]);
        let after = &rest[at..];
        // Comments, doctype and processing instructions carry no text.
        let skip_to =
            |end: &str, from: usize| after[from..].find(end).map(|e| from + e + end.len());
        let special = if after.starts_with("<!--") {
            Some(skip_to("-->", 4).unwrap_or(after.len()))
        } else if after.starts_with("<!") || after.starts_with("<?") {
            Some(skip_to(">", 2).unwrap_or(after.len()))
        } else {
            None
        };
        if let Some(len) = special {
            line += count_lines(&after[..len]);
            rest = &after[len..];
            continue;
        }
        let Some(tag) = Tag::at(after) else {
            if let Some(c) = capture.as_mut() {
                c.text.push('<');
            }
            rest = &after[1..];
            continue;
        };
        line += count_lines(&after[..tag.len]);
        rest = &after[tag.len..];
        let name = tag.name.to_ascii_lowercase();
        if !tag.closing && SKIPPED.contains(&name.as_str()) {
            let close = format!("</{name}");
            let end = find_ignoring_case(rest, &close).unwrap_or(rest.len());
            line += count_lines(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if name == "html" && !tag.closing {
            language = tag.attribute("lang").map(|l| l.to_ascii_lowercase());
        }
        if let Some(at_time) = tag.play_at() {
            match parse_time(&at_time) {
                Ok(t) => match capture.as_mut() {
                    Some(c) if c.role == Role::Paragraph => c.time = Some(t),
                    _ => read.time = Some(t),
                },
                Err(reason) => sink.warn(line, reason),
            }
            // The link's own text is a play button (`▶`), not speech.
            in_play_link = name == "a" && !tag.closing && !tag.self_closing;
            continue;
        }
        if name == "a" && tag.closing {
            in_play_link = false;
        }
        let ends_capture = capture.as_ref().is_some_and(|c| {
            (tag.closing && c.element == name)
                // An unclosed `<p>` ends at the next block.
                || (!tag.closing && c.role == Role::Paragraph && is_block(&name))
        });
        if ends_capture {
            if let Some(done) = capture.take() {
                read.finish(done, &mut sink);
            }
        }
        // Blocks and line breaks separate words; inline markup (`<b>so</b>,`) does not.
        let separates = is_block(&name) || name == "br";
        if tag.closing {
            if let (Some(c), true) = (capture.as_mut(), separates) {
                c.text.push(' ');
            }
            continue;
        }
        let role = match name.as_str() {
            "cite" => Some(Role::Speaker),
            "p" if tag.has_class("speaker") => Some(Role::Speaker),
            "time" => Some(Role::Time),
            "h1" | "h2" | "h3" => Some(Role::Heading),
            "p" => Some(Role::Paragraph),
            _ => None,
        };
        match role {
            Some(role) if capture.is_none() && !tag.self_closing => {
                capture = Some(Capture {
                    role,
                    element: name,
                    line,
                    text: String::new(),
                    time: None,
                });
            }
            _ => {
                if let (Some(c), true) = (capture.as_mut(), separates) {
                    c.text.push(' ');
                }
            }
        }
    }
    if let Some(mut done) = capture.take() {
        done.text.push_str(rest);
        read.finish(done, &mut sink);
    }
    let Reading { said, headings, .. } = read;

    let timed = said.iter().any(|s| s.start.is_some());
    // Ends: the start of the next timed paragraph that is not earlier.
    let mut next_start: Option<f64> = None;
    let mut ends = vec![0.0; said.len()];
    for (i, s) in said.iter().enumerate().rev() {
        let start = s.start.unwrap_or(0.0);
        ends[i] = next_start.filter(|&n| n >= start).unwrap_or(start);
        if s.start.is_some() {
            next_start = s.start;
        }
    }
    if timed {
        for (index, title) in headings {
            let start = said
                .get(index)
                .and_then(|s| s.start)
                .or_else(|| said.last().and_then(|s| s.start))
                .unwrap_or(0.0);
            sink.chapters.push(Chapter {
                start,
                title,
                url: None,
            });
        }
    }
    for (s, end) in said.into_iter().zip(ends) {
        let start = s.start.unwrap_or(0.0);
        sink.push(s.line, start, end, s.speaker.as_deref(), &s.text);
    }
    sink.finish(timed, language)
}

/// What the paragraphs read so far said, and what holds for the next one.
#[derive(Default)]
struct Reading {
    said: Vec<Said>,
    /// (index of the paragraph after the heading, title)
    headings: Vec<(usize, String)>,
    speaker: Option<String>,
    time: Option<f64>,
}

impl Reading {
    /// Turn collected text into what its element means.
    fn finish(&mut self, capture: Capture, sink: &mut CueSink) {
        let text = decode_entities(&capture.text, Unknown::Keep);
        let text = collapse(&text);
        match capture.role {
            Role::Speaker => {
                let name = text.trim_end_matches(':').trim();
                self.speaker = (!name.is_empty()).then(|| name.to_string());
            }
            Role::Time => match parse_time(&text) {
                Ok(t) => self.time = Some(t),
                Err(reason) => sink.warn(capture.line, reason),
            },
            Role::Heading if !text.is_empty() => self.headings.push((self.said.len(), text)),
            Role::Heading => {}
            Role::Paragraph => self.said.push(Said {
                line: capture.line,
                start: capture.time.or(self.time),
                speaker: self.speaker.clone(),
                text,
            }),
        }
    }
}

fn count_lines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "cite"
            | "time"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "section"
            | "ul"
            | "ol"
            | "table"
    )
}

/// One tag: name, whether closing, and its attribute text.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    attributes: &'a str,
    /// Bytes from `<` to `>` inclusive.
    len: usize,
}

impl<'a> Tag<'a> {
    /// The tag at the start of `s` (which starts with `<`), if it is one and is closed.
    fn at(s: &'a str) -> Option<Tag<'a>> {
        let inner = &s[1..];
        let (closing, body) = match inner.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, inner),
        };
        if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(body.len());
        let close = body.find('>')?;
        let attributes = &body[name_len.min(close)..close];
        Some(Tag {
            name: &body[..name_len.min(close)],
            closing,
            self_closing: attributes.ends_with('/'),
            attributes,
            len: s.len() - body.len() + close + 1,
        })
    }

    /// The value of `name="..."` (or single-quoted), entities left as written.
    fn attribute(&self, name: &str) -> Option<&'a str> {
        let mut rest = self.attributes;
        while let Some(at) = find_ignoring_case(rest, name) {
            let before_ok = at == 0 || rest[..at].ends_with(char::is_whitespace);
            let after = rest[at + name.len()..].trim_start();
            rest = &rest[at + name.len()..];
            let Some(value) = after
                .strip_prefix('=')
                .map(str::trim_start)
                .filter(|_| before_ok)
            else {
                continue;
            };
            let quote = value.chars().next()?;
            if quote == '"' || quote == '\'' {
                let value = &value[1..];
                return value.find(quote).map(|end| &value[..end]);
            }
            return value.split_whitespace().next();
        }
        None
    }

    fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// The time in a `playAt('1:17:16')` call anywhere in the tag's attributes.
    fn play_at(&self) -> Option<String> {
        let at = self.attributes.find("playAt(")?;
        let args = &self.attributes[at + "playAt(".len()..];
        let end = args.find(')')?;
        Some(args[..end].trim().trim_matches(['\'', '"']).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues(html: &str) -> Vec<(f64, f64, Option<String>, String)> {
        read(html)
            .unwrap()
            .value
            .cues
            .into_iter()
            .map(|c| (c.start, c.end, c.speaker, c.text))
            .collect()
    }

    #[test]
    fn podcasting_20_layout() {
        let html = "\n<!-- saved from url=x -->\n<html><head><title>T</title></head><body>\
            <time>0:00</time>\n<p>No speaker yet</p>\n\
            <cite>Alban:</cite>\n  <time>0:30</time>\n  <p>It&#39;s <b>so</b>\nnice.</p>\n\
            <time>1:05</time><p>Same speaker.</p>\n\
            <cite>Kevin:</cite><time>1:02:03</time><p>Last";
        let al = Some("Alban".to_string());
        assert_eq!(
            cues(html),
            [
                (0.0, 30.0, None, "No speaker yet".into()),
                (30.0, 65.0, al.clone(), "It's so nice.".into()),
                (65.0, 3723.0, al, "Same speaker.".into()),
                (3723.0, 3723.0, Some("Kevin".into()), "Last".into()),
            ]
        );
    }

    #[test]
    fn turn_layout_with_headings() {
        let html = r##"<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="de"><head><script>function playAt(t) {}</script>
<style>.turn { x: 1 }</style></head><body><section class="transcript">
<h2>Intro</h2>
<div class="turn">
  <p class="speaker">Tim Pritlove</p>
  <p><a href="#" onclick="javascript:playAt('0:0:0');return false" class="play">▶</a>
Guten Morgen Thomas
</p>
</div>
<h2>Wahl in Österreich</h2>
<div class="turn">
  <p class="speaker">Thomas Lohninger</p>
  <p><a href="#" onclick="javascript:playAt('1:17:16');return false" class="play">▶</a>
Grüße &amp; Spaß</p>
</div></section></body></html>"##;
        let parsed = read(html).unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.value.language.as_deref(), Some("de"));
        let got: Vec<_> = parsed
            .value
            .cues
            .iter()
            .map(|c| (c.start, c.end, c.speaker.as_deref(), c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0.0, 4636.0, Some("Tim Pritlove"), "Guten Morgen Thomas"),
                (4636.0, 4636.0, Some("Thomas Lohninger"), "Grüße & Spaß"),
            ]
        );
        let chapters: Vec<_> = parsed
            .chapters
            .iter()
            .map(|c| (c.start, c.title.as_str()))
            .collect();
        assert_eq!(chapters, [(0.0, "Intro"), (4636.0, "Wahl in Österreich")]);
    }

    #[test]
    fn untimed_paragraphs_and_bad_times() {
        let parsed = read("<p>One</p><p>Two <i>x</i> < y</p>").unwrap();
        assert!(!parsed.value.timed);
        let texts: Vec<_> = parsed.value.cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["One", "Two x < y"]);
        let parsed = read("<time>0:00</time><p>a</p>\n<time>soon</time><p>b</p>").unwrap();
        assert_eq!(parsed.warnings[0].to_string(), "line 2: bad time \"soon\"");
        assert_eq!(parsed.value.cues[1].start, 0.0);
    }
}
