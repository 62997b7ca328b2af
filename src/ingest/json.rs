//! JSON Lines, JSON arrays and single JSON objects, with field names mapped by `FieldMap`.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::html;
use super::record::{FieldMap, RecordError, Sink};
use crate::episode::{indexable_date, parse_date, parse_duration, Episode, TranscriptLink};
use crate::error::Result;

/// Longest line accepted in JSON Lines input; longer ones are reported, not loaded.
const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Read JSON Lines: one record a line; blank lines are ignored.
pub fn read_lines(mut reader: impl BufRead, map: &FieldMap, sink: &mut Sink) -> Result<()> {
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let n = read_line_bounded(&mut reader, &mut line).map_err(|e| crate::Error::Record {
            location: format!("line {number}"),
            reason: e.to_string(),
        });
        let n = match n {
            Ok(n) => n,
            Err(crate::Error::Record { reason, .. }) => {
                sink(Err(RecordError::new(number, reason)))?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE_BYTES {
            sink(Err(RecordError::new(
                number,
                format!(
                    "record of {} bytes is over the limit of {MAX_LINE_BYTES}",
                    line.len()
                ),
            )))?;
            continue;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t,
            Err(e) => {
                sink(Err(RecordError {
                    line: number,
                    column: Some(e.valid_up_to() + 1),
                    reason: "invalid UTF-8".into(),
                }))?;
                continue;
            }
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        sink(parse_record(text, map).map_err(|mut e| {
            e.line = number;
            e
        }))?;
    }
}

/// Read a line, stopping at `MAX_LINE_BYTES + 1` so one endless line cannot exhaust memory; the
/// rest of an over-long line is consumed and dropped.
fn read_line_bounded(reader: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let len = chunk.len();
        if out.len() <= MAX_LINE_BYTES {
            out.extend_from_slice(chunk);
        }
        reader.consume(len);
        total += len;
        if done {
            return Ok(total);
        }
    }
}

fn parse_record(text: &str, map: &FieldMap) -> Result<Episode, RecordError> {
    let value: Value = serde_json::from_str(text).map_err(|e| RecordError {
        line: e.line(),
        column: Some(e.column()),
        reason: json_reason(&e),
    })?;
    episode_from_value(value, map).map_err(|reason| RecordError::new(1, reason))
}

/// serde_json's message without its own ` at line L column C` suffix (we print positions first).
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Read a JSON document: an array of records or a single record. Positions in errors are
/// those of the failing element.
pub fn read_document(bytes: &[u8], map: &FieldMap, sink: &mut Sink) -> Result<()> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if bytes.get(start) != Some(&b'[') {
        let record = match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => episode_from_value(v, map).map_err(|r| RecordError::new(1, r)),
            Err(e) => Err(RecordError {
                line: e.line(),
                column: Some(e.column()),
                reason: json_reason(&e),
            }),
        };
        return sink(record);
    }
    // Walk the array element by element so that one bad element does not hide the others.
    let mut pos = start + 1;
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => {
                let (line, column) = line_col(bytes, pos);
                return sink(Err(RecordError {
                    line,
                    column: Some(column),
                    reason: "unterminated array".into(),
                }));
            }
            Some(b']') => return Ok(()),
            _ => {}
        }
        let (line, _) = line_col(bytes, pos);
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                pos += stream.byte_offset();
                sink(episode_from_value(value, map).map_err(|r| RecordError::new(line, r)))?;
            }
            Some(Err(e)) => {
                let (l, c) = line_col(bytes, pos + offset_of(&bytes[pos..], e.line(), e.column()));
                return sink(Err(RecordError {
                    line: l,
                    column: Some(c),
                    reason: json_reason(&e),
                }));
            }
            None => return Ok(()),
        }
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => return Ok(()),
            _ => {
                let (line, column) = line_col(bytes, pos);
                return sink(Err(RecordError {
                    line,
                    column: Some(column),
                    reason: "expected `,` or `]` after an array element".into(),
                }));
            }
        }
    }
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

fn line_col(bytes: &[u8], pos: usize) -> (usize, usize) {
    let before = &bytes[..pos.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (line, col)
}

fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut l = 1;
    for (i, &b) in bytes.iter().enumerate() {
        if l == line {
            return (i + column.saturating_sub(1)).min(bytes.len());
        }
        if b == b'\n' {
            l += 1;
        }
    }
    bytes.len()
}

/// Map one record onto an episode; the error is the reason, without position.
pub fn episode_from_value(value: Value, map: &FieldMap) -> Result<Episode, String> {
    match value {
        Value::Object(obj) => episode_from_object(&obj, map),
        other => Err(format!("expected an object, found {}", kind(&other))),
    }
}

/// Map a record's fields onto an episode following `map`.
pub fn episode_from_object(obj: &Map<String, Value>, map: &FieldMap) -> Result<Episode, String> {
    let field = |target: &str| -> Option<&Value> {
        map.sources(target)
            .into_iter()
            .find_map(|k| obj.get(k).filter(|v| !v.is_null()))
    };
    let text = |target: &str| -> Result<Option<String>, String> {
        match field(target) {
            None => Ok(None),
            Some(v) => value_text(v)
                .map(|s| Some(plain(&s)))
                .map_err(|found| format!("field `{target}`: expected text, found {found}")),
        }
    };
    let date = match field("date") {
        None => None,
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .ok_or_else(|| format!("field `date`: {n} is not a Unix time in seconds"))?,
        ),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            parse_date(s)
                .ok_or_else(|| format!("field `date`: unrecognised date `{}`", clip(s)))?,
        ),
        Some(v) => return Err(format!("field `date`: expected a date, found {}", kind(v))),
    };
    if let Some(d) = date.filter(|d| !indexable_date(d)) {
        return Err(format!(
            "field `date`: {} is outside the years the index holds (1677 to 2262)",
            d.format("%Y-%m-%d")
        ));
    }
    let duration = match field("duration") {
        None => None,
        Some(Value::Number(n)) => Some(
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1e9)
                .map(|f| f.round() as u64)
                .ok_or_else(|| format!("field `duration`: {n} is not a length in seconds"))?,
        ),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            parse_duration(s)
                .ok_or_else(|| format!("field `duration`: unrecognised duration `{}`", clip(s)))?,
        ),
        Some(v) => {
            return Err(format!(
                "field `duration`: expected seconds, found {}",
                kind(v)
            ))
        }
    };
    Ok(Episode {
        id: text("id")?,
        podcast: text("podcast")?,
        title: text("title")?,
        date,
        duration,
        summary: text("summary")?,
        description: text("description")?,
        overview: text("overview")?,
        url: text("url")?,
        language: text("language")?,
        // A path relative to the record's file, or a URL: read when the episode is indexed.
        transcripts: text("transcript")?
            .map(|url| TranscriptLink {
                url,
                ..TranscriptLink::default()
            })
            .into_iter()
            .collect(),
        chapters_url: text("chapters")?,
        ..Episode::default()
    })
}

/// Text of a value: strings as they are, numbers and booleans printed, lists of those joined.
fn value_text(v: &Value) -> Result<String, &'static str> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Array(_) | Value::Object(_) => Err("a nested list"),
                other => value_text(other),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|parts| parts.join(", ")),
        Value::Object(_) => Err("an object"),
        Value::Null => Ok(String::new()),
    }
}

/// Dataset exports often carry HTML in their text fields: reduce it to plain text.
fn plain(s: &str) -> String {
    if html::looks_like_html(s) {
        html::to_text(s)
    } else {
        s.to_string()
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_lines(input: &str, map: &FieldMap) -> Vec<Result<Episode, RecordError>> {
        let mut out = Vec::new();
        read_lines(input.as_bytes(), map, &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn json_lines_with_every_field() {
        let out = collect_lines(
            "{\"id\":\"e1\",\"podcast\":\"P\",\"title\":\"T\",\"date\":\"2026-02-24\",\"duration\":\"13:03\",\"summary\":\"s\",\"url\":\"https://x\"}\n\n{\"title\":\"Two\",\"duration\":61.6}\n",
            &FieldMap::default(),
        );
        assert_eq!(out.len(), 2);
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.id.as_deref(), Some("e1"));
        assert_eq!(e.duration, Some(783));
        assert_eq!(e.date.unwrap().to_rfc3339(), "2026-02-24T00:00:00+00:00");
        assert_eq!(out[1].as_ref().unwrap().duration, Some(62));
    }

    #[test]
    fn bad_lines_are_reported_with_their_position() {
        let out = collect_lines(
            "{\"title\":\"ok\"}\n{\"title\": \"cut\n{\"title\": 5, \"date\": [1]}\n[1]\n",
            &FieldMap::default(),
        );
        assert!(out[0].is_ok());
        let e = out[1].as_ref().unwrap_err();
        assert_eq!(
            (e.line, e.reason.as_str()),
            (2, "EOF while parsing a string")
        );
        let e = out[2].as_ref().unwrap_err();
        assert_eq!(e.reason, "field `date`: expected a date, found a list");
        let e = out[3].as_ref().unwrap_err();
        assert_eq!(e.reason, "expected an object, found a list");
    }

    #[test]
    fn invalid_utf8_names_the_column() {
        let mut out = Vec::new();
        read_lines(
            &b"{\"title\":\"a\xff\"}\n"[..],
            &FieldMap::default(),
            &mut |r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        let e = out[0].as_ref().unwrap_err();
        assert_eq!(e.located("f.jsonl"), "f.jsonl:1:12: invalid UTF-8");
    }

    #[test]
    fn mapped_fields_and_unix_dates() {
        let map = FieldMap::parse(&["title=name", "id=uuid", "date=date_published"]).unwrap();
        let out = collect_lines(
            "{\"uuid\":\"u1\",\"name\":\"Named\",\"date_published\":1700000000,\"description\":\"<p>Hi &amp; bye</p>\"}",
            &map,
        );
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.id.as_deref(), Some("u1"));
        assert_eq!(e.title.as_deref(), Some("Named"));
        assert_eq!(e.date.unwrap().to_rfc3339(), "2023-11-14T22:13:20+00:00");
    }

    #[test]
    fn arrays_report_the_failing_element() {
        let mut out = Vec::new();
        read_document(
            b"[\n {\"title\":\"a\"},\n {\"title\":7},\n {\"title\":\"b\"}\n]",
            &FieldMap::default(),
            &mut |r| {
                out.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].as_ref().unwrap().title.as_deref(), Some("7"));
        let mut bad = Vec::new();
        read_document(
            b"[{\"title\":\"a\"},\n{\"title\":",
            &FieldMap::default(),
            &mut |r| {
                bad.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[1].as_ref().unwrap_err().line, 2);
    }
}
