//! Query building (parser, tiers, filters, sort), ranking and hits with highlights.

use std::ops::Bound;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::episode::Episode;
use crate::error::{Error, Result};
use crate::indexer::{from_document, index_date, EpisodeIndex};
use crate::schema::{self, Fields};
use crate::snippet::{self, Highlighted};
use crate::tokenizer;

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 2.0;
/// Score added to episodes holding every query word, so they rank above those with some.
pub const ALL_WORDS_BONUS: f32 = 1000.0;
/// Score added to episodes holding the query words as a phrase.
pub const PHRASE_BONUS: f32 = 1000.0;

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

/// One ranked result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based, counting from the first result of the first page.
    pub rank: usize,
    pub score: f32,
    pub episode: Episode,
    /// The full title with its matched ranges.
    pub title: Highlighted,
    /// The best fragment of the body field that matched best.
    pub snippet: Highlighted,
}

/// The hits of one search and what the user should be told about the query.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// One-line notices (a query that did not parse and was searched as plain words).
    pub warnings: Vec<String>,
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

/// A query compiled against one index: the scoring query, the filters, and the generators
/// that find highlights.
struct Compiled {
    scoring: Box<dyn Query>,
    text: Box<dyn Query>,
    warnings: Vec<String>,
}

impl EpisodeIndex {
    /// Run a search.
    pub fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        let searcher = self.searcher();
        let compiled = compile(self, &options.query)?;
        let Some(compiled) = compiled else {
            return Ok(SearchResults::default());
        };
        let query = with_filters(&self.fields, compiled.scoring, options);
        // No page can hold more than the index does; bounding both keeps offset + limit in range.
        let total = searcher.num_docs() as usize;
        if options.offset >= total {
            return Ok(SearchResults {
                hits: Vec::new(),
                warnings: compiled.warnings,
            });
        }
        let limit = options.limit.clamp(1, total);
        let found: Vec<(f32, DocAddress)> = match options.sort {
            SortOrder::Relevance => searcher.search(
                &*query,
                &TopDocs::with_limit(limit)
                    .and_offset(options.offset)
                    .order_by_score(),
            )?,
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if options.sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let by_date: Vec<(Option<tantivy::DateTime>, DocAddress)> = searcher.search(
                    &*query,
                    &TopDocs::with_limit(limit)
                        .and_offset(options.offset)
                        .order_by_fast_field(schema::DATE, order),
                )?;
                by_date
                    .into_iter()
                    .map(|(_, addr)| Ok((query.explain(&searcher, addr)?.value(), addr)))
                    .collect::<Result<_>>()?
            }
        };
        if options.limit == 0 {
            return Ok(SearchResults {
                hits: Vec::new(),
                warnings: compiled.warnings,
            });
        }
        let highlighter = Highlighter::new(
            &searcher,
            &*compiled.text,
            &self.fields,
            options.snippet_chars,
        )?;
        let mut hits = Vec::with_capacity(found.len());
        for (i, (score, address)) in found.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let episode = from_document(&doc, &self.fields);
            let (title, snippet) = highlighter.highlight(&episode);
            hits.push(Hit {
                rank: options.offset + i + 1,
                // A boost like `^1e40` overflows f32: keep the order, and a number for JSON.
                score: if score.is_nan() {
                    0.0
                } else {
                    score.clamp(f32::MIN, f32::MAX)
                },
                episode,
                title,
                snippet,
            });
        }
        Ok(SearchResults {
            hits,
            warnings: compiled.warnings,
        })
    }
}

fn parser(index: &EpisodeIndex) -> QueryParser {
    let f = &index.fields;
    let mut parser = QueryParser::for_index(
        &index.index,
        vec![f.title, f.summary, f.description, f.overview],
    );
    parser.set_field_boost(f.title, TITLE_BOOST);
    parser
}

/// True when the query is only words: no quotes, operators, field prefixes or grouping.
/// Punctuation inside words (`c++`, `node.js`, `r&d`) is fine: the analyzer handles it.
fn is_plain(query: &str) -> bool {
    !query.chars().any(|c| "\"():[]{}^~*\\".contains(c))
        && !query.split_whitespace().any(|w| {
            matches!(w, "AND" | "OR" | "NOT" | "IN") || w.starts_with('+') || w.starts_with('-')
        })
}

/// The words of a plain query as typed (punctuation inside a word kept), skipping pieces
/// that hold nothing searchable.
fn typed_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .filter(|w| !tokenizer::split(w).is_empty())
        .map(str::to_string)
        .collect()
}

/// The words of any query, with every piece of syntax removed.
pub fn plain_words(query: &str) -> Vec<String> {
    tokenizer::split(query)
        .into_iter()
        .map(|t| t.text.to_lowercase())
        .filter(|w| !matches!(w.as_str(), "and" | "or" | "not"))
        .collect()
}

/// Escape-free query text for words: each word is quoted, so nothing in it is syntax.
fn words_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace(['"', '\\'], "")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn compile(index: &EpisodeIndex, raw: &str) -> Result<Option<Compiled>> {
    let parser = parser(index);
    let mut warnings = Vec::new();
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let plain = is_plain(trimmed);
    let words = if plain {
        typed_words(trimmed)
    } else {
        plain_words(trimmed)
    };
    let text: Box<dyn Query> = if plain {
        if words.is_empty() {
            return Ok(None);
        }
        parse_words(&parser, &words)?
    } else {
        match parser.parse_query(&rewrite_not(trimmed)) {
            Ok(q) => q,
            Err(e) => {
                if words.is_empty() {
                    warnings.push(format!(
                        "could not parse the query ({}) and it has no words to search for",
                        parse_error(&e)
                    ));
                    return Ok(Some(Compiled {
                        scoring: Box::new(tantivy::query::EmptyQuery),
                        text: Box::new(tantivy::query::EmptyQuery),
                        warnings,
                    }));
                }
                warnings.push(format!(
                    "could not parse the query ({}); searching for its words: {}",
                    parse_error(&e),
                    clip(&words.join(" "))
                ));
                parse_words(&parser, &words)?
            }
        }
    };
    let mut scoring = text.box_clone();
    // Tiers for plain multi-word queries: all words above some, the phrase above scattered.
    if plain && words.len() > 1 {
        let mut all = parser.clone();
        all.set_conjunction_by_default();
        let all_words = all
            .parse_query(&words_query(&words))
            .map_err(|e| Error::Invalid(parse_error(&e)))?;
        let phrase = parser
            .parse_query(&format!("\"{}\"", words.join(" ").replace(['"', '\\'], "")))
            .map_err(|e| Error::Invalid(parse_error(&e)))?;
        scoring = Box::new(BooleanQuery::new(vec![
            (Occur::Should, text.box_clone()),
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(all_words, ALL_WORDS_BONUS)),
            ),
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(phrase, PHRASE_BONUS)),
            ),
        ]));
    }
    Ok(Some(Compiled {
        scoring,
        text,
        warnings,
    }))
}

/// `a AND NOT b` → `a AND -b`: the grammar knows the prefix form only.
fn rewrite_not(query: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut negate_next = false;
    for word in query.split_whitespace() {
        if word == "NOT" {
            negate_next = true;
            continue;
        }
        if negate_next && !word.starts_with('-') {
            out.push(format!("-{}", word.trim_start_matches('+')));
        } else {
            out.push(word.to_string());
        }
        negate_next = false;
    }
    if negate_next {
        out.push("NOT".to_string());
    }
    out.join(" ")
}

fn parse_words(parser: &QueryParser, words: &[String]) -> Result<Box<dyn Query>> {
    parser
        .parse_query(&words_query(words))
        .map_err(|e| Error::Invalid(parse_error(&e)))
}

/// The parser's message, one line, lower-case, clipped: it quotes the query, which may be long.
fn parse_error(e: &tantivy::query::QueryParserError) -> String {
    clip(&crate::error::message(&e.to_string()))
}

/// At most 200 characters of `s` for a message, with `…` when cut.
fn clip(s: &str) -> String {
    const MAX: usize = 200;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn with_filters(f: &Fields, scoring: Box<dyn Query>, o: &SearchOptions) -> Box<dyn Query> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if o.since.is_some() || o.until.is_some() {
        let term = |d: DateTime<Utc>| Term::from_field_date(f.date, index_date(d));
        filters.push(Box::new(RangeQuery::new(
            o.since
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
            o.until
                .map_or(Bound::Unbounded, |d| Bound::Excluded(term(d))),
        )));
    }
    if o.min_duration.is_some() || o.max_duration.is_some() {
        let term = |d: u64| Term::from_field_u64(f.duration, d);
        filters.push(Box::new(RangeQuery::new(
            o.min_duration
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
            o.max_duration
                .map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
        )));
    }
    if let Some(p) = &o.podcast {
        let name = p
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        filters.push(Box::new(TermQuery::new(
            Term::from_field_text(f.podcast_key, &name),
            IndexRecordOption::Basic,
        )));
    }
    if filters.is_empty() {
        return scoring;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, scoring)];
    clauses.extend(filters.into_iter().map(|q| {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(clauses))
}

/// Finds highlight ranges for one query in titles and bodies.
struct Highlighter {
    title: SnippetGenerator,
    bodies: Vec<(Field, SnippetGenerator)>,
    snippet_chars: usize,
}

impl Highlighter {
    fn new(
        searcher: &Searcher,
        query: &dyn Query,
        f: &Fields,
        snippet_chars: usize,
    ) -> Result<Highlighter> {
        let mut title = SnippetGenerator::create(searcher, query, f.title)?;
        title.set_max_num_chars(10_000);
        let bodies = f
            .bodies()
            .into_iter()
            .map(|field| {
                let mut g = SnippetGenerator::create(searcher, query, field)?;
                g.set_max_num_chars(snippet_chars.max(20));
                Ok((field, g))
            })
            .collect::<Result<_>>()?;
        Ok(Highlighter {
            title,
            bodies,
            snippet_chars,
        })
    }

    fn highlight(&self, e: &Episode) -> (Highlighted, Highlighted) {
        let title_text = e.title.clone().unwrap_or_default();
        let title = if title_text.is_empty() {
            Highlighted::default()
        } else {
            let s = self.title.snippet(&title_text);
            let shift = s.fragment_range().start;
            let ranges: Vec<_> = s
                .highlighted()
                .iter()
                .map(|r| r.start + shift..r.end + shift)
                .collect();
            Highlighted {
                highlights: snippet::merge_ranges(&title_text, &ranges),
                text: title_text,
            }
        };
        let texts = [&e.summary, &e.overview, &e.description];
        let mut best: Option<(usize, usize, Highlighted)> = None;
        for ((_, generator), text) in self.bodies.iter().zip(texts) {
            let Some(text) = text.as_deref() else {
                continue;
            };
            let s = generator.snippet(text);
            if s.highlighted().is_empty() {
                continue;
            }
            let shift = s.fragment_range().start;
            let ranges: Vec<_> = s
                .highlighted()
                .iter()
                .map(|r| r.start + shift..r.end + shift)
                .collect();
            let mut distinct: Vec<String> = ranges
                .iter()
                .map(|r| text[r.clone()].to_lowercase())
                .collect();
            distinct.sort();
            distinct.dedup();
            let merged = snippet::merge_ranges(text, &ranges);
            let anchor = merged.first().map_or(0, |r| r.start);
            let w = snippet::window(text, &merged, anchor, self.snippet_chars);
            let key = (distinct.len(), ranges.len());
            if best.as_ref().is_none_or(|(d, n, _)| key > (*d, *n)) {
                best = Some((key.0, key.1, w));
            }
        }
        let snippet = match best {
            Some((_, _, w)) => w,
            None => texts
                .iter()
                .find_map(|t| t.as_deref())
                .map(|t| snippet::opening(t, self.snippet_chars))
                .unwrap_or_default(),
        };
        (title, snippet)
    }
}
