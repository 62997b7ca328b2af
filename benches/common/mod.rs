//! What the benches share: the canonical corpus (the shared datasets read through the library's
//! ingest), a seeded synthetic corpus for when they are absent or too small, and the TREC
//! queries. The SQLite FTS5 peer is the library's `episearch::fts5`, which `eval` uses too.

#![allow(dead_code)]

pub mod stock;
pub mod synth;

use std::path::{Path, PathBuf};

use episearch::ingest::{self, FieldMap, Source};
use episearch::Episode;

/// `../shared/corpus/<rel>` beside the package, when present.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel);
    path.exists().then_some(path)
}

/// True when the bench was started with `--test` (`cargo bench -- --test`): run on small inputs.
pub fn test_mode() -> bool {
    std::env::args().any(|a| a == "--test")
}

/// The value after `--name` on the command line, if any.
pub fn arg(name: &str) -> Option<String> {
    let flag = format!("--{name}");
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| *a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The two shared datasets and how their fields map onto episodes.
pub const DATASETS: [(&str, &[&str]); 2] = [
    (
        "datasets/taddy-episodes-2023-11.jsonl.gz",
        &[
            "title=name",
            "overview=description",
            "date=date_published",
            "id=uuid",
            "podcast=series_uuid",
        ],
    ),
    (
        "datasets/arxiv-2025-03_2026-07.jsonl.gz",
        &["url=abs_url", "podcast=categories"],
    ),
];

/// Read one file through the library's ingest (format detection, field map, HTML to text),
/// normalised and keyed as the writer stores them. Bad records are skipped.
pub fn read_episodes(path: &Path, map: &[&str], limit: usize) -> Vec<Episode> {
    let map = FieldMap::parse(map).expect("field map");
    let mut out = Vec::new();
    let source = Source::File(path.to_path_buf());
    let _ = ingest::read_source(&source, &map, &mut |parsed| {
        if out.len() >= limit {
            // Stop the file early: an error ends the read.
            return Err(episearch::Error::Invalid("enough".into()));
        }
        if let Ok(e) = parsed {
            if !e.is_empty() {
                let mut e = e.normalise();
                e.id = Some(e.key());
                out.push(e);
            }
        }
        Ok(())
    });
    out
}

/// The canonical corpus: every record of the shared datasets (85,272), at most `limit` of each
/// file; `None` when the datasets are not beside the package.
pub fn canonical(limit: usize) -> Option<Vec<Episode>> {
    let mut all = Vec::new();
    for (rel, map) in DATASETS {
        all.extend(read_episodes(&shared(rel)?, map, limit));
    }
    Some(all)
}

/// The canonical corpus when present, else `n` synthetic episodes from a built-in vocabulary.
pub fn corpus_or_generated(limit: usize) -> (Vec<Episode>, &'static str) {
    match canonical(limit) {
        Some(c) if !c.is_empty() => (c, "shared datasets"),
        _ => (
            synth::Generator::builtin(7).episodes(limit.min(2_000)),
            "generated",
        ),
    }
}

/// The 108 TREC podcast topics' queries, or a few built-in ones when absent.
pub fn queries() -> Vec<String> {
    let text = shared("queries/trec-podcasts-2020-2021-topics.jsonl")
        .and_then(|p| std::fs::read_to_string(p).ok());
    match text {
        Some(t) => episearch::measure::bench::parse_queries(&t).expect("topics"),
        None => [
            "coronavirus spread",
            "black hole image",
            "greta thunberg cross atlantic",
            "neural network training",
            "podcast advertising",
        ]
        .map(String::from)
        .to_vec(),
    }
}

/// Sum of the text bytes of episodes: the throughput unit of the index benches.
pub fn text_bytes(episodes: &[Episode]) -> u64 {
    episodes
        .iter()
        .map(|e| {
            [
                &e.id,
                &e.podcast,
                &e.title,
                &e.summary,
                &e.description,
                &e.overview,
                &e.url,
            ]
            .iter()
            .map(|f| f.as_deref().map_or(0, str::len) as u64)
            .sum::<u64>()
        })
        .sum()
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
