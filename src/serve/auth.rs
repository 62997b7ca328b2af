//! The read and write keys: `Authorization: Bearer KEY`, compared in constant time.

use axum::http::{header, HeaderMap};

use super::params::ApiError;
use super::state::State;

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Equal bytes, in a time that does not depend on where they first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A read is allowed when no read key is set, or the request carries it (or the write key).
pub fn check_read(state: &State, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(read) = &state.read_key else {
        return Ok(());
    };
    match bearer(headers) {
        Some(token)
            if same(token, read) || state.write_key.as_deref().is_some_and(|w| same(token, w)) =>
        {
            Ok(())
        }
        _ => Err(ApiError::unauthorized(
            "this API needs its read key: Authorization: Bearer KEY",
        )),
    }
}

/// A write needs the write key; with none configured, writes are off.
pub fn check_write(state: &State, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &state.write_key else {
        return Err(ApiError::forbidden(
            "writes are off: start serve with EPISEARCH_WRITE_KEY or --write-key-file",
        ));
    };
    match bearer(headers) {
        Some(token) if same(token, key) => Ok(()),
        _ => Err(ApiError::unauthorized(
            "a write needs the write key: Authorization: Bearer KEY",
        )),
    }
}
