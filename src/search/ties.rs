//! Equal scores in a fixed order. tantivy ranks episodes of equal score in the order they have
//! in the index, and that order differs between two builds of the same episodes (the indexing
//! threads take them in turn) and changes with merges. A page is therefore found with every
//! episode tied with its last place (`TopWithTies`), and each run of equal scores is put in a
//! fixed order (`settle`): newest first, undated last, then by a stable hash of the episode's
//! key (no two episodes of an index share a key), kept in a column so that settling reads no
//! stored episode.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::index::schema;

/// Most episodes gathered past a page to settle it. A run of equal scores longer than this
/// (one word in tens of thousands of texts that weigh it alike) is settled among the episodes
/// gathered first, which are in index order.
pub(crate) const MOST_TIED: usize = 1000;

/// The best `k` episodes, as `TopDocs` finds them (with the query's pruning: block-max WAND
/// over a union of terms), and every episode scoring the same as the last of them, up to
/// `MOST_TIED` more; best first, equal scores in index order.
pub(crate) struct TopWithTies(pub(crate) usize);

impl Collector for TopWithTies {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = Best;

    fn for_segment(&self, segment: u32, _: &SegmentReader) -> tantivy::Result<Best> {
        Ok(Best::new(self.0, segment))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all = fruits.concat();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        keep_with_ties(&mut all, self.0);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Fruit> {
        let mut best = Best::new(self.0, segment);
        let alive = reader.alive_bitset();
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                best.collect(doc, score);
            }
            best.threshold()
        })?;
        Ok(best.harvest())
    }
}

/// The best `k` of one segment, and the episodes tied with the last of them.
pub(crate) struct Best {
    k: usize,
    segment: u32,
    /// The best `k` so far, the worst on top.
    heap: BinaryHeap<Reverse<Scored>>,
    /// Episodes scoring the same as the worst of `heap`, left out of it.
    tied: Vec<Scored>,
}

/// A score and a document, ordered by score, then the earlier document above the later (so
/// the heap gives up the later of two equal scores, as tantivy ranks them).
#[derive(Clone, Copy)]
struct Scored(Score, DocId);

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Scored {}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scored {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

impl Best {
    fn new(k: usize, segment: u32) -> Best {
        Best {
            k: k.max(1),
            segment,
            heap: BinaryHeap::with_capacity(k.clamp(1, 10_000) + 1),
            tied: Vec::new(),
        }
    }

    /// The score of the `k`-th best, once there are `k`.
    fn worst(&self) -> Option<Score> {
        if self.heap.len() < self.k {
            return None;
        }
        self.heap.peek().map(|Reverse(w)| w.0)
    }

    /// What a document must score above to be collected: just below the worst of a full
    /// heap, so that its equals come too, until `MOST_TIED` of them have.
    fn threshold(&self) -> Score {
        match self.worst() {
            Some(worst) if self.tied.len() >= MOST_TIED => worst,
            Some(worst) => worst.next_down(),
            None => Score::MIN,
        }
    }
}

impl SegmentCollector for Best {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let new = Scored(score, doc);
        match self.worst() {
            None => self.heap.push(Reverse(new)),
            Some(worst) if score > worst => {
                let Some(Reverse(out)) = self.heap.pop() else {
                    return;
                };
                self.heap.push(Reverse(new));
                let now = self.worst().unwrap_or(Score::MIN);
                if now > worst {
                    self.tied.clear();
                }
                if out.0 == now {
                    self.tied.push(out);
                }
            }
            Some(worst) if score == worst && self.tied.len() < MOST_TIED => self.tied.push(new),
            Some(_) => {}
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.heap
            .into_iter()
            .map(|Reverse(s)| s)
            .chain(self.tied)
            .map(|Scored(score, doc)| (score, DocAddress::new(segment, doc)))
            .collect()
    }
}

/// Cut ranked `found` to its first `k` and those after them with the same key as the `k`-th
/// (at most `MOST_TIED`).
pub(crate) fn keep_with_ties<K: PartialEq>(found: &mut Vec<(K, DocAddress)>, k: usize) {
    if k == 0 {
        found.clear();
    } else if found.len() > k {
        let last = &found[k - 1].0;
        let tied = found[k..].iter().take_while(|(key, _)| key == last).count();
        found.truncate(k + tied.min(MOST_TIED));
    }
}

/// Put each run of equal keys among the first `wanted` of `found` in the fixed order (see the
/// module docs), from two columns: the date, and the hash of the episode's key (`tie_order`).
/// An index made before that column orders episodes of one date as tantivy found them.
pub(crate) fn settle<K: PartialEq>(
    searcher: &Searcher,
    found: &mut [(K, DocAddress)],
    wanted: usize,
) {
    let page = found.len().min(wanted);
    let tied = |i: usize| i + 1 < found.len() && found[i].0 == found[i + 1].0;
    if !(0..page).any(tied) {
        return;
    }
    let columns: Vec<_> = searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let columns = segment.fast_fields();
            (
                columns.date(schema::DATE).ok(),
                columns.u64(schema::TIE_ORDER).ok(),
            )
        })
        .collect();
    let order = |address: DocAddress| {
        let (dates, hashes) = columns.get(address.segment_ord as usize)?;
        let date = dates.as_ref().and_then(|c| c.first(address.doc_id));
        let hash = hashes.as_ref().and_then(|c| c.first(address.doc_id));
        Some((Reverse(date.map(|d| d.into_timestamp_nanos())), hash))
    };
    let mut from = 0;
    while from < page {
        let to = from
            + found[from..]
                .iter()
                .take_while(|(key, _)| *key == found[from].0)
                .count();
        if to - from > 1 {
            found[from..to].sort_by_cached_key(|(_, address)| order(*address));
        }
        from = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::QueryParser;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// An index in memory with one segment for each list of texts.
    fn index(segments: &[&[&str]]) -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for texts in segments {
            for text in *texts {
                let mut doc = TantivyDocument::default();
                doc.add_text(body, text);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, body)
    }

    fn top(index: &Index, body: tantivy::schema::Field, k: usize) -> Vec<DocAddress> {
        let query = QueryParser::for_index(index, vec![body])
            .parse_query("alpha")
            .unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let found = searcher.search(&*query, &TopWithTies(k)).unwrap();
        found.into_iter().map(|(_, address)| address).collect()
    }

    #[test]
    fn gathers_every_episode_tied_with_the_last_place_across_segments() {
        let (index, body) = index(&[
            &["alpha", "beta", "alpha", "alpha alpha"],
            &["alpha", "gamma", "alpha"],
        ]);
        let at = |segment, doc| DocAddress::new(segment, doc);
        // The best alone: nothing scores the same.
        assert_eq!(top(&index, body, 1), [at(0, 3)]);
        // Its last place is one of five equal scores: all five come, in index order.
        assert_eq!(
            top(&index, body, 2),
            [at(0, 3), at(0, 0), at(0, 2), at(1, 0), at(1, 2)]
        );
        assert_eq!(top(&index, body, 6).len(), 5);
    }

    #[test]
    fn gathers_at_most_a_thousand_ties() {
        let many = vec!["alpha"; 800];
        let (index, body) = index(&[&many, &many]);
        assert_eq!(top(&index, body, 1).len(), 1 + MOST_TIED);
        assert_eq!(top(&index, body, 300).len(), 300 + MOST_TIED);
    }

    #[test]
    fn keeps_the_page_and_its_last_place_ties() {
        let at = |doc| DocAddress::new(0, doc);
        let mut found = vec![(3, at(0)), (2, at(1)), (2, at(2)), (2, at(3)), (1, at(4))];
        keep_with_ties(&mut found, 2);
        assert_eq!(found, [(3, at(0)), (2, at(1)), (2, at(2)), (2, at(3))]);
        keep_with_ties(&mut found, 1);
        assert_eq!(found, [(3, at(0))]);
        keep_with_ties(&mut found, 0);
        assert!(found.is_empty());
    }
}
