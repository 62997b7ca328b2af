//! One ingest run: sources → parsed records → the writer, with every bad record reported and
//! counted. The caller (the binary) turns events into a progress bar and messages.

use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::ingest::attach::{attach, Notice};
use crate::ingest::{self, FieldMap, Outcome, Parsed, Source};

use super::indexer::{Counts, EpisodeIndex, WriteOptions};

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
    pub counts: Counts,
    pub elapsed: Duration,
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

/// What the reading thread hands the writer. Records go by value: boxing each would cost an
/// allocation per episode to shrink a variant sent once per source.
#[allow(clippy::large_enum_variant)]
enum Read {
    Record(Parsed),
    /// What reading a record's linked files had to say, before the record.
    Linked(Notice),
    /// The end of one source, in order.
    Done(Result<Outcome>),
}

/// Read every source into the index. Sources are read and parsed on a thread of their own, so
/// that the writer can wait for the next record with a deadline: a batch falls due by time
/// (`--batch-seconds`) even while a stream (standard input) is quiet, and a crash then loses
/// at most that batch.
pub fn run(
    index: &EpisodeIndex,
    sources: &[Source],
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<IngestReport> {
    let started = Instant::now();
    let mut write = options.write.clone();
    write.single_commit |= options.strict;
    let mut writer = index.writer(write)?;
    let reading = read_ahead(sources.to_vec(), options.map.clone())?;
    let mut report = IngestReport::default();
    let mut records = 0u64;
    for source in sources {
        let name = source.display();
        let outcome = loop {
            let next = match writer.due_in() {
                Some(wait) => reading.recv_timeout(wait),
                None => reading.recv().map_err(RecvTimeoutError::from),
            };
            let parsed = match next {
                Ok(Read::Record(parsed)) => parsed,
                Ok(Read::Linked(notice)) => {
                    report.unreadable_links += u64::from(notice.unreadable);
                    on_event(Event::Linked {
                        message: notice.message,
                        unreadable: notice.unreadable,
                    });
                    continue;
                }
                Ok(Read::Done(outcome)) => break outcome,
                Err(RecvTimeoutError::Timeout) => {
                    writer.commit_if_due()?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    break Err(Error::Invalid(format!("{name}: the reading stopped")))
                }
            };
            records += 1;
            if records.is_multiple_of(512) {
                on_event(Event::Progress { records });
            }
            match parsed {
                Ok(episode) if episode.is_empty() => report.empty_records += 1,
                Ok(episode) => {
                    if let Err(e) = writer.upsert(episode) {
                        let _ = writer.abandon();
                        return Err(e);
                    }
                }
                Err(bad) => {
                    report.bad_records += 1;
                    let message = bad.located(&name);
                    if options.strict {
                        let _ = writer.abandon();
                        return Err(Error::Invalid(format!(
                            "{message} (--strict: nothing of this run was committed)"
                        )));
                    }
                    on_event(Event::BadRecord(message));
                }
            }
        };
        match outcome {
            Ok(Outcome::Read(_)) => report.files += 1,
            // A file the user named is never passed over in silence: it is a bad input.
            Ok(Outcome::Skipped(reason)) if matches!(source, Source::Named(_)) => {
                report.bad_records += 1;
                let message = format!("{name}: {reason}");
                if options.strict {
                    let _ = writer.abandon();
                    return Err(Error::Invalid(format!(
                        "{message} (--strict: nothing of this run was committed)"
                    )));
                }
                on_event(Event::BadRecord(message));
            }
            Ok(Outcome::Skipped(reason)) => {
                report.skipped_files += 1;
                on_event(Event::Skipped {
                    source: name,
                    reason,
                });
            }
            // A file that cannot be read is one more bad input, not the end of the run.
            Err(e @ Error::Io { .. }) if !options.strict => {
                report.bad_records += 1;
                on_event(Event::BadRecord(e.to_string()));
            }
            Err(other) => {
                let _ = writer.abandon();
                return Err(other);
            }
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
fn read_ahead(sources: Vec<Source>, map: FieldMap) -> Result<Receiver<Read>> {
    let (send, receive) = sync_channel(READ_AHEAD);
    std::thread::Builder::new()
        .name("episearch-read".into())
        .spawn(move || {
            let stopped = |_| Error::Invalid("the run stopped".into());
            for source in &sources {
                let base = match source {
                    Source::File(path) | Source::Named(path) => path.parent(),
                    Source::Stdin => None,
                };
                let outcome = ingest::read_source(source, &map, &mut |mut parsed| {
                    if let Ok(episode) = parsed.as_mut() {
                        if !episode.transcripts.is_empty() || episode.chapters_url.is_some() {
                            for notice in attach(episode, base, None) {
                                send.send(Read::Linked(notice)).map_err(stopped)?;
                            }
                        }
                    }
                    send.send(Read::Record(parsed)).map_err(stopped)
                });
                if send.send(Read::Done(outcome)).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| Error::Invalid(format!("could not start reading the input: {e}")))?;
    Ok(receive)
}
