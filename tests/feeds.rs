//! Feed ingestion over the real-world feeds in `../shared/corpus/feeds` (skipped when absent):
//! every item read, nothing of markup, entities or mojibake left, sample values exact.

use std::path::PathBuf;
use std::sync::OnceLock;

use episearch::episode::Episode;
use episearch::ingest::{feed, RecordError};

/// Items per file, from the corpus's MANIFEST.md.
const MANIFEST: [(&str, usize); 17] = [
    ("the-daily.xml", 845),
    ("80000-hours.xml", 101),
    ("canal-meia-horinha-ptbr-php-warnings.xml", 8),
    ("design-details.xml", 102),
    ("rtve-tiempo-de-valientes-es.xml", 6),
    ("deprogram-buzzsprout.xml", 385),
    ("reply-all-megaphone.xml", 187),
    ("linux-unplugged-fireside.xml", 384),
    ("ellinofreneia-el.xml", 6),
    ("sentimental-garbage-acast.xml", 138),
    ("cre-podlove-de.xml", 30),
    ("podcasting20-pc20rss.xml", 56),
    ("dw-langsam-gesprochene-nachrichten-de.xml", 59),
    ("javascript-air-podbean.xml", 8),
    ("street-fight-radio-soundcloud.xml", 500),
    ("anchorfm-1item.xml", 1),
    ("spreaker-1item-pl.xml", 1),
];

/// What one feed gave.
struct Ingested {
    file: &'static str,
    episodes: Vec<Episode>,
    errors: Vec<RecordError>,
}

/// Every corpus feed, read once for all tests; `None` when the corpus is not there.
fn corpus() -> Option<&'static [Ingested]> {
    static CORPUS: OnceLock<Option<Vec<Ingested>>> = OnceLock::new();
    let ingested = CORPUS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/feeds");
        if !dir.is_dir() {
            return None;
        }
        let read = |file: &'static str| {
            let bytes = std::fs::read(dir.join(file)).expect("corpus feed is readable");
            let mut episodes = Vec::new();
            let mut errors = Vec::new();
            feed::read(&bytes, &mut |r| {
                match r {
                    Ok(e) => episodes.push(e.normalise()),
                    Err(e) => errors.push(e),
                }
                Ok(())
            })
            .expect("the sink never fails");
            Ingested {
                file,
                episodes,
                errors,
            }
        };
        Some(MANIFEST.iter().map(|&(file, _)| read(file)).collect())
    });
    if ingested.is_none() {
        println!("skipping: ../shared/corpus/feeds not found");
    }
    ingested.as_deref()
}

fn episodes_of(file: &str) -> &'static [Episode] {
    let corpus = corpus().expect("corpus present");
    let found = corpus
        .iter()
        .find(|i| i.file == file)
        .expect("file in manifest");
    &found.episodes
}

#[test]
fn every_item_of_every_feed_is_ingested_without_errors() {
    let Some(corpus) = corpus() else { return };
    for (ingested, &(file, items)) in corpus.iter().zip(MANIFEST.iter()) {
        assert_eq!(ingested.episodes.len(), items, "{file}");
        assert!(ingested.errors.is_empty(), "{file}: {:?}", ingested.errors);
        assert!(
            ingested
                .episodes
                .iter()
                .all(|e| e.title.is_some() && e.podcast.is_some()),
            "{file}: an episode without title or podcast"
        );
    }
    let total: usize = corpus.iter().map(|i| i.episodes.len()).sum();
    assert_eq!(total, 2817);
}

/// What plain text must never hold: a tag, an entity reference, or UTF-8 read as Latin-1.
fn leftover(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    if bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
    {
        return Some("a tag");
    }
    if text.contains("&#") {
        return Some("a numeric reference");
    }
    let named = text.match_indices('&').any(|(at, _)| {
        let name = text[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        name > 0 && bytes.get(at + 1 + name) == Some(&b';')
    });
    if named {
        return Some("a named entity");
    }
    if text.contains('Ã') || text.contains("â€") || text.contains('\u{fffd}') {
        return Some("mojibake");
    }
    None
}

#[test]
fn no_markup_entities_or_mojibake_reach_the_text() {
    let Some(corpus) = corpus() else { return };
    for ingested in corpus {
        for e in &ingested.episodes {
            let fields = [
                ("podcast", &e.podcast),
                ("title", &e.title),
                ("summary", &e.summary),
                ("description", &e.description),
                ("overview", &e.overview),
            ];
            for (name, value) in fields {
                if let Some(problem) = value.as_deref().and_then(leftover) {
                    panic!(
                        "{}: {name} of {:?} holds {problem}: {value:?}",
                        ingested.file, e.title
                    );
                }
            }
        }
    }
}

#[test]
fn summaries_are_short_and_overviews_add_something() {
    let Some(corpus) = corpus() else { return };
    for ingested in corpus {
        for e in &ingested.episodes {
            if let Some(summary) = &e.summary {
                assert!(
                    summary.chars().count() <= 301,
                    "{}: {summary:?}",
                    ingested.file
                );
                assert!(!summary.contains('\n'), "{}: {summary:?}", ingested.file);
            }
            if let (Some(overview), Some(description)) = (&e.overview, &e.description) {
                assert_ne!(overview, description, "{}", ingested.file);
            }
        }
    }
}

/// The first item of each feed, looked up by hand in the XML: title, date, duration.
#[test]
fn first_item_of_every_feed_by_value() {
    if corpus().is_none() {
        return;
    }
    let expected: [(&str, &str, &str, Option<u64>); 17] = [
        (
            "the-daily.xml",
            "Gov. Andrew Cuomo: \u{2018}It\u{2019}s Making Sure We Live Through This.\u{2019}",
            "2020-03-18T09:52:39+00:00",
            Some(1852),
        ),
        (
            "80000-hours.xml",
            "#78 - Danny Hernandez on forecasting and the drivers of AI progress",
            "2020-05-22T16:17:00+00:00",
            Some(7896),
        ),
        (
            "canal-meia-horinha-ptbr-php-warnings.xml",
            "#7 \u{2013} Gerenciamento de Projetos \u{2013} Muito mais que uma certificação",
            "2017-06-08T23:09:12+00:00",
            Some(2555),
        ),
        (
            "design-details.xml",
            "100: Goldilocks Fidelity (feat. Daniel Burka)",
            "2016-02-01T13:00:00+00:00",
            Some(3932),
        ),
        (
            "rtve-tiempo-de-valientes-es.xml",
            "El Ministerio del Tiempo - Tiempo de valientes: capítulo 6",
            "2016-03-21T21:30:00+00:00",
            Some(148),
        ),
        (
            "deprogram-buzzsprout.xml",
            "Episode 220 - Epstein and Eugenics",
            "2026-02-13T11:00:00+00:00",
            Some(6803),
        ),
        (
            "reply-all-megaphone.xml",
            "#170 A Song of Impotent Rage",
            "2020-12-17T11:00:00+00:00",
            Some(2299),
        ),
        (
            "linux-unplugged-fireside.xml",
            "384: Born To Run Fedora",
            "2020-12-16T03:15:00+00:00",
            Some(3903),
        ),
        (
            "ellinofreneia-el.xml",
            "Η ρ_φ Ελληνοφρένεια της 27ης Μαρτίου 2018",
            "2018-03-27T11:11:02+00:00",
            Some(2257),
        ),
        (
            "sentimental-garbage-acast.xml",
            "Barbie with Jen Cownie",
            "2023-08-05T08:03:24+00:00",
            Some(3920),
        ),
        (
            "cre-podlove-de.xml",
            "CRE207 Planetarien",
            "2015-02-13T22:38:52+00:00",
            Some(5789),
        ),
        (
            "podcasting20-pc20rss.xml",
            "Episode 57: Rebel Rubes",
            "2021-10-08T18:55:32+00:00",
            None,
        ),
        (
            "dw-langsam-gesprochene-nachrichten-de.xml",
            "18.03.2022 \u{2013} Langsam gesprochene Nachrichten",
            "2022-03-18T09:46:00+00:00",
            Some(420),
        ),
        (
            "javascript-air-podbean.xml",
            "007 jsAir - Chakra, Microsoft\u{2019}s Open Source JavaScript Engine with Ed Maurer, \
             Gaurav Seth, and Steve Lucco",
            "2016-01-28T00:21:35+00:00",
            Some(3550),
        ),
        (
            "street-fight-radio-soundcloud.xml",
            "Now We're Cooking! - Tourgasm",
            "2023-01-05T13:00:21+00:00",
            Some(4761),
        ),
        (
            "anchorfm-1item.xml",
            "Advocating for our children",
            "2023-02-08T20:34:49+00:00",
            Some(2227),
        ),
        (
            "spreaker-1item-pl.xml",
            "Lwowska Fala odc. 78 Wrzesień 1939 | Radio Katowice",
            "2021-09-06T08:11:31+00:00",
            Some(3079),
        ),
    ];
    for (file, title, date, duration) in expected {
        let first = &episodes_of(file)[0];
        assert_eq!(first.title.as_deref(), Some(title), "{file}");
        assert_eq!(
            first.date.map(|d| d.to_rfc3339()).as_deref(),
            Some(date),
            "{file}"
        );
        assert_eq!(first.duration, duration, "{file}");
    }
}

#[test]
fn channel_language_and_title_reach_every_episode() {
    if corpus().is_none() {
        return;
    }
    let expected = [
        (
            "cre-podlove-de.xml",
            "de-de",
            "CRE: Technik, Kultur, Gesellschaft",
        ),
        ("ellinofreneia-el.xml", "el", "Ελληνοφρένεια"),
        (
            "dw-langsam-gesprochene-nachrichten-de.xml",
            "de",
            "Langsam gesprochene Nachrichten | Audios | DW Deutsch lernen",
        ),
        (
            "spreaker-1item-pl.xml",
            "pl",
            "Lwowska Fala | Radio Katowice",
        ),
        (
            "rtve-tiempo-de-valientes-es.xml",
            "es",
            "Tiempo de valientes. El diario de Julián Martínez",
        ),
        (
            "canal-meia-horinha-ptbr-php-warnings.xml",
            "pt-br",
            "Canal Meia Horinha",
        ),
        ("linux-unplugged-fireside.xml", "en-us", "LINUX Unplugged"),
        ("the-daily.xml", "en", "The Daily"),
    ];
    for (file, language, podcast) in expected {
        for e in episodes_of(file) {
            assert_eq!(e.language.as_deref(), Some(language), "{file}");
            assert_eq!(e.podcast.as_deref(), Some(podcast), "{file}");
        }
    }
}

#[test]
fn every_episode_has_an_identity_a_date_and_a_link() {
    let Some(corpus) = corpus() else { return };
    for ingested in corpus {
        for e in &ingested.episodes {
            assert!(e.id.is_some(), "{}: {:?} has no id", ingested.file, e.title);
            assert!(
                e.date.is_some(),
                "{}: {:?} has no date",
                ingested.file,
                e.title
            );
            assert!(
                e.url.is_some(),
                "{}: {:?} has no url",
                ingested.file,
                e.title
            );
        }
        let mut ids: Vec<_> = ingested.episodes.iter().map(|e| e.key()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            ids.len(),
            ingested.episodes.len(),
            "{}: duplicate ids",
            ingested.file
        );
    }
}
