//! The stored form of what was said in an episode: its cues, speakers and chapters, each with the
//! position its first word has in the `transcript` (or `chapters`) field, so that a match's
//! position leads to its cue by a binary search, without reading the transcript.
//!
//! Layout: a header of five numbers (version, cue, speaker and chapter counts, flags), a table
//! of cues (`first position, start ms, end ms, speaker or NO_SPEAKER, end of its text`), a
//! table of speakers (`end of the name`), a table of chapters (`first position, start ms, end
//! of title, end of url`), the end of the language, then every string, one after another. A
//! string starts where the one before it ends.
//!
//! A number is five bytes of seven bits each, lowest first (`Layout::Text`): every byte of the
//! tables is ASCII, so the whole is UTF-8 and is stored as text, which the document store reads
//! in one copy (it reads a stored byte string one byte at a time, which cost most of a search's
//! time for ten hits with an hour of talk each). Indexes made before that store bytes, with
//! four-byte little-endian numbers (`Layout::Bytes`, version 1); both are read.

use crate::episode::{millis, Chapter, Cue, Transcript};

use super::tokenizer::Words;

/// How the numbers of the tables are written: the version and the width of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Four-byte little-endian numbers in a stored byte string (version 1).
    Bytes,
    /// Five ASCII bytes of seven bits a number in a stored text (version 2).
    Text,
}

impl Layout {
    fn version(self) -> u32 {
        match self {
            Layout::Bytes => 1,
            Layout::Text => 2,
        }
    }

    /// The bytes a number takes.
    fn width(self) -> usize {
        match self {
            Layout::Bytes => 4,
            Layout::Text => 5,
        }
    }

    fn put(self, out: &mut Vec<u8>, value: u32) {
        match self {
            Layout::Bytes => out.extend_from_slice(&value.to_le_bytes()),
            Layout::Text => out.extend((0..5).map(|i| ((value >> (7 * i)) & 0x7f) as u8)),
        }
    }

    /// The number at the start of `bytes`, which holds at least `width` bytes.
    fn get(self, bytes: &[u8]) -> u32 {
        match self {
            Layout::Bytes => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            Layout::Text => bytes[..5]
                .iter()
                .rev()
                .fold(0u32, |n, &b| (n << 7) | u32::from(b & 0x7f)),
        }
    }
}

/// Numbers in the header, a cue, a speaker and a chapter.
const HEADER: usize = 5;
const CUE: usize = 5;
const SPEAKER: usize = 1;
const CHAPTER: usize = 4;
const TIMED: u32 = 1;
const HAS_TRANSCRIPT: u32 = 2;
const NO_SPEAKER: u32 = u32::MAX;

/// An episode's transcript and chapters as the index holds them.
pub struct Laid {
    /// Every cue's text, one line each: the `transcript` field's value.
    pub transcript_text: String,
    /// Every chapter's title, one line each: the `chapters` field's value.
    pub chapter_text: String,
    /// The stored bytes (see the module docs): UTF-8 in `Layout::Text`.
    pub bytes: Vec<u8>,
    /// The distinct speakers.
    pub speakers: Vec<String>,
}

/// The transcript and chapters stored in `doc`'s `field`, when it holds them.
pub fn in_document(
    doc: &tantivy::TantivyDocument,
    field: tantivy::schema::Field,
) -> Option<Spoken<'_>> {
    doc.get_first(field).and_then(stored).and_then(Spoken::read)
}

/// The stored layout in a document's value: text, or bytes in indexes made before that.
pub fn stored<'a, V: tantivy::schema::Value<'a>>(value: V) -> Option<&'a [u8]> {
    value
        .as_str()
        .map(str::as_bytes)
        .or_else(|| value.as_bytes())
}

/// How many words `text` has: positions advance by one a word.
fn word_count(text: &str) -> u32 {
    let mut words = Words::new(text);
    let mut word = String::new();
    let mut n = 0u32;
    while words.next_into(&mut word).is_some() {
        n = n.saturating_add(1);
    }
    n
}

/// Lay out a transcript and chapters for the index.
pub fn lay_out(transcript: Option<&Transcript>, chapters: &[Chapter], layout: Layout) -> Laid {
    let w = layout.width();
    let cues: &[Cue] = transcript.map_or(&[], |t| &t.cues);
    let mut speakers: Vec<String> = Vec::new();
    let mut strings = String::new();
    let mut cue_table = Vec::with_capacity(cues.len() * CUE * w);
    let mut transcript_text = String::new();
    let mut position = 0u32;
    for cue in cues {
        if !transcript_text.is_empty() {
            transcript_text.push('\n');
        }
        transcript_text.push_str(&cue.text);
        let speaker = match cue.speaker.as_deref() {
            Some(name) => match speakers.iter().position(|s| s == name) {
                Some(i) => i as u32,
                None => {
                    speakers.push(name.to_string());
                    (speakers.len() - 1) as u32
                }
            },
            None => NO_SPEAKER,
        };
        strings.push_str(&cue.text);
        for value in [
            position,
            millis(cue.start),
            millis(cue.end),
            speaker,
            strings.len() as u32,
        ] {
            layout.put(&mut cue_table, value);
        }
        position = position.saturating_add(word_count(&cue.text));
    }
    let mut speaker_table = Vec::with_capacity(speakers.len() * SPEAKER * w);
    for name in &speakers {
        strings.push_str(name);
        layout.put(&mut speaker_table, strings.len() as u32);
    }
    let mut chapter_table = Vec::with_capacity(chapters.len() * CHAPTER * w);
    let mut chapter_text = String::new();
    let mut position = 0u32;
    for chapter in chapters {
        if !chapter_text.is_empty() {
            chapter_text.push('\n');
        }
        chapter_text.push_str(&chapter.title);
        strings.push_str(&chapter.title);
        let title_end = strings.len() as u32;
        strings.push_str(chapter.url.as_deref().unwrap_or(""));
        for value in [
            position,
            millis(chapter.start),
            title_end,
            strings.len() as u32,
        ] {
            layout.put(&mut chapter_table, value);
        }
        position = position.saturating_add(word_count(&chapter.title));
    }
    strings.push_str(transcript.and_then(|t| t.language.as_deref()).unwrap_or(""));
    let language_end = strings.len() as u32;
    let mut flags = 0;
    if let Some(t) = transcript {
        flags |= HAS_TRANSCRIPT;
        if t.timed {
            flags |= TIMED;
        }
    }
    let mut bytes = Vec::with_capacity(
        (HEADER + 1) * w
            + cue_table.len()
            + speaker_table.len()
            + chapter_table.len()
            + strings.len(),
    );
    for value in [
        layout.version(),
        cues.len() as u32,
        speakers.len() as u32,
        chapters.len() as u32,
        flags,
    ] {
        layout.put(&mut bytes, value);
    }
    bytes.extend_from_slice(&cue_table);
    bytes.extend_from_slice(&speaker_table);
    bytes.extend_from_slice(&chapter_table);
    layout.put(&mut bytes, language_end);
    bytes.extend_from_slice(strings.as_bytes());
    Laid {
        transcript_text,
        chapter_text,
        bytes,
        speakers,
    }
}

/// A cue as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CueRef<'a> {
    pub index: usize,
    /// The position of its first word in the `transcript` field.
    pub position: u32,
    pub start: f64,
    pub end: f64,
    pub speaker: Option<&'a str>,
    pub text: &'a str,
}

/// A chapter as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChapterRef<'a> {
    pub index: usize,
    pub position: u32,
    pub start: f64,
    pub title: &'a str,
    pub url: Option<&'a str>,
}

/// The stored bytes, read in place.
pub struct Spoken<'a> {
    bytes: &'a [u8],
    layout: Layout,
    cues: usize,
    speakers: usize,
    chapters: usize,
    flags: u32,
    strings: &'a str,
}

impl<'a> Spoken<'a> {
    /// Read the header; `None` for bytes that are not either layout (never a panic).
    pub fn read(bytes: &'a [u8]) -> Option<Spoken<'a>> {
        let layout = [Layout::Text, Layout::Bytes]
            .into_iter()
            .find(|l| bytes.len() >= l.width() && l.get(bytes) == l.version())?;
        let w = layout.width();
        let number = |i: usize| -> Option<u32> {
            let at = i.checked_mul(w)?;
            Some(layout.get(bytes.get(at..at.checked_add(w)?)?))
        };
        let cues = number(1)? as usize;
        let speakers = number(2)? as usize;
        let chapters = number(3)? as usize;
        let flags = number(4)?;
        let tables = HEADER
            .checked_add(cues.checked_mul(CUE)?)?
            .checked_add(speakers.checked_mul(SPEAKER)?)?
            .checked_add(chapters.checked_mul(CHAPTER)?)?
            .checked_add(1)?
            .checked_mul(w)?;
        let strings = std::str::from_utf8(bytes.get(tables..)?).ok()?;
        // Only the header and the tables' extent are checked here: a search reads a few cues
        // of each hit, and checking every string's bounds would walk the whole cue table.
        // Each string is checked as it is read (`string`).
        Some(Spoken {
            bytes,
            layout,
            cues,
            speakers,
            chapters,
            flags,
            strings,
        })
    }

    /// The number at index `i` of the tables (the header's first); `read` checked the tables'
    /// extent.
    fn word(&self, i: usize) -> u32 {
        let at = i * self.layout.width();
        self.layout.get(&self.bytes[at..at + self.layout.width()])
    }

    fn speakers_at(&self) -> usize {
        HEADER + self.cues * CUE
    }

    fn chapters_at(&self) -> usize {
        self.speakers_at() + self.speakers * SPEAKER
    }

    /// The string from `start` to `end`; empty where damaged bytes put either out of place.
    fn string(&self, start: usize, end: u32) -> &'a str {
        self.strings.get(start..end as usize).unwrap_or("")
    }

    pub fn has_transcript(&self) -> bool {
        self.flags & HAS_TRANSCRIPT != 0
    }

    /// Whether the cues have times to land on (plain text has none).
    pub fn timed(&self) -> bool {
        self.flags & TIMED != 0
    }

    pub fn cue_count(&self) -> usize {
        self.cues
    }

    pub fn chapter_count(&self) -> usize {
        self.chapters
    }

    fn cue_text_start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.word(HEADER + (i - 1) * CUE + 4) as usize
        }
    }

    fn speaker_name(&self, i: usize) -> Option<&'a str> {
        if i >= self.speakers {
            return None;
        }
        let start = if i == 0 {
            self.cue_text_start(self.cues)
        } else {
            self.word(self.speakers_at() + (i - 1) * SPEAKER) as usize
        };
        Some(self.string(start, self.word(self.speakers_at() + i * SPEAKER)))
    }

    pub fn cue(&self, i: usize) -> Option<CueRef<'a>> {
        if i >= self.cues {
            return None;
        }
        let at = HEADER + i * CUE;
        let speaker = self.word(at + 3);
        Some(CueRef {
            index: i,
            position: self.word(at),
            start: f64::from(self.word(at + 1)) / 1000.0,
            end: f64::from(self.word(at + 2)) / 1000.0,
            speaker: if speaker == NO_SPEAKER {
                None
            } else {
                self.speaker_name(speaker as usize)
            },
            text: self.string(self.cue_text_start(i), self.word(at + 4)),
        })
    }

    /// The cue holding the word at `position` of the `transcript` field.
    pub fn cue_at(&self, position: u32) -> Option<CueRef<'a>> {
        let i = partition(self.cues, |i| self.word(HEADER + i * CUE) <= position);
        self.cue(i.checked_sub(1)?)
    }

    fn strings_after_speakers(&self) -> usize {
        if self.speakers == 0 {
            self.cue_text_start(self.cues)
        } else {
            self.word(self.speakers_at() + (self.speakers - 1) * SPEAKER) as usize
        }
    }

    pub fn chapter(&self, i: usize) -> Option<ChapterRef<'a>> {
        if i >= self.chapters {
            return None;
        }
        let at = self.chapters_at() + i * CHAPTER;
        let start = if i == 0 {
            self.strings_after_speakers()
        } else {
            self.word(at - CHAPTER + 3) as usize
        };
        let title_end = self.word(at + 2);
        let url = self.string(title_end as usize, self.word(at + 3));
        Some(ChapterRef {
            index: i,
            position: self.word(at),
            start: f64::from(self.word(at + 1)) / 1000.0,
            title: self.string(start, title_end),
            url: (!url.is_empty()).then_some(url),
        })
    }

    /// The chapter holding the word at `position` of the `chapters` field.
    pub fn chapter_at(&self, position: u32) -> Option<ChapterRef<'a>> {
        let i = partition(self.chapters, |i| {
            self.word(self.chapters_at() + i * CHAPTER) <= position
        });
        self.chapter(i.checked_sub(1)?)
    }

    /// The chapter playing at `seconds`: the last to start at or before it.
    pub fn chapter_playing(&self, seconds: f64) -> Option<ChapterRef<'a>> {
        let ms = millis(seconds);
        let i = partition(self.chapters, |i| {
            self.word(self.chapters_at() + i * CHAPTER + 1) <= ms
        });
        self.chapter(i.checked_sub(1)?)
    }

    fn language(&self) -> Option<&'a str> {
        let tables = self.chapters_at() + self.chapters * CHAPTER;
        let start = if self.chapters == 0 {
            self.strings_after_speakers()
        } else {
            self.word(tables - CHAPTER + 3) as usize
        };
        let language = self.string(start, self.word(tables));
        (!language.is_empty()).then_some(language)
    }

    /// Back to the model, for an episode read out of the index.
    pub fn to_model(&self) -> (Option<Transcript>, Vec<Chapter>) {
        let transcript = self.has_transcript().then(|| Transcript {
            cues: (0..self.cues)
                .filter_map(|i| self.cue(i))
                .map(|c| Cue {
                    start: c.start,
                    end: c.end,
                    speaker: c.speaker.map(str::to_string),
                    text: c.text.to_string(),
                })
                .collect(),
            timed: self.timed(),
            language: self.language().map(str::to_string),
        });
        let chapters = (0..self.chapters)
            .filter_map(|i| self.chapter(i))
            .map(|c| Chapter {
                start: c.start,
                title: c.title.to_string(),
                url: c.url.map(str::to_string),
            })
            .collect();
        (transcript, chapters)
    }
}

/// The number of leading items of `0..n` for which `before` holds (it holds for a prefix).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, speaker: Option<&str>, text: &str) -> Cue {
        Cue {
            start,
            end,
            speaker: speaker.map(str::to_string),
            text: text.to_string(),
        }
    }

    fn sample() -> (Transcript, Vec<Chapter>) {
        let transcript = Transcript {
            cues: vec![
                cue(0.5, 4.0, Some("Ana"), "Welcome to the show."),
                cue(4.0, 9.25, Some("Ben"), "Today: C++ and node.js, tech"),
                cue(9.25, 12.0, None, "debt we had to pay down"),
                cue(754.2, 761.0, Some("Ana"), "后互联网时代"),
            ],
            timed: true,
            language: Some("en".into()),
        };
        let chapters = vec![
            Chapter {
                start: 0.0,
                title: "Intro".into(),
                url: None,
            },
            Chapter {
                start: 600.5,
                title: "Paying down debt".into(),
                url: Some("https://example.org/debt".into()),
            },
        ];
        (transcript, chapters)
    }

    #[test]
    fn laid_out_and_read_back_unchanged() {
        let (transcript, chapters) = sample();
        let laid = lay_out(Some(&transcript), &chapters, Layout::Text);
        assert_eq!(
            laid.transcript_text,
            "Welcome to the show.\nToday: C++ and node.js, tech\ndebt we had to pay down\n后互联网时代"
        );
        assert_eq!(laid.chapter_text, "Intro\nPaying down debt");
        assert_eq!(laid.speakers, ["Ana", "Ben"]);
        let spoken = Spoken::read(&laid.bytes).unwrap();
        let (t, c) = spoken.to_model();
        assert_eq!(t.as_ref(), Some(&transcript));
        assert_eq!(c, chapters);
        // Stored as text: every byte of the tables is ASCII.
        let text = String::from_utf8(laid.bytes.clone()).unwrap();
        assert!(text[..5 * (HEADER + 4 * CUE + 2 * SPEAKER + 2 * CHAPTER)].is_ascii());
        // The layout of indexes made before it reads back the same.
        let old = lay_out(Some(&transcript), &chapters, Layout::Bytes);
        assert_eq!(
            Spoken::read(&old.bytes).unwrap().to_model(),
            (Some(transcript), chapters)
        );
    }

    #[test]
    fn numbers_round_trip_in_both_layouts() {
        for layout in [Layout::Text, Layout::Bytes] {
            for n in [0, 1, 127, 128, 754_200, 360_000_000, u32::MAX - 1, u32::MAX] {
                let mut out = Vec::new();
                layout.put(&mut out, n);
                assert_eq!(out.len(), layout.width());
                assert_eq!(layout.get(&out), n, "{layout:?}");
            }
        }
    }

    #[test]
    fn a_position_leads_to_its_cue_and_chapter() {
        let (transcript, chapters) = sample();
        let laid = lay_out(Some(&transcript), &chapters, Layout::Text);
        let spoken = Spoken::read(&laid.bytes).unwrap();
        // Positions as the analyzer gives them: the words of the whole text, counted.
        let positions: Vec<(String, usize)> = super::super::tokenizer::split(&laid.transcript_text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect();
        let at = |word: &str| positions.iter().find(|(w, _)| w == word).unwrap().1 as u32;
        assert_eq!(spoken.cue_at(at("Welcome")).unwrap().index, 0);
        assert_eq!(spoken.cue_at(at("show")).unwrap().index, 0);
        let tech = spoken.cue_at(at("tech")).unwrap();
        assert_eq!(
            (tech.index, tech.speaker, tech.start),
            (1, Some("Ben"), 4.0)
        );
        let debt = spoken.cue_at(at("debt")).unwrap();
        assert_eq!((debt.index, debt.speaker, debt.end), (2, None, 12.0));
        assert_eq!(spoken.cue_at(at("联网")).unwrap().start, 754.2);
        assert_eq!(spoken.chapter_at(2).unwrap().title, "Paying down debt");
        assert_eq!(spoken.chapter_at(0).unwrap().title, "Intro");
        assert_eq!(spoken.chapter_playing(600.4).unwrap().title, "Intro");
        let playing = spoken.chapter_playing(754.2).unwrap();
        assert_eq!(
            (playing.title, playing.url),
            ("Paying down debt", Some("https://example.org/debt"))
        );
    }

    #[test]
    fn chapters_alone_and_nothing_at_all() {
        let (_, chapters) = sample();
        let laid = lay_out(None, &chapters, Layout::Text);
        let spoken = Spoken::read(&laid.bytes).unwrap();
        assert!(!spoken.has_transcript());
        assert_eq!(spoken.to_model(), (None, chapters));
        let empty = lay_out(None, &[], Layout::Text);
        assert_eq!(
            Spoken::read(&empty.bytes).unwrap().to_model(),
            (None, vec![])
        );
    }

    #[test]
    fn damaged_bytes_are_refused_not_read_out_of_bounds() {
        let (transcript, chapters) = sample();
        for layout in [Layout::Text, Layout::Bytes] {
            let laid = lay_out(Some(&transcript), &chapters, layout);
            for cut in 0..laid.bytes.len() {
                if let Some(spoken) = Spoken::read(&laid.bytes[..cut]) {
                    let _ = spoken.to_model();
                }
            }
            for at in 0..laid.bytes.len() {
                let mut wrong = laid.bytes.clone();
                wrong[at] ^= 0xff;
                if let Some(spoken) = Spoken::read(&wrong) {
                    let _ = spoken.to_model();
                    let _ = spoken.cue_at(3);
                    let _ = spoken.chapter_playing(700.0);
                }
            }
            let mut wrong = laid.bytes.clone();
            wrong[layout.width()] = 0x7f;
            wrong[layout.width() + 1] = 0x7f;
            assert!(Spoken::read(&wrong).is_none(), "{layout:?}");
        }
        assert!(Spoken::read(b"").is_none());
    }
}
