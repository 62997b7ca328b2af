//! The integration tests: one binary, a module per topic.

mod util;

mod cli;
mod feeds;
mod robust;
