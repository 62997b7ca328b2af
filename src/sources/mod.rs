//! Live sources: fetching feed URLs (conditional GET), the remembered list of every URL and
//! path given to `index`, and bringing them up to date (`refresh`) or removing them.
//! It may not parse formats, rank or print: it hands bytes to `ingest` and episodes to
//! `index`, and returns reports; `ingest` and `index` never call it.

pub mod fetch;
pub mod refresh;
pub mod store;
