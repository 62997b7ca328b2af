//! One ingest run: sources → parsed records → the writer, with every bad record reported and
//! counted. The caller (the binary) turns events into a progress bar and messages.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::indexer::{Counts, EpisodeIndex, WriteOptions};
use crate::ingest::{self, FieldMap, Outcome, Source};

/// Something the user may want to hear about while an ingest runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A file was passed over (not an episode format).
    Skipped { source: String, reason: String },
    /// A record could not be read: `path:line: reason`.
    BadRecord(String),
    /// Records seen so far (sent every few hundred records).
    Progress { records: u64 },
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
    pub counts: Counts,
    pub elapsed: Duration,
}

impl IngestReport {
    /// Episodes read successfully (added, updated or unchanged).
    pub fn episodes(&self) -> u64 {
        self.counts.added + self.counts.updated + self.counts.unchanged
    }
}

/// Read every source into the index.
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
    let mut report = IngestReport::default();
    let mut records = 0u64;
    for source in sources {
        let name = source.display();
        let mut failure: Option<String> = None;
        let outcome = ingest::read_source(source, &options.map, &mut |parsed| {
            records += 1;
            if records.is_multiple_of(512) {
                on_event(Event::Progress { records });
            }
            match parsed {
                Ok(episode) if episode.is_empty() => {
                    report.empty_records += 1;
                    Ok(())
                }
                Ok(episode) => writer.upsert(episode).map(|_| ()),
                Err(bad) => {
                    report.bad_records += 1;
                    let message = bad.located(&name);
                    if options.strict {
                        failure = Some(message.clone());
                        return Err(Error::Invalid(message));
                    }
                    on_event(Event::BadRecord(message));
                    Ok(())
                }
            }
        });
        match outcome {
            Ok(Outcome::Read(_)) => report.files += 1,
            Ok(Outcome::Skipped(reason)) => {
                report.skipped_files += 1;
                on_event(Event::Skipped {
                    source: name,
                    reason,
                });
            }
            Err(e) => {
                if let Some(message) = failure {
                    let _ = writer.abandon();
                    return Err(Error::Invalid(format!(
                        "{message} (--strict: nothing of this run was committed)"
                    )));
                }
                match e {
                    // A file that cannot be read is one more bad input, not the end of the run.
                    Error::Io { .. } if !options.strict => {
                        report.bad_records += 1;
                        on_event(Event::BadRecord(e.to_string()));
                    }
                    other => {
                        let _ = writer.abandon();
                        return Err(other);
                    }
                }
            }
        }
    }
    on_event(Event::Progress { records });
    report.counts = writer.finish()?;
    report.elapsed = started.elapsed();
    Ok(report)
}
