//! What every transcript reader produces: the `Parsed` result with its warnings, the error type,
//! and `CueSink`, which applies the same checks and tidying to the cues of every format.

use std::fmt;

use crate::episode::{Chapter, Cue, Transcript};

use super::text::collapse;
use super::timing::{format_time, MAX_SECONDS};

/// The longest cue text kept, in characters. Real cues hold a sentence or two; a longer one is a
/// file without line breaks or a broken generator, and one huge cue would make a useless search
/// moment and a huge snippet.
pub const MAX_CUE_CHARS: usize = 10_000;

/// Warnings kept for one file: after this many, the file is clearly damaged throughout and one
/// summary says how many more there were, so a junk file cannot fill memory with messages.
const MAX_WARNINGS: usize = 100;

/// A problem in a transcript or chapters file. `line` is 1-based, 0 when unknown (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptError {
    pub line: usize,
    pub reason: String,
}

impl TranscriptError {
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        TranscriptError {
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for TranscriptError {}

/// What a readable file gave: its value, one warning per spot that could not be read, and the
/// chapters the file itself marks (the headings of an HTML transcript; empty for other formats).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub value: T,
    pub warnings: Vec<TranscriptError>,
    pub chapters: Vec<Chapter>,
}

/// Collects cues and warnings, checking times and tidying text the same way for every format.
#[derive(Debug, Default)]
pub struct CueSink {
    cues: Vec<Cue>,
    warnings: Vec<TranscriptError>,
    dropped_warnings: usize,
    pub chapters: Vec<Chapter>,
}

impl CueSink {
    pub fn warn(&mut self, line: usize, reason: impl Into<String>) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(TranscriptError::new(line, reason));
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Add one cue read at `line`. Times that cannot be placed (not a number, negative, past
    /// `MAX_SECONDS`) drop the cue with a warning; an end before the start is set to the start.
    /// Text is trimmed with inner whitespace collapsed; an empty cue is dropped quietly.
    pub fn push(&mut self, line: usize, start: f64, end: f64, speaker: Option<&str>, text: &str) {
        let text = collapse(text);
        if text.is_empty() {
            return;
        }
        if !start.is_finite() || !end.is_finite() {
            self.warn(line, "time is not a number; cue dropped");
            return;
        }
        if start < 0.0 || end < 0.0 {
            let bad = if start < 0.0 { start } else { end };
            self.warn(
                line,
                format!("negative time -{}; cue dropped", format_time(-bad, '.')),
            );
            return;
        }
        if start > MAX_SECONDS {
            self.warn(
                line,
                format!(
                    "start {} past the 100-hour limit; cue dropped",
                    format_time(start, '.')
                ),
            );
            return;
        }
        let end = if end < start {
            self.warn(
                line,
                format!(
                    "end {} before start {}; end set to start",
                    format_time(end, '.'),
                    format_time(start, '.')
                ),
            );
            start
        } else {
            end
        };
        let text = self.capped(line, text);
        let speaker = speaker.map(collapse).filter(|s| !s.is_empty());
        self.cues.push(Cue {
            start,
            end,
            speaker,
            text,
        });
    }

    fn capped(&mut self, line: usize, text: String) -> String {
        let Some((cut, _)) = text.char_indices().nth(MAX_CUE_CHARS) else {
            return text;
        };
        let chars = text.chars().count();
        self.warn(
            line,
            format!("cue of {chars} characters cut to {MAX_CUE_CHARS}"),
        );
        text[..cut].trim_end().to_string()
    }

    /// The transcript, cues sorted by start (stably: cues starting together keep file order).
    /// A file with warnings but no readable cue at all is an error.
    pub fn finish(
        mut self,
        timed: bool,
        language: Option<String>,
    ) -> Result<Parsed<Transcript>, TranscriptError> {
        if self.cues.is_empty() {
            if let Some(first) = self.warnings.first() {
                return Err(TranscriptError::new(
                    first.line,
                    format!("no readable cues; first problem: {}", first.reason),
                ));
            }
        }
        if self.dropped_warnings > 0 {
            let more = self.dropped_warnings;
            self.warnings.push(TranscriptError::new(
                0,
                format!("{more} more warnings not shown"),
            ));
        }
        self.cues.sort_by(|a, b| a.start.total_cmp(&b.start));
        self.chapters.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(Parsed {
            value: Transcript {
                cues: self.cues,
                timed,
                language,
            },
            warnings: self.warnings,
            chapters: self.chapters,
        })
    }
}

/// The lines of a text with their 1-based numbers; `\r\n`, `\n` and a lone `\r` all end a line.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let lone_cr = !text.contains('\n') && text.contains('\r');
    let sep = if lone_cr { '\r' } else { '\n' };
    text.split(sep)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Blocks of consecutive non-blank lines (VTT and SRT are laid out so), each line numbered.
pub fn blocks(text: &str) -> Vec<Vec<(usize, &str)>> {
    let mut out = Vec::new();
    let mut block = Vec::new();
    for (n, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            if !block.is_empty() {
                out.push(std::mem::take(&mut block));
            }
        } else {
            block.push((n, line));
        }
    }
    if !block.is_empty() {
        out.push(block);
    }
    out
}

/// A cue as tests compare it: start, end, speaker, text.
#[cfg(test)]
pub type CueRow = (f64, f64, Option<String>, String);

/// The cues and the warnings (as printed) of a reader's result, for tests.
#[cfg(test)]
pub fn rows(parsed: Parsed<Transcript>) -> (Vec<CueRow>, Vec<String>) {
    let cues = parsed
        .value
        .cues
        .into_iter()
        .map(|c| (c.start, c.end, c.speaker, c.text))
        .collect();
    (
        cues,
        parsed.warnings.iter().map(|w| w.to_string()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(start: f64, end: f64, text: &str) -> (Vec<Cue>, Vec<String>) {
        let mut sink = CueSink::default();
        sink.push(7, start, end, Some(" Ann "), text);
        sink.push(8, 0.5, 1.0, None, "anchor");
        let parsed = sink.finish(true, None).unwrap();
        let warnings = parsed.warnings.iter().map(|w| w.to_string()).collect();
        (parsed.value.cues, warnings)
    }

    #[test]
    fn text_is_tidied_and_cues_sorted() {
        let (cues, warnings) = one(2.0, 3.0, "  two\n  lines\u{a0} here ");
        assert!(warnings.is_empty());
        assert_eq!(cues[0].text, "anchor");
        assert_eq!(cues[1].text, "two lines here");
        assert_eq!(cues[1].speaker.as_deref(), Some("Ann"));
    }

    #[test]
    fn bad_times_warn() {
        let (cues, w) = one(-1.0, 2.0, "x");
        assert_eq!(
            (cues.len(), w[0].as_str()),
            (1, "line 7: negative time -00:00:01.000; cue dropped")
        );
        let (cues, w) = one(3.0, 2.0, "x");
        assert_eq!(
            w,
            ["line 7: end 00:00:02.000 before start 00:00:03.000; end set to start"]
        );
        assert_eq!((cues[1].start, cues[1].end), (3.0, 3.0));
        let (_, w) = one(f64::NAN, 2.0, "x");
        assert_eq!(w, ["line 7: time is not a number; cue dropped"]);
        let (cues, w) = one(101.0 * 3600.0, 101.0 * 3600.0 + 1.0, "x");
        assert_eq!(cues.len(), 1);
        assert_eq!(
            w,
            ["line 7: start 101:00:00.000 past the 100-hour limit; cue dropped"]
        );
        let (cues, w) = one(30.0 * 3600.0, 30.0 * 3600.0 + 1.0, "x");
        assert_eq!(
            (cues.len(), w.len()),
            (2, 0),
            "a day-long recording is fine"
        );
    }

    #[test]
    fn huge_cue_is_cut() {
        let (cues, w) = one(1.0, 2.0, &"é".repeat(100_000));
        assert_eq!(cues[1].text.chars().count(), MAX_CUE_CHARS);
        assert_eq!(w, ["line 7: cue of 100000 characters cut to 10000"]);
    }

    #[test]
    fn nothing_readable_is_an_error_and_warnings_are_capped() {
        let mut sink = CueSink::default();
        sink.warn(3, "bad timing \"x\"");
        let err = sink.finish(true, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: no readable cues; first problem: bad timing \"x\""
        );
        let mut sink = CueSink::default();
        for i in 0..1000 {
            sink.warn(i, "bad");
        }
        sink.push(1, 0.0, 1.0, None, "ok");
        let parsed = sink.finish(true, None).unwrap();
        assert_eq!(parsed.warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(
            parsed.warnings[MAX_WARNINGS].to_string(),
            "line 0: 900 more warnings not shown"
        );
    }

    #[test]
    fn lines_and_blocks() {
        let lines: Vec<_> = numbered_lines("a\r\nb\n\nc").collect();
        assert_eq!(lines, [(1, "a"), (2, "b"), (3, ""), (4, "c")]);
        assert_eq!(numbered_lines("a\rb").count(), 2);
        assert_eq!(
            blocks("\n\na\nb\n \nc\n"),
            [vec![(3, "a"), (4, "b")], vec![(6, "c")]]
        );
    }
}
