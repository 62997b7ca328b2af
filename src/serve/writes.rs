//! The write handlers: add or update episodes (a JSON object, a JSON array or JSON Lines) and
//! delete one. The index's writer is taken for each request and let go once it is committed,
//! so an `episearch index` in another process can write between two requests.

use std::sync::{Arc, PoisonError};

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as Shared};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::api::path_id;
use super::auth::check_write;
use super::params::{clip, ApiError};
use super::state::State;
use crate::episode::Episode;
use crate::index::indexer::{Change, WriteOptions};
use crate::ingest::json::{read_document, read_lines};
use crate::ingest::{detect, Detected, FieldMap, Format, Parsed};

type Answer = Result<Response, ApiError>;

/// The writer of one request: one thread and a small budget (a request holds at most
/// `--max-body` bytes of episodes).
fn write_options() -> WriteOptions {
    WriteOptions {
        single_commit: true,
        threads: 1,
        memory_budget: 50_000_000,
        ..WriteOptions::default()
    }
}

#[derive(Serialize, Default)]
struct Report {
    added: u64,
    updated: u64,
    skipped: u64,
    errors: Vec<String>,
}

fn too_large(max: usize) -> ApiError {
    ApiError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!("the body is larger than the limit of {max} bytes (--max-body)"),
    }
}

/// The records of a body, each an episode or the reason it could not be read.
fn parse_body(bytes: &[u8]) -> Result<Vec<Parsed>, ApiError> {
    let mut records = Vec::new();
    let mut sink = |parsed: Parsed| {
        records.push(parsed);
        Ok(())
    };
    let map = FieldMap::default();
    match detect(&bytes[..bytes.len().min(64 * 1024)], None) {
        Detected::Format(Format::JsonLines) => read_lines(bytes, &map, &mut sink)?,
        Detected::Format(Format::Json) => read_document(bytes, &map, &mut sink)?,
        Detected::Empty => {
            return Err(ApiError::bad_request(
                "the body is empty: send episodes as a JSON object, a JSON array or JSON Lines",
            ))
        }
        _ => {
            return Err(ApiError::bad_request(
                "the body is not JSON: send episodes as a JSON object, a JSON array or JSON Lines",
            ))
        }
    }
    Ok(records)
}

pub async fn add(Shared(state): Shared<Arc<State>>, headers: HeaderMap, body: Body) -> Answer {
    check_write(&state, &headers)?;
    let max = state.max_body;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large(max));
    }
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_large(max))?;
    let records = parse_body(&bytes)?;
    let mut report = Report::default();
    let mut episodes: Vec<Episode> = Vec::new();
    for record in records {
        match record {
            Ok(episode) if episode.is_empty() => report.skipped += 1,
            Ok(episode) => episodes.push(episode),
            Err(e) => {
                report.skipped += 1;
                report.errors.push(e.located("body"));
            }
        }
    }
    if episodes.is_empty() {
        if let Some(first) = report.errors.first() {
            return Err(ApiError::bad_request(first.clone()));
        }
    }
    let writer_state = state.clone();
    let report = tokio::task::spawn_blocking(move || -> Result<Report, ApiError> {
        let _one = writer_state
            .writing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if episodes.is_empty() {
            return Ok(report);
        }
        let mut writer = writer_state.index.writer(write_options())?;
        for episode in episodes {
            match writer.upsert(episode) {
                Ok(Change::Added) => report.added += 1,
                Ok(Change::Updated) => report.updated += 1,
                Ok(Change::Unchanged) => report.skipped += 1,
                Err(e) => {
                    let _ = writer.abandon();
                    return Err(e.into());
                }
            }
        }
        writer.finish()?;
        Ok(report)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&report).map_err(ApiError::internal)?,
    )
        .into_response())
}

pub async fn delete(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    check_write(&state, &headers)?;
    let id = path_id(id)?;
    let writer_state = state.clone();
    let key = id.clone();
    let deleted = tokio::task::spawn_blocking(move || -> Result<bool, ApiError> {
        let _one = writer_state
            .writing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if writer_state.index.get(&key)?.is_none() {
            return Ok(false);
        }
        let mut writer = writer_state.index.writer(write_options())?;
        let deleted = writer.delete(&key)?;
        writer.finish()?;
        Ok(deleted)
    })
    .await
    .map_err(ApiError::internal)??;
    if !deleted {
        return Err(ApiError::not_found(format!(
            "no episode with id `{}`",
            clip(&id)
        )));
    }
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "deleted": id }).to_string(),
    )
        .into_response())
}
