//! Highlighted fragments: which part of a text to show and which byte ranges to highlight.
//! Ranges, not markup: rendering is the printer's job.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use crate::index::schema;
use crate::index::tokenizer::{self, WordHasher};

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
/// it) is one of the terms. The words that could match are found by searching the text for
/// the terms' stem prefixes (`best_fragment`), and only words that could stem to a term are
/// stemmed: weighing every word of every hit was the largest cost of a search with snippets,
/// and most words cannot match.
#[derive(Clone)]
pub struct WordMatcher {
    /// The terms, with the weight a fragment scores for each word matching one.
    terms: BTreeMap<String, f32>,
    /// Each term's stem prefix and the term's length: a word matches only if it starts with
    /// the prefix and is at least as long (an English stem is never longer than its word).
    prefixes: Vec<(String, usize)>,
    /// `starts[b]`: some prefix starts with the ASCII byte `b` (lower case). A word starting
    /// with another ASCII letter cannot match: folding leaves ASCII letters as they are.
    starts: [bool; 128],
    stemmer: frostem::Stemmer,
    /// Words stemmed so far (lower-cased, folded) and the weight each gave: a page's hits
    /// repeat most of their words, and a short prefix (`ho` for `hole`) lets many through.
    seen: RefCell<HashMap<String, Option<f32>, BuildHasherDefault<WordHasher>>>,
    /// The word being weighed, lower-cased and folded (a buffer reused from word to word).
    folded: RefCell<String>,
    /// Lower-cases and folds a non-ASCII word (made once, not once a word).
    folder: RefCell<TextAnalyzer>,
    /// Searches for each ASCII prefix (a word of an ASCII text can match no other).
    finders: Vec<memchr::memmem::Finder<'static>>,
    /// The lower-cased text being searched (a buffer reused from text to text).
    lower: RefCell<Vec<u8>>,
}

impl WordMatcher {
    /// For these query terms (as the index holds them: stems) and their weights.
    pub fn new(terms: BTreeMap<String, f32>) -> WordMatcher {
        let prefixes: Vec<(String, usize)> =
            terms.keys().map(|t| (stem_prefix(t), t.len())).collect();
        let mut starts = [false; 128];
        for (p, _) in &prefixes {
            if let Some(&b) = p.as_bytes().first().filter(|b| b.is_ascii()) {
                starts[usize::from(b.to_ascii_lowercase())] = true;
            } else {
                // A prefix starting with another character: let every word through.
                starts = [true; 128];
                break;
            }
        }
        WordMatcher {
            finders: {
                let mut ascii: Vec<&str> = prefixes
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .filter(|p| p.is_ascii())
                    .collect();
                ascii.sort_unstable();
                ascii.dedup();
                ascii
                    .into_iter()
                    .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
                    .collect()
            },
            terms,
            prefixes,
            starts,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            seen: RefCell::new(HashMap::default()),
            folded: RefCell::new(String::new()),
            folder: RefCell::new(schema::word_folder()),
            lower: RefCell::new(Vec::new()),
        }
    }

    /// The weight of the term `word` (as the word splitter gives it) matches, if any.
    pub fn weight(&self, word: &str) -> Option<f32> {
        let first = *word.as_bytes().first()?;
        if first.is_ascii() && !self.starts[usize::from(first.to_ascii_lowercase())] {
            return None;
        }
        let mut folded = self.folded.borrow_mut();
        folded.clear();
        if word.is_ascii() {
            let could = self.prefixes.iter().any(|(p, term_len)| {
                word.len() >= *term_len
                    && word.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            });
            if !could {
                return None;
            }
            folded.push_str(word);
            folded.make_ascii_lowercase();
        } else {
            let mut folder = self.folder.borrow_mut();
            let mut stream = folder.token_stream(word);
            if let Some(token) = stream.next() {
                folded.push_str(&token.text);
            }
            if !self
                .prefixes
                .iter()
                .any(|(p, _)| folded.starts_with(p.as_str()))
            {
                return None;
            }
        }
        if let Some(&known) = self.seen.borrow().get(folded.as_str()) {
            return known;
        }
        let weight = self.terms.get(self.stemmer.stem(&folded).as_ref()).copied();
        self.seen.borrow_mut().insert(folded.clone(), weight);
        weight
    }

    /// The best fragment of `text` of at most `max_bytes`, and the ranges of its matching
    /// words; `None` when no word matches. Fragments are cut as tantivy's `SnippetGenerator`
    /// cuts them: a new one starts at the word that would take the current one past
    /// `max_bytes`; a fragment scores the weights of its matching words, and the first of the
    /// best is taken.
    pub fn best_fragment(&self, text: &str, max_bytes: usize) -> Option<Fragment> {
        match self.best_fragment_by_search(text, max_bytes, true) {
            Some(found) => found,
            None => self.best_fragment_word_by_word(text, max_bytes),
        }
    }

    /// The ranges of the matching words of `best_fragment`, without working out where the
    /// fragment stops (which highlighting does not need).
    pub fn best_matches(&self, text: &str, max_bytes: usize) -> Option<Vec<Range<usize>>> {
        match self.best_fragment_by_search(text, max_bytes, false) {
            Some(found) => found.map(|(_, matches)| matches),
            None => self
                .best_fragment_word_by_word(text, max_bytes)
                .map(|(_, matches)| matches),
        }
    }

    /// `best_fragment` without testing every word. The words that could match are found by
    /// searching the text (its ASCII letters lower-cased) for the terms' prefixes, and for what
    /// a search for them misses: apostrophes, which join words (`rock'n'roll`), and characters
    /// outside ASCII, which folding could turn into a match (`Café`). Only the fragments'
    /// first words are worked out: each from the last separator before the point where the
    /// fragment before runs out of room. `None` (walk every word instead) when a fragment
    /// border sits in a run of over `RESYNC` bytes without a separator, or when more than one
    /// character in `DENSE` is outside ASCII (Greek, Cyrillic: every word is worth testing).
    /// Without `with_stop`, the fragment's range is empty (`start..start`).
    fn best_fragment_by_search(
        &self,
        text: &str,
        max_bytes: usize,
        with_stop: bool,
    ) -> Option<Option<Fragment>> {
        let b = text.as_bytes();
        let mut word = String::new();
        let matches = self.matching_words(text, &mut word)?;
        let Some(&(last_match, _, _)) = matches.last() else {
            return Some(None);
        };
        // Walk the fragments from the start, scoring each with the matches inside it.
        let mut best: Option<(f32, usize, Option<usize>, Range<usize>)> = None;
        let mut start: usize = 0;
        let mut first = true;
        let mut m = 0;
        loop {
            let after = (!first).then_some(start);
            let limit = start.saturating_add(max_bytes);
            let next = first_word_ending_after(text, limit, after, &mut word)?;
            let end = next.unwrap_or(usize::MAX);
            let from_m = m;
            let mut score = 0.0f32;
            while m < matches.len() && matches[m].0 < end {
                score += matches[m].2;
                m += 1;
            }
            if score > 0.0 && best.as_ref().is_none_or(|(s, ..)| score > *s) {
                best = Some((score, start, next, from_m..m));
            }
            match next {
                Some(from) if from <= last_match => {
                    start = from;
                    first = false;
                }
                _ => break,
            }
        }
        let Some((_, start, end, inside)) = best else {
            return Some(None);
        };
        let ranges = matches[inside]
            .iter()
            .map(|&(from, to, _)| from..to)
            .collect();
        if !with_stop {
            return Some(Some((start..start, ranges)));
        }
        // Where the best fragment stops: the end of its last word.
        let mut stop = start;
        let mut words = tokenizer::Words::starting_at(text, resync(b, start)?);
        while let Some((from, to)) = words.next_into(&mut word) {
            if end.is_some_and(|end| from >= end) {
                break;
            }
            if from >= start && word.len() < schema::LONGEST_WORD {
                stop = to;
            }
        }
        Some(Some((start..stop, ranges)))
    }

    /// The words of `text` that match, in order: (from, to, weight); `None` when the search
    /// gives way to walking every word (see `best_fragment_by_search`).
    fn matching_words(&self, text: &str, word: &mut String) -> Option<Vec<(usize, usize, f32)>> {
        let b = text.as_bytes();
        let mut candidates: Vec<usize> = memchr::memchr_iter(b'\'', b).collect();
        if !text.is_ascii() {
            let before = candidates.len();
            // Where each character outside ASCII starts.
            candidates.extend((0..b.len()).filter(|&i| b[i] >= 0xC0));
            if (candidates.len() - before) * DENSE > b.len() {
                return None;
            }
        }
        {
            let mut lower = self.lower.borrow_mut();
            lower.clear();
            lower.extend(b.iter().map(u8::to_ascii_lowercase));
            for finder in &self.finders {
                let mut at = 0;
                while let Some(found) = finder.find(&lower[at..]) {
                    let p = at + found;
                    // A word starts after something that is not a letter or digit (a word
                    // joined by an apostrophe was found by its apostrophe).
                    if p == 0 || !b[p - 1].is_ascii_alphanumeric() {
                        candidates.push(p);
                    }
                    at = p + 1;
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut matches = Vec::new();
        // Candidates inside a word already weighed are passed over.
        let mut weighed_to = 0;
        for at in candidates {
            if at < weighed_to {
                continue;
            }
            let Some((from, to)) = word_covering(text, at, word)? else {
                continue;
            };
            weighed_to = to;
            if word.len() >= schema::LONGEST_WORD {
                continue;
            }
            if let Some(weight) = self.weight(word) {
                matches.push((from, to, weight));
            }
        }
        Some(matches)
    }

    /// `best_fragment`, testing every word of the text in turn.
    fn best_fragment_word_by_word(&self, text: &str, max_bytes: usize) -> Option<Fragment> {
        struct Candidate {
            start: usize,
            stop: usize,
            score: f32,
            matches: Vec<Range<usize>>,
        }
        let mut best: Option<Candidate> = None;
        let mut keep = |fragment: Candidate| {
            if fragment.score > 0.0 && best.as_ref().is_none_or(|b| fragment.score > b.score) {
                best = Some(fragment);
            }
        };
        let mut current = Candidate {
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
                let next = Candidate {
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

/// A fragment's range and the ranges of its matching words.
type Fragment = (Range<usize>, Vec<Range<usize>>);

/// The longest run without a separator that the fragment search steps back over.
const RESYNC: usize = 256;

/// The fragment search gives way to walking every word when more than one character in this
/// many bytes is outside ASCII.
const DENSE: usize = 16;

/// The start of the run of possible word characters that byte `at` is in (or `at` itself):
/// the run ends after an ASCII byte that no word holds, so no word spans it and words found
/// from there are the text's own. `None` past `RESYNC` bytes.
fn resync(b: &[u8], at: usize) -> Option<usize> {
    let at = at.min(b.len());
    let mut k = at;
    while k > 0
        && (b[k - 1] >= 0x80
            || matches!(b[k - 1], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'\'' | b'.' | b'+' | b'#'))
    {
        k -= 1;
        if at - k > RESYNC {
            return None;
        }
    }
    Some(k)
}

/// The byte range of the word of `text` that byte `at` is in, if any, the word written into
/// `word`; `None` outside: see `resync`.
fn word_covering(text: &str, at: usize, word: &mut String) -> Option<Option<(usize, usize)>> {
    let mut words = tokenizer::Words::starting_at(text, resync(text.as_bytes(), at)?);
    while let Some((from, to)) = words.next_into(word) {
        if from > at {
            break;
        }
        if at < to {
            return Some(Some((from, to)));
        }
    }
    Some(None)
}

/// Where the first word of `text` shorter than `LONGEST_WORD` that ends after byte `limit`
/// and starts after `after` starts: the next fragment's start. `None` inside: no such word;
/// `None` outside: see `resync`.
fn first_word_ending_after(
    text: &str,
    limit: usize,
    after: Option<usize>,
    word: &mut String,
) -> Option<Option<usize>> {
    if limit >= text.len() {
        return Some(None);
    }
    let mut words = tokenizer::Words::starting_at(text, resync(text.as_bytes(), limit)?);
    while let Some((from, to)) = words.next_into(word) {
        if to > limit && after.is_none_or(|after| from > after) && word.len() < schema::LONGEST_WORD
        {
            return Some(Some(from));
        }
    }
    Some(None)
}

/// What a word must start with to stem to `term`. An English (Porter 2) stem is its word up
/// to at most its last character, which a rule may have replaced (`happy` → `happi`,
/// `skies` → `sky`, `organization` → `organize`), except where `-ying` became `-ie` (`dying`
/// → `die`, `vying` → `vie`): a stem ending in `ie` keeps one character less. Checked over
/// the 160,523 distinct words of the two datasets (`-ying` words were the only ones needing
/// the second character) and by the proptests below.
fn stem_prefix(term: &str) -> String {
    let drop = if term.ends_with("ie") { 2 } else { 1 };
    let keep = term.chars().count().saturating_sub(drop).max(1);
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
    fn tantivys(text: &str, terms: &BTreeMap<String, f32>, max: usize) -> Option<Fragment> {
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

    #[test]
    fn a_search_for_prefixes_finds_words_joined_by_apostrophes() {
        let terms: BTreeMap<String, f32> = ["abcdef", "rocknroll"]
            .iter()
            .map(|t| (schema::analyze(t).remove(0), 1.0))
            .collect();
        let matcher = WordMatcher::new(terms);
        let text = "xx ab'cdef yy and then some words, then rock'n'roll's own zz";
        let searched = matcher
            .best_fragment_by_search(text, 20, true)
            .expect("no long run");
        assert_eq!(searched, matcher.best_fragment_word_by_word(text, 20));
        let (range, matches) = searched.clone().expect("a match");
        assert_eq!(range, 0..17);
        let matched: Vec<&str> = matches.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(matched, ["ab'cdef"]);
        let searched = matcher
            .best_fragment_by_search(text, 80, true)
            .expect("no long run");
        assert_eq!(searched, matcher.best_fragment_word_by_word(text, 80));
        let (_, ranges) = searched.expect("both match");
        let matched: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(matched, ["ab'cdef", "rock'n'roll's"]);
        // Folding makes a match where a search for the prefix sees none: `é` is not `e`.
        let terms: BTreeMap<String, f32> = [("resum".to_string(), 1.0)].into();
        let folding = WordMatcher::new(terms);
        let text = "her résumé, two pages long, lists every job she has held since leaving school";
        let searched = folding.best_fragment_by_search(text, 40, true);
        assert_eq!(searched, Some(folding.best_fragment_word_by_word(text, 40)));
        let (_, ranges) = searched.flatten().expect("a match");
        assert_eq!(&text[ranges[0].clone()], "résumé");
        // Past a run of over `RESYNC` bytes without a separator, the search gives up.
        let long = format!("{} ab'cdef", "a.".repeat(200));
        assert_eq!(matcher.best_fragment_by_search(&long, 20, true), None);
        assert!(matcher.best_fragment(&long, 20).is_some());
    }

    #[test]
    fn a_word_starts_with_the_prefix_of_its_stem() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        for word in [
            "dying",
            "vying",
            "lying",
            "skies",
            "happy",
            "happiness",
            "organization",
            "organizer",
            "possibility",
            "possibly",
            "relational",
            "activity",
            "hopping",
            "hoping",
            "valency",
            "operator",
            "hole",
            "holes",
        ] {
            let stem = stemmer.stem(word);
            let prefix = stem_prefix(stem.as_ref());
            assert!(word.starts_with(&prefix), "{word} → {stem}: {prefix}");
        }
        // No looser than it must be: all but the last character, two before `ie`.
        assert_eq!(stem_prefix("hole"), "hol");
        assert_eq!(stem_prefix("happi"), "happ");
        assert_eq!(stem_prefix("die"), "d");
        assert_eq!(stem_prefix("a"), "a");
    }

    /// Each word followed by its separator: the texts the proptests try.
    fn joined(words: &[String], seps: &[String]) -> String {
        words
            .iter()
            .zip(seps)
            .map(|(w, s)| format!("{w}{s}"))
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn searching_for_prefixes_picks_what_walking_every_word_picks(
            words in proptest::collection::vec(
                "(Running|run's|runs|rock'n'roll|don't|the|cafe|dying|DIE|die's|vying|Happy|happier|happiness|skies|Sky|organization|organizer|possibility|possibly|activity|active|x|meeting|c\\+\\+|C#|\\.NET|a\\.net|node\\.js|qatar's|run's\\+\\+|[a-z]{1,9}|[a-z]{60,70}|'s|\\+\\+|#|'|\\.|[a-z]{20}'[a-z]{20}'[a-z]{30}|ab'cdef|AB'CDEF's|[0-9]{1,4}|Café|CAFÉS|naïve|don’t|rock’n’roll|Ελληνικά|İstanbul|\u{212A}afe|résumé|RÉSUMÉS|Éclair|éclairs|“quoted”|—|日本語)",
                0..60,
            ),
            seps in proptest::collection::vec("(| |  |, |\\. |\\n| - |'|\\.|\\+|#|[ ]{30,300}|’|—|é)", 60),
            max in 1usize..120,
            weights in proptest::collection::vec(0.01f32..1.0, 15),
        ) {
            let text = joined(&words, &seps);
            // The terms as the index holds them. `rock'n'roll` matches only through an
            // apostrophe, `résumé` and `Éclair` only through folding, where a search for their
            // prefixes cannot see. `happy`, `skies`, `organization`, `possibility` and
            // `activity` have stems whose last character is not their word's, `dying` and
            // `vying` stems whose last two are not.
            let terms: BTreeMap<String, f32> = [
                "running", "cafe", "dying", ".net", "c++", "rocknroll", "don't", "résumé",
                "éclair", "vying", "happy", "skies", "organization", "possibility", "activity",
            ]
                    .iter()
                    .zip(&weights)
                    .map(|(t, w)| (schema::analyze(t).remove(0), *w))
                    .collect();
            let matcher = WordMatcher::new(terms);
            let walked = matcher.best_fragment_word_by_word(&text, max);
            if let Some(searched) = matcher.best_fragment_by_search(&text, max, true) {
                proptest::prop_assert_eq!(&searched, &walked);
            }
            proptest::prop_assert_eq!(
                matcher.best_matches(&text, max),
                walked.map(|(_, matches)| matches)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn fragments_are_the_ones_tantivy_picks(
            words in proptest::collection::vec(
                "(Running|runs|the|Café|cafe|dying|DIE|happy|Happiness|skies|x|meeting|C\\+\\+|\\.NET|node\\.js|qatar's|[a-z]{1,9}|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)",
                0..40,
            ),
            seps in proptest::collection::vec("( |, |\\. |\\n| - )", 40),
            max in 8usize..80,
            weights in proptest::collection::vec(0.01f32..1.0, 7),
        ) {
            let text = joined(&words, &seps);
            let terms: BTreeMap<String, f32> = ["run", "cafe", "die", "meet", "c++", "happi", "sky"]
                .iter()
                .zip(&weights)
                .map(|(t, w)| (t.to_string(), *w))
                .collect();
            let ours = WordMatcher::new(terms.clone()).best_fragment(&text, max);
            proptest::prop_assert_eq!(ours, tantivys(&text, &terms, max));
        }
    }
}
