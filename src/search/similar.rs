//! More like this: the episodes whose words are most like one episode's own, never itself.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::results::Hit;
use super::snippet::{self, Highlighted};
use crate::error::Result;
use crate::index::indexer::EpisodeIndex;
use crate::index::schema;

/// Words too common in any English text to tell episodes apart (as the analysis leaves them).
const STOP_WORDS: [&str; 32] = [
    "and", "are", "but", "can", "for", "from", "had", "has", "have", "her", "his", "how", "its",
    "not", "our", "out", "she", "that", "the", "their", "them", "then", "there", "they", "thi",
    "this", "was", "what", "who", "will", "with", "you",
];

/// How many of the episode's words (those that best tell it apart) the search uses.
const MOST_WORDS: usize = 25;

impl EpisodeIndex {
    /// The `limit` episodes most like the stored episode `id`, best first; `None` when no
    /// episode has that id. Its words are weighed by how often it uses them and how rare they
    /// are in the index (the `MOST_WORDS` heaviest are searched); words only it holds find
    /// nothing and are passed over.
    pub fn similar(
        &self,
        id: &str,
        limit: usize,
        snippet_chars: usize,
    ) -> Result<Option<Vec<Hit>>> {
        let searcher = self.searcher();
        let Some(episode) = self.get(id)? else {
            return Ok(None);
        };
        let text = [
            &episode.title,
            &episode.summary,
            &episode.description,
            &episode.overview,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
        let mut frequencies: HashMap<String, u32> = HashMap::new();
        for term in schema::analyze(&text) {
            if term.chars().count() > 2 && !STOP_WORDS.contains(&term.as_str()) {
                *frequencies.entry(term).or_default() += 1;
            }
        }
        let total = searcher.num_docs().max(1) as f32;
        let fields = self.fields.written();
        let mut weighted = Vec::new();
        for (term, frequency) in frequencies {
            let mut holding = 0;
            for field in fields {
                holding = holding.max(searcher.doc_freq(&Term::from_field_text(field, &term))?);
            }
            // Held by this episode alone: it finds nothing else.
            if holding <= 1 {
                continue;
            }
            let weight = frequency as f32 * (1.0 + total / holding as f32).ln();
            weighted.push((weight, term));
        }
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        weighted.truncate(MOST_WORDS);
        if weighted.is_empty() || limit == 0 {
            return Ok(Some(Vec::new()));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (weight, term) in &weighted {
            for field in fields {
                let query = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), *weight)),
                ));
            }
        }
        let key = episode.id.clone().unwrap_or_default();
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, &key),
                IndexRecordOption::Basic,
            )),
        ));
        let query = BooleanQuery::new(clauses);
        let limit = limit.min(searcher.num_docs() as usize).max(1);
        let found = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(found.len());
        for (i, (score, address)) in found.into_iter().enumerate() {
            let episode = self.episode_at(&searcher, address)?;
            let opening = [&episode.summary, &episode.overview, &episode.description]
                .into_iter()
                .find_map(|t| t.as_deref())
                .map(|t| snippet::opening(t, snippet_chars))
                .unwrap_or_default();
            hits.push(Hit {
                rank: i + 1,
                score,
                title: Highlighted {
                    text: episode.title.clone().unwrap_or_default(),
                    highlights: Vec::new(),
                },
                snippet: opening,
                episode,
                explain: None,
                moments: Vec::new(),
                chapter: None,
            });
        }
        Ok(Some(hits))
    }
}
