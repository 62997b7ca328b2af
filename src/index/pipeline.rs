//! One ingest run: sources → parsed records → the writer, with every bad record reported and
//! counted. The caller (the binary) turns events into a progress bar and messages.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::episode::{is_url, Episode};
use crate::error::{Error, Result};
use crate::ingest::attach::{attach, Fetch, Notice, NoticeKind};
use crate::ingest::{self, FieldMap, Outcome, Parsed, Source};

use super::attached::Attachment;
use super::indexer::{Counts, EpisodeIndex, EpisodeWriter, WriteOptions};

/// Something the user may want to hear about while an ingest runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A file was passed over (not an episode format).
    Skipped { source: String, reason: String },
    /// A record could not be read: `path:line: reason`.
    BadRecord(String),
    /// Records seen so far (sent every few hundred records).
    Progress { records: u64 },
    /// A transcript or chapters file an episode links to: `file:line: reason`. Unreadable,
    /// the episode is indexed without it; otherwise the rest of the file was read.
    Linked { message: String, unreadable: bool },
}

/// How an ingest run behaves.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub map: FieldMap,
    /// Abort at the first bad record and commit nothing of the run.
    pub strict: bool,
    pub write: WriteOptions,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Files read as episode data.
    pub files: u64,
    /// Files passed over.
    pub skipped_files: u64,
    /// Records that could not be read.
    pub bad_records: u64,
    /// Records with no title and no text: nothing to search, so not indexed.
    pub empty_records: u64,
    /// Transcript and chapters files that could not be read (their episodes are indexed).
    pub unreadable_links: u64,
    /// Episodes' transcript or chapters links by URL not fetched, as asked (`--fetch-links`).
    pub unfetched_links: u64,
    pub counts: Counts,
    pub elapsed: Duration,
    /// Units that could not be had at all (a feed that failed to fetch), one line each.
    pub failed: Vec<String>,
}

impl IngestReport {
    /// Episodes read successfully (added, updated or unchanged).
    pub fn episodes(&self) -> u64 {
        self.counts.added + self.counts.updated + self.counts.unchanged
    }
}

/// Records parsed ahead of the writer. Reading ahead further bought no time: while a batch
/// is committed, tantivy's threads keep both cores busy writing segments (sixth session: the
/// 75k arXiv import took the same 2.8 to 3.0 s with 32,768 as with none, and 50 MB more).
const READ_AHEAD: usize = 1024;

/// What a reader hands the writer: the inputs of a run, each a numbered unit (a file, a
/// fetched feed) whose records may arrive interleaved with other units' when several are read
/// at once.
// Records go by value: boxing each would cost an allocation per episode to shrink variants
// sent once per unit.
#[allow(clippy::large_enum_variant)]
pub enum Input {
    /// A unit starts; `named` when the user named it (never passed over in silence).
    Begin {
        unit: usize,
        name: String,
        named: bool,
    },
    Record(usize, Parsed),
    /// The end of a unit, as `ingest::read_source` reports it.
    End(usize, Result<Outcome>),
    /// A unit that could not be had at all (a feed that failed to fetch): one line naming it.
    Failed(usize, String),
    /// What reading a record's linked transcript or chapters had to say, before the record.
    Linked(Notice),
}

/// A unit that ended, for a caller that remembers where episodes came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub unit: usize,
    /// The keys of the episodes it gave (added, updated or unchanged).
    pub keys: Vec<String>,
    /// The podcast of the first of them.
    pub podcast: Option<String>,
    /// Why it could not be read, if it could not.
    pub failed: Option<String>,
}

/// What a caller that remembers sources gives a run: a file written with each commit, and a
/// call as each unit ends, before anything later is committed.
pub struct Remember<'a> {
    pub attachment: Attachment<'a>,
    pub on_finished: &'a mut dyn FnMut(Finished),
}

/// Read every source into the index. Sources are read and parsed on a thread of their own, so
/// that the writer can wait for the next record with a deadline: a batch falls due by time
/// (`--batch-seconds`) even while a stream (standard input) is quiet, and a crash then loses
/// at most that batch. Linked URLs are not fetched here (the runs of `sources` fetch them).
pub fn run(
    index: &EpisodeIndex,
    sources: &[Source],
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<IngestReport> {
    let reading = read_ahead(sources.to_vec(), options.map.clone())?;
    run_inputs(index, reading, options, on_event, None)
}

/// One unit being read.
struct Open {
    name: String,
    named: bool,
    keys: Vec<String>,
    podcast: Option<String>,
}

/// Write the units arriving on `inputs` until every sender is gone. With `remember`, each unit's
/// keys are handed back as it ends, and the attachment is written with every commit.
pub fn run_inputs(
    index: &EpisodeIndex,
    inputs: Receiver<Input>,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
    remember: Option<Remember<'_>>,
) -> Result<IngestReport> {
    let started = Instant::now();
    let mut write = options.write.clone();
    write.single_commit |= options.strict;
    let mut writer = index.writer(write)?;
    let mut on_finished = match remember {
        Some(Remember {
            attachment,
            on_finished,
        }) => {
            writer.attach(attachment);
            Some(on_finished)
        }
        None => None,
    };
    let mut report = IngestReport::default();
    let mut records = 0u64;
    let mut open: HashMap<usize, Open> = HashMap::new();
    let strict_abort = |writer: EpisodeWriter<'_>, message: String| {
        let _ = writer.abandon();
        Err(Error::Invalid(format!(
            "{message} (--strict: nothing of this run was committed)"
        )))
    };
    loop {
        let next = match writer.due_in() {
            Some(wait) => inputs.recv_timeout(wait),
            None => inputs.recv().map_err(RecvTimeoutError::from),
        };
        let input = match next {
            Ok(input) => input,
            Err(RecvTimeoutError::Timeout) => {
                writer.commit_if_due()?;
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                let mut stopped: Vec<(usize, Open)> = open.drain().collect();
                stopped.sort_by_key(|(unit, _)| *unit);
                match stopped.into_iter().next() {
                    Some((_, unit)) => {
                        let _ = writer.abandon();
                        return Err(Error::Invalid(format!(
                            "{}: the reading stopped",
                            unit.name
                        )));
                    }
                    None => break,
                }
            }
        };
        let (unit, outcome) = match input {
            Input::Begin { unit, name, named } => {
                open.insert(
                    unit,
                    Open {
                        name,
                        named,
                        keys: Vec::new(),
                        podcast: None,
                    },
                );
                continue;
            }
            Input::Linked(notice) if notice.kind == NoticeKind::NotFetched => {
                report.unfetched_links += 1;
                continue;
            }
            Input::Linked(notice) => {
                let unreadable = notice.kind == NoticeKind::Unreadable;
                report.unreadable_links += u64::from(unreadable);
                on_event(Event::Linked {
                    message: notice.message,
                    unreadable,
                });
                continue;
            }
            Input::Record(unit, parsed) => {
                records += 1;
                if records.is_multiple_of(512) {
                    on_event(Event::Progress { records });
                }
                let Some(current) = open.get_mut(&unit) else {
                    continue;
                };
                match parsed {
                    Ok(episode) if episode.is_empty() => report.empty_records += 1,
                    Ok(episode) => {
                        if on_finished.is_some() && current.podcast.is_none() {
                            current.podcast.clone_from(&episode.podcast);
                        }
                        match writer.upsert_keyed(episode) {
                            Ok((_, key)) => {
                                if on_finished.is_some() {
                                    current.keys.push(key);
                                }
                            }
                            Err(e) => {
                                let _ = writer.abandon();
                                return Err(e);
                            }
                        }
                    }
                    Err(bad) => {
                        report.bad_records += 1;
                        let message = bad.located(&current.name);
                        if options.strict {
                            return strict_abort(writer, message);
                        }
                        on_event(Event::BadRecord(message));
                    }
                }
                continue;
            }
            Input::End(unit, outcome) => (unit, Ok(outcome)),
            Input::Failed(unit, message) => (unit, Err(message)),
        };
        let Some(current) = open.remove(&unit) else {
            continue;
        };
        let name = current.name;
        let mut failed = None;
        match outcome {
            Ok(Ok(Outcome::Read(_))) => report.files += 1,
            // A file the user named is never passed over in silence: it is a bad input.
            Ok(Ok(Outcome::Skipped(reason))) if current.named => {
                report.bad_records += 1;
                let message = format!("{name}: {reason}");
                if options.strict {
                    return strict_abort(writer, message);
                }
                on_event(Event::BadRecord(message.clone()));
                failed = Some(message);
            }
            Ok(Ok(Outcome::Skipped(reason))) => {
                report.skipped_files += 1;
                on_event(Event::Skipped {
                    source: name,
                    reason,
                });
            }
            // A file that cannot be read is one more bad input, not the end of the run.
            Ok(Err(e @ Error::Io { .. })) if !options.strict => {
                report.bad_records += 1;
                on_event(Event::BadRecord(e.to_string()));
                failed = Some(e.to_string());
            }
            Ok(Err(other)) => {
                let _ = writer.abandon();
                return Err(other);
            }
            // A feed that could not be fetched: named in the closing summary, the rest goes on.
            Err(message) => {
                if options.strict {
                    return strict_abort(writer, message);
                }
                report.failed.push(message.clone());
                failed = Some(message);
            }
        }
        if let Some(on_finished) = on_finished.as_mut() {
            on_finished(Finished {
                unit,
                keys: current.keys,
                podcast: current.podcast,
                failed,
            });
            writer.touch();
        }
    }
    on_event(Event::Progress { records });
    report.counts = writer.finish()?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Read `sources` in order on a thread of their own, each record and then the end of each
/// source sent to the receiver. When the receiver is dropped (the run stopped), the thread
/// stops at its next record; one blocked reading a quiet standard input ends with the process.
fn read_ahead(sources: Vec<Source>, map: FieldMap) -> Result<Receiver<Input>> {
    let (send, receive) = sync_channel(READ_AHEAD);
    std::thread::Builder::new()
        .name("episearch-read".into())
        .spawn(move || {
            for (unit, source) in sources.iter().enumerate() {
                if !read_unit(&send, unit, source, &map, Linking::default()) {
                    return;
                }
            }
        })
        .map_err(|e| Error::Invalid(format!("could not start reading the input: {e}")))?;
    Ok(receive)
}

/// How a run's readers read the transcripts and chapters episodes link to.
#[derive(Clone, Copy, Default)]
pub struct Linking<'a> {
    /// Fetches linked URLs; without it they stay links, read by nobody.
    pub fetch: Option<&'a Fetch<'a>>,
    /// The index written to: a URL it already holds a transcript or chapters from is not
    /// fetched again.
    pub index: Option<&'a EpisodeIndex>,
}

impl Linking<'_> {
    /// Read what `episode` links to (paths relative to `base`), on the caller's thread: a
    /// reader's, never the writer's, which a slow server would stall.
    pub fn attach(&self, episode: &mut Episode, base: Option<&Path>) -> Vec<Notice> {
        if episode.transcripts.is_empty() && episode.chapters_url.is_none() {
            return Vec::new();
        }
        let fetches = self.fetch.is_some()
            && (episode.transcripts.iter().any(|l| is_url(&l.url))
                || episode.chapters_url.as_deref().is_some_and(is_url));
        // An index that cannot be read here is read by the writer, which says why; until
        // then, nothing counts as held.
        let held = match self.index {
            Some(index) if fetches => index.get_brief(&episode.normalised_key()).ok().flatten(),
            _ => None,
        };
        attach(episode, base, self.fetch, held.as_ref())
    }
}

/// Read one source as unit `unit` into `send`: its beginning, its records, its end. False
/// when the receiver is gone (the run stopped).
pub fn read_unit(
    send: &SyncSender<Input>,
    unit: usize,
    source: &Source,
    map: &FieldMap,
    linking: Linking<'_>,
) -> bool {
    let begin = Input::Begin {
        unit,
        name: source.display(),
        named: matches!(source, Source::Named(_)),
    };
    if send.send(begin).is_err() {
        return false;
    }
    // A record's linked files are read here, on the reading thread, relative to its file.
    let base = match source {
        Source::File(path) | Source::Named(path) => path.parent(),
        Source::Stdin => None,
    };
    let outcome = ingest::read_source(source, map, &mut |parsed| {
        send_record(send, unit, parsed, |episode| linking.attach(episode, base))
    });
    send.send(Input::End(unit, outcome)).is_ok()
}

/// Sends a record of unit `unit` to the writer, after the notices of its linked files, which
/// `links` reads into the episode; an error once the run has stopped taking inputs.
pub fn send_record(
    send: &SyncSender<Input>,
    unit: usize,
    mut parsed: Parsed,
    links: impl FnOnce(&mut Episode) -> Vec<Notice>,
) -> Result<()> {
    let stopped = |_| Error::Invalid("the run stopped".into());
    if let Ok(episode) = parsed.as_mut() {
        for notice in links(episode) {
            send.send(Input::Linked(notice)).map_err(stopped)?;
        }
    }
    send.send(Input::Record(unit, parsed)).map_err(stopped)
}

/// The bounded channel readers send a run's inputs on.
pub fn channel() -> (SyncSender<Input>, Receiver<Input>) {
    sync_channel(READ_AHEAD)
}
