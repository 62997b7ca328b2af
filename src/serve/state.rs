//! What every request handler shares: the open index, the caches of facets and suggestions,
//! the keys and the limits.

use std::sync::Mutex;
use std::time::Duration;

use crate::index::indexer::EpisodeIndex;
use crate::search::facets::FacetCounter;
use crate::search::suggest::Suggester;

/// The largest request body accepted by default (`--max-body`).
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// How long one request may take, body included, before it is answered 408.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

pub struct State {
    pub index: EpisodeIndex,
    pub facets: FacetCounter,
    pub suggester: Suggester,
    pub write_key: Option<String>,
    pub read_key: Option<String>,
    pub max_body: usize,
    /// One write at a time in this process (the index allows one writer).
    pub writing: Mutex<()>,
}

impl State {
    /// See commits made since the last look (by another process too), and prepare the
    /// suggestions of a new generation before a keystroke asks for them.
    pub fn refresh(&self) {
        if let Ok(true) = self.index.reload() {
            let _ = self.suggester.warm(&self.index);
        }
    }
}
