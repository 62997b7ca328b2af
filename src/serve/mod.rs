//! `episearch serve`: the HTTP API and the search page over one index, on axum and tokio.
//! It may not rank, count or write episodes itself: it calls `search` and `index`, turns their
//! answers into JSON, and serves its own static files (compiled in); its background refresh
//! calls `sources`.

mod api;
mod auth;
mod page;
mod params;
mod refresh;
mod server;
mod state;
mod writes;

pub use server::{run, ServeOptions};
