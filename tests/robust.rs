//! Nothing lost, nothing corrupt, no panics: kills mid-ingest, a second writer, hostile queries
//! and search options, malformed records, feeds and files, storage faults, terminal escapes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use episearch::episode::{parse_date, parse_duration};
use episearch::index::pipeline::{self, IngestOptions};
use episearch::index::EpisodeIndex;
use episearch::ingest::{self, collect_sources, FieldMap};
use episearch::search::options::{SearchOptions, SortOrder};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use crate::util::{json_lines, repo_path, Workspace};

/// The built binary, for tests that need a running process rather than a finished one.
fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("episearch")
}

/// `episearch --index DIR --color never`, for any index folder.
fn base(index: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.env_remove("EPISEARCH_INDEX")
        .env_remove("NO_COLOR")
        .arg("--index")
        .arg(index)
        .args(["--color", "never"]);
    cmd
}

/// `base` to run to the end with `util::run`.
fn spawnable(index: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(base(index))
}

/// `base` with ARGS as a running child with piped stdio.
fn spawn(index: &Path, args: &[&str], stdin: Stdio) -> Child {
    base(index)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn episearch")
}

fn episodes(ws: &Workspace) -> u64 {
    let r = ws.run(&["stats", "--json"]);
    assert_eq!(r.code, 0, "stats: {}", r.stderr);
    json_lines(&r.stdout)[0]["episodes"].as_u64().unwrap()
}

/// One JSON Lines record of the generated load: every one findable by its own word `n{i}z`.
fn load_record(i: usize) -> String {
    format!(
        "{{\"id\":\"r{i}\",\"podcast\":\"Load Test\",\"title\":\"Episode n{i}z\",\"summary\":\"a short summary of episode {i} about testing\"}}\n"
    )
}

/// Assert that record `i` is in the index whole, by its own word.
fn assert_intact(ws: &Workspace, i: usize) {
    let r = ws.run(&["search", "--json", &format!("n{i}z")]);
    assert_eq!(r.code, 0, "record {i} lost: {}", r.stderr);
    let hits = json_lines(&r.stdout);
    assert_eq!(hits.len(), 1, "record {i}: {}", r.stdout);
    assert_eq!(hits[0]["id"], format!("r{i}"));
    assert_eq!(hits[0]["title"], format!("Episode n{i}z"));
    assert_eq!(hits[0]["podcast"], "Load Test");
    assert_eq!(
        hits[0]["snippet"],
        format!("a short summary of episode {i} about testing")
    );
}

#[test]
fn a_killed_ingest_keeps_every_committed_batch_and_a_rerun_completes() {
    const RECORDS: usize = 200_000;
    const BATCH: u64 = 20_000;
    let ws = Workspace::new();
    let mut data = String::with_capacity(RECORDS * 130);
    for i in 0..RECORDS {
        data.push_str(&load_record(i));
    }
    let input = ws.write("load.jsonl", data);
    // The index exists before the first kill, so even a kill before any commit leaves one.
    EpisodeIndex::open_or_create(&ws.index_dir()).expect("create index");
    let args = [
        "index",
        "--batch",
        "20000",
        "--batch-seconds",
        "3600",
        input.to_str().unwrap(),
    ];
    let started = Instant::now();
    let mut committed = Vec::new();
    for seconds in [1, 2, 3] {
        let mut child = spawn(&ws.index_dir(), &args, Stdio::null());
        std::thread::sleep(Duration::from_secs(seconds));
        // SIGKILL: no destructor, no final commit.
        child.kill().expect("kill");
        child.wait().expect("wait");
        let count = episodes(&ws);
        assert_eq!(count % BATCH, 0, "after a kill at {seconds}s: {count}");
        assert!(count <= RECORDS as u64);
        assert!(
            committed.last().is_none_or(|&c| count >= c),
            "{committed:?} then {count}"
        );
        // Batches commit in input order: the committed records are exactly the first `count`.
        if count > 0 {
            assert_intact(&ws, 0);
            assert_intact(&ws, count as usize - 1);
        }
        if count < RECORDS as u64 {
            let r = ws.run(&["search", &format!("n{count}z")]);
            assert_eq!(
                r.code, 1,
                "record {count} is past the last commit: {}",
                r.stdout
            );
        }
        committed.push(count);
    }
    let r = ws.run(&["index", "--batch", "20000", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(episodes(&ws), RECORDS as u64);
    for i in [0, 1, 99_999, 150_001, RECORDS - 1] {
        assert_intact(&ws, i);
    }
    println!(
        "committed after kills at 1s, 2s, 3s: {committed:?}; whole test {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Whether some process holds an flock on `path` (Linux: `/proc/locks` lists device:inode).
#[cfg(target_os = "linux")]
fn flocked(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let inode = format!(":{} ", meta.ino());
    std::fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .any(|l| l.contains("FLOCK") && l.contains(&inode))
}

#[cfg(target_os = "linux")]
#[test]
fn a_second_writer_exits_2_in_one_line_while_searches_go_on() {
    if std::fs::read_to_string("/proc/locks").is_err() {
        println!("skipping: /proc/locks cannot be read, so the lock cannot be watched");
        return;
    }
    let ws = Workspace::new();
    ws.index_corpus();
    let index = ws.index_dir();
    let mut first = spawn(
        &index,
        &["index", "--batch-seconds", "3600", "-"],
        Stdio::piped(),
    );
    // The first writer holds the lock from before it reads its input until it is done.
    let lock = index.join(".tantivy-writer.lock");
    let mut polls = 0;
    while !flocked(&lock) {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first writer ended early"
        );
        polls += 1;
        assert!(polls < 3000, "the first writer never took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
    let corpus = repo_path("corpus");
    let r = ws.run(&["index", corpus.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "episearch: {} is locked: another episearch process is writing to it; try again when it is done\n",
            index.display()
        )
    );
    assert_eq!(r.stdout, "");

    let mut stdin = first.stdin.take().unwrap();
    stdin
        .write_all(b"{\"id\":\"late\",\"title\":\"Zeppelin hangar\",\"summary\":\"airships\"}\n")
        .unwrap();
    stdin.flush().unwrap();
    // Searches see the last commit: the corpus, not the record still being written.
    let r = ws.run(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
    let r = ws.run(&["search", "zeppelin"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));

    drop(stdin);
    let out = first.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("indexed 1 files: 1 added,"), "{stderr}");
    assert_eq!(episodes(&ws), 7);
    let r = ws.run(&["search", "zeppelin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Pieces of query syntax, words from the corpus and hostile text, for generated queries.
const QUERY_PIECES: &[&str] = &[
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "\\",
    "'",
    "title:",
    "podcast:",
    "date:",
    "duration:",
    "id:",
    "summary:",
    "description:",
    "overview:",
    "url:",
    "nosuch:",
    "AND",
    "OR",
    "NOT",
    "IN",
    "TO",
    "+",
    "-",
    "*",
    "^2",
    "^",
    "^-1",
    "^1e38",
    "^NaN",
    "^99999999999999999999999999999999999999999",
    "~1",
    "~",
    "~99999",
    "[a TO b]",
    "{* TO 5}",
    "[2026-01-01T00:00:00Z TO *]",
    "date:>2026",
    "0",
    "-1",
    "18446744073709551616",
    "1e309",
    "tech",
    "debt",
    "product",
    "ai",
    "c++",
    "node.js",
    "é",
    "Ünïcödé",
    "日本語",
    "🎙️",
    "\u{0}",
    "\u{1b}[2J",
    "\u{7f}",
    "\u{202e}",
    "\u{feff}",
    "\u{fffd}",
    "\t",
    "\n",
    " ",
    " ",
    " ",
    "",
];

/// A generated query: pieces of syntax and words, sometimes with any characters at all.
fn query_strategy() -> impl Strategy<Value = String> {
    let pieces =
        prop::collection::vec(prop::sample::select(QUERY_PIECES), 0..16).prop_map(|p| p.concat());
    let chars = prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter);
    let mixed =
        (pieces.clone(), chars.clone(), pieces.clone()).prop_map(|(a, b, c)| format!("{a}{b}{c}"));
    prop_oneof![6 => pieces, 2 => chars, 2 => mixed]
}

/// Numbers that break arithmetic: small ones and the extremes.
fn extreme_usize() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..30,
        Just(usize::MAX),
        Just(usize::MAX / 2),
        any::<usize>()
    ]
}

/// Search options other than the query, anywhere in their range.
fn options_strategy() -> impl Strategy<Value = SearchOptions> {
    let date = prop_oneof![
        Just(None),
        (-20_000_000_000i64..20_000_000_000).prop_map(|s| chrono::DateTime::from_timestamp(s, 0)),
        Just(Some(chrono::DateTime::<chrono::Utc>::MIN_UTC)),
        Just(Some(chrono::DateTime::<chrono::Utc>::MAX_UTC)),
    ];
    let duration = prop_oneof![Just(None), any::<u64>().prop_map(Some)];
    let sort = prop::sample::select(vec![
        SortOrder::Relevance,
        SortOrder::Newest,
        SortOrder::Oldest,
    ]);
    let podcast = prop_oneof![
        Just(None),
        Just(Some("All Things Product".to_string())),
        ".{0,12}".prop_map(Some),
    ];
    (
        (extreme_usize(), extreme_usize(), extreme_usize()),
        (date.clone(), date),
        (duration.clone(), duration),
        sort,
        podcast,
    )
        .prop_map(
            |((limit, offset, snippet_chars), (since, until), (min, max), sort, podcast)| {
                SearchOptions {
                    query: String::new(),
                    limit,
                    offset,
                    since,
                    until,
                    podcast,
                    min_duration: min,
                    max_duration: max,
                    sort,
                    snippet_chars,
                    ..SearchOptions::default()
                }
            },
        )
}

/// A long query: a generated one repeated to about `len` characters.
fn long_query(seed: &str, len: usize) -> String {
    let unit = if seed.is_empty() { "tech " } else { seed };
    let mut q = String::with_capacity(len + unit.len());
    while q.len() < len {
        q.push_str(unit);
    }
    q
}

#[test]
fn a_hundred_thousand_hostile_queries_never_panic() {
    let ws = Workspace::new();
    let index = EpisodeIndex::open_or_create(&ws.index_dir()).expect("index");
    let sources = collect_sources(&[repo_path("corpus")]).expect("corpus");
    pipeline::run(&index, &sources, &IngestOptions::default(), &mut |_| {}).expect("ingest");

    let search = |options: &SearchOptions| -> Result<(), TestCaseError> {
        let query = &options.query;
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| index.search(options)));
        match outcome {
            Ok(Ok(results)) => {
                for hit in &results.hits {
                    prop_assert!(hit.score.is_finite(), "{query:?}: score {}", hit.score);
                }
                for w in &results.warnings {
                    prop_assert!(!w.contains('\n'), "{query:?}: warning on two lines: {w}");
                    // The query is quoted in a warning only in part, however long it is.
                    prop_assert!(
                        w.chars().count() < 600,
                        "{query:?}: warning of {} chars",
                        w.len()
                    );
                }
                Ok(())
            }
            // An error is a fine answer to a query, provided it is one line.
            Ok(Err(e)) => {
                prop_assert!(!e.to_string().contains('\n'), "{query:?}: {e}");
                Ok(())
            }
            Err(_) => Err(TestCaseError::fail(format!("{options:?} panicked"))),
        }
    };
    let started = Instant::now();
    let mut runner = seeded_runner(100_000, 42);
    runner
        .run(&query_strategy(), |q| search(&SearchOptions::new(q)))
        .unwrap_or_else(|e| panic!("{e}"));

    // Long queries, of the generated kind, up to 20,000 characters.
    let mut runner = seeded_runner(60, 7);
    runner
        .run(&(query_strategy(), 1_000usize..20_001), |(q, len)| {
            search(&SearchOptions::new(long_query(&q, len)))
        })
        .unwrap_or_else(|e| panic!("{e}"));

    // Every other search option at its extremes, with generated queries.
    let mut runner = seeded_runner(3_000, 9);
    runner
        .run(
            &(query_strategy(), options_strategy()),
            |(q, mut options)| {
                options.query = q;
                search(&options)
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "103,060 generated searches in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn malformed_records_are_reported_by_line_and_the_rest_is_indexed() {
    let ws = Workspace::new();
    let big = format!(
        "{{\"id\":\"big\",\"title\":\"Big one\",\"summary\":\"{}\"}}",
        "bigword ".repeat(10 * 1024 * 1024 / 8)
    );
    let lines: Vec<Vec<u8>> = vec![
        br#"{"id":"ok1","title":"Alpha survivor"}"#.to_vec(),
        br#"{"id":"t","title":"trunc"#.to_vec(),
        br#"{"id":"nul1","title":"nul\u0000escaped survivor"}"#.to_vec(),
        b"{\"title\":\"raw\0nul\"}".to_vec(),
        b"{\"title\":\"bad \xff\xfe utf8\"}".to_vec(),
        big.into_bytes(),
        "[".repeat(100_000).into_bytes(),
        format!("{{\"title\":{{\"a\":{}}}", "[".repeat(100_000)).into_bytes(),
        br#""just a string""#.to_vec(),
        br#"{"id":"bad1","title":"x","date":"not a date"}"#.to_vec(),
        br#"{"id":"bad2","title":"x","date":[1]}"#.to_vec(),
        br#"{"id":"ok2","title":"Omega survivor"}"#.to_vec(),
    ];
    ws.write("in/bad.jsonl", lines.join(&b'\n'));
    ws.write("in/nested.json", "[".repeat(100_000));
    ws.write("in/empty.jsonl", "");
    ws.write("in/blank.jsonl", "  \n\n");
    ws.write(
        "in/trunc.json",
        r#"[{"id":"a1","title":"Array survivor"},{"id":"a2","title":"Arr"#,
    );
    let r = ws.run(&["index", "in"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut lines: Vec<&str> = r.stderr.lines().collect();
    let last = lines.pop().unwrap();
    assert!(
        last.starts_with(
            "indexed 5 files: 5 added, 0 updated, 0 unchanged, 12 skipped (12 bad) in "
        ),
        "{last}"
    );
    assert_eq!(
        lines,
        [
            "episearch: in/bad.jsonl:2:24: EOF while parsing a string",
            "episearch: in/bad.jsonl:4:14: control character (\\u0000-\\u001F) found while parsing a string",
            "episearch: in/bad.jsonl:5:15: invalid UTF-8",
            "episearch: in/bad.jsonl:7:128: recursion limit exceeded",
            "episearch: in/bad.jsonl:8:140: recursion limit exceeded",
            "episearch: in/bad.jsonl:9: expected an object, found a string",
            "episearch: in/bad.jsonl:10: field `date`: unrecognised date `not a date`",
            "episearch: in/bad.jsonl:11: field `date`: expected a date, found a list",
            "episearch: in/blank.jsonl: empty file: no episodes",
            "episearch: in/empty.jsonl: empty file: no episodes",
            "episearch: in/nested.json:1:129: recursion limit exceeded",
            "episearch: in/trunc.json:1:61: EOF while parsing a string",
        ]
    );
    assert!(!r.stderr.contains("panicked"));
    let ids = |q: &str| -> Vec<String> {
        let mut ids: Vec<String> = json_lines(&ws.run(&["search", "--json", q]).stdout)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("survivor"), ["a1", "nul1", "ok1", "ok2"]);
    assert_eq!(ids("bigword"), ["big"]);
    // The NUL escaped in JSON is dropped at ingest.
    let hits = json_lines(&ws.run(&["search", "--json", "nulescaped"]).stdout);
    assert_eq!(hits[0]["title"], "nulescaped survivor");
    assert_eq!(episodes(&ws), 5);
}

#[test]
fn hostile_feeds_are_neutralised_and_never_read_local_files() {
    let ws = Workspace::new();
    let secret = ws.write("secret.txt", "SECRETMARKER4242 topsecret\n");
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    ws.write(
        "feeds/bomb.xml",
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE rss [{dtd}]>\n<rss version=\"2.0\"><channel><title>Bomb FM</title>\n\
             <item><guid>b1</guid><title>Laughs &lol9; kazoo</title><description>&lol9;&lol9; kazoo story</description></item>\n\
             </channel></rss>\n"
        ),
    );
    let url = format!("file://{}", secret.display());
    ws.write(
        "feeds/xxe.xml",
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM \"{url}\">\n\
             <!ENTITY % pe SYSTEM \"{url}\">\n%pe;\n]>\n\
             <rss version=\"2.0\"><channel><title>Leak FM</title>\n\
             <item><guid>x1</guid><title>Ocarina &xxe; leak</title>\
             <description>before &xxe; after ocarina</description></item>\n</channel></rss>\n"
        ),
    );
    ws.write(
        "feeds/deep.xml",
        format!(
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Deep FM</title>\n\
             <item><guid>d1</guid><title>Shallow banjo</title></item>\n\
             <item><guid>d2</guid><title>Deep banjo</title>\n{}{}</item>\n\
             <item><guid>d3</guid><title>After banjo</title></item>\n</channel></rss>\n",
            "<x>".repeat(100_000),
            "</x>".repeat(100_000)
        ),
    );
    let r = ws.run(&["index", "feeds"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert_eq!(
        lines[0],
        "episearch: feeds/deep.xml:5:760: elements nested deeper than 256 levels"
    );
    assert!(
        lines[1].starts_with("indexed 3 files: 4 added, 0 updated, 0 unchanged, 1 skipped (1 bad)"),
        "{}",
        lines[1]
    );
    let titles = |q: &str| -> Vec<String> {
        json_lines(&ws.run(&["search", "--json", "--sort", "oldest", q]).stdout)
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect()
    };
    // Entities from a DTD are dropped, not expanded: no laughs, no file contents.
    assert_eq!(titles("kazoo"), ["Laughs kazoo"]);
    assert_eq!(titles("ocarina"), ["Ocarina leak"]);
    let r = ws.run(&["search", "--json", "ocarina"]);
    assert_eq!(json_lines(&r.stdout)[0]["snippet"], "before after ocarina");
    assert_eq!(titles("lol").len(), 0);
    let mut banjos = titles("banjo");
    banjos.sort();
    assert_eq!(banjos, ["After banjo", "Shallow banjo"]);
    for q in [
        "SECRETMARKER4242",
        "topsecret",
        "leak OR ocarina OR kazoo OR banjo",
    ] {
        let r = ws.run(&["search", "--json", q]);
        assert!(!r.stdout.contains("SECRETMARKER"), "{q}: {}", r.stdout);
        assert!(!r.stdout.contains("topsecret"), "{q}: {}", r.stdout);
    }
    // Nor is the secret anywhere in the index files.
    for entry in std::fs::read_dir(ws.index_dir()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(16).any(|w| w == b"SECRETMARKER4242"));
    }
}

/// The index files after a failed write are what they were: no commit, partial or otherwise.
#[test]
fn a_full_disk_fails_in_one_line_and_the_last_commit_stays_searchable() {
    let ws = Workspace::new();
    ws.index_corpus();
    let mut data = String::new();
    for i in 0..20_000 {
        data.push_str(&load_record(i));
    }
    let input = ws.write("more.jsonl", data);
    // RLIMIT_FSIZE makes every write past 8 KiB fail with EFBIG, as a full disk fails with
    // ENOSPC; SIGXFSZ is ignored (an ignored signal stays ignored across exec) so the write fails
    // instead of killing the process.
    let script =
        "trap '' XFSZ; ulimit -f 16; exec \"$0\" --index \"$1\" --color never index \"$2\"";
    let r = crate::util::run(
        assert_cmd::Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(binary())
            .arg(ws.index_dir())
            .arg(&input),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let prefix = format!("episearch: {}: could not write: ", ws.index_dir().display());
    assert!(r.stderr.starts_with(&prefix), "{}", r.stderr);
    assert!(
        r.stderr.ends_with(" (the last commit is intact)\n"),
        "{}",
        r.stderr
    );
    assert_eq!(episodes(&ws), 6);
    let r = ws.run(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
    // With room again, the same ingest completes.
    let r = ws.run(&["index", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(episodes(&ws), 20_006);
}

#[test]
fn a_damaged_or_missing_meta_json_is_one_line_and_nothing_is_overwritten() {
    let ws = Workspace::new();
    ws.index_corpus();
    let meta = ws.index_dir().join("meta.json");
    let good = std::fs::read(&meta).unwrap();
    let corpus = repo_path("corpus");
    let commands: [&[&str]; 3] = [
        &["search", "tech debt"],
        &["stats"],
        &["index", corpus.to_str().unwrap()],
    ];

    let damaged = [
        (
            "{\"segments\": [",
            "EOF while parsing a list at line 1 column 14",
        ),
        ("{\"segments\": 7}", "not index metadata"),
    ];
    // Every command exits 2 with this one line about the index folder.
    let all_refuse = |reason: &str| {
        for args in commands {
            let r = ws.run(args);
            assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
            assert_eq!(
                r.stderr,
                format!("episearch: {}: {reason}\n", ws.index_dir().display()),
                "{args:?}"
            );
        }
    };
    for (contents, cause) in damaged {
        std::fs::write(&meta, contents).unwrap();
        all_refuse(&format!(
            "meta.json is damaged ({cause}); restore it or remove the folder and index again"
        ));
    }

    std::fs::remove_file(&meta).unwrap();
    all_refuse(
        "meta.json is missing, so the index cannot be read; remove the folder and index again",
    );

    // The refusals above left the segments alone: the good meta.json brings everything back.
    std::fs::write(&meta, good).unwrap();
    assert_eq!(episodes(&ws), 6);
    let r = ws.run(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A tmpfs mounted for one test, unmounted however the test ends.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// `None` (with the reason printed) where mounting is not permitted.
    fn mount(dir: PathBuf, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir)),
            Ok(o) => {
                println!(
                    "skipping: cannot mount a tmpfs: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("skipping: cannot run mount: {e}");
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_or_full_file_system_refuses_writes_and_still_searches() {
    let ws = Workspace::new();
    let Some(fs) = Tmpfs::mount(ws.path("mnt"), "400k") else {
        return;
    };
    let index = ws.path("mnt/idx");
    let with_index = |args: &[&str]| crate::util::run(spawnable(&index).args(args));
    let corpus = repo_path("corpus");
    assert_eq!(with_index(&["index", corpus.to_str().unwrap()]).code, 0);

    // Full: ENOSPC partway through a large ingest.
    let mut data = String::new();
    for i in 0..20_000 {
        data.push_str(&load_record(i));
    }
    let input = ws.write("more.jsonl", data);
    let r = with_index(&["index", input.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "episearch: {}: could not write: ",
            index.display()
        )),
        "{}",
        r.stderr
    );
    let r = with_index(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Read-only: writers are refused with the reason; searches and stats work.
    fs.remount("ro");
    let r = with_index(&["index", corpus.to_str().unwrap()]);
    assert_eq!(
        (r.code, r.stderr),
        (
            2,
            format!(
                "episearch: {}: cannot write to the index: read-only file system (os error 30)\n",
                index.display()
            )
        )
    );
    let r = with_index(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
    let r = with_index(&["stats", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json_lines(&r.stdout)[0]["episodes"], 6);
    let r =
        crate::util::run(spawnable(&ws.path("mnt/new")).args(["index", corpus.to_str().unwrap()]));
    assert_eq!(
        (r.code, r.stderr),
        (
            2,
            format!(
                "episearch: {}: read-only file system (os error 30)\n",
                ws.path("mnt/new").display()
            )
        )
    );
}

#[test]
fn escape_sequences_in_episodes_never_reach_the_terminal() {
    let ws = Workspace::new();
    let input = ws.write(
        "evil.jsonl",
        concat!(
            r#"{"id":"e1","podcast":"Evil\u001b]0;pwned\u0007 FM","title":"Clear\u001b[2J screen \u009b31m tech","summary":"about \u001b[31mtech debt\u001b[0m and \u0000\u0008\u007f bells\u0007 and \u001bP sequences"}"#,
            "\n"
        ),
    );
    ws.write(
        "evil.xml",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed &#x9b;FM</title>\
         <item><guid>f1</guid><title>Feed tech &#x1b;[1mtitle</title>\
         <description>feed tech debt &#x1b;[5m blink &#x7;</description></item></channel></rss>",
    );
    let r = ws.run(&["index", input.to_str().unwrap(), "evil.xml"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    for color in ["always", "never"] {
        let out = assert_cmd::Command::new(binary())
            .args(["--index", ws.index_dir().to_str().unwrap()])
            .args(["--color", color, "search", "tech"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        let mut rest = text.clone();
        for code in ["\u{1b}[1;31m", "\u{1b}[0m", "\u{1b}[1m", "\u{1b}[2m"] {
            rest = rest.replace(code, "");
        }
        assert!(
            !rest.chars().any(|c| c.is_control() && c != '\n'),
            "--color {color}: {text:?}"
        );
        if color == "never" {
            assert_eq!(rest, text);
        }
        assert!(text.contains("Clear"), "{text:?}");
        assert!(text.contains("Feed"), "{text:?}");
    }
}

#[test]
fn dates_past_the_index_range_and_huge_pages_never_overflow() {
    let ws = Workspace::new();
    ws.write(
        "dates.jsonl",
        concat!(
            r#"{"id":"d1","title":"far future","date":"9999-01-01"}"#,
            "\n",
            r#"{"id":"d2","title":"far past","date":-99999999999}"#,
            "\n",
            r#"{"id":"d3","title":"near tech","date":"2026-01-01"}"#,
            "\n",
        ),
    );
    let r = ws.run(&["index", "dates.jsonl"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "episearch: dates.jsonl:1: field `date`: 9999-01-01 is outside the years the index holds (1677 to 2262)",
            "episearch: dates.jsonl:2: field `date`: -1199-02-15 is outside the years the index holds (1677 to 2262)",
        ]
    );
    // A feed's date out of range is dropped; the episode is kept.
    ws.write(
        "future.xml",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>F</title><item>\
         <guid>f9</guid><title>future tech</title><pubDate>Fri, 01 Jan 9999 00:00:00 GMT</pubDate>\
         </item></channel></rss>",
    );
    assert_eq!(ws.run(&["index", "future.xml"]).code, 0);
    let hits = json_lines(&ws.run(&["search", "--json", "future"]).stdout);
    assert_eq!(hits[0]["date"], serde_json::Value::Null);

    let huge = usize::MAX.to_string();
    for (args, code) in [
        (&["--offset", &huge][..], 1),
        (&["--limit", &huge], 0),
        (&["--limit", &huge, "--offset", "1"], 0),
        (&["--limit", &huge, "--offset", "2"], 1),
        (&["--sort", "newest", "--limit", &huge], 0),
        (&["--since", "9999-12-31"], 1),
        (&["--until", "9999-12"], 0),
        (&["--since", "1000", "--sort", "oldest"], 0),
    ] {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.push("tech");
        let r = ws.run(&all);
        assert_eq!((r.code, r.stderr.as_str()), (code, ""), "{args:?}");
    }
}

#[test]
fn huge_words_ids_and_names_index_once_and_stay_findable() {
    let ws = Workspace::new();
    let word = "x".repeat(200_000);
    let records = [
        serde_json::json!({"id": "long1", "title": format!("long word {word}"), "summary": format!("hello {word}")}),
        serde_json::json!({"id": "i".repeat(100_000), "title": "long id episode"}),
        serde_json::json!({"title": "p".repeat(70_000), "podcast": "q".repeat(70_000), "summary": "long title"}),
    ];
    let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    ws.write("long.jsonl", lines.join("\n"));
    let r = ws.run(&["index", "long.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("indexed 1 files: 3 added, 0 updated, 0 unchanged"),
        "{}",
        r.stderr
    );
    // Indexing again finds every one of them by its key: nothing doubled.
    let r = ws.run(&["index", "long.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("indexed 1 files: 0 added, 0 updated, 3 unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!(episodes(&ws), 3);
    let hits = json_lines(&ws.run(&["search", "--json", "long"]).stdout);
    assert_eq!(hits.len(), 3);
    let id = hits
        .iter()
        .find(|h| h["title"] == "long id episode")
        .map(|h| h["id"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(id.len(), 1024);
    assert!(id.starts_with("iii"));
}

/// Pieces of feeds, JSON, CSV, episode pages and HTML, and hostile text, for generated inputs.
const INPUT_PIECES: &[&str] = &[
    "<?xml version=\"1.0\"?>",
    "<?xml version='1.0' encoding='utf-16'?>",
    "<?xml encoding=\"x-nonsense\"?>",
    "<rss version=\"2.0\">",
    "</rss>",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<title>",
    "</title>",
    "<description>",
    "</description>",
    "<guid>",
    "</guid>",
    "<pubDate>",
    "</pubDate>",
    "<itunes:duration>",
    "</itunes:duration>",
    "<content:encoded>",
    "<link href=\"x\"/>",
    "<enclosure url=\"u\" length=\"-1\"/>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<!DOCTYPE rss [",
    "<!ENTITY e \"&e;\">",
    "<!ENTITY x SYSTEM \"file:///etc/passwd\">",
    "]>",
    "&e;",
    "&x;",
    "&amp;",
    "&lt;",
    "&#x1b;",
    "&#0;",
    "&#xFFFFFFFF;",
    "&#99999999999;",
    "&nbsp;",
    "<",
    ">",
    "</",
    "/>",
    "=",
    "\"",
    "'",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"title\":",
    "\"date\":",
    "\"duration\":",
    "\"id\":",
    "\"podcast\":",
    "null",
    "true",
    "-1",
    "1e400",
    "18446744073709551616",
    "\"2026-02-24\"",
    "\"Fri, 31 Dec 9999 23:59:59 +9999\"",
    "\"99:99:99\"",
    "\"-5:00\"",
    "title,date,duration\n",
    "\n",
    "\r\n",
    "\t",
    " ",
    "Published 24 Feb 2026\n",
    "Duration: 13:03\n",
    "Episode Description\n",
    "Overview\n",
    "Recent Episodes of X\n",
    "<p>",
    "</p>",
    "<script>",
    "</script>",
    "<table><tr><td>",
    "<b><i><u>",
    "é",
    "日本語",
    "\u{feff}",
    "\u{0}",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{fffd}",
];

fn input_strategy() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::collection::vec(prop::sample::select(INPUT_PIECES), 0..40)
        .prop_map(|p| p.concat().into_bytes());
    let bytes = prop::collection::vec(any::<u8>(), 0..200);
    let mixed = (pieces.clone(), bytes.clone(), pieces.clone()).prop_map(|(mut a, b, c)| {
        a.extend(b);
        a.extend(c);
        a
    });
    prop_oneof![6 => pieces, 2 => bytes, 2 => mixed]
}

#[test]
fn generated_feeds_records_and_pages_never_panic_the_parsers() {
    let map = FieldMap::default();
    let parse_all = |bytes: &[u8]| {
        let mut episodes = Vec::new();
        let mut sink = |parsed: ingest::Parsed| {
            if let Ok(e) = parsed {
                episodes.push(e);
            }
            Ok(())
        };
        let _ = ingest::detect(bytes, None);
        let _ = ingest::detect(bytes, Some(Path::new("x.csv")));
        let _ = ingest::feed::read(bytes, &mut sink);
        let _ = ingest::json::read_lines(std::io::Cursor::new(bytes), &map, &mut sink);
        let _ = ingest::json::read_document(bytes, &map, &mut sink);
        let _ = ingest::page::read(bytes, &mut sink);
        let _ = ingest::csv::read(bytes, &map, &mut sink);
        let text = String::from_utf8_lossy(bytes);
        let _ = ingest::html::to_text(&text);
        let _ = parse_date(&text);
        let _ = parse_duration(&text);
        for e in episodes {
            let _ = e.normalise().key();
        }
    };
    let started = Instant::now();
    let mut runner = seeded_runner(20_000, 3);
    runner
        .run(&input_strategy(), |bytes| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse_all(&bytes))).map_err(
                |_| TestCaseError::fail(format!("{:?} panicked", String::from_utf8_lossy(&bytes))),
            )
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "20,000 generated inputs through every parser in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Set permission bits on a folder and the files (not folders) in it.
#[cfg(unix)]
fn set_modes(dir: &Path, dir_mode: u32, file_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file_mode)).unwrap();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_folder_this_user_may_not_write_still_searches() {
    let ws = Workspace::new();
    ws.index_corpus();
    let index = ws.index_dir();
    // Input the other user can read, wherever the repository is.
    let input = ws.write("one.jsonl", load_record(1));
    // Root writes whatever the permission bits say: run as `nobody` then, when that is possible.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let run_as_user = |args: &[&str]| -> crate::util::Run {
        let mut cmd = if root {
            let mut cmd = assert_cmd::Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(binary());
            cmd
        } else {
            assert_cmd::Command::new(binary())
        };
        cmd.current_dir("/")
            .env_remove("EPISEARCH_INDEX")
            .arg("--index")
            .arg(&index)
            .args(["--color", "never"])
            .args(args);
        crate::util::run(&mut cmd)
    };
    if root && run_as_user(&["--version"]).code != 0 {
        println!("skipping: running as root and cannot switch to nobody with setpriv");
        return;
    }
    // The workspace is private (0700): let the other user in, but not write.
    set_modes(ws.dir.path(), 0o755, 0o644);
    set_modes(&index, 0o555, 0o444);
    let search = run_as_user(&["search", "tech debt"]);
    let stats = run_as_user(&["stats", "--json"]);
    let write = run_as_user(&["index", input.to_str().unwrap()]);
    set_modes(&index, 0o755, 0o644);

    assert_eq!(search.code, 0, "{}", search.stderr);
    assert!(search
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
    assert_eq!(stats.code, 0, "{}", stats.stderr);
    assert_eq!(json_lines(&stats.stdout)[0]["episodes"], 6);
    assert_eq!(
        (write.code, write.stderr),
        (
            2,
            format!(
                "episearch: {}: cannot write to the index: permission denied (os error 13)\n",
                index.display()
            )
        )
    );
}

#[test]
fn messages_quoting_input_carry_no_escape_sequences() {
    let ws = Workspace::new();
    ws.write(
        "evil.jsonl",
        concat!(
            r#"{"id":"ok","title":"fine tech"}"#,
            "\n",
            r#"{"id":"e2","title":"x","date":"\u001b[2J\u001b]0;pwned\u0007 soon"}"#,
            "\n",
        ),
    );
    ws.write("\u{1b}[31mnotes.md", "# not episodes\u{1b}[2J\n");
    let r = ws.run(&["index", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "episearch: ./[31mnotes.md: skipped: not an episode format",
            "episearch: ./evil.jsonl:2: field `date`: unrecognised date `[2J]0;pwned soon`",
        ]
    );
    let r = ws.run(&["search", "--", "\u{1b}[2J\"tech"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stderr
        .starts_with("episearch: warning: could not parse the query"));
    assert!(
        !r.stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{:?}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_link_loop_is_walked_once_and_broken_gzip_keeps_what_came_before() {
    use std::io::Write as _;
    let ws = Workspace::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2_000 {
        gz.write_all(load_record(i).as_bytes()).unwrap();
    }
    let gz = gz.finish().unwrap();
    ws.write("in/whole.jsonl.gz", &gz);
    ws.write("in/cut.jsonl.gz", &gz[..gz.len() / 2]);
    ws.write("in/garbage.gz", b"\x1f\x8bgarbage");
    std::os::unix::fs::symlink(".", ws.path("in/loop")).unwrap();
    std::os::unix::fs::symlink("..", ws.path("in/up")).unwrap();
    let r = ws.run(&["index", "in"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "episearch: in/cut.jsonl.gz:986: incomplete deflate stream",
            "episearch: in/garbage.gz: unreadable compressed data: unexpected end of file",
        ]
    );
    assert!(
        lines[2].starts_with(
            "indexed 2 files: 2000 added, 0 updated, 985 unchanged, 2 skipped (2 bad)"
        ),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 3);
    assert_eq!(episodes(&ws), 2_000);
}

#[test]
fn a_closed_stderr_does_not_stop_an_ingest() {
    let ws = Workspace::new();
    let mut data = String::new();
    for i in 0..500 {
        data.push_str(&load_record(i));
        data.push_str("{\"title\": oops}\n");
    }
    let input = ws.write("noisy.jsonl", data);
    let mut child = spawn(
        &ws.index_dir(),
        &["index", input.to_str().unwrap()],
        Stdio::null(),
    );
    // Nobody reads the 500 bad-record lines: every write to stderr fails with a broken pipe.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(episodes(&ws), 500);
}

/// The merge that ends an import runs after its last commit: a kill during it leaves every
/// episode searchable, and the next import finds nothing to change.
#[test]
fn a_kill_during_the_closing_merge_loses_nothing() {
    const RECORDS: usize = 100_000;
    let ws = Workspace::new();
    let data: String = (0..RECORDS).map(load_record).collect();
    let input = ws.write("load.jsonl", data);
    EpisodeIndex::open_or_create(&ws.index_dir()).expect("create index");
    let args = ["index", "--batch", "10000", input.to_str().unwrap()];
    let mut child = spawn(&ws.index_dir(), &args, Stdio::null());
    // Every batch committed: what is left is the merge.
    let started = Instant::now();
    while episodes(&ws) < RECORDS as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no final commit"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let merging = child.try_wait().expect("wait").is_none();
    child.kill().expect("kill");
    child.wait().expect("wait");
    println!(
        "killed {} the merge",
        if merging { "during" } else { "after" }
    );
    assert_eq!(episodes(&ws), RECORDS as u64);
    for i in [0, 1, 50_000, RECORDS - 1] {
        assert_intact(&ws, i);
    }
    let r = ws.run(&["index", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("0 added, 0 updated, {RECORDS} unchanged")),
        "{}",
        r.stderr
    );
    assert_eq!(episodes(&ws), RECORDS as u64);
    assert_intact(&ws, 77_777);
}

/// Feed `records` to a writer on stdin, wait until `committed` episodes are visible, then kill it.
fn kill_after_commit(ws: &Workspace, args: &[&str], records: usize, committed: u64) {
    let mut child = spawn(&ws.index_dir(), args, Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..records {
        stdin.write_all(load_record(i).as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    // A writer sees the first 64 KiB before it starts (format detection), so `records` are
    // enough to pass that; with nothing to wait for, give it a moment to read them all.
    if committed == 0 {
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut polls = 0;
    while episodes(ws) < committed {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the writer ended early"
        );
        polls += 1;
        assert!(polls < 3000, "never saw {committed} episodes committed");
        std::thread::sleep(Duration::from_millis(10));
    }
    // stdin is still open: the writer waits for more, holding the records of the open batch
    // (with --strict, all of them).
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
}

#[test]
fn a_kill_loses_exactly_the_open_batch_and_strict_loses_the_whole_run() {
    let ws = Workspace::new();
    EpisodeIndex::open_or_create(&ws.index_dir()).expect("create index");
    kill_after_commit(
        &ws,
        &["index", "--batch", "100", "--batch-seconds", "3600", "-"],
        1_050,
        1_000,
    );
    assert_eq!(episodes(&ws), 1_000);
    for i in [0, 500, 999] {
        assert_intact(&ws, i);
    }
    for i in [1_000, 1_049] {
        let r = ws.run(&["search", &format!("n{i}z")]);
        assert_eq!(r.code, 1, "record {i} was never committed: {}", r.stdout);
    }

    // --strict commits once, at the end: a kill before it leaves the index as it was.
    kill_after_commit(&ws, &["index", "--strict", "--batch", "10", "-"], 2_000, 0);
    assert_eq!(episodes(&ws), 1_000);
    let r = ws.run(&["search", "n1500z"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn records_on_stdin_are_committed_as_they_come() {
    let ws = Workspace::new();
    EpisodeIndex::open_or_create(&ws.index_dir()).expect("create index");
    let mut child = spawn(
        &ws.index_dir(),
        &["index", "--batch", "2", "--batch-seconds", "3600", "-"],
        Stdio::piped(),
    );
    let mut stdin = child.stdin.take().unwrap();
    // Three short records, far less than the 64 KiB format detection could wait for.
    for i in 0..3 {
        stdin.write_all(load_record(i).as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    wait_for_episodes(&ws, &mut child, 2, "the first batch was never committed");
    assert_eq!(episodes(&ws), 2);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(episodes(&ws), 3);
}

#[test]
fn a_quiet_stream_is_committed_when_its_batch_time_is_up() {
    let ws = Workspace::new();
    EpisodeIndex::open_or_create(&ws.index_dir()).expect("create index");
    let mut child = spawn(
        &ws.index_dir(),
        &["index", "--batch", "1000", "--batch-seconds", "1", "-"],
        Stdio::piped(),
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(load_record(0).as_bytes()).unwrap();
    stdin.flush().unwrap();
    // No record follows, and the stream stays open: the batch falls due by time alone.
    wait_for_episodes(
        &ws,
        &mut child,
        1,
        "the record was not committed while the stream was quiet",
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the writer ended early"
    );
    assert_intact(&ws, 0);
    stdin.write_all(load_record(1).as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(episodes(&ws), 2);
}

/// Wait, a minute at most, until the index holds `n` episodes while `child` goes on writing;
/// `what` says what did not happen.
fn wait_for_episodes(ws: &Workspace, child: &mut Child, n: u64, what: &str) {
    let started = Instant::now();
    while episodes(ws) < n {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the writer ended early"
        );
        assert!(started.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A proptest runner that generates the same cases on every run (no persistence files).
fn seeded_runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}
