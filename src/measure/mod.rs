//! Measuring: latency of a query file (`bench`), ranking quality on judged queries (`eval`),
//! and SQLite FTS5, the peer both are compared with in the same run.
//! It may not change the index or search, nor print: it calls them as the CLI does.

pub mod bench;
pub mod eval;
pub mod fts5;
pub mod transcripts;
