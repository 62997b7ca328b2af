//! Dataset exports and mixed folders through the binary: field mapping, `.gz`, CSV, records
//! with nothing to search, files that are not episode data, per-language stemming.

use crate::util::{json_lines, shared, Workspace};

const TADDY_MAP: [&str; 10] = [
    "--map",
    "title=name",
    "--map",
    "overview=description",
    "--map",
    "date=date_published",
    "--map",
    "id=uuid",
    "--map",
    "podcast=series_uuid",
];

#[test]
fn taddy_export_with_mapping_gives_every_record() {
    let Some(taddy) = shared("datasets/taddy-episodes-2023-11.jsonl.gz") else {
        return;
    };
    let ws = Workspace::new();
    let mut args = vec!["index"];
    args.extend(TADDY_MAP);
    args.push(taddy.to_str().unwrap());
    let r = ws.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // 10,544 records: 10,430 episodes and 114 with no title and no text at all.
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "indexed 1 files: 10430 added, 0 updated, 0 unchanged, 114 skipped (114 with no title and no text) in "
        ),
        "{}",
        r.stderr
    );
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 10430);

    // Searchable by title, with the HTML description reduced to text.
    let hits = json_lines(
        &ws.run(&[
            "search",
            "--json",
            "\"Change Your Mind to Change Your Reality\"",
        ])
        .stdout,
    );
    assert_eq!(hits[0]["id"], "1d21eb98-ae93-4eda-99a7-63fc20ce9bda");
    assert_eq!(hits[0]["title"], "Change Your Mind to Change Your Reality");
    let hits = json_lines(&ws.run(&["search", "--json", "-n", "50", "podcast"]).stdout);
    assert_eq!(hits.len(), 50);
    for h in &hits {
        let snippet = h["snippet"].as_str().unwrap();
        assert!(
            !snippet.contains("<p>") && !snippet.contains("&amp;") && !snippet.contains("&#39;"),
            "{snippet}"
        );
    }
}

#[test]
fn a_folder_with_other_files_skips_them_with_a_notice() {
    let ws = Workspace::new();
    ws.write(
        "in/episodes.jsonl",
        "{\"title\":\"Zebra crossings\",\"podcast\":\"Roads\"}\n",
    );
    ws.write("in/README.md", "# My podcast notes\n\nNothing to see.\n");
    ws.write(
        "in/art/logo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
    );
    let r = ws.run(&["index", ws.path("in").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..2],
        [
            format!(
                "episearch: {}: skipped: not an episode format",
                ws.path("in/README.md").display()
            ),
            format!(
                "episearch: {}: skipped: binary file, not an episode format",
                ws.path("in/art/logo.png").display()
            ),
        ]
    );
    assert!(
        lines[2].starts_with("indexed 3 files (2 not episode data): 1 added,"),
        "{}",
        lines[2]
    );
}

#[test]
fn csv_with_a_header_and_mapped_columns() {
    let ws = Workspace::new();
    let csv = ws.write(
        "shows.csv",
        "name,show,published,length\n\"Quokkas, up close\",Wild,2024-05-06,1:02:03\nOtters,Wild,2024-05-07,60\n",
    );
    let r = ws.run(&[
        "index",
        "--map",
        "title=name",
        "--map",
        "podcast=show",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits = json_lines(&ws.run(&["search", "--json", "quokkas"]).stdout);
    assert_eq!(hits[0]["title"], "Quokkas, up close");
    assert_eq!(hits[0]["podcast"], "Wild");
    assert_eq!(hits[0]["date"], "2024-05-06T00:00:00Z");
    assert_eq!(hits[0]["duration"], 3723);
}

#[test]
fn episodes_in_a_language_with_a_stemmer_are_stemmed_in_that_language() {
    let ws = Workspace::new();
    let input = ws.write(
        "de.jsonl",
        "{\"id\":\"de\",\"title\":\"Die wichtigsten Nachrichten\",\"language\":\"de-DE\"}\n{\"id\":\"en\",\"title\":\"Nachrichten without a language\"}\n",
    );
    assert_eq!(ws.run(&["index", input.to_str().unwrap()]).code, 0);
    let ids = |q: &str| -> Vec<String> {
        json_lines(&ws.run(&["search", "--json", q]).stdout)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect()
    };
    // German stemming joins the singular and the plural; English analysis does not.
    assert_eq!(ids("Nachricht"), ["de"]);
    assert_eq!(ids("Nachrichten").len(), 2);
    // Accents are kept in output and optional in queries.
    let input = ws.write(
        "fr.jsonl",
        "{\"id\":\"fr\",\"title\":\"Le café des sciences\",\"language\":\"fr\"}\n",
    );
    assert_eq!(ws.run(&["index", input.to_str().unwrap()]).code, 0);
    let hits = json_lines(&ws.run(&["search", "--json", "cafe"]).stdout);
    assert_eq!(hits[0]["title"], "Le café des sciences");
    assert_eq!(ids("café"), ["fr"]);
}

#[test]
fn a_clean_ingest_prints_only_the_summary_when_piped() {
    let ws = Workspace::new();
    let r = ws.index_corpus();
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("indexed 1 files: 6 added, 0 updated, 0 unchanged, 0 skipped in "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.trim_end().ends_with("episodes/s)"), "{}", r.stderr);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let ws = Workspace::new();
    let mut cmd = ws.cmd();
    cmd.args(["index", "-"])
        .write_stdin("{\"title\":\"Piped platypus\"}\n");
    let r = crate::util::run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits = json_lines(&ws.run(&["search", "--json", "platypus"]).stdout);
    assert_eq!(hits[0]["title"], "Piped platypus");
}

#[test]
fn entity_bombs_and_external_entities_are_neutralised() {
    let ws = Workspace::new();
    let secret = ws.write("secret.txt", "TOPSECRETMARKER");
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a \"aaaaaaaaaa\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "a".to_string()
        } else {
            format!("e{}", i - 1)
        };
        bomb.push_str(&format!(
            "<!ENTITY e{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    bomb.push_str("]>\n<rss><channel><title>Bomb</title><item><title>Laughs &e9;</title><guid>b1</guid></item></channel></rss>\n");
    ws.write("feeds/bomb.xml", bomb);
    ws.write(
        "feeds/xxe.xml",
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://{}\">]>\n<rss><channel><title>Leak</title><item><title>Leaky &xxe; episode</title><guid>x1</guid></item></channel></rss>\n",
            secret.display()
        ),
    );
    let r = ws.run(&["index", ws.path("feeds").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 added"), "{}", r.stderr);
    let all = ws.run(&["search", "--json", "laughs OR leaky"]);
    let hits = json_lines(&all.stdout);
    let titles: Vec<&str> = hits.iter().map(|h| h["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2);
    assert!(
        titles.contains(&"Laughs") && titles.contains(&"Leaky episode"),
        "{titles:?}"
    );
    assert!(!all.stdout.contains("TOPSECRETMARKER"));
    assert_eq!(ws.run(&["search", "TOPSECRETMARKER"]).code, 1);
}

/// A JSON Lines export of 2,000 episodes with 40 damaged lines, the first among them (a NUL and
/// an invalid UTF-8 byte before its record).
fn damaged_export() -> (Vec<u8>, Vec<usize>) {
    let mut lines: Vec<Vec<u8>> = (0..2000)
        .map(|i| {
            format!(r#"{{"id":"e{i}","title":"Episode {i}","summary":"Talk {i} about gardens"}}"#)
                .into_bytes()
        })
        .collect();
    let mut damaged: Vec<usize> = (1..40).map(|k| k * 50 + 7).collect();
    for &i in &damaged {
        let half = lines[i].len() / 2;
        lines[i].truncate(half);
    }
    lines[0].splice(0..0, [0u8, 0xff]);
    damaged.insert(0, 0);
    (lines.join(&b'\n'), damaged)
}

#[test]
fn a_damaged_file_named_on_the_command_line_is_read_line_by_line() {
    let (export, damaged) = damaged_export();
    for name in ["export.jsonl", "export.txt", "in/export.jsonl"] {
        let ws = Workspace::new();
        let path = ws.write(name, &export);
        // Named, or found in a folder: the lines after the first say JSON Lines either way.
        let arg = if name.starts_with("in/") {
            ws.path("in")
        } else {
            path.clone()
        };
        let r = ws.run(&["index", arg.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 41, "{name}: {}", r.stderr);
        assert_eq!(
            lines[0],
            format!("episearch: {}:1:2: invalid UTF-8", path.display())
        );
        for (line, &i) in lines[1..40].iter().zip(&damaged[1..]) {
            assert!(
                line.starts_with(&format!("episearch: {}:{}:", path.display(), i + 1)),
                "{name}: {line}"
            );
        }
        assert!(
            lines[40].starts_with(
                "indexed 1 files: 1960 added, 0 updated, 0 unchanged, 40 skipped (40 bad) in"
            ),
            "{name}: {}",
            lines[40]
        );
        let r = ws.run(&["stats", "--json"]);
        assert_eq!(json_lines(&r.stdout)[0]["episodes"], 1960);
    }
}

#[test]
fn a_file_named_on_the_command_line_that_is_no_episode_data_is_an_error() {
    let ws = Workspace::new();
    let png = ws.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01");
    let good = ws.write("ok.jsonl", "{\"title\":\"Zebra crossings\"}\n");
    let r = ws.run(&["index", png.to_str().unwrap(), good.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "episearch: {}: binary file, not an episode format",
            png.display()
        )
    );
    assert!(
        lines[1]
            .starts_with("indexed 1 files: 1 added, 0 updated, 0 unchanged, 1 skipped (1 bad) in"),
        "{}",
        lines[1]
    );
    // --strict: the first bad input stops the run, and nothing of it is committed.
    let r = ws.run(&[
        "index",
        "--strict",
        good.to_str().unwrap(),
        png.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "episearch: {}: binary file, not an episode format (--strict: nothing of this run was committed)\n",
            png.display()
        )
    );
}
