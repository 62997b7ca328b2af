//! JSON Lines for programs: one object a hit (schema in the README), or one stats object.

use std::io::{self, Write};
use std::ops::Range;

use chrono::SecondsFormat;
use serde::Serialize;

use crate::episode::TranscriptLink;
use crate::index::indexer::Stats;
use crate::measure::bench::Latency;
use crate::measure::eval::{differing, Judgment, Report};
use crate::search::facets::Counts;
use crate::search::moments::moment_url;
use crate::search::results::{Explanation, Hit};

/// One hit as printed by `--json`. `null` where unknown.
#[derive(Debug, Serialize)]
pub struct JsonHit<'a> {
    pub rank: usize,
    pub score: f32,
    pub id: Option<&'a str>,
    pub podcast: Option<&'a str>,
    pub title: Option<&'a str>,
    pub date: Option<String>,
    pub duration: Option<u64>,
    pub url: Option<&'a str>,
    pub snippet: &'a str,
    pub highlights: Vec<[usize; 2]>,
    pub title_highlights: Vec<[usize; 2]>,
    /// The query as searched, present only when words of it were corrected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<&'a str>,
    /// Why the hit ranks here, present only when asked for (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<JsonExplain<'a>>,
    /// Where in the transcript the words were said, present when they were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moments: Vec<JsonMoment<'a>>,
    /// The chapter whose title holds the words, present when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapter: Option<JsonChapter<'a>>,
    /// The episode's transcript links (Podcasting 2.0), present when it has any.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub transcripts: &'a [TranscriptLink],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapters_url: Option<&'a str>,
}

/// One moment: `{"start", "end", "speaker", "text", "highlights", "url", "chapter"}`.
#[derive(Debug, Serialize)]
pub struct JsonMoment<'a> {
    pub start: f64,
    pub end: f64,
    pub speaker: Option<&'a str>,
    pub text: &'a str,
    pub highlights: Vec<[usize; 2]>,
    /// The episode's link with the moment's start (`#t=754`), when it has a link.
    pub url: Option<String>,
    /// The title of the chapter playing then, when the episode has chapters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapter: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct JsonChapter<'a> {
    pub start: f64,
    pub title: &'a str,
}

/// `Explanation` as JSON: the tiers, then each word's BM25 by field and coordination bonus.
#[derive(Debug, Serialize)]
pub struct JsonExplain<'a> {
    pub literal: bool,
    pub long: bool,
    pub tiers: Vec<JsonTier<'a>>,
    pub words: Vec<JsonWord<'a>>,
    pub function_words: &'a [String],
}

#[derive(Debug, Serialize)]
pub struct JsonTier<'a> {
    pub tier: &'a str,
    pub bonus: f32,
    pub earned: bool,
    pub why: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonWord<'a> {
    pub word: &'a str,
    /// Field name → BM25 the word scored there (weighted), for the fields holding it.
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub coordination: f32,
}

impl<'a> From<&'a Explanation> for JsonExplain<'a> {
    fn from(x: &'a Explanation) -> JsonExplain<'a> {
        JsonExplain {
            literal: x.literal,
            long: x.long,
            tiers: x
                .tiers
                .iter()
                .map(|t| JsonTier {
                    tier: &t.tier,
                    bonus: t.bonus,
                    earned: t.earned,
                    why: &t.why,
                })
                .collect(),
            words: x
                .words
                .iter()
                .map(|w| JsonWord {
                    word: &w.word,
                    fields: w
                        .fields
                        .iter()
                        .map(|(f, s)| (f.clone(), serde_json::json!(s)))
                        .collect(),
                    coordination: w.coordination,
                })
                .collect(),
            function_words: &x.function_words,
        }
    }
}

fn pairs(ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
    ranges.iter().map(|r| [r.start, r.end]).collect()
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(h: &'a Hit) -> JsonHit<'a> {
        let e = &h.episode;
        JsonHit {
            rank: h.rank,
            score: h.score,
            id: e.id.as_deref(),
            podcast: e.podcast.as_deref(),
            title: e.title.as_deref(),
            date: e.date.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            duration: e.duration,
            url: e.url.as_deref(),
            snippet: &h.snippet.text,
            highlights: pairs(&h.snippet.highlights),
            title_highlights: pairs(&h.title.highlights),
            corrected: None,
            explain: h.explain.as_ref().map(JsonExplain::from),
            moments: h
                .moments
                .iter()
                .map(|m| JsonMoment {
                    start: m.start,
                    end: m.end,
                    speaker: m.speaker.as_deref(),
                    text: &m.text,
                    highlights: pairs(&m.highlights),
                    url: e.url.as_deref().map(|u| moment_url(u, m.start)),
                    chapter: m.chapter.as_deref(),
                })
                .collect(),
            chapter: h.chapter.as_ref().map(|c| JsonChapter {
                start: c.start,
                title: &c.title,
            }),
            transcripts: &e.transcripts,
            chapters_url: e.chapters_url.as_deref(),
        }
    }
}

/// Print one JSON object per hit, one per line; `corrected` is the query as searched when
/// words of it were corrected.
pub fn write_hits<W: Write>(out: &mut W, hits: &[Hit], corrected: Option<&str>) -> io::Result<()> {
    for hit in hits {
        let json = JsonHit {
            corrected,
            ..JsonHit::from(hit)
        };
        serde_json::to_writer(&mut *out, &json)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Latency figures of `bench` as one JSON object.
pub fn write_latency<W: Write>(out: &mut W, latency: &Latency) -> io::Result<()> {
    serde_json::to_writer(&mut *out, latency)?;
    out.write_all(b"\n")
}

/// Stats as one JSON object; dates in RFC 3339 UTC.
pub fn write_stats<W: Write>(out: &mut W, s: &Stats) -> io::Result<()> {
    #[derive(Serialize)]
    struct JsonStats {
        episodes: u64,
        podcasts: u64,
        first_date: Option<String>,
        last_date: Option<String>,
        size_bytes: u64,
        segments: u64,
    }
    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
    };
    let value = JsonStats {
        episodes: s.episodes,
        podcasts: s.podcasts,
        first_date: date(s.first_date),
        last_date: date(s.last_date),
        size_bytes: s.size_bytes,
        segments: s.segments,
    };
    serde_json::to_writer(&mut *out, &value)?;
    out.write_all(b"\n")
}

/// Evaluation figures as one JSON object: per engine the successes, success rate, MRR@10 and
/// the queries it missed.
pub fn write_eval<W: Write>(
    out: &mut W,
    set: &str,
    judgments: &[Judgment],
    reports: &[Report],
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Miss<'a> {
        line: usize,
        kind: &'a str,
        query: &'a str,
        cutoff: usize,
        rank: Option<usize>,
    }
    #[derive(Serialize)]
    struct Engine<'a> {
        engine: &'a str,
        successes: usize,
        success_rate: f64,
        mrr_at_10: f64,
        missed: Vec<Miss<'a>>,
        /// Queries judged for their moment: `{"landed", "judged"}`.
        #[serde(skip_serializing_if = "Option::is_none")]
        moments: Option<Moments>,
    }
    #[derive(Serialize)]
    struct Moments {
        landed: usize,
        judged: usize,
    }
    #[derive(Serialize)]
    struct Differ<'a> {
        line: usize,
        kind: &'a str,
        query: &'a str,
        /// The rank of the first wanted episode, per engine in the order of `engines`.
        ranks: [Option<usize>; 2],
    }
    #[derive(Serialize)]
    struct Eval<'a> {
        set: &'a str,
        queries: usize,
        engines: Vec<Engine<'a>>,
        differ: Vec<Differ<'a>>,
    }
    let differ = match reports {
        [a, b] => differing(judgments, a, b)
            .into_iter()
            .map(|(j, x, y)| Differ {
                line: j.line,
                kind: &j.kind,
                query: &j.query,
                ranks: [x, y],
            })
            .collect(),
        _ => Vec::new(),
    };
    let engines = reports
        .iter()
        .map(|r| Engine {
            engine: &r.engine,
            successes: r.successes,
            success_rate: r.success_rate(),
            mrr_at_10: r.mrr,
            moments: r.moments.map(|(landed, judged)| Moments { landed, judged }),
            missed: r
                .missed(judgments)
                .into_iter()
                .map(|(j, rank)| Miss {
                    line: j.line,
                    kind: &j.kind,
                    query: &j.query,
                    cutoff: j.cutoff,
                    rank,
                })
                .collect(),
        })
        .collect();
    serde_json::to_writer(
        &mut *out,
        &Eval {
            set,
            queries: judgments.len(),
            engines,
            differ,
        },
    )?;
    out.write_all(b"\n")
}

/// The facets of a search as one final JSON line: `{"facets": {"podcast": [{"value",
/// "count"}, ...], "year": [...]}}`, counted over every match.
pub fn write_facets<W: Write>(out: &mut W, counts: &Counts) -> io::Result<()> {
    let mut facets = serde_json::Map::new();
    for (facet, values) in &counts.facets {
        facets.insert(facet.name().to_string(), serde_json::to_value(values)?);
    }
    serde_json::to_writer(&mut *out, &serde_json::json!({ "facets": facets }))?;
    out.write_all(b"\n")
}
