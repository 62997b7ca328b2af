//! One criterion group per stage: parsing each input format, building the index, queries with
//! snippets, and the snippet step alone. Where a peer exists it is measured in the same group
//! (serde_json and quick-xml for parsing, SQLite FTS5 for indexing and queries).
//!
//! Data: the shared datasets beside the package when present, else generated episodes; inputs
//! are loaded once, before any timing. `cargo bench -- --test` runs every bench once on small
//! inputs.

mod common;

use std::hint::black_box;
use std::io::BufReader;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use episearch::index::{EpisodeIndex, WriteOptions};
use episearch::ingest::{self, FieldMap};
use episearch::measure::fts5::{Fts5, RANK};
use episearch::search::options::{SearchOptions, SortOrder};
use episearch::Episode;

/// Inputs of every group, read before any timing.
struct Data {
    jsonl: Vec<u8>,
    feed: Vec<u8>,
    page: Vec<u8>,
    /// Episodes indexed by the index group (each iteration builds a fresh index).
    index_set: Vec<Episode>,
    /// Episodes of the index the query groups search.
    search_set: Vec<Episode>,
}

impl Data {
    fn load(test: bool) -> Data {
        let (index_n, search_n, jsonl_lines) = if test {
            (200, 300, 50)
        } else {
            (10_000, usize::MAX, 2_000)
        };
        let (search_set, _) = common::corpus_or_generated(search_n);
        let index_set: Vec<Episode> = search_set.iter().take(index_n).cloned().collect();
        let jsonl = match common::shared(common::DATASETS[0].0) {
            Some(path) => first_lines(&path, jsonl_lines),
            None => generated_jsonl(jsonl_lines),
        };
        let feed_name = if test {
            "feeds/design-details.xml"
        } else {
            "feeds/the-daily.xml"
        };
        let feed = common::shared(feed_name)
            .and_then(|p| std::fs::read(p).ok())
            .unwrap_or_else(|| generated_feed(if test { 20 } else { 500 }));
        let page = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/all-things-product.txt"),
        )
        .expect("corpus/all-things-product.txt");
        Data {
            jsonl,
            feed,
            page,
            index_set,
            search_set,
        }
    }
}

fn first_lines(gz: &std::path::Path, n: usize) -> Vec<u8> {
    use std::io::BufRead;
    let file = std::fs::File::open(gz).expect("open dataset");
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut out = Vec::new();
    for line in reader.lines().take(n) {
        out.extend_from_slice(line.expect("line").as_bytes());
        out.push(b'\n');
    }
    out
}

fn generated_jsonl(n: usize) -> Vec<u8> {
    let g = common::synth::Generator::builtin(3);
    let mut out = Vec::new();
    for e in g.episodes(n) {
        serde_json::to_writer(&mut out, &e).expect("json");
        out.push(b'\n');
    }
    out
}

fn generated_feed(n: usize) -> Vec<u8> {
    let g = common::synth::Generator::builtin(5);
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Synthetic</title>",
    );
    for e in g.episodes(n) {
        s.push_str(&format!(
            "<item><guid>{}</guid><title>{}</title><pubDate>{}</pubDate><description>{}</description></item>",
            e.id.unwrap_or_default(),
            e.title.unwrap_or_default(),
            e.date.map(|d| d.to_rfc2822()).unwrap_or_default(),
            e.summary.unwrap_or_default()
        ));
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

fn parse(c: &mut Criterion, d: &Data) {
    let mut g = c.benchmark_group("parse");
    let map = FieldMap::parse(common::DATASETS[0].1).expect("map");
    g.throughput(Throughput::Bytes(d.jsonl.len() as u64));
    g.bench_function("json_lines/episearch", |b| {
        b.iter(|| {
            let mut n = 0usize;
            ingest::json::read_lines(BufReader::new(&d.jsonl[..]), &map, &mut |r| {
                n += black_box(r).is_ok() as usize;
                Ok(())
            })
            .expect("read");
            n
        })
    });
    g.bench_function("json_lines/serde_json_value", |b| {
        b.iter(|| {
            d.jsonl
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok() as usize)
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Bytes(d.feed.len() as u64));
    g.bench_function("feed/episearch", |b| {
        b.iter(|| {
            let mut n = 0usize;
            ingest::feed::read(&d.feed, &mut |r| {
                n += black_box(r).is_ok() as usize;
                Ok(())
            })
            .expect("read");
            n
        })
    });
    g.bench_function("feed/quick_xml_events", |b| {
        b.iter(|| {
            let mut reader = quick_xml::Reader::from_reader(&d.feed[..]);
            let mut buf = Vec::new();
            let mut n = 0usize;
            loop {
                match reader.read_event_into(&mut buf) {
                    Ok(quick_xml::events::Event::Eof) | Err(_) => break,
                    Ok(e) => {
                        black_box(e);
                        n += 1
                    }
                }
                buf.clear();
            }
            n
        })
    });
    g.throughput(Throughput::Bytes(d.page.len() as u64));
    g.bench_function("page/episearch", |b| {
        b.iter(|| {
            let mut n = 0usize;
            ingest::page::read(&d.page, &mut |r| {
                n += black_box(r).is_ok() as usize;
                Ok(())
            })
            .expect("read");
            n
        })
    });
    g.finish();
}

fn index(c: &mut Criterion, d: &Data) {
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Bytes(common::text_bytes(&d.index_set)));
    let id = format!("{}_episodes", d.index_set.len());
    g.bench_function(BenchmarkId::new("episearch", &id), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                let index = EpisodeIndex::open_or_create(dir.path()).expect("create");
                let mut writer = index.writer(WriteOptions::default()).expect("writer");
                for e in &d.index_set {
                    writer.upsert(e.clone()).expect("upsert");
                }
                writer.finish().expect("finish");
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function(BenchmarkId::new("fts5", &id), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                let mut fts = Fts5::create(&dir.path().join("fts5.db")).expect("create fts5");
                fts.insert(&d.index_set).expect("fts5 insert");
                drop(fts);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// The query kinds measured, as episearch options and as the peer's SQL.
struct QueryCase {
    name: &'static str,
    options: SearchOptions,
    fts_query: String,
    fts_filter: String,
    fts_order: &'static str,
}

fn cases() -> Vec<QueryCase> {
    let since = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let plain = |name, q: &str| QueryCase {
        name,
        options: SearchOptions::new(q),
        fts_query: Fts5::or_query(q),
        fts_filter: String::new(),
        fts_order: RANK,
    };
    vec![
        plain("one_word", "climate"),
        plain("several_words", "black hole image"),
        QueryCase {
            fts_query: "\"climate change\"".into(),
            ..plain("phrase", "\"climate change\"")
        },
        QueryCase {
            options: SearchOptions {
                since: Some(since),
                ..SearchOptions::new("climate")
            },
            fts_filter: format!("AND date >= {}", since.timestamp()),
            ..plain("date_filter", "climate")
        },
        QueryCase {
            options: SearchOptions {
                sort: SortOrder::Newest,
                ..SearchOptions::new("climate")
            },
            fts_order: "date DESC",
            ..plain("sorted_by_date", "climate")
        },
    ]
}

fn query(c: &mut Criterion, index: &EpisodeIndex, fts: &Fts5) {
    let mut g = c.benchmark_group("query_top10_with_snippets");
    g.throughput(Throughput::Elements(1));
    for case in cases() {
        g.bench_function(BenchmarkId::new("episearch", case.name), |b| {
            b.iter(|| index.search(&case.options).expect("search").hits.len())
        });
        g.bench_function(BenchmarkId::new("fts5", case.name), |b| {
            b.iter(|| {
                fts.page(&case.fts_query, &case.fts_filter, case.fts_order, 10)
                    .expect("fts5 page")
                    .len()
            })
        });
    }
    g.finish();
}

fn snippets(c: &mut Criterion, index: &EpisodeIndex) {
    let mut g = c.benchmark_group("snippets");
    for q in ["climate", "black hole image"] {
        let episodes: Vec<Episode> = index
            .search(&SearchOptions::new(q))
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.episode)
            .collect();
        g.throughput(Throughput::Elements(episodes.len().max(1) as u64));
        let options = SearchOptions::new(q);
        g.bench_function(BenchmarkId::new("episearch", q.replace(' ', "_")), |b| {
            b.iter(|| {
                index
                    .highlight(&options, &episodes)
                    .expect("highlight")
                    .len()
            })
        });
    }
    g.finish();
}

fn main() {
    let test = common::test_mode();
    let data = Data::load(test);
    let mut c = Criterion::default().configure_from_args();
    parse(&mut c, &data);
    index(&mut c, &data);

    let dir = tempfile::tempdir().expect("temp dir");
    let search_index = EpisodeIndex::open_or_create(&dir.path().join("episearch")).expect("create");
    let mut writer = search_index
        .writer(WriteOptions::default())
        .expect("writer");
    for e in &data.search_set {
        writer.upsert(e.clone()).expect("upsert");
    }
    writer.finish().expect("finish");
    let mut fts = Fts5::create(&dir.path().join("fts5.db")).expect("create fts5");
    fts.insert(&data.search_set).expect("fts5 insert");

    query(&mut c, &search_index, &fts);
    snippets(&mut c, &search_index);
    c.final_summary();
}
