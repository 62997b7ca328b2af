//! The read handlers of the API: search, one episode, similar episodes, suggestions, stats.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::auth::check_read;
use super::params::{clip, ApiError, Params, SearchRequest, MAX_LIMIT};
use super::state::State;
use crate::output::json::{write_stats, JsonHit};
use crate::search::facets::FacetValue;
use crate::search::results::Hit;

type Answer = Result<Response, ApiError>;

/// A JSON body with its content type.
fn json(body: &impl Serialize) -> Answer {
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

fn hits_json<'a>(hits: &'a [Hit], corrected: Option<&'a str>) -> Vec<JsonHit<'a>> {
    hits.iter()
        .map(|h| JsonHit {
            corrected,
            ..JsonHit::from(h)
        })
        .collect()
}

/// The id of a path, or a 400 when it is not valid percent-encoded UTF-8.
pub(super) fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.map(|Path(id)| id)
        .map_err(|_| ApiError::bad_request("the episode id in the path is not valid UTF-8"))
}

#[derive(Serialize)]
struct SearchAnswer<'a> {
    query: &'a str,
    total: u64,
    took_us: u64,
    corrected: Option<&'a str>,
    hits: Vec<JsonHit<'a>>,
    facets: serde_json::Map<String, serde_json::Value>,
}

pub async fn search(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Answer {
    let started = Instant::now();
    check_read(&state, &headers)?;
    let params = Params::parse(raw.as_deref())?;
    let request = SearchRequest::parse(&params)?;
    let results = state.index.search(&request.options)?;
    let counts = state
        .facets
        .count(&state.index, &request.options, &request.facets)?;
    let mut facets = serde_json::Map::new();
    for (facet, values) in &counts.facets {
        let values: &Vec<FacetValue> = values;
        facets.insert(
            facet.name().to_string(),
            serde_json::to_value(values).map_err(ApiError::internal)?,
        );
    }
    let corrected = results.corrected.as_deref();
    json(&SearchAnswer {
        query: &request.options.query,
        total: counts.total,
        took_us: started.elapsed().as_micros() as u64,
        corrected,
        hits: hits_json(&results.hits, corrected),
        facets,
    })
}

pub async fn episode(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    check_read(&state, &headers)?;
    let id = path_id(id)?;
    match state.index.get(&id)? {
        Some(episode) => json(&episode),
        None => Err(ApiError::not_found(format!(
            "no episode with id `{}`",
            clip(&id)
        ))),
    }
}

pub async fn similar(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_read(&state, &headers)?;
    let id = path_id(id)?;
    let params = Params::parse(raw.as_deref())?;
    let limit = params.number("limit", 10, MAX_LIMIT)?;
    match state.index.similar(&id, limit, 200)? {
        Some(hits) => {
            #[derive(Serialize)]
            struct Similar<'a> {
                hits: Vec<JsonHit<'a>>,
            }
            json(&Similar {
                hits: hits_json(&hits, None),
            })
        }
        None => Err(ApiError::not_found(format!(
            "no episode with id `{}`",
            clip(&id)
        ))),
    }
}

pub async fn suggest(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Answer {
    check_read(&state, &headers)?;
    let params = Params::parse(raw.as_deref())?;
    let q = params.query()?;
    let suggestions = state.suggester.suggest(&state.index, &q)?;
    json(&serde_json::json!({ "suggestions": suggestions }))
}

pub async fn stats(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Answer {
    check_read(&state, &headers)?;
    let stats = state.index.stats()?;
    let mut bytes = Vec::new();
    write_stats(&mut bytes, &stats).map_err(ApiError::internal)?;
    while bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Any path the API does not have.
pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    let path = clip(uri.path());
    if method == Method::GET || method == Method::HEAD {
        ApiError::not_found(format!("no such path: {path}"))
    } else {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: format!("no such path: {method} {path}"),
        }
    }
}
