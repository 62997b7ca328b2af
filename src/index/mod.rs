//! Writing and reading the index: the schema and its analyzers, the writer and its commits, the
//! ingest pipeline that feeds it, and the spelling vocabulary kept beside it.
//! It may not rank, highlight or print: it knows episodes and tantivy, not queries.

pub mod attached;
pub mod indexer;
pub mod pipeline;
pub mod schema;
pub mod spoken;
pub mod tokenizer;
pub mod vocabulary;

pub use indexer::{EpisodeIndex, Stats, WriteOptions};
