//! Scale: N synthetic episodes (seeded, from the shared datasets' title words and sentences),
//! indexed and searched in this process; index time, peak memory and query percentiles.
//!
//! `cargo bench --bench scale -- --n 1000000` measures in process; `-- --n N --write FILE`
//! only writes the episodes as JSON Lines, for timing the binary itself
//! (`/usr/bin/time -v episearch index FILE`). `-- --test`: 1,000 episodes.

mod common;

use std::io::{BufWriter, Write};
use std::time::Instant;

use common::synth::Generator;
use episearch::index::{EpisodeIndex, WriteOptions};
use episearch::measure::bench::{self, BenchOptions};

fn main() {
    let test = common::test_mode();
    let n: u64 = common::arg("n")
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(if test { 1_000 } else { 100_000 });
    let seed: u64 = common::arg("seed")
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let source = if test {
        Vec::new()
    } else {
        common::canonical(usize::MAX).unwrap_or_default()
    };
    let generator = Generator::from_episodes(&source, seed);
    drop(source);
    let mb = |b: u64| b as f64 / 1e6;

    if let Some(path) = common::arg("write") {
        let file = std::fs::File::create(&path).expect("create output");
        let mut out = BufWriter::with_capacity(1 << 20, file);
        for i in 0..n {
            serde_json::to_writer(&mut out, &generator.episode(i)).expect("write");
            out.write_all(b"\n").expect("write");
        }
        out.flush().expect("flush");
        println!("wrote {n} synthetic episodes (seed {seed}) to {path}");
        return;
    }

    let before = common::peak_rss().unwrap_or(0);
    let dir = tempfile::tempdir().expect("temp dir");
    let index = EpisodeIndex::open_or_create(&dir.path().join("idx")).expect("create");
    let started = Instant::now();
    let mut writer = index.writer(WriteOptions::default()).expect("writer");
    let mut bytes = 0u64;
    for i in 0..n {
        let e = generator.episode(i);
        bytes += common::text_bytes(std::slice::from_ref(&e));
        writer.upsert(e).expect("upsert");
    }
    writer.finish().expect("finish");
    let took = started.elapsed();
    let after_index = common::peak_rss().unwrap_or(0);
    let stats = index.stats().expect("stats");
    println!(
        "indexed {n} synthetic episodes (seed {seed}, {:.0} MB of text) in {:.1}s ({:.0} episodes/s); {} segments, {:.0} MB on disk",
        mb(bytes),
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        stats.segments,
        mb(stats.size_bytes)
    );
    println!(
        "peak RSS: {:.0} MB before indexing (generator vocabulary), {:.0} MB after",
        mb(before),
        mb(after_index)
    );
    let queries = common::queries();
    let options = BenchOptions {
        runs: if test { 1 } else { 3 },
        warmup: 1,
        ..BenchOptions::default()
    };
    let l = bench::measure(&index, &queries, &options).expect("measure");
    println!(
        "{} queries x {} runs, top 10 + snippets: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} queries/s",
        l.queries,
        l.runs,
        l.p50_us / 1e3,
        l.p95_us / 1e3,
        l.p99_us / 1e3,
        l.max_us / 1e3,
        l.qps
    );
}
