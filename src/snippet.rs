//! Highlighted fragments: which part of a text to show and which byte ranges to highlight.
//! Ranges, not markup: rendering is the printer's job.

use std::ops::Range;
use std::sync::Arc;

use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};

use crate::schema;
use crate::tokenizer::WordTokenStream;

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

/// The English analyzer as highlighting uses it for one query: the same tokens and stems as
/// the index holds, except that only words that could stem to one of the query's terms are
/// stemmed. Stemming every word of every hit was the largest single cost of a search with
/// snippets; the other words cannot match, so their unstemmed form serves as well.
#[derive(Clone)]
pub struct MatchTokenizer {
    words: TextAnalyzer,
    stemmer: TextAnalyzer,
    prefixes: Arc<[String]>,
}

impl MatchTokenizer {
    /// For these query terms (as the index holds them: stems).
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> MatchTokenizer {
        MatchTokenizer {
            words: schema::english_words(),
            stemmer: schema::english_stemmer(),
            prefixes: terms.into_iter().map(stem_prefix).collect(),
        }
    }
}

/// What a word must start with to stem to `term`. An English (Porter 2) stem keeps its word
/// up to at most its last two characters (`dying` → `die`, `skies` → `sky` are the furthest
/// cases), so a word starting otherwise cannot stem to `term`.
fn stem_prefix(term: &str) -> String {
    let keep = term.chars().count().saturating_sub(2).max(1);
    term.chars().take(keep).collect()
}

impl Tokenizer for MatchTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        let mut tokens = Vec::new();
        let mut words = self.words.token_stream(text);
        while words.advance() {
            tokens.push(std::mem::take(words.token_mut()));
        }
        drop(words);
        for token in &mut tokens {
            if self
                .prefixes
                .iter()
                .any(|p| token.text.starts_with(p.as_str()))
            {
                let mut stems = self.stemmer.token_stream(&token.text);
                let stem = stems.next().map(|t| t.text.clone());
                drop(stems);
                if let Some(stem) = stem {
                    token.text = stem;
                }
            }
        }
        WordTokenStream::new(tokens)
    }
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

    #[test]
    fn match_tokenizer_stems_what_can_match_like_the_index() {
        let analyzed = |text: &str, terms: &[&str]| {
            let mut t = MatchTokenizer::new(terms.iter().copied());
            let mut s = t.token_stream(text);
            let mut out = Vec::new();
            while let Some(tok) = s.next() {
                out.push(tok.text.clone());
            }
            out
        };
        let text = "Dying skies, running Cafés and generously organized meetings";
        let full = schema::analyze(text);
        let mut terms: Vec<&str> = full.iter().map(String::as_str).collect();
        assert_eq!(analyzed(text, &terms), full);
        terms.retain(|t| *t == "die" || *t == "cafe");
        assert_eq!(
            analyzed(text, &terms),
            [
                "die",
                "skies",
                "running",
                "cafe",
                "and",
                "generously",
                "organized",
                "meetings"
            ]
        );
    }
}
