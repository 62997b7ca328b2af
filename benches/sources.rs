//! Live sources, side by side with the same bytes read from disk, in one run against the
//! tests' feed server on 127.0.0.1 (`tests/feed_server.rs`):
//! - 1,000 generated feeds of 50 items: first import by URL (an OPML list) and from a folder;
//!   `refresh` when none changed (1,000 conditional GETs, 1,000 304s); `refresh` when every
//!   feed gained an item and edited another, against `index` of the same changed files into
//!   a copy of the same index;
//! - the 17 shared feeds (`../shared/corpus/feeds`, skipped when absent) by URL and from disk.
//!
//! `cargo bench --bench sources [-- --runs N --feeds N]`; with `-- --test`, 20 feeds and 1 run.

#[allow(dead_code)]
#[path = "../tests/feed_server.rs"]
mod feed_server;

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use episearch::index::EpisodeIndex;
use episearch::sources::refresh::{self, SourceOptions, SourcesReport};

use feed_server::{rss_with, FeedServer};

fn main() {
    let test = common::test_mode();
    let runs: usize = common::arg("runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(if test { 1 } else { 3 });
    let feeds: usize = common::arg("feeds")
        .and_then(|r| r.parse().ok())
        .unwrap_or(if test { 20 } else { 1000 });
    let items = 50;
    let server = FeedServer::start();
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path();

    // The feeds, served and written to disk alike; `changed` gains an item and edits item 0.
    let body = |n: usize, changed: bool| {
        let name = format!("Generated show {n}");
        let count = if changed { items + 1 } else { items };
        rss_with(&name, count, |i| {
            (changed && i == 0).then(|| {
                format!("{name}, episode 0, rewritten at greater length: the hosts revisit their talk on gardening, compilers and weather")
            })
        })
    };
    let publish = |changed: bool, dir: &Path| {
        std::fs::create_dir_all(dir).unwrap();
        for n in 0..feeds {
            let text = body(n, changed);
            std::fs::write(dir.join(format!("f{n:04}.xml")), &text).unwrap();
            server.feed(&format!("/f{n:04}.xml"), text);
        }
    };
    let urls: Vec<String> = (0..feeds)
        .map(|n| server.url(&format!("/f{n:04}.xml")))
        .collect();
    let opml = root.join("feeds.opml");
    std::fs::write(&opml, opml_of(&urls)).unwrap();
    // The feeds alone: the shared feeds link chapters on the internet, which a measurement of
    // feeds (and a machine without a network) must not wait for.
    let options = SourceOptions {
        fetch_links: episearch::sources::refresh::FetchLinks::Never,
        ..SourceOptions::default()
    };

    println!("{feeds} feeds of {items} items, {runs} runs each, median (min..max):");
    let mut first_url = Vec::new();
    let mut first_disk = Vec::new();
    let mut unchanged = Vec::new();
    let mut changed_url = Vec::new();
    let mut changed_disk = Vec::new();
    for run in 0..runs {
        let old = root.join(format!("old-{run}"));
        publish(false, &old);
        let by_url = root.join(format!("url-{run}"));
        let (took, report) = time(|| index(&by_url, &[opml.display().to_string()], &options));
        assert!(
            report.ingest.failed.is_empty(),
            "{:?}",
            report.ingest.failed
        );
        assert_eq!(report.ingest.counts.added as usize, feeds * items);
        first_url.push(took);
        let from_disk = root.join(format!("disk-{run}"));
        first_disk.push(time(|| index(&from_disk, &[old.display().to_string()], &options)).0);

        let (took, report) = time(|| refresh_all(&by_url, &options));
        assert_eq!(report.not_modified as usize, feeds, "every feed a 304");
        unchanged.push(took);

        // The same change, by URL and from disk, each into its own copy of the same index.
        let new = root.join(format!("new-{run}"));
        publish(true, &new);
        let copy = root.join(format!("copy-{run}"));
        copy_dir(&by_url, &copy);
        let (took, report) = time(|| refresh_all(&by_url, &options));
        assert_eq!(report.ingest.counts.added as usize, feeds);
        assert_eq!(report.ingest.counts.updated as usize, feeds);
        changed_url.push(took);
        changed_disk.push(time(|| index(&copy, &[new.display().to_string()], &options)).0);
    }
    let row = |what: &str, samples: &mut Vec<Duration>| {
        println!("  {what:<58} {}", summary(samples));
        median(samples)
    };
    let a = row("first import, by URL (OPML)", &mut first_url);
    let b = row("first import, from disk (folder)", &mut first_disk);
    println!("  {:<58} {:.2}x", "  by URL / from disk", a / b);
    row(
        "refresh, none changed (conditional GETs, all 304)",
        &mut unchanged,
    );
    let a = row("refresh, every feed changed (by URL)", &mut changed_url);
    let b = row(
        "the same change from disk (index the changed files)",
        &mut changed_disk,
    );
    println!("  {:<58} {:.2}x", "  by URL / from disk", a / b);

    let Some(dir) = common::shared("feeds") else {
        println!("the 17 shared feeds: skipped (../shared/corpus/feeds not found)");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut shared_urls = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        server.feed(&format!("/shared/{name}"), std::fs::read(path).unwrap());
        shared_urls.push(server.url(&format!("/shared/{name}")));
    }
    let shared_opml = root.join("shared.opml");
    std::fs::write(&shared_opml, opml_of(&shared_urls)).unwrap();
    let (mut by_url, mut from_disk) = (Vec::new(), Vec::new());
    for run in 0..runs.max(3) {
        // Alternated, so neither side has the warmer cache throughout.
        let u = root.join(format!("shared-url-{run}"));
        by_url.push(time(|| index(&u, &[shared_opml.display().to_string()], &options)).0);
        let d = root.join(format!("shared-disk-{run}"));
        from_disk.push(time(|| index(&d, &[dir.display().to_string()], &options)).0);
    }
    println!("the {} shared feeds:", files.len());
    let a = row("by URL (OPML)", &mut by_url);
    let b = row("from disk (folder)", &mut from_disk);
    println!("  {:<58} {:.2}x", "  by URL / from disk", a / b);
}

fn index(dir: &Path, inputs: &[String], options: &SourceOptions) -> SourcesReport {
    let index = EpisodeIndex::open_or_create(dir).expect("index");
    refresh::index(&index, inputs, options, &|_| {}).expect("index sources")
}

fn refresh_all(dir: &Path, options: &SourceOptions) -> SourcesReport {
    let index = EpisodeIndex::open(dir).expect("index");
    refresh::refresh(&index, options, &|_| {}).expect("refresh")
}

fn time<T>(work: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let out = work();
    (started.elapsed(), out)
}

fn median(samples: &mut [Duration]) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64()
}

fn summary(samples: &mut [Duration]) -> String {
    let m = median(samples);
    format!(
        "{m:.2} s ({:.2}..{:.2})",
        samples[0].as_secs_f64(),
        samples[samples.len() - 1].as_secs_f64()
    )
}

fn opml_of(urls: &[String]) -> String {
    let feeds: Vec<episearch::ingest::opml::Outline> = urls
        .iter()
        .map(|u| episearch::ingest::opml::Outline {
            url: u.clone(),
            title: None,
        })
        .collect();
    episearch::ingest::opml::write("bench", &feeds)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
