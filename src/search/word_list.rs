//! The spelling vocabulary's word list walked the cheap way. Spelling asks for every word
//! within a few edits of a typed word, and an FST stream decodes every child of every node it
//! passes before asking the automaton whether the child can still match. Here the automaton is
//! asked first (`walk`), so a walk decodes only the branches that can end in a match; and the
//! words one edit away are found by following the typed word down the list (`one_edit`).

use tantivy::directory::OwnedBytes;
use tantivy_fst::raw::{Fst, Node};
use tantivy_fst::Automaton;

/// Every word of `fst` that starts with `prefix` and whose rest `automaton` accepts, in order:
/// only the branch of the list under `prefix` is walked.
pub(crate) fn walk_under<A: Automaton>(
    fst: &Fst<OwnedBytes>,
    prefix: &[u8],
    automaton: &A,
    mut each: impl FnMut(&[u8]),
) {
    struct Frame<'f, S> {
        node: Node<'f>,
        next: usize,
        state: S,
    }
    let mut root = fst.root();
    for &byte in prefix {
        match root.find_input(byte) {
            Some(i) => root = fst.node(root.transition_addr(i)),
            None => return,
        }
    }
    // The word so far: the prefix, then one byte for each frame but the first's.
    let mut word: Vec<u8> = Vec::with_capacity(32);
    word.extend_from_slice(prefix);
    let mut stack = vec![Frame {
        node: root,
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
