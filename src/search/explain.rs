//! Why a hit ranks where it does: for each hit, the tiers it earned or missed and why, and what
//! each word of the query scored in each field. Built only when asked (`--explain`): a search
//! that does not ask builds none of it.

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocSet, Searcher};

use super::results::{Explanation, TierMatch, WordMatch};

/// One word of content as searched: its clauses in each field, and the coordination bonus a
/// long query gives for holding it at all.
pub(crate) struct ExplainedWord {
    pub(crate) word: String,
    pub(crate) fields: Vec<(String, Box<dyn Query>)>,
    /// The word in any of its forms and fields, with its bonus.
    pub(crate) held: Box<dyn Query>,
    pub(crate) bonus: f32,
    /// A typed word as a language-stemmed field analyses it, or a synonym: shown only where
    /// it matched, and never counted as a missing word.
    pub(crate) native: bool,
}

/// The tiers of a plain-word query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    EveryWord,
    Phrase,
    AsTyped,
    /// The words of content said together in a transcript.
    Said,
}

impl Tier {
    fn name(self) -> &'static str {
        match self {
            Tier::EveryWord => "every word",
            Tier::Phrase => "phrase",
            Tier::AsTyped => "as typed",
            Tier::Said => "said together",
        }
    }
}

/// One tier of the ranking: which, the query an episode must match to earn it, its bonus.
pub(crate) struct ExplainedTier {
    pub(crate) tier: Tier,
    pub(crate) query: Box<dyn Query>,
    pub(crate) bonus: f32,
}

/// What it takes to explain the hits of one plain-word query.
pub(crate) struct Explainer {
    pub(crate) words: Vec<ExplainedWord>,
    pub(crate) tiers: Vec<ExplainedTier>,
    /// The function words typed, which scored nothing on their own.
    pub(crate) function_words: Vec<String>,
    pub(crate) long: bool,
}

/// Whether `query` matches the episode at `address`, and its score there. (Not through
/// `Query::explain`: a boolean query's explanation seeks its scorer without checking where it
/// starts, which a scorer already past the episode does not allow.)
fn score(searcher: &Searcher, query: &dyn Query, address: DocAddress) -> Option<f32> {
    let weight = query
        .weight(EnableScoring::enabled_from_searcher(searcher))
        .ok()?;
    let reader = searcher.segment_reader(address.segment_ord);
    let mut scorer = weight.scorer(reader, 1.0).ok()?;
    if scorer.doc() < address.doc_id {
        scorer.seek(address.doc_id);
    }
    (scorer.doc() == address.doc_id).then(|| scorer.score())
}

impl Explainer {
    pub(crate) fn explain(&self, searcher: &Searcher, address: DocAddress) -> Explanation {
        let words: Vec<(bool, WordMatch)> = self
            .words
            .iter()
            .map(|w| {
                let fields: Vec<(String, f32)> = w
                    .fields
                    .iter()
                    .filter_map(|(name, q)| {
                        score(searcher, &**q, address)
                            .filter(|s| *s > 0.0)
                            .map(|s| (name.clone(), s))
                    })
                    .collect();
                let held = score(searcher, &*w.held, address).is_some();
                let found = WordMatch {
                    word: w.word.clone(),
                    fields,
                    coordination: if held { w.bonus } else { 0.0 },
                };
                (w.native, found)
            })
            .collect();
        let missing: Vec<&str> = words
            .iter()
            .filter(|(native, m)| !native && m.fields.is_empty() && m.coordination == 0.0)
            .map(|(_, m)| m.word.as_str())
            .collect();
        let tiers = self
            .tiers
            .iter()
            .map(|t| {
                let earned = score(searcher, &*t.query, address).is_some();
                let misses = format!("misses {}", missing.join(", "));
                let why = match (t.tier, earned) {
                    (Tier::EveryWord, true) => "holds every word of content".to_string(),
                    (Tier::EveryWord, false) if missing.is_empty() => {
                        "holds the words only through synonyms in different fields".to_string()
                    }
                    (Tier::Phrase, true) => "holds the words together, in the order typed".into(),
                    (Tier::Phrase, false) => "the words are not together as typed".into(),
                    (Tier::AsTyped, true) => "holds every word as typed".into(),
                    (Tier::AsTyped, false) if missing.is_empty() => {
                        "holds some words only through a synonym".into()
                    }
                    (Tier::Said, true) => {
                        "its transcript says the words of content together, in the order typed"
                            .into()
                    }
                    (Tier::Said, false) => "no transcript says the words together".into(),
                    (Tier::EveryWord | Tier::AsTyped, false) => misses,
                };
                TierMatch {
                    tier: t.tier.name().to_string(),
                    bonus: t.bonus,
                    earned,
                    why,
                }
            })
            .collect();
        let words = words
            .into_iter()
            .filter(|(native, m)| !native || !m.fields.is_empty())
            .map(|(_, m)| m)
            .collect();
        Explanation {
            tiers,
            words,
            function_words: self.function_words.clone(),
            long: self.long,
            literal: false,
        }
    }
}
