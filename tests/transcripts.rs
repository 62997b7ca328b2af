//! Transcripts and chapters through the binary: linked from records and feeds, attached by
//! hand, searched down to the moment, filtered by speaker and language; Chinese found by its
//! words; files that cannot be read named, their episodes kept; files linked by URL fetched
//! (from a test server on 127.0.0.1), the richest format only, and not again while the link
//! stays the same.

use crate::feed_server::{FeedServer, Mode};
use crate::util::{earned_tiers, json_lines, shared, Workspace};

const VTT: &str = "WEBVTT

00:00:01.000 --> 00:00:05.000
<v Ana>Welcome back to the show about building software.

00:00:05.000 --> 00:00:09.500
<v Ben>This week we had to pay down the tech

00:00:09.500 --> 00:00:14.000
<v Ben>debt before the launch, all of it.

00:12:34.200 --> 00:12:41.000
<v Ana>Refactoring the billing module was worth it.

00:30:00.000 --> 00:30:05.000
<v Ben>Thanks for listening, see you next week.
";

const CHAPTERS: &str = r#"{"version":"1.2.0","chapters":[
 {"startTime":0,"title":"Welcome"},
 {"startTime":600.5,"title":"Refactoring war stories"},
 {"startTime":1790,"title":"Goodbye"}]}"#;

/// A workspace with three episodes: one with a transcript and chapters, one without, one in
/// German with a transcript of its own.
fn workspace() -> Workspace {
    workspace_in(Workspace::new())
}

/// `workspace()` in `ws`, whose index may be made already.
fn workspace_in(ws: Workspace) -> Workspace {
    ws.write("talks/ep1.vtt", VTT);
    ws.write("talks/ep1-chapters.json", CHAPTERS);
    ws.write(
        "talks/de.srt",
        "1\n00:00:02,000 --> 00:00:06,000\nAnna: Heute sprechen wir über Datenschutz im Netz.\n",
    );
    ws.write(
        "talks/episodes.jsonl",
        concat!(
            r#"{"id":"ep1","podcast":"Build Log","title":"Episode one","summary":"A chat about shipping.","url":"https://example.org/ep1","transcript":"ep1.vtt","chapters":"ep1-chapters.json"}"#,
            "\n",
            r#"{"id":"ep2","podcast":"Build Log","title":"Episode two","summary":"Paying down tech debt, the whole story."}"#,
            "\n",
            r#"{"id":"de1","podcast":"Netzgespräche","title":"Folge eins","summary":"Ein Gespräch.","language":"de","transcript":"de.srt"}"#,
            "\n",
        ),
    );
    let r = ws.run(&["index", "talks/episodes.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    ws
}

#[test]
fn a_hit_shows_the_moment_and_the_chapter_it_falls_in() {
    let ws = workspace();
    let r = ws.run(&["search", "refactoring billing"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "1. Episode one\n   Build Log\n   A chat about shipping.\n   chapter 10:00  Refactoring war stories\n    12:34  Ana: **Refactoring** the **billing** module was worth it.  [Refactoring war stories]\n"
    );
    let hits = json_lines(&ws.run(&["search", "--json", "refactoring billing"]).stdout);
    let moment = &hits[0]["moments"][0];
    assert_eq!(moment["start"], 754.2);
    assert_eq!(moment["end"], 761.0);
    assert_eq!(moment["speaker"], "Ana");
    assert_eq!(
        moment["text"],
        "Refactoring the billing module was worth it."
    );
    assert_eq!(moment["highlights"], serde_json::json!([[0, 11], [16, 23]]));
    assert_eq!(moment["url"], "https://example.org/ep1#t=754");
    assert_eq!(moment["chapter"], "Refactoring war stories");
    assert_eq!(
        hits[0]["chapter"],
        serde_json::json!({"start": 600.5, "title": "Refactoring war stories"})
    );
}

/// An index made when transcripts were stored as bytes (the layout of version 1) still takes
/// them, finds their moments, and reads them back unchanged on the next import.
#[test]
fn an_index_storing_transcripts_as_bytes_still_finds_and_keeps_them() {
    use episearch::index::schema;
    let ws = Workspace::new();
    let mut old = tantivy::schema::Schema::builder();
    for (_, entry) in schema::build().fields() {
        if entry.name() == schema::SPOKEN {
            old.add_bytes_field(schema::SPOKEN, tantivy::schema::STORED);
        } else {
            old.add_field(entry.clone());
        }
    }
    std::fs::create_dir_all(ws.index_dir()).unwrap();
    tantivy::Index::create_in_dir(ws.index_dir(), old.build()).unwrap();
    let ws = workspace_in(ws);
    let r = ws.run(&["search", "refactoring billing"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "1. Episode one\n   Build Log\n   A chat about shipping.\n   chapter 10:00  Refactoring war stories\n    12:34  Ana: **Refactoring** the **billing** module was worth it.  [Refactoring war stories]\n"
    );
    let r = ws.run(&["index", "talks/episodes.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 added, 0 updated, 3 unchanged"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_shows_the_tier_of_words_said_together() {
    let ws = workspace();
    let r = ws.run(&["search", "--json", "--explain", "billing module"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits = json_lines(&r.stdout);
    assert_eq!(hits.len(), 1);
    let x = &hits[0]["explain"];
    let tiers = earned_tiers(x);
    assert_eq!(
        tiers,
        [
            ("every word", false),
            ("phrase", false),
            ("said together", true)
        ]
    );
    assert_eq!(
        x["tiers"][2]["why"],
        "its transcript says the words of content together, in the order typed"
    );
    assert_eq!(x["tiers"][2]["bonus"], 400.0);
    let r = ws.run(&["search", "--explain", "billing module"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "\
1. Episode one
   Build Log
   A chat about shipping.
    12:34  Ana: Refactoring the **billing** **module** was worth it.  [Refactoring war stories]
   why: 400.60 = every word no (misses billing, module), phrase no (the words are not together as typed), said together +400 (its transcript says the words of content together, in the order typed), words 0.60
     billing: not in the title or a body; module: not in the title or a body; bill: transcript 0.30; modul: transcript 0.30
"
    );
}

#[test]
fn words_said_an_hour_apart_are_two_moments() {
    let ws = Workspace::new();
    // Nothing transcribed between the cues: their words are neighbours in the text only.
    ws.write(
        "gap.vtt",
        "WEBVTT\n\n00:01:05.000 --> 00:01:09.000\nWe paid down the zanzibar backlog.\n\n01:02:03.500 --> 01:02:08.000\nA zanzibar again.\n",
    );
    ws.write(
        "gap.jsonl",
        r#"{"id": "gap", "title": "A long talk", "summary": "Two people talk.", "url": "https://example.org/gap", "transcript": "gap.vtt"}"#,
    );
    assert_eq!(ws.run(&["index", "gap.jsonl"]).code, 0);
    let hits = json_lines(&ws.run(&["search", "--json", "zanzibar"]).stdout);
    let moments: Vec<(f64, &str)> = hits[0]["moments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["start"].as_f64().unwrap(), m["url"].as_str().unwrap()))
        .collect();
    assert_eq!(
        moments,
        [
            (65.0, "https://example.org/gap#t=65"),
            (3723.5, "https://example.org/gap#t=3723")
        ]
    );
}

#[test]
fn a_phrase_said_across_two_cues_starts_at_the_first() {
    let ws = workspace();
    let hits = json_lines(&ws.run(&["search", "--json", "\"tech debt\""]).stdout);
    // The summary holds the phrase too: both episodes, the transcript's moment spans two cues.
    let ep1 = hits.iter().find(|h| h["id"] == "ep1").expect("ep1 found");
    let moment = &ep1["moments"][0];
    assert_eq!(moment["start"], 5.0);
    assert_eq!(moment["end"], 14.0);
    assert_eq!(
        moment["text"],
        "This week we had to pay down the tech debt before the launch, all of it."
    );
    assert_eq!(
        moment["highlights"],
        serde_json::json!([[33, 37], [38, 42]])
    );
    let ep2 = hits.iter().find(|h| h["id"] == "ep2").expect("ep2 found");
    assert!(ep2.get("moments").is_none(), "no transcript, no moments");
    // The summary's words weigh more than an hour of talk: ep2 first.
    assert_eq!(hits[0]["id"], "ep2");
}

#[test]
fn moments_count_speaker_and_language_are_chosen() {
    let ws = workspace();
    let count = |args: &[&str]| {
        let hits = json_lines(&ws.run(args).stdout);
        hits.iter()
            .map(|h| h.get("moments").map_or(0, |m| m.as_array().unwrap().len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&["search", "--json", "welcome week"]), [2]);
    assert_eq!(
        count(&["search", "--json", "--moments", "1", "welcome week"]),
        [1]
    );
    assert_eq!(
        count(&["search", "--json", "--moments", "0", "welcome week"]),
        [0]
    );
    let by_ben = json_lines(
        &ws.run(&["search", "--json", "--speaker", "ben", "welcome week"])
            .stdout,
    );
    assert_eq!(by_ben.len(), 1);
    let speakers: Vec<&str> = by_ben[0]["moments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["speaker"].as_str().unwrap())
        .collect();
    // "Welcome ... This week" is one moment, Ana's: Ben's are the other two.
    assert_eq!(speakers, ["Ben", "Ben"]);
    let r = ws.run(&["search", "--speaker", "Nobody", "welcome"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    // German stems reach the transcript: `Datenschutzes` finds `Datenschutz`.
    let de = json_lines(
        &ws.run(&["search", "--json", "--language", "de", "Datenschutz"])
            .stdout,
    );
    assert_eq!(de.len(), 1);
    assert_eq!(de[0]["id"], "de1");
    assert_eq!(de[0]["moments"][0]["speaker"], "Anna");
    assert_eq!(de[0]["moments"][0]["start"], 2.0);
    let stem = ws.run(&["search", "--json", "--language", "de-DE", "Datenschutzes"]);
    assert_eq!(json_lines(&stem.stdout)[0]["id"], "de1");
    let r = ws.run(&["search", "--language", "en", "Datenschutz"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}

#[test]
fn chinese_is_found_by_its_words_in_every_field() {
    let ws = Workspace::new();
    ws.write(
        "zh.srt",
        "1\n00:01:00,000 --> 00:01:04,000\n我们聊聊人工智能的发展\n",
    );
    ws.write(
        "zh.jsonl",
        r#"{"id":"zh1","title":"后互联网时代的乱谈","summary":"今天我们讨论科技创新和互联网公司的未来","transcript":"zh.srt"}"#,
    );
    assert_eq!(ws.run(&["index", "zh.jsonl"]).code, 0);
    for query in ["互联网", "科技创新", "创新", "人工智能"] {
        let r = ws.run(&["search", query]);
        assert_eq!(r.code, 0, "{query} not found: {}", r.stderr);
        assert!(r.stdout.starts_with("1. "), "{query}: {}", r.stdout);
    }
    let r = ws.run(&["search", "互联网"]);
    assert!(
        r.stdout
            .contains("今天我们讨论科技创新和**互联网**公司的未来"),
        "{}",
        r.stdout
    );
    let r = ws.run(&["search", "人工智能"]);
    assert!(
        r.stdout.contains("     1:00  我们聊聊**人工智能**的发展"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_unreadable_transcript_is_named_and_its_episode_kept() {
    let ws = Workspace::new();
    ws.write("junk.vtt", [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0]);
    ws.write(
        "eps.jsonl",
        r#"{"id":"x","title":"Kept episode","summary":"Still searchable.","transcript":"junk.vtt"}"#,
    );
    let r = ws.run(&["index", "eps.jsonl"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("episearch: junk.vtt:1: not a transcript: binary data\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("1 linked transcript or chapters file unreadable"),
        "{}",
        r.stderr
    );
    let found = ws.run(&["search", "searchable"]);
    assert_eq!(found.code, 0);
    assert!(found.stdout.starts_with("1. Kept episode\n"));
}

#[test]
fn a_file_attached_by_hand_replaces_the_old_one_and_again_changes_nothing() {
    let ws = workspace();
    ws.write(
        "v2.srt",
        "1\n00:02:00,000 --> 00:02:03,000\nCara: Kubernetes operators, explained.\n",
    );
    let r = ws.run(&["index", "--episode", "ep1", "v2.srt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("attached: a transcript of 1 cues from v2.srt to ep1"),
        "{}",
        r.stderr
    );
    let hits = json_lines(&ws.run(&["search", "--json", "kubernetes"]).stdout);
    assert_eq!(hits[0]["moments"][0]["start"], 120.0);
    // The old transcript is gone: its words no longer find the episode.
    assert_eq!(ws.run(&["search", "billing"]).code, 1);
    let again = ws.run(&["index", "--episode", "ep1", "v2.srt"]);
    assert!(
        again.stderr.contains("unchanged: a transcript of 1 cues"),
        "{}",
        again.stderr
    );
    // Chapters by hand too; an unknown episode is an error.
    let r = ws.run(&["index", "--episode", "ep1", "talks/ep1-chapters.json"]);
    assert!(r.stderr.contains("unchanged: 3 chapters"), "{}", r.stderr);
    let r = ws.run(&["index", "--episode", "nope", "v2.srt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--episode nope: no episode with this id"),
        "{}",
        r.stderr
    );
    // Indexing the records again changes nothing: the same transcript is the same episode.
    let ws = workspace();
    let r = ws.run(&["index", "talks/episodes.jsonl"]);
    assert!(
        r.stderr.contains("0 added, 0 updated, 3 unchanged"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_feed_links_its_transcript_and_chapters() {
    let ws = Workspace::new();
    ws.write("t/ep.vtt", VTT);
    ws.write(
        "t/ep.srt",
        "1\n00:00:01,000 --> 00:00:02,000\nOnly the SRT says zebra.\n",
    );
    ws.write("t/chapters.json", CHAPTERS);
    ws.write(
        "t/feed.xml",
        r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Linked Show</title><podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
<item><title>Linked episode</title><guid>le-1</guid><description>Short notes.</description>
<link>https://example.org/le-1</link>
<podcast:transcript url="ep.srt" type="application/srt" language="en"/>
<podcast:transcript url="ep.vtt" type="text/vtt" language="en"/>
<podcast:chapters url="chapters.json" type="application/json+chapters"/>
</item></channel></rss>"#,
    );
    let r = ws.run(&["index", "t/feed.xml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits = json_lines(&ws.run(&["search", "--json", "billing"]).stdout);
    assert_eq!(hits[0]["id"], "le-1");
    assert_eq!(
        hits[0]["transcripts"],
        serde_json::json!([
            {"url": "ep.srt", "type": "application/srt", "language": "en"},
            {"url": "ep.vtt", "type": "text/vtt", "language": "en"}
        ])
    );
    assert_eq!(hits[0]["chapters_url"], "chapters.json");
    assert_eq!(
        hits[0]["moments"][0]["url"],
        "https://example.org/le-1#t=754"
    );
    // The richer VTT was read, not the SRT.
    assert_eq!(ws.run(&["search", "zebra"]).code, 1);
}

#[test]
fn real_transcripts_land_on_the_cue_where_the_words_are_said() {
    let Some(dir) = shared("transcripts") else {
        return;
    };
    let ws = Workspace::new();
    let record = |id: &str, title: &str, file: &str, language: &str| {
        serde_json::json!({
            "id": id, "title": title, "summary": "An episode.", "language": language,
            "url": format!("https://example.org/{id}"),
            "transcript": dir.join(file).display().to_string(),
        })
        .to_string()
    };
    let lines = [
        record("tp537", "Datastar", "talkpython-537-datastar.vtt", "en"),
        record("buzz-json", "Buzzcast", "buzzcast-9092843.json", "en"),
        record(
            "lnp232",
            "LNP232",
            "lnp232-logbuch-netzpolitik-de.html",
            "de",
        ),
        record("pie145", "PIE 145", "pie-ep145-zh.srt", "zh"),
        record("kde16", "KDE Express", "kde-express-16-es.vtt", "es"),
    ];
    ws.write("real.jsonl", lines.join("\n"));
    let r = ws.run(&["index", "real.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first_moment = |query: &str| {
        let hits = json_lines(
            &ws.run(&["search", "--json", "--moments", "1", query])
                .stdout,
        );
        assert!(!hits.is_empty(), "{query}: nothing found");
        (
            hits[0]["id"].as_str().unwrap().to_string(),
            hits[0]["moments"][0].clone(),
        )
    };
    let (id, m) = first_moment("11-kilobyte framework");
    assert_eq!(id, "tp537");
    assert_eq!(m["speaker"], "Michael Kennedy");
    assert!(
        m["text"]
            .as_str()
            .unwrap()
            .contains("11-kilobyte framework"),
        "{m}"
    );
    let (id, m) = first_moment("böse Kleber");
    assert_eq!(
        (id.as_str(), m["speaker"].as_str()),
        ("lnp232", Some("Thomas Lohninger"))
    );
    let (id, _) = first_moment("KDE");
    assert_eq!(id, "kde16");
}

/// The VTT's words as a Podcasting 2.0 JSON transcript: the richer format, with one word the
/// VTT does not say (`okapi`).
const JSON_TRANSCRIPT: &str = r#"{"version":"1.0.0","segments":[
 {"speaker":"Ana","startTime":1,"endTime":5,"body":"Welcome back to the show about building software."},
 {"speaker":"Ana","startTime":754.2,"endTime":761,"body":"Refactoring the billing module was worth it."},
 {"speaker":"Ben","startTime":1800,"endTime":1805,"body":"An okapi walked past the studio."}]}"#;

/// An item of `linked_feed`: guid, description, transcript links (url, type), chapters link.
type LinkedItem<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], Option<&'a str>);

/// A feed of one show whose items link transcripts and chapters.
fn linked_feed(items: &[LinkedItem<'_>]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"><channel><title>Linked Show</title>\n",
    );
    for (guid, description, transcripts, chapters) in items {
        out.push_str(&format!(
            "<item><title>Episode {guid}</title><guid>{guid}</guid><link>https://example.org/{guid}</link><description>{description}</description>\n"
        ));
        for (url, kind) in *transcripts {
            out.push_str(&format!(
                "<podcast:transcript url=\"{url}\" type=\"{kind}\" language=\"en\"/>\n"
            ));
        }
        if let Some(url) = chapters {
            out.push_str(&format!(
                "<podcast:chapters url=\"{url}\" type=\"application/json+chapters\"/>\n"
            ));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel></rss>\n");
    out
}

/// The first moment of the first hit for `query`, with the hit's id.
fn first_moment(ws: &Workspace, query: &str) -> (String, serde_json::Value) {
    let r = ws.run(&["search", "--json", query]);
    assert_eq!(r.code, 0, "{query}: {}", r.stderr);
    let hits = json_lines(&r.stdout);
    (
        hits[0]["id"].as_str().unwrap().to_string(),
        hits[0]["moments"][0].clone(),
    )
}

#[test]
fn a_feed_by_url_has_its_linked_transcript_and_chapters_fetched_the_richest_format_only() {
    let server = FeedServer::start();
    server.route("/t/ep1.vtt", Mode::Feed, VTT.into(), "text/vtt");
    server.route(
        "/t/ep1.json",
        Mode::Feed,
        JSON_TRANSCRIPT.into(),
        "application/json",
    );
    server.route(
        "/t/chapters.json",
        Mode::Feed,
        CHAPTERS.into(),
        "application/json+chapters",
    );
    let (vtt, json) = (server.url("/t/ep1.vtt"), server.url("/t/ep1.json"));
    // The chapters link is relative: a file of the feed's server.
    server.feed(
        "/feed.xml",
        linked_feed(&[(
            "ep1",
            "Short notes.",
            &[(&vtt, "text/vtt"), (&json, "application/json")],
            Some("t/chapters.json"),
        )]),
    );
    let ws = Workspace::new();
    let r = ws.run(&["index", &server.url("/feed.xml")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("indexed 1 files: 1 added, 0 updated"),
        "{}",
        r.stderr
    );
    // Words said only in the transcript find the episode, at the moment and in the chapter.
    let hits = json_lines(&ws.run(&["search", "--json", "billing"]).stdout);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "ep1");
    let moment = &hits[0]["moments"][0];
    assert_eq!(moment["start"], 754.2);
    assert_eq!(moment["speaker"], "Ana");
    assert_eq!(moment["chapter"], "Refactoring war stories");
    assert_eq!(moment["url"], "https://example.org/ep1#t=754");
    assert_eq!(hits[0]["chapters_url"], server.url("/t/chapters.json"));
    // The JSON is the richer format: it was read (its own word finds the episode) and the
    // VTT never asked for.
    assert_eq!(first_moment(&ws, "okapi").1["start"], 1800.0);
    assert_eq!(server.hits("/t/ep1.json").full, 1);
    assert_eq!(server.hits("/t/chapters.json").full, 1);
    assert_eq!(server.hits("/t/ep1.vtt").all, 0);
}

#[test]
fn a_linked_transcript_that_cannot_be_fetched_is_named_and_its_episode_kept() {
    let server = FeedServer::start();
    server.route("/t/slow.vtt", Mode::Slow, VTT.into(), "text/vtt");
    let (gone, slow) = (server.url("/t/gone.vtt"), server.url("/t/slow.vtt"));
    // A port nobody listens on: refused, and not tried again for the next episode.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let (dead1, dead2) = (
        format!("http://{dead}/t/ep3.vtt"),
        format!("http://{dead}/t/ep4.vtt"),
    );
    server.feed(
        "/feed.xml",
        linked_feed(&[
            (
                "ep1",
                "Kept without its transcript.",
                &[(&gone, "text/vtt")],
                None,
            ),
            ("ep2", "Kept as well.", &[(&slow, "text/vtt")], None),
            ("ep3", "Kept, third.", &[(&dead1, "text/vtt")], None),
            ("ep4", "Kept, fourth.", &[(&dead2, "text/vtt")], None),
        ]),
    );
    let ws = Workspace::new();
    let r = ws.run(&["index", "--timeout", "1s", &server.url("/feed.xml")]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..4],
        [
            format!("episearch: {gone}: HTTP 404 Not Found"),
            format!("episearch: {slow}: timed out after 1 s"),
            format!("episearch: {dead1}: connection refused"),
            format!("episearch: {dead2}: not fetched: {dead} could not be reached earlier in this run (connection refused)"),
        ]
    );
    assert_eq!(lines.len(), 5, "{}", r.stderr);
    assert!(
        lines[4].starts_with("indexed 1 files: 4 added, 0 updated, 0 unchanged, 0 skipped")
            && lines[4].ends_with("; 4 linked transcript or chapters files unreadable"),
        "{}",
        r.stderr
    );
    let hits = json_lines(&ws.run(&["search", "--json", "kept"]).stdout);
    assert_eq!(hits.len(), 4);
    assert!(hits.iter().all(|h| h.get("moments").is_none()));
    // The feed itself was fine.
    let r = ws.run(&["sources", "--json"]);
    assert_eq!(json_lines(&r.stdout)[0]["status"], "ok");
}

#[test]
fn a_record_file_linking_a_transcript_by_url_has_it_fetched_when_asked() {
    let server = FeedServer::start();
    server.route("/t/ep1.vtt", Mode::Feed, VTT.into(), "text/vtt");
    server.route(
        "/t/chapters.json",
        Mode::Feed,
        CHAPTERS.into(),
        "application/json+chapters",
    );
    let record = serde_json::json!({
        "id": "ep1", "podcast": "Build Log", "title": "Episode one",
        "summary": "A chat about shipping.", "url": "https://example.org/ep1",
        "transcript": server.url("/t/ep1.vtt"), "chapters": server.url("/t/chapters.json"),
    });
    let ws = Workspace::new();
    ws.write("eps.jsonl", format!("{record}\n"));
    // A local file's links are not fetched unless asked for; the closing line says so.
    let r = ws.run(&["index", "eps.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .trim_end()
            .ends_with("; 2 links by URL not fetched (--fetch-links always fetches them)"),
        "{}",
        r.stderr
    );
    assert_eq!(server.total_hits().all, 0);
    assert_eq!(ws.run(&["search", "billing"]).code, 1);

    let r = ws.run(&["index", "--fetch-links", "always", "eps.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("indexed 1 files: 0 added, 1 updated"),
        "{}",
        r.stderr
    );
    let (id, moment) = first_moment(&ws, "billing");
    assert_eq!(id, "ep1");
    assert_eq!(moment["start"], 754.2);
    assert_eq!(moment["chapter"], "Refactoring war stories");
    assert_eq!(server.hits("/t/ep1.vtt").full, 1);
    assert_eq!(server.hits("/t/chapters.json").full, 1);
}

#[test]
fn refresh_fetches_a_transcript_again_only_when_its_link_changed() {
    let server = FeedServer::start();
    server.route(
        "/t/a.vtt",
        Mode::Feed,
        "WEBVTT\n\n00:01:00.000 --> 00:01:04.000\n<v Ana>A zebra crossed the road.\n".into(),
        "text/vtt",
    );
    server.route(
        "/t/b.vtt",
        Mode::Feed,
        "WEBVTT\n\n00:02:00.000 --> 00:02:04.000\n<v Ana>A walrus sat on the rock.\n".into(),
        "text/vtt",
    );
    server.route(
        "/t/chapters.json",
        Mode::Feed,
        CHAPTERS.into(),
        "application/json+chapters",
    );
    let (a, b) = (server.url("/t/a.vtt"), server.url("/t/b.vtt"));
    let chapters = server.url("/t/chapters.json");
    let feed = |description: &str, transcript: &str| {
        linked_feed(&[(
            "ep1",
            description,
            &[(transcript, "text/vtt")],
            Some(&chapters),
        )])
    };
    server.feed("/feed.xml", feed("Short notes.", &a));
    let ws = Workspace::new();
    assert_eq!(ws.run(&["index", &server.url("/feed.xml")]).code, 0);
    assert_eq!(first_moment(&ws, "zebra").1["start"], 60.0);
    let fetched = |path: &str| server.hits(path).all;
    assert_eq!((fetched("/t/a.vtt"), fetched("/t/chapters.json")), (1, 1));

    // The feed unchanged: one 304, no transcript asked for.
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("refreshed 1 sources: 1 not modified"),
        "{}",
        r.stderr
    );
    assert_eq!((fetched("/t/a.vtt"), fetched("/t/chapters.json")), (1, 1));

    // The feed changed, the links not: the episode is updated, its transcript kept unfetched.
    server.feed(
        "/feed.xml",
        feed("Longer notes about the zoo and its keepers.", &a),
    );
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "refreshed 1 sources: 0 not modified, 0 failed; 0 added, 1 updated, 0 unchanged in "
        ),
        "{}",
        r.stderr
    );
    assert_eq!((fetched("/t/a.vtt"), fetched("/t/chapters.json")), (1, 1));
    assert_eq!(first_moment(&ws, "keepers").0, "ep1");
    assert_eq!(first_moment(&ws, "zebra").1["start"], 60.0);
    // Indexing the feed's URL again (no conditional GET) fetches no transcript either.
    let r = ws.run(&["index", &server.url("/feed.xml")]);
    assert!(
        r.stderr
            .starts_with("indexed 1 files: 0 added, 0 updated, 1 unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!((fetched("/t/a.vtt"), fetched("/t/chapters.json")), (1, 1));

    // A new transcript link: fetched, and its transcript replaces the old one.
    server.feed(
        "/feed.xml",
        feed("Longer notes about the zoo and its keepers.", &b),
    );
    let r = ws.run(&["refresh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        (
            fetched("/t/a.vtt"),
            fetched("/t/b.vtt"),
            fetched("/t/chapters.json")
        ),
        (1, 1, 1)
    );
    assert_eq!(first_moment(&ws, "walrus").1["start"], 120.0);
    assert_eq!(ws.run(&["search", "zebra"]).code, 1);
}
