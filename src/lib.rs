//! episearch: full-text search for podcast episode summaries, on tantivy.
//!
//! The folders, in the order data flows through them:
//! - [`ingest`]: bytes of a file or stream → [`Episode`]s (one file a format);
//! - [`index`]: episodes → tantivy documents and commits; the schema, analyzers and vocabulary;
//! - [`search`]: a query → ranked [`search::Hit`]s with highlight ranges;
//! - [`output`]: hits, stats and reports → text for people or JSON for programs;
//! - [`measure`]: latency and judged relevance, beside SQLite FTS5;
//! - [`serve`]: the HTTP API and the search page, a front end over `search` and `index`;
//! - [`sources`]: feed URLs, OPML lists and the remembered sources, fetched into `ingest`.
//!
//! [`episode`] and [`error`] are what every stage shares. The library never prints to the
//! terminal and never exits: the binary (`main.rs`, `cli.rs`, `app.rs`, `man.rs`) does.

/// Every program built on the library allocates through mimalloc: indexing and searching make
/// many small, short-lived allocations, which it serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod episode;
pub mod error;
pub mod index;
pub mod ingest;
pub mod measure;
pub mod output;
pub mod search;
pub mod serve;
pub mod sources;

pub use episode::Episode;
pub use error::{Error, Result};
