//! What a search answers: ranked addresses, then hits with their highlights.

use tantivy::DocAddress;

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
