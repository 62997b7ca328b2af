//! Counting what a search matches, not only its page: the total, and how many matches each
//! podcast and each year holds (facets), for the CLI's `--facets` and the server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Datelike, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::options::SearchOptions;
use crate::error::{Error, Result};
use crate::index::indexer::EpisodeIndex;
use crate::index::schema;

/// The most podcasts a podcast facet lists.
pub const TOP_PODCASTS: usize = 20;

/// What matches can be counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Podcast,
    Year,
}

impl Facet {
    pub fn name(self) -> &'static str {
        match self {
            Facet::Podcast => "podcast",
            Facet::Year => "year",
        }
    }

    /// `podcast,year` → both, in the order given, each once.
    pub fn parse_list(list: &str) -> Result<Vec<Facet>> {
        let mut facets = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let facet = match name {
                "podcast" => Facet::Podcast,
                "year" => Facet::Year,
                other => {
                    return Err(Error::Invalid(format!(
                        "unknown facet `{}`: expected podcast or year",
                        clip(other)
                    )))
                }
            };
            if !facets.contains(&facet) {
                facets.push(facet);
            }
        }
        Ok(facets)
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// One value of a facet and how many matches hold it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// How many episodes a search matches, and its facets in the order asked for, each most
/// frequent first (ties by value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub facets: Vec<(Facet, Vec<FacetValue>)>,
}

/// Counts matches; keeps, per reader generation, which podcast each episode belongs to (the
/// podcast is no column of the index: it is read once from the podcast filter's postings), and
/// the counts of the searches it has answered: the pages of one search (and a popular query
/// asked again) share one count, which costs more than finding a page.
#[derive(Default)]
pub struct FacetCounter {
    podcasts: Mutex<Option<(u64, Arc<PodcastColumn>)>>,
    answered: Mutex<(u64, HashMap<String, Counts>)>,
}

/// The most counts kept for one reader generation; past it they are forgotten all at once.
const MOST_KEPT: usize = 4096;

/// Each segment's episodes → a podcast number; the first episode of each podcast, to read its
/// name as written.
struct PodcastColumn {
    by_segment: HashMap<SegmentId, Arc<Vec<u32>>>,
    first: Vec<DocAddress>,
}

const NO_PODCAST: u32 = u32::MAX;

impl FacetCounter {
    pub fn new() -> FacetCounter {
        FacetCounter::default()
    }

    /// The total of `options`' matches and the `facets` asked for.
    pub fn count(
        &self,
        index: &EpisodeIndex,
        options: &SearchOptions,
        facets: &[Facet],
    ) -> Result<Counts> {
        let searcher = index.searcher();
        let generation = searcher.generation().generation_id();
        // What decides the matches and their counts; not the page, the order or the snippets.
        let key = format!(
            "{:?}",
            (
                &options.query,
                options.since,
                options.until,
                &options.podcast,
                options.min_duration,
                options.max_duration,
                facets,
            )
        );
        {
            let answered = self.answered.lock().unwrap_or_else(PoisonError::into_inner);
            if answered.0 == generation {
                if let Some(counts) = answered.1.get(&key) {
                    return Ok(counts.clone());
                }
            }
        }
        let counts = self.count_now(index, &searcher, options, facets)?;
        let mut answered = self.answered.lock().unwrap_or_else(PoisonError::into_inner);
        if answered.0 != generation || answered.1.len() >= MOST_KEPT {
            *answered = (generation, HashMap::new());
        }
        answered.1.insert(key, counts.clone());
        Ok(counts)
    }

    fn count_now(
        &self,
        index: &EpisodeIndex,
        searcher: &Searcher,
        options: &SearchOptions,
        facets: &[Facet],
    ) -> Result<Counts> {
        let Some(query) = index.matching(searcher, options)? else {
            return Ok(Counts {
                total: 0,
                facets: facets.iter().map(|&f| (f, Vec::new())).collect(),
            });
        };
        let podcasts = if facets.contains(&Facet::Podcast) {
            Some(self.podcast_column(index, searcher)?)
        } else {
            None
        };
        let collector = FacetCollector {
            podcasts: podcasts.clone(),
            years: facets.contains(&Facet::Year),
        };
        let tally = searcher.search(&*query, &collector)?;
        let mut out = Vec::with_capacity(facets.len());
        for &facet in facets {
            let values = match (facet, &podcasts) {
                (Facet::Podcast, Some(column)) => {
                    let mut top: Vec<(u64, u32)> = tally
                        .podcasts
                        .iter()
                        .map(|(&ord, &count)| (count, ord))
                        .collect();
                    let mut named = Vec::with_capacity(top.len().min(TOP_PODCASTS));
                    top.sort_by_key(|&(count, _)| std::cmp::Reverse(count));
                    // Names are read only for those shown; ties are settled by name after.
                    let cut = top
                        .get(TOP_PODCASTS.saturating_sub(1))
                        .map_or(0, |(count, _)| *count);
                    for (count, ord) in top.into_iter().take_while(|(c, _)| *c >= cut) {
                        let name = index
                            .episode_at(searcher, column.first[ord as usize])?
                            .podcast
                            .unwrap_or_default();
                        named.push(FacetValue { value: name, count });
                    }
                    sort_values(&mut named);
                    named.truncate(TOP_PODCASTS);
                    named
                }
                (Facet::Podcast, None) => Vec::new(),
                (Facet::Year, _) => {
                    let mut years: Vec<FacetValue> = tally
                        .years
                        .iter()
                        .map(|(year, &count)| FacetValue {
                            value: year.to_string(),
                            count,
                        })
                        .collect();
                    sort_values(&mut years);
                    years
                }
            };
            out.push((facet, values));
        }
        Ok(Counts {
            total: tally.total,
            facets: out,
        })
    }

    fn podcast_column(
        &self,
        index: &EpisodeIndex,
        searcher: &Searcher,
    ) -> Result<Arc<PodcastColumn>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.podcasts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((g, column)) = cached.as_ref() {
            if *g == generation {
                return Ok(column.clone());
            }
        }
        let column = Arc::new(build_column(index, searcher)?);
        *cached = Some((generation, column.clone()));
        Ok(column)
    }
}

/// Most frequent first, then by value.
fn sort_values(values: &mut [FacetValue]) {
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
}

fn build_column(index: &EpisodeIndex, searcher: &Searcher) -> Result<PodcastColumn> {
    let field = index.fields.podcast_key;
    let io = |e: std::io::Error| Error::io(index.path(), e);
    let mut numbers: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut first = Vec::new();
    let mut by_segment = HashMap::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut docs = vec![NO_PODCAST; segment.max_doc() as usize];
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted.terms().stream().map_err(io)?;
        while terms.advance() {
            let mut postings = inverted
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                .map_err(io)?;
            let mut doc = tantivy::DocSet::doc(&postings);
            if doc == tantivy::TERMINATED {
                continue;
            }
            let number = *numbers.entry(terms.key().to_vec()).or_insert_with(|| {
                first.push(DocAddress::new(segment_ord as SegmentOrdinal, doc));
                (first.len() - 1) as u32
            });
            while doc != tantivy::TERMINATED {
                if let Some(slot) = docs.get_mut(doc as usize) {
                    *slot = number;
                }
                doc = tantivy::DocSet::advance(&mut postings);
            }
        }
        by_segment.insert(segment.segment_id(), Arc::new(docs));
    }
    Ok(PodcastColumn { by_segment, first })
}

struct FacetCollector {
    podcasts: Option<Arc<PodcastColumn>>,
    years: bool,
}

#[derive(Default)]
struct Tally {
    total: u64,
    podcasts: HashMap<u32, u64>,
    years: HashMap<i32, u64>,
}

struct SegmentTally {
    podcasts: Option<Arc<Vec<u32>>>,
    dates: Option<tantivy::columnar::Column<tantivy::DateTime>>,
    tally: Tally,
}

impl Collector for FacetCollector {
    type Fruit = Tally;
    type Child = SegmentTally;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentTally> {
        let podcasts = self
            .podcasts
            .as_ref()
            .and_then(|c| c.by_segment.get(&segment.segment_id()).cloned());
        let dates = if self.years {
            segment.fast_fields().date(schema::DATE).ok()
        } else {
            None
        };
        Ok(SegmentTally {
            podcasts,
            dates,
            tally: Tally::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut all = Tally::default();
        for fruit in fruits {
            all.total += fruit.total;
            for (k, v) in fruit.podcasts {
                *all.podcasts.entry(k).or_default() += v;
            }
            for (k, v) in fruit.years {
                *all.years.entry(k).or_default() += v;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.tally.total += 1;
        if let Some(podcasts) = &self.podcasts {
            if let Some(&number) = podcasts.get(doc as usize) {
                if number != NO_PODCAST {
                    *self.tally.podcasts.entry(number).or_default() += 1;
                }
            }
        }
        if let Some(dates) = &self.dates {
            let year = dates
                .first(doc)
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0))
                .map(|d| d.year());
            if let Some(year) = year {
                *self.tally.years.entry(year).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Tally {
        self.tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_lists_parse_in_order_once_each() {
        assert_eq!(
            Facet::parse_list("year, podcast,year").unwrap(),
            vec![Facet::Year, Facet::Podcast]
        );
        assert_eq!(Facet::parse_list("").unwrap(), vec![]);
        assert_eq!(
            Facet::parse_list("podcast,genre").unwrap_err().to_string(),
            "unknown facet `genre`: expected podcast or year"
        );
    }
}
