//! What an episode links to, read: its transcript (the richest format it offers that can be
//! read) and its chapters, from a path beside the file that named them or from a URL.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::transcript::{pick_richest, read_chapters, read_transcript, TranscriptError, MAX_BYTES};
use crate::episode::{is_url, Episode, TranscriptLink};

/// Fetches a URL's body, or says in one line why it could not (`sources` gives one).
pub type Fetch<'a> = dyn Fn(&str) -> Result<Vec<u8>, String> + Send + Sync + 'a;

/// Something about a linked file the user should hear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `file:line: reason`, or `file: reason`; the link itself for one not fetched.
    pub message: String,
    pub kind: NoticeKind,
}

/// What a notice says of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Read with a fault, its good parts kept.
    Warning,
    /// Not read at all: its episode is indexed without it.
    Unreadable,
    /// A link by URL left unfetched, as asked (no fetcher): counted, not printed.
    NotFetched,
}

impl Notice {
    pub fn unreadable(message: String) -> Notice {
        Notice {
            message,
            kind: NoticeKind::Unreadable,
        }
    }
}

/// Read the transcript and chapters `episode` links to, unless it already holds them. Paths
/// are relative to `base` (the folder of the file that named them). URLs are read through
/// `fetch`; without it they stay links, read by nobody. `held` is the episode as the index
/// holds it: a URL it holds the transcript or the chapters from is not fetched again (only
/// links richer than the held one are tried), so a feed whose links did not change costs no
/// request; a path is read every time (a file on disk costs no request, and may have changed).
pub fn attach(
    episode: &mut Episode,
    base: Option<&Path>,
    fetch: Option<&Fetch>,
    held: Option<&Episode>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    let reachable = |link: &str| fetch.is_some() || !is_url(link);
    let unfetched = |link: &str| Notice {
        message: link.to_string(),
        kind: NoticeKind::NotFetched,
    };
    // Counted once an episode, when none of its transcript links can be read without fetching.
    if episode.transcript.is_none()
        && !episode.transcripts.is_empty()
        && episode.transcripts.iter().all(|l| !reachable(&l.url))
    {
        notices.push(unfetched(&episode.transcripts[0].url));
    }
    if let Some(url) = episode.chapters_url.as_deref().filter(|u| !reachable(u)) {
        if episode.chapters.is_empty() {
            notices.push(unfetched(url));
        }
    }
    let held_url = |from: Option<&String>| from.filter(|link| is_url(link)).cloned();
    let held_transcript = held_url(held.and_then(|h| h.transcript_from.as_ref()));
    let chapters_held = episode.chapters_url.is_some()
        && episode.chapters_url == held_url(held.and_then(|h| h.chapters_from.as_ref()));
    if episode.transcript.is_none() && !episode.transcripts.is_empty() {
        let mut left: Vec<TranscriptLink> = episode
            .transcripts
            .iter()
            .filter(|l| reachable(&l.url))
            .cloned()
            .collect();
        while let Some(best) = pick_richest(&left) {
            let link = left.remove(best);
            if held_transcript.as_deref() == Some(link.url.as_str()) {
                // No richer link could be read: the transcript held from this one stays.
                break;
            }
            let (name, bytes) = match load(&link.url, base, fetch) {
                Ok(loaded) => loaded,
                Err(message) => {
                    notices.push(Notice::unreadable(message));
                    continue;
                }
            };
            match read_transcript(&bytes, &name, link.kind.as_deref()) {
                Ok(parsed) => {
                    notices.extend(parsed.warnings.iter().map(|w| warning(&name, w)));
                    let mut transcript = parsed.value;
                    if transcript.language.is_none() {
                        transcript.language.clone_from(&link.language);
                    }
                    if episode.language.is_none() {
                        episode.language.clone_from(&transcript.language);
                    }
                    episode.transcript = Some(transcript);
                    episode.transcript_from = Some(link.url.clone());
                    // Chapters held from the chapters link are not replaced by the transcript's.
                    if episode.chapters.is_empty() && !chapters_held && !parsed.chapters.is_empty()
                    {
                        episode.chapters = parsed.chapters;
                        episode.chapters_from = Some(link.url);
                    }
                    break;
                }
                Err(e) => notices.push(Notice::unreadable(located(&name, &e))),
            }
        }
    }
    if let Some(url) = episode
        .chapters_url
        .clone()
        .filter(|u| reachable(u) && !chapters_held)
    {
        match load(&url, base, fetch) {
            Ok((name, bytes)) => match read_chapters(&bytes, &name) {
                Ok(parsed) => {
                    notices.extend(parsed.warnings.iter().map(|w| warning(&name, w)));
                    episode.chapters = parsed.value;
                    episode.chapters_from = Some(url);
                }
                Err(e) => notices.push(Notice::unreadable(located(&name, &e))),
            },
            Err(message) => notices.push(Notice::unreadable(message)),
        }
    }
    notices
}

/// Read one transcript or chapters file into `episode`, replacing what it held of that kind
/// (`index --episode ID FILE`): a Podcasting 2.0 chapters file is chapters, anything else a
/// transcript. The notices are the file's warnings; an error names the file and why.
pub fn attach_file(episode: &mut Episode, path: &Path) -> Result<(String, Vec<Notice>), String> {
    let (name, bytes) = load(&path.display().to_string(), None, None)?;
    if looks_like_chapters(&bytes) {
        let parsed = read_chapters(&bytes, &name).map_err(|e| located(&name, &e))?;
        let notices = parsed.warnings.iter().map(|w| warning(&name, w)).collect();
        let what = format!("{} chapters", parsed.value.len());
        episode.chapters = parsed.value;
        episode.chapters_from = None;
        return Ok((what, notices));
    }
    let parsed = read_transcript(&bytes, &name, None).map_err(|e| located(&name, &e))?;
    let notices = parsed.warnings.iter().map(|w| warning(&name, w)).collect();
    let what = format!("a transcript of {} cues", parsed.value.cues.len());
    if episode.language.is_none() {
        episode.language.clone_from(&parsed.value.language);
    }
    episode.transcript = Some(parsed.value);
    episode.transcript_from = None;
    if !parsed.chapters.is_empty() {
        episode.chapters = parsed.chapters;
        episode.chapters_from = None;
    }
    Ok((what, notices))
}

/// A JSON object with a `chapters` list and no `segments`.
fn looks_like_chapters(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && text.contains("\"chapters\"")
        && !text.contains("\"segments\"")
}

fn warning(name: &str, e: &TranscriptError) -> Notice {
    Notice {
        message: located(name, e),
        kind: NoticeKind::Warning,
    }
}

/// `name:line: reason`, or `name: reason` when the line is unknown.
fn located(name: &str, e: &TranscriptError) -> String {
    if e.line == 0 {
        format!("{name}: {}", e.reason)
    } else {
        format!("{name}:{}: {}", e.line, e.reason)
    }
}

/// The name to report and the bytes of a linked file.
fn load(
    link: &str,
    base: Option<&Path>,
    fetch: Option<&Fetch>,
) -> Result<(String, Vec<u8>), String> {
    let link = link.trim();
    if is_url(link) {
        return match fetch {
            Some(fetch) => fetch(link).map(|bytes| (link.to_string(), bytes)),
            None => Err(format!(
                "{link}: not fetched (a URL is read when fetching is on)"
            )),
        };
    }
    let path = PathBuf::from(link.strip_prefix("file://").unwrap_or(link));
    let path = match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    };
    let name = path.display().to_string();
    let file = std::fs::File::open(&path)
        .map_err(|e| format!("{name}: {}", crate::error::io_message(&e)))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {}", crate::error::io_message(&e)))?;
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "{name}: larger than {} MiB, not read",
            MAX_BYTES / (1024 * 1024)
        ));
    }
    Ok((name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(dir: &Path, files: &[(&str, &str)]) -> Episode {
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Episode {
            title: Some("t".into()),
            ..Episode::default()
        }
    }

    #[test]
    fn the_richest_readable_format_wins_and_paths_are_relative_to_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = linked(
            dir.path(),
            &[
                ("a.srt", "1\n00:00:01,000 --> 00:00:02,000\nFrom SRT\n"),
                (
                    "a.vtt",
                    "WEBVTT\n\n00:00:03.000 --> 00:00:04.000\n<v Ana>From VTT\n",
                ),
                (
                    "chapters.json",
                    r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"}]}"#,
                ),
            ],
        );
        e.transcripts = vec![
            TranscriptLink {
                url: "a.srt".into(),
                kind: Some("application/srt".into()),
                language: Some("en".into()),
            },
            TranscriptLink {
                url: "missing.json".into(),
                kind: Some("application/json".into()),
                language: None,
            },
            TranscriptLink {
                url: "a.vtt".into(),
                kind: Some("text/vtt".into()),
                language: Some("en".into()),
            },
        ];
        e.chapters_url = Some("chapters.json".into());
        let notices = attach(&mut e, Some(dir.path()), None, None);
        // The JSON is richest but missing: named, and the VTT read instead.
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind, NoticeKind::Unreadable);
        assert!(notices[0]
            .message
            .starts_with(&format!("{}: ", dir.path().join("missing.json").display())));
        let t = e.transcript.unwrap();
        assert_eq!(t.cues[0].text, "From VTT");
        assert_eq!(t.cues[0].speaker.as_deref(), Some("Ana"));
        assert_eq!(t.language.as_deref(), Some("en"));
        assert_eq!(e.language.as_deref(), Some("en"));
        assert_eq!(e.chapters[0].title, "Intro");
    }

    #[test]
    fn unreadable_files_and_urls_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = linked(dir.path(), &[("junk.vtt", "\u{0}\u{1}\u{2}binary")]);
        e.transcripts = vec![TranscriptLink {
            url: "junk.vtt".into(),
            ..TranscriptLink::default()
        }];
        e.chapters_url = Some("https://example.org/c.json".into());
        let notices = attach(&mut e, Some(dir.path()), None, None);
        // The URL is left alone without a fetcher: a link not fetched, not a failure.
        let (unfetched, named): (Vec<&Notice>, Vec<&Notice>) = notices
            .iter()
            .partition(|n| n.kind == NoticeKind::NotFetched);
        assert_eq!(unfetched.len(), 1, "{notices:?}");
        assert_eq!(unfetched[0].message, "https://example.org/c.json");
        assert_ne!(unfetched[0].kind, NoticeKind::Unreadable);
        let messages: Vec<&str> = named.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].starts_with(&format!("{}:", dir.path().join("junk.vtt").display())));
        assert!(e.transcript.is_none() && e.chapters.is_empty());
        let failing =
            |url: &str| -> Result<Vec<u8>, String> { Err(format!("{url}: HTTP 404 Not Found")) };
        let mut e = linked(dir.path(), &[]);
        e.chapters_url = Some("https://example.org/c.json".into());
        let notices = attach(&mut e, None, Some(&failing), None);
        assert_eq!(
            notices[0].message,
            "https://example.org/c.json: HTTP 404 Not Found"
        );
        let fetch = |url: &str| -> Result<Vec<u8>, String> {
            assert_eq!(url, "https://example.org/c.json");
            Ok(
                br#"{"version":"1.2.0","chapters":[{"startTime":12.5,"title":"Fetched"}]}"#
                    .to_vec(),
            )
        };
        let mut e = linked(dir.path(), &[]);
        e.chapters_url = Some("https://example.org/c.json".into());
        assert!(attach(&mut e, None, Some(&fetch), None).is_empty());
        assert_eq!(
            (e.chapters[0].start, e.chapters[0].title.as_str()),
            (12.5, "Fetched")
        );
    }

    /// A fetcher over a fixed set of URLs that records what it was asked for.
    fn server<'a>(
        files: &'a [(&'a str, &'a str)],
        asked: &'a std::sync::Mutex<Vec<String>>,
    ) -> impl Fn(&str) -> Result<Vec<u8>, String> + Send + Sync + 'a {
        move |url: &str| {
            asked.lock().unwrap().push(url.to_string());
            files
                .iter()
                .find(|(u, _)| *u == url)
                .map(|(_, body)| body.as_bytes().to_vec())
                .ok_or_else(|| format!("{url}: HTTP 404 Not Found"))
        }
    }

    fn link(url: &str, kind: &str) -> TranscriptLink {
        TranscriptLink {
            url: url.into(),
            kind: Some(kind.into()),
            language: None,
        }
    }

    #[test]
    fn a_url_the_index_holds_a_transcript_or_chapters_from_is_not_fetched_again() {
        const VTT: &str = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFrom VTT\n";
        const CHAPTERS: &str =
            r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"}]}"#;
        let files = [
            ("https://x/a.vtt", VTT),
            ("https://x/b.vtt", VTT),
            ("https://x/c.json", CHAPTERS),
        ];
        let asked = std::sync::Mutex::new(Vec::new());
        let fetch = server(&files, &asked);
        let linked = |links: Vec<TranscriptLink>| Episode {
            title: Some("t".into()),
            transcripts: links,
            chapters_url: Some("https://x/c.json".into()),
            ..Episode::default()
        };
        // First time: the transcript and chapters are fetched, and where they came from kept.
        let mut first = linked(vec![link("https://x/a.vtt", "text/vtt")]);
        assert!(attach(&mut first, None, Some(&fetch), None).is_empty());
        assert_eq!(first.transcript_from.as_deref(), Some("https://x/a.vtt"));
        assert_eq!(first.chapters_from.as_deref(), Some("https://x/c.json"));
        assert_eq!(asked.lock().unwrap().len(), 2);
        // The same links again: nothing is fetched, nothing is read into the new record.
        let mut again = linked(vec![link("https://x/a.vtt", "text/vtt")]);
        assert!(attach(&mut again, None, Some(&fetch), Some(&first)).is_empty());
        assert!(again.transcript.is_none() && again.chapters.is_empty());
        assert_eq!(asked.lock().unwrap().len(), 2);
        // A richer link that fails is tried (and named); the held one is not fetched again.
        let mut richer = linked(vec![
            link("https://x/a.vtt", "text/vtt"),
            link("https://x/a.json", "application/json"),
        ]);
        let notices = attach(&mut richer, None, Some(&fetch), Some(&first));
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].message, "https://x/a.json: HTTP 404 Not Found");
        assert!(richer.transcript.is_none());
        assert_eq!(
            *asked.lock().unwrap(),
            ["https://x/a.vtt", "https://x/c.json", "https://x/a.json"]
        );
        // A new link is fetched.
        let mut moved = linked(vec![link("https://x/b.vtt", "text/vtt")]);
        assert!(attach(&mut moved, None, Some(&fetch), Some(&first)).is_empty());
        assert_eq!(moved.transcript_from.as_deref(), Some("https://x/b.vtt"));
        assert_eq!(asked.lock().unwrap().last().unwrap(), "https://x/b.vtt");
    }
}
