//! The spine through the binary: indexing the default corpus, ranking, snippets, filters,
//! output formats, upserts, errors and exit codes.

use crate::util::{json_lines, repo_path, Workspace};

const TECH_DEBT_TEXT: &str = "\
1. Boundaries Between Product & Engineering
   All Things Product · 2026-02-24 · 13:03
   such as prioritizing bugs or managing **tech debt**, while engineers are burdened with non-technical tasks like defining component order. Historically, product managers have been treated as \"order
";

#[test]
fn tech_debt_finds_the_boundaries_episode_first_as_text() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["search", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, TECH_DEBT_TEXT);
    assert_eq!(r.stderr, "");
}

#[test]
fn tech_debt_as_json_has_every_key_and_one_highlight_span() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["search", "--json", "tech debt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits = json_lines(&r.stdout);
    let first = &hits[0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["title"], "Boundaries Between Product & Engineering");
    assert_eq!(first["podcast"], "All Things Product");
    assert_eq!(first["date"], "2026-02-24T00:00:00Z");
    assert_eq!(first["duration"], 783);
    assert_eq!(first["url"], serde_json::Value::Null);
    let snippet = first["snippet"].as_str().unwrap();
    let spans: Vec<&str> = first["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &snippet[p[0].as_u64().unwrap() as usize..p[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(spans, ["tech debt"]);
    assert_eq!(first["title_highlights"], serde_json::json!([]));
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 11);
}

#[test]
fn all_six_seed_episodes_with_dates_filters_and_order() {
    let ws = Workspace::new();
    ws.index_corpus();
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 6);
    assert_eq!(stats[0]["podcasts"], 1);
    assert_eq!(stats[0]["first_date"], "2026-02-24T00:00:00Z");
    assert_eq!(stats[0]["last_date"], "2026-03-31T00:00:00Z");

    let broad = "product OR ai OR human OR mental OR growth OR navigation";
    let dates = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["search", "--json", broad];
        all.extend_from_slice(args);
        json_lines(&ws.run(&all).stdout)
            .iter()
            .map(|h| h["date"].as_str().unwrap()[..10].to_string())
            .collect()
    };
    assert_eq!(
        dates(&["--sort", "newest"]),
        [
            "2026-03-31",
            "2026-03-24",
            "2026-03-17",
            "2026-03-10",
            "2026-03-03",
            "2026-02-24"
        ]
    );
    assert_eq!(
        dates(&["--sort", "oldest", "--limit", "2"]),
        ["2026-02-24", "2026-03-03"]
    );
    assert_eq!(
        dates(&["--since", "2026-03-01", "--sort", "oldest"]),
        [
            "2026-03-03",
            "2026-03-10",
            "2026-03-17",
            "2026-03-24",
            "2026-03-31"
        ]
    );
    assert_eq!(
        dates(&["--until", "2026-02", "--sort", "oldest"]),
        ["2026-02-24"]
    );
    assert_eq!(
        dates(&[
            "--since",
            "2026-03-10",
            "--until",
            "2026-03-17",
            "--sort",
            "oldest"
        ]),
        ["2026-03-10", "2026-03-17"]
    );
    assert_eq!(
        dates(&["--sort", "newest", "--offset", "4"]),
        ["2026-03-03", "2026-02-24"]
    );
    assert_eq!(dates(&["--podcast", "all things PRODUCT"]).len(), 6);
    assert_eq!(dates(&["--podcast", "All Things"]).len(), 0);
    assert_eq!(dates(&["--min-duration", "13:00"]), ["2026-02-24"]);
    assert_eq!(dates(&["--max-duration", "700"]).len(), 0);
}

#[test]
fn nonsense_exits_1_with_empty_output() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["search", "xyzzyplugh"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));
    let r = ws.run(&["search", "--json", "xyzzyplugh"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
}

#[test]
fn all_words_rank_above_some_and_a_phrase_above_scattered_words() {
    let ws = Workspace::new();
    let input = ws.write(
        "e.jsonl",
        [
            r#"{"id":"some","title":"Debt","summary":"debt debt debt debt, all about debt"}"#,
            r#"{"id":"scattered","title":"Scattered","summary":"debt is not about tech at all"}"#,
            r#"{"id":"phrase","title":"Phrase","summary":"we discuss tech debt today"}"#,
        ]
        .join("\n"),
    );
    assert_eq!(ws.run(&["index", input.to_str().unwrap()]).code, 0);
    let ids: Vec<String> = json_lines(&ws.run(&["search", "--json", "tech debt"]).stdout)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["phrase", "scattered", "some"]);
}

#[test]
fn query_syntax_phrases_fields_and_exclusions() {
    let ws = Workspace::new();
    ws.index_corpus();
    let titles = |q: &str| -> Vec<String> {
        json_lines(&ws.run(&["search", "--json", q]).stdout)
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(titles("title:darlings"), ["Kill Your Darlings"]);
    assert_eq!(titles("\"human navigation\""), ["Lost in the Woods"]);
    assert_eq!(titles("ai -chatbots"), ["Product Builders"]);
    assert_eq!(titles("+privacy +chatbots"), ["Bad Advice"]);
    assert_eq!(titles("darlings OR woods").len(), 2);
    assert_eq!(titles("ai AND NOT literacy"), ["Bad Advice"]);
    assert_eq!(
        titles("podcast:\"all things product\" AND title:sane"),
        ["Staying Sane"]
    );
}

#[test]
fn title_only_match_shows_the_summary_opening_and_title_highlights() {
    let ws = Workspace::new();
    ws.index_corpus();
    let hits = json_lines(&ws.run(&["search", "--json", "title:woods"]).stdout);
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0]["snippet"],
        "Product teams can benefit from understanding parallels between human navigation and their own challenges, including strategies to address inertia and misalignment."
    );
    assert_eq!(hits[0]["title_highlights"], serde_json::json!([[12, 17]]));
}

#[test]
fn indexing_twice_changes_nothing() {
    let ws = Workspace::new();
    ws.index_corpus();
    let second = ws.index_corpus();
    assert!(
        second.stderr.contains("0 added, 0 updated, 6 unchanged"),
        "{}",
        second.stderr
    );
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 6);
}

#[test]
fn an_episode_twice_in_one_import_is_stored_once_with_its_fuller_text() {
    let ws = Workspace::new();
    let input = ws.write(
        "twice.jsonl",
        concat!(
            "{\"id\":\"a\",\"title\":\"Blimps\",\"summary\":\"Short.\"}\n",
            "{\"id\":\"b\",\"title\":\"Other\"}\n",
            "{\"id\":\"a\",\"title\":\"Blimps\",\"summary\":\"A longer summary.\"}\n",
        ),
    );
    let r = ws.run(&["index", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 added, 1 updated"), "{}", r.stderr);
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 2);
    let hits = json_lines(&ws.run(&["search", "--json", "blimps"]).stdout);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["snippet"], "A longer summary.");
}

/// A full page for "Product Builders", which the seed page lists only as a brief entry.
const FULL_PAGE: &str = "More All Things Product episodes\n\nProduct Builders\n\nPublished 31 Mar 2026\n\nDuration: 20:00\n\nShort.\n\nEpisode Description\n\nA description.\n\nOverview\n\nThe zeppelin overview survives merges.\n\nRecent Episodes of All Things Product\n\n24 Mar 2026 Bad Advice\n\nBrief.\n";

#[test]
fn page_and_brief_merge_keeps_the_fuller_fields_in_either_order() {
    for order in [["seed", "full"], ["full", "seed"]] {
        let ws = Workspace::new();
        let full = ws.write("full.txt", FULL_PAGE);
        let seed = repo_path("corpus/all-things-product.txt");
        for which in order {
            let path = if which == "full" { &full } else { &seed };
            let r = ws.run(&["index", path.to_str().unwrap()]);
            assert_eq!(r.code, 0, "{}", r.stderr);
        }
        let hits = json_lines(&ws.run(&["search", "--json", "zeppelin"]).stdout);
        assert_eq!(hits.len(), 1, "order {order:?}");
        assert_eq!(hits[0]["title"], "Product Builders");
        assert_eq!(hits[0]["duration"], 1200);
        // The brief's longer summary survives too.
        let hits = json_lines(&ws.run(&["search", "--json", "upskilling"]).stdout);
        assert_eq!(hits.len(), 1, "order {order:?}");
        let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
        assert_eq!(stats[0]["episodes"], 6, "order {order:?}");
    }
}

#[test]
fn strict_aborts_at_the_first_bad_record_and_commits_nothing() {
    let ws = Workspace::new();
    let bad = ws.write(
        "bad.jsonl",
        "{\"title\":\"fine\"}\n{\"title\": oops}\n{\"title\":\"later\"}\n",
    );
    let r = ws.run(&["index", "--strict", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with(&format!("episearch: {}:2:", bad.display())),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("nothing of this run was committed"),
        "{}",
        r.stderr
    );
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 0);

    let r = ws.run(&["index", bad.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains(&format!("{}:2:11: expected value", bad.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 added"), "{}", r.stderr);
    assert!(r.stderr.contains("1 skipped (1 bad)"), "{}", r.stderr);
}

#[test]
fn a_missing_index_is_one_line_and_exit_2() {
    let ws = Workspace::new();
    for args in [&["search", "anything"][..], &["stats"][..]] {
        let r = ws.run(args);
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr,
            format!(
                "episearch: no index at {0}: create one with `episearch index PATH...` (or `episearch --index {0} index PATH...`)\n",
                ws.index_dir().display()
            )
        );
    }
}

#[test]
fn odd_queries_never_panic() {
    let ws = Workspace::new();
    ws.index_corpus();
    for q in [
        "\"unclosed",
        "title:",
        "((((",
        "- *",
        "AND OR NOT",
        "date:[2020 TO",
        "",
        "   ",
        "\\",
        "+",
        "\"\"",
        "title:\"",
        "nosuchfield:x",
        "a^",
        "~",
        "[* TO *]",
        "c++",
        "C#",
        ".NET",
        "tech-debt",
    ] {
        let r = ws.run(&["search", "--", q]);
        assert!(
            r.code == 0 || r.code == 1,
            "{q:?}: exit {} {}",
            r.code,
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{q:?}: {}", r.stderr);
        // At most a parse warning and, when nothing matched, a suggestion.
        assert!(r.stderr.lines().count() <= 2, "{q:?}: {}", r.stderr);
    }
    let r = ws.run(&["search", "\"tech debt"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .starts_with("episearch: warning: could not parse the query"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .trim_end()
            .ends_with("searching for its words: tech debt"),
        "{}",
        r.stderr
    );
    assert!(r
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
}

#[test]
fn a_fresh_checkout_searches_at_once() {
    let ws = Workspace::new();
    let mut cmd = assert_cmd::Command::cargo_bin("episearch").unwrap();
    cmd.current_dir(ws.dir.path())
        .env_remove("EPISEARCH_INDEX")
        .args(["--color", "never", "search", "tech debt"]);
    let r = crate::util::run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout
        .starts_with("1. Boundaries Between Product & Engineering\n"));
    assert_eq!(r.stderr.lines().count(), 1);
    assert!(
        r.stderr
            .starts_with("episearch: no index yet: indexed 6 episodes from "),
        "{}",
        r.stderr
    );
    assert!(ws.path("index/meta.json").exists());
}

#[test]
fn index_dir_from_the_environment_and_after_the_command() {
    let ws = Workspace::new();
    let corpus = repo_path("corpus");
    let mut cmd = assert_cmd::Command::cargo_bin("episearch").unwrap();
    cmd.current_dir(ws.dir.path())
        .env("EPISEARCH_INDEX", ws.path("envidx"))
        .args(["index", corpus.to_str().unwrap()]);
    assert_eq!(crate::util::run(&mut cmd).code, 0);
    assert!(ws.path("envidx/meta.json").exists());
    let mut cmd = assert_cmd::Command::cargo_bin("episearch").unwrap();
    cmd.current_dir(ws.dir.path()).args([
        "stats",
        "--json",
        "--index",
        ws.path("envidx").to_str().unwrap(),
    ]);
    let r = crate::util::run(&mut cmd);
    assert_eq!(json_lines(&r.stdout)[0]["episodes"], 6);
}

#[test]
fn colour_is_bold_red_when_asked_and_off_with_no_color() {
    let ws = Workspace::new();
    ws.index_corpus();
    let index = ws.index_dir();
    let mut cmd = assert_cmd::Command::cargo_bin("episearch").unwrap();
    cmd.args([
        "--color",
        "always",
        "-i",
        index.to_str().unwrap(),
        "search",
        "tech debt",
    ]);
    let r = crate::util::run(&mut cmd);
    assert!(
        r.stdout.contains("\u{1b}[1;31mtech debt\u{1b}[0m"),
        "{}",
        r.stdout
    );
    let mut cmd = assert_cmd::Command::cargo_bin("episearch").unwrap();
    cmd.env("NO_COLOR", "1")
        .args(["-i", index.to_str().unwrap(), "search", "tech debt"]);
    let r = crate::util::run(&mut cmd);
    assert!(!r.stdout.contains('\u{1b}'));
    assert!(r.stdout.contains("**tech debt**"));
}

#[test]
fn stats_as_text() {
    let ws = Workspace::new();
    ws.index_corpus();
    let r = ws.run(&["stats"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "episodes    6",
            "podcasts    1",
            "first date  2026-02-24",
            "last date   2026-03-31"
        ]
    );
    assert!(
        lines[4].starts_with("size        ") && lines[4].ends_with(" bytes)"),
        "{}",
        lines[4]
    );
    assert!(lines[5].starts_with("segments    "), "{}", lines[5]);
}

#[test]
fn the_snippet_comes_from_the_body_field_that_matched_best() {
    let ws = Workspace::new();
    let input = ws.write(
        "e.jsonl",
        r#"{"id":"x","title":"Mixed","summary":"A short note on gardens and soil.","description":"Nothing here.","overview":"Long talk about compost, worms and soil, and how gardens thrive on compost."}"#,
    );
    assert_eq!(ws.run(&["index", input.to_str().unwrap()]).code, 0);
    let hit = &json_lines(&ws.run(&["search", "--json", "compost worms"]).stdout)[0];
    assert_eq!(
        hit["snippet"],
        "Long talk about compost, worms and soil, and how gardens thrive on compost."
    );
    let hit = &json_lines(&ws.run(&["search", "--json", "gardens soil"]).stdout)[0];
    assert_eq!(hit["snippet"], "A short note on gardens and soil.");
    assert_eq!(hit["highlights"], serde_json::json!([[16, 23], [28, 32]]));
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let ws = Workspace::new();
    let many: String = (0..3000)
        .map(|i| format!("{{\"id\":\"{i}\",\"title\":\"Walrus number {i}\",\"summary\":\"The walrus talks at length about walrus things, episode {i}.\"}}\n"))
        .collect();
    let input = ws.write("many.jsonl", many);
    assert_eq!(ws.run(&["index", input.to_str().unwrap()]).code, 0);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("episearch"))
        .args([
            "--index",
            ws.index_dir().to_str().unwrap(),
            "search",
            "-n",
            "3000",
            "walrus",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up: the rest (far more than a pipe holds) hits a closed pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn an_import_leaves_one_segment_and_a_small_update_leaves_the_rest_alone() {
    let ws = Workspace::new();
    let episodes: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"id":"e{i}","title":"Episode {i}","summary":"garden talk {i}"}}"#))
        .collect();
    let input = ws.write("many.jsonl", episodes.join("\n"));
    // Eight commits of five: several segments before the merge.
    let r = ws.run(&["index", "--batch", "5", input.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let segments = |ws: &Workspace| {
        let stats = &json_lines(&ws.run(&["stats", "--json"]).stdout)[0];
        (
            stats["episodes"].as_u64().unwrap(),
            stats["segments"].as_u64().unwrap(),
        )
    };
    assert_eq!(segments(&ws), (40, 1));
    let hits = json_lines(&ws.run(&["search", "--json", "garden"]).stdout);
    assert_eq!(hits.len(), 10);
    // Two new episodes are not half the index: their segments (one an indexing thread) stay
    // beside the merged one.
    let more = ws.write(
        "more.jsonl",
        r#"{"id":"n1","title":"New","summary":"garden"}
{"id":"n2","title":"Newer","summary":"garden"}"#,
    );
    assert_eq!(ws.run(&["index", more.to_str().unwrap()]).code, 0);
    let (episodes, after) = segments(&ws);
    assert_eq!(episodes, 42);
    assert!(after > 1, "{after} segments");
}
