//! The library's error type: one enum, each variant a cause a user can act on.

use std::path::PathBuf;

/// Everything that can go wrong inside the library. Messages are lower-case, without a trailing
/// period, and name the file or index involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The io error is part of the message, not a `source`: printed with its chain, it would
    /// otherwise appear twice.
    #[error("{}: {}", path.display(), io_message(cause))]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{location}: {reason}")]
    Record { location: String, reason: String },
    #[error("no index at {}: create one with `episearch index PATH...` (or `episearch --index {} index PATH...`)", path.display(), path.display())]
    IndexMissing { path: PathBuf },
    #[error("{} is locked: another episearch process is writing to it; try again when it is done", path.display())]
    IndexLocked { path: PathBuf },
    #[error("{}: {reason}", path.display())]
    IndexDamaged { path: PathBuf, reason: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Index(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            cause,
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        Error::Index(tantivy_message(&e))
    }
}

/// tantivy's Display strings are Debug-flavoured; keep them on one line and lower-case.
pub(crate) fn tantivy_message(e: &tantivy::TantivyError) -> String {
    message(&e.to_string())
}

/// An io error as a lower-case phrase: `read-only file system (os error 30)`.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    message(&e.to_string())
}

/// Another library's message in house style: one line, starting lower-case.
pub(crate) fn message(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => one_line,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
