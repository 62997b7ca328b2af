//! Moments: where in an episode's transcript the query's words were said. The index gives the
//! position of every matched word (its postings), and the stored cue table maps a position to
//! its cue by binary search (`index::spoken`), so the transcript is never scanned: only the
//! few cues shown are read and split into words, to highlight them.

use std::collections::BTreeSet;
use std::ops::Range;

use tantivy::postings::Postings;
use tantivy::query::Query;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term};

use crate::error::Result;
use crate::index::schema::SpokenFields;
use crate::index::spoken::{self, CueRef, Spoken};
use crate::index::tokenizer;

use super::snippet;

/// Moments shown under a hit unless asked otherwise (`--moments`).
pub const DEFAULT_MOMENTS: usize = 3;
/// Matched words this many positions apart or closer belong to one moment.
const NEAR: u32 = 12;
/// Silence between two cues longer than this many seconds ends a moment.
const PAUSE: f64 = 10.0;
/// The most cues one moment spans (a phrase said across a cue boundary spans two).
const MOST_CUES: usize = 3;
/// The longest moment text, in characters: a cue of a whole paragraph is cut around its words.
const MOMENT_CHARS: usize = 200;

/// One place in an episode where the query's words were said.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    /// Seconds from the start, of the first cue holding the words.
    pub start: f64,
    pub end: f64,
    pub speaker: Option<String>,
    /// The cues' text, joined by spaces.
    pub text: String,
    /// Byte ranges of the matched words in `text`.
    pub highlights: Vec<Range<usize>>,
    /// The chapter playing at `start`, when the episode has chapters.
    pub chapter: Option<String>,
}

/// A chapter whose title holds the query's words.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterMatch {
    pub start: f64,
    pub title: String,
}

/// What `MomentFinder::find` gives for one hit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spots {
    pub moments: Vec<Moment>,
    pub chapter: Option<ChapterMatch>,
}

/// Finds a page's moments for one query.
pub(crate) struct MomentFinder {
    fields: SpokenFields,
    /// The query's terms in the transcript field, and in the chapters field.
    said: Vec<Term>,
    titled: Vec<Term>,
    limit: usize,
    /// Lower-cased: only this speaker's moments.
    speaker: Option<String>,
}

impl MomentFinder {
    /// `None` when the index has no transcripts or the query nothing to find in them.
    pub(crate) fn new(
        query: &dyn Query,
        fields: Option<SpokenFields>,
        limit: usize,
        speaker: Option<&str>,
    ) -> Option<MomentFinder> {
        let fields = fields?;
        let (mut said, mut titled) = (BTreeSet::new(), BTreeSet::new());
        query.query_terms(&mut |term, _| {
            if term.field() == fields.transcript {
                said.insert(term.clone());
            } else if term.field() == fields.chapters {
                titled.insert(term.clone());
            }
        });
        if said.is_empty() && titled.is_empty() {
            return None;
        }
        Some(MomentFinder {
            fields,
            said: said.into_iter().collect(),
            titled: titled.into_iter().collect(),
            limit,
            speaker: speaker.map(str::to_lowercase),
        })
    }

    /// The moments and the matching chapter of the episode at `address`, whose stored
    /// document is `doc`.
    pub(crate) fn find(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        doc: &TantivyDocument,
    ) -> Result<Spots> {
        let Some(spoken) = spoken::in_document(doc, self.fields.spoken) else {
            return Ok(Spots::default());
        };
        let mut spots = Spots::default();
        if spoken.chapter_count() > 0 && !self.titled.is_empty() {
            let matched = positions(searcher, address, self.fields.chapters, &self.titled)?;
            spots.chapter = best_chapter(&spoken, &matched);
        }
        if self.limit > 0 && spoken.timed() && spoken.cue_count() > 0 && !self.said.is_empty() {
            let matched = positions(searcher, address, self.fields.transcript, &self.said)?;
            spots.moments = self.moments(&spoken, &matched);
        }
        Ok(spots)
    }

    fn moments(&self, spoken: &Spoken, matched: &[(u32, usize)]) -> Vec<Moment> {
        // Every run of matched words close together, best first: most distinct words, then
        // the tightest (fewest words between the first and the last), then words in the
        // query's order side by side (a phrase), then most words, then earliest.
        // A run stops at a pause: words a few apart in the text can be an hour apart in time
        // when nothing was transcribed between them.
        // Each matched word's cue, looked up once.
        let cues_of: Vec<Option<CueRef>> = matched.iter().map(|m| spoken.cue_at(m.0)).collect();
        let paused = |i: usize| match (&cues_of[i], &cues_of[i + 1]) {
            (Some(this), Some(next)) => next.start - this.end > PAUSE,
            _ => false,
        };
        let mut runs: Vec<(usize, u32, usize, usize, Range<usize>)> = Vec::new();
        for first in 0..matched.len() {
            let from = matched[first].0;
            let mut last = first;
            while last + 1 < matched.len() && matched[last + 1].0 - from <= NEAR && !paused(last) {
                last += 1;
            }
            let run = &matched[first..=last];
            let distinct = run.iter().map(|m| m.1).collect::<BTreeSet<_>>().len();
            let in_order = run
                .windows(2)
                .filter(|w| w[1].0 == w[0].0 + 1 && w[1].1 == w[0].1 + 1)
                .count();
            // Only the words that add a distinct one count towards the span: a run that repeats
            // a word at its end is as tight as the run without it.
            let mut seen = BTreeSet::new();
            let mut span_end = from;
            for m in run {
                if seen.insert(m.1) {
                    span_end = m.0;
                }
            }
            runs.push((
                distinct,
                span_end - from,
                in_order,
                run.len(),
                first..last + 1,
            ));
        }
        runs.sort_by(|a, b| {
            (b.0, a.1, b.2, b.3)
                .cmp(&(a.0, b.1, a.2, a.3))
                .then(a.4.start.cmp(&b.4.start))
        });
        let mut taken: Vec<Range<usize>> = Vec::new();
        let mut moments = Vec::new();
        for (_, _, _, _, run) in runs {
            if moments.len() >= self.limit {
                break;
            }
            let (Some(first), Some(last)) = (cues_of[run.start], cues_of[run.end - 1]) else {
                continue;
            };
            let words = &matched[run];
            let cues = first.index..(last.index + 1).min(first.index + MOST_CUES);
            if taken
                .iter()
                .any(|t| t.start < cues.end && cues.start < t.end)
            {
                continue;
            }
            if let Some(wanted) = &self.speaker {
                if first.speaker.map(str::to_lowercase).as_ref() != Some(wanted) {
                    continue;
                }
            }
            let at: Vec<u32> = words.iter().map(|w| w.0).collect();
            moments.push(moment(spoken, cues.clone(), &at));
            taken.push(cues);
        }
        moments
    }
}

/// A moment over `cues`, the words at positions `at` highlighted.
fn moment(spoken: &Spoken, cues: Range<usize>, at: &[u32]) -> Moment {
    let cues: Vec<CueRef> = cues.filter_map(|i| spoken.cue(i)).collect();
    let mut text = String::new();
    let mut highlights: Vec<Range<usize>> = Vec::new();
    for cue in &cues {
        if !text.is_empty() {
            text.push(' ');
        }
        let offset = text.len();
        text.push_str(cue.text);
        for token in tokenizer::split(cue.text) {
            let position = cue.position.saturating_add(token.position as u32);
            if at.binary_search(&position).is_ok() {
                let range = offset + token.offset_from..offset + token.offset_to;
                // Pairs of Chinese characters overlap: join them into one range.
                match highlights.last_mut() {
                    Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
                    _ => highlights.push(range),
                }
            }
        }
    }
    let anchor = highlights.first().map_or(0, |r| r.start);
    let shown = snippet::window(&text, &highlights, anchor, MOMENT_CHARS);
    let (start, end) = match (cues.first(), cues.last()) {
        (Some(first), Some(last)) => (first.start, last.end.max(first.start)),
        _ => (0.0, 0.0),
    };
    Moment {
        start,
        end,
        speaker: cues.first().and_then(|c| c.speaker).map(str::to_string),
        text: shown.text,
        highlights: shown.highlights,
        chapter: spoken.chapter_playing(start).map(|c| c.title.to_string()),
    }
}

/// The chapter whose title holds the most distinct matched words (the earliest of equals).
fn best_chapter(spoken: &Spoken, matched: &[(u32, usize)]) -> Option<ChapterMatch> {
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < matched.len() {
        let chapter = spoken.chapter_at(matched[i].0)?;
        let mut words = BTreeSet::new();
        while i < matched.len()
            && spoken.chapter_at(matched[i].0).map(|c| c.index) == Some(chapter.index)
        {
            words.insert(matched[i].1);
            i += 1;
        }
        if best.is_none_or(|(_, n)| words.len() > n) {
            best = Some((chapter.index, words.len()));
        }
    }
    let chapter = spoken.chapter(best?.0)?;
    Some(ChapterMatch {
        start: chapter.start,
        title: chapter.title.to_string(),
    })
}

/// Every position in `field` of the episode at `address` where one of `terms` is, with the
/// term's index, in the order of position.
fn positions(
    searcher: &Searcher,
    address: DocAddress,
    field: Field,
    terms: &[Term],
) -> Result<Vec<(u32, usize)>> {
    let segment = searcher.segment_reader(address.segment_ord);
    let inverted = segment.inverted_index(field)?;
    let mut matched = Vec::new();
    let mut buffer = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let Some(mut postings) = inverted
            .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
            .map_err(tantivy::TantivyError::from)?
        else {
            continue;
        };
        // A postings list starts at its first episode; seeking may only go forward.
        let at = postings.doc();
        let found = at == address.doc_id
            || (at < address.doc_id && postings.seek(address.doc_id) == address.doc_id);
        if found {
            postings.positions(&mut buffer);
            matched.extend(buffer.iter().map(|&p| (p, i)));
        }
    }
    matched.sort_unstable();
    Ok(matched)
}

/// `url` with a media fragment that starts playback at `seconds` (`#t=754`).
pub fn moment_url(url: &str, seconds: f64) -> String {
    let base = url.split('#').next().unwrap_or(url);
    format!("{base}#t={}", seconds.max(0.0).floor() as u64)
}

/// `seconds` as a listener reads it: `12:34`, or `1:02:03` past the hour.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).floor() as u64;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_and_url() {
        assert_eq!(clock(754.9), "12:34");
        assert_eq!(clock(3723.0), "1:02:03");
        assert_eq!(clock(-3.0), "0:00");
        assert_eq!(
            moment_url("https://example.org/ep#old", 754.2),
            "https://example.org/ep#t=754"
        );
    }
}
