//! The `Episode` record: the one data model every input format converges on.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// One podcast episode, as ingested from any format.
///
/// Every field is optional because real data omits any of them; `Episode::key` derives a stable
/// identity when no explicit `id` is given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub id: Option<String>,
    pub podcast: Option<String>,
    pub title: Option<String>,
    pub date: Option<DateTime<Utc>>,
    /// Length in whole seconds.
    pub duration: Option<u64>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub overview: Option<String>,
    pub url: Option<String>,
    /// BCP 47 language tag as declared by the source (`en-us`, `de`), lower-cased.
    pub language: Option<String>,
    /// Where the episode's transcripts are (Podcasting 2.0 `podcast:transcript`, or a record's
    /// `transcript` field): a URL, or a local path resolved against the file that named it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<TranscriptLink>,
    /// Where its chapters are (`podcast:chapters`, or a record's `chapters` field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapters_url: Option<String>,
    /// The podcast's own `podcast:guid`, which survives a move to another host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub podcast_guid: Option<String>,
    /// The transcript once read (from one of `transcripts`, or attached by hand).
    #[serde(skip)]
    pub transcript: Option<Transcript>,
    /// The chapters once read, in order of their start.
    #[serde(skip)]
    pub chapters: Vec<Chapter>,
    /// The link `transcript` was read from (none when it was attached by hand): a URL the
    /// index holds a transcript from is not fetched again.
    #[serde(skip)]
    pub transcript_from: Option<String>,
    /// The link `chapters` were read from: the chapters link, or the transcript's.
    #[serde(skip)]
    pub chapters_from: Option<String>,
}

/// A link to a transcript file: `<podcast:transcript url type language rel>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLink {
    pub url: String,
    /// The media type the link declares (`text/vtt`, `application/json`, ...).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// True for a link that is fetched (`http://`, `https://`, any case) rather than read from
/// disk: a source, a transcript or a chapters link.
pub fn is_url(link: &str) -> bool {
    let link = link.trim_start();
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What was said in an episode, cue by cue, in the order of their start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    pub cues: Vec<Cue>,
    /// False for plain text: it is searchable, but has no moments to land on.
    pub timed: bool,
    /// The language the file declares, when it does.
    pub language: Option<String>,
}

/// One stretch of speech: seconds from the start of the episode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cue {
    pub start: f64,
    pub end: f64,
    pub speaker: Option<String>,
    pub text: String,
}

/// One chapter: its start in seconds and its title.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chapter {
    pub start: f64,
    pub title: String,
    pub url: Option<String>,
}

impl Episode {
    /// The identity used for upserts: the explicit id, else podcast + normalised title + day.
    /// A key over `MAX_KEY_BYTES` is cut and given a hash of the whole, since the index drops
    /// terms over 64 KiB: such an episode could never be found again to update.
    pub fn key(&self) -> String {
        if let Some(id) = self.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            return bounded_key(id.to_string());
        }
        let podcast = normalise_for_key(self.podcast.as_deref().unwrap_or(""));
        let title = normalise_for_key(self.title.as_deref().unwrap_or(""));
        let day = self
            .date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        bounded_key(format!("{podcast}|{title}|{day}"))
    }

    /// The key `self.normalise().key()` gives, without copying the rest of the episode: the key
    /// reads only the id, podcast, title and date, each normalised on its own.
    pub fn normalised_key(&self) -> String {
        Episode {
            id: self.id.clone(),
            podcast: self.podcast.clone(),
            title: self.title.clone(),
            date: self.date,
            ..Episode::default()
        }
        .normalise()
        .key()
    }

    /// True when the record carries nothing a person could search for.
    pub fn is_empty(&self) -> bool {
        [
            &self.title,
            &self.summary,
            &self.description,
            &self.overview,
        ]
        .iter()
        .all(|f| f.as_deref().is_none_or(|s| s.trim().is_empty()))
    }

    /// Fold `newer` into `self` so that nothing already known is lost: a text field is replaced
    /// only by a longer one, any other field only fills a gap or takes a new present value.
    pub fn merge(&mut self, newer: Episode) {
        fn longer(old: &mut Option<String>, new: Option<String>) {
            if let Some(new) = new {
                let old_len = old.as_deref().map_or(0, |s| s.chars().count());
                if new.chars().count() > old_len {
                    *old = Some(new);
                }
            }
        }
        fn present<T>(old: &mut Option<T>, new: Option<T>) {
            if new.is_some() {
                *old = new;
            }
        }
        present(&mut self.id, newer.id);
        longer(&mut self.podcast, newer.podcast);
        longer(&mut self.title, newer.title);
        present(&mut self.date, newer.date);
        present(&mut self.duration, newer.duration);
        longer(&mut self.summary, newer.summary);
        longer(&mut self.description, newer.description);
        longer(&mut self.overview, newer.overview);
        present(&mut self.url, newer.url);
        present(&mut self.language, newer.language);
        if !newer.transcripts.is_empty() {
            self.transcripts = newer.transcripts;
        }
        present(&mut self.chapters_url, newer.chapters_url);
        present(&mut self.podcast_guid, newer.podcast_guid);
        // A new version of a transcript or of chapters replaces the old one, and where it
        // came from with it; a record without one keeps the old. The same one attached by
        // hand (from no link) still came from where it came from.
        if let Some(transcript) = newer.transcript {
            if newer.transcript_from.is_some() || self.transcript.as_ref() != Some(&transcript) {
                self.transcript_from = newer.transcript_from;
            }
            self.transcript = Some(transcript);
        }
        if !newer.chapters.is_empty() {
            if newer.chapters_from.is_some() || self.chapters != newer.chapters {
                self.chapters_from = newer.chapters_from;
            }
            self.chapters = newer.chapters;
        }
    }

    /// Trim every text field, drop empty ones and remove control characters (terminal escapes
    /// among them) so nothing unprintable reaches the index. A date the index cannot hold (see
    /// `indexable_date`) is dropped.
    pub fn normalise(mut self) -> Episode {
        for field in [
            &mut self.id,
            &mut self.podcast,
            &mut self.title,
            &mut self.summary,
            &mut self.description,
            &mut self.overview,
            &mut self.url,
            &mut self.language,
        ] {
            *field = field.take().and_then(|s| {
                let clean = strip_controls(&s);
                let trimmed = clean.trim();
                (!trimmed.is_empty()).then(|| trimmed.to_string())
            });
        }
        // Single-line fields: collapse inner whitespace.
        for field in [
            &mut self.podcast,
            &mut self.title,
            &mut self.id,
            &mut self.url,
        ] {
            if let Some(s) = field.as_mut() {
                if s.contains(char::is_whitespace) {
                    *s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                }
            }
        }
        // The index keeps whole seconds; so does the model, so a stored episode compares equal.
        self.date = self
            .date
            .and_then(|d| DateTime::from_timestamp(d.timestamp(), 0))
            .filter(indexable_date);
        if let Some(lang) = self.language.as_mut() {
            *lang = lang.to_lowercase();
        }
        // Times as the index keeps them (whole milliseconds), so a stored transcript compares
        // equal to the same one read again.
        if let Some(transcript) = self.transcript.as_mut() {
            for cue in &mut transcript.cues {
                cue.start = whole_millis(cue.start);
                cue.end = whole_millis(cue.end);
            }
        }
        for chapter in &mut self.chapters {
            chapter.start = whole_millis(chapter.start);
        }
        self
    }
}

/// Seconds rounded to whole milliseconds, at least zero and at most what 32 bits of
/// milliseconds hold (49 days).
pub fn whole_millis(seconds: f64) -> f64 {
    f64::from(millis(seconds)) / 1000.0
}

/// Seconds as whole milliseconds (see `whole_millis`): how the index stores times.
pub fn millis(seconds: f64) -> u32 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1000.0).round().min(f64::from(u32::MAX - 1)) as u32
    } else {
        0
    }
}

/// Remove C0/C1 control characters except newline and tab (ANSI escapes start with ESC).
pub fn strip_controls(s: &str) -> String {
    if !s.chars().any(is_unwanted_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Drop a whole CSI sequence (`ESC [ ... final`), not just the ESC byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                while let Some(&n) = chars.peek() {
                    chars.next();
                    if ('@'..='~').contains(&n) {
                        break;
                    }
                }
            }
            continue;
        }
        if c == '\r' {
            out.push('\n');
            continue;
        }
        if !is_unwanted_control(c) {
            out.push(c);
        }
    }
    out
}

fn is_unwanted_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Longest key kept as it is.
pub const MAX_KEY_BYTES: usize = 1024;

/// FNV-1a of `s`: the same in every build and version (std's hasher promises neither).
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `key` itself, or its first kilobyte with `#` and a stable hash (FNV-1a) of all of it.
fn bounded_key(key: String) -> String {
    if key.len() <= MAX_KEY_BYTES {
        return key;
    }
    let hash = stable_hash(&key);
    let mut cut = MAX_KEY_BYTES - 17;
    while !key.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}#{hash:016x}", &key[..cut])
}

fn normalise_for_key(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the index can hold this date: it keeps nanoseconds in an i64, which spans the years
/// 1677 to 2262.
pub fn indexable_date(d: &DateTime<Utc>) -> bool {
    d.timestamp().checked_mul(1_000_000_000).is_some()
}

/// Parse a date as people and feeds write them: RFC 3339, `YYYY-MM-DD`, RFC 2822 (and its
/// real-world variants: no weekday, a named zone, a one-digit day), `24 Feb 2026`, Unix seconds.
pub fn parse_date(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Some(d) = sql_timestamp(s) {
        return Some(d);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    for fmt in [
        "%Y-%m-%d",
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%Y/%m/%d",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|d| Utc.from_utc_datetime(&d));
        }
    }
    if s.len() >= 9 && s.len() <= 11 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0));
    }
    parse_loose_rfc2822(s)
}

/// Database exports: `2021-11-12 12:44:00+00`, `2021-11-12T12:44:00.5+0100`.
fn sql_timestamp(s: &str) -> Option<DateTime<Utc>> {
    if s.len() < 16 || !s.is_ascii() || !matches!(&s[10..11], " " | "T") {
        return None;
    }
    let mut t = format!("{}T{}", &s[..10], &s[11..]);
    let zone_at = t[11..].rfind(['+', '-']).map(|i| i + 11);
    match zone_at {
        Some(i) if t.len() - i == 3 => t.push_str(":00"),
        Some(i) if t.len() - i == 5 => t.insert(i + 3, ':'),
        Some(_) => {}
        None if t.ends_with('Z') => {}
        None => t.push('Z'),
    }
    if t.len() == 19 || t[16..].starts_with(['+', '-', 'Z']) {
        // No seconds: `2021-11-12T12:44+00:00`.
        t.insert_str(16, ":00");
    }
    DateTime::parse_from_rfc3339(&t)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// RFC 2822 as feeds really write it: optional weekday (possibly misspelt or unabbreviated),
/// named or missing zones, missing seconds.
fn parse_loose_rfc2822(s: &str) -> Option<DateTime<Utc>> {
    let mut parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .collect();
    if parts
        .first()
        .is_some_and(|p| p.chars().all(|c| c.is_alphabetic()) && p.len() >= 3)
    {
        parts.remove(0);
    }
    if parts.len() < 3 {
        return None;
    }
    let (day, month, year) = if parts[0].chars().all(|c| c.is_ascii_digit()) {
        (parts[0], parts[1], parts[2])
    } else {
        // `Feb 24 2026` ordering
        (parts[1], parts[0], parts[2])
    };
    let day: u32 = day.parse().ok()?;
    let month = month_number(month)?;
    let mut year: i32 = year.parse().ok()?;
    if year < 100 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (mut h, mut m, mut sec) = (0, 0, 0);
    let mut offset_secs: i32 = 0;
    if let Some(time) = parts.get(3) {
        let t: Vec<&str> = time.split(':').collect();
        h = t.first()?.parse().ok()?;
        m = t.get(1).map_or(Some(0), |v| v.parse().ok())?;
        sec = t
            .get(2)
            .map_or(Some(0), |v| v.split('.').next()?.parse().ok())?;
        if let Some(zone) = parts.get(4) {
            offset_secs = zone_offset(zone).unwrap_or(0);
        }
    }
    let naive = date.and_hms_opt(h, m, sec.min(59))?;
    let utc = Utc.from_utc_datetime(&naive) - chrono::Duration::seconds(offset_secs as i64);
    Some(utc)
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix = lower.get(..3)?;
    months
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

fn zone_offset(zone: &str) -> Option<i32> {
    let z = zone.trim();
    if let Some(sign) = z.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() != 4 {
            return None;
        }
        let hours: i32 = digits[..2].parse().ok()?;
        let mins: i32 = digits[2..].parse().ok()?;
        let secs = hours * 3600 + mins * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let hours = match z.to_ascii_uppercase().as_str() {
        "GMT" | "UT" | "UTC" | "Z" | "WET" => 0,
        "BST" | "CET" | "WEST" => 1,
        "CEST" | "EET" => 2,
        "EEST" | "MSK" => 3,
        "IST" => 5,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AEST" => 10,
        "AEDT" => 11,
        "JST" | "KST" => 9,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Parse a duration: whole or fractional seconds, `MM:SS`, `H:MM:SS`.
pub fn parse_duration(input: &str) -> Option<u64> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let mut total = 0f64;
    for (i, part) in parts.iter().enumerate() {
        let part = part.trim();
        let value: f64 = if i + 1 == parts.len() {
            part.parse().ok()?
        } else {
            part.parse::<u64>().ok()? as f64
        };
        if !value.is_finite() || value < 0.0 {
            return None;
        }
        total = total * 60.0 + value;
    }
    if total > 1e9 {
        return None;
    }
    Some(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normalised_key_is_the_key_of_the_normalised_episode() {
        let messy = Episode {
            podcast: Some("  The\tShow \u{7}".into()),
            title: Some(" Tech   Debt\n".into()),
            summary: Some("Long text.".into()),
            date: DateTime::from_timestamp(1_700_000_000, 123_000_000),
            ..Episode::default()
        };
        assert_eq!(messy.normalised_key(), messy.clone().normalise().key());
        assert_eq!(messy.normalised_key(), "the show|tech debt|2023-11-14");
        let with_id = Episode {
            id: Some(" ep\n 1 ".into()),
            ..messy
        };
        assert_eq!(with_id.normalised_key(), with_id.clone().normalise().key());
    }

    #[test]
    fn long_keys_are_cut_with_a_hash_of_the_whole() {
        let with_id = |id: String| Episode {
            id: Some(id),
            ..Episode::default()
        };
        assert_eq!(with_id("a".repeat(1024)).key(), "a".repeat(1024));
        let long = with_id(format!("{}1", "é".repeat(50_000))).key();
        assert_eq!(long.len(), 1023);
        assert!(long.starts_with(&"é".repeat(503)));
        assert_eq!(long, with_id(format!("{}1", "é".repeat(50_000))).key());
        assert_ne!(long, with_id(format!("{}2", "é".repeat(50_000))).key());
    }

    fn ymd(s: &str) -> String {
        parse_date(s).unwrap().to_rfc3339()
    }

    #[test]
    fn dates_in_every_accepted_form() {
        assert_eq!(ymd("2026-02-24"), "2026-02-24T00:00:00+00:00");
        assert_eq!(ymd("24 Feb 2026"), "2026-02-24T00:00:00+00:00");
        assert_eq!(ymd("3 Mar 2026"), "2026-03-03T00:00:00+00:00");
        assert_eq!(
            ymd("2026-02-24T10:00:00+02:00"),
            "2026-02-24T08:00:00+00:00"
        );
        assert_eq!(
            ymd("Tue, 24 Feb 2026 10:00:00 GMT"),
            "2026-02-24T10:00:00+00:00"
        );
        assert_eq!(
            ymd("Tue, 24 Feb 2026 10:00:00 +0100"),
            "2026-02-24T09:00:00+00:00"
        );
        assert_eq!(ymd("24 Feb 2026 10:00:00 EST"), "2026-02-24T15:00:00+00:00");
        assert_eq!(
            ymd("Tue, 3 Feb 2026 10:00 PST"),
            "2026-02-03T18:00:00+00:00"
        );
        assert_eq!(
            ymd("Tuesday, 03 Feb 2026 10:00:00"),
            "2026-02-03T10:00:00+00:00"
        );
        assert_eq!(ymd("2021-11-12 12:44:00+00"), "2021-11-12T12:44:00+00:00");
        assert_eq!(
            ymd("2021-11-12 12:44:00.25+0100"),
            "2021-11-12T11:44:00.250+00:00"
        );
        assert_eq!(ymd("2021-11-12 12:44"), "2021-11-12T12:44:00+00:00");
        assert!(parse_date("yesterday").is_none());
        assert!(parse_date("").is_none());
    }

    #[test]
    fn durations_in_every_accepted_form() {
        assert_eq!(parse_duration("783"), Some(783));
        assert_eq!(parse_duration("13:03"), Some(783));
        assert_eq!(parse_duration("1:00:05"), Some(3605));
        assert_eq!(parse_duration("1:00:05.6"), Some(3606));
        assert_eq!(parse_duration("42.4"), Some(42));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("-5"), None);
        assert_eq!(parse_duration("1:2:3:4"), None);
    }

    #[test]
    fn derived_key_ignores_case_punctuation_and_time_of_day() {
        let a = Episode {
            podcast: Some("All Things Product".into()),
            title: Some("Bad  Advice!".into()),
            date: parse_date("24 Mar 2026"),
            ..Default::default()
        };
        let b = Episode {
            podcast: Some("all things product".into()),
            title: Some("bad advice".into()),
            date: parse_date("2026-03-24T18:00:00Z"),
            ..Default::default()
        };
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), "all things product|bad advice|2026-03-24");
    }

    #[test]
    fn merge_keeps_the_fuller_fields_in_either_order() {
        let full = Episode {
            title: Some("Bad Advice".into()),
            summary: Some("short".into()),
            overview: Some("a long overview".into()),
            duration: Some(600),
            ..Default::default()
        };
        let brief = Episode {
            title: Some("Bad Advice".into()),
            summary: Some("a longer summary".into()),
            ..Default::default()
        };
        let mut a = full.clone();
        a.merge(brief.clone());
        let mut b = brief;
        b.merge(full);
        assert_eq!(a, b);
        assert_eq!(a.overview.as_deref(), Some("a long overview"));
        assert_eq!(a.summary.as_deref(), Some("a longer summary"));
        assert_eq!(a.duration, Some(600));
    }

    #[test]
    fn normalise_strips_terminal_escapes() {
        let e = Episode {
            title: Some("\u{1b}[31mRed\u{1b}[0m \u{7}title ".into()),
            ..Default::default()
        }
        .normalise();
        assert_eq!(e.title.as_deref(), Some("Red title"));
    }
}
