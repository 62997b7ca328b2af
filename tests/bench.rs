//! `episearch bench`: latency percentiles over a query file, as text and JSON.

use crate::util::{json_lines, Workspace};

#[test]
fn bench_json_has_every_key_counts_and_ordered_percentiles() {
    let ws = Workspace::new();
    ws.index_corpus();
    let queries = ws.write(
        "queries.txt",
        "tech debt\nproduct\n\"mental health\"\nnothing-matches-this\n",
    );
    let r = ws.run(&[
        "bench",
        "--queries",
        "queries.txt",
        "--runs",
        "3",
        "--warmup",
        "1",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert!(queries.exists());
    let out = json_lines(&r.stdout);
    assert_eq!(out.len(), 1);
    let o = out[0].as_object().unwrap();
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["max_us", "mean_us", "p50_us", "p95_us", "p99_us", "qps", "queries", "runs", "slowest"]
    );
    // Every query is among the five slowest of four, slowest first.
    let slowest = o["slowest"].as_array().unwrap();
    let mut named: Vec<&str> = slowest
        .iter()
        .map(|s| s["query"].as_str().unwrap())
        .collect();
    let medians: Vec<f64> = slowest
        .iter()
        .map(|s| s["median_us"].as_f64().unwrap())
        .collect();
    assert!(medians.windows(2).all(|w| w[0] >= w[1]), "{medians:?}");
    assert!(medians[0] <= o["max_us"].as_f64().unwrap());
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "\"mental health\"",
            "nothing-matches-this",
            "product",
            "tech debt"
        ]
    );
    assert_eq!(o["queries"], 4);
    assert_eq!(o["runs"], 3);
    let f = |k: &str| o[k].as_f64().unwrap();
    assert!(f("p50_us") > 0.0);
    assert!(f("p50_us") <= f("p95_us"));
    assert!(f("p95_us") <= f("p99_us"));
    assert!(f("p99_us") <= f("max_us"));
    assert!(f("qps") > 0.0);
}

#[test]
fn bench_reads_trec_topics_jsonl_and_prints_text() {
    let ws = Workspace::new();
    ws.index_corpus();
    ws.write(
        "topics.jsonl",
        "{\"num\": 1, \"query\": \"tech debt\", \"type\": \"topical\"}\n{\"num\": 2, \"query\": \"ai product\"}\n",
    );
    let r = ws.run(&["bench", "--queries", "topics.jsonl", "--runs", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "queries     2 x 2 runs");
    let labels: Vec<&str> = lines[..8]
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "queries",
            "p50",
            "p95",
            "p99",
            "max",
            "mean",
            "queries/s",
            "slowest"
        ]
    );
    // The two queries, slowest first, each after its median time.
    assert_eq!(lines.len(), 9);
    let mut named: Vec<&str> = lines[7..]
        .iter()
        .map(|l| l.split_once(" us  ").unwrap().1)
        .collect();
    named.sort_unstable();
    assert_eq!(named, ["ai product", "tech debt"]);
}

#[test]
fn bench_errors_are_one_line_with_exit_2() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["bench", "--queries", "missing.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("episearch: missing.txt: "),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);

    ws.write("bad.jsonl", "{\"num\": 1}\n");
    let r = ws.run(&["bench", "--queries", "bad.jsonl"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "episearch: bad.jsonl:1: no string field `query`\n"
    );

    ws.write("empty.txt", "\n\n");
    let r = ws.run(&["bench", "--queries", "empty.txt"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "episearch: empty.txt: no queries\n");
}
