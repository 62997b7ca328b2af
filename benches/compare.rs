//! Side by side: the same canonical corpus indexed and searched by episearch, by SQLite FTS5
//! and by stock tantivy (`common::stock`), the 108 TREC podcast queries with OR semantics, one
//! table of figures and ratios to FTS5.
//!
//! `cargo bench --bench compare [-- --runs N --dir DIR]`; `--dir` keeps the indexes (for
//! hyperfine). `--threads N`, `--memory-mb N` and `--single-commit` change episearch's writer
//! options (default: those of `episearch index`); `--index-only` stops after indexing. With `-- --test` (as `cargo bench -- --test` passes) a few hundred records.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use episearch::index::{EpisodeIndex, WriteOptions};
use episearch::measure::bench::{self, Latency};
use episearch::measure::fts5::Fts5;
use episearch::search::options::SearchOptions;

use common::stock::Stock;

fn main() {
    let test = common::test_mode();
    let runs: usize = common::arg("runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(if test { 1 } else { 5 });
    let limit = if test { 300 } else { usize::MAX };
    let started = Instant::now();
    let (episodes, origin) = common::corpus_or_generated(limit);
    let bytes = common::text_bytes(&episodes);
    println!(
        "corpus: {} episodes, {:.1} MB of text ({origin}), read in {:.1}s",
        episodes.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = common::arg("dir").map_or_else(|| temp.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("mkdir");

    // Index: episearch with its defaults (as `episearch index`), FTS5 in one transaction.
    let ep_dir = dir.join("episearch");
    let _ = std::fs::remove_dir_all(&ep_dir);
    let t = Instant::now();
    let index = EpisodeIndex::open_or_create(&ep_dir).expect("create index");
    let mut write = WriteOptions::default();
    if let Some(t) = common::arg("threads").and_then(|t| t.parse().ok()) {
        write.threads = t;
    }
    if let Some(m) = common::arg("memory-mb").and_then(|m| m.parse::<usize>().ok()) {
        write.memory_budget = m * 1_000_000;
    }
    write.single_commit = std::env::args().any(|a| a == "--single-commit");
    let threads = write.threads;
    let memory = write.memory_budget;
    let mut writer = index.writer(write).expect("writer");
    for e in &episodes {
        writer.upsert(e.clone()).expect("upsert");
    }
    writer.finish().expect("finish");
    let ep_index = t.elapsed();

    let t = Instant::now();
    let mut fts = Fts5::create(&dir.join("fts5.db")).expect("create fts5");
    fts.insert(&episodes).expect("fts5 insert");
    let fts_index = t.elapsed();

    let stock_dir = dir.join("tantivy");
    let _ = std::fs::remove_dir_all(&stock_dir);
    std::fs::create_dir_all(&stock_dir).expect("mkdir");
    let t = Instant::now();
    let stock = Stock::build(&stock_dir, &episodes, threads, memory);
    let stock_index = t.elapsed();

    if std::env::args().any(|a| a == "--index-only") {
        println!(
            "index time: episearch {:.3} s ({threads} threads), fts5 {:.3} s, stock tantivy {:.3} s",
            ep_index.as_secs_f64(),
            fts_index.as_secs_f64(),
            stock_index.as_secs_f64()
        );
        return;
    }
    let queries = common::queries();
    // The options are made once, as `episearch bench` makes them (making them parses the
    // built-in synonyms); only the query changes from one search to the next.
    let mut rank_options = SearchOptions::default();
    let mut page_options = rank_options.clone();
    let fts_queries: Vec<String> = queries.iter().map(|q| Fts5::or_query(q)).collect();

    let ep_rank = time(&queries, runs, |q| {
        rank_options.query.clear();
        rank_options.query.push_str(q);
        index.rank(&rank_options).expect("rank").len()
    });
    let ep_page = time(&queries, runs, |q| {
        page_options.query.clear();
        page_options.query.push_str(q);
        index.search(&page_options).expect("search").hits.len()
    });
    let fts_rank = time(&fts_queries, runs, |q| {
        fts.rank(q, 10).expect("fts5 rank").len()
    });
    let fts_page = time(&fts_queries, runs, |q| {
        fts.search(q, 10).expect("fts5 search").len()
    });
    let stock_rank = time(&queries, runs, |q| stock.rank(q, 10));
    let stock_page = time(&queries, runs, |q| stock.search(q, 10));

    println!(
        "{} queries x {runs} runs (after 1 warm-up pass), OR semantics, top 10; threads: episearch and stock tantivy {} for indexing, FTS5 1",
        queries.len(),
        threads
    );
    println!(
        "{:<26} {:>12} {:>12} {:>8} {:>12} {:>9}",
        "figure", "episearch", "fts5", "fts5/ep", "tantivy", "fts5/tv"
    );
    let row = |name: &str, ep: f64, fts: f64, stock: f64, unit: &str| {
        println!(
            "{:<26} {:>9.3} {unit:<2} {:>9.3} {unit:<2} {:>7.2}x {:>9.3} {unit:<2} {:>8.2}x",
            name,
            ep,
            fts,
            fts / ep,
            stock,
            fts / stock
        );
    };
    row(
        "index time",
        ep_index.as_secs_f64(),
        fts_index.as_secs_f64(),
        stock_index.as_secs_f64(),
        "s",
    );
    for (name, ep, fts, tv) in [
        ("search alone", &ep_rank, &fts_rank, &stock_rank),
        ("top 10 + snippets", &ep_page, &fts_page, &stock_page),
    ] {
        let figures: [(&str, Figure); 4] = [
            ("p50", |l| l.p50_us),
            ("p95", |l| l.p95_us),
            ("p99", |l| l.p99_us),
            ("mean", |l| l.mean_us),
        ];
        for (figure, of) in figures {
            row(
                &format!("{name} {figure}"),
                of(&ep.0) / 1e3,
                of(&fts.0) / 1e3,
                of(&tv.0) / 1e3,
                "ms",
            );
        }
    }
    println!(
        "hits returned: episearch {} / fts5 {} / stock tantivy {} (sum over one pass)",
        ep_page.1, fts_page.1, stock_page.1
    );
    println!(
        "on disk: episearch {:.1} MB, fts5 {:.1} MB, stock tantivy {:.1} MB in {} segments",
        dir_size(&ep_dir) as f64 / 1e6,
        std::fs::metadata(dir.join("fts5.db")).map_or(0, |m| m.len()) as f64 / 1e6,
        dir_size(&stock_dir) as f64 / 1e6,
        stock.segments()
    );
    if let Some(rss) = common::peak_rss() {
        println!("peak RSS of this process: {:.0} MB", rss as f64 / 1e6);
    }
}

/// One figure of a latency summary, in microseconds.
type Figure = fn(&Latency) -> f64;

/// Latency of `run` over every query, one untimed pass first; also the number of hits of one
/// pass.
fn time<F: FnMut(&str) -> usize>(queries: &[String], runs: usize, mut run: F) -> (Latency, usize) {
    let mut hits = 0;
    let latency = bench::time_queries(queries, runs, 1, |q| {
        hits += std::hint::black_box(run(q));
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(latency) = latency;
    (latency, hits / (runs + 1))
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
