//! Judged queries and how well a ranking serves them: success at each query's cut-off and
//! MRR@10, for episearch and, as the peer, SQLite FTS5 over the same episodes.

use std::collections::HashSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;

use crate::error::{Error, Result};
use crate::index::indexer::{from_document, EpisodeIndex};
use crate::search::moments::Moment;
use crate::search::options::SearchOptions;

use super::fts5::Fts5;

/// Ranks past this one never count towards MRR.
pub const MRR_DEPTH: usize = 10;

/// One judged query: what a user typed and which episodes they wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgment {
    /// 1-based line in the judgments file.
    pub line: usize,
    /// Free-form category (`known-item`, `misspelling`, ...), reported with misses.
    pub kind: String,
    /// The query succeeds when a wanted episode ranks at or above this.
    pub cutoff: usize,
    pub query: String,
    /// Episode ids; any one of them will do.
    pub wanted: Vec<String>,
    /// When the words are said, in seconds (`id@754.2`): the first moment of the wanted
    /// episode's hit must hold this time.
    pub said_at: Option<f64>,
}

/// Read the judgments format: `kind TAB cutoff TAB query TAB id id...`, `#` comments; an id
/// may carry the time its words are said, `id@754.2`, to judge the moment too.
pub fn parse_judgments(text: &str, origin: &str) -> Result<Vec<Judgment>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| Error::Invalid(format!("{origin}:{}: {why}", n + 1));
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, cutoff, query, wanted] = cols.as_slice() else {
            return Err(bad(
                "expected 4 tab-separated columns: kind, cut-off, query, ids",
            ));
        };
        let cutoff: usize = cutoff
            .trim()
            .parse()
            .ok()
            .filter(|c| *c > 0)
            .ok_or_else(|| bad("the cut-off must be a rank of 1 or more"))?;
        let mut said_at = None;
        let mut ids = Vec::new();
        for id in wanted.split_whitespace() {
            match id.split_once('@') {
                Some((id, at)) => {
                    let at: f64 = at
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                        .ok_or_else(|| bad("a time after `@` must be seconds"))?;
                    said_at = Some(at);
                    ids.push(id.to_string());
                }
                None => ids.push(id.to_string()),
            }
        }
        let wanted = ids;
        if wanted.is_empty() || query.trim().is_empty() {
            return Err(bad("a query and at least one wanted id are needed"));
        }
        out.push(Judgment {
            line: n + 1,
            kind: kind.trim().to_string(),
            cutoff,
            query: query.trim().to_string(),
            wanted,
            said_at,
        });
    }
    Ok(out)
}

/// How one engine did on every judged query.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub engine: String,
    /// Rank of the first wanted episode per query, when within the depth searched.
    pub ranks: Vec<Option<usize>>,
    pub successes: usize,
    pub mrr: f64,
    /// Of the queries judged for their moment: how many landed where the words are said,
    /// and how many there were (episearch only).
    pub moments: Option<(usize, usize)>,
}

impl Report {
    pub fn new(engine: &str, judgments: &[Judgment], ranks: Vec<Option<usize>>) -> Report {
        let successes = judgments
            .iter()
            .zip(&ranks)
            .filter(|(j, r)| r.is_some_and(|r| r <= j.cutoff))
            .count();
        debug_assert_eq!(judgments.len(), ranks.len());
        let reciprocal: f64 = ranks
            .iter()
            .map(|r| match r {
                Some(r) if *r <= MRR_DEPTH => 1.0 / *r as f64,
                _ => 0.0,
            })
            .sum();
        Report {
            engine: engine.to_string(),
            successes,
            mrr: if ranks.is_empty() {
                0.0
            } else {
                reciprocal / ranks.len() as f64
            },
            ranks,
            moments: None,
        }
    }

    /// The judged queries this engine missed, each with the rank it found a wanted episode at.
    pub fn missed<'a>(&self, judgments: &'a [Judgment]) -> Vec<(&'a Judgment, Option<usize>)> {
        judgments
            .iter()
            .zip(&self.ranks)
            .filter(|(j, rank)| !rank.is_some_and(|rank| rank <= j.cutoff))
            .map(|(j, rank)| (j, *rank))
            .collect()
    }

    pub fn success_rate(&self) -> f64 {
        if self.ranks.is_empty() {
            0.0
        } else {
            self.successes as f64 / self.ranks.len() as f64
        }
    }
}

/// The judged queries two engines ranked differently, with the rank each found a wanted episode
/// at (`None`: not within the depth searched).
pub fn differing<'a>(
    judgments: &'a [Judgment],
    a: &Report,
    b: &Report,
) -> Vec<(&'a Judgment, Option<usize>, Option<usize>)> {
    judgments
        .iter()
        .zip(a.ranks.iter().zip(&b.ranks))
        .filter(|(_, (x, y))| x != y)
        .map(|(j, (x, y))| (j, *x, *y))
        .collect()
}

/// How deep to look for one query: its cut-off or the MRR depth, whichever is further.
fn depth(j: &Judgment) -> usize {
    j.cutoff.max(MRR_DEPTH)
}

fn first_wanted<'a>(ids: impl IntoIterator<Item = &'a str>, wanted: &[String]) -> Option<usize> {
    ids.into_iter()
        .position(|id| wanted.iter().any(|w| w == id))
        .map(|p| p + 1)
}

/// Run every judged query through episearch as the `search` command would (`base` carries the
/// synonyms and snippet settings).
pub fn episearch(
    index: &EpisodeIndex,
    judgments: &[Judgment],
    base: &SearchOptions,
) -> Result<Report> {
    let mut ranks = Vec::with_capacity(judgments.len());
    let (mut landed, mut judged) = (0, 0);
    for j in judgments {
        let options = SearchOptions {
            query: j.query.clone(),
            limit: depth(j),
            offset: 0,
            ..base.clone()
        };
        let hits = index.search(&options)?.hits;
        let rank = first_wanted(
            hits.iter().filter_map(|h| h.episode.id.as_deref()),
            &j.wanted,
        );
        if let Some(at) = j.said_at {
            judged += 1;
            // Within the cue: times are kept to the millisecond.
            let holds = |m: &Moment| m.start - 0.001 <= at && at <= m.end + 0.001;
            if rank
                .and_then(|r| hits[r - 1].moments.first())
                .is_some_and(holds)
            {
                landed += 1;
            }
        }
        ranks.push(rank);
    }
    let mut report = Report::new("episearch", judgments, ranks);
    report.moments = (judged > 0).then_some((landed, judged));
    Ok(report)
}

/// The same judged queries through SQLite FTS5 over every episode of the index, loaded into
/// memory (see `fts5`).
pub fn fts5(index: &EpisodeIndex, judgments: &[Judgment]) -> Result<Report> {
    let searcher = index.searcher();
    let all: HashSet<_> = searcher.search(&AllQuery, &DocSetCollector)?;
    let mut episodes = Vec::with_capacity(all.len());
    for address in all {
        episodes.push(from_document(&searcher.doc(address)?, &index.fields));
    }
    let mut fts = Fts5::in_memory()?;
    fts.insert(&episodes)?;
    let mut ranks = Vec::with_capacity(judgments.len());
    for j in judgments {
        let ids = fts.ids(&j.query, depth(j))?;
        ranks.push(first_wanted(ids.iter().map(String::as_str), &j.wanted));
    }
    Ok(Report::new("sqlite fts5", judgments, ranks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgments_parse_and_explain_their_errors() {
        let text = "# comment\n\nname\t3\tToby Ord\ta b\n";
        let j = parse_judgments(text, "j.tsv").unwrap();
        assert_eq!(j.len(), 1);
        assert_eq!(
            (j[0].line, j[0].cutoff, j[0].query.as_str()),
            (3, 3, "Toby Ord")
        );
        assert_eq!(j[0].wanted, ["a", "b"]);
        let e = parse_judgments("x\t0\tq\tid\n", "j.tsv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "j.tsv:1: the cut-off must be a rank of 1 or more"
        );
        assert!(parse_judgments("x\t1\tq\n", "j.tsv").is_err());
        let timed = parse_judgments("said\t1\tq\ta@754.2\n", "j.tsv").unwrap();
        assert_eq!(
            (timed[0].wanted.as_slice(), timed[0].said_at),
            (&["a".to_string()][..], Some(754.2))
        );
        assert_eq!(
            parse_judgments("said\t1\tq\ta@soon\n", "j.tsv")
                .unwrap_err()
                .to_string(),
            "j.tsv:1: a time after `@` must be seconds"
        );
    }

    #[test]
    fn success_counts_the_cutoff_and_mrr_stops_at_ten() {
        let j = |cutoff| Judgment {
            line: 1,
            kind: String::new(),
            cutoff,
            query: "q".into(),
            wanted: vec!["x".into()],
            said_at: None,
        };
        let judgments = [j(3), j(3), j(20), j(1)];
        let r = Report::new("t", &judgments, vec![Some(1), Some(4), Some(12), None]);
        assert_eq!(r.successes, 2);
        assert!((r.mrr - (1.0 + 0.25) / 4.0).abs() < 1e-9);
    }
}
