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

    fn vtt_of(cues: &[(u32, u32, String)], srt: bool) -> String {
        let mut out = String::from(if srt { "" } else { "WEBVTT\n\n" });
        let sep = if srt { ',' } else { '.' };
        for (i, (start, length, text)) in cues.iter().enumerate() {
            let start = f64::from(*start) / 1000.0;
            let end = start + f64::from(*length) / 1000.0;
            if srt {
                out.push_str(&format!("{}\n", i + 1));
            }
            out.push_str(&format!(
                "{} --> {}\n{text}\n\n",
                format_time(start, sep),
                format_time(end, sep)
            ));
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

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
            let text = vtt_of(&cues, srt);
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
