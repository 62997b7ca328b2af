//! Query latency measured the way `search` runs: the queries of a file, each searched with
//! snippets a number of times after an untimed warm-up, reduced to percentiles.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::indexer::EpisodeIndex;
use crate::search::options::SearchOptions;

/// How a latency run behaves. `search` is the template every query is run with (its `query` is
/// replaced by each line of the file).
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Timed passes over all the queries.
    pub runs: usize,
    /// Untimed passes first (fill caches, fault in the index).
    pub warmup: usize,
    pub search: SearchOptions,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            runs: 3,
            warmup: 1,
            search: SearchOptions::default(),
        }
    }
}

/// Latency figures of one run; times in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p95_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
    /// Timed queries per second of wall time (one thread).
    pub qps: f64,
    /// Distinct queries (lines of the file).
    pub queries: usize,
    pub runs: usize,
    /// The slowest queries (`SLOWEST` of them) by their median time, slowest first: where a
    /// tail comes from.
    pub slowest: Vec<Slow>,
}

/// One query and its median time over the runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slow {
    pub query: String,
    pub median_us: f64,
}

/// How many of the slowest queries a run names.
const SLOWEST: usize = 5;

impl Latency {
    /// Reduce one sample a query execution to percentiles (nearest rank). `wall` is the time the
    /// timed executions took together.
    pub fn from_samples(
        samples: &mut [Duration],
        queries: usize,
        runs: usize,
        wall: Duration,
    ) -> Latency {
        samples.sort_unstable();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let total: Duration = samples.iter().sum();
        let n = samples.len();
        Latency {
            p50_us: us(percentile(samples, 50.0)),
            p95_us: us(percentile(samples, 95.0)),
            p99_us: us(percentile(samples, 99.0)),
            max_us: us(samples.last().copied().unwrap_or_default()),
            mean_us: if n == 0 { 0.0 } else { us(total) / n as f64 },
            qps: if wall.is_zero() {
                0.0
            } else {
                n as f64 / wall.as_secs_f64()
            },
            queries,
            runs,
            slowest: Vec::new(),
        }
    }
}

/// The `p`th percentile of sorted samples, by nearest rank (zero when there are none).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The queries of a file: one a line, or a JSON object a line whose `query` field is the query
/// (the TREC topics format). Blank lines are passed over.
pub fn parse_queries(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut queries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("{}: not a JSON object: {e}", i + 1))?;
            let query = value
                .get("query")
                .and_then(|q| q.as_str())
                .ok_or_else(|| format!("{}: no string field `query`", i + 1))?;
            queries.push(query.to_string());
        } else {
            queries.push(line.to_string());
        }
    }
    Ok(queries)
}

/// Read a query file (see [`parse_queries`]).
pub fn read_queries(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let queries =
        parse_queries(&text).map_err(|e| Error::Invalid(format!("{}:{e}", path.display())))?;
    if queries.is_empty() {
        return Err(Error::Invalid(format!("{}: no queries", path.display())));
    }
    Ok(queries)
}

/// Run every query `warmup` times untimed, then `runs` times timed, each exactly as `search`
/// does (parse, rank, read the top hits, make snippets).
pub fn measure(
    index: &EpisodeIndex,
    queries: &[String],
    options: &BenchOptions,
) -> Result<Latency> {
    let mut search = options.search.clone();
    time_queries(queries, options.runs, options.warmup, |query| {
        search.query.clear();
        search.query.push_str(query);
        std::hint::black_box(index.search(&search)?);
        Ok(())
    })
}

/// Time `run` over every query: `warmup` untimed passes, then `runs` timed ones, one sample an
/// execution. Any engine can be measured this way (the benches time their peer with it).
pub fn time_queries<E>(
    queries: &[String],
    runs: usize,
    warmup: usize,
    mut run: impl FnMut(&str) -> std::result::Result<(), E>,
) -> std::result::Result<Latency, E> {
    for _ in 0..warmup {
        for q in queries {
            run(q)?;
        }
    }
    let mut samples = Vec::with_capacity(queries.len() * runs);
    let started = Instant::now();
    for _ in 0..runs {
        for q in queries {
            let t = Instant::now();
            run(q)?;
            samples.push(t.elapsed());
        }
    }
    let wall = started.elapsed();
    // Run r's time for query i is sample r * queries + i.
    let mut slowest: Vec<Slow> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut times: Vec<Duration> = samples
                .iter()
                .skip(i)
                .step_by(queries.len().max(1))
                .copied()
                .collect();
            times.sort_unstable();
            Slow {
                query: q.clone(),
                median_us: percentile(&times, 50.0).as_secs_f64() * 1e6,
            }
        })
        .collect();
    slowest.sort_by(|a, b| b.median_us.total_cmp(&a.median_us));
    slowest.truncate(SLOWEST);
    let mut latency = Latency::from_samples(&mut samples, queries.len(), runs, wall);
    latency.slowest = slowest;
    Ok(latency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_from_plain_lines_and_topics() {
        let text = "tech debt\n\n{\"num\": 1, \"query\": \"black hole image\"}\n  rust  \n";
        assert_eq!(
            parse_queries(text).unwrap(),
            ["tech debt", "black hole image", "rust"]
        );
        assert_eq!(
            parse_queries("{\"num\": 1}").unwrap_err(),
            "1: no string field `query`"
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(Duration::from_micros).collect();
        let l = Latency::from_samples(&mut samples, 50, 2, Duration::from_millis(10));
        assert_eq!(
            (l.p50_us, l.p95_us, l.p99_us, l.max_us),
            (50.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(l.mean_us, 50.5);
        assert_eq!(l.qps, 10_000.0);
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn the_slowest_queries_are_named_slowest_first() {
        let queries: Vec<String> = ["a", "slow", "b", "slower", "c", "d", "e"]
            .iter()
            .map(|q| q.to_string())
            .collect();
        let l = time_queries(&queries, 3, 0, |q| -> Result<(), ()> {
            let pause = match q {
                "slower" => 20,
                "slow" => 10,
                _ => 0,
            };
            std::thread::sleep(Duration::from_millis(pause));
            Ok(())
        })
        .unwrap();
        assert_eq!(l.slowest.len(), 5);
        assert_eq!(l.slowest[0].query, "slower");
        assert_eq!(l.slowest[1].query, "slow");
        assert!(l.slowest[0].median_us >= 20_000.0);
    }
}
