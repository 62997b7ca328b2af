//! The episode-page text format: one page holds a full episode (title, `Published` date,
//! `Duration`, summary, `Episode Description`, `Overview`) and a `Recent Episodes of <podcast>`
//! list of brief entries (date, title, summary).

use super::record::{RecordError, Sink};
use crate::episode::{parse_date, parse_duration, Episode};
use crate::error::Result;

const PUBLISHED: &str = "Published ";
const DURATION: &str = "Duration:";
const DESCRIPTION: &str = "Episode Description";
const OVERVIEW: &str = "Overview";
const RECENT: &str = "Recent Episodes of ";

/// True when `text` has the landmarks of an episode page.
pub fn looks_like_page(text: &str) -> bool {
    let has = |p: &str| text.lines().any(|l| l.trim().starts_with(p));
    has(RECENT) || (has(PUBLISHED) && (has(DESCRIPTION) || has(DURATION)))
}

/// Read one page: the full episode first, then each recent entry.
pub fn read(bytes: &[u8], sink: &mut Sink) -> Result<()> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return sink(Err(RecordError::new(line, "invalid UTF-8")));
        }
    };
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .collect();
    let podcast = podcast_name(&lines);
    let find = |prefix: &str, from: usize| {
        lines[from..]
            .iter()
            .position(|(_, l)| l.starts_with(prefix))
            .map(|i| i + from)
    };
    let recent_at = lines
        .iter()
        .position(|(_, l)| l.starts_with(RECENT))
        .unwrap_or(lines.len());

    if let Some(published) = find(PUBLISHED, 0).filter(|&i| i < recent_at) {
        let (line_no, published_line) = lines[published];
        let date_text = &published_line[PUBLISHED.len()..];
        let date = match parse_date(date_text) {
            Some(d) => d,
            None => {
                return sink(Err(RecordError::new(
                    line_no,
                    format!("unrecognised date `{date_text}`"),
                )))
            }
        };
        let title = lines[..published]
            .iter()
            .rev()
            .map(|(_, l)| *l)
            .find(|l| !l.is_empty() && !l.ends_with(" thumbnail"))
            .map(str::to_string);
        let mut cursor = published + 1;
        let mut duration = None;
        if let Some(i) = find(DURATION, cursor).filter(|&i| i < recent_at) {
            let (n, l) = lines[i];
            let value = l[DURATION.len()..].trim();
            match parse_duration(value) {
                Some(d) => duration = Some(d),
                None => {
                    return sink(Err(RecordError::new(
                        n,
                        format!("unrecognised duration `{value}`"),
                    )))
                }
            }
            cursor = i + 1;
        }
        let description_at = find(DESCRIPTION, cursor).filter(|&i| i < recent_at);
        let overview_at = lines[cursor..recent_at]
            .iter()
            .position(|(_, l)| *l == OVERVIEW)
            .map(|i| i + cursor);
        let summary_end = description_at.or(overview_at).unwrap_or(recent_at);
        let summary = paragraphs(&lines[cursor..summary_end]);
        let description = description_at
            .map(|d| paragraphs(&lines[d + 1..overview_at.filter(|&o| o > d).unwrap_or(recent_at)]))
            .unwrap_or_default();
        let overview = overview_at
            .map(|o| paragraphs(&lines[o + 1..recent_at]))
            .unwrap_or_default();
        sink(Ok(Episode {
            podcast: podcast.clone(),
            title,
            date: Some(date),
            duration,
            summary: non_empty(summary),
            description: non_empty(description),
            overview: non_empty(overview),
            ..Default::default()
        }))?;
    }

    // Recent entries: `<day> <Mon> <year> <title>`, then the summary lines until the next entry.
    let mut i = recent_at + 1;
    while i < lines.len() {
        let (line_no, l) = lines[i];
        if let Some((date, title)) = recent_entry(l) {
            let start = i + 1;
            let mut end = start;
            while end < lines.len()
                && recent_entry(lines[end].1).is_none()
                && !is_footer(lines[end].1)
            {
                end += 1;
            }
            let summary = paragraphs(&lines[start..end]);
            match date {
                Some(date) => sink(Ok(Episode {
                    podcast: podcast.clone(),
                    title: Some(title.to_string()),
                    date: Some(date),
                    summary: non_empty(summary),
                    ..Default::default()
                }))?,
                None => sink(Err(RecordError::new(
                    line_no,
                    "unrecognised date in recent entry",
                )))?,
            }
            i = end;
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn podcast_name(lines: &[(usize, &str)]) -> Option<String> {
    lines.iter().find_map(|(_, l)| {
        l.strip_prefix(RECENT)
            .or_else(|| {
                l.strip_prefix("More ")
                    .and_then(|r| r.strip_suffix(" episodes"))
            })
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
    })
}

fn is_footer(line: &str) -> bool {
    line.starts_with("More ") && line.ends_with(" episodes")
}

/// `24 Mar 2026 Bad Advice` → (date, title). The date is the first three words.
fn recent_entry(line: &str) -> Option<(Option<chrono::DateTime<chrono::Utc>>, &str)> {
    let mut words = line.splitn(4, ' ');
    let (day, month, year, title) = (words.next()?, words.next()?, words.next()?, words.next()?);
    let plausible = (1..=2).contains(&day.len())
        && day.bytes().all(|b| b.is_ascii_digit())
        && month.len() >= 3
        && month.chars().all(char::is_alphabetic)
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit());
    if !plausible || title.trim().is_empty() {
        return None;
    }
    Some((parse_date(&format!("{day} {month} {year}")), title.trim()))
}

/// Join lines into paragraphs separated by a blank line.
fn paragraphs(lines: &[(usize, &str)]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for (_, l) in lines {
        if l.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { " " });
        }
        out.push_str(l);
        blank = false;
    }
    out
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "More Show episodes\n\nEp One thumbnail\n\nEp One\n\nPublished 24 Feb 2026\n\nDuration: 13:03\n\nThe summary.\n\nEpisode Description\n\nThe description...\n\nOverview\n\nPara one.\n\nPara two.\n\nRecent Episodes of Show\n\n31 Mar 2026 Later One\n\nLater summary.\n\n3 Mar 2026 Earlier\n\nEarlier summary.\n\nMore Show episodes\n";

    fn parse(text: &str) -> Vec<Result<Episode, RecordError>> {
        let mut out = Vec::new();
        read(text.as_bytes(), &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn full_episode_and_recent_entries() {
        let out = parse(PAGE);
        assert_eq!(out.len(), 3);
        let full = out[0].as_ref().unwrap();
        assert_eq!(full.title.as_deref(), Some("Ep One"));
        assert_eq!(full.podcast.as_deref(), Some("Show"));
        assert_eq!(full.duration, Some(783));
        assert_eq!(full.summary.as_deref(), Some("The summary."));
        assert_eq!(full.description.as_deref(), Some("The description..."));
        assert_eq!(full.overview.as_deref(), Some("Para one.\n\nPara two."));
        let later = out[1].as_ref().unwrap();
        assert_eq!(later.title.as_deref(), Some("Later One"));
        assert_eq!(
            later.date.unwrap().to_rfc3339(),
            "2026-03-31T00:00:00+00:00"
        );
        assert_eq!(later.summary.as_deref(), Some("Later summary."));
        assert_eq!(
            out[2].as_ref().unwrap().summary.as_deref(),
            Some("Earlier summary.")
        );
    }

    #[test]
    fn a_bad_published_date_names_its_line() {
        let out = parse(&PAGE.replace("24 Feb 2026", "someday"));
        let e = out[0].as_ref().unwrap_err();
        assert_eq!(e.located("p.txt"), "p.txt:7: unrecognised date `someday`");
        assert!(looks_like_page(PAGE));
        assert!(!looks_like_page("# README\n\nPublished by us"));
    }
}
