//! A word in any of several fields: the union of a few queries (one per field), scored as the
//! sum of the scores of those that match, like a `BooleanQuery` of `Should` clauses; but a
//! union that follows its clauses lazily.
//!
//! tantivy's union buffers: asked to seek, it reads every clause through a window of 4,096
//! documents. That is right for a union read from start to end, and costly inside an
//! intersection, which seeks from one candidate to the next: a query like `ai in healthcare`
//! read the postings of `in` in all four text fields through every window a candidate fell
//! in. This union seeks each clause to the target and nothing more, so an intersection of
//! words costs about what its rarest word costs.

use std::fmt;

use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

/// Matches a document any clause matches; its score is the sum of the matching clauses', plus
/// a bonus for matching at all.
pub struct AnyField {
    clauses: Vec<Box<dyn Query>>,
    bonus: Score,
}

impl AnyField {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> AnyField {
        AnyField::with_bonus(clauses, 0.0)
    }

    /// `bonus` is added to the score of every document matched: a long query's coordination
    /// bonus for one of its words, in the same pass over the word's postings as its BM25.
    pub fn with_bonus(clauses: Vec<Box<dyn Query>>, bonus: Score) -> AnyField {
        AnyField { clauses, bonus }
    }
}

impl Clone for AnyField {
    fn clone(&self) -> AnyField {
        AnyField {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
            bonus: self.bonus,
        }
    }
}

impl fmt::Debug for AnyField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.clauses).finish()
    }
}

impl Query for AnyField {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyFieldWeight(weights, self.bonus)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AnyFieldWeight(Vec<Box<dyn Weight>>, Score);

impl Weight for AnyFieldWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses: Vec<Box<dyn Scorer>> = Vec::with_capacity(self.0.len());
        let mut docs = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let clause = weight.scorer(reader, boost)?;
            // A field that lacks the word in this segment matches nothing: left out.
            if clause.doc() != TERMINATED {
                docs.push(clause.doc());
                clauses.push(clause);
            }
        }
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        Ok(Box::new(AnyFieldScorer {
            clauses,
            docs,
            doc,
            bonus: self.1,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the fields matching", scorer.score());
        if self.1 > 0.0 {
            explanation.add_const("matched at all", self.1);
        }
        for weight in &self.0 {
            if let Ok(child) = weight.explain(reader, doc) {
                explanation.add_detail(child);
            }
        }
        Ok(explanation)
    }
}

struct AnyFieldScorer {
    clauses: Vec<Box<dyn Scorer>>,
    /// Where each clause stands, kept here: asking a clause is a call through its box, and a
    /// union asks about every clause at every step.
    docs: Vec<DocId>,
    doc: DocId,
    bonus: Score,
}

impl AnyFieldScorer {
    fn settle(&mut self) -> DocId {
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for AnyFieldScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for (clause, doc) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *doc == current {
                *doc = clause.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for (clause, doc) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *doc < target {
                *doc = clause.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for AnyFieldScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.clauses
            .iter_mut()
            .zip(&self.docs)
            .filter(|(_, d)| **d == doc)
            .map(|(c, _)| c.score())
            .sum::<Score>()
            + self.bonus
    }
}

/// What a word can score at most: the BM25 of its (field, terms, boost) clauses as their term
/// frequencies grow, plus its bonus. A hair above, for scores summed in another order.
pub(crate) fn word_bound(
    searcher: &Searcher,
    clauses: &[(Field, Vec<String>, f32)],
    bonus: Score,
) -> tantivy::Result<Score> {
    let mut bound = bonus;
    for (field, terms, boost) in clauses {
        let terms: Vec<Term> = terms
            .iter()
            .map(|t| Term::from_field_text(*field, t))
            .collect();
        if !terms.is_empty() {
            bound += Bm25Weight::for_terms(searcher, &terms)?
                .boost_by(*boost)
                .max_score();
        }
    }
    Ok(bound * 1.001 + 0.001)
}

/// How many of the words with the highest bounds give the first threshold, and how many of
/// their episodes at most. Three rather than two: 1.7% fewer instructions over the 106 12-word
/// TREC descriptions on the 85k, 4% fewer over the five slowest (callgrind); four was worse.
const FIRST_WORDS: usize = 3;
const MOST_FIRST: usize = 2_000;

/// One word of a `Words` union: its query (any of its fields, with its bonus) and the clauses
/// its bound is worked out from.
pub(crate) struct Word {
    pub(crate) query: Box<dyn Query>,
    pub(crate) clauses: Vec<(Field, Vec<String>, f32)>,
    pub(crate) bonus: Score,
}

impl Clone for Word {
    fn clone(&self) -> Word {
        Word {
            query: self.query.box_clone(),
            clauses: self.clauses.clone(),
            bonus: self.bonus,
        }
    }
}

/// A union of words scored as the sum of those an episode holds, like `AnyField`, whose top
/// episodes are found with MaxScore: each word's bound is known, so once the page's last score
/// is above what the least words can add up to, episodes holding only those are never scored.
/// A long query's words carry a coordination bonus that is no BM25 term, which tantivy's own
/// pruning (block-max WAND over term scorers) cannot bound.
#[derive(Clone)]
pub(crate) struct Words(pub(crate) Vec<Word>);

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|w| &w.query))
            .finish()
    }
}

impl Query for Words {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut words = Vec::with_capacity(self.0.len());
        for word in &self.0 {
            let bound = match enable_scoring.searcher() {
                Some(searcher) => word_bound(searcher, &word.clauses, word.bonus)?,
                None => Score::MAX,
            };
            words.push((word.query.weight(enable_scoring)?, bound));
        }
        // Least first: the scorer sums in this order too, so both give the same scores.
        words.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (weights, bounds) = words.into_iter().unzip();
        Ok(Box::new(WordsWeight {
            union: AnyFieldWeight(weights, 0.0),
            bounds,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.0 {
            word.query.query_terms(visitor);
        }
    }
}

/// The words' union, least bound first, and their bounds.
struct WordsWeight {
    union: AnyFieldWeight,
    bounds: Vec<Score>,
}

impl Weight for WordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.union.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.union.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut scorers: Vec<Box<dyn Scorer>> = self
            .union
            .0
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<_>>()?;
        let n = scorers.len();
        // up_to[i]: the most words 0..=i can add up to.
        let up_to: Vec<Score> = self
            .bounds
            .iter()
            .scan(0.0, |sum, b| {
                *sum += b;
                Some(*sum)
            })
            .collect();
        // A first threshold, cheaply: every episode holding one of the rarest words (those
        // that can score the most, whose postings are the shortest), scored in full. Those
        // episodes are then known, and the pass in index order skips them.
        let mut seen: Vec<DocId> = Vec::new();
        let rare_from = n.saturating_sub(FIRST_WORDS);
        {
            let mut probes: Vec<Box<dyn Scorer>> = self
                .union
                .0
                .iter()
                .map(|w| w.scorer(reader, 1.0))
                .collect::<tantivy::Result<_>>()?;
            let mut docs: Vec<DocId> = probes.iter().map(|s| s.doc()).collect();
            loop {
                let doc = docs[rare_from..]
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(TERMINATED);
                if doc == TERMINATED || seen.len() >= MOST_FIRST {
                    break;
                }
                let mut score = 0.0;
                for i in 0..n {
                    if docs[i] < doc {
                        docs[i] = probes[i].seek(doc);
                    }
                    if docs[i] == doc {
                        score += probes[i].score();
                    }
                }
                seen.push(doc);
                if score > threshold {
                    threshold = callback(doc, score);
                }
                for i in rare_from..n {
                    if docs[i] == doc {
                        docs[i] = probes[i].advance();
                    }
                }
            }
        }
        let mut seen = seen.into_iter().peekable();
        // Where each word's scorer stands, kept here: asking the scorers is a call each.
        let mut docs: Vec<DocId> = scorers.iter().map(|s| s.doc()).collect();
        let mut scores: Vec<Option<Score>> = vec![None; n];
        let mut first = 0;
        loop {
            // Words before `first` cannot lift an episode above the threshold by themselves:
            // only episodes holding a word from `first` on are candidates.
            while first < n && up_to[first] <= threshold {
                first += 1;
            }
            if first == n {
                break;
            }
            let doc = docs[first..].iter().copied().min().unwrap_or(TERMINATED);
            if doc == TERMINATED {
                break;
            }
            while seen.next_if(|s| *s < doc).is_some() {}
            let known = seen.peek() == Some(&doc);
            let mut sum = 0.0;
            for i in first..n {
                if docs[i] == doc && !known {
                    let s = scorers[i].score();
                    scores[i] = Some(s);
                    sum += s;
                }
            }
            let mut possible = !known;
            for i in (0..first).rev() {
                if !possible || sum + up_to[i] <= threshold {
                    possible = false;
                    break;
                }
                if docs[i] < doc {
                    docs[i] = scorers[i].seek(doc);
                }
                if docs[i] == doc {
                    let s = scorers[i].score();
                    scores[i] = Some(s);
                    sum += s;
                }
            }
            if possible {
                // Summed least word first, as the scorer sums.
                let score: Score = scores.iter().flatten().sum();
                if score > threshold {
                    threshold = callback(doc, score);
                }
            }
            scores.iter_mut().for_each(|s| *s = None);
            for i in first..n {
                if docs[i] == doc {
                    docs[i] = scorers[i].advance();
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, DocAddress, Index};

    use super::*;

    /// Scores rounded to 4 decimals (sums taken in another order differ in the last bits),
    /// best first, ties by address.
    fn ranked(index: &Index, query: &dyn Query) -> Vec<(DocAddress, i64)> {
        let searcher = index.reader().unwrap().searcher();
        let mut hits: Vec<(DocAddress, i64)> = searcher
            .search(query, &TopDocs::with_limit(1000).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, address)| (address, (score * 10_000.0).round() as i64))
            .collect();
        hits.sort_by_key(|(address, score)| (std::cmp::Reverse(*score), *address));
        hits
    }

    #[test]
    fn matches_and_scores_like_a_union_alone_and_inside_an_intersection() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["alpha", "beta", "gamma", "delta"];
        for i in 0..600usize {
            // Every word in some documents, in one field, the other or both, with varied counts.
            let pick = |k: usize| words[(i * k + i / 7) % words.len()];
            writer
                .add_document(doc!(
                    title => format!("{} {}", pick(3), pick(5)),
                    body => format!("{} {} {} filler", pick(1), pick(2), pick(1)),
                ))
                .unwrap();
            if i % 200 == 199 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let term = |field, word: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            ))
        };
        let either = |word: &str| vec![term(title, word), term(body, word)];
        let union = |word: &str| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                either(word)
                    .into_iter()
                    .map(|q| (Occur::Should, q))
                    .collect(),
            ))
        };
        let lazy = |word: &str| -> Box<dyn Query> { Box::new(AnyField::new(either(word))) };
        for word in words {
            let expected = ranked(&index, &*union(word));
            assert!(!expected.is_empty());
            assert_eq!(ranked(&index, &*lazy(word)), expected, "{word}");
        }
        let all = |make: &dyn Fn(&str) -> Box<dyn Query>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, make("alpha")),
                (Occur::Must, make("gamma")),
                (Occur::Should, make("delta")),
            ]))
        };
        let expected = ranked(&index, &*all(&union));
        assert!(expected.len() > 10, "{}", expected.len());
        assert_eq!(ranked(&index, &*all(&lazy)), expected);
    }
}
