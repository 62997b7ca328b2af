//! What a search is asked: the query, the page, filters, order, and the weights every ranking
//! pass shares.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

use super::synonyms::Synonyms;
use crate::error::{Error, Result};

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 2.0;
/// Weight of a match in what was said, relative to a body match: a transcript holds an hour
/// of talk, where a word said in passing is weaker evidence than one in the summary (chosen on
/// the judged transcript set: `tests/judged-transcripts.tsv`).
pub const TRANSCRIPT_WEIGHT: f32 = 0.5;
/// Weight of a match in a chapter title: a heading someone wrote, like a summary's words.
pub const CHAPTERS_WEIGHT: f32 = 1.0;

/// The weight of a match in `field` (the title's depends on the query: see `TITLE_BOOST`).
pub fn field_weight(f: &crate::index::schema::Fields, field: tantivy::schema::Field) -> f32 {
    match f.spoken {
        Some(s) if field == s.transcript => TRANSCRIPT_WEIGHT,
        Some(s) if field == s.chapters => CHAPTERS_WEIGHT,
        _ => 1.0,
    }
}

/// Weight of a word found through a spelling correction, relative to a word found as typed.
pub const CORRECTION_WEIGHT: f32 = 0.7;
/// Result order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// Everything a search needs to know.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// Inclusive lower bound on the date.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound on the date.
    pub until: Option<DateTime<Utc>>,
    /// Case-insensitive exact podcast name.
    pub podcast: Option<String>,
    pub min_duration: Option<u64>,
    pub max_duration: Option<u64>,
    pub sort: SortOrder,
    /// Longest snippet, in characters.
    pub snippet_chars: usize,
    /// Abbreviations and synonyms that plain-word queries are widened with.
    pub synonyms: Synonyms,
    /// Explain each hit's rank (`Hit::explain`); off, nothing of it is built.
    pub explain: bool,
    /// Moments shown per hit, where its transcript holds the words (0: none looked for).
    pub moments: usize,
    /// Only episodes where this person speaks, and only their moments (any case).
    pub speaker: Option<String>,
    /// Only episodes in this language: a BCP 47 tag, `de` taking in `de-at`.
    pub language: Option<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            query: String::new(),
            limit: 10,
            offset: 0,
            since: None,
            until: None,
            podcast: None,
            min_duration: None,
            max_duration: None,
            sort: SortOrder::Relevance,
            snippet_chars: 200,
            synonyms: Synonyms::builtin(),
            explain: false,
            moments: super::moments::DEFAULT_MOMENTS,
            speaker: None,
            language: None,
        }
    }
}

impl SearchOptions {
    pub fn new(query: impl Into<String>) -> SearchOptions {
        SearchOptions {
            query: query.into(),
            ..Default::default()
        }
    }
}

/// A date period typed by a user: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    /// Exclusive end.
    pub end: DateTime<Utc>,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period> {
        let bad = || {
            Error::Invalid(format!(
                "invalid date `{s}`: expected YYYY, YYYY-MM or YYYY-MM-DD"
            ))
        };
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (start, end) = match parts.as_slice() {
            [y] => {
                let y = num(y, 4)? as i32;
                (ymd(y, 1, 1), ymd(y + 1, 1, 1))
            }
            [y, m] => {
                let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
                let start = ymd(y, m, 1);
                let next = if m == 12 {
                    ymd(y + 1, 1, 1)
                } else {
                    ymd(y, m + 1, 1)
                };
                (start, next)
            }
            [y, m, d] => {
                let start = ymd(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?);
                (start, start.and_then(|s| s.succ_opt()))
            }
            _ => return Err(bad()),
        };
        let to_utc = |d: Option<NaiveDate>| -> Result<DateTime<Utc>> {
            let d = d.ok_or_else(bad)?;
            Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).ok_or_else(bad)?))
        };
        Ok(Period {
            start: to_utc(start)?,
            end: to_utc(end)?,
        })
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).filter(|d| d.year() > 0)
}
