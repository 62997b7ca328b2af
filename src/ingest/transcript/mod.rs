//! Transcript and chapters files: bytes in, `Transcript` (timed cues with speakers) or
//! `Chapter`s out, with a warning for each spot that could not be read. One file per format
//! (`vtt`, `srt`, `json`, `html`, `plain`, `chapters`); `cues` holds what they share.
//! It may not fetch, index, search or print: it knows bytes, cues and chapters only.

mod chapters;
#[cfg(test)]
mod corpus_tests;
mod cues;
mod decode;
mod detect;
mod html;
mod json;
mod plain;
mod srt;
mod text;
mod timing;
mod vtt;

pub use cues::{Parsed, TranscriptError, MAX_CUE_CHARS};
pub use decode::MAX_BYTES;
pub use detect::{pick_richest, TranscriptFormat};
pub use timing::{format_time, MAX_SECONDS};

use crate::episode::{Chapter, Transcript};

/// Read a transcript file of any supported format.
///
/// The format is taken from the content when it shows one (`WEBVTT`, a JSON object, markup, an
/// SRT cue), else from `declared_type` (the media type a feed gave), else from `name`'s
/// extension, else plain text. `name` is used for nothing else: the caller prefixes it to
/// messages. Headings of an HTML transcript come back as `Parsed::chapters`.
pub fn read_transcript(
    bytes: &[u8],
    name: &str,
    declared_type: Option<&str>,
) -> Result<Parsed<Transcript>, TranscriptError> {
    let text = decode::decode(bytes)?;
    let format = TranscriptFormat::from_content(&text)
        .or_else(|| declared_type.and_then(TranscriptFormat::from_media_type))
        .or_else(|| TranscriptFormat::from_name(name))
        .unwrap_or(TranscriptFormat::Plain);
    match format {
        TranscriptFormat::Json => json::read(&text),
        TranscriptFormat::Vtt => vtt::read(&text),
        TranscriptFormat::Srt => srt::read(&text),
        TranscriptFormat::Html => html::read(&text),
        TranscriptFormat::Plain => plain::read(&text),
    }
}

/// Read a Podcasting 2.0 chapters file (JSON, version 1.x). Chapters marked `toc: false` are
/// kept (see `chapters::read` for why). `name` is for the caller's messages only.
pub fn read_chapters(bytes: &[u8], _name: &str) -> Result<Parsed<Vec<Chapter>>, TranscriptError> {
    let text = decode::decode(bytes)?;
    chapters::read(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: &Parsed<Transcript>) -> Vec<&str> {
        p.value.cues.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn content_first_then_declared_type_then_name() {
        let srt = b"1\n00:00:01,000 --> 00:00:02,000\nHi\n";
        let p = read_transcript(srt, "talk.vtt", Some("text/vtt")).unwrap();
        assert_eq!(
            (texts(&p), p.warnings.len()),
            (vec!["Hi"], 0),
            "content says SRT"
        );
        // Cues without numbers or header: only the declared type or the name can tell.
        let bare = b"Hello there.\n\n00:00:01.000 --> 00:00:02.000\nHi\n";
        let p = read_transcript(bare, "x.txt", Some("text/vtt")).unwrap();
        assert_eq!(p.warnings[0].to_string(), "line 1: missing WEBVTT header");
        let p = read_transcript(bare, "x.vtt", None).unwrap();
        assert_eq!(p.warnings[0].reason, "missing WEBVTT header");
        let p = read_transcript(bare, "x.txt", None).unwrap();
        assert!(!p.value.timed);
        assert_eq!(
            texts(&p),
            ["Hello there.", "00:00:01.000 --> 00:00:02.000 Hi"]
        );
    }

    #[test]
    fn latin1_srt() {
        let bytes = b"1\r\n00:00:01,000 --> 00:00:02,000\r\nJos\xe9: \xa1Hola, se\xf1or!\r\n";
        let p = read_transcript(bytes, "x.srt", None).unwrap();
        assert_eq!(p.value.cues[0].speaker.as_deref(), Some("Jos\u{e9}"));
        assert_eq!(texts(&p), ["\u{a1}Hola, se\u{f1}or!"]);
    }

    #[test]
    fn binary_junk_named_vtt() {
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let err = read_transcript(&junk, "talk.vtt", Some("text/vtt")).unwrap_err();
        assert_eq!(err.to_string(), "line 1: not a transcript: binary data");
    }

    #[test]
    fn a_long_file_is_read_quickly() {
        // 5 MB here (the debug build is slow); the 50 MB case is `a_50_mb_file_in_release`.
        let text = big_vtt(5_000_000);
        let started = std::time::Instant::now();
        let p = read_transcript(text.as_bytes(), "big.vtt", None).unwrap();
        assert!(p.value.cues.len() > 50_000);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    /// `cargo test --release --lib a_50_mb -- --ignored`: 0.52 s for 180,001 cues on the 2-core machine.
    #[test]
    #[ignore = "run in release: it measures speed"]
    fn a_50_mb_file_in_release() {
        let text = big_vtt(50_000_000);
        let started = std::time::Instant::now();
        let p = read_transcript(text.as_bytes(), "big.vtt", None).unwrap();
        let took = started.elapsed();
        eprintln!(
            "{} cues from {} bytes in {took:?}",
            p.value.cues.len(),
            text.len()
        );
        assert!(took < std::time::Duration::from_secs(3));
    }

    fn big_vtt(bytes: usize) -> String {
        let mut text = String::from("WEBVTT\n\n");
        let mut i = 0u64;
        while text.len() < bytes {
            let start = i as f64 * 2.0;
            text.push_str(&format!(
                "{} --> {}\n<v Speaker {}>Word number {i} and some more words to make a line.\n\n",
                format_time(start, '.'),
                format_time(start + 2.0, '.'),
                i % 3
            ));
            i += 1;
        }
        text
    }

    #[test]
    fn a_huge_cue_is_cut_with_its_line() {
        let text = format!(
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{}\n",
            "ab ".repeat(33_334)
        );
        let p = read_transcript(text.as_bytes(), "x.vtt", None).unwrap();
        assert_eq!(p.value.cues[0].text.chars().count(), MAX_CUE_CHARS);
        assert_eq!(
            p.warnings[0].to_string(),
            "line 3: cue of 100001 characters cut to 10000"
        );
    }

    #[test]
    fn past_a_day_is_fine_past_a_hundred_hours_is_not() {
        let text = "WEBVTT\n\n25:00:00.000 --> 25:00:01.000\nlate\n\n\
            100:00:01.000 --> 100:00:02.000\ntoo late\n";
        let p = read_transcript(text.as_bytes(), "x.vtt", None).unwrap();
        assert_eq!(texts(&p), ["late"]);
        assert_eq!(
            p.warnings[0].to_string(),
            "line 6: start 100:00:01.000 past the 100-hour limit; cue dropped"
        );
    }

    /// A fault spliced among good cues as a block of its own.
    #[derive(Debug, Clone)]
    enum Fault {
        /// A timing with a letter in it.
        BadTiming,
        /// Two times without `-->`.
        NoArrow,
        /// An end before its start (in ms): kept, the end set to the start.
        Backwards(u32),
        /// A negative start, or a negative end.
        Negative { end: bool },
        /// A start this many ms past the 100-hour limit.
        PastLimit(u32),
        /// A cue of 100,000 characters (in ms): kept, cut to `MAX_CUE_CHARS`.
        Huge(u32),
        /// A line of bytes that are not UTF-8, and a NUL.
        Junk(Vec<u8>),
    }

    fn fault() -> impl proptest::strategy::Strategy<Value = Fault> {
        use proptest::prelude::*;
        // Junk: lone UTF-8 continuation bytes (never UTF-8, so read as Windows-1252 one by one;
        // those that would read as a control or a space left out) and one NUL. A file more than
        // a twentieth control characters is binary data, refused whole: one NUL in 20 bytes or
        // more keeps every splice below that.
        let byte = (0x80u8..=0xBF).prop_filter("a control or a space in Windows-1252", |b| {
            ![0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xA0].contains(b)
        });
        let junk = (
            proptest::collection::vec(byte, 19..40),
            any::<proptest::sample::Index>(),
        )
            .prop_map(|(mut bytes, at)| {
                bytes.insert(at.index(bytes.len() + 1), 0);
                Fault::Junk(bytes)
            });
        prop_oneof![
            Just(Fault::BadTiming),
            Just(Fault::NoArrow),
            (2u32..360_000_000).prop_map(Fault::Backwards),
            any::<bool>().prop_map(|end| Fault::Negative { end }),
            (1u32..3_240_000_000).prop_map(Fault::PastLimit),
            (0u32..360_000_000).prop_map(Fault::Huge),
            junk,
        ]
    }

    /// What a generated file should give: cues (start, text) in file order, and per fault the
    /// line it is on and the start of its warning.
    #[derive(Default)]
    struct Expected {
        cues: Vec<(f64, String)>,
        warnings: Vec<(usize, String)>,
    }

    /// A VTT or SRT file of `good` cues with `faults` spliced in at their positions.
    fn faulty_file(
        good: &[(u32, u32, String)],
        faults: &[(Fault, usize)],
        srt: bool,
    ) -> (Vec<u8>, Expected) {
        let sep = if srt { ',' } else { '.' };
        let time = |ms: u64| format_time(ms as f64 / 1000.0, sep);
        let mut out: Vec<u8> = if srt { vec![] } else { b"WEBVTT\n\n".to_vec() };
        let mut want = Expected::default();
        let mut number = 0;
        // A block: its lines, the first being the timing (or the junk).
        let mut block = |out: &mut Vec<u8>, lines: &[&[u8]], junk: bool| -> usize {
            if srt && !junk {
                number += 1;
                out.extend_from_slice(format!("{number}\n").as_bytes());
            }
            let line = out.iter().filter(|&&b| b == b'\n').count() + 1;
            for l in lines {
                out.extend_from_slice(l);
                out.push(b'\n');
            }
            out.push(b'\n');
            line
        };
        let mut faults: Vec<&(Fault, usize)> = faults.iter().collect();
        faults.sort_by_key(|(_, at)| *at % (good.len() + 1));
        let mut faults = faults.into_iter().peekable();
        for i in 0..=good.len() {
            while let Some((fault, _)) = faults.next_if(|(_, at)| at % (good.len() + 1) == i) {
                let (timing, text, warning) = match fault {
                    Fault::BadTiming => {
                        let timing = format!("00:0x:12{sep}000 --> 00:00:13{sep}000");
                        let warning = format!("bad timing \"{timing}\"");
                        (timing, "lost to a typo".to_string(), warning)
                    }
                    Fault::NoArrow => {
                        let timing = format!("00:00:30{sep}000 00:00:32{sep}000");
                        let warning = format!("bad timing \"{timing}\": no \"-->\"");
                        (timing, "lost arrow".to_string(), warning)
                    }
                    Fault::Backwards(start) => {
                        let (start, end) = (u64::from(*start), u64::from(*start / 2));
                        want.cues
                            .push((start as f64 / 1000.0, "backwards".to_string()));
                        let warning = format!(
                            "end {} before start {}; end set to start",
                            format_time(end as f64 / 1000.0, '.'),
                            format_time(start as f64 / 1000.0, '.')
                        );
                        (
                            format!("{} --> {}", time(start), time(end)),
                            "backwards".to_string(),
                            warning,
                        )
                    }
                    Fault::Negative { end } => {
                        let timing = if *end {
                            format!("00:00:04{sep}000 --> -00:00:05{sep}000")
                        } else {
                            format!("-00:00:05{sep}000 --> 00:00:04{sep}000")
                        };
                        let warning = "negative time -00:00:05.000; cue dropped".to_string();
                        (timing, "below zero".to_string(), warning)
                    }
                    Fault::PastLimit(past) => {
                        let start = MAX_SECONDS as u64 * 1000 + u64::from(*past);
                        let warning = format!(
                            "start {} past the 100-hour limit; cue dropped",
                            format_time(start as f64 / 1000.0, '.')
                        );
                        (
                            format!("{} --> {}", time(start), time(start + 1000)),
                            "too late".to_string(),
                            warning,
                        )
                    }
                    Fault::Huge(start) => {
                        let start = u64::from(*start);
                        let text = "abcdefghi ".repeat(10_000);
                        let kept: String = text.chars().take(MAX_CUE_CHARS).collect();
                        want.cues
                            .push((start as f64 / 1000.0, kept.trim_end().to_string()));
                        let warning = format!(
                            "cue of {} characters cut to {MAX_CUE_CHARS}",
                            text.trim_end().chars().count()
                        );
                        (
                            format!("{} --> {}", time(start), time(start + 1000)),
                            text,
                            warning,
                        )
                    }
                    Fault::Junk(bytes) => {
                        let line = block(&mut out, &[bytes], true);
                        want.warnings
                            .push((line, "text outside a cue: \"".to_string()));
                        continue;
                    }
                };
                let line = block(&mut out, &[timing.as_bytes(), text.as_bytes()], false);
                want.warnings.push((line, warning));
            }
            if let Some((start, length, text)) = good.get(i) {
                let (start, end) = (u64::from(*start), u64::from(start + length));
                let timing = format!("{} --> {}", time(start), time(end));
                block(&mut out, &[timing.as_bytes(), text.as_bytes()], false);
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                want.cues.push((start as f64 / 1000.0, text));
            }
        }
        (out, want)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn faults_among_good_cues_are_warned_at_their_line_and_the_rest_kept(
            good in proptest::collection::vec((0u32..360_000_000, 1u32..10_000, "[A-Za-zéü][A-Za-z0-9éü,.!? ]{0,40}"), 1..12),
            faults in proptest::collection::vec((fault(), 0usize..100), 0..6),
            srt in proptest::bool::ANY,
        ) {
            let (bytes, mut want) = faulty_file(&good, &faults, srt);
            let name = if srt { "x.srt" } else { "x.vtt" };
            let p = read_transcript(&bytes, name, None).unwrap();
            let warnings: Vec<(usize, &str)> =
                p.warnings.iter().map(|w| (w.line, w.reason.as_str())).collect();
            proptest::prop_assert_eq!(warnings.len(), want.warnings.len(), "{:?}", warnings);
            for ((line, reason), (want_line, want_reason)) in warnings.iter().zip(&want.warnings) {
                proptest::prop_assert_eq!(line, want_line, "{}", reason);
                proptest::prop_assert!(reason.starts_with(want_reason.as_str()), "{} / {}", reason, want_reason);
            }
            // Sorted by start, cues starting together in file order.
            want.cues.sort_by(|a, b| a.0.total_cmp(&b.0));
            let got: Vec<(f64, String)> = p.value.cues.iter().map(|c| (c.start, c.text.clone())).collect();
            proptest::prop_assert_eq!(got, want.cues);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000),
                                       kind in 0usize..6) {
            let declared = ["text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain", "x/y"][kind];
            let _ = read_transcript(&bytes, "x.vtt", Some(declared));
            let _ = read_chapters(&bytes, "x.json");
        }

        #[test]
        fn text_that_looks_like_a_format_never_panics(
            text in "(WEBVTT\n|<p>|<cite>|</p>|<time>|<v A>|</v>|-->|\\{|\"segments\"|\\[|:|[0-9]|\\.|,|\n| |x|&amp;|<|>){0,60}"
        ) {
            let _ = read_transcript(text.as_bytes(), "x", None);
        }

        #[test]
        fn generated_vtt_and_srt_round_trip(
            cues in proptest::collection::vec((0u32..360_000_000, 1u32..10_000, "[A-Za-zéü][A-Za-z0-9éü,.!? ]{0,40}"), 1..20),
            srt in proptest::bool::ANY,
        ) {
            let text = String::from_utf8(faulty_file(&cues, &[], srt).0).unwrap();
            let p = read_transcript(text.as_bytes(), "x", None).unwrap();
            proptest::prop_assert!(p.warnings.is_empty(), "{:?}", p.warnings);
            let mut want: Vec<(f64, String)> = cues
                .iter()
                .map(|(s, _, t)| (f64::from(*s) / 1000.0, t.split_whitespace().collect::<Vec<_>>().join(" ")))
                .collect();
            want.sort_by(|a, b| a.0.total_cmp(&b.0));
            let got: Vec<(f64, String)> = p.value.cues.iter().map(|c| (c.start, c.text.clone())).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
