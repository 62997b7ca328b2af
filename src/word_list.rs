//! A segment's word list walked the cheap way. Spelling asks for every word of a field within
//! a few edits of a typed word, and tantivy's dictionary stream decodes every child of every
//! node it passes before asking the automaton whether the child can still match. Here the
//! automaton is asked first (`walk`), so a walk decodes only the branches that can end in a
//! match; and the words one edit away are found by following the typed word down the list
//! (`one_edit`).
//!
//! Both read the FST under tantivy's term dictionary straight from the segment's `.term` file
//! (tantivy 0.27's layout: the FST, the term infos, their size, a version and the kind of
//! dictionary). Whatever does not check out (another layout, another number of words than the
//! dictionary holds) yields `None`, and the caller walks the dictionary's own stream instead.

use tantivy::directory::{CompositeFile, OwnedBytes};
use tantivy::index::SegmentComponent;
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy::{HasLen, SegmentReader};
use tantivy_fst::raw::{Fst, Node};
use tantivy_fst::Automaton;

/// The kind and version of tantivy's term dictionary this reads: an FST, version 1.
const FST_DICTIONARY: u32 = 1;
const FST_TERMDICT_VERSION: u32 = 1;

/// The FST of `field`'s dictionary in `segment`, if it can be read and holds exactly the words
/// `terms` holds.
pub(crate) fn open(
    segment: &SegmentReader,
    field: Field,
    terms: &TermDictionary,
) -> Option<Fst<OwnedBytes>> {
    let file = segment.open_read(SegmentComponent::Terms).ok()?;
    let slice = CompositeFile::open(&file).ok()?.open_read(field)?;
    if slice.len() < 16 {
        return None;
    }
    let (main, footer) = slice.split_from_end(16);
    let footer = footer.read_bytes().ok()?;
    let footer = footer.as_slice();
    let infos_len = u64::from_le_bytes(footer[..8].try_into().ok()?);
    let version = u32::from_le_bytes(footer[8..12].try_into().ok()?);
    let kind = u32::from_le_bytes(footer[12..16].try_into().ok()?);
    if kind != FST_DICTIONARY || version != FST_TERMDICT_VERSION || infos_len as usize > main.len()
    {
        return None;
    }
    let (fst, _) = main.split_from_end(infos_len as usize);
    let fst = Fst::new(fst.read_bytes().ok()?).ok()?;
    (fst.len() == terms.num_terms()).then_some(fst)
}

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
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    /// The walk over the raw FST finds exactly the words tantivy's own dictionary stream finds
    /// with the same automaton, segment by segment.
    #[test]
    fn walk_finds_what_the_dictionary_stream_finds() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let other = schema.add_text_field("other", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts = [
            "klein alien kelin kleine clean cafe café naïve naive bridge",
            "government goverment governments governing klien kline",
            "microdose microdosing macrodose micro dose mikrodose",
        ];
        for (i, text) in texts.iter().enumerate() {
            writer
                .add_document(doc!(body => *text, other => "zebra"))
                .unwrap();
            if i == 1 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let mut walked_any = 0;
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(body).unwrap();
            let terms = inverted.terms();
            let fst = open(segment, body, terms).expect("the raw word list opens");
            for word in ["klein", "cafe", "goverment", "microdose", "zzz", "naive"] {
                for max in 0..=2 {
                    let dfa = Within(builder(max).build_dfa(word));
                    let mut walked = Vec::new();
                    walk(&fst, &dfa, |w| {
                        walked.push(String::from_utf8(w.to_vec()).unwrap())
                    });
                    let mut streamed = Vec::new();
                    let mut stream = terms.search(&dfa).into_stream().unwrap();
                    while stream.advance() {
                        streamed.push(String::from_utf8(stream.key().to_vec()).unwrap());
                    }
                    assert_eq!(walked, streamed, "{word} within {max}");
                    walked_any += walked.len();
                }
            }
        }
        assert!(walked_any > 20, "{walked_any}");
        // The one-edit walk finds exactly the one-edit strings the dictionary holds.
        let mut found_total = 0;
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(body).unwrap();
            let terms = inverted.terms();
            let fst = open(segment, body, terms).expect("opens");
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
                    .filter(|v| terms.get(v.as_bytes()).unwrap().is_some())
                    .map(String::into_bytes)
                    .collect();
                assert_eq!(walked, expected, "{word}");
                found_total += walked.len();
            }
        }
        assert_eq!(found_total, 15);
        // A field's word list holds only its own words.
        let segment = &searcher.segment_readers()[0];
        let inverted = segment.inverted_index(other).unwrap();
        let fst = open(segment, other, inverted.terms()).expect("opens");
        let mut words = Vec::new();
        walk(&fst, &Within(builder(1).build_dfa("zebra")), |w| {
            words.push(w.to_vec())
        });
        assert_eq!(words, [b"zebra".to_vec()]);
    }
}
