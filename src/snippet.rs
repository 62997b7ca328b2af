//! Highlighted fragments: which part of a text to show and which byte ranges to highlight.
//! Ranges, not markup: rendering is the printer's job.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use crate::schema;
use crate::tokenizer;

/// A piece of text with the byte ranges (into `text`) that matched the query.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Highlighted {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// Merge highlight ranges that touch or are separated only by spaces or joining punctuation,
/// so a matched phrase (`tech debt`, `node.js`) shows as one span.
pub fn merge_ranges(text: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut sorted: Vec<Range<usize>> = ranges.to_vec();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for r in sorted {
        if let Some(last) = out.last_mut() {
            let gap = text.get(last.end..r.start.max(last.end)).unwrap_or("x");
            if r.start <= last.end
                || (gap.chars().count() <= 3
                    && gap
                        .chars()
                        .all(|c| c == ' ' || c == '-' || c == '.' || c == '/'))
            {
                last.end = last.end.max(r.end);
                continue;
            }
        }
        out.push(r);
    }
    out
}

/// Cut a window of at most `max_chars` characters out of `text` around `anchor` (a byte
/// offset), starting and ending on word boundaries, with highlight ranges shifted into it.
/// The window starts a little before the anchor so the match has context.
pub fn window(text: &str, ranges: &[Range<usize>], anchor: usize, max_chars: usize) -> Highlighted {
    let max_chars = max_chars.max(20);
    if text.chars().count() <= max_chars {
        return Highlighted {
            text: text.to_string(),
            highlights: ranges.to_vec(),
        };
    }
    // Context before the anchor: up to a fifth of the budget, back to a sentence start if near.
    let lead = max_chars / 5;
    let mut start = floor_char(text, anchor.min(text.len()));
    for (taken, (i, c)) in text[..start].char_indices().rev().enumerate() {
        if taken >= lead {
            break;
        }
        if matches!(c, '.' | '!' | '?' | '\n') && i + c.len_utf8() < start {
            start = i + c.len_utf8();
            break;
        }
        start = i;
    }
    // Move forward to a word start.
    if start > 0 && !text[..start].ends_with(char::is_whitespace) {
        if let Some(i) = text[start..].find(char::is_whitespace) {
            if start + i < anchor {
                start += i;
            }
        }
    }
    while text[start..].starts_with(char::is_whitespace) {
        start += text[start..].chars().next().map_or(1, char::len_utf8);
    }
    // Keep at most max_chars, ending on a word boundary.
    let mut end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| start + i);
    if end < text.len() {
        if let Some(i) = text[start..end].rfind(char::is_whitespace) {
            if i > 0 {
                end = start + i;
            }
        }
    }
    let slice = text[start..end].trim_end();
    let end = start + slice.len();
    let highlights = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| r.start - start..r.end - start)
        .collect();
    Highlighted {
        text: slice.to_string(),
        highlights,
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The opening of `text` cut to `max_chars` on a word boundary (no highlights).
pub fn opening(text: &str, max_chars: usize) -> Highlighted {
    window(text, &[], 0, max_chars)
}

/// How highlighting tells which words of a text match one query's terms in one field: a word
/// matches when its analysis (lower-cased, accents folded, English stem, as the index holds
/// it) is one of the terms. Only words that could stem to a term are stemmed, and an ASCII
/// word is ruled out by its first letters alone: stemming and copying every word of every hit
/// was the largest cost of a search with snippets, and most words cannot match.
#[derive(Clone)]
pub struct WordMatcher {
    /// The terms, with the weight a fragment scores for each word matching one.
    terms: BTreeMap<String, f32>,
    prefixes: Vec<String>,
    stemmer: frostem::Stemmer,
    /// Words stemmed so far (lower-cased, folded) and the weight each gave: a page's hits
    /// repeat most of their words, and a short prefix (`ho` for `hole`) lets many through.
    seen: RefCell<HashMap<String, Option<f32>>>,
    /// Lower-cases and folds a non-ASCII word (made once, not once a word).
    folder: RefCell<TextAnalyzer>,
}

impl WordMatcher {
    /// For these query terms (as the index holds them: stems) and their weights.
    pub fn new(terms: BTreeMap<String, f32>) -> WordMatcher {
        let prefixes = terms.keys().map(|t| stem_prefix(t)).collect();
        WordMatcher {
            terms,
            prefixes,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            seen: RefCell::new(HashMap::new()),
            folder: RefCell::new(schema::word_folder()),
        }
    }

    /// False when no word of `text` can match: an ASCII text holding none of the words' stem
    /// prefixes anywhere (found without splitting it into words, which costs far more). A text
    /// with other characters is always worth splitting: accent folding could make a match.
    pub fn may_match(&self, text: &str) -> bool {
        if self.terms.is_empty() {
            return false;
        }
        if !text.is_ascii() {
            return true;
        }
        let lower = text.to_ascii_lowercase();
        self.prefixes.iter().any(|p| lower.contains(p.as_str()))
    }

    /// The weight of the term `word` (as the word splitter gives it) matches, if any.
    pub fn weight(&self, word: &str) -> Option<f32> {
        let could = |w: &str| self.prefixes.iter().any(|p| w.starts_with(p.as_str()));
        let folded = if word.is_ascii() {
            let has_prefix = self.prefixes.iter().any(|p| {
                word.len() >= p.len()
                    && word.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            });
            if !has_prefix {
                return None;
            }
            word.to_ascii_lowercase()
        } else {
            let mut folder = self.folder.borrow_mut();
            let mut stream = folder.token_stream(word);
            let folded = stream
                .next()
                .map_or_else(String::new, |token| token.text.clone());
            if !could(&folded) {
                return None;
            }
            folded
        };
        if let Some(&known) = self.seen.borrow().get(&folded) {
            return known;
        }
        let weight = self.terms.get(self.stemmer.stem(&folded).as_ref()).copied();
        self.seen.borrow_mut().insert(folded, weight);
        weight
    }

    /// The best fragment of `text` of at most `max_bytes`, and the ranges of its matching
    /// words; `None` when no word matches. Fragments are cut as tantivy's `SnippetGenerator`
    /// cuts them: a new one starts at the word that would take the current one past
    /// `max_bytes`; a fragment scores the weights of its matching words, and the first of the
    /// best is taken.
    pub fn best_fragment(
        &self,
        text: &str,
        max_bytes: usize,
    ) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        struct Fragment {
            start: usize,
            stop: usize,
            score: f32,
            matches: Vec<Range<usize>>,
        }
        let mut best: Option<Fragment> = None;
        let mut keep = |fragment: Fragment| {
            if fragment.score > 0.0 && best.as_ref().is_none_or(|b| fragment.score > b.score) {
                best = Some(fragment);
            }
        };
        let mut current = Fragment {
            start: 0,
            stop: 0,
            score: 0.0,
            matches: Vec::new(),
        };
        tokenizer::for_each_word(text, |from, to, word| {
            // The analyzer drops words this long (`RemoveLongFilter`), so they cut nothing.
            if word.len() >= schema::LONGEST_WORD {
                return;
            }
            if to - current.start > max_bytes {
                let next = Fragment {
                    start: from,
                    stop: from,
                    score: 0.0,
                    matches: Vec::new(),
                };
                keep(std::mem::replace(&mut current, next));
            }
            current.stop = to;
            if let Some(weight) = self.weight(word) {
                current.score += weight;
                current.matches.push(from..to);
            }
        });
        keep(current);
        best.map(|b| (b.start..b.stop, b.matches))
    }
}

/// What a word must start with to stem to `term`. An English (Porter 2) stem keeps its word
/// up to at most its last two characters (`dying` → `die`, `skies` → `sky` are the furthest
/// cases), so a word starting otherwise cannot stem to `term`.
fn stem_prefix(term: &str) -> String {
    let keep = term.chars().count().saturating_sub(2).max(1);
    term.chars().take(keep).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_words_merge_into_one_span() {
        let text = "managing tech debt, while tech and debt";
        let merged = merge_ranges(text, &[9..13, 14..18, 26..30, 35..39]);
        assert_eq!(merged, vec![9..18, 26..30, 35..39]);
        assert_eq!(&text[merged[0].clone()], "tech debt");
    }

    #[test]
    fn window_cuts_on_word_boundaries_with_context() {
        let text = "One two three. Four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.";
        let anchor = text.find("seven").unwrap();
        let ranges = vec![anchor..anchor + 5, text.len()..text.len()];
        let w = window(text, &ranges, anchor, 30);
        assert_eq!(w.text, "six seven eight nine ten");
        assert_eq!(&w.text[w.highlights[0].clone()], "seven");
    }

    #[test]
    fn opening_keeps_short_text_whole() {
        assert_eq!(opening("short", 200).text, "short");
        assert_eq!(
            opening("alpha beta gamma delta epsilon zeta eta theta", 20).text,
            "alpha beta gamma"
        );
    }

    fn matcher(terms: &[&str]) -> WordMatcher {
        WordMatcher::new(terms.iter().map(|t| (t.to_string(), 1.0)).collect())
    }

    #[test]
    fn a_text_without_the_prefixes_cannot_match() {
        let t = matcher(&["die", "cafe", ".net"]);
        assert!(t.may_match("Everyone DIES in the end"));
        assert!(t.may_match("built on .NET"));
        assert!(!t.may_match("Nothing here: living, coffee, a net"));
        // Not ASCII: `Café` folds to `cafe`, so it is split and looked at.
        assert!(t.may_match("Un Café"));
        assert!(!matcher(&[]).may_match("anything"));
    }

    #[test]
    fn words_match_through_the_indexs_analysis() {
        let text = "Dying skies, running Cafés and generously organized meetings";
        let organized = schema::analyze("organized").remove(0);
        let t = matcher(&["die", "cafe", "meet", &organized]);
        let matched: Vec<&str> = tokenizer::split(text)
            .iter()
            .filter(|w| t.weight(&w.text).is_some())
            .map(|w| &text[w.offset_from..w.offset_to])
            .collect();
        assert_eq!(matched, ["Dying", "Cafés", "organized", "meetings"]);
    }

    /// tantivy's `SnippetGenerator` over the full English analysis: the fragments
    /// `best_fragment` must pick.
    fn tantivys(
        text: &str,
        terms: &BTreeMap<String, f32>,
        max: usize,
    ) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        let generator = tantivy::snippet::SnippetGenerator::new(
            terms.clone(),
            schema::english_analyzer(),
            tantivy::schema::Field::from_field_id(0),
            max,
        );
        let snippet = generator.snippet(text);
        let range = snippet.fragment_range();
        (!snippet.highlighted().is_empty()).then(|| {
            let shift = range.start;
            (
                range,
                snippet
                    .highlighted()
                    .iter()
                    .map(|r| r.start + shift..r.end + shift)
                    .collect(),
            )
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn fragments_are_the_ones_tantivy_picks(
            words in proptest::collection::vec(
                "(Running|runs|the|Café|cafe|dying|DIE|x|meeting|C\\+\\+|\\.NET|node\\.js|qatar's|[a-z]{1,9}|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)",
                0..40,
            ),
            seps in proptest::collection::vec("( |, |\\. |\\n| - )", 40),
            max in 8usize..80,
            weights in proptest::collection::vec(0.01f32..1.0, 5),
        ) {
            let text: String = words
                .iter()
                .zip(&seps)
                .map(|(w, s)| format!("{w}{s}"))
                .collect();
            let terms: BTreeMap<String, f32> = ["run", "cafe", "die", "meet", "c++"]
                .iter()
                .zip(&weights)
                .map(|(t, w)| (t.to_string(), *w))
                .collect();
            let ours = WordMatcher::new(terms.clone()).best_fragment(&text, max);
            proptest::prop_assert_eq!(ours, tantivys(&text, &terms, max));
        }
    }
}
