//! WebVTT: cues with optional identifiers and settings, `<v Speaker>` voices, styling tags and
//! entities; NOTE, STYLE and REGION blocks skipped; the timings real files get wrong accepted.

use crate::episode::Transcript;
use crate::ingest::html::{decode_entities, Unknown};

use super::cues::{blocks, CueSink, Parsed, TranscriptError};
use super::text::quoted;
use super::timing::{arrowless, parse_timing};

/// Read a WebVTT file (already decoded). A missing `WEBVTT` header is a warning only: files
/// declared or named as VTT without one are otherwise fine.
pub fn read(text: &str) -> Result<Parsed<Transcript>, TranscriptError> {
    let mut sink = CueSink::default();
    let mut language = None;
    let mut blocks = blocks(text).into_iter().peekable();
    match blocks.peek() {
        Some(first)
            if first[0]
                .1
                .trim_start_matches('\u{feff}')
                .starts_with("WEBVTT") =>
        {
            // Header metadata (`Language: es`, `Kind: captions`) follows the signature line.
            for (_, line) in &first[1..] {
                if let Some((key, value)) = line.split_once(':') {
                    if key.trim().eq_ignore_ascii_case("language") && !value.trim().is_empty() {
                        language = Some(value.trim().to_ascii_lowercase());
                    }
                }
            }
            blocks.next();
        }
        Some(first) => sink.warn(first[0].0, "missing WEBVTT header"),
        None => {}
    }
    for block in blocks {
        let (first_no, first) = block[0];
        let keyword = first.split([' ', '\t']).next().unwrap_or("");
        if matches!(keyword, "NOTE" | "STYLE" | "REGION") {
            continue;
        }
        // The timing is the first line, or the second after a cue identifier.
        // A broken arrow (`->`) still marks a timing line, to be reported as one.
        let timing_at = if first.contains("->") {
            0
        } else if block.get(1).is_some_and(|(_, l)| l.contains("->")) {
            1
        } else {
            // A timing that lost its arrow, first or after an identifier, is named as such.
            match block
                .iter()
                .take(2)
                .find_map(|&(n, l)| Some((n, arrowless(l)?)))
            {
                Some((line_no, reason)) => sink.warn(line_no, reason),
                None => sink.warn(
                    first_no,
                    format!("text outside a cue: {}", quoted(first.trim())),
                ),
            }
            continue;
        };
        let (line_no, timing) = block[timing_at];
        let (start, end) = match parse_timing(timing) {
            Ok(times) => times,
            Err(reason) => {
                sink.warn(line_no, reason);
                continue;
            }
        };
        let payload: Vec<&str> = block[timing_at + 1..].iter().map(|(_, l)| *l).collect();
        for (speaker, text) in voice_spans(&payload.join("\n")) {
            sink.push(line_no, start, end, speaker.as_deref(), &text);
        }
    }
    sink.finish(true, language)
}

/// The cue text split where the voice changes: `(speaker, text)` with tags removed and entities
/// decoded. `<v Ann>a</v><v Bo>b` gives two spans; text outside any voice has no speaker.
/// A `<` that does not open a tag (`a < b`) stays as text.
pub fn voice_spans(payload: &str) -> Vec<(Option<String>, String)> {
    let mut spans: Vec<(Option<String>, String)> = Vec::new();
    let mut voice: Option<String> = None;
    let mut text = String::new();
    let mut rest = payload;
    let flush =
        |spans: &mut Vec<(Option<String>, String)>, voice: &Option<String>, text: &mut String| {
            if !text.trim().is_empty() {
                let decoded = decode_entities(text, Unknown::Keep).into_owned();
                match spans.last_mut() {
                    Some((v, t)) if v == voice => {
                        t.push(' ');
                        t.push_str(&decoded);
                    }
                    _ => spans.push((voice.clone(), decoded)),
                }
            }
            text.clear();
        };
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let opens_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/');
        let close = after.find('>').filter(|_| opens_tag);
        let Some(close) = close else {
            text.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let (closing, body) = match tag.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, tag),
        };
        let name_end = body.find(['.', ' ', '\t', '\n']).unwrap_or(body.len());
        if !body[..name_end].eq_ignore_ascii_case("v") {
            // Styling (`<b>`, `<i>`, `<c.loud>`, `<lang en>`, `<00:01.000>`) only: dropped,
            // without a space so `<b>there</b>,` stays `there,`; a line break is a space.
            if body[..name_end].eq_ignore_ascii_case("br") {
                text.push(' ');
            }
            continue;
        }
        flush(&mut spans, &voice, &mut text);
        voice = if closing {
            None
        } else {
            // `<v.loud Name>`: classes after dots, then the name after whitespace.
            let name = body[name_end..]
                .split_once([' ', '\t', '\n'])
                .map_or("", |(_, name)| name);
            let name = decode_entities(name.trim(), Unknown::Keep).into_owned();
            (!name.is_empty()).then_some(name)
        };
    }
    text.push_str(rest);
    flush(&mut spans, &voice, &mut text);
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::episode::Cue;

    fn cues(text: &str) -> (Vec<Cue>, Vec<String>) {
        let parsed = read(text).unwrap();
        let warnings = parsed.warnings.iter().map(|w| w.to_string()).collect();
        (parsed.value.cues, warnings)
    }

    fn cue(start: f64, end: f64, speaker: Option<&str>, text: &str) -> Cue {
        Cue {
            start,
            end,
            speaker: speaker.map(str::to_string),
            text: text.to_string(),
        }
    }

    #[test]
    fn voices_tags_entities_and_blocks() {
        let text = "WEBVTT - a title\nLanguage: en-US\n\nNOTE a comment\nspanning lines\n\n\
            STYLE\n::cue { color: red }\n\nREGION\nid:x\n\n\
            intro\n00:00:01.000 --> 00:00:04.500 align:start position:10%\n\
            <v.loud Ann Lee>Hello <b>there</b>, <c.yellow>Tom &amp; Jerry</c></v>\n\
            second line\n\n\
            00:05.000 --> 00:07.000\n<v Bo>Hi</v> <v Ann Lee>back &lt;3</v>\n\n\
            00:00:08.000 --> 00:00:09.000\n<i>no voice</i> a < b\n";
        let parsed = read(text).unwrap();
        assert_eq!(parsed.value.language.as_deref(), Some("en-us"));
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(
            parsed.value.cues,
            [
                cue(1.0, 4.5, Some("Ann Lee"), "Hello there, Tom & Jerry"),
                cue(1.0, 4.5, None, "second line"),
                cue(5.0, 7.0, Some("Bo"), "Hi"),
                cue(5.0, 7.0, Some("Ann Lee"), "back <3"),
                cue(8.0, 9.0, None, "no voice a < b"),
            ]
        );
    }

    #[test]
    fn non_conformant_timings_and_commas() {
        let (c, w) = cues(
            "WEBVTT\n\n0.860 --> 7.380\n<v SPEAKER_1>One.\n\n\
            3:40.300 --> 3:44.080\nTwo.\n\n00:00:10,000 --> 00:00:11,000\nThree.\n",
        );
        assert!(w.is_empty());
        let starts: Vec<f64> = c.iter().map(|c| c.start).collect();
        assert_eq!(starts, [0.86, 10.0, 220.3]);
        assert_eq!(c[0].speaker.as_deref(), Some("SPEAKER_1"));
    }

    #[test]
    fn bad_spots_warn_and_the_rest_is_kept() {
        let (c, w) = cues(
            "WEBVTT\n\n00:01 -> x\nlost\n\nstray words\n\n\
            00:00:03.000 --> 00:00:02.000\nbackwards\n\n-00:00:01.000 --> 00:00:02.000\nneg\n\n\
            00:00:05.000 --> 00:00:06.000\nkept\n",
        );
        assert_eq!(
            w,
            [
                "line 3: bad timing \"00:01 -> x\"",
                "line 6: text outside a cue: \"stray words\"",
                "line 8: end 00:00:02.000 before start 00:00:03.000; end set to start",
                "line 11: negative time -00:00:01.000; cue dropped",
            ]
        );
        assert_eq!(
            c,
            [
                cue(3.0, 3.0, None, "backwards"),
                cue(5.0, 6.0, None, "kept")
            ]
        );
        let (_, w) =
            cues("WEBVTT\n\n1\n00:01 --> x\nlost\n\n00:00:05.000 --> 00:00:06.000\nkept\n");
        assert_eq!(w, ["line 4: bad timing \"00:01 --> x\""]);
        let (c, w) = cues(
            "WEBVTT\n\n00:00:01.000 00:00:02.000\nlost\n\nid\n00:03.000 00:04.000\nlost\n\n\
            00:00:05.000 --> 00:00:06.000\nkept\n",
        );
        assert_eq!(
            w,
            [
                "line 3: bad timing \"00:00:01.000 00:00:02.000\": no \"-->\"",
                "line 7: bad timing \"00:03.000 00:04.000\": no \"-->\"",
            ]
        );
        assert_eq!(c, [cue(5.0, 6.0, None, "kept")]);
    }

    #[test]
    fn header_missing_and_crlf() {
        let (c, w) = cues("00:00:01.000 --> 00:00:02.000\r\n Hola\r\n\r\n");
        assert_eq!(w, ["line 1: missing WEBVTT header"]);
        assert_eq!(c, [cue(1.0, 2.0, None, "Hola")]);
        let err = read("WEBVTT\n\n00:01 --> x\ny\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: no readable cues; first problem: bad timing \"00:01 --> x\""
        );
    }
}
