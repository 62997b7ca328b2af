//! What every format hands on: a record read (an episode) or the reason it could not be, where
//! it goes, and how record fields map onto episode fields.

use std::collections::BTreeMap;

use crate::episode::Episode;
use crate::error::{Error, Result};

/// A record that could not be read, with where it sits in its file.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// 1-based line of the record (0 when the whole file is at fault).
    pub line: usize,
    /// 1-based column, where known.
    pub column: Option<usize>,
    pub reason: String,
}

impl RecordError {
    pub fn new(line: usize, reason: impl Into<String>) -> RecordError {
        RecordError {
            line,
            column: None,
            reason: reason.into(),
        }
    }

    /// `path:line:column: reason`, the form every bad record is reported in.
    pub fn located(&self, source: &str) -> String {
        match (self.line, self.column) {
            (0, _) => format!("{source}: {}", self.reason),
            (l, Some(c)) => format!("{source}:{l}:{c}: {}", self.reason),
            (l, None) => format!("{source}:{l}: {}", self.reason),
        }
    }
}

/// What a parser hands to its sink: an episode, or the reason a record was unreadable.
pub type Parsed = std::result::Result<Episode, RecordError>;

/// The sink that receives records; returning an error stops the file (used by `--strict`).
pub type Sink<'a> = dyn FnMut(Parsed) -> Result<()> + 'a;

/// Episode field names, the targets of `--map`.
pub const TARGET_FIELDS: [&str; 12] = [
    "id",
    "podcast",
    "title",
    "date",
    "duration",
    "summary",
    "description",
    "overview",
    "url",
    "language",
    "transcript",
    "chapters",
];

/// How record fields of JSON and CSV inputs map onto episode fields (`--map TARGET=SOURCE`).
#[derive(Debug, Clone, Default)]
pub struct FieldMap {
    explicit: BTreeMap<String, String>,
}

impl FieldMap {
    /// Parse `TARGET=SOURCE` pairs.
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Result<FieldMap> {
        let mut explicit = BTreeMap::new();
        for pair in pairs {
            let pair = pair.as_ref();
            let (target, source) = pair
                .split_once('=')
                .ok_or_else(|| Error::Invalid(format!("--map {pair}: expected TARGET=SOURCE")))?;
            let target = target.trim();
            if !TARGET_FIELDS.contains(&target) {
                return Err(Error::Invalid(format!(
                    "--map {pair}: unknown field `{target}` (one of {})",
                    TARGET_FIELDS.join(", ")
                )));
            }
            explicit.insert(target.to_string(), source.trim().to_string());
        }
        Ok(FieldMap { explicit })
    }

    /// The record keys to try for `target`, in order: the mapped one alone when mapped, else the
    /// field's own name and its common aliases in other exports.
    pub fn sources(&self, target: &str) -> Vec<&str> {
        if let Some(s) = self.explicit.get(target) {
            return vec![s.as_str()];
        }
        match target {
            "id" => vec!["id", "guid"],
            "podcast" => vec!["podcast", "show", "series", "podcast_title", "channel"],
            "title" => vec!["title", "name"],
            "date" => vec!["date", "published", "pub_date", "pubDate", "date_published"],
            "duration" => vec!["duration", "length", "duration_seconds"],
            "summary" => vec!["summary", "subtitle"],
            "description" => vec!["description", "content"],
            "overview" => vec!["overview"],
            "url" => vec!["url", "link", "audio_url", "website_url", "abs_url"],
            "language" => vec!["language", "lang"],
            "transcript" => vec!["transcript", "transcript_url", "transcript_path"],
            "chapters" => vec!["chapters", "chapters_url", "chapters_path"],
            _ => vec![],
        }
    }
}
