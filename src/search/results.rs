//! What a search answers: ranked addresses, then hits with their highlights.

use tantivy::DocAddress;

use super::moments::{ChapterMatch, Moment};
use super::snippet::Highlighted;
use crate::episode::Episode;

/// One ranked result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based, counting from the first result of the first page.
    pub rank: usize,
    pub score: f32,
    pub episode: Episode,
    /// The full title with its matched ranges.
    pub title: Highlighted,
    /// The best fragment of the body field that matched best.
    pub snippet: Highlighted,
    /// Why it ranks here, when asked for (`SearchOptions::explain`).
    pub explain: Option<Explanation>,
    /// Where in its transcript the words were said, best first (`SearchOptions::moments`).
    pub moments: Vec<Moment>,
    /// The chapter whose title holds the words, if one does.
    pub chapter: Option<ChapterMatch>,
}

/// Why a hit ranks where it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The tiers of a plain-word query, earned or not.
    pub tiers: Vec<TierMatch>,
    /// What each word of content scored, field by field.
    pub words: Vec<WordMatch>,
    /// Function words typed, which score nothing on their own.
    pub function_words: Vec<String>,
    /// Ranked as a long query: the title weighs as a body, each word held earns coordination.
    pub long: bool,
    /// A query with operators, quotes or fields, taken literally: no tiers.
    pub literal: bool,
}

impl Explanation {
    /// The explanation of a hit of a query taken literally: its BM25, no tiers.
    pub fn literal() -> Explanation {
        Explanation {
            tiers: Vec::new(),
            words: Vec::new(),
            function_words: Vec::new(),
            long: false,
            literal: true,
        }
    }
}

/// One tier and whether the hit earned it.
#[derive(Debug, Clone, PartialEq)]
pub struct TierMatch {
    pub tier: String,
    pub bonus: f32,
    pub earned: bool,
    pub why: String,
}

/// One word of content: its BM25 in each field that holds it, and its coordination bonus.
#[derive(Debug, Clone, PartialEq)]
pub struct WordMatch {
    pub word: String,
    pub fields: Vec<(String, f32)>,
    pub coordination: f32,
}

/// Scores and addresses of one page of hits, best first.
pub type Ranked = Vec<(f32, DocAddress)>;
/// The hits of one search and what the user should be told about the query.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// One-line notices (a query that did not parse and was searched as plain words).
    pub warnings: Vec<String>,
    /// The query as searched when words were corrected: words the index does not hold
    /// (`kubernetis` → `kubernetes`), or rare words with a far more common neighbour.
    pub corrected: Option<String>,
    /// True when the words as typed were searched too (rare words the index holds) and rank
    /// first; false when the corrected query replaced them.
    pub typed_also: bool,
    /// When nothing matched: a query of the index's own words that would match.
    pub suggestion: Option<String>,
}
