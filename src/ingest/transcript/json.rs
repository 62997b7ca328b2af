//! Podcasting 2.0 JSON transcripts (`{"version":"1.0.0","segments":[...]}`), with word-level
//! files and Buzzsprout's split captions merged into cues a person can read.

use serde_json::Value;

use crate::episode::Transcript;

use super::cues::{CueSink, Parsed, TranscriptError};

/// Segments are joined into one cue while the speaker stays and the text has not ended a
/// sentence, unless the pause before the next one is longer than this (seconds)...
const MAX_GAP: f64 = 1.5;
/// ...or the joined cue would last longer than this: a search moment should land within a few
/// seconds of the words.
const MAX_CUE_SECONDS: f64 = 8.0;

/// One segment as the file gives it.
#[derive(Debug)]
struct Segment {
    start: f64,
    end: f64,
    speaker: Option<String>,
    body: String,
}

/// Read a JSON transcript (already decoded). Segments with a bad time are dropped with a warning
/// naming the segment (JSON gives no useful line: warnings carry line 0).
pub fn read(text: &str) -> Result<Parsed<Transcript>, TranscriptError> {
    let root = parse_lenient(text)?;
    let segments = match root.get("segments") {
        Some(Value::Array(segments)) => segments,
        _ if root.get("chapters").is_some() => {
            return Err(TranscriptError::new(0, "a chapters file, not a transcript"))
        }
        _ => return Err(TranscriptError::new(0, "no \"segments\" list")),
    };
    let language = root
        .get("language")
        .and_then(Value::as_str)
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    let mut sink = CueSink::default();
    let mut read = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let number = i + 1;
        let time = |key: &str| -> Result<f64, String> {
            match segment.get(key) {
                Some(value) => {
                    seconds(value).ok_or_else(|| format!("segment {number}: {key} is not a number"))
                }
                None => Err(format!("segment {number}: no {key}")),
            }
        };
        let start = match time("startTime") {
            Ok(start) => start,
            Err(reason) => {
                sink.warn(0, reason);
                continue;
            }
        };
        // A missing or broken end is the start: the cue still has its moment.
        let end = time("endTime").unwrap_or(start);
        let body = segment.get("body").and_then(Value::as_str).unwrap_or("");
        let speaker = segment
            .get("speaker")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        read.push(Segment {
            start,
            end,
            speaker,
            body: body.to_string(),
        });
    }
    for cue in merge(read) {
        sink.push(0, cue.start, cue.end, cue.speaker.as_deref(), &cue.body);
    }
    sink.finish(true, language)
}

/// Seconds from a JSON number or a numeric string (`"12.5"`); `None` for anything else,
/// `NaN` and infinities included (the sink would refuse them anyway).
pub fn seconds(value: &Value) -> Option<f64> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// Join segments into readable cues, in file order: a segment joins the cue before it when the
/// speaker is the same, the cue has not ended a sentence, the pause between is at most
/// `MAX_GAP` and the whole stays within `MAX_CUE_SECONDS`. Whitespace-only bodies only mark a
/// space between words.
fn merge(segments: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut space_pending = false;
    for segment in segments {
        if segment.body.trim().is_empty() {
            space_pending = true;
            continue;
        }
        let body = segment.body.trim();
        match out.last_mut() {
            Some(cue)
                if cue.speaker == segment.speaker
                    && !ends_sentence(&cue.body)
                    && segment.start - cue.end <= MAX_GAP
                    && segment.end.max(cue.end) - cue.start <= MAX_CUE_SECONDS =>
            {
                // Word-level files give punctuation as segments of its own (`Friday`, `,`).
                let glued =
                    !space_pending && body.starts_with([',', '.', '!', '?', ';', ':', '\'']);
                if !glued {
                    cue.body.push(' ');
                }
                cue.body.push_str(body);
                cue.end = cue.end.max(segment.end);
            }
            _ => out.push(Segment {
                body: body.to_string(),
                ..segment
            }),
        }
        space_pending = false;
    }
    out
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end_matches(['"', '\'', ')', '\u{201d}'])
        .ends_with([
            '.', '!', '?', '\u{2026}', '\u{3002}', '\u{ff01}', '\u{ff1f}',
        ])
}

/// Parse JSON, reading the bare `NaN`, `Infinity` and `-Infinity` some generators write as
/// `null` (so one such time costs its segment, not the file).
pub fn parse_lenient(text: &str) -> Result<Value, TranscriptError> {
    let refused =
        |e: serde_json::Error| TranscriptError::new(e.line(), format!("not valid JSON: {e}"));
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => {
            let cleaned = without_non_numbers(text);
            if cleaned == text {
                return Err(refused(first));
            }
            serde_json::from_str(&cleaned).map_err(refused)
        }
    }
}

/// `text` with `NaN`, `Infinity` and `-Infinity` outside strings replaced by `null`.
fn without_non_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            out.push_str("null");
            rest = &rest[word.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::cues::{rows, CueRow};
    use super::*;

    fn cues(text: &str) -> (Vec<CueRow>, Vec<String>) {
        rows(read(text).unwrap())
    }

    fn seg(speaker: &str, start: f64, end: f64, body: &str) -> String {
        format!(r#"{{"speaker":"{speaker}","startTime":{start},"endTime":{end},"body":"{body}"}}"#)
    }

    fn file(segments: &[String]) -> String {
        format!(
            r#"{{"version":"1.0.0","segments":[{}]}}"#,
            segments.join(",")
        )
    }

    #[test]
    fn split_captions_are_joined() {
        let text = file(&[
            seg("Alban", 0.0, 4.8, "It is so stinking nice to"),
            seg("Alban", 0.0, 4.8, "like, show up and record this"),
            seg("Alban", 4.8, 8.25, "show. And Travis"),
            seg("Kevin", 8.25, 9.0, "You guys"),
        ]);
        let (c, w) = cues(&text);
        assert!(w.is_empty());
        let al = Some("Alban".to_string());
        assert_eq!(
            c,
            [
                (
                    0.0,
                    4.8,
                    al.clone(),
                    "It is so stinking nice to like, show up and record this".into()
                ),
                (4.8, 8.25, al, "show. And Travis".into()),
                (8.25, 9.0, Some("Kevin".into()), "You guys".into()),
            ]
        );
    }

    #[test]
    fn word_level_files_become_sentences() {
        let text = file(&[
            seg("Speaker 1", 0.221, 0.361, "It's"),
            seg("Speaker 1", 0.361, 0.361, " "),
            seg("Speaker 1", 0.462, 0.883, "Friday"),
            seg("Speaker 1", 0.883, 0.883, ","),
            seg("Speaker 1", 0.883, 0.883, " "),
            seg("Speaker 1", 0.963, 1.104, "the"),
            seg("Speaker 1", 1.104, 1.5, "2nd"),
            seg("Speaker 1", 1.5, 1.5, "."),
            seg("Speaker 1", 1.6, 1.9, "The"),
            seg("Speaker 1", 4.0, 4.5, "pause"),
            seg("Speaker 2", 4.5, 5.0, "other"),
        ]);
        let (c, _) = cues(&text);
        let texts: Vec<(f64, &str)> = c.iter().map(|c| (c.0, c.3.as_str())).collect();
        assert_eq!(
            texts,
            [
                (0.221, "It's Friday, the 2nd."),
                (1.6, "The"),
                (4.0, "pause"),
                (4.5, "other")
            ]
        );
    }

    #[test]
    fn long_runs_are_cut_at_eight_seconds() {
        let words: Vec<String> = (0..20)
            .map(|i| seg("A", i as f64, i as f64 + 0.5, "word"))
            .collect();
        let (c, _) = cues(&file(&words));
        let starts: Vec<f64> = c.iter().map(|c| c.0).collect();
        assert_eq!(starts, [0.0, 8.0, 16.0]);
    }

    #[test]
    fn bad_times_cost_their_segment_only() {
        let text = r#"{"version":"1.0.0","segments":[
            {"startTime":NaN,"endTime":1,"body":"a."},
            {"startTime":"x","endTime":1,"body":"b."},
            {"startTime":-Infinity,"endTime":1,"body":"NaN in text stays."},
            {"endTime":1,"body":"c."},
            {"startTime":"2.5","endTime":3,"body":"ok. NaN"}]}"#;
        let (c, w) = cues(text);
        assert_eq!(c, [(2.5, 3.0, None, "ok. NaN".to_string())]);
        assert_eq!(
            w,
            [
                "line 0: segment 1: startTime is not a number",
                "line 0: segment 2: startTime is not a number",
                "line 0: segment 3: startTime is not a number",
                "line 0: segment 4: no startTime",
            ]
        );
    }

    #[test]
    fn unreadable_json_is_an_error() {
        assert_eq!(
            read("{\"segments\": [\n{]").unwrap_err().to_string(),
            "line 2: not valid JSON: key must be a string at line 2 column 2"
        );
        assert_eq!(
            read("{\"chapters\":[]}").unwrap_err().reason,
            "a chapters file, not a transcript"
        );
    }
}
