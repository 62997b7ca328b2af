//! Scale: N synthetic episodes (seeded, from the shared datasets' title words and sentences),
//! indexed and searched in this process; index time, peak memory and query percentiles.
//!
//! `cargo bench --bench scale -- --n 1000000` measures in process; `-- --n N --write FILE`
//! only writes the episodes as JSON Lines, for timing the binary itself
//! (`/usr/bin/time -v episearch index FILE`). `-- --test`: 1,000 episodes.
//!
//! `-- --n 10000 --transcript-minutes 60`: each episode also has a generated transcript of that
//! length (`measure::transcripts`: 150 words a minute, cues of 2 to 8 s, 2 to 4 speakers),
//! read by the WebVTT reader as it is indexed; the search figures then include its moments.
//! Generating the files is not timed; reading and indexing them is.
//! `--keep DIR` leaves the index in DIR (for `episearch --index DIR bench --moments N`).

mod common;

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use common::synth::Generator;
use episearch::index::{EpisodeIndex, WriteOptions};
use episearch::ingest::transcript::read_transcript;
use episearch::measure::bench::{self, BenchOptions};
use episearch::measure::transcripts::generate_vtt;

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
    let minutes: u32 = common::arg("transcript-minutes")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    // In test mode a few short transcripts, so the path is exercised in CI.
    let (minutes, with_transcripts) = match (test, minutes) {
        (true, _) => (5, 20),
        (false, 0) => (0, 0),
        (false, m) => (m, n),
    };

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
    let at = common::arg("keep").map_or_else(|| dir.path().join("idx"), Into::into);
    let index = EpisodeIndex::open_or_create(&at).expect("create");
    let started = Instant::now();
    let mut writer = index.writer(WriteOptions::default()).expect("writer");
    let mut bytes = 0u64;
    let (mut generating, mut transcript_bytes) = (Duration::ZERO, 0u64);
    for i in 0..n {
        let mut e = generator.episode(i);
        bytes += common::text_bytes(std::slice::from_ref(&e));
        if i < with_transcripts {
            let made = Instant::now();
            let vtt = generate_vtt(seed ^ i, minutes);
            generating += made.elapsed();
            transcript_bytes += vtt.len() as u64;
            let parsed = read_transcript(vtt.as_bytes(), "generated.vtt", None).expect("read");
            e.transcript = Some(parsed.value);
        }
        writer.upsert(e).expect("upsert");
    }
    writer.finish().expect("finish");
    let took = started.elapsed() - generating;
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
    if with_transcripts > 0 {
        let hours = (with_transcripts * u64::from(minutes)) as f64 / 60.0;
        println!(
            "with {with_transcripts} transcripts of {minutes} min ({:.0} MB of WebVTT, generated in {:.1}s, not counted): {:.3} MB of index a transcript hour",
            mb(transcript_bytes),
            generating.as_secs_f64(),
            mb(stats.size_bytes) / hours
        );
    }
    let queries = common::queries();
    let options = BenchOptions {
        runs: if test { 1 } else { 3 },
        warmup: 1,
        ..BenchOptions::default()
    };
    let l = bench::measure(&index, &queries, &options).expect("measure");
    let what = if with_transcripts > 0 {
        "top 10 + snippets + moments"
    } else {
        "top 10 + snippets"
    };
    println!(
        "{} queries x {} runs, {what}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} queries/s",
        l.queries,
        l.runs,
        l.p50_us / 1e3,
        l.p95_us / 1e3,
        l.p99_us / 1e3,
        l.max_us / 1e3,
        l.qps
    );
    if with_transcripts > 0 {
        // The same searches without moments: what finding them costs.
        let mut options = options;
        options.search.moments = 0;
        let l = bench::measure(&index, &queries, &options).expect("measure");
        println!(
            "the same without moments: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
            l.p50_us / 1e3,
            l.p95_us / 1e3,
            l.p99_us / 1e3
        );
    }
}
