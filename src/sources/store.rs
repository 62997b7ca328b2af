//! The remembered sources: every URL or path given to `index`, with what the last fetch said
//! (validators, status, time) and the keys of the episodes it gave. The list is a JSON file
//! attached to each commit (`index::attached`), so it always describes the episodes of the
//! commit it sits beside.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::attached::Attachment;
use crate::index::indexer::EpisodeIndex;

/// The payload key and file prefix of the list (`sources-N.json`).
pub const KEY: &str = "sources";

/// One remembered source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    /// A URL (`https://...`) or an absolute path.
    pub source: String,
    /// The podcast its episodes belong to, as last read (or as an OPML list named it).
    pub podcast: Option<String>,
    /// When it was last fetched or read, successfully or not.
    pub last_fetch: Option<DateTime<Utc>>,
    /// `ok`, `not modified`, `unchanged` (a path whose size and time are the same), or the
    /// error of the last attempt.
    pub status: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// A path's size and modification time (nanoseconds since 1970) when last read: a path is
    /// read again only when either changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<(u64, i128)>,
    /// The keys of the episodes it gave, for `remove --source`.
    #[serde(default)]
    pub keys: BTreeSet<String>,
}

impl Remembered {
    pub fn new(source: String) -> Remembered {
        Remembered {
            source,
            podcast: None,
            last_fetch: None,
            status: "new".into(),
            etag: None,
            last_modified: None,
            fingerprint: None,
            keys: BTreeSet::new(),
        }
    }

    pub fn is_url(&self) -> bool {
        is_url(&self.source)
    }
}

pub use crate::episode::is_url;

/// The list, in the order sources were first given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceList {
    pub sources: Vec<Remembered>,
}

impl SourceList {
    /// The list the index's last commit holds (empty when it holds none).
    pub fn load(index: &EpisodeIndex) -> Result<SourceList> {
        match index.attached(KEY)? {
            None => Ok(SourceList::default()),
            Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::IndexDamaged {
                path: index.path().to_path_buf(),
                reason: format!("the list of sources: {e}"),
            }),
        }
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|e| Error::Invalid(format!("the list of sources: {e}")))
    }

    /// The attachment that writes `list` with each commit.
    pub fn attachment<'a>(list: &'a std::sync::Mutex<SourceList>) -> Attachment<'a> {
        Attachment {
            key: KEY,
            contents: Box::new(move || {
                list.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .to_bytes()
            }),
        }
    }

    /// The position of `source`, adding it when new.
    pub fn entry(&mut self, source: &str) -> usize {
        match self.position(source) {
            Some(at) => at,
            None => {
                self.sources.push(Remembered::new(source.to_string()));
                self.sources.len() - 1
            }
        }
    }

    pub fn position(&self, source: &str) -> Option<usize> {
        self.sources.iter().position(|s| s.source == source)
    }

    /// Forget the source at `at`; returns the keys no other source also gave.
    pub fn forget(&mut self, at: usize) -> Vec<String> {
        let gone = self.sources.remove(at);
        let others: HashSet<&String> = self.sources.iter().flat_map(|s| s.keys.iter()).collect();
        gone.keys
            .into_iter()
            .filter(|k| !others.contains(k))
            .collect()
    }

    /// Drop `keys` from every source (their episodes were removed).
    pub fn drop_keys(&mut self, keys: &HashSet<String>) {
        for source in &mut self.sources {
            source.keys.retain(|k| !keys.contains(k));
        }
    }
}

/// What `sources --json` prints of one source.
#[derive(Debug, Clone, Serialize)]
pub struct Listed<'a> {
    pub source: &'a str,
    pub podcast: Option<&'a str>,
    pub episodes: usize,
    pub last_fetch: Option<DateTime<Utc>>,
    pub status: &'a str,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

impl<'a> From<&'a Remembered> for Listed<'a> {
    fn from(s: &'a Remembered) -> Listed<'a> {
        Listed {
            source: &s.source,
            podcast: s.podcast.as_deref(),
            episodes: s.keys.len(),
            last_fetch: s.last_fetch,
            status: &s.status,
            etag: s.etag.as_deref(),
            last_modified: s.last_modified.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_a_source_keeps_the_keys_another_one_gave() {
        let mut list = SourceList::default();
        let a = list.entry("https://a/feed");
        list.sources[a].keys = ["1", "2"].iter().map(|s| s.to_string()).collect();
        let b = list.entry("/feeds/b.xml");
        list.sources[b].keys = ["2", "3"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list.entry("https://a/feed"), a);
        assert_eq!(list.forget(a), vec!["1".to_string()]);
        assert_eq!(list.sources.len(), 1);
        assert!(is_url("HTTPS://x") && !is_url("/x/http://"));
    }
}
