//! Text for people: one block a hit, highlights in bold colour or between `**` markers.

use std::io::{self, Write};

use super::{format_duration, format_size, Style};
use crate::index::indexer::Stats;
use crate::measure::bench::Latency;
use crate::measure::eval::{differing, Judgment, Report, MRR_DEPTH};
use crate::search::facets::Counts;
use crate::search::moments::clock;
use crate::search::results::{Explanation, Hit};
use crate::search::snippet::Highlighted;

const HIGHLIGHT_ON: &str = "\x1b[1;31m";
const TITLE_ON: &str = "\x1b[1m";
const DIM_ON: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";
/// Shown around highlights when colour is off.
pub const MARKER: &str = "**";

/// Print hits, one block each, separated by blank lines.
pub fn write_hits<W: Write>(out: &mut W, hits: &[Hit], style: Style) -> io::Result<()> {
    for (i, hit) in hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let e = &hit.episode;
        write!(out, "{}. ", hit.rank)?;
        if style == Style::Color {
            write!(out, "{TITLE_ON}")?;
        }
        if hit.title.text.is_empty() {
            write!(out, "(untitled)")?;
        } else {
            write_highlighted(out, &hit.title, style, Some(TITLE_ON))?;
        }
        if style == Style::Color {
            write!(out, "{RESET}")?;
        }
        writeln!(out)?;
        let mut meta = Vec::new();
        if let Some(p) = &e.podcast {
            meta.push(clean(p));
        }
        if let Some(d) = e.date {
            meta.push(d.format("%Y-%m-%d").to_string());
        }
        if let Some(d) = e.duration {
            meta.push(format_duration(d));
        }
        if !meta.is_empty() {
            match style {
                Style::Color => writeln!(out, "   {DIM_ON}{}{RESET}", meta.join(" · "))?,
                Style::Plain => writeln!(out, "   {}", meta.join(" · "))?,
            }
        }
        if !hit.snippet.text.is_empty() {
            write!(out, "   ")?;
            write_highlighted(out, &hit.snippet, style, None)?;
            writeln!(out)?;
        }
        if let Some(c) = &hit.chapter {
            writeln!(out, "   chapter {}  {}", clock(c.start), clean(&c.title))?;
        }
        for m in &hit.moments {
            write!(out, "  {:>7}  ", clock(m.start))?;
            if let Some(speaker) = &m.speaker {
                write!(out, "{}: ", clean(speaker))?;
            }
            let said = Highlighted {
                text: m.text.clone(),
                highlights: m.highlights.clone(),
            };
            write_highlighted(out, &said, style, None)?;
            match (&m.chapter, style) {
                (Some(c), Style::Color) => writeln!(out, "  {DIM_ON}[{}]{RESET}", clean(c))?,
                (Some(c), Style::Plain) => writeln!(out, "  [{}]", clean(c))?,
                (None, _) => writeln!(out)?,
            }
        }
        if let Some(x) = &hit.explain {
            write_explanation(out, hit.score, x)?;
        }
    }
    Ok(())
}

/// Why a hit ranks where it does, in lines under it:
/// `   why: 1034.20 = every word +1000 (holds every word of content), phrase 0 (...)`,
/// then one line for the words and one for the function words passed over.
fn write_explanation<W: Write>(out: &mut W, score: f32, x: &Explanation) -> io::Result<()> {
    if x.literal {
        return writeln!(
            out,
            "   why: {score:.2}: BM25 of the query taken literally (operators, quotes or fields: no tiers)"
        );
    }
    let tiers: Vec<String> = x
        .tiers
        .iter()
        .map(|t| {
            let earned = if t.earned {
                format!("+{:.0}", t.bonus)
            } else {
                "no".to_string()
            };
            format!("{} {earned} ({})", t.tier, t.why)
        })
        .collect();
    let bonuses: f32 = x.tiers.iter().filter(|t| t.earned).map(|t| t.bonus).sum();
    let mut head = format!("   why: {score:.2} = ");
    if !tiers.is_empty() {
        head.push_str(&tiers.join(", "));
        head.push_str(", ");
    }
    let kind = if x.long {
        "words (long query: the title weighs as a body, each word held adds its coordination)"
    } else {
        "words"
    };
    writeln!(out, "{head}{kind} {:.2}", score - bonuses)?;
    let words: Vec<String> = x
        .words
        .iter()
        .map(|w| {
            let mut found: Vec<String> = w
                .fields
                .iter()
                .map(|(field, s)| format!("{field} {s:.2}"))
                .collect();
            if w.coordination > 0.0 {
                found.push(format!("held +{:.2}", w.coordination));
            }
            if found.is_empty() {
                format!("{}: not in the title or a body", clean(&w.word))
            } else {
                format!("{}: {}", clean(&w.word), found.join(", "))
            }
        })
        .collect();
    writeln!(out, "     {}", words.join("; "))?;
    if !x.function_words.is_empty() {
        let typed: Vec<String> = x.function_words.iter().map(|w| clean(w)).collect();
        writeln!(
            out,
            "     function words, which score nothing on their own: {}",
            typed.join(", ")
        )?;
    }
    Ok(())
}

/// Write text with its highlights; `resume` is the style to restore after each highlight.
fn write_highlighted<W: Write>(
    out: &mut W,
    h: &Highlighted,
    style: Style,
    resume: Option<&str>,
) -> io::Result<()> {
    let mut at = 0;
    for r in &h.highlights {
        if r.start < at || r.end > h.text.len() {
            continue;
        }
        write!(out, "{}", clean(&h.text[at..r.start]))?;
        let word = clean(&h.text[r.clone()]);
        match style {
            Style::Color => write!(out, "{HIGHLIGHT_ON}{word}{RESET}{}", resume.unwrap_or(""))?,
            Style::Plain => write!(out, "{MARKER}{word}{MARKER}")?,
        }
        at = r.end;
    }
    write!(out, "{}", clean(&h.text[at..]))
}

/// Text safe for a terminal: control characters (escape sequences among them) are dropped and
/// line breaks become spaces so a hit stays one block.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Print latency figures, one per line, times in microseconds.
pub fn write_latency<W: Write>(out: &mut W, l: &Latency) -> io::Result<()> {
    writeln!(out, "queries     {} x {} runs", l.queries, l.runs)?;
    writeln!(out, "p50         {:.0} us", l.p50_us)?;
    writeln!(out, "p95         {:.0} us", l.p95_us)?;
    writeln!(out, "p99         {:.0} us", l.p99_us)?;
    writeln!(out, "max         {:.0} us", l.max_us)?;
    writeln!(out, "mean        {:.0} us", l.mean_us)?;
    writeln!(out, "queries/s   {:.0}", l.qps)?;
    for (i, slow) in l.slowest.iter().enumerate() {
        let label = if i == 0 { "slowest" } else { "" };
        writeln!(
            out,
            "{label:<11} {:.0} us  {}",
            slow.median_us,
            clean(&slow.query)
        )?;
    }
    Ok(())
}

/// Print index figures, one per line.
pub fn write_stats<W: Write>(out: &mut W, s: &Stats) -> io::Result<()> {
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or("-".to_string(), |d| d.format("%Y-%m-%d").to_string())
    };
    writeln!(out, "episodes    {}", s.episodes)?;
    writeln!(out, "podcasts    {}", s.podcasts)?;
    writeln!(out, "first date  {}", date(s.first_date))?;
    writeln!(out, "last date   {}", date(s.last_date))?;
    writeln!(
        out,
        "size        {} ({} bytes)",
        format_size(s.size_bytes),
        s.size_bytes
    )?;
    writeln!(out, "segments    {}", s.segments)
}

/// Evaluation figures: one line an engine, then each engine's misses.
pub fn write_eval<W: Write>(
    out: &mut W,
    set: &str,
    judgments: &[Judgment],
    reports: &[Report],
) -> io::Result<()> {
    writeln!(out, "{}: {} judged queries", clean(set), judgments.len())?;
    writeln!(
        out,
        "{:<13} {:>15}  MRR@{MRR_DEPTH}",
        "engine", "success@cut-off"
    )?;
    for r in reports {
        writeln!(
            out,
            "{:<13} {:>7} {:>7}  {:.3}",
            r.engine,
            format!("{}/{}", r.successes, r.ranks.len()),
            format!("{:.1}%", 100.0 * r.success_rate()),
            r.mrr
        )?;
    }
    for r in reports {
        if let Some((landed, judged)) = r.moments {
            writeln!(
                out,
                "{:<13} moments: {landed}/{judged} land on the cue where the words are said",
                r.engine
            )?;
        }
    }
    if let [a, b] = reports {
        let differ = differing(judgments, a, b);
        if !differ.is_empty() {
            writeln!(
                out,
                "ranked differently (rank of the first wanted episode, - past {MRR_DEPTH}):"
            )?;
        }
        let rank = |r: Option<usize>| r.map_or_else(|| "-".to_string(), |r| r.to_string());
        for (j, x, y) in differ {
            writeln!(
                out,
                "  line {}: {} `{}`: {} {}, {} {}",
                j.line,
                j.kind,
                clean(&j.query),
                a.engine,
                rank(x),
                b.engine,
                rank(y)
            )?;
        }
    }
    for r in reports {
        let missed = r.missed(judgments);
        if missed.is_empty() {
            continue;
        }
        writeln!(out, "missed by {}:", r.engine)?;
        for (j, rank) in missed {
            let found = rank.map_or_else(
                || format!("not in the top {}", j.cutoff.max(MRR_DEPTH)),
                |r| format!("at {r}"),
            );
            writeln!(
                out,
                "  line {}: {} `{}`: wanted within {}, {found}",
                j.line,
                j.kind,
                clean(&j.query),
                j.cutoff
            )?;
        }
    }
    Ok(())
}

/// The facets of a search, after its hits: a blank line, then one line a facet,
/// `podcast: Name (12), Other (3)`, most frequent first, with the total matched.
pub fn write_facets<W: Write>(out: &mut W, counts: &Counts) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{} matched", counts.total)?;
    for (facet, values) in &counts.facets {
        let listed: Vec<String> = values
            .iter()
            .map(|v| format!("{} ({})", clean(&v.value), v.count))
            .collect();
        writeln!(out, "{}: {}", facet.name(), listed.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_get_markers_without_colour_and_escapes_never_pass() {
        let h = Highlighted {
            text: "about tech debt \u{1b}[2Jnow".into(),
            highlights: std::iter::once(6..15).collect(),
        };
        let mut out = Vec::new();
        write_highlighted(&mut out, &h, Style::Plain, None).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "about **tech debt** [2Jnow"
        );
        let mut out = Vec::new();
        write_highlighted(&mut out, &h, Style::Color, None).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "about \u{1b}[1;31mtech debt\u{1b}[0m [2Jnow"
        );
    }
}
