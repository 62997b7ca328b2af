//! Tests over the real transcript files in `../shared/corpus/transcripts` (kept out of the
//! repository: the spoken words belong to the podcasters). Each test skips, saying so, when the
//! folder is absent. The facts asserted were read off the files by hand.

use std::path::PathBuf;

use crate::episode::{Chapter, Transcript};

use super::{read_chapters, read_transcript, Parsed};

fn corpus_file(name: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/transcripts"
    ))
    .join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!("skipped: {} not found", path.display());
            None
        }
    }
}

fn transcript(name: &str) -> Option<Parsed<Transcript>> {
    let bytes = corpus_file(name)?;
    match read_transcript(&bytes, name, None) {
        Ok(parsed) => Some(parsed),
        Err(e) => panic!("{name}:{e}"),
    }
}

fn first(t: &Transcript) -> (f64, Option<&str>, &str) {
    let c = &t.cues[0];
    (c.start, c.speaker.as_deref(), c.text.as_str())
}

#[test]
fn talkpython_537_voices_and_overlaps() {
    let Some(p) = transcript("talkpython-537-datastar.vtt") else {
        return;
    };
    let t = &p.value;
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(t.cues.len(), 1528);
    assert_eq!(
        first(t),
        (
            0.02,
            Some("Michael Kennedy"),
            "You love building web apps with Python, and HTMX got you excited about the hypermedia approach."
        )
    );
    assert_eq!(t.cues[0].end, 5.06);
    let overlapping: Vec<f64> = t
        .cues
        .windows(2)
        .filter(|w| w[1].start < w[0].end)
        .map(|w| w[1].start)
        .collect();
    assert_eq!(overlapping, [1714.82, 2113.24, 3063.92, 3504.38]);
    let mut speakers: Vec<&str> = t.cues.iter().filter_map(|c| c.speaker.as_deref()).collect();
    speakers.sort();
    speakers.dedup();
    assert_eq!(
        speakers,
        [
            "Ben Crocker",
            "Chris May",
            "Delaney Gillilan",
            "Michael Kennedy"
        ]
    );
    let last = t.cues.last().unwrap();
    assert_eq!(
        (last.start, last.speaker.as_deref(), last.text.as_str()),
        (4578.84, Some("Chris May"), "I'm out.")
    );
}

#[test]
fn talkpython_004_starts_at_a_millisecond() {
    let Some(p) = transcript("talkpython-004-enterprise-python.vtt") else {
        return;
    };
    assert_eq!(first(&p.value), (0.001, None, "Talk Python To Me."));
    assert_eq!(p.value.cues.len(), 694);
}

#[test]
fn podnews_non_conformant_timings() {
    let Some(daily) = transcript("podnews-daily-2024-01-25-badtiming.vtt") else {
        return;
    };
    assert!(daily.warnings.is_empty());
    assert_eq!(daily.value.cues.len(), 44);
    assert_eq!(first(&daily.value).0, 0.86);
    assert_eq!(first(&daily.value).1, Some("SPEAKER_1"));
    // `3:40.700 --> 3:44.080`: minutes without hours.
    assert!(daily
        .value
        .cues
        .iter()
        .any(|c| c.start == 220.7 && c.end == 224.08));
    let Some(weekly) = transcript("podnews-weekly-2024-01-19-badtiming.vtt") else {
        return;
    };
    assert!(weekly.warnings.is_empty());
    assert_eq!(weekly.value.cues.len(), 189);
    assert!(weekly
        .value
        .cues
        .iter()
        .any(|c| c.start == 4.24 && c.end == 6.6));
}

#[test]
fn spanish_cues_lose_their_leading_space() {
    let Some(p) = transcript("kde-express-16-es.vtt") else {
        return;
    };
    assert_eq!(p.value.cues.len(), 22);
    assert!(p.value.cues[0]
        .text
        .starts_with("Buenas, bienvenidas de vuelta a KDE Express."));
    assert!(p.value.cues[1].text.starts_with("versión movilidad"));
}

#[test]
fn srt_speakers_are_inherited_and_unknown_is_nobody() {
    let Some(p) = transcript("podcasting20-ep124-excerpt.srt") else {
        return;
    };
    let t = &p.value;
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(t.cues.len(), 646);
    let at = |start: f64| t.cues.iter().find(|c| c.start == start).unwrap();
    assert_eq!(
        first(t),
        (
            0.78,
            Some("Adam Curry"),
            "podcasting 2.0 March 4 2023 Episode 124 on D flat"
        )
    );
    assert_eq!(at(6.21).speaker.as_deref(), Some("Adam Curry"));
    assert_eq!(
        (at(41.34).speaker.as_deref(), at(41.34).text.as_str()),
        (None, "Adam Clark curry. Yes.")
    );
    assert_eq!(
        (at(44.79).speaker.as_deref(), at(44.79).text.as_str()),
        (Some("Dave Jones"), "Don't for one day. Party.")
    );
    assert_eq!(at(50.46).speaker.as_deref(), Some("Adam Curry"));
}

#[test]
fn chinese_srt_of_two_hours_twenty_three() {
    let Some(p) = transcript("pie-ep145-zh.srt") else {
        return;
    };
    let t = &p.value;
    assert_eq!(t.cues.len(), 3053);
    assert_eq!(first(t), (0.09, None, "各位朋友大家好"));
    let last = t.cues.last().unwrap();
    assert_eq!(
        (last.start, last.text.as_str()),
        (2.0 * 3600.0 + 23.0 * 60.0 + 27.19, "拜拜")
    );
}

#[test]
fn german_turns_speakers_umlauts_and_headings() {
    let Some(p) = transcript("lnp232-logbuch-netzpolitik-de.html") else {
        return;
    };
    let t = &p.value;
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert!(t.timed);
    // 682 `playAt` paragraphs (the 683rd `playAt` is the script), one of them empty.
    assert_eq!(t.cues.len(), 681);
    assert_eq!(first(t), (0.0, Some("Tim Pritlove"), "Guten Morgen Thomas"));
    assert_eq!(
        (t.cues[1].start, t.cues[1].speaker.as_deref()),
        (2.0, Some("Thomas Lohninger"))
    );
    assert!(t
        .cues
        .iter()
        .any(|c| c.text == "Sondern ich begrüße Thomas Lohninger."));
    let last = t.cues.last().unwrap();
    assert_eq!(
        (last.start, last.text.as_str()),
        (4654.0, "an alle Hörer, bis bald.")
    );
    let mut speakers: Vec<&str> = t.cues.iter().filter_map(|c| c.speaker.as_deref()).collect();
    speakers.sort();
    speakers.dedup();
    assert_eq!(speakers, ["Thomas Lohninger", "Tim Pritlove"]);
    let titles: Vec<&str> = p.chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Intro",
            "Prolog",
            "Wahl in Österreich",
            "Wahlen aus netzpolitischer Perspektive",
            "Bundesnetzagentur zu StreamOn",
            "Netzneutralitäts-Meßtool",
            "Save The Meme",
            "Termine",
            "Epilog"
        ]
    );
    assert_eq!((p.chapters[1].start, p.chapters[0].start), (25.0, 0.0));
}

#[test]
fn podcasting_20_html() {
    let Some(p) = transcript("buzzcast-9092843.html") else {
        return;
    };
    assert!(first(&p.value)
        .2
        .starts_with("It is so stinking nice to like, show up"));
    assert_eq!((first(&p.value).0, first(&p.value).1), (0.0, Some("Alban")));
    assert_eq!(
        (p.value.cues[1].start, p.value.cues[1].speaker.as_deref()),
        (30.0, Some("Kevin"))
    );
    assert_eq!(p.value.cues[0].end, 30.0);
    let Some(p) = transcript("buzzsprout-10things-spec-example.html") else {
        return;
    };
    assert!(first(&p.value)
        .2
        .starts_with("When you first get started in podcasting, it's almost guaranteed"));
    assert_eq!(p.value.cues[1].speaker.as_deref(), Some("Sarah"));
    let Some(p) = transcript("podnews-weekly-2023-03-17.html") else {
        return;
    };
    assert_eq!((first(&p.value).0, first(&p.value).1), (0.0, None));
    assert_eq!(
        (p.value.cues[1].start, p.value.cues[1].speaker.as_deref()),
        (67.0, Some("Norma-Jean Belenky"))
    );
}

#[test]
fn json_split_captions_and_word_level() {
    let Some(p) = transcript("buzzcast-9092843.json") else {
        return;
    };
    assert_eq!(
        first(&p.value),
        (
            0.0,
            Some("Alban"),
            "It is so stinking nice to like, show up and record this"
        )
    );
    let Some(p) = transcript("podnews-weekly-2023-06-02-wordlevel.json") else {
        return;
    };
    assert_eq!(
        first(&p.value),
        (
            0.221,
            Some("Speaker 1"),
            "It's Friday, the 2nd of June 2023."
        )
    );
    let Some(p) = transcript("buzzsprout-how-to-start-wordlevel.json") else {
        return;
    };
    assert_eq!(
        first(&p.value),
        (0.3, Some("Travis"), "Hey, Travis Albritain here.")
    );
    assert!(p.value.cues.iter().all(|c| c.end - c.start <= 8.0 + 1e-9));
}

#[test]
fn the_buzzcast_srt_agrees_with_its_json() {
    let Some(p) = transcript("buzzcast-9092843.srt") else {
        return;
    };
    assert_eq!(
        first(&p.value),
        (
            0.0,
            Some("Alban"),
            "It is so stinking nice to like, show up and record this"
        )
    );
    assert_eq!(p.value.cues.len(), 488);
}

#[test]
fn norwegian_chapters_keep_hidden_ones() {
    let Some(bytes) = corpus_file("cdspill-outrun-chapters-no.json") else {
        return;
    };
    let p = read_chapters(&bytes, "cdspill-outrun-chapters-no.json").unwrap();
    assert!(p.warnings.is_empty());
    let chapters: &[Chapter] = &p.value;
    assert_eq!(chapters.len(), 57);
    assert_eq!(
        (chapters[1].start, chapters[1].title.as_str()),
        (41.97, "Velkommen til cd SPILL")
    );
    assert_eq!(chapters.iter().filter(|c| c.url.is_some()).count(), 6);
    assert!(chapters
        .iter()
        .any(|c| c.title == "Vineyard" && c.start == 2024.502));
    assert_eq!(
        chapters.last().map(|c| (c.start, c.title.as_str())),
        Some((5579.617, "Neste episode"))
    );
}
