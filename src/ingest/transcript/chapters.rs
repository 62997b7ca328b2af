//! Podcasting 2.0 chapters JSON (version 1.x): start times, titles and links.

use serde_json::Value;

use crate::episode::Chapter;

use super::cues::{Parsed, TranscriptError};
use super::json::{parse_lenient, seconds};
use super::text::collapse;
use super::timing::MAX_SECONDS;

/// Read a chapters file (already decoded), chapters sorted by start (stably).
///
/// Chapters marked `"toc": false` are kept. The spec hides them from a player's table of
/// contents, but they are real moments with real titles (cd SPILL uses them for the tracks of a
/// game's soundtrack), the feed's inline `<psc:chapter>` list carries them too, and `Chapter`
/// has no flag to tell them apart: dropping them would lose searchable text for a display
/// choice the front ends can still make. A chapter without a usable start or title is skipped
/// with a warning naming it; a file without a `chapters` list is an error.
pub fn read(text: &str) -> Result<Parsed<Vec<Chapter>>, TranscriptError> {
    let root = parse_lenient(text)?;
    let Some(Value::Array(list)) = root.get("chapters") else {
        return Err(TranscriptError::new(0, "no \"chapters\" list"));
    };
    let mut warnings = Vec::new();
    if let Some(version) = root.get("version").and_then(Value::as_str) {
        if !version.trim().starts_with("1.") && version.trim() != "1" {
            warnings.push(TranscriptError::new(
                0,
                format!("chapters version {version} is not 1.x; read as 1.x"),
            ));
        }
    }
    let mut chapters = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let number = i + 1;
        let start = match item.get("startTime").map(seconds) {
            Some(Some(start)) if (0.0..=MAX_SECONDS).contains(&start) => start,
            Some(Some(_)) => {
                warnings.push(TranscriptError::new(
                    0,
                    format!("chapter {number}: startTime out of range; chapter dropped"),
                ));
                continue;
            }
            Some(None) => {
                warnings.push(TranscriptError::new(
                    0,
                    format!("chapter {number}: startTime is not a number; chapter dropped"),
                ));
                continue;
            }
            None => {
                warnings.push(TranscriptError::new(
                    0,
                    format!("chapter {number}: no startTime; chapter dropped"),
                ));
                continue;
            }
        };
        let title = collapse(item.get("title").and_then(Value::as_str).unwrap_or(""));
        if title.is_empty() {
            warnings.push(TranscriptError::new(
                0,
                format!("chapter {number}: no title; chapter dropped"),
            ));
            continue;
        }
        let url = item
            .get("url")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        chapters.push(Chapter { start, title, url });
    }
    if chapters.is_empty() && !warnings.is_empty() && !list.is_empty() {
        let first = &warnings[0];
        return Err(TranscriptError::new(
            0,
            format!("no readable chapters; first problem: {}", first.reason),
        ));
    }
    chapters.sort_by(|a, b| a.start.total_cmp(&b.start));
    Ok(Parsed {
        value: chapters,
        warnings,
        chapters: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_hidden_ones_included_and_sorted() {
        let text = r#"{"version":"1.2.0","chapters":[
            {"startTime":41.97,"title":"Velkommen til cd SPILL"},
            {"startTime":0,"title":"Intro","img":"x.jpg"},
            {"startTime":2024.502,"title":"Vineyard","toc":false},
            {"startTime":1944.116,"title":" Ulike  endings ","url":"https://example.org/out"}]}"#;
        let parsed = read(text).unwrap();
        assert!(parsed.warnings.is_empty());
        let got: Vec<_> = parsed
            .value
            .iter()
            .map(|c| (c.start, c.title.as_str(), c.url.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (0.0, "Intro", None),
                (41.97, "Velkommen til cd SPILL", None),
                (1944.116, "Ulike endings", Some("https://example.org/out")),
                (2024.502, "Vineyard", None),
            ]
        );
    }

    #[test]
    fn bad_chapters_warn() {
        let text = r#"{"version":"2.0","chapters":[{"startTime":NaN,"title":"a"},
            {"startTime":-1,"title":"b"},{"title":"c"},{"startTime":5},{"startTime":"7.5","title":"ok"}]}"#;
        let parsed = read(text).unwrap();
        let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            [
                "line 0: chapters version 2.0 is not 1.x; read as 1.x",
                "line 0: chapter 1: startTime is not a number; chapter dropped",
                "line 0: chapter 2: startTime out of range; chapter dropped",
                "line 0: chapter 3: no startTime; chapter dropped",
                "line 0: chapter 4: no title; chapter dropped",
            ]
        );
        assert_eq!(parsed.value[0].start, 7.5);
        assert_eq!(
            read("{}").unwrap_err().to_string(),
            "line 0: no \"chapters\" list"
        );
    }
}
