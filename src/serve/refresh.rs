//! `serve --refresh-every`: the remembered sources refreshed in the background by the same
//! code as `episearch refresh`, the index's writer taken for the refresh and let go after it
//! (as a POST takes it), so an `episearch index` elsewhere can write between two refreshes.

use std::sync::{Arc, PoisonError, Weak};
use std::time::Duration;

use super::state::State;
use crate::error::Error;
use crate::index::indexer::WriteOptions;
use crate::index::pipeline::{Event, IngestOptions};
use crate::sources::refresh::{refresh, Progress, SourceOptions};

/// Refresh every `every`, the first time one period after the start, until the server stops.
pub fn spawn(state: &Arc<State>, every: Duration, log: fn(&str)) {
    let state: Weak<State> = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = state.upgrade() else {
                return;
            };
            let _ = tokio::task::spawn_blocking(move || refresh_once(&state, log)).await;
        }
    });
}

/// One refresh, told in log lines: what it did, each failed source, or why it could not run.
fn refresh_once(state: &State, log: fn(&str)) {
    let _one = state.writing.lock().unwrap_or_else(PoisonError::into_inner);
    let options = SourceOptions {
        ingest: IngestOptions {
            write: WriteOptions {
                threads: 1,
                memory_budget: 50_000_000,
                ..WriteOptions::default()
            },
            ..IngestOptions::default()
        },
        ..SourceOptions::default()
    };
    // Only a linked file that could not be read at all is logged, one line each.
    let on_progress = |progress: Progress| {
        if let Progress::Ingest(Event::Linked {
            message,
            unreadable: true,
        }) = progress
        {
            log(&format!("refresh: {message}"));
        }
    };
    match refresh(&state.index, &options, &on_progress) {
        Ok(report) => {
            let r = &report.ingest;
            log(&format!(
                "refresh: {} sources, {} not modified, {} failed: {} added, {} updated",
                report.sources,
                report.not_modified,
                r.failed.len(),
                r.counts.added,
                r.counts.updated
            ));
            for failed in &r.failed {
                log(&format!("refresh: {failed}"));
            }
        }
        Err(e @ Error::IndexLocked { .. }) => {
            log(&format!("refresh skipped: {e}"));
        }
        Err(e) => log(&format!("refresh failed: {e}")),
    }
    state.refresh();
}
