//! Spelling: the index's own words within a small edit distance of a word it does not hold.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};

use crate::index::vocabulary::Vocabulary;

use super::word_list;

/// How many edits a typed word of `chars` characters may be from its correction when the
/// correction is made without asking: none below 4, one up to 7, two from 8.
pub fn max_edits(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The looser bound for a suggestion (`did you mean`), made only when nothing matched.
pub fn max_suggestion_edits(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// Edit distance counting an insertion, deletion, substitution or swap of neighbours as one
/// edit (`wiregaurd` → `wireguard` is one), over characters.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

/// The word of the vocabulary closest to `word` within `max` edits, with how many texts hold
/// it: fewest edits first, then one with the same first letter (typos rarely hit it:
/// `klien` is `klein` before `alien`), then the one in most texts, then alphabetical. Words
/// holding digits or symbols are never offered. A search of two edits looks only among the
/// words sharing the typed word's first letter (a plain lower-case word is first looked for
/// one edit away in the whole list).
pub fn nearest(vocabulary: &Vocabulary, word: &str, max: usize) -> Option<(String, u64)> {
    if max == 0 {
        return None;
    }
    let mut found: HashMap<String, (usize, u64)> = HashMap::new();
    let plain = !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase());
    if plain {
        // One edit from a plain word: follow the word down the word list, trying at each
        // letter the edits the list offers there, instead of walking every branch the
        // automaton allows. Fewest edits win, so a word found one edit away settles a two-edit
        // search too.
        for variant in word_list::one_edit(vocabulary.fst(), word.as_bytes()) {
            if let Ok(variant) = String::from_utf8(variant) {
                let texts = vocabulary.count(&variant).unwrap_or(0);
                found.insert(variant, (1, texts));
            }
        }
    }
    let settled = plain && (max == 1 || !found.is_empty());
    if !settled {
        // Only prefixes that can still end within `max` edits are walked: a full scan of the
        // dictionary was 93% of a search's time (see BENCHMARKS.md). Up to two edits the walk
        // follows a Levenshtein DFA (a table look-up a byte); beyond, the edit-table automaton.
        if max <= 2 {
            // Two edits are looked for among the words that share the typed word's first
            // letter (typos rarely hit it, as the tie-break below assumes): one letter's
            // branch of the list, not all of it, which made the walk most of the time of a
            // long query holding a word the index lacks.
            let first = word.chars().next().map_or(0, char::len_utf8);
            let (prefix, rest) = word.split_at(if max == 2 { first } else { 0 });
            let dfa = Within(builder(max).build_dfa(rest));
            collect(vocabulary, word, max, prefix, dfa, &mut found);
        } else {
            let rows = WithinEdits::new(word, max);
            collect(vocabulary, word, max, "", rows, &mut found);
        }
    }
    let first = word.chars().next();
    found
        .into_iter()
        .min_by_key(|(term, (edits, freq))| {
            let other_start = term.chars().next() != first;
            (*edits, other_start, std::cmp::Reverse(*freq), term.clone())
        })
        .map(|(term, (_, freq))| (term, freq))
}

/// Every word of the vocabulary under `prefix` whose rest `automaton` accepts and that
/// `distance` puts within `max` edits of `word`, with the texts holding it.
fn collect<A>(
    vocabulary: &Vocabulary,
    word: &str,
    max: usize,
    prefix: &str,
    automaton: A,
    found: &mut HashMap<String, (usize, u64)>,
) where
    A: tantivy_fst::Automaton,
    A::State: Clone,
{
    let len = word.chars().count();
    let mut near = Vec::new();
    word_list::walk_under(vocabulary.fst(), prefix.as_bytes(), &automaton, |term| {
        let Ok(term) = std::str::from_utf8(term) else {
            return;
        };
        if term.chars().count().abs_diff(len) > max
            || !term.chars().all(char::is_alphabetic)
            || term == word
        {
            return;
        }
        let edits = distance(word, term);
        if edits <= max {
            near.push((term.to_string(), edits));
        }
    });
    for (term, edits) in near {
        let texts = vocabulary.count(&term).unwrap_or(0);
        found.insert(term, (edits, texts));
    }
}

/// Every string of letters a to z one edit from `word` (a lower-case ASCII word): each letter
/// deleted, each pair of unequal neighbours swapped, each letter replaced and each letter
/// inserted; sorted, without repeats, never `word` itself.
#[cfg(test)]
pub(crate) fn one_edit_variants(word: &str) -> Vec<String> {
    let b = word.as_bytes();
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(54 * b.len() + 26);
    for i in 0..b.len() {
        out.push([&b[..i], &b[i + 1..]].concat());
    }
    for i in 1..b.len() {
        if b[i - 1] != b[i] {
            let mut v = b.to_vec();
            v.swap(i - 1, i);
            out.push(v);
        }
    }
    for i in 0..=b.len() {
        for c in b'a'..=b'z' {
            if i < b.len() && c != b[i] {
                let mut v = b.to_vec();
                v[i] = c;
                out.push(v);
            }
            out.push([&b[..i], &[c], &b[i..]].concat());
        }
    }
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .filter_map(|v| String::from_utf8(v).ok())
        .collect()
}

/// The Levenshtein DFA builder for `max` (at most 2) edits, a swap of neighbours counting as
/// one; made once a process (two edits take a few milliseconds).
pub(crate) fn builder(max: usize) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    BUILDERS[max].get_or_init(|| LevenshteinAutomatonBuilder::new(max as u8, true))
}

/// A Levenshtein DFA as an FST automaton: the state is a number, a step a table look-up.
pub(crate) struct Within(pub(crate) DFA);

impl tantivy_fst::Automaton for Within {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Ways to read `word` as two words of the vocabulary (`whistleblower` → `whistle` `blower`),
/// each part at least 3 letters, the split whose rarer part is in most texts first.
pub fn splits(vocabulary: &Vocabulary, word: &str) -> Vec<(String, String)> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut found = Vec::new();
    let inner = chars.len().saturating_sub(5);
    for &(at, _) in chars.iter().skip(3).take(inner) {
        let (left, right) = word.split_at(at);
        let texts = |w: &str| vocabulary.count(w).unwrap_or(0);
        let rarer = texts(left).min(texts(right));
        if rarer > 0 {
            found.push((rarer, left.to_string(), right.to_string()));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, l, r)| (l, r)).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn within_edits_accepts_exactly_what_distance_allows() {
        use tantivy_fst::Automaton;
        fn run<A: Automaton>(a: &A, term: &str) -> bool {
            let mut state = a.start();
            for &b in term.as_bytes() {
                if !a.can_match(&state) {
                    return false;
                }
                state = a.accept(&state, b);
            }
            a.is_match(&state)
        }
        let terms = [
            "klein",
            "alien",
            "kelin",
            "klien",
            "kein",
            "kleine",
            "clean",
            "café",
            "cafe",
            "caef",
            "ca",
            "whistleblower",
            "whistelblower",
            "naïve",
            "naive",
            "bridge",
            "brigde",
            "x",
            "",
            "ab",
            "ba",
            "abc",
            "acb",
            "bca",
        ];
        for word in terms {
            for max in 0..=2 {
                let rows = WithinEdits::new(word, max);
                let dfa = Within(builder(max).build_dfa(word));
                for term in terms {
                    let within = distance(word, term) <= max;
                    assert_eq!(run(&rows, term), within, "rows {word} / {term} / {max}");
                    assert_eq!(run(&dfa, term), within, "dfa {word} / {term} / {max}");
                }
            }
        }
    }
    use super::*;

    #[test]
    fn one_edit_variants_are_the_words_one_edit_away() {
        for word in ["klien", "ab", "aab", "x", "goverment"] {
            let variants = one_edit_variants(word);
            assert!(!variants.iter().any(|v| v == word));
            assert!(variants.iter().all(|v| distance(word, v) == 1), "{word}");
            for expected in ["klein", "kein", "kliens", "alien", "klieb"] {
                if distance(word, expected) == 1 {
                    assert!(variants.iter().any(|v| v == expected), "{word} {expected}");
                }
            }
            let mut sorted = variants.clone();
            sorted.dedup();
            assert_eq!(sorted.len(), variants.len());
        }
        assert!(one_edit_variants("goverment").contains(&"government".to_string()));
        // Every one-edit string over a small alphabet is among them.
        let letters = ["a", "b"];
        let mut all = vec![String::new()];
        for _ in 0..4 {
            all = all
                .iter()
                .flat_map(|s| letters.iter().map(move |l| format!("{s}{l}")))
                .chain(all.iter().cloned())
                .collect();
        }
        for word in ["ab", "abba", "bab"] {
            let variants = one_edit_variants(word);
            for s in &all {
                assert_eq!(variants.contains(s), distance(word, s) == 1, "{word} / {s}");
            }
        }
    }

    #[test]
    fn edits_count_swaps_as_one() {
        assert_eq!(distance("wiregaurd", "wireguard"), 1);
        assert_eq!(distance("lipsich", "lipsitch"), 1);
        assert_eq!(distance("kubernetis", "kubernetes"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("café", "cafe"), 1);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn short_words_are_never_corrected_unasked() {
        assert_eq!(max_suggestion_edits(3), 1);
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(4), 1);
        assert_eq!(max_edits(7), 1);
        assert_eq!(max_edits(8), 2);
    }
}

/// Accepts (at least) every string within `max` edits of a word, as `distance` counts them;
/// `nearest` checks each candidate with `distance` itself. The state is the last two rows of
/// `distance`'s table over the characters read so far, plus the bytes of a character not yet
/// complete; a prefix whose rows are all over the bound can lead to no match.
struct WithinEdits {
    word: Vec<char>,
    max: usize,
}

#[derive(Clone)]
struct EditsState {
    /// The row of the characters read so far, and the one before it (for transpositions).
    row: Vec<usize>,
    previous: Option<Vec<usize>>,
    last: Option<char>,
    /// Bytes of a multi-byte character read so far (`pending_len` of them).
    pending: [u8; 4],
    pending_len: usize,
}

impl WithinEdits {
    fn new(word: &str, max: usize) -> WithinEdits {
        WithinEdits {
            word: word.chars().collect(),
            max,
        }
    }

    /// The state after reading the character `c`.
    fn step(&self, state: &EditsState, c: char) -> EditsState {
        let n = self.word.len();
        let mut row = vec![0usize; n + 1];
        row[0] = state.row[0] + 1;
        for j in 1..=n {
            let cost = usize::from(self.word[j - 1] != c);
            let mut d = (state.row[j] + 1)
                .min(row[j - 1] + 1)
                .min(state.row[j - 1] + cost);
            if let (Some(previous), Some(last)) = (&state.previous, state.last) {
                if j > 1 && self.word[j - 1] == last && self.word[j - 2] == c {
                    d = d.min(previous[j - 2] + 1);
                }
            }
            row[j] = d;
        }
        EditsState {
            row,
            previous: Some(state.row.clone()),
            last: Some(c),
            pending: [0; 4],
            pending_len: 0,
        }
    }
}

impl tantivy_fst::Automaton for WithinEdits {
    type State = Option<EditsState>;

    fn start(&self) -> Option<EditsState> {
        Some(EditsState {
            row: (0..=self.word.len()).collect(),
            previous: None,
            last: None,
            pending: [0; 4],
            pending_len: 0,
        })
    }

    fn is_match(&self, state: &Option<EditsState>) -> bool {
        state
            .as_ref()
            .is_some_and(|s| s.pending_len == 0 && s.row[self.word.len()] <= self.max)
    }

    fn can_match(&self, state: &Option<EditsState>) -> bool {
        // A transposition reaches back two rows, so the row before counts too.
        state.as_ref().is_some_and(|s| {
            s.row.iter().min().is_some_and(|&m| m <= self.max)
                || s.previous
                    .as_ref()
                    .and_then(|p| p.iter().min())
                    .is_some_and(|&m| m < self.max)
        })
    }

    fn accept(&self, state: &Option<EditsState>, byte: u8) -> Option<EditsState> {
        let state = state.as_ref()?;
        if state.pending_len == 0 && byte.is_ascii() {
            return Some(self.step(state, char::from(byte)));
        }
        let mut pending = state.pending;
        pending[state.pending_len] = byte;
        let pending_len = state.pending_len + 1;
        match std::str::from_utf8(&pending[..pending_len]) {
            Ok(text) => {
                let c = text.chars().next()?;
                Some(self.step(state, c))
            }
            Err(e) if e.error_len().is_none() && pending_len < 4 => Some(EditsState {
                pending,
                pending_len,
                ..state.clone()
            }),
            Err(_) => None,
        }
    }
}

/// The walks of `word_list`, checked against the edits and automata spelling builds: they live
/// here so that `word_list` never depends on its one user.
#[cfg(test)]
mod word_list_tests {
    use tantivy::directory::OwnedBytes;
    use tantivy_fst::raw::Fst;
    use tantivy_fst::{Automaton, MapBuilder};

    use super::word_list::{one_edit, walk_under};
    use super::{builder, one_edit_variants, Within};

    const WORDS: &str = "klein alien kelin kleine clean cafe café naïve naive bridge government \
        goverment governments governing klien kline microdose microdosing macrodose micro dose \
        mikrodose zebra a ab";

    fn list() -> (Vec<&'static str>, Fst<OwnedBytes>) {
        let mut words: Vec<&str> = WORDS.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        let mut builder = MapBuilder::memory();
        for (i, w) in words.iter().enumerate() {
            builder.insert(w, i as u64).unwrap();
        }
        let bytes = builder.into_inner().unwrap();
        (words, Fst::new(OwnedBytes::new(bytes)).unwrap())
    }

    /// Whether `automaton` accepts `word`, run byte by byte.
    fn accepts<A: Automaton>(automaton: &A, word: &str) -> bool {
        let mut state = automaton.start();
        for &b in word.as_bytes() {
            state = automaton.accept(&state, b);
        }
        automaton.is_match(&state)
    }

    /// The walk finds exactly the words of the list the automaton accepts, in order.
    #[test]
    fn walk_finds_every_word_the_automaton_accepts() {
        let (words, fst) = list();
        let mut walked_any = 0;
        for word in [
            "klein",
            "cafe",
            "goverment",
            "microdose",
            "zzz",
            "naive",
            "a",
        ] {
            for max in 0..=2 {
                let dfa = Within(builder(max).build_dfa(word));
                let mut walked = Vec::new();
                walk_under(&fst, b"", &dfa, |w| {
                    walked.push(String::from_utf8(w.to_vec()).unwrap())
                });
                let expected: Vec<&str> =
                    words.iter().copied().filter(|w| accepts(&dfa, w)).collect();
                assert_eq!(walked, expected, "{word} within {max}");
                walked_any += walked.len();
            }
        }
        assert!(walked_any > 20, "{walked_any}");
    }

    /// The one-edit walk finds exactly the one-edit strings the list holds.
    #[test]
    fn one_edit_finds_the_words_one_edit_away() {
        let (words, fst) = list();
        let mut found_total = 0;
        for word in [
            "klein",
            "klien",
            "goverment",
            "governments",
            "microdose",
            "mikrodose",
            "micro",
            "a",
            "kleine",
            "cafe",
            "zzz",
            "aliens",
            "brigde",
        ] {
            let walked = one_edit(&fst, word.as_bytes());
            let expected: Vec<Vec<u8>> = one_edit_variants(word)
                .into_iter()
                .filter(|v| words.contains(&v.as_str()))
                .map(String::into_bytes)
                .collect();
            assert_eq!(walked, expected, "{word}");
            found_total += walked.len();
        }
        assert_eq!(found_total, 16);
    }
}
