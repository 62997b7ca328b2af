//! RSS 2.0 (and 1.0) and Atom feeds: channel and items to `Episode`s.
//!
//! # Mapping
//!
//! | episode | RSS | Atom |
//! | --- | --- | --- |
//! | `podcast` | channel `title` | feed `title` |
//! | `title` | item `title`, else `itunes:title` | entry `title` |
//! | `date` | `pubDate`, else `dc:date` | `published`, else `updated` |
//! | `duration` | `itunes:duration` (`S`, `M:SS`, `H:MM:SS`, fractional) | `itunes:duration` |
//! | `summary` | `itunes:subtitle`, else the description's first paragraph | the description's first paragraph |
//! | `description` | `description`, else the longer of `content:encoded` / `itunes:summary` | `summary`, else `content` |
//! | `overview` | the longer of `content:encoded` / `itunes:summary` | `content` |
//! | `url` | `link`, else the enclosure's `url` | `link rel="alternate"` (or no `rel`), else `rel="enclosure"` |
//! | `id` | `guid`, else the enclosure URL, else `link` | `id`, else the same fallbacks |
//! | `language` | channel `language` (or `dc:language`) | `xml:lang` of the entry or feed |
//!
//! Every text field is converted from HTML to plain text ([`super::html::to_text`]) when it holds
//! markup or entities. `summary` is kept short: one paragraph, cut after a sentence or at a word
//! boundary near 300 characters; a subtitle that only repeats the start of the description (hosts
//! cut it at a fixed length, mid-word) gives way to the description's first paragraph.
//! `overview` is left out when it adds nothing to `description` (the same text, or contained in
//! it). Elements are matched by namespace URI when the prefix is declared and by the usual prefix
//! (`itunes:`, `content:`, `atom:`, `dc:`) when it is not; `podcast:` and other extensions are
//! read past.
//!
//! # Real-world leniency and safety
//!
//! Bytes are decoded to UTF-8 before parsing: a BOM wins, then the declared encoding (through
//! `encoding_rs`; a document declared Latin-1 whose bytes are valid, non-ASCII UTF-8 is read as
//! UTF-8, since that lie is common), else UTF-8 with stray bytes read as windows-1252. Anything before the XML
//! declaration or document element (whitespace, PHP warnings) and after the document element is
//! ignored. End tags that do not match are tolerated the way browsers do. Entity references are
//! never expanded from a DTD, so neither external entities nor entity bombs can do harm: only
//! the five XML entities, numeric references and HTML's named entities are decoded, other
//! references are dropped. Elements nested deeper than 256 levels are refused and reported.
//! A document cut off inside an item reports that item with the line and column where input
//! ended; the items before it are still emitted.

use std::borrow::Cow;
use std::collections::HashMap;

use encoding_rs::Encoding;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::html::{self, Unknown};
use super::record::{RecordError, Sink};
use crate::episode::{parse_date, parse_duration, Episode, TranscriptLink};
use crate::error::Result;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 256;

/// Summaries derived from a description are cut near this many characters.
const SUMMARY_CHARS: usize = 300;

/// Read a whole feed document and send one episode per `<item>`/`<entry>` to `sink`.
pub fn read(bytes: &[u8], sink: &mut Sink) -> Result<()> {
    let text = decode(bytes);
    match document_start(&text) {
        Some(start) => FeedParser::new(&text, start).run(sink),
        None => sink(Err(RecordError::new(
            0,
            "not an RSS or Atom feed: no <rss>, <feed> or <rdf:RDF> element",
        ))),
    }
}

/// The document as UTF-8: a byte order mark wins, then the encoding the XML declaration names
/// (unless the bytes are plainly UTF-8), else UTF-8 (bytes that are not UTF-8 are read as
/// windows-1252, the usual culprit).
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return text.into_owned();
    }
    // UTF-16 without a BOM still starts with `<` beside a zero byte.
    if bytes.starts_with(&[b'<', 0]) {
        return encoding_rs::UTF_16LE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned();
    }
    if bytes.starts_with(&[0, b'<']) {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(bytes)
            .0
            .into_owned();
    }
    match declared_encoding(bytes) {
        // A UTF-16 label on bytes that were just read as ASCII is a lie: the bytes are 8-bit.
        Some(e)
            if e != encoding_rs::UTF_8
                && e != encoding_rs::UTF_16LE
                && e != encoding_rs::UTF_16BE
                && e != encoding_rs::REPLACEMENT =>
        {
            // Feeds that declare Latin-1 but hold UTF-8 are common; text in a legacy encoding
            // that happens to be valid UTF-8 beyond ASCII is not.
            match std::str::from_utf8(bytes) {
                Ok(utf8) if !utf8.is_ascii() => utf8.to_string(),
                _ => e.decode_without_bom_handling(bytes).0.into_owned(),
            }
        }
        _ => super::encoding::utf8_lenient(bytes),
    }
}

/// The encoding named by `<?xml ... encoding="..."?>` near the start of the bytes.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let decl_at = find(head, b"<?xml ")?;
    let decl = &head[decl_at..];
    let decl = &decl[..find(decl, b"?>")?];
    let after = &decl[find(decl, b"encoding")? + b"encoding".len()..];
    let after = after
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let quote = *after.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = &after[1..];
    let end = value.iter().position(|&b| b == quote)?;
    Encoding::for_label(value[..end].trim_ascii())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the XML starts: the declaration or the document element, whichever comes first, so
/// that whatever a broken server printed before it (PHP warnings) is skipped.
fn document_start(text: &str) -> Option<usize> {
    let starts = ["<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF"];
    let first = starts.iter().filter_map(|s| text.find(s)).min();
    first.or_else(|| {
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        trimmed.starts_with('<').then(|| text.len() - trimmed.len())
    })
}

/// The vocabularies the mapping reads; anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Rss,
    Atom,
    Itunes,
    Content,
    Dc,
    /// Podcasting 2.0: transcripts, chapters, the podcast's guid.
    Podcast,
    Other,
}

impl Ns {
    /// By namespace URI, compared without scheme, case or trailing slash (feeds vary in all).
    fn from_uri(uri: &str) -> Option<Ns> {
        let lower = uri.trim().to_ascii_lowercase();
        let bare = lower
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/');
        Some(match bare {
            "" | "purl.org/rss/1.0" | "backend.userland.com/rss2" => Ns::Rss,
            "www.w3.org/2005/atom" => Ns::Atom,
            "www.itunes.com/dtds/podcast-1.0.dtd" => Ns::Itunes,
            "purl.org/rss/1.0/modules/content" => Ns::Content,
            "purl.org/dc/elements/1.1" => Ns::Dc,
            "podcastindex.org/namespace/1.0"
            | "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md" => Ns::Podcast,
            _ => return None,
        })
    }

    /// By the prefix feeds conventionally use, for prefixes never declared.
    fn from_prefix(prefix: &str) -> Ns {
        match prefix.to_ascii_lowercase().as_str() {
            "itunes" => Ns::Itunes,
            "content" => Ns::Content,
            "atom" => Ns::Atom,
            "dc" => Ns::Dc,
            "podcast" => Ns::Podcast,
            _ => Ns::Other,
        }
    }
}

/// What an open element is to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Channel,
    Item,
    Other,
}

/// One open element.
struct Frame {
    /// The qualified name as written, to match its end tag.
    raw: String,
    kind: Kind,
    /// The default namespace inside this element.
    default_ns: Ns,
}

/// Elements whose text the mapping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Title,
    ItunesTitle,
    Link,
    Guid,
    Date,
    LaterDate,
    Duration,
    Subtitle,
    Description,
    Encoded,
    ItunesSummary,
    Language,
    PodcastGuid,
}

impl Field {
    fn of(ns: Ns, local: &str) -> Option<Field> {
        Some(match (ns, local) {
            (Ns::Rss | Ns::Atom, "title") => Field::Title,
            (Ns::Itunes, "title") => Field::ItunesTitle,
            (Ns::Rss, "link") => Field::Link,
            (Ns::Rss, "guid") | (Ns::Atom, "id") => Field::Guid,
            (Ns::Rss, "pubdate") | (Ns::Atom, "published") => Field::Date,
            (Ns::Dc, "date") | (Ns::Atom, "updated") => Field::LaterDate,
            (Ns::Itunes, "duration") => Field::Duration,
            (Ns::Itunes, "subtitle") => Field::Subtitle,
            (Ns::Rss, "description") | (Ns::Atom, "summary") => Field::Description,
            (Ns::Content, "encoded") | (Ns::Atom, "content") => Field::Encoded,
            (Ns::Itunes, "summary") => Field::ItunesSummary,
            (Ns::Rss | Ns::Dc, "language") => Field::Language,
            (Ns::Podcast, "guid") => Field::PodcastGuid,
            _ => return None,
        })
    }
}

/// The text of an element being read.
struct Capture {
    field: Field,
    /// Stack height with the element open.
    depth: usize,
    text: String,
}

/// Channel (or feed) metadata every episode shares.
#[derive(Default)]
struct Channel {
    title: Option<String>,
    /// The `language` element.
    language: Option<String>,
    /// `xml:lang` of the document element, channel or feed.
    xml_lang: Option<String>,
    /// `podcast:guid`.
    guid: Option<String>,
}

/// The raw values of one item, as read.
#[derive(Default)]
struct Item {
    line: usize,
    broken: bool,
    fields: HashMap<Field, String>,
    alternate: Option<String>,
    enclosure: Option<String>,
    language: Option<String>,
    transcripts: Vec<TranscriptLink>,
    chapters: Option<String>,
}

/// quick-xml's event reader, not serde: it lets us own the encoding, every entity reference and
/// the nesting depth.
struct FeedParser<'t> {
    text: &'t str,
    start: usize,
    reader: Reader<&'t [u8]>,
    /// Line numbers already counted up to a byte offset, so counting stays linear.
    counted: (usize, usize),
    prefixes: HashMap<String, Ns>,
    stack: Vec<Frame>,
    root_seen: bool,
    done: bool,
    /// Open elements still to close inside a refused (too deep) subtree.
    skipping: usize,
    channel: Channel,
    item: Option<Item>,
    capture: Option<Capture>,
    /// Items read before the channel's title, held until it is known.
    pending: Vec<Episode>,
}

impl<'t> FeedParser<'t> {
    fn new(text: &'t str, start: usize) -> FeedParser<'t> {
        let mut reader = Reader::from_str(&text[start..]);
        let config = reader.config_mut();
        config.allow_dangling_amp = true;
        config.allow_unmatched_ends = true;
        config.check_end_names = false;
        config.check_comments = false;
        FeedParser {
            text,
            start,
            reader,
            counted: (0, 1),
            prefixes: HashMap::new(),
            stack: Vec::new(),
            root_seen: false,
            done: false,
            skipping: 0,
            channel: Channel::default(),
            item: None,
            capture: None,
            pending: Vec::new(),
        }
    }

    fn run(mut self, sink: &mut Sink) -> Result<()> {
        // Parse errors quick-xml can recover from are skipped once; a second one at the same
        // place ends the file.
        let mut last_error_at = None;
        while !self.done {
            let before = self.offset(self.reader.buffer_position());
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = self.offset(self.reader.error_position());
                    let recoverable = matches!(e, quick_xml::Error::IllFormed(_));
                    if recoverable && last_error_at != Some(at) {
                        last_error_at = Some(at);
                        continue;
                    }
                    return self.fail(at, &e.to_string(), sink);
                }
            };
            match event {
                Event::Start(e) => self.open(&e, before, false, sink)?,
                Event::Empty(e) => self.open(&e, before, true, sink)?,
                Event::End(e) => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    self.close(&name, sink)?;
                }
                Event::Text(e) => {
                    if let Some(capture) = self.capture.as_mut() {
                        push_content(&mut capture.text, e.xml_content(), &e);
                    }
                }
                Event::CData(e) => {
                    if let Some(capture) = self.capture.as_mut() {
                        push_content(&mut capture.text, e.xml_content(), &e);
                    }
                }
                Event::GeneralRef(e) => {
                    if let Some(capture) = self.capture.as_mut() {
                        let name = String::from_utf8_lossy(&e);
                        if let Some(text) = html::entity(&name) {
                            capture.text.push_str(&text);
                        }
                    }
                }
                Event::Eof => {
                    let at = self.offset(self.reader.buffer_position());
                    return self.finish_at_eof(at, sink);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        self.flush(sink)
    }

    /// A reader position as an offset into the whole text.
    fn offset(&self, position: u64) -> usize {
        let at = self
            .start
            .saturating_add(usize::try_from(position).unwrap_or(usize::MAX));
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// 1-based line of a byte offset.
    fn line(&mut self, at: usize) -> usize {
        let (from, line) = if at >= self.counted.0 {
            self.counted
        } else {
            (0, 1)
        };
        let line = line
            + self.text.as_bytes()[from..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        self.counted = (at, line);
        line
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_column(&mut self, at: usize) -> (usize, usize) {
        let line = self.line(at);
        let line_start = self.text[..at].rfind('\n').map_or(0, |n| n + 1);
        (line, self.text[line_start..at].chars().count() + 1)
    }

    fn record_error(&mut self, at: usize, reason: String) -> RecordError {
        let (line, column) = self.line_column(at);
        RecordError {
            line,
            column: Some(column),
            reason,
        }
    }

    fn open(&mut self, e: &BytesStart, at: usize, empty: bool, sink: &mut Sink) -> Result<()> {
        if self.skipping > 0 {
            if !empty {
                self.skipping += 1;
            }
            return Ok(());
        }
        let raw = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        if !self.root_seen {
            let local = local_name(&raw).to_ascii_lowercase();
            if !matches!(local.as_str(), "rss" | "feed" | "rdf") {
                let line = self.line(at);
                self.done = true;
                return sink(Err(RecordError::new(
                    line,
                    format!("not an RSS or Atom feed: the document element is <{raw}>"),
                )));
            }
        }
        if !empty && self.stack.len() >= MAX_DEPTH {
            let error = self.record_error(
                at,
                format!("elements nested deeper than {MAX_DEPTH} levels"),
            );
            self.skipping = 1;
            self.capture = None;
            if let Some(item) = self.item.as_mut() {
                item.broken = true;
            }
            return sink(Err(error));
        }
        let attributes = attributes(e);
        if let Some(capture) = self.capture.as_mut() {
            // Markup inside a field (XHTML content, unescaped HTML) is kept as HTML.
            capture.text.push('<');
            capture.text.push_str(&String::from_utf8_lossy(e));
            capture.text.push_str(if empty { "/>" } else { ">" });
            if !empty {
                let default_ns = self.stack.last().map_or(Ns::Rss, |f| f.default_ns);
                self.stack.push(Frame {
                    raw,
                    kind: Kind::Other,
                    default_ns,
                });
            }
            return Ok(());
        }
        let default_ns = self.declare_namespaces(&raw, &attributes);
        let ns = match raw.split_once(':') {
            Some((prefix, _)) => self
                .prefixes
                .get(prefix)
                .copied()
                .unwrap_or_else(|| Ns::from_prefix(prefix)),
            None => default_ns,
        };
        let local = local_name(&raw).to_ascii_lowercase();
        let lang = attributes
            .iter()
            .find(|(k, _)| k == "xml:lang")
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty());
        let parent = self.stack.last().map(|f| f.kind);
        let kind = if !self.root_seen {
            self.root_seen = true;
            self.channel.xml_lang.clone_from(&lang);
            Kind::Root
        } else if self.item.is_none()
            && matches!(
                (ns, local.as_str()),
                (Ns::Rss, "item") | (Ns::Atom, "entry")
            )
        {
            let line = self.line(at);
            self.item = Some(Item {
                line,
                language: lang.clone(),
                ..Item::default()
            });
            Kind::Item
        } else if ns == Ns::Rss && local == "channel" {
            if lang.is_some() {
                self.channel.xml_lang.clone_from(&lang);
            }
            Kind::Channel
        } else {
            Kind::Other
        };
        let depth = self.stack.len() + 1;
        match parent {
            Some(Kind::Item) => {
                if let Some(item) = self.item.as_mut() {
                    read_item_attributes(item, ns, &local, &attributes);
                }
                if let Some(field) = Field::of(ns, &local).filter(|_| !empty) {
                    self.capture = Some(Capture {
                        field,
                        depth,
                        text: String::new(),
                    });
                }
            }
            Some(Kind::Channel | Kind::Root) if self.item.is_none() && kind == Kind::Other => {
                if let Some(field @ (Field::Title | Field::Language | Field::PodcastGuid)) =
                    Field::of(ns, &local)
                {
                    if !empty {
                        self.capture = Some(Capture {
                            field,
                            depth,
                            text: String::new(),
                        });
                    }
                }
            }
            _ => {}
        }
        if !empty {
            self.stack.push(Frame {
                raw,
                kind,
                default_ns,
            });
        }
        Ok(())
    }

    /// Record the element's `xmlns:*` declarations; return its default namespace.
    fn declare_namespaces(&mut self, raw: &str, attributes: &[(String, String)]) -> Ns {
        let mut default_ns = self.stack.last().map(|f| f.default_ns).unwrap_or_else(|| {
            // An Atom feed that forgot its namespace is still Atom.
            if local_name(raw).eq_ignore_ascii_case("feed") {
                Ns::Atom
            } else {
                Ns::Rss
            }
        });
        for (key, value) in attributes {
            if key == "xmlns" {
                // An unknown default namespace keeps the vocabulary the element sits in.
                default_ns = Ns::from_uri(value).unwrap_or(default_ns);
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                let ns = Ns::from_uri(value).unwrap_or_else(|| Ns::from_prefix(prefix));
                self.prefixes.insert(prefix.to_string(), ns);
            }
        }
        default_ns
    }

    fn close(&mut self, raw: &str, sink: &mut Sink) -> Result<()> {
        if self.skipping > 0 {
            self.skipping -= 1;
            return Ok(());
        }
        // An end tag closes its element and any left open inside it; a stray one is ignored.
        let Some(index) = self.stack.iter().rposition(|f| f.raw == raw) else {
            return Ok(());
        };
        while self.stack.len() > index {
            let depth = self.stack.len();
            let Some(frame) = self.stack.pop() else { break };
            self.closed(frame, depth, depth == index + 1, sink)?;
        }
        Ok(())
    }

    /// Handle an element that has just been closed, `depth` being the stack height it had;
    /// `explicit` when its own end tag closed it (not an outer one).
    fn closed(
        &mut self,
        frame: Frame,
        depth: usize,
        explicit: bool,
        sink: &mut Sink,
    ) -> Result<()> {
        if let Some(capture) = self.capture.as_mut() {
            if depth > capture.depth {
                if !explicit {
                    return Ok(());
                }
                capture.text.push_str("</");
                capture.text.push_str(&frame.raw);
                capture.text.push('>');
                return Ok(());
            }
            if depth == capture.depth {
                if let Some(capture) = self.capture.take() {
                    self.store(capture, sink)?;
                }
                return Ok(());
            }
        }
        match frame.kind {
            Kind::Item => {
                if let Some(item) = self.item.take() {
                    if !item.broken {
                        let episode = item.into_episode();
                        self.emit(episode, sink)?;
                    }
                }
            }
            Kind::Root => self.done = true,
            Kind::Channel | Kind::Other => {}
        }
        Ok(())
    }

    /// Keep a captured field's text where it belongs.
    fn store(&mut self, capture: Capture, sink: &mut Sink) -> Result<()> {
        let Capture { field, text, .. } = capture;
        if text.trim().is_empty() {
            return Ok(());
        }
        match self.item.as_mut() {
            Some(item) => {
                item.fields.entry(field).or_insert(text);
            }
            None => match field {
                Field::Title if self.channel.title.is_none() => {
                    self.channel.title = Some(line_text(&text));
                    self.flush(sink)?;
                }
                Field::Language if self.channel.language.is_none() => {
                    self.channel.language = Some(text.trim().to_lowercase());
                }
                Field::PodcastGuid if self.channel.guid.is_none() => {
                    self.channel.guid = Some(text.trim().to_string());
                }
                _ => {}
            },
        }
        Ok(())
    }

    /// Send an episode on, or hold it while the channel's title is still unknown.
    fn emit(&mut self, mut episode: Episode, sink: &mut Sink) -> Result<()> {
        if self.channel.title.is_none() {
            self.pending.push(episode);
            return Ok(());
        }
        self.complete(&mut episode);
        sink(Ok(episode))
    }

    fn complete(&self, episode: &mut Episode) {
        if episode.podcast.is_none() {
            episode.podcast.clone_from(&self.channel.title);
        }
        if episode.podcast_guid.is_none() {
            episode.podcast_guid.clone_from(&self.channel.guid);
        }
        if episode.language.is_none() {
            let language = self
                .channel
                .language
                .as_ref()
                .or(self.channel.xml_lang.as_ref());
            episode.language = language.map(|l| l.trim().to_lowercase());
        }
    }

    fn flush(&mut self, sink: &mut Sink) -> Result<()> {
        for mut episode in std::mem::take(&mut self.pending) {
            self.complete(&mut episode);
            sink(Ok(episode))?;
        }
        Ok(())
    }

    fn finish_at_eof(mut self, at: usize, sink: &mut Sink) -> Result<()> {
        if !self.root_seen {
            self.flush(sink)?;
            return sink(Err(RecordError::new(
                0,
                "not an RSS or Atom feed: no document element",
            )));
        }
        match self.item.as_ref() {
            Some(item) if !item.broken => {
                let reason = format!(
                    "unexpected end of file inside the item starting at line {}",
                    item.line
                );
                self.fail(at, &reason, sink)
            }
            _ => self.flush(sink),
        }
    }

    /// Stop at an unreadable spot: emit what was read, then report the spot.
    fn fail(mut self, at: usize, reason: &str, sink: &mut Sink) -> Result<()> {
        let reason = match self.item.as_ref() {
            Some(item) if !reason.contains("item starting") => {
                format!("{reason} (in the item starting at line {})", item.line)
            }
            _ => reason.to_string(),
        };
        let error = self.record_error(at, reason);
        self.flush(sink)?;
        sink(Err(error))
    }
}

/// Attributes as (qualified name, value) with entities decoded; malformed ones are skipped.
fn attributes(e: &BytesStart) -> Vec<(String, String)> {
    e.html_attributes()
        .with_checks(false)
        .filter_map(|a| a.ok())
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = String::from_utf8_lossy(&a.value);
            let value = html::decode_entities(&value, Unknown::Drop).into_owned();
            (key, value)
        })
        .collect()
}

/// Enclosure, Atom link, transcript and chapters URLs, which live in attributes.
fn read_item_attributes(item: &mut Item, ns: Ns, local: &str, attributes: &[(String, String)]) {
    let get = |name: &str| {
        attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match (ns, local) {
        (Ns::Rss, "enclosure") if item.enclosure.is_none() => item.enclosure = get("url"),
        (Ns::Podcast, "transcript") => {
            if let Some(url) = get("url") {
                item.transcripts.push(TranscriptLink {
                    url,
                    kind: get("type").map(|t| t.to_ascii_lowercase()),
                    language: get("language").map(|l| l.to_ascii_lowercase()),
                });
            }
        }
        (Ns::Podcast, "chapters") if item.chapters.is_none() => item.chapters = get("url"),
        (Ns::Atom, "link") => {
            let slot = match get("rel").as_deref().unwrap_or("alternate") {
                "alternate" => &mut item.alternate,
                "enclosure" => &mut item.enclosure,
                _ => return,
            };
            if slot.is_none() {
                *slot = get("href");
            }
        }
        _ => {}
    }
}

impl Item {
    fn take(&mut self, field: Field) -> Option<String> {
        self.fields.remove(&field)
    }

    fn into_episode(mut self) -> Episode {
        let title = self
            .take(Field::Title)
            .or_else(|| self.take(Field::ItunesTitle))
            .map(|t| line_text(&t));
        let date = self
            .take(Field::Date)
            .and_then(|d| parse_date(&d))
            .or_else(|| self.take(Field::LaterDate).and_then(|d| parse_date(&d)));
        let duration = self.take(Field::Duration).and_then(|d| parse_duration(&d));
        let link = self.take(Field::Link).map(|l| l.trim().to_string());
        let guid = self.take(Field::Guid).map(|g| g.trim().to_string());

        // The same markup often sits in two elements: convert each distinct text once.
        let mut converted: HashMap<String, String> = HashMap::new();
        let mut text = |raw: Option<String>| -> Option<String> {
            let raw = raw?;
            let text = converted
                .entry(raw)
                .or_insert_with_key(|raw| html::to_text(raw))
                .clone();
            (!text.is_empty()).then_some(text)
        };
        let description = text(self.take(Field::Description));
        let longer = [
            text(self.take(Field::Encoded)),
            text(self.take(Field::ItunesSummary)),
        ]
        .into_iter()
        .flatten()
        .max_by_key(|t| t.chars().count());
        let subtitle = text(self.take(Field::Subtitle));
        let (description, overview) = match (description, longer) {
            (None, longer) => (longer, None),
            (Some(d), Some(l)) if !adds_nothing(&l, &d) => (Some(d), Some(l)),
            (d, _) => (d, None),
        };
        let summary = match (subtitle, description.as_deref()) {
            (Some(s), Some(d)) if repeats_start(&s, d) => Some(short_summary(d)),
            (Some(s), _) => Some(short_summary(&s)),
            (None, d) => d.map(short_summary),
        };

        let url = link
            .clone()
            .filter(|l| !l.is_empty())
            .or_else(|| self.alternate.clone())
            .or_else(|| self.enclosure.clone());
        let id = guid
            .filter(|g| !g.is_empty())
            .or_else(|| self.enclosure.clone())
            .or(link)
            .or_else(|| self.alternate.clone());
        Episode {
            id,
            podcast: None,
            title,
            date,
            duration,
            summary,
            description,
            overview,
            url,
            language: self
                .take(Field::Language)
                .or(self.language)
                .map(|l| l.trim().to_lowercase()),
            transcripts: self.transcripts,
            chapters_url: self.chapters,
            ..Episode::default()
        }
    }
}

/// The part of a qualified name after its prefix.
fn local_name(raw: &str) -> &str {
    raw.rsplit_once(':').map_or(raw, |(_, local)| local)
}

/// Append an event's text; bytes that are somehow not UTF-8 are kept lossily.
fn push_content<E>(text: &mut String, content: std::result::Result<Cow<str>, E>, raw: &[u8]) {
    match content {
        Ok(content) => text.push_str(&content),
        Err(_) => text.push_str(&String::from_utf8_lossy(raw)),
    }
}

/// A one-line field (titles) as plain text on one line.
fn line_text(raw: &str) -> String {
    let text: Cow<str> = if html::looks_like_html(raw) {
        Cow::Owned(html::to_text(raw))
    } else {
        Cow::Borrowed(raw)
    };
    squash(&text)
}

/// `s` on one line, runs of whitespace collapsed to one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when `longer` says nothing `description` does not (same words, or contained in it).
fn adds_nothing(longer: &str, description: &str) -> bool {
    let (l, d) = (squash(longer), squash(description));
    l == d || d.contains(&l)
}

/// True when `subtitle` only repeats the start of `description`, as hosts that cut the
/// description at a fixed length (mid-word, often with a `…`) make it.
fn repeats_start(subtitle: &str, description: &str) -> bool {
    let subtitle = squash(subtitle);
    let head = subtitle.trim_end_matches(['…', '.']).trim_end();
    let description = squash(description);
    !head.is_empty() && head.len() < description.len() && description.starts_with(head)
}

/// A short summary: the first paragraph, cut after a sentence or at a word boundary when long.
fn short_summary(text: &str) -> String {
    let paragraph = text
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let flat = squash(paragraph);
    if flat.chars().count() <= SUMMARY_CHARS {
        return flat;
    }
    let limit = flat
        .char_indices()
        .nth(SUMMARY_CHARS)
        .map_or(flat.len(), |(i, _)| i);
    let head = &flat[..limit];
    // The last sentence end past the first third, else the last word boundary.
    let sentence = head
        .rmatch_indices(['.', '!', '?', '。'])
        .map(|(i, m)| i + m.len())
        .find(|&end| end >= limit / 3 && head[end..].starts_with(' '));
    if let Some(end) = sentence {
        return head[..end].to_string();
    }
    match head.rfind(' ') {
        Some(space) => format!("{}…", head[..space].trim_end_matches([',', ';', ':', ' '])),
        None => format!("{head}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn parse(bytes: &[u8]) -> (Vec<Episode>, Vec<RecordError>) {
        let mut episodes = Vec::new();
        let mut errors = Vec::new();
        read(bytes, &mut |r| {
            match r {
                Ok(e) => episodes.push(e.normalise()),
                Err(e) => errors.push(e),
            }
            Ok(())
        })
        .expect("the sink never fails");
        (episodes, errors)
    }

    fn parse_ok(xml: &str) -> Vec<Episode> {
        let (episodes, errors) = parse(xml.as_bytes());
        assert!(errors.is_empty(), "{errors:?}");
        episodes
    }

    fn rss(items: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n\
             <channel><title>Show &amp; Tell</title><language>en-US</language>\n\
             {items}\n</channel></rss>\n"
        )
    }

    #[test]
    fn rss_item_maps_by_value() {
        let xml = rss(r#"<item>
              <title>Ep. 1: Caf&#233; &amp; Crime</title>
              <link>https://example.org/ep1</link>
              <guid isPermaLink="false">ep-1</guid>
              <pubDate>Tue, 3 Feb 2026 10:00:00 +0100</pubDate>
              <itunes:duration>1:02:03</itunes:duration>
              <itunes:subtitle>A short line.</itunes:subtitle>
              <description><![CDATA[<p>First paragraph with <a href="https://x.org">a link</a>.</p><p>Second.</p>]]></description>
              <content:encoded><![CDATA[<p>First paragraph with <a href="https://x.org">a link</a>.</p><p>Second.</p><ul><li>Notes</li></ul>]]></content:encoded>
              <enclosure url="https://cdn.example.org/ep1.mp3" length="1" type="audio/mpeg"/>
            </item>"#);
        let episodes = parse_ok(&xml);
        assert_eq!(
            episodes,
            vec![Episode {
                id: Some("ep-1".into()),
                podcast: Some("Show & Tell".into()),
                title: Some("Ep. 1: Café & Crime".into()),
                date: parse_date("2026-02-03T09:00:00Z"),
                duration: Some(3723),
                summary: Some("A short line.".into()),
                description: Some("First paragraph with a link.\n\nSecond.".into()),
                overview: Some("First paragraph with a link.\n\nSecond.\nNotes".into()),
                url: Some("https://example.org/ep1".into()),
                language: Some("en-us".into()),
                ..Episode::default()
            }]
        );
    }

    #[test]
    fn overview_is_left_out_when_it_repeats_the_description() {
        let xml = rss(
            "<item><title>t</title><description>Same words.</description>\
                       <itunes:summary>Same   words.</itunes:summary></item>",
        );
        let e = &parse_ok(&xml)[0];
        assert_eq!(e.description.as_deref(), Some("Same words."));
        assert_eq!(e.summary.as_deref(), Some("Same words."));
        assert_eq!(e.overview, None);
    }

    #[test]
    fn description_falls_back_to_content_and_summary_is_cut() {
        let sentence = "This sentence is about twenty words long, give or take a few, so a \
                        handful of them will overflow the limit. ";
        let xml = rss(&format!(
            "<item><title>t</title><content:encoded>{}</content:encoded></item>",
            sentence.repeat(5)
        ));
        let e = &parse_ok(&xml)[0];
        assert_eq!(e.description.as_deref(), Some(sentence.repeat(5).trim()));
        assert_eq!(e.overview, None);
        let summary = e.summary.as_deref().unwrap_or_default();
        assert!(summary.chars().count() <= SUMMARY_CHARS, "{summary}");
        assert!(summary.ends_with("limit."), "{summary}");
    }

    #[test]
    fn atom_entry_maps_by_value() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de-DE">
              <title type="text">Atom Cast</title>
              <entry>
                <title type="html">Folge 7 &amp;ndash; Gr&#252;&#223;e</title>
                <id>urn:uuid:7</id>
                <updated>2026-03-02T08:00:00Z</updated>
                <published>2026-03-01T10:00:00+02:00</published>
                <link rel="enclosure" href="https://cdn.example.org/7.mp3"/>
                <link href="https://example.org/7"/>
                <summary>Kurz gesagt.</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Lang &amp; ausf&#252;hrlich.</p></div></content>
              </entry>
            </feed>"#;
        let episodes = parse_ok(xml);
        assert_eq!(
            episodes,
            vec![Episode {
                id: Some("urn:uuid:7".into()),
                podcast: Some("Atom Cast".into()),
                title: Some("Folge 7 – Grüße".into()),
                date: parse_date("2026-03-01T08:00:00Z"),
                duration: None,
                summary: Some("Kurz gesagt.".into()),
                description: Some("Kurz gesagt.".into()),
                overview: Some("Lang & ausführlich.".into()),
                url: Some("https://example.org/7".into()),
                language: Some("de-de".into()),
                ..Episode::default()
            }]
        );
    }

    #[test]
    fn declared_iso_8859_1_is_honoured() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\
            <rss><channel><title>Caf"
            .to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(b"</title><item><title>Cr");
        bytes.push(0xe8);
        bytes.extend_from_slice(b"me br");
        bytes.push(0xfb);
        bytes.extend_from_slice(b"l\xe9e</title></item></channel></rss>");
        let (episodes, errors) = parse(&bytes);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(episodes[0].podcast.as_deref(), Some("Café"));
        assert_eq!(episodes[0].title.as_deref(), Some("Crème brûlée"));
    }

    #[test]
    fn utf8_declared_as_latin_1_is_read_as_utf8() {
        let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Café\
                   </title><item><title>Grüße</title></item></channel></rss>";
        let (episodes, _) = parse(xml.as_bytes());
        assert_eq!(episodes[0].podcast.as_deref(), Some("Café"));
        assert_eq!(episodes[0].title.as_deref(), Some("Grüße"));
    }

    #[test]
    fn undeclared_latin_bytes_in_utf8_are_read_as_windows_1252() {
        let bytes = b"<rss><channel><title>Ol\xe1 \xe2\x80\x94 \x93hi\x94</title><item><title>x\
                      </title></item></channel></rss>";
        let (episodes, _) = parse(bytes);
        assert_eq!(
            episodes[0].podcast.as_deref(),
            Some("Olá — \u{201c}hi\u{201d}")
        );
    }

    #[test]
    fn utf16le_with_bom() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel><title>Ελληνοφρένεια\
                   </title><item><title>Επεισόδιο 1</title></item></channel></rss>";
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let (episodes, errors) = parse(&bytes);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(episodes[0].podcast.as_deref(), Some("Ελληνοφρένεια"));
        assert_eq!(episodes[0].title.as_deref(), Some("Επεισόδιο 1"));
    }

    #[test]
    fn bom_leading_whitespace_and_junk_around_the_document() {
        let xml = format!(
            "\u{feff}\n\n  <br />\n<b>Warning</b>:  count(): Parameter in <b>x.php</b><br />\n{}\
             <br />\n<b>Warning</b>: headers already sent <x",
            rss("<item><title>One</title></item><item><title>Two</title></item>")
        );
        let episodes = parse_ok(&xml);
        let titles: Vec<_> = episodes.iter().filter_map(|e| e.title.as_deref()).collect();
        assert_eq!(titles, ["One", "Two"]);
    }

    #[test]
    fn missing_guid_falls_back_to_enclosure_then_link() {
        let xml = rss(r#"<item><title>a</title><link>https://x.org/a</link>
                 <enclosure url="https://cdn.x.org/a.mp3"/></item>
               <item><title>b</title><link>https://x.org/b</link></item>
               <item><title>c</title></item>"#);
        let ids: Vec<_> = parse_ok(&xml).into_iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            [
                Some("https://cdn.x.org/a.mp3".to_string()),
                Some("https://x.org/b".to_string()),
                None
            ]
        );
    }

    #[test]
    fn undeclared_prefixes_are_read_by_convention() {
        let xml = "<rss><channel><title>p</title><item><itunes:title>Only itunes</itunes:title>\
                   <itunes:duration>13:03</itunes:duration><foo:bar>x</foo:bar></item>\
                   </channel></rss>";
        let e = &parse_ok(xml)[0];
        assert_eq!(e.title.as_deref(), Some("Only itunes"));
        assert_eq!(e.duration, Some(783));
    }

    #[test]
    fn html_entities_in_titles_are_decoded() {
        let xml = rss(
            "<item><title>Rock &amp;amp; Roll&nbsp;&#8217;n&#8217; &ndash; Live</title>\
                       </item><item><title><![CDATA[Q&A: Tom &amp; Jerry&#39;s]]></title></item>",
        );
        let titles: Vec<_> = parse_ok(&xml).into_iter().filter_map(|e| e.title).collect();
        assert_eq!(
            titles,
            [
                "Rock & Roll \u{2019}n\u{2019} \u{2013} Live",
                "Q&A: Tom & Jerry's"
            ]
        );
    }

    #[test]
    fn entity_bomb_is_not_expanded() {
        let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
        for i in 1..10 {
            let refs = format!("&lol{};", i - 1).repeat(10);
            dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">"));
        }
        let xml = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE rss [{dtd}]><rss><channel><title>b</title>\
             <item><title>x&lol9;y</title><description>&lol9;&lol9;</description></item>\
             </channel></rss>"
        );
        let started = Instant::now();
        let episodes = parse_ok(&xml);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(episodes[0].title.as_deref(), Some("xy"));
        assert_eq!(episodes[0].description, None);
    }

    #[test]
    fn external_entities_are_not_read() {
        let xml =
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\
                   ]><rss><channel><title>t</title><item><title>a&xxe;b</title>\
                   <description>&xxe;</description></item></channel></rss>";
        let e = &parse_ok(xml)[0];
        assert_eq!(e.title.as_deref(), Some("ab"));
        assert_eq!(e.description, None);
    }

    #[test]
    fn deep_nesting_is_refused_with_its_line() {
        let deep = format!("{}{}", "<x>".repeat(300), "</x>".repeat(300));
        let xml = rss(&format!(
            "<item><title>before</title></item>\n<item><title>deep</title>\n{deep}</item>\
             <item><title>after</title></item>"
        ));
        let (episodes, errors) = parse(xml.as_bytes());
        let titles: Vec<_> = episodes.iter().filter_map(|e| e.title.as_deref()).collect();
        assert_eq!(titles, ["before", "after"]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 6);
        assert_eq!(errors[0].reason, "elements nested deeper than 256 levels");
    }

    #[test]
    fn cdata_with_html_becomes_text() {
        let xml = rss(
            "<item><title>t</title><description><![CDATA[<p>Hello <b>world</b> &amp; \
                       <script>x()</script>friends</p><p>Bye&nbsp;now</p>]]></description></item>",
        );
        let e = &parse_ok(&xml)[0];
        assert_eq!(
            e.description.as_deref(),
            Some("Hello world & friends\n\nBye now")
        );
    }

    #[test]
    fn item_cut_off_is_reported_after_the_items_before_it() {
        let xml = "<rss><channel><title>t</title>\n<item><title>whole</title></item>\n\
                   <item><title>cut</title>\n<description>half";
        let (episodes, errors) = parse(xml.as_bytes());
        assert_eq!(episodes.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[0].column, Some(18));
        assert!(
            errors[0].reason.contains("item starting at line 3"),
            "{}",
            errors[0].reason
        );
    }

    #[test]
    fn not_xml_at_all_is_one_error() {
        let (episodes, errors) = parse(b"hello, this is not a feed");
        assert!(episodes.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 0);
        let (_, errors) = parse(b"<!DOCTYPE html>\n<html><body>hi</body></html>");
        assert_eq!(
            errors[0].reason,
            "not an RSS or Atom feed: the document element is <html>"
        );
    }

    #[test]
    fn the_sink_can_stop_the_file() {
        let xml = rss("<item><title>a</title></item><item><title>b</title></item>");
        let mut seen = 0;
        let result = read(xml.as_bytes(), &mut |_| {
            seen += 1;
            Err(crate::error::Error::Invalid("stop".into()))
        });
        assert!(result.is_err());
        assert_eq!(seen, 1);
    }

    #[test]
    fn channel_title_after_items_still_names_them() {
        let xml = "<rss><channel><item><title>a</title></item><title>Late</title></channel></rss>";
        assert_eq!(parse_ok(xml)[0].podcast.as_deref(), Some("Late"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn feed_like_input_never_panics(
            xml in "(<rss>|<channel>|<item>|</item>|<title>|</title>|<description>|&amp;|&nbsp;|\
                     &#x41;|&#0;|&x;|<!\\[CDATA\\[|\\]\\]>|<!--|<!DOCTYPE r \\[|<a:b>|<p>|\
                     [a-zé <>&;\"'=/\n]){0,60}"
        ) {
            let _ = parse(xml.as_bytes());
        }

        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(0u8..=255, 0..300)) {
            let _ = parse(&bytes);
        }
    }

    #[test]
    fn garbage_never_panics() {
        let samples: [&[u8]; 8] = [
            b"",
            b"<",
            b"<rss",
            b"<rss><channel><item><title>&#xFFFFFFFF;&#;&;&#x;</title>",
            b"<rss><item></channel></item></rss></rss>",
            b"\xff\xfe<\x00",
            b"<?xml version='1.0' encoding='bogus'?><rss/>",
            b"<feed><entry><link href=\"&bogus;\"/></entry></feed>",
        ];
        for sample in samples {
            let _ = parse(sample);
        }
    }
}
