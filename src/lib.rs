//! episearch: full-text search for podcast episode summaries, on tantivy.
//!
//! Data flows one way: [`ingest`] (bytes to [`Episode`]s) → [`indexer`] (episodes to tantivy
//! documents) → [`search`] (a query to ranked [`search::Hit`]s with highlight ranges) → [`output`]
//! (hits to text or JSON). The library never prints to the terminal and never exits.

mod any_field;
/// Every program built on the library allocates through mimalloc: indexing and searching make
/// many small, short-lived allocations, which it serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod bench;
pub mod episode;
pub mod error;
pub mod eval;
pub mod fts5;
pub mod indexer;
pub mod ingest;
pub mod output;
pub mod pipeline;
mod plain;
pub mod schema;
pub mod search;
pub mod snippet;
pub mod spelling;
pub mod synonyms;
mod ties;
pub mod tokenizer;
pub mod vocabulary;
mod word_list;

pub use episode::Episode;
pub use error::{Error, Result};
