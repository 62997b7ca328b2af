//! Faulty transcripts through the binary: malformed timings, a 50 MB file, binary junk named
//! `.vtt`, a cue of 100,000 characters, times past a day and below zero, junk spliced into a
//! good file. Each fault is one line naming the file, the line and why; nothing panics; every
//! episode stays searchable and every good cue keeps its moment.

use episearch::ingest::transcript::format_time;

use crate::util::{json_lines, Run, Workspace};

/// A good cue, the three ways a timing goes wrong, and a good cue after them.
const TIMINGS: &str = "WEBVTT

00:00:01.000 --> 00:00:02.000
The opening harpsichord plays.

00:0x:12.000 --> 00:00:13.000
A typo swallowed this marmoset.

00:00:20.000 --> 00:00:18.000
The backwards clock ticks.

00:00:30.000 00:00:32.000
An arrowless ocelot.

00:00:40.000 --> 00:00:41.000
The closing glockenspiel.
";

/// A day-long stream, and a start past the 100-hour limit.
const LATE: &str = "WEBVTT

25:00:00.000 --> 25:00:04.000
The marathon stream reaches dawn.

100:00:01.000 --> 100:00:02.000
Beyond the limit an albatross.
";

const NEGATIVE: &str = "WEBVTT

-00:00:05.000 --> 00:00:01.000
A prelude before zero.

00:00:06.000 --> 00:00:08.000
After the countdown.
";

/// UTF-8 with junk spliced in (NULs among it) and a Windows-1252 quote: damage, not binary.
const SPLICED: &[u8] = b"WEBVTT

00:00:01.000 --> 00:00:02.000
Caf\xc3\xa9 cr\xc3\xa8me for the narwhal.

\x00\xff\xfe\x01junk\x00

00:00:03.000 --> 00:00:04.000
It\x92s the okapi.
";

const GOOD: &str = "WEBVTT

00:00:07.250 --> 00:00:09.000
<v Ana>The zeppelin landed safely.
";

/// `HH:MM:SS.mmm` from milliseconds.
fn vtt_time(ms: u64) -> String {
    format_time(ms as f64 / 1000.0, '.')
}

/// A valid WebVTT file of at least `bytes` bytes, half-second cues, closing on a cue that says
/// "farewell aardvark"; with that cue's start in seconds.
fn big_vtt(bytes: usize) -> (String, f64) {
    use std::fmt::Write;
    let mut text = String::with_capacity(bytes + 200);
    text.push_str("WEBVTT\n\n");
    let mut ms = 0;
    while text.len() < bytes {
        let speaker = ms / 500 % 3;
        writeln!(
            text,
            "{} --> {}\n<v Speaker {speaker}>Word number {ms} and some more words to make a line.\n",
            vtt_time(ms),
            vtt_time(ms + 500)
        )
        .unwrap();
        ms += 500;
    }
    writeln!(
        text,
        "{} --> {}\nThe very last words: farewell aardvark.",
        vtt_time(ms),
        vtt_time(ms + 500)
    )
    .unwrap();
    (text, ms as f64 / 1000.0)
}

/// 4 KiB of pseudo-random bytes (NULs among them), the same every run.
fn junk() -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

/// One cue of exactly 100,000 characters: `quokka` at its start, `bandicoot` past the cap.
fn huge_vtt() -> String {
    let text = format!("quokka{} bandicoot", " lorem".repeat(16_664));
    assert_eq!(text.chars().count(), 100_000);
    format!("WEBVTT\n\n00:01:00.000 --> 00:01:10.000\n{text}\n")
}

/// Write one file of each kind under `dir` as `KIND.vtt`; the start of the 50 MB file's last
/// cue.
fn faulty_files(ws: &Workspace, dir: &str) -> f64 {
    let (big, last_start) = big_vtt(50_000_000);
    let files: [(&str, Vec<u8>); 8] = [
        ("good.vtt", GOOD.into()),
        ("timings.vtt", TIMINGS.into()),
        ("big.vtt", big.into_bytes()),
        ("junk.vtt", junk()),
        ("huge.vtt", huge_vtt().into_bytes()),
        ("late.vtt", LATE.into()),
        ("negative.vtt", NEGATIVE.into()),
        ("spliced.vtt", SPLICED.into()),
    ];
    for (name, bytes) in files {
        ws.write(&format!("{dir}/{name}"), bytes);
    }
    last_start
}

const KINDS: [&str; 8] = [
    "good", "timings", "big", "junk", "huge", "late", "negative", "spliced",
];

/// The first moment of the first hit for QUERY: (episode id, start, end, text).
fn first_moment(ws: &Workspace, query: &str) -> (String, f64, f64, String) {
    let r = ws.run(&["search", "--json", "--moments", "1", query]);
    assert_eq!(r.code, 0, "{query}: {}", r.stderr);
    let hits = json_lines(&r.stdout);
    let m = &hits[0]["moments"][0];
    (
        hits[0]["id"].as_str().unwrap().to_string(),
        m["start"].as_f64().unwrap(),
        m["end"].as_f64().unwrap(),
        m["text"].as_str().unwrap().to_string(),
    )
}

fn not_found(ws: &Workspace, query: &str) {
    let r = ws.run(&["search", query]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{query}");
}

fn no_panic(r: &Run) {
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn each_faulty_transcript_is_one_line_and_nothing_else_is_lost() {
    let ws = Workspace::new();
    let last_start = faulty_files(&ws, "t");
    let records: Vec<String> = KINDS
        .iter()
        .map(|kind| {
            serde_json::json!({
                "id": kind, "title": format!("Episode {kind}"),
                "summary": format!("Summary tag{kind}."), "transcript": format!("{kind}.vtt"),
            })
            .to_string()
        })
        .collect();
    ws.write("t/episodes.jsonl", records.join("\n"));
    let r = ws.run(&["index", "t/episodes.jsonl"]);
    no_panic(&r);
    assert_eq!(r.code, 1, "junk.vtt is unreadable: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[..lines.len() - 1],
        [
            "episearch: t/timings.vtt:6: bad timing \"00:0x:12.000 --> 00:00:13.000\"",
            "episearch: t/timings.vtt:9: end 00:00:18.000 before start 00:00:20.000; end set to start",
            "episearch: t/timings.vtt:12: bad timing \"00:00:30.000 00:00:32.000\": no \"-->\"",
            "episearch: t/junk.vtt:1: not a transcript: binary data",
            "episearch: t/huge.vtt:3: cue of 100000 characters cut to 10000",
            "episearch: t/late.vtt:6: start 100:00:01.000 past the 100-hour limit; cue dropped",
            "episearch: t/negative.vtt:3: negative time -00:00:05.000; cue dropped",
            "episearch: t/spliced.vtt:6: text outside a cue: \"ÿþjunk\"",
        ]
    );
    let summary = lines[lines.len() - 1];
    assert!(
        summary.starts_with("indexed 1 files: 8 added, 0 updated, 0 unchanged, 0 skipped in ")
            && summary.ends_with("; 1 linked transcript or chapters file unreadable"),
        "{summary}"
    );

    // Every episode is in, each found by its own summary word.
    let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
    assert_eq!(stats[0]["episodes"], 8);
    for kind in KINDS {
        let hits = json_lines(&ws.run(&["search", "--json", &format!("tag{kind}")]).stdout);
        assert_eq!(hits.len(), 1, "{kind}");
        assert_eq!(hits[0]["id"], kind);
    }

    // The good transcript, to the millisecond.
    let hits = json_lines(&ws.run(&["search", "--json", "zeppelin"]).stdout);
    assert_eq!(hits[0]["id"], "good");
    let moment = &hits[0]["moments"][0];
    assert_eq!(
        (moment["start"].as_f64(), moment["end"].as_f64()),
        (Some(7.25), Some(9.0))
    );
    assert_eq!(moment["speaker"], "Ana");
    assert_eq!(moment["text"], "The zeppelin landed safely.");

    // Malformed timings: the cues around them kept, the end-before-start cue set to its start,
    // only the cues whose timing could not be read lost.
    let at = |q: &str| first_moment(&ws, q);
    let timings =
        |start: f64, end: f64, text: &str| ("timings".to_string(), start, end, text.to_string());
    assert_eq!(
        at("harpsichord"),
        timings(1.0, 2.0, "The opening harpsichord plays.")
    );
    assert_eq!(
        at("backwards clock"),
        timings(20.0, 20.0, "The backwards clock ticks.")
    );
    assert_eq!(
        at("glockenspiel"),
        timings(40.0, 41.0, "The closing glockenspiel.")
    );
    not_found(&ws, "marmoset");
    not_found(&ws, "ocelot");

    // 50 MB is under the 64 MiB cap: read whole, its last words found at its last cue.
    let (id, start, end, text) = at("farewell aardvark");
    assert_eq!(id, "big");
    assert_eq!((start, end), (last_start, last_start + 0.5));
    assert_eq!(text, "The very last words: farewell aardvark.");

    // The huge cue is cut to its first 10,000 characters: the words before the cut are found
    // at the cue's time, the words after it are gone.
    let (id, start, _, text) = at("quokka");
    assert_eq!((id.as_str(), start), ("huge", 60.0));
    assert!(text.starts_with("quokka lorem lorem"), "{}", &text[..40]);
    not_found(&ws, "bandicoot");

    // Past a day is fine; past 100 hours is dropped.
    assert_eq!(
        at("marathon dawn"),
        (
            "late".to_string(),
            90_000.0,
            90_004.0,
            "The marathon stream reaches dawn.".to_string()
        )
    );
    not_found(&ws, "albatross");

    // A negative start drops its cue only.
    assert_eq!(
        at("countdown"),
        (
            "negative".to_string(),
            6.0,
            8.0,
            "After the countdown.".to_string()
        )
    );
    not_found(&ws, "prelude");

    // A few junk bytes and a stray Windows quote: the junk is one line, the cues around it are
    // kept with their accents and the quote.
    assert_eq!(
        at("crème"),
        (
            "spliced".to_string(),
            1.0,
            2.0,
            "Café crème for the narwhal.".to_string()
        )
    );
    assert_eq!(
        at("okapi"),
        (
            "spliced".to_string(),
            3.0,
            4.0,
            "It\u{2019}s the okapi.".to_string()
        )
    );
}

#[test]
fn a_faulty_file_attached_by_hand_is_one_line_and_the_episode_kept() {
    let ws = Workspace::new();
    ws.write("good.vtt", GOOD);
    ws.write("junk.vtt", junk());
    ws.write("timings.vtt", TIMINGS);
    ws.write("huge.vtt", huge_vtt());
    ws.write("late.vtt", LATE);
    ws.write("negative.vtt", NEGATIVE);
    // Files with no readable cue at all.
    ws.write(
        "all-late.vtt",
        "WEBVTT\n\n120:00:00.000 --> 120:00:01.000\nNever.\n",
    );
    ws.write(
        "all-negative.srt",
        "1\n-00:00:02,000 --> -00:00:01,000\nNever.\n",
    );
    ws.write(
        "eps.jsonl",
        r#"{"id":"host","title":"Host episode","summary":"Summary taghost.","transcript":"good.vtt"}"#,
    );
    assert_eq!(ws.run(&["index", "eps.jsonl"]).code, 0);
    let kept = |ws: &Workspace| {
        assert_eq!(
            first_moment(ws, "zeppelin"),
            (
                "host".to_string(),
                7.25,
                9.0,
                "The zeppelin landed safely.".to_string()
            )
        );
        let stats = json_lines(&ws.run(&["stats", "--json"]).stdout);
        assert_eq!(stats[0]["episodes"], 1);
    };

    // Unreadable: one line, exit 2, the episode and its transcript as they were.
    for (file, error) in [
        ("junk.vtt", "junk.vtt:1: not a transcript: binary data"),
        (
            "all-late.vtt",
            "all-late.vtt:3: no readable cues; first problem: start 120:00:00.000 past the 100-hour limit; cue dropped",
        ),
        (
            "all-negative.srt",
            "all-negative.srt:2: no readable cues; first problem: negative time -00:00:02.000; cue dropped",
        ),
    ] {
        let r = ws.run(&["index", "--episode", "host", file]);
        no_panic(&r);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert_eq!(r.stderr, format!("episearch: {error}\n"));
        kept(&ws);
    }

    // Readable with faults: attached, each fault a warning line, exit 0 as for `index` of
    // records (a warning is not a failure).
    let attach = |file: &str, warnings: &[&str], cues: usize| {
        let r = ws.run(&["index", "--episode", "host", file]);
        no_panic(&r);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        let mut want: Vec<String> = warnings
            .iter()
            .map(|w| format!("episearch: {file}:{w}"))
            .collect();
        want.push(format!(
            "attached: a transcript of {cues} cues from {file} to host"
        ));
        assert_eq!(r.stderr.lines().collect::<Vec<_>>(), want);
    };
    attach(
        "timings.vtt",
        &[
            "6: bad timing \"00:0x:12.000 --> 00:00:13.000\"",
            "9: end 00:00:18.000 before start 00:00:20.000; end set to start",
            "12: bad timing \"00:00:30.000 00:00:32.000\": no \"-->\"",
        ],
        3,
    );
    assert_eq!(first_moment(&ws, "glockenspiel").1, 40.0);
    not_found(&ws, "zeppelin");
    attach("huge.vtt", &["3: cue of 100000 characters cut to 10000"], 1);
    assert_eq!(first_moment(&ws, "quokka").1, 60.0);
    attach(
        "late.vtt",
        &["6: start 100:00:01.000 past the 100-hour limit; cue dropped"],
        1,
    );
    assert_eq!(first_moment(&ws, "marathon").1, 90_000.0);
    attach(
        "negative.vtt",
        &["3: negative time -00:00:05.000; cue dropped"],
        1,
    );
    assert_eq!(first_moment(&ws, "countdown").1, 6.0);
    let hits = json_lines(&ws.run(&["search", "--json", "taghost"]).stdout);
    assert_eq!((hits.len(), hits[0]["id"].as_str()), (1, Some("host")));
}
