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

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Matches a document any clause matches; its score is the sum of the matching clauses'.
pub struct AnyField {
    clauses: Vec<Box<dyn Query>>,
}

impl AnyField {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> AnyField {
        AnyField { clauses }
    }
}

impl Clone for AnyField {
    fn clone(&self) -> AnyField {
        AnyField {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
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
        Ok(Box::new(AnyFieldWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AnyFieldWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyFieldWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let clauses: Vec<Box<dyn Scorer>> = self
            .0
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<_>>()?;
        let doc = clauses.iter().map(|c| c.doc()).min().unwrap_or(TERMINATED);
        Ok(Box::new(AnyFieldScorer { clauses, doc }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the fields matching", scorer.score());
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
    doc: DocId,
}

impl AnyFieldScorer {
    fn settle(&mut self) -> DocId {
        self.doc = self
            .clauses
            .iter()
            .map(|c| c.doc())
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }
}

impl DocSet for AnyFieldScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for clause in &mut self.clauses {
            if clause.doc() == current {
                clause.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for clause in &mut self.clauses {
            if clause.doc() < target {
                clause.seek(target);
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
            .filter(|c| c.doc() == doc)
            .map(|c| c.score())
            .sum()
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
