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

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::InvertedIndexReader;
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
        let clauses = self
            .0
            .iter()
            .map(|weight| weight.scorer(reader, boost))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(Union::new(clauses, self.1)))
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

/// Any of some clauses: the union the words' scorers are, over boxed scorers (`AnyField`) or
/// over one term per field read directly (`TermsScorer`).
struct Union<C> {
    clauses: Vec<C>,
    /// Where each clause stands, kept here: asking a clause may be a call through its box,
    /// and a union asks about every clause at every step.
    docs: Vec<DocId>,
    doc: DocId,
    bonus: Score,
}

impl<C: Scorer> Union<C> {
    fn new(mut clauses: Vec<C>, bonus: Score) -> Union<C> {
        // A field that lacks the word in this segment matches nothing: left out.
        clauses.retain(|c| c.doc() != TERMINATED);
        let docs: Vec<DocId> = clauses.iter().map(|c| c.doc()).collect();
        let mut union = Union {
            clauses,
            docs,
            doc: TERMINATED,
            bonus,
        };
        union.settle();
        union
    }

    fn settle(&mut self) -> DocId {
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
        self.doc
    }
}

impl<C: Scorer> DocSet for Union<C> {
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

impl<C: Clause> Scorer for Union<C> {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut sum: Score = 0.0;
        for (clause, d) in self.clauses.iter_mut().zip(&self.docs) {
            if *d == doc {
                sum += clause.score_on(doc);
            }
        }
        sum + self.bonus
    }
}

/// A clause of a `Union`: a scorer told the episode it stands on, which the union knows.
trait Clause: Scorer {
    fn score_on(&mut self, doc: DocId) -> Score;
}

impl Clause for Box<dyn Scorer> {
    fn score_on(&mut self, _: DocId) -> Score {
        self.score()
    }
}

/// What a word can score at most: the BM25 of its (field, terms, boost) clauses as their term
/// frequencies grow, plus its bonus. A hair above, for scores summed in another order.
pub(crate) fn word_bound(
    searcher: &Searcher,
    clauses: &[(Field, Vec<String>, f32)],
    bonus: Score,
) -> tantivy::Result<Score> {
    Ok(WordLimits::new(searcher, clauses, bonus)?.bound())
}

/// How many of the words with the highest bounds give the first threshold, and how many of
/// their episodes at most. Three rather than two: 1.7% fewer instructions over the 106 12-word
/// TREC descriptions on the 85k, 4% fewer over the five slowest (callgrind); four was worse.
const FIRST_WORDS: usize = 3;
const MOST_FIRST: usize = 2_000;

/// One word of a `Words` union: its query (any of its fields, with its bonus) and the clauses
/// its bound is worked out from. When every clause is one term, the query must be
/// `AnyField::with_bonus` over those clauses (each a `TermQuery` with frequencies, boosted by
/// its clause's boost): the pruned pass then reads the terms' postings itself.
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
/// episodes are found with MaxScore: each word's bound in the segment is known (`WordLimits`),
/// so once the page's last score is above what the least words can add up to, episodes holding
/// only those are never scored.
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
            let limits = match &enable_scoring {
                EnableScoring::Enabled {
                    statistics_provider,
                    ..
                } => Some(WordLimits::new(
                    *statistics_provider,
                    &word.clauses,
                    word.bonus,
                )?),
                EnableScoring::Disabled { .. } => None,
            };
            let bound = limits.as_ref().map_or(Score::MAX, WordLimits::bound);
            words.push((bound, word.query.weight(enable_scoring)?, limits));
        }
        // Least first: the scorer sums in this order too, so both give the same scores.
        words.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (weights, limits): (Vec<_>, Vec<_>) = words.into_iter().map(|(_, w, l)| (w, l)).unzip();
        Ok(Box::new(WordsWeight {
            union: AnyFieldWeight(weights, 0.0),
            limits: limits.into_iter().collect(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.0 {
            word.query.query_terms(visitor);
        }
    }
}

/// What a word can score at most in one segment, worked out from the segment's postings.
///
/// A term's BM25 is highest where it is said most often in the shortest field, and tantivy's
/// skip list keeps, for each full block of 128 postings, the (length, count) that scores
/// highest. The bound from those is far below BM25's own limit (the count growing without end):
/// a word said once in a summary of usual length scores about half of it.
///
/// The block's best is picked, and scored here, with the segment's own average field length.
/// Scored with the index's average instead, `r` times the segment's, any posting's score
/// changes by a factor between 1 and `r`: where `r` is above 1 (a segment of shorter fields
/// than the index's), the bound is widened by `r`.
struct WordLimits {
    bonus: Score,
    clauses: Vec<ClauseLimit>,
}

struct ClauseLimit {
    field: Field,
    /// The term, when the clause is one term; a phrase keeps BM25's own limit.
    term: Option<Term>,
    weight: Bm25Weight,
    /// The field's average length over the index, as the weight has it.
    average: Score,
    /// What the weight is made of besides the average: the term's episodes, the index's, and
    /// the clause's boost.
    doc_freq: u64,
    docs: u64,
    boost: Score,
}

impl WordLimits {
    fn new(
        statistics: &dyn Bm25StatisticsProvider,
        clauses: &[(Field, Vec<String>, f32)],
        bonus: Score,
    ) -> tantivy::Result<WordLimits> {
        let docs = statistics.total_num_docs()?;
        let mut limits = Vec::with_capacity(clauses.len());
        for (field, terms, boost) in clauses {
            let terms: Vec<Term> = terms
                .iter()
                .map(|t| Term::from_field_text(*field, t))
                .collect();
            if terms.is_empty() {
                continue;
            }
            let average = statistics.total_num_tokens(*field)? as Score / docs as Score;
            // One term's weight as `Bm25Weight::for_terms` makes it, its statistics read once.
            let (term, doc_freq, weight) = match terms.as_slice() {
                [term] => {
                    let doc_freq = statistics.doc_freq(term)?;
                    let weight = Bm25Weight::for_one_term(doc_freq, docs, average);
                    (Some(term.clone()), doc_freq, weight)
                }
                _ => (None, 0, Bm25Weight::for_terms(statistics, &terms)?),
            };
            let weight = weight.boost_by(*boost);
            limits.push(ClauseLimit {
                field: *field,
                term,
                weight,
                average,
                doc_freq,
                docs,
                boost: *boost,
            });
        }
        Ok(WordLimits {
            bonus,
            clauses: limits,
        })
    }

    /// BM25's own limit for the word, in any segment, plus its bonus (a hair above, for scores
    /// summed in another order).
    fn bound(&self) -> Score {
        let most: Score = self.clauses.iter().map(|c| c.weight.max_score()).sum();
        (most + self.bonus) * 1.001 + 0.001
    }

    /// The most the word scores in `reader`'s segment (a hair above, like `bound`), and the
    /// most each clause does, with where its term's postings are (`None` where the segment
    /// lacks the term, or the clause is a phrase).
    fn in_segment(&self, reader: &SegmentReader) -> tantivy::Result<(Score, Vec<InSegment>)> {
        let mut bound = self.bonus;
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let here = clause.in_segment(reader)?;
            bound += here.most;
            clauses.push(here);
        }
        Ok((bound * 1.001 + 0.001, clauses))
    }

    /// The word's scorer reading its terms' postings directly, when every clause is one term
    /// (the word's query then being `AnyField::with_bonus` over them, see `Word`): the same
    /// scores, without a call through a box for each field and its boost at every step.
    /// `here`: each clause in the segment (`in_segment`).
    fn direct_scorer(
        &self,
        reader: &SegmentReader,
        here: &[InSegment],
    ) -> tantivy::Result<Option<TermsScorer>> {
        if self.clauses.is_empty() || self.clauses.iter().any(|c| c.term.is_none()) {
            return Ok(None);
        }
        let mut fields = Vec::with_capacity(self.clauses.len());
        for (clause, here) in self.clauses.iter().zip(here) {
            // A field that lacks the word in this segment matches nothing: left out.
            let Some(info) = &here.postings else {
                continue;
            };
            let postings = reader
                .inverted_index(clause.field)?
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            fields.push(FieldPostings {
                postings,
                norms: reader.get_fieldnorms_reader(clause.field)?,
                weight: clause.weight.clone(),
                most: here.most,
            });
        }
        Ok(Some(Union::new(fields, self.bonus)))
    }
}

/// A word's scorer in the pruned pass: read directly, or through its query's scorer.
enum WordScorer {
    Direct(TermsScorer),
    Boxed(Box<dyn Scorer>),
}

impl WordScorer {
    #[inline]
    fn doc(&self) -> DocId {
        match self {
            WordScorer::Direct(s) => s.doc,
            WordScorer::Boxed(s) => s.doc(),
        }
    }

    /// The most the word can score on the episode it stands on; `bound`: its bound in the
    /// segment.
    #[inline]
    fn at_most(&self, bound: Score) -> Score {
        match self {
            WordScorer::Direct(s) => s.at_most(),
            WordScorer::Boxed(_) => bound,
        }
    }

    #[inline]
    fn advance(&mut self) -> DocId {
        match self {
            WordScorer::Direct(s) => s.advance(),
            WordScorer::Boxed(s) => s.advance(),
        }
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            WordScorer::Direct(s) => s.seek(target),
            WordScorer::Boxed(s) => s.seek(target),
        }
    }

    #[inline]
    fn score(&mut self) -> Score {
        match self {
            WordScorer::Direct(s) => s.score(),
            WordScorer::Boxed(s) => s.score(),
        }
    }
}

/// One term in one field, scored as tantivy's term scorer scores it.
struct FieldPostings {
    postings: SegmentPostings,
    norms: FieldNormReader,
    weight: Bm25Weight,
    /// The most it scores in the segment.
    most: Score,
}

impl DocSet for FieldPostings {
    #[inline]
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for FieldPostings {
    fn score(&mut self) -> Score {
        self.score_on(self.postings.doc())
    }
}

impl Clause for FieldPostings {
    #[inline]
    fn score_on(&mut self, doc: DocId) -> Score {
        let norm = self.norms.fieldnorm_id(doc);
        self.weight.score(norm, self.postings.term_freq())
    }
}

/// A word's fields read directly: the same union as `AnyField`'s, without a call through a
/// box for each field and its boost at every step.
type TermsScorer = Union<FieldPostings>;

impl TermsScorer {
    /// The most the word can score on the episode it stands on: the most of the fields that
    /// hold it there (a summary alone cannot score what the title and three bodies could).
    #[inline]
    fn at_most(&self) -> Score {
        let mut most = self.bonus;
        for (field, d) in self.clauses.iter().zip(&self.docs) {
            if *d == self.doc {
                most += field.most;
            }
        }
        most * 1.001 + 0.001
    }
}

/// A clause in one segment: the most it scores there, and where its term's postings are.
struct InSegment {
    most: Score,
    postings: Option<TermInfo>,
}

impl ClauseLimit {
    fn in_segment(&self, reader: &SegmentReader) -> tantivy::Result<InSegment> {
        let Some(term) = &self.term else {
            return Ok(InSegment {
                most: self.weight.max_score(),
                postings: None,
            });
        };
        let inverted = reader.inverted_index(self.field)?;
        let Some(info) = inverted.get_term_info(term)? else {
            return Ok(InSegment {
                most: 0.0,
                postings: None,
            });
        };
        let most = self.most_in(reader, &inverted, &info)?;
        Ok(InSegment {
            most,
            postings: Some(info),
        })
    }

    /// The most the term scores in the segment, its postings at `info`.
    fn most_in(
        &self,
        reader: &SegmentReader,
        inverted: &InvertedIndexReader,
        info: &TermInfo,
    ) -> tantivy::Result<Score> {
        let mut postings =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let norms = reader.get_fieldnorms_reader(self.field)?;
        let here = inverted.total_num_tokens() as Score / reader.max_doc().max(1) as Score;
        if here <= 0.0 || self.average <= 0.0 {
            return Ok(self.weight.max_score());
        }
        let widen = (self.average / here).max(1.0);
        // The clause's weight as the segment's average would make it.
        let weight = Bm25Weight::for_one_term(self.doc_freq, self.docs, here).boost_by(self.boost);
        let mut most: Score = 0.0;
        while !postings.docs().is_empty() {
            most = most.max(postings.block_max_score(&norms, &weight));
            postings.advance();
        }
        Ok((most * widen).min(self.weight.max_score()))
    }
}

/// The words' union, least bound first.
struct WordsWeight {
    union: AnyFieldWeight,
    /// Each word's limits, to bound it per segment; `None` without scoring.
    limits: Option<Vec<WordLimits>>,
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
        // The words' bounds in this segment, and the words least bound first here.
        let (bounds, here): (Vec<Score>, Vec<Vec<InSegment>>) = match &self.limits {
            Some(limits) => limits
                .iter()
                .map(|w| w.in_segment(reader))
                .collect::<tantivy::Result<Vec<_>>>()?
                .into_iter()
                .unzip(),
            None => (vec![Score::MAX; self.union.0.len()], Vec::new()),
        };
        let mut order: Vec<usize> = (0..bounds.len()).collect();
        order.sort_by(|&a, &b| bounds[a].total_cmp(&bounds[b]));
        let scorers_in_order = || -> tantivy::Result<Vec<WordScorer>> {
            order
                .iter()
                .map(|&i| {
                    let direct = match &self.limits {
                        Some(limits) => limits[i].direct_scorer(reader, &here[i])?,
                        None => None,
                    };
                    match direct {
                        Some(scorer) => Ok(WordScorer::Direct(scorer)),
                        None => Ok(WordScorer::Boxed(self.union.0[i].scorer(reader, 1.0)?)),
                    }
                })
                .collect()
        };
        let mut scorers = scorers_in_order()?;
        let n = scorers.len();
        let sorted: Vec<Score> = order.iter().map(|&i| bounds[i]).collect();
        // up_to[i]: the most words 0..=i (in this segment's order) can add up to.
        let up_to: Vec<Score> = sorted
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
        // Each word's score for the episode at hand, in the weight's order: summed in that
        // order, least word first, as the scorer sums, so both give the same scores.
        let mut scores: Vec<Option<Score>> = vec![None; n];
        let rare_from = n.saturating_sub(FIRST_WORDS);
        {
            let mut probes = scorers_in_order()?;
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
                for i in 0..n {
                    if docs[i] < doc {
                        docs[i] = probes[i].seek(doc);
                    }
                    if docs[i] == doc {
                        scores[order[i]] = Some(probes[i].score());
                    }
                }
                let score = summed(&mut scores);
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
            // What the episode can score at most, before scoring it: the words it holds from
            // `first` on, in the fields that hold them there, and all the words before.
            let mut most = if first > 0 { up_to[first - 1] } else { 0.0 };
            for i in first..n {
                if docs[i] == doc {
                    most += scorers[i].at_most(sorted[i]);
                }
            }
            if !known && most > threshold {
                let mut sum = 0.0;
                for i in first..n {
                    if docs[i] == doc {
                        let s = scorers[i].score();
                        scores[order[i]] = Some(s);
                        sum += s;
                    }
                }
                let mut possible = true;
                for i in (0..first).rev() {
                    if sum + up_to[i] <= threshold {
                        possible = false;
                        break;
                    }
                    if docs[i] < doc {
                        docs[i] = scorers[i].seek(doc);
                    }
                    if docs[i] == doc {
                        let s = scorers[i].score();
                        scores[order[i]] = Some(s);
                        sum += s;
                    }
                }
                let score = summed(&mut scores);
                if possible && score > threshold {
                    threshold = callback(doc, score);
                }
            }
            for i in first..n {
                if docs[i] == doc {
                    docs[i] = scorers[i].advance();
                }
            }
        }
        Ok(())
    }
}

/// The words' scores summed in order, and cleared for the next episode.
fn summed(scores: &mut [Option<Score>]) -> Score {
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        sum += s.take().unwrap_or(0.0);
    }
    sum
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{Schema, TEXT};
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

    /// An index in memory of a title and a body, and its writer.
    fn title_and_body() -> (Index, Field, Field, tantivy::IndexWriter) {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        (index, title, body, writer)
    }

    #[test]
    fn matches_and_scores_like_a_union_alone_and_inside_an_intersection() {
        let (index, title, body, mut writer) = title_and_body();
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

    /// Segments of very different field lengths (short titles and bodies in one, long bodies
    /// repeating words in another), so that the index's average lengths are far from each
    /// segment's: the pruned pass must give the page that scoring every episode gives, and no
    /// episode may score a word above the word's bound in its segment.
    #[test]
    fn pruned_words_give_the_page_of_scoring_every_episode_across_unlike_segments() {
        let (index, title, body, mut writer) = title_and_body();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let words = ["alpha", "beta", "gamma", "delta", "omega"];
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for segment in 0..3usize {
            for _ in 0..400 {
                // Each word at most `most` times, among `filler` to twice as many other words.
                let mut text = |most: usize, filler: usize| {
                    let mut out = Vec::new();
                    for w in words {
                        for _ in 0..next() % (most + 1) {
                            out.push(w);
                        }
                    }
                    out.extend(std::iter::repeat_n("filler", filler + next() % filler));
                    out.join(" ")
                };
                let (t, b) = match segment {
                    0 => (text(1, 3), text(1, 8)),
                    1 => (text(1, 12), text(3, 200)),
                    _ => (text(1, 6), text(2, 40)),
                };
                writer.add_document(doc!(title => t, body => b)).unwrap();
            }
            writer.commit().unwrap();
        }
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let word = |w: &str, bonus: Score| -> Word {
            let clauses = vec![
                (title, vec![w.to_string()], 2.0),
                (body, vec![w.to_string()], 1.0),
            ];
            let queries = clauses
                .iter()
                .map(|(field, terms, boost)| {
                    Box::new(tantivy::query::BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(*field, &terms[0]),
                            IndexRecordOption::WithFreqs,
                        )),
                        *boost,
                    )) as Box<dyn Query>
                })
                .collect();
            Word {
                query: Box::new(AnyField::with_bonus(queries, bonus)),
                clauses,
                bonus,
            }
        };
        let query = Words(vec![
            word("alpha", 3.0),
            word("beta", 0.5),
            word("gamma", 8.0),
            word("delta", 0.0),
            word("omega", 1.5),
        ]);
        // Every episode's score, from the union's scorer, best first, ties by address.
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let mut everything = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                let address = DocAddress::new(ord as u32, scorer.doc());
                everything.push((address, (scorer.score() * 10_000.0).round() as i64));
                scorer.advance();
            }
        }
        everything.sort_by_key(|(address, score)| (std::cmp::Reverse(*score), *address));
        assert!(everything.len() > 1000, "{}", everything.len());
        for limit in [1, 3, 10, 50] {
            let mut pruned: Vec<(DocAddress, i64)> = searcher
                .search(&query, &TopDocs::with_limit(limit).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(score, address)| (address, (score * 10_000.0).round() as i64))
                .collect();
            pruned.sort_by_key(|(address, score)| (std::cmp::Reverse(*score), *address));
            let scores = |hits: &[(DocAddress, i64)]| hits.iter().map(|h| h.1).collect::<Vec<_>>();
            assert_eq!(scores(&pruned), scores(&everything[..limit]), "{limit}");
        }
        // Each word alone: no episode above its bound in its segment.
        for w in &query.0 {
            let limits = WordLimits::new(&searcher, &w.clauses, w.bonus).unwrap();
            let alone = w
                .query
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for segment in searcher.segment_readers() {
                let (bound, _) = limits.in_segment(segment).unwrap();
                assert!(bound <= limits.bound());
                let mut scorer = alone.scorer(segment, 1.0).unwrap();
                let mut most: Score = 0.0;
                while scorer.doc() != TERMINATED {
                    most = most.max(scorer.score());
                    scorer.advance();
                }
                assert!(most <= bound, "{most} > {bound}");
            }
            // Each field's bound is well below BM25's own limit in some segment.
            for clause in &limits.clauses {
                let tight = searcher
                    .segment_readers()
                    .iter()
                    .filter(|s| {
                        clause.in_segment(s).unwrap().most < 0.9 * clause.weight.max_score()
                    })
                    .count();
                assert!(tight > 0, "{:?}", w.clauses);
            }
        }
    }
}
