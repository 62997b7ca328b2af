//! The spelling vocabulary's word list walked the cheap way. Spelling asks for every word
//! within a few edits of a typed word, and an FST stream decodes every child of every node it
//! passes before asking the automaton whether the child can still match. Here the automaton is
//! asked first (`walk`), so a walk decodes only the branches that can end in a match; and the
//! words one edit away are found by following the typed word down the list (`one_edit`).

use tantivy::directory::OwnedBytes;
use tantivy_fst::raw::{Fst, Node};
use tantivy_fst::Automaton;

/// Every word of `fst` that `automaton` accepts, in order.
pub(crate) fn walk<A: Automaton>(
    fst: &Fst<OwnedBytes>,
    automaton: &A,
    mut each: impl FnMut(&[u8]),
) {
    struct Frame<'f, S> {
        node: Node<'f>,
        next: usize,
        state: S,
    }
    // The word so far: one byte for each frame but the root's.
    let mut word: Vec<u8> = Vec::with_capacity(32);
    let mut stack = vec![Frame {
        node: fst.root(),
        next: 0,
        state: automaton.start(),
    }];
    while let Some(frame) = stack.last_mut() {
        if frame.next >= frame.node.len() {
            stack.pop();
            word.pop();
            continue;
        }
        let step = frame.node.transition(frame.next);
        frame.next += 1;
        let state = automaton.accept(&frame.state, step.inp);
        if !automaton.can_match(&state) {
            continue;
        }
        let node = fst.node(step.addr);
        word.push(step.inp);
        if node.is_final() && automaton.is_match(&state) {
            each(&word);
        }
        if node.is_empty() {
            word.pop();
        } else {
            stack.push(Frame {
                node,
                next: 0,
                state,
            });
        }
    }
}

/// The words of `fst` one edit from `word` (a lower-case ASCII word), an edit being a letter
/// deleted, two unequal neighbours swapped, or a letter a to z put in or in place of another;
/// sorted, without repeats. The walk follows `word` down the list and, at each letter, tries
/// the edits the list itself offers there: only the children of the nodes on the word's path
/// are decoded, and each edit's rest is followed only as far as the list holds it.
pub(crate) fn one_edit(fst: &Fst<OwnedBytes>, word: &[u8]) -> Vec<Vec<u8>> {
    // Whether `rest` leads from `node` to the end of a word of the list.
    fn ends<'f>(
        fst: &'f Fst<OwnedBytes>,
        mut node: Node<'f>,
        rest: impl Iterator<Item = u8>,
    ) -> bool {
        for byte in rest {
            match node.find_input(byte) {
                Some(i) => node = fst.node(node.transition_addr(i)),
                None => return false,
            }
        }
        node.is_final()
    }
    // `path[i]`: the node `word[..i]` leads to, as far as the list holds the word's start.
    let mut path = vec![fst.root()];
    for &byte in word {
        let node = path[path.len() - 1];
        match node.find_input(byte) {
            Some(i) => path.push(fst.node(node.transition_addr(i))),
            None => break,
        }
    }
    let mut found = Vec::new();
    for (i, &node) in path.iter().enumerate() {
        let (head, rest) = word.split_at(i);
        if let Some((&letter, after)) = rest.split_first() {
            if ends(fst, node, after.iter().copied()) {
                found.push([head, after].concat());
            }
            if let Some((&next, after_next)) = after.split_first() {
                let swapped = [next, letter];
                if next != letter
                    && ends(
                        fst,
                        node,
                        swapped.into_iter().chain(after_next.iter().copied()),
                    )
                {
                    found.push([head, &swapped, after_next].concat());
                }
            }
        }
        for step in node.transitions() {
            if !step.inp.is_ascii_lowercase() {
                continue;
            }
            let child = fst.node(step.addr);
            if let Some((&letter, after)) = rest.split_first() {
                if step.inp != letter && ends(fst, child, after.iter().copied()) {
                    found.push([head, &[step.inp], after].concat());
                }
            }
            if ends(fst, child, rest.iter().copied()) {
                found.push([head, &[step.inp], rest].concat());
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::{builder, one_edit_variants, Within};
    use tantivy_fst::MapBuilder;

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
                walk(&fst, &dfa, |w| {
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
