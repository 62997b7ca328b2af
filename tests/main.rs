//! The integration tests: one binary, a module per topic.

mod util;

mod bench;
mod cli;
mod datasets;
mod feed_server;
mod feeds;
mod front_door;
mod layout;
mod natural;
mod relevance;
mod robust;
mod serve;
mod sources;
mod transcript_faults;
mod transcripts;
