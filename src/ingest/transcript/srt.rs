//! SubRip (SRT): numbered blocks of `00:00:01,000 --> 00:00:04,000` and text, with the `Name:`
//! speaker prefixes captioning services write when the speaker changes.

use crate::episode::Transcript;

use super::cues::{blocks, CueSink, Parsed, TranscriptError};
use super::timing::{arrowless, parse_timing};
use super::vtt::voice_spans;

/// The longest speaker name a `Name:` prefix may have, so that a sentence with a colon in it
/// (`The point is: ...`) is less likely to pass for a speaker.
const MAX_SPEAKER_CHARS: usize = 40;

/// Read an SRT file (already decoded).
///
/// A `Name:` prefix names the speaker of its cue and of every later cue up to the next prefix:
/// services write it only on the first cue after a change (Buzzsprout, the Podcasting 2.0
/// captions), so an unprefixed cue is taken to be the same person still talking. `Unknown:`
/// ends the inheritance (no speaker). Blocks missing the blank line between them are split at
/// their timing lines.
pub fn read(text: &str) -> Result<Parsed<Transcript>, TranscriptError> {
    let mut sink = CueSink::default();
    let mut speaker: Option<String> = None;
    for block in blocks(text) {
        // (line of the timing, start, end, text lines)
        let mut cue: Option<(usize, f64, f64, Vec<&str>)> = None;
        let mut lost_timing = false;
        for (i, &(line_no, line)) in block.iter().enumerate() {
            if line.contains("->") {
                if let Some((_, _, _, lines)) = cue.as_mut() {
                    // The number of the next cue, when the blank line before it is missing.
                    if lines.last().is_some_and(|l| is_number(l)) && i > 0 {
                        lines.pop();
                    }
                }
                if let Some(done) = cue.take() {
                    emit(&mut sink, &mut speaker, done);
                }
                match parse_timing(line) {
                    Ok((start, end)) => {
                        cue = Some((line_no, start, end, Vec::new()));
                        lost_timing = false;
                    }
                    Err(reason) => {
                        sink.warn(line_no, reason);
                        lost_timing = true;
                    }
                }
            } else if let Some((_, _, _, lines)) = cue.as_mut() {
                lines.push(line);
            } else if !(is_number(line) || lost_timing) {
                let reason = arrowless(line).unwrap_or_else(|| {
                    format!("text outside a cue: {}", super::text::quoted(line.trim()))
                });
                sink.warn(line_no, reason);
                lost_timing = true;
            }
        }
        if let Some(done) = cue {
            emit(&mut sink, &mut speaker, done);
        }
    }
    sink.finish(true, None)
}

fn is_number(line: &str) -> bool {
    let line = line.trim().trim_start_matches('\u{feff}');
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

fn emit(
    sink: &mut CueSink,
    speaker: &mut Option<String>,
    (line_no, start, end, lines): (usize, f64, f64, Vec<&str>),
) {
    for (voice, text) in voice_spans(&lines.join("\n")) {
        let text = match speaker_prefix(&text) {
            Some((name, rest)) => {
                *speaker = (!name.eq_ignore_ascii_case("unknown")).then(|| name.to_string());
                rest
            }
            None => text.as_str(),
        };
        let who = voice.as_deref().or(speaker.as_deref());
        sink.push(line_no, start, end, who, text);
    }
}

/// `Name: rest` when the text opens with a speaker prefix: one to four words before a colon that
/// is followed by a space, the first word capitalised, no sentence punctuation in the name.
pub fn speaker_prefix(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let (name, rest) = text.split_once(':')?;
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let words = name.split_whitespace().count();
    let capitalised = name.chars().next().is_some_and(char::is_uppercase);
    let plain = !name.contains(['.', ',', '!', '?', ';', '"', '(', ')']);
    (capitalised && plain && (1..=4).contains(&words) && name.chars().count() <= MAX_SPEAKER_CHARS)
        .then(|| (name.trim(), rest))
}

#[cfg(test)]
mod tests {
    use super::super::cues::{rows, CueRow};
    use super::*;

    fn read_ok(text: &str) -> (Vec<CueRow>, Vec<String>) {
        rows(read(text).unwrap())
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn speakers_persist_until_the_next_prefix() {
        let text = "1\n00:00:00,780 --> 00:00:06,210\nAdam Curry: podcasting 2.0 March\n4 2023\n\n\
            2\n00:00:06,210 --> 00:00:12,990\nformable hello everybody\n\n\
            3\n00:00:13.000 --> 00:00:14.000\nDave Jones: Yes.\n\n\
            4\n00:00:15,000 --> 00:00:16,000\nUnknown: who is this\n\n\
            5\n00:00:17,000 --> 00:00:18,000\n<i>still nobody</i>\n";
        let (cues, warnings) = read_ok(text);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            cues,
            [
                (
                    0.78,
                    6.21,
                    s("Adam Curry"),
                    "podcasting 2.0 March 4 2023".to_string()
                ),
                (
                    6.21,
                    12.99,
                    s("Adam Curry"),
                    "formable hello everybody".to_string()
                ),
                (13.0, 14.0, s("Dave Jones"), "Yes.".to_string()),
                (15.0, 16.0, None, "who is this".to_string()),
                (17.0, 18.0, None, "still nobody".to_string()),
            ]
        );
    }

    #[test]
    fn what_is_not_a_prefix() {
        assert_eq!(speaker_prefix("Travis: hi"), Some(("Travis", " hi")));
        assert_eq!(speaker_prefix("SPEAKER_1: hi"), Some(("SPEAKER_1", " hi")));
        assert_eq!(speaker_prefix("see https://x.org"), None);
        assert_eq!(speaker_prefix("at 12:30 we met"), None);
        assert_eq!(speaker_prefix("the point is: this"), None);
        assert_eq!(speaker_prefix("So what I want to say is: this"), None);
        assert_eq!(speaker_prefix("Well, then: yes"), None);
    }

    #[test]
    fn missing_blank_lines_and_bad_blocks() {
        let text = "\u{feff}1\n00:00:01,000 --> 00:00:02,000\none\n2\n00:00:03,000 --> 00:00:04,000\ntwo\n\n\
            3\n00:00:0x,000 --> 00:00:06,000\nlost\n\n4\n00:00:07,000 --> 00:00:08,000\nthree\n\n\
            5\n00:00:09,000 00:00:10,000\nlost too\n";
        let (cues, warnings) = read_ok(text);
        let texts: Vec<&str> = cues.iter().map(|c| c.3.as_str()).collect();
        assert_eq!(texts, ["one", "two", "three"]);
        assert_eq!(
            warnings,
            [
                "line 9: bad timing \"00:00:0x,000 --> 00:00:06,000\"",
                "line 17: bad timing \"00:00:09,000 00:00:10,000\": no \"-->\"",
            ]
        );
    }
}
