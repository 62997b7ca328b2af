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
