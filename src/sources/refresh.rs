//! Bringing sources into the index: the inputs given to `index` (URLs, paths, OPML lists,
//! standard input) and `refresh` of every remembered source. URLs are fetched several at a
//! time on a bounded pool of threads (a conditional GET when validators are known) and parsed
//! there; paths are read in order on one thread, only when their size or time changed; the
//! index's one writer takes the episodes as they come. Each source's new validators and keys
//! join the list only in the commit that holds its episodes.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::UNIX_EPOCH;

use chrono::Utc;

use crate::episode::Episode;
use crate::error::{Error, Result};
use crate::index::indexer::{EpisodeIndex, WriteOptions};
use crate::index::pipeline::{
    self, Event, Finished, IngestOptions, IngestReport, Input, Linking, Remember,
};
use crate::ingest::attach::{Fetch, Notice};
use crate::ingest::{self, collect_sources, opml, Detected, FieldMap, Format, Source};

use super::fetch::{host, join, size, FetchOptions, Fetched, Fetcher, Validators};
use super::store::{is_url, SourceList};

/// Whose links to transcripts and chapters by URL are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchLinks {
    /// Those of feeds fetched by URL.
    Remote,
    /// Those of local feeds and records too.
    Always,
    Never,
}

/// How sources are fetched and written.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    pub fetch: FetchOptions,
    /// Feeds fetched at once (`--jobs`).
    pub jobs: usize,
    /// Whose links to transcripts and chapters by URL are fetched (`--fetch-links`).
    pub fetch_links: FetchLinks,
    pub ingest: IngestOptions,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            fetch: FetchOptions::default(),
            jobs: 8,
            fetch_links: FetchLinks::Remote,
            ingest: IngestOptions::default(),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct SourcesReport {
    pub ingest: IngestReport,
    /// Sources looked at.
    pub sources: u64,
    /// Sources unchanged since the last time (a 304, or a path of the same size and time).
    pub not_modified: u64,
}

/// Something to tell the user while sources are brought in.
pub enum Progress {
    /// How many sources this run looks at.
    Total(u64),
    /// One more is done.
    SourceDone,
    /// The ingest's own events (bad records, records read).
    Ingest(Event),
}

/// What one remembered source asks of this run.
enum Task {
    Fetch {
        at: usize,
        url: String,
        validators: Option<Validators>,
    },
    Local {
        at: usize,
        path: PathBuf,
        /// Read even if its size and time did not change (it was named to `index`).
        always: bool,
    },
    Stdin,
}

/// What a finished source sets in the list, held until its episodes are written.
#[derive(Default, Clone)]
struct Pending {
    etag: Option<String>,
    last_modified: Option<String>,
    fingerprint: Option<(u64, i128)>,
}

/// Index what the user named: each URL, path and OPML list's feed becomes a remembered
/// source; `-` reads standard input (not remembered).
pub fn index(
    index: &EpisodeIndex,
    inputs: &[String],
    options: &SourceOptions,
    on_progress: &(dyn Fn(Progress) + Sync),
) -> Result<SourcesReport> {
    let mut list = SourceList::load(index)?;
    let mut tasks = Vec::new();
    let mut failed = Vec::new();
    for input in inputs {
        if input == "-" {
            tasks.push(Task::Stdin);
        } else if is_url(input) {
            let at = list.entry(input);
            tasks.push(fetch_task(&list, at, false));
        } else {
            let path = Path::new(input);
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            if meta.is_file() && is_opml(path) {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                match opml::parse(&bytes, input) {
                    Ok(feeds) => {
                        for feed in feeds {
                            let at = list.entry(&feed.url);
                            if list.sources[at].podcast.is_none() {
                                list.sources[at].podcast = feed.title;
                            }
                            tasks.push(fetch_task(&list, at, false));
                        }
                    }
                    Err(e) => failed.push(e.to_string()),
                }
                continue;
            }
            let absolute = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
            let at = list.entry(&absolute.display().to_string());
            tasks.push(Task::Local {
                at,
                path: PathBuf::from(input),
                always: true,
            });
        }
    }
    let mut report = run(index, list, tasks, options, on_progress)?;
    report.ingest.bad_records += failed.len() as u64;
    failed.append(&mut report.ingest.failed);
    report.ingest.failed = failed;
    Ok(report)
}

/// Bring every remembered source up to date: a conditional GET for URLs, a read of paths whose
/// size or time changed.
pub fn refresh(
    index: &EpisodeIndex,
    options: &SourceOptions,
    on_progress: &(dyn Fn(Progress) + Sync),
) -> Result<SourcesReport> {
    let list = SourceList::load(index)?;
    let tasks = (0..list.sources.len())
        .map(|at| {
            if list.sources[at].is_url() {
                fetch_task(&list, at, true)
            } else {
                Task::Local {
                    at,
                    path: PathBuf::from(&list.sources[at].source),
                    always: false,
                }
            }
        })
        .collect();
    run(index, list, tasks, options, on_progress)
}

/// A fetch of the source at `at`, conditional when asked and validators are known.
fn fetch_task(list: &SourceList, at: usize, conditional: bool) -> Task {
    let source = &list.sources[at];
    let validators = Validators {
        etag: source.etag.clone(),
        last_modified: source.last_modified.clone(),
    };
    let known = validators.etag.is_some() || validators.last_modified.is_some();
    Task::Fetch {
        at,
        url: source.source.clone(),
        validators: (conditional && known).then_some(validators),
    }
}

/// True when the file at `path` holds an OPML list (by its content, as every format is known).
fn is_opml(path: &Path) -> bool {
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    read.is_ok() && ingest::detect(&head, Some(path)) == Detected::Format(Format::Opml)
}

/// The state the writer's thread and the readers share.
struct Shared<'a> {
    list: &'a Mutex<SourceList>,
    pending: Mutex<Vec<Option<Pending>>>,
    not_modified: AtomicU64,
    on_progress: &'a (dyn Fn(Progress) + Sync),
}

impl Shared<'_> {
    fn lock(&self) -> MutexGuard<'_, SourceList> {
        lock(self.list)
    }

    /// A source found unchanged: only its status and time change (no episode depends on it).
    fn unchanged(&self, at: usize) {
        let mut list = self.lock();
        let source = &mut list.sources[at];
        source.status = "not modified".into();
        source.last_fetch = Some(Utc::now());
        drop(list);
        self.not_modified.fetch_add(1, Ordering::Relaxed);
        (self.on_progress)(Progress::SourceDone);
    }

    fn hold(&self, at: usize, pending: Pending) {
        let mut all = lock(&self.pending);
        all[at] = Some(pending);
    }
}

/// A lock that a panicked thread left is still taken: the data it guards stays whole (every
/// change under it is one assignment).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Units of the pipeline: which source each belongs to, and how many a source has left.
struct Units {
    source_of: Vec<Option<usize>>,
    left: Vec<usize>,
    error: Vec<Option<String>>,
    keys: Vec<Vec<String>>,
    podcast: Vec<Option<String>>,
}

/// Run `tasks` against `list` and write the episodes, the list attached to every commit.
fn run(
    index: &EpisodeIndex,
    list: SourceList,
    tasks: Vec<Task>,
    options: &SourceOptions,
    on_progress: &(dyn Fn(Progress) + Sync),
) -> Result<SourcesReport> {
    let count = list.sources.len();
    let list = Mutex::new(list);
    let shared = Shared {
        list: &list,
        pending: Mutex::new(vec![None; count]),
        not_modified: AtomicU64::new(0),
        on_progress,
    };
    on_progress(Progress::Total(tasks.len() as u64));
    // Units are numbered before any reading starts, so the writer knows each one's source.
    let mut units = Units {
        source_of: Vec::new(),
        left: vec![0; count],
        error: vec![None; count],
        keys: vec![Vec::new(); count],
        podcast: vec![None; count],
    };
    let mut fetches = VecDeque::new();
    let mut locals = Vec::new();
    for task in tasks {
        match task {
            Task::Fetch {
                at,
                url,
                validators,
            } => {
                let unit = units.source_of.len();
                units.source_of.push(Some(at));
                units.left[at] += 1;
                fetches.push_back((unit, at, url, validators));
            }
            Task::Local { at, path, always } => locals.push(LocalTask::Path { at, path, always }),
            Task::Stdin => {
                let unit = units.source_of.len();
                units.source_of.push(None);
                locals.push(LocalTask::Stdin { unit });
            }
        }
    }
    let (send, inputs) = pipeline::channel();
    let fetcher = Fetcher::new(options.fetch.clone());
    // Linked transcripts and chapters are fetched with the feeds' client and limits, on the
    // thread that read the episode (a fetch job, or the reading thread for paths). A host that
    // could not be reached is not tried again in this run: a feed of a hundred episodes on a
    // dead host would otherwise wait out a hundred connect timeouts.
    let unreachable = Mutex::new(HashMap::<String, String>::new());
    let fetch_link = |url: &str| {
        let server = host(url);
        if let Some(cause) = lock(&unreachable).get(&server) {
            return Err(format!(
                "{url}: not fetched: {server} could not be reached earlier in this run ({cause})"
            ));
        }
        match fetcher.get(url, None) {
            Ok(Fetched::Body(body)) => Ok(body.bytes),
            Ok(Fetched::NotModified) => Err(format!("{url}: HTTP 304 Not Modified")),
            Err(e) => {
                if let Some(host) = &e.unreachable {
                    lock(&unreachable).insert(host.clone(), e.cause.clone());
                }
                Err(e.to_string())
            }
        }
    };
    let linking = |fetches: bool| Linking {
        fetch: fetches.then_some(&fetch_link as &Fetch),
        index: Some(index),
    };
    // A feed fetched by URL is a live source: its links are fetched. A local file's are only
    // when asked for: indexing a file on this machine does not reach the network unbidden.
    let (remote, local) = match options.fetch_links {
        FetchLinks::Remote => (linking(true), linking(false)),
        FetchLinks::Always => (linking(true), linking(true)),
        FetchLinks::Never => (linking(false), linking(false)),
    };
    let fetches = Mutex::new(fetches);
    let units = Mutex::new(units);
    let map = options.ingest.map.clone();
    let report = std::thread::scope(|scope| -> Result<IngestReport> {
        let jobs = options.jobs.max(1);
        for n in 0..jobs {
            let send = send.clone();
            let (fetches, fetcher, shared, map) = (&fetches, &fetcher, &shared, &map);
            std::thread::Builder::new()
                .name(format!("episearch-fetch-{n}"))
                .spawn_scoped(scope, move || {
                    fetch_loop(fetches, fetcher, shared, map, remote, &send)
                })
                .map_err(|e| Error::Invalid(format!("could not start fetching: {e}")))?;
        }
        {
            let send = send.clone();
            let (shared, units, map) = (&shared, &units, &map);
            let own = std::fs::canonicalize(index.path()).ok();
            std::thread::Builder::new()
                .name("episearch-read".into())
                .spawn_scoped(scope, move || {
                    local_loop(locals, own.as_deref(), shared, units, map, local, &send)
                })
                .map_err(|e| Error::Invalid(format!("could not start reading: {e}")))?;
        }
        drop(send);
        let mut on_finished = |done: Finished| finished(done, &units, &shared);
        let mut on_event = |event: Event| on_progress(Progress::Ingest(event));
        pipeline::run_inputs(
            index,
            inputs,
            &options.ingest,
            &mut on_event,
            Some(Remember {
                attachment: SourceList::attachment(&list),
                on_finished: &mut on_finished,
            }),
        )
    })?;
    Ok(SourcesReport {
        ingest: report,
        sources: count as u64,
        not_modified: shared.not_modified.load(Ordering::Relaxed),
    })
}

/// A unit ended (in the writer's thread, before any later commit): when it was its source's
/// last, the source takes its new keys, validators and status.
fn finished(done: Finished, units: &Mutex<Units>, shared: &Shared<'_>) {
    let mut units = lock(units);
    let Some(Some(at)) = units.source_of.get(done.unit).copied() else {
        return;
    };
    units.keys[at].extend(done.keys);
    if units.podcast[at].is_none() {
        units.podcast[at] = done.podcast;
    }
    if let Some(failed) = done.failed {
        units.error[at].get_or_insert(failed);
    }
    units.left[at] = units.left[at].saturating_sub(1);
    if units.left[at] > 0 {
        return;
    }
    let keys = std::mem::take(&mut units.keys[at]);
    let podcast = units.podcast[at].take();
    let error = units.error[at].take();
    drop(units);
    let pending = lock(&shared.pending)[at].take();
    let mut list = shared.lock();
    let source = &mut list.sources[at];
    source.last_fetch = Some(Utc::now());
    // Episodes that dropped out of a feed stay in the index, and so stay the source's.
    source.keys.extend(keys);
    if podcast.is_some() {
        source.podcast = podcast;
    }
    match error {
        Some(error) => source.status = error,
        None => {
            source.status = "ok".into();
            if let Some(pending) = pending {
                source.etag = pending.etag;
                source.last_modified = pending.last_modified;
                source.fingerprint = pending.fingerprint;
            }
        }
    }
    drop(list);
    (shared.on_progress)(Progress::SourceDone);
}

/// A URL to fetch: its unit, its source's place in the list, and the validators to send.
type FetchJob = (usize, usize, String, Option<Validators>);

/// A fetch thread: take the next URL until none is left; fetch it, parse it here, read what
/// its episodes link to, and hand its records to the writer.
fn fetch_loop(
    fetches: &Mutex<VecDeque<FetchJob>>,
    fetcher: &Fetcher,
    shared: &Shared<'_>,
    map: &FieldMap,
    linking: Linking<'_>,
    send: &SyncSender<Input>,
) {
    loop {
        let next = lock(fetches).pop_front();
        let Some((unit, at, url, validators)) = next else {
            return;
        };
        let begin = Input::Begin {
            unit,
            name: url.clone(),
            named: true,
        };
        let body = match fetcher.get(&url, validators.as_ref()) {
            Ok(Fetched::NotModified) => {
                // No episode changes: only the source's status and time, written with the
                // run's last commit.
                shared.unchanged(at);
                continue;
            }
            Ok(Fetched::Body(body)) => body,
            Err(e) => {
                if send.send(begin).is_err()
                    || send.send(Input::Failed(unit, e.to_string())).is_err()
                {
                    return;
                }
                continue;
            }
        };
        shared.hold(
            at,
            Pending {
                etag: body.etag.clone(),
                last_modified: body.last_modified.clone(),
                fingerprint: None,
            },
        );
        if send.send(begin).is_err() {
            return;
        }
        let bytes = match inflate(&body.bytes, fetcher.options().max_body) {
            Ok(bytes) => bytes,
            Err(cause) => {
                if send
                    .send(Input::Failed(unit, format!("{url}: {cause}")))
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        let hint = super::fetch::path(&body.url);
        let outcome = ingest::read_bytes(&url, &bytes, Some(Path::new(hint)), map, &mut |parsed| {
            pipeline::send_record(send, unit, parsed, |episode| {
                let mut notices = resolve_links(episode, &body.url);
                notices.extend(linking.attach(episode, None));
                notices
            })
        });
        let end = match outcome {
            Ok(ingest::Outcome::Skipped(reason)) => {
                let kind = body
                    .content_type
                    .as_deref()
                    .map(|t| format!(" (Content-Type {t})"))
                    .unwrap_or_default();
                Input::Failed(unit, format!("{url}: {reason}{kind}"))
            }
            Ok(ingest::Outcome::Read(Format::Opml)) => {
                Input::Failed(unit, format!("{url}: an OPML list of feeds, not a feed"))
            }
            other => Input::End(unit, other),
        };
        if send.send(end).is_err() {
            return;
        }
    }
}

/// The links of an episode in a feed fetched from `feed`, resolved against it: a relative
/// link is a file of the feed's server, never one of this machine; a link of another scheme
/// (`file:`, `ftp:`) is named and dropped.
fn resolve_links(episode: &mut Episode, feed: &str) -> Vec<Notice> {
    let mut notices = Vec::new();
    let mut resolve = |link: &str| -> Option<String> {
        let link = link.trim();
        if is_url(link) {
            return Some(link.to_string());
        }
        if has_scheme(link) {
            notices.push(Notice::unreadable(format!(
                "{link}: not an http or https URL (linked from {feed})"
            )));
            return None;
        }
        Some(join(feed, link))
    };
    episode.transcripts.retain_mut(|l| match resolve(&l.url) {
        Some(url) => {
            l.url = url;
            true
        }
        None => false,
    });
    episode.chapters_url = episode.chapters_url.take().and_then(|l| resolve(&l));
    notices
}

/// True when `link` starts with a URL scheme (`file:`, `data:`), not a path.
fn has_scheme(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// A body that is itself gzip (a `.xml.gz` served as is), inflated with the same cap.
fn inflate(bytes: &[u8], max: u64) -> std::result::Result<std::borrow::Cow<'_, [u8]>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| {
            format!(
                "unreadable compressed data: {}",
                crate::error::message(&e.to_string())
            )
        })?;
    if out.len() as u64 > max {
        return Err(format!("body over {} after decompression", size(max)));
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// What the reading thread does, in order.
enum LocalTask {
    Path {
        at: usize,
        path: PathBuf,
        always: bool,
    },
    Stdin {
        unit: usize,
    },
}

/// The reading thread: paths in the order given (a folder's files in order, as `index` reads
/// them), then standard input.
fn local_loop(
    tasks: Vec<LocalTask>,
    own: Option<&Path>,
    shared: &Shared<'_>,
    units: &Mutex<Units>,
    map: &FieldMap,
    linking: Linking<'_>,
    send: &SyncSender<Input>,
) {
    for task in tasks {
        let (at, path, always) = match task {
            LocalTask::Stdin { unit } => {
                if !pipeline::read_unit(send, unit, &Source::Stdin, map, linking) {
                    return;
                }
                continue;
            }
            LocalTask::Path { at, path, always } => (at, path, always),
        };
        let print = path.display().to_string();
        // The index's own files are never input (a folder that holds the index, a link to it).
        let found = collect_sources(std::slice::from_ref(&path))
            .map(|sources| {
                sources
                    .into_iter()
                    .filter(|s| !inside(s, own))
                    .collect::<Vec<_>>()
            })
            .and_then(|sources| Ok((fingerprint(&sources)?, sources)));
        let first = {
            let mut units = lock(units);
            units.source_of.push(Some(at));
            units.source_of.len() - 1
        };
        let (print_fp, sources) = match found {
            Ok(found) => found,
            Err(e) => {
                {
                    let mut units = lock(units);
                    units.left[at] += 1;
                }
                let begin = Input::Begin {
                    unit: first,
                    name: print.clone(),
                    named: true,
                };
                if send.send(begin).is_err()
                    || send.send(Input::Failed(first, e.to_string())).is_err()
                {
                    return;
                }
                continue;
            }
        };
        let known = shared.lock().sources[at].fingerprint;
        if !always && known == Some(print_fp) {
            shared.unchanged(at);
            continue;
        }
        shared.hold(
            at,
            Pending {
                fingerprint: Some(print_fp),
                ..Pending::default()
            },
        );
        // A folder with no files still ends, as one empty unit.
        let mut numbered = vec![first];
        {
            let mut units = lock(units);
            for _ in 1..sources.len() {
                units.source_of.push(Some(at));
                numbered.push(units.source_of.len() - 1);
            }
            units.left[at] += numbered.len();
        }
        if sources.is_empty() {
            let begin = Input::Begin {
                unit: first,
                name: print.clone(),
                named: false,
            };
            if send.send(begin).is_err()
                || send
                    .send(Input::End(first, Ok(ingest::Outcome::Read(Format::Feed))))
                    .is_err()
            {
                return;
            }
            continue;
        }
        for (unit, source) in numbered.into_iter().zip(&sources) {
            if !pipeline::read_unit(send, unit, source, map, linking) {
                return;
            }
        }
    }
}

/// True when `source` is a file of the index folder `own`.
fn inside(source: &Source, own: Option<&Path>) -> bool {
    let (Source::File(path), Some(own)) = (source, own) else {
        return false;
    };
    path.parent()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .is_some_and(|p| p == own)
}

/// The size and latest modification time of a file, or of a folder's files together.
fn fingerprint(sources: &[Source]) -> Result<(u64, i128)> {
    let mut size = 0u64;
    let mut latest = 0i128;
    for source in sources {
        if let Source::File(path) | Source::Named(path) = source {
            let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            size += meta.len();
            let time = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            latest = latest.max(time);
        }
    }
    Ok((size, latest))
}

/// Remove the source `given` (a URL or a path, as given to `index`) and its episodes; returns
/// how many episodes were removed, or `None` when no such source is remembered.
pub fn remove_source(index: &EpisodeIndex, given: &str) -> Result<Option<u64>> {
    let mut list = SourceList::load(index)?;
    let at = list.position(given).or_else(|| {
        let absolute = std::fs::canonicalize(given).ok()?;
        list.position(&absolute.display().to_string())
    });
    let Some(at) = at else {
        return Ok(None);
    };
    let keys = list.forget(at);
    remove_keys(index, list, &keys).map(Some)
}

/// Remove the episodes with `keys`, and drop them from every source; returns how many were
/// removed.
pub fn remove_keys(index: &EpisodeIndex, mut list: SourceList, keys: &[String]) -> Result<u64> {
    let set: std::collections::HashSet<String> = keys.iter().cloned().collect();
    list.drop_keys(&set);
    let list = Mutex::new(list);
    let mut writer = index.writer(WriteOptions {
        single_commit: true,
        ..WriteOptions::default()
    })?;
    writer.attach(SourceList::attachment(&list));
    let mut removed = 0;
    for key in keys {
        match writer.delete(key) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(e) => {
                let _ = writer.abandon();
                return Err(e);
            }
        }
    }
    writer.finish()?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::episode::TranscriptLink;

    #[test]
    fn a_remote_feeds_links_resolve_against_it_and_never_reach_the_disk() {
        let link = |url: &str| TranscriptLink {
            url: url.into(),
            ..TranscriptLink::default()
        };
        let mut e = Episode {
            transcripts: vec![
                link("t/ep1.vtt"),
                link("/root.srt"),
                link("https://cdn/x.json"),
                link("file:///etc/passwd"),
            ],
            chapters_url: Some("chapters/c.json".into()),
            ..Episode::default()
        };
        let notices = resolve_links(&mut e, "http://h/feeds/show.xml");
        let urls: Vec<&str> = e.transcripts.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://h/feeds/t/ep1.vtt",
                "http://h/root.srt",
                "https://cdn/x.json"
            ]
        );
        assert_eq!(
            e.chapters_url.as_deref(),
            Some("http://h/feeds/chapters/c.json")
        );
        assert_eq!(notices.len(), 1);
        assert_eq!(
            notices[0].message,
            "file:///etc/passwd: not an http or https URL (linked from http://h/feeds/show.xml)"
        );
        assert!(!has_scheme("episodes/ep:1.vtt") && has_scheme("data:text/plain,hi"));
    }
}
