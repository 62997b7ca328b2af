//! Input formats: finding the files, detecting each one's format from its content, and turning
//! its bytes into `Episode`s (one file a format, each streaming records to a sink).
//! It may not touch the index or search, nor print: it knows bytes and episodes only.

pub mod attach;
pub mod csv;
mod encoding;
pub mod feed;
pub mod html;
pub mod json;
pub mod opml;
pub mod page;
mod record;
pub mod transcript;

pub use record::{FieldMap, Parsed, RecordError, Sink, TARGET_FIELDS};

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The input formats episearch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Json,
    Csv,
    Page,
    Feed,
    /// A list of feeds (podcast apps' subscriptions), not episodes.
    Opml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "JSON Lines",
            Format::Json => "JSON",
            Format::Csv => "CSV",
            Format::Page => "episode page",
            Format::Feed => "RSS/Atom feed",
            Format::Opml => "OPML list of feeds",
        }
    }
}

/// A place records come from: a file found in a folder, a file named by the user, or standard
/// input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// Named on the command line: read as its name and content say, never passed over.
    Named(PathBuf),
    Stdin,
}

impl Source {
    /// The name used in messages.
    pub fn display(&self) -> String {
        match self {
            Source::File(p) | Source::Named(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }
}

/// Expand the user's paths into sources: folders are walked (sorted, hidden entries skipped),
/// `-` is standard input. A missing path is an error.
pub fn collect_sources(paths: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            walk(path, &mut out, &mut HashSet::new())?;
        } else {
            out.push(Source::Named(path.clone()));
        }
    }
    Ok(out)
}

/// Walk `dir`, following links to folders but entering each folder once (a link to `.` or to a
/// parent would otherwise loop until the path is too long).
fn walk(dir: &Path, out: &mut Vec<Source>, seen: &mut HashSet<PathBuf>) -> Result<()> {
    let real = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    if !seen.insert(real) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out, seen)?;
        } else if path.is_file() {
            out.push(Source::File(path));
        }
    }
    Ok(())
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Read(Format),
    /// Not an episode format (a README, an image): passed over, with the reason.
    Skipped(String),
}

/// How many bytes are looked at to detect a format.
const SNIFF_BYTES: usize = 64 * 1024;

/// Read one source, detect its format and stream its records into `sink`.
pub fn read_source(source: &Source, map: &FieldMap, sink: &mut Sink) -> Result<Outcome> {
    let name = source.display();
    let io_err = |e: io::Error| Error::io(name.clone(), e);
    let raw: Box<dyn Read> = match source {
        Source::File(path) | Source::Named(path) => {
            Box::new(File::open(path).map_err(|e| Error::io(path, e))?)
        }
        Source::Stdin => Box::new(io::stdin().lock()),
    };
    let mut raw = BufReader::with_capacity(SNIFF_BYTES, raw);
    let gzipped = raw.fill_buf().map_err(io_err)?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> = if gzipped {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let head = sniff(&mut reader).map_err(|e| io_err(gz_error(e)))?;
    let path_hint = match source {
        Source::File(p) | Source::Named(p) => Some(p.as_path()),
        Source::Stdin => None,
    };
    let detected = match (detect(&head, path_hint), source) {
        // A file named by the user is read as its name says when its content says nothing
        // clear (a damaged first line, say): each bad record is then reported in its place.
        (Detected::Unknown(reason), Source::Named(path)) => match named_format(path) {
            Some(format) => Detected::Format(format),
            None => Detected::Unknown(reason),
        },
        (detected, _) => detected,
    };
    let format = match detected {
        Detected::Format(f) => f,
        Detected::Empty => {
            sink(Err(RecordError::new(0, "empty file: no episodes")))?;
            return Ok(Outcome::Read(Format::JsonLines));
        }
        Detected::Unknown(reason) => return Ok(Outcome::Skipped(reason)),
    };
    read_format(format, Cursor::new(head).chain(reader), map, sink, &io_err)
}

/// Read a body already in memory (a fetched feed) as its content says; `hint` is a path whose
/// name helps where the content says nothing clear (a URL's path). Compressed bodies are the
/// caller's to inflate, with its own cap.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    hint: Option<&Path>,
    map: &FieldMap,
    sink: &mut Sink,
) -> Result<Outcome> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let format = match detect(head, hint) {
        Detected::Format(f) => f,
        Detected::Empty => {
            sink(Err(RecordError::new(0, "empty file: no episodes")))?;
            return Ok(Outcome::Read(Format::JsonLines));
        }
        Detected::Unknown(reason) => return Ok(Outcome::Skipped(reason)),
    };
    match format {
        // Parsed in place: the body is already in memory.
        Format::Feed => feed::read(bytes, sink)?,
        Format::Json => json::read_document(bytes, map, sink)?,
        Format::Page => page::read(bytes, sink)?,
        _ => return read_format(format, bytes, map, sink, &|e| Error::io(name, e)),
    }
    Ok(Outcome::Read(format))
}

/// Parse `whole` (the entire input) as `format`.
fn read_format(
    format: Format,
    whole: impl Read,
    map: &FieldMap,
    sink: &mut Sink,
    io_err: &dyn Fn(io::Error) -> Error,
) -> Result<Outcome> {
    match format {
        Format::JsonLines => json::read_lines(BufReader::new(whole), map, sink)?,
        Format::Csv => csv::read(whole, map, sink)?,
        // A list of feeds holds no episodes: the caller fetches its feeds (`sources`).
        Format::Opml => {
            return Ok(Outcome::Skipped(
                "an OPML list of feeds: name it on the command line to index its feeds".into(),
            ))
        }
        Format::Json | Format::Page | Format::Feed => {
            let mut bytes = Vec::new();
            let mut whole = whole;
            whole
                .read_to_end(&mut bytes)
                .map_err(|e| io_err(gz_error(e)))?;
            match format {
                Format::Json => json::read_document(&bytes, map, sink)?,
                Format::Page => page::read(&bytes, sink)?,
                _ => feed::read(&bytes, sink)?,
            }
        }
    }
    Ok(Outcome::Read(format))
}

/// The first bytes, for format detection: `SNIFF_BYTES`, or less once the first line is a whole
/// JSON record (the verdict is JSON Lines then, whatever follows). So a stream of records on
/// stdin is read record by record from the first, not after 64 KiB of it have arrived.
fn sniff(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut chunk = [0u8; 8192];
    while head.len() < SNIFF_BYTES {
        let want = (SNIFF_BYTES - head.len()).min(chunk.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&chunk[..n]);
        if first_line_is_a_record(&head) {
            break;
        }
    }
    Ok(head)
}

/// True when `head` holds a whole first line that is a complete JSON object.
fn first_line_is_a_record(head: &[u8]) -> bool {
    let text = strip_bom(head).trim_ascii_start();
    if text.first() != Some(&b'{') {
        return false;
    }
    match text.iter().position(|&b| b == b'\n') {
        Some(end) => serde_json::from_slice::<serde::de::IgnoredAny>(&text[..end]).is_ok(),
        None => false,
    }
}

fn gz_error(e: io::Error) -> io::Error {
    if matches!(
        e.kind(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
    ) {
        io::Error::new(e.kind(), format!("unreadable compressed data: {e}"))
    } else {
        e
    }
}

/// The verdict of format detection.
#[derive(Debug, PartialEq, Eq)]
pub enum Detected {
    Format(Format),
    Empty,
    Unknown(String),
}

/// The format a file's name gives (`.jsonl`, `.ndjson`, `.csv`, `.xml`, `.rss`, `.atom`, with or
/// without `.gz`).
fn named_format(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.')?.1 {
        "jsonl" | "ndjson" => Some(Format::JsonLines),
        "csv" => Some(Format::Csv),
        "xml" | "rss" | "atom" => Some(Format::Feed),
        _ => None,
    }
}

/// True when the complete lines after the first (of the first 64 KiB) are mostly JSON objects:
/// JSON Lines whose first line is damaged.
fn later_lines_are_records(head: &[u8]) -> bool {
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').skip(1).collect();
    lines.pop(); // the last may be cut off by the sniff
    let lines: Vec<&[u8]> = lines
        .into_iter()
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty())
        .take(64)
        .collect();
    let records = lines
        .iter()
        .filter(|l| {
            l.first() == Some(&b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok()
        })
        .count();
    records > 0 && records * 2 > lines.len()
}

/// Decide a format from the first bytes of a file (and, for CSV, its name).
pub fn detect(head: &[u8], path: Option<&Path>) -> Detected {
    let ext = path
        .and_then(|p| {
            let name = p.file_name()?.to_str()?.to_ascii_lowercase();
            let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
            Some(
                name.rsplit_once('.')
                    .map(|(_, e)| e.to_string())
                    .unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let text = strip_bom(head);
    let trimmed = text.trim_ascii_start();
    if trimmed.is_empty() {
        return if head.is_empty() || text.iter().all(u8::is_ascii_whitespace) {
            Detected::Empty
        } else {
            Detected::Unknown("not an episode format".into())
        };
    }
    // UTF-16 feeds announce themselves with a BOM: only XML is expected in that encoding.
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Detected::Format(Format::Feed);
    }
    let binary = head.iter().take(4096).filter(|&&b| b == 0).count() > 0;
    if !matches!(trimmed[0], b'{' | b'[' | b'<') && later_lines_are_records(text) {
        return Detected::Format(Format::JsonLines);
    }
    if binary && !matches!(trimmed[0], b'{' | b'[') {
        return Detected::Unknown("binary file, not an episode format".into());
    }
    match trimmed[0] {
        b'{' => {
            let first_line = trimmed.split(|&b| b == b'\n').next().unwrap_or(trimmed);
            let complete = serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok();
            let rest_is_more_lines = trimmed.len() > first_line.len();
            if complete
                || (!rest_is_more_lines && ext != "json")
                || ext == "jsonl"
                || ext == "ndjson"
            {
                Detected::Format(Format::JsonLines)
            } else {
                Detected::Format(Format::Json)
            }
        }
        b'[' => Detected::Format(Format::Json),
        b'<' if opml::looks_like_opml(trimmed) => Detected::Format(Format::Opml),
        b'<' => Detected::Format(Format::Feed),
        _ if ext == "csv" => Detected::Format(Format::Csv),
        _ if ext == "xml" || ext == "rss" || ext == "atom" => Detected::Format(Format::Feed),
        _ if page::looks_like_page(&String::from_utf8_lossy(text)) => {
            Detected::Format(Format::Page)
        }
        _ => Detected::Unknown("not an episode format".into()),
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_content() {
        let d = |s: &str, p: &str| detect(s.as_bytes(), Some(Path::new(p)));
        assert_eq!(
            d("{\"title\":\"a\"}\n{}", "x"),
            Detected::Format(Format::JsonLines)
        );
        assert_eq!(
            d("{\n \"title\": \"a\"\n}", "x.json"),
            Detected::Format(Format::Json)
        );
        assert_eq!(d("  [ {} ]", "x"), Detected::Format(Format::Json));
        assert_eq!(
            d("\u{feff}<?xml version='1.0'?><rss/>", "x"),
            Detected::Format(Format::Feed)
        );
        assert_eq!(d("title,date\na,b", "x.csv"), Detected::Format(Format::Csv));
        assert_eq!(d("", "x"), Detected::Empty);
        assert_eq!(
            d("# Notes\nhello", "README.md"),
            Detected::Unknown("not an episode format".into())
        );
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0", Some(Path::new("a.png"))),
            Detected::Unknown("binary file, not an episode format".into())
        );
    }

    #[test]
    fn sniffing_stops_at_a_whole_first_record() {
        assert!(first_line_is_a_record(b"{\"a\":1}\n{\"b\""));
        assert!(first_line_is_a_record(b"\xef\xbb\xbf \n{}\n"));
        assert!(!first_line_is_a_record(b"{\"a\":\n1}\n"));
        assert!(!first_line_is_a_record(b"{\"a\":1}"));
        assert!(!first_line_is_a_record(b"[{}]\n"));
        let mut data = "{\"title\":\"a\"}\n".repeat(10_000).into_bytes();
        let head = sniff(&mut data.as_slice()).unwrap();
        assert_eq!(head.len(), 8192, "one read, not 64 KiB");
        data.insert(0, b' ');
        data[1] = b'[';
        assert_eq!(sniff(&mut data.as_slice()).unwrap().len(), SNIFF_BYTES);
    }

    #[test]
    fn field_map_parses_and_rejects() {
        let m = FieldMap::parse(&["title=name", "date=date_published"]).unwrap();
        assert_eq!(m.sources("title"), vec!["name"]);
        assert_eq!(m.sources("summary"), vec!["summary", "subtitle"]);
        let err = FieldMap::parse(&["name"]).unwrap_err().to_string();
        assert_eq!(err, "--map name: expected TARGET=SOURCE");
        let err = FieldMap::parse(&["titel=name"]).unwrap_err().to_string();
        assert!(
            err.starts_with("--map titel=name: unknown field `titel`"),
            "{err}"
        );
    }
}
