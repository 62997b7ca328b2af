//! The filters of a search (dates, durations, podcast, language, speaker) around its scoring
//! query.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::options::SearchOptions;
use crate::index::indexer::index_date;
use crate::index::schema::Fields;

/// `scoring` restricted to the episodes `o`'s filters let through; the filters score nothing.
pub(crate) fn with_filters(
    f: &Fields,
    scoring: Box<dyn Query>,
    o: &SearchOptions,
) -> Box<dyn Query> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if o.since.is_some() || o.until.is_some() {
        let term = |d: DateTime<Utc>| Term::from_field_date(f.date, index_date(d));
        filters.push(Box::new(RangeQuery::new(
            o.since
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
            o.until
                .map_or(Bound::Unbounded, |d| Bound::Excluded(term(d))),
        )));
    }
    if o.min_duration.is_some() || o.max_duration.is_some() {
        let term = |d: u64| Term::from_field_u64(f.duration, d);
        filters.push(Box::new(RangeQuery::new(
            o.min_duration
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
            o.max_duration
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
        )));
    }
    if let Some(p) = &o.podcast {
        let name = p
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        filters.push(Box::new(TermQuery::new(
            Term::from_field_text(f.podcast_key, &name),
            IndexRecordOption::Basic,
        )));
    }
    if let Some(code) = &o.language {
        // A language, not a region: `de` and `de-DE` alike are German of anywhere: `de`,
        // `de-de`, `de-at` (every tag from `de-` up to `de.`, the character after `-`).
        let code = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_lowercase();
        let term = |s: &str| Term::from_field_text(f.language, s);
        filters.push(Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(TermQuery::new(term(&code), IndexRecordOption::Basic)) as Box<dyn Query>,
            ),
            (
                Occur::Should,
                Box::new(RangeQuery::new(
                    Bound::Included(term(&format!("{code}-"))),
                    Bound::Excluded(term(&format!("{code}."))),
                )),
            ),
        ])));
    }
    if let Some(name) = &o.speaker {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let field = f.spoken.map(|s| s.speaker);
        match field {
            Some(field) => filters.push(Box::new(TermQuery::new(
                Term::from_field_text(field, &name.to_lowercase()),
                IndexRecordOption::Basic,
            ))),
            // An index without transcripts has no speakers: nothing matches.
            None => filters.push(Box::new(tantivy::query::EmptyQuery)),
        }
    }
    if filters.is_empty() {
        return scoring;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, scoring)];
    clauses.extend(filters.into_iter().map(|q| {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(clauses))
}
