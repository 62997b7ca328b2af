//! A segment's word list walked the cheap way: spelling asks for every word of a field within
//! a few edits of a typed word, and tantivy's dictionary stream decodes every child of every
//! node it passes before asking the automaton whether the child can still match. Here the
//! automaton is asked first, so a walk decodes only the branches that can end in a match.
//!
//! The walk reads the FST under tantivy's term dictionary straight from the segment's `.term`
//! file (tantivy 0.27's layout: the FST, the term infos, their size, a version and the kind of
//! dictionary).
//! Whatever does not check out (another layout, another number of words than the dictionary
//! holds) yields `None`, and the caller walks the dictionary's own stream instead.

use tantivy::directory::CompositeFile;
use tantivy::index::SegmentComponent;
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy::{HasLen, SegmentReader};
use tantivy_fst::raw::{Fst, Node};
use tantivy_fst::Automaton;

use tantivy::directory::OwnedBytes;

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

/// Which of `words` (sorted, no repeats) `fst` holds. Each word is looked up from the node
/// where its prefix shared with the word before it ends, and words under a prefix found missing
/// fail at once: the one-edit neighbours of a word share long prefixes, so this decodes a few
/// nodes a word where separate look-ups from the root decode one a letter.
pub(crate) fn holding<'w, W: AsRef<[u8]>>(fst: &Fst<OwnedBytes>, words: &'w [W]) -> Vec<&'w W> {
    let mut held = Vec::new();
    // `path[d]`: the node reached by the first `d` bytes of `previous`.
    let mut path: Vec<Node> = vec![fst.root()];
    let mut previous: &[u8] = &[];
    for word in words {
        let bytes = word.as_ref();
        let shared = bytes
            .iter()
            .zip(previous)
            .take_while(|(a, b)| a == b)
            .count()
            .min(path.len() - 1);
        path.truncate(shared + 1);
        previous = bytes;
        let mut found = true;
        for &byte in &bytes[shared..] {
            let node = &path[path.len() - 1];
            match node.find_input(byte) {
                Some(i) => {
                    let next = fst.node(node.transition_addr(i));
                    path.push(next);
                }
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found && path[bytes.len()].is_final() {
            held.push(word);
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::{builder, Within};
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
        // Sorted look-ups sharing prefixes find exactly the words the dictionary holds.
        let mut candidates: Vec<String> = [
            "a",
            "alien",
            "aliens",
            "clean",
            "cleaner",
            "govern",
            "government",
            "governments",
            "governmentx",
            "klein",
            "kleine",
            "kleinee",
            "klien",
            "kline",
            "micro",
            "microdos",
            "microdose",
            "microdosing",
            "zebra",
            "zzz",
            "café",
            "caf",
        ]
        .map(String::from)
        .to_vec();
        candidates.sort();
        let mut held_total = 0;
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(body).unwrap();
            let terms = inverted.terms();
            let fst = open(segment, body, terms).expect("opens");
            let held: Vec<&String> = holding(&fst, &candidates);
            let expected: Vec<&String> = candidates
                .iter()
                .filter(|c| terms.get(c.as_bytes()).unwrap().is_some())
                .collect();
            assert_eq!(held, expected);
            held_total += held.len();
        }
        assert_eq!(held_total, 12);
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
