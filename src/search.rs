//! Query building (parser, tiers, filters, sort), ranking and hits with highlights.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Bound;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, QueryParser,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::any_field::AnyField;
use crate::episode::Episode;
use crate::error::{Error, Result};
use crate::indexer::{from_document, index_date, EpisodeIndex};
use crate::schema::{self, Fields};
use crate::snippet::{self, Highlighted, WordMatcher};
use crate::spelling;
use crate::synonyms::{self, Synonyms};
use crate::tokenizer;

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 2.0;
/// Score added to episodes holding every query word, so they rank above those with some.
pub const ALL_WORDS_BONUS: f32 = 1000.0;
/// Score added to episodes holding the query words as a phrase.
pub const PHRASE_BONUS: f32 = 1000.0;
/// Score added to episodes holding every word as typed (or as corrected) when synonyms
/// widened the query, so a literal match always ranks above one through a synonym.
pub const AS_TYPED_BONUS: f32 = 500.0;
/// Weight of a word found through a spelling correction, relative to a word found as typed.
pub const CORRECTION_WEIGHT: f32 = 0.7;
/// Weight of a word found through a synonym, relative to the word it stands in for.
pub const SYNONYM_WEIGHT: f32 = 0.5;
/// Most phrase variants (one word swapped for a synonym) tried for the phrase tier.
const MAX_PHRASE_VARIANTS: usize = 16;

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

/// Scores and addresses of one page of hits, best first.
pub type Ranked = Vec<(f32, DocAddress)>;

/// The hits of one search and what the user should be told about the query.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// One-line notices (a query that did not parse and was searched as plain words).
    pub warnings: Vec<String>,
    /// The query as searched when words were corrected: words the index does not hold
    /// (`kubernetis` → `kubernetes`), or rare words with a far more common neighbour.
    pub corrected: Option<String>,
    /// True when the words as typed were searched too (rare words the index holds) and rank
    /// first; false when the corrected query replaced them.
    pub typed_also: bool,
    /// When nothing matched: a query of the index's own words that would match.
    pub suggestion: Option<String>,
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
    /// The words as searched (corrections included): what highlights come from first.
    text: Box<dyn Query>,
    /// The words and their synonyms: highlights for episodes found through a synonym.
    widened: Option<Box<dyn Query>>,
    warnings: Vec<String>,
    corrected: Option<String>,
    typed_also: bool,
    /// Plain words ranked in two cheaper passes that give the same page as `scoring`.
    staged: Option<Staged>,
}

/// `scoring` for plain words, split where its tiers split the index: an episode holding every
/// word gets the all-words bonus (and maybe more), any other only the BM25 of the words it
/// holds. The episodes holding every word are ranked first, by the whole `scoring`; when they
/// are fewer than the page, the best of the others come from the words alone, a flat union of
/// terms that tantivy ranks with block-max WAND without scoring every episode holding a common
/// word. `ranked` falls back to `scoring` when the split cannot prove its page.
struct Staged {
    /// `scoring` over the episodes holding every word (or a synonym of it), less `bonus`.
    every_word: Box<dyn Query>,
    bonus: f32,
    /// `scoring` of an episode missing a word: the words' BM25 alone.
    rest: Box<dyn Query>,
    /// No episode scores above this through `rest`.
    bound: f32,
}

impl EpisodeIndex {
    /// Run a search; when nothing matches, suggest a query of the index's own words.
    pub fn search(&self, options: &SearchOptions) -> Result<SearchResults> {
        let mut results = self.search_once(options)?;
        // Not when paging past the end, nor when words were corrected already.
        if results.hits.is_empty()
            && options.limit > 0
            && options.offset == 0
            && results.corrected.is_none()
        {
            results.suggestion = self.suggest(options)?;
        }
        Ok(results)
    }

    /// The query with each word the index does not hold replaced by its nearest word, when
    /// that query finds something.
    fn suggest(&self, options: &SearchOptions) -> Result<Option<String>> {
        let Some(words_field) = self.fields.words else {
            return Ok(None);
        };
        let searcher = self.searcher();
        let words = plain_words(&options.query);
        let mut changed = false;
        let mut suggested = Vec::with_capacity(words.len());
        for word in words {
            let replacement = if self.holds(&searcher, &schema::analyze(&word))? {
                None
            } else {
                match schema::fold(&word).as_slice() {
                    [folded] => spelling::nearest(
                        &searcher,
                        words_field,
                        folded,
                        spelling::max_suggestion_edits(folded.chars().count()),
                    )?
                    .map(|(near, _)| near),
                    _ => None,
                }
            };
            changed |= replacement.is_some();
            suggested.push(replacement.unwrap_or(word));
        }
        if !changed {
            return Ok(None);
        }
        let suggestion = suggested.join(" ");
        let probe = SearchOptions {
            query: suggestion.clone(),
            limit: 1,
            offset: 0,
            ..options.clone()
        };
        Ok((!self.search_once(&probe)?.hits.is_empty()).then_some(suggestion))
    }

    /// True when every term is in some searchable field.
    fn holds(&self, searcher: &Searcher, terms: &[String]) -> Result<bool> {
        for term in terms {
            let mut found = false;
            for field in self.fields.searchable() {
                if searcher.doc_freq(&Term::from_field_text(field, term))? > 0 {
                    found = true;
                    break;
                }
            }
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `typed` analysed for each language-stemmed field that holds episodes.
    fn native_forms(&self, typed: &str) -> Vec<(Field, Vec<String>)> {
        self.languages_present()
            .into_iter()
            .filter_map(|field| {
                let mut analyzer = self.index.tokenizer_for_field(field).ok()?;
                let mut stream = analyzer.token_stream(typed);
                let mut terms = Vec::new();
                while let Some(token) = stream.next() {
                    terms.push(token.text.clone());
                }
                (!terms.is_empty()).then_some((field, terms))
            })
            .collect()
    }

    /// True when a language-stemmed field holds every word of `typed`: `Nachricht` is no typo
    /// in a German feed even though the English-analysed fields never saw it.
    fn holds_in_a_language(&self, searcher: &Searcher, typed: &str) -> Result<bool> {
        for (field, terms) in self.native_forms(typed) {
            let mut all = true;
            for term in &terms {
                if searcher.doc_freq(&Term::from_field_text(field, term))? == 0 {
                    all = false;
                    break;
                }
            }
            if all {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The ranked addresses of a search alone: no documents read, no snippets made.
    pub fn rank(&self, options: &SearchOptions) -> Result<Ranked> {
        let searcher = self.searcher();
        Ok(self
            .ranked(&searcher, options)?
            .map(|(_, found)| found)
            .unwrap_or_default())
    }

    /// The page `rank` gives, found by scoring every episode the query matches instead of in
    /// two passes: the reference the two-pass ranking is tested and measured against.
    pub fn rank_exhaustively(&self, options: &SearchOptions) -> Result<Ranked> {
        let searcher = self.searcher();
        let Some(mut compiled) = compile(self, &searcher, &options.query, &options.synonyms)?
        else {
            return Ok(Ranked::new());
        };
        compiled.staged = None;
        Ok(self
            .ranked_compiled(&searcher, compiled, options)?
            .map(|(_, found)| found)
            .unwrap_or_default())
    }

    /// Title and snippet highlights of `episodes` for `options.query`: the snippet step of a
    /// search alone.
    pub fn highlight(
        &self,
        options: &SearchOptions,
        episodes: &[Episode],
    ) -> Result<Vec<(Highlighted, Highlighted)>> {
        let searcher = self.searcher();
        let Some(compiled) = compile(self, &searcher, &options.query, &options.synonyms)? else {
            return Ok(Vec::new());
        };
        let highlighter =
            PageHighlighter::new(&searcher, &compiled, &self.fields, options.snippet_chars)?;
        Ok(episodes.iter().map(|e| highlighter.highlight(e)).collect())
    }

    /// Compile and rank: the query with its filters, and the page of addresses it finds
    /// (empty past the end of the index).
    fn ranked(
        &self,
        searcher: &Searcher,
        options: &SearchOptions,
    ) -> Result<Option<(Compiled, Ranked)>> {
        match compile(self, searcher, &options.query, &options.synonyms)? {
            Some(compiled) => self.ranked_compiled(searcher, compiled, options),
            None => Ok(None),
        }
    }

    fn ranked_compiled(
        &self,
        searcher: &Searcher,
        mut compiled: Compiled,
        options: &SearchOptions,
    ) -> Result<Option<(Compiled, Ranked)>> {
        let scoring =
            std::mem::replace(&mut compiled.scoring, Box::new(tantivy::query::EmptyQuery));
        let query = with_filters(&self.fields, scoring, options);
        // No page can hold more than the index does; bounding both keeps offset + limit in range.
        let total = searcher.num_docs() as usize;
        if options.offset >= total {
            return Ok(Some((compiled, Vec::new())));
        }
        let limit = options.limit.clamp(1, total);
        if let (SortOrder::Relevance, Some(staged)) = (options.sort, &compiled.staged) {
            if let Some(found) = staged_page(searcher, staged, &self.fields, options, limit)? {
                return Ok(Some((compiled, found)));
            }
        }
        let found: Ranked = match options.sort {
            SortOrder::Relevance => searcher.search(
                &*query,
                &TopDocs::with_limit(limit)
                    .and_offset(options.offset)
                    .order_by_score(),
            )?,
            SortOrder::Newest | SortOrder::Oldest => {
                // One pass keyed on (date, score): the date orders, the score breaks ties and is
                // reported. Episodes without a date come last either way.
                let newest = options.sort == SortOrder::Newest;
                let by_date: Vec<((i64, f32), DocAddress)> = searcher.search(
                    &*query,
                    &TopDocs::with_limit(limit)
                        .and_offset(options.offset)
                        .tweak_score(move |segment: &tantivy::SegmentReader| {
                            let dates = segment.fast_fields().date(schema::DATE).ok();
                            move |doc: tantivy::DocId, score: tantivy::Score| {
                                let secs = dates
                                    .as_ref()
                                    .and_then(|c| c.first(doc))
                                    .map(|d| d.into_timestamp_secs());
                                let key = match secs {
                                    Some(s) if newest => s,
                                    Some(s) => -s,
                                    None => i64::MIN,
                                };
                                (key, score)
                            }
                        }),
                )?;
                by_date
                    .into_iter()
                    .map(|((_, score), addr)| (score, addr))
                    .collect()
            }
        };
        Ok(Some((compiled, found)))
    }

    fn search_once(&self, options: &SearchOptions) -> Result<SearchResults> {
        let searcher = self.searcher();
        let Some((compiled, found)) = self.ranked(&searcher, options)? else {
            return Ok(SearchResults::default());
        };
        if options.offset >= searcher.num_docs() as usize {
            return Ok(SearchResults {
                warnings: compiled.warnings,
                ..SearchResults::default()
            });
        }
        if options.limit == 0 {
            return Ok(SearchResults {
                warnings: compiled.warnings,
                corrected: compiled.corrected,
                typed_also: compiled.typed_also,
                ..SearchResults::default()
            });
        }
        let highlighter =
            PageHighlighter::new(&searcher, &compiled, &self.fields, options.snippet_chars)?;
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
            corrected: compiled.corrected,
            typed_also: compiled.typed_also,
            suggestion: None,
        })
    }
}

/// The page `staged` stands for (see `Staged`), or `None` when the episodes holding every word
/// fill the page but some other episode could still outscore the last of them.
fn staged_page(
    searcher: &Searcher,
    staged: &Staged,
    fields: &Fields,
    options: &SearchOptions,
    limit: usize,
) -> Result<Option<Ranked>> {
    let wanted = options.offset + limit;
    let every_word = with_filters(fields, staged.every_word.box_clone(), options);
    let (mut page, held) = searcher.search(
        &*every_word,
        &(TopDocs::with_limit(wanted).order_by_score(), Count),
    )?;
    for (score, _) in &mut page {
        *score += staged.bonus;
    }
    if held >= wanted {
        let proven = page.last().is_some_and(|(last, _)| *last > staged.bound);
        return Ok(proven.then(|| page.split_off(options.offset.min(page.len()))));
    }
    // Every episode holding every word is on `page`: the rest of it comes from the others.
    let rest = with_filters(fields, staged.rest.box_clone(), options);
    let others: Ranked =
        searcher.search(&*rest, &TopDocs::with_limit(wanted + held).order_by_score())?;
    let on_page: HashSet<DocAddress> = page.iter().map(|(_, address)| *address).collect();
    page.extend(others.into_iter().filter(|(_, a)| !on_page.contains(a)));
    page.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    page.truncate(wanted);
    Ok(Some(page.split_off(options.offset.min(page.len()))))
}

fn parser(index: &EpisodeIndex) -> QueryParser {
    let f = &index.fields;
    let mut fields = vec![f.title, f.summary, f.description, f.overview];
    fields.extend(index.languages_present());
    let mut parser = QueryParser::for_index(&index.index, fields);
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

fn compile(
    index: &EpisodeIndex,
    searcher: &Searcher,
    raw: &str,
    synonyms: &Synonyms,
) -> Result<Option<Compiled>> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if is_plain(trimmed) {
        let typed = typed_words(trimmed);
        if typed.is_empty() {
            return Ok(None);
        }
        return compile_words(index, searcher, &typed, synonyms, true).map(Some);
    }
    let words = plain_words(trimmed);
    match parser(index).parse_query(&rewrite_not(trimmed)) {
        Ok(query) => Ok(Some(Compiled {
            scoring: query.box_clone(),
            text: query,
            widened: None,
            warnings: Vec::new(),
            corrected: None,
            typed_also: false,
            staged: None,
        })),
        Err(e) if words.is_empty() => Ok(Some(Compiled {
            scoring: Box::new(tantivy::query::EmptyQuery),
            text: Box::new(tantivy::query::EmptyQuery),
            widened: None,
            warnings: vec![format!(
                "could not parse the query ({}) and it has no words to search for",
                parse_error(&e)
            )],
            corrected: None,
            typed_also: false,
            staged: None,
        })),
        Err(e) => {
            // Already a guess at what was meant: the words are searched as they are.
            let mut compiled = compile_words(index, searcher, &words, synonyms, false)?;
            compiled.warnings.push(format!(
                "could not parse the query ({}); searching for its words: {}",
                parse_error(&e),
                clip(&words.join(" "))
            ));
            Ok(Some(compiled))
        }
    }
}

/// One typed word as searched: its analyzed terms (as typed, or its correction's) and weight.
#[derive(Debug, Clone)]
struct Part {
    terms: Vec<String>,
    weight: f32,
    /// A far more common neighbour of a rare word, searched as a synonym of it.
    neighbour: Option<Vec<String>>,
}

/// A run of typed words that one synonym entry covers (often a single word), with the other
/// entries of its groups.
#[derive(Debug, Clone)]
struct Word {
    parts: Vec<Part>,
    synonyms: Vec<Vec<String>>,
}

impl Word {
    fn weight(&self) -> f32 {
        self.parts.iter().map(|p| p.weight).fold(1.0, f32::min)
    }
}

type Queries = Vec<Box<dyn Query>>;

/// Plain words: corrected where the index does not hold them, widened with synonyms, then
/// ranked in tiers (all words, then the words as a phrase) with BM25 inside each tier.
fn compile_words(
    index: &EpisodeIndex,
    searcher: &Searcher,
    typed: &[String],
    synonyms: &Synonyms,
    correct: bool,
) -> Result<Compiled> {
    let f = &index.fields;
    let mut parts = Vec::with_capacity(typed.len());
    let mut shown = Vec::with_capacity(typed.len());
    let mut corrected = false;
    let mut typed_also = false;
    for word in typed {
        let terms = schema::analyze(word);
        if terms.is_empty() {
            continue;
        }
        // A word the synonym list knows is no typo: `dotnet` is not a misspelt `botnet`.
        let known = !synonyms.alternatives(&terms).is_empty();
        let spelling = if known || !correct {
            Spelling::AsTyped
        } else {
            spell(index, searcher, &terms, word)?
        };
        match spelling {
            Spelling::Replace(better) => {
                parts.push(Part {
                    terms: schema::analyze(&better),
                    weight: CORRECTION_WEIGHT,
                    neighbour: None,
                });
                shown.push(better);
                corrected = true;
            }
            Spelling::Also(common) => {
                parts.push(Part {
                    terms,
                    weight: 1.0,
                    neighbour: Some(schema::analyze(&common)),
                });
                shown.push(common);
                corrected = true;
                typed_also = true;
            }
            Spelling::AsTyped => {
                parts.push(Part {
                    terms,
                    weight: 1.0,
                    neighbour: None,
                });
                shown.push(word.clone());
            }
        }
    }
    let words = group_synonyms(parts, synonyms);
    let part_count: usize = words.iter().map(|w| w.parts.len()).sum();

    // The words' BM25: each form in each field, one flat union (the title weighted).
    let mut flat: Vec<(Field, &[String], f32)> = Vec::new();
    for part in words.iter().flat_map(|w| &w.parts) {
        for field in f.searchable() {
            let boost = if field == f.title { TITLE_BOOST } else { 1.0 };
            flat.push((field, &part.terms, boost * part.weight));
        }
    }
    // Episodes in a language with its own stemmer also match through that analysis
    // (`Nachricht` finds `Nachrichten` in a German feed); the tiers stay English.
    let native: Vec<(Field, Vec<String>)> = typed
        .iter()
        .flat_map(|word| index.native_forms(word))
        .collect();
    flat.extend(
        native
            .iter()
            .map(|(field, terms)| (*field, terms.as_slice(), 1.0)),
    );
    let text_clauses: Vec<(Occur, Box<dyn Query>)> = flat
        .iter()
        .map(|(field, terms, boost)| (Occur::Should, weighted(terms_query(*field, terms), *boost)))
        .collect();
    let text: Box<dyn Query> = Box::new(BooleanQuery::new(copy(&text_clauses)));
    let all_words: Box<dyn Query> = Box::new(BooleanQuery::new(
        words
            .iter()
            .map(|w| (Occur::Must, any_form(f, w)))
            .collect(),
    ));

    // Tiers only an episode holding every word can reach: the words as a phrase, and with
    // synonyms, the synonyms' BM25 and the bonus for every word as typed.
    let phrase_tier: Option<Box<dyn Query>> = (part_count > 1).then(|| {
        let phrases: Vec<Box<dyn Query>> = phrase_variants(&words)
            .iter()
            .map(|terms| form_unboosted(f, terms))
            .collect();
        Box::new(ConstScoreQuery::new(
            Box::new(AnyField::new(phrases)),
            PHRASE_BONUS,
        )) as Box<dyn Query>
    });
    let synonym_clauses: Vec<Box<dyn Query>> = words
        .iter()
        .flat_map(|w| {
            w.synonyms
                .iter()
                .map(move |terms| weighted(form(f, terms), SYNONYM_WEIGHT * w.weight()))
        })
        .collect();
    let as_typed_tier: Option<Box<dyn Query>> = (!synonym_clauses.is_empty()).then(|| {
        let as_typed: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .flat_map(|w| &w.parts)
            .map(|p| (Occur::Must, form_unboosted(f, &p.terms)))
            .collect();
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(as_typed)),
            AS_TYPED_BONUS,
        )) as Box<dyn Query>
    });
    let widened = (!synonym_clauses.is_empty()).then(|| {
        let mut all = copy(&text_clauses);
        all.extend(
            synonym_clauses
                .iter()
                .map(|q| (Occur::Should, q.box_clone())),
        );
        Box::new(BooleanQuery::new(all)) as Box<dyn Query>
    });

    let all_words_bonus = if part_count > 1 { ALL_WORDS_BONUS } else { 0.0 };
    let (scoring, staged): (Box<dyn Query>, Option<Staged>) = if phrase_tier.is_none()
        && synonym_clauses.is_empty()
    {
        // One word: its BM25 is the whole score, and the flat union is already the fast
        // form.
        (text.box_clone(), None)
    } else {
        let mut scoring = vec![(Occur::Should, text.box_clone())];
        if all_words_bonus > 0.0 {
            scoring.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(all_words.box_clone(), all_words_bonus)),
            ));
        }
        scoring.extend(phrase_tier.iter().map(|q| (Occur::Should, q.box_clone())));
        if !synonym_clauses.is_empty() {
            // A synonym stands in for its word only where every other query word matched
            // too, so `tech debt` does not bring every episode that says `technical`.
            let through_synonyms = BooleanQuery::new(
                synonym_clauses
                    .iter()
                    .map(|q| (Occur::Should, q.box_clone()))
                    .collect(),
            );
            scoring.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(all_words.box_clone(), 0.0))
                            as Box<dyn Query>,
                    ),
                    (Occur::Must, Box::new(through_synonyms)),
                ])),
            ));
        }
        scoring.extend(as_typed_tier.iter().map(|q| (Occur::Should, q.box_clone())));

        // The same over the episodes holding every word: what they must match, what else
        // they may (every optional clause in one lazy union: a buffered one would read its
        // clauses, phrase matches among them, through whole windows of documents at every
        // seek), and the bonus added to the page afterwards.
        let per_part = f.searchable().len();
        let (must, mut optional, bonus): (Queries, Queries, f32) = if synonym_clauses.is_empty() {
            // Each word is one part, and the intersection of the parts' lazy unions
            // both finds the episodes holding every word and scores their words.
            let must = flat
                .chunks(per_part)
                .take(part_count)
                .map(|clauses| {
                    let fields = clauses
                        .iter()
                        .map(|(field, terms, boost)| weighted(terms_query(*field, terms), *boost))
                        .collect();
                    Box::new(AnyField::new(fields)) as Box<dyn Query>
                })
                .collect();
            let native = text_clauses[part_count * per_part..].iter();
            (
                must,
                native.map(|(_, q)| q.box_clone()).collect(),
                all_words_bonus,
            )
        } else {
            // Every word holds, so the synonym tier is the synonyms' own BM25.
            let must =
                vec![Box::new(ConstScoreQuery::new(all_words, all_words_bonus)) as Box<dyn Query>];
            let mut optional: Vec<Box<dyn Query>> =
                text_clauses.iter().map(|(_, q)| q.box_clone()).collect();
            optional.extend(synonym_clauses);
            (must, optional, 0.0)
        };
        optional.extend(phrase_tier);
        optional.extend(as_typed_tier);
        let mut every_word: Vec<(Occur, Box<dyn Query>)> =
            must.into_iter().map(|q| (Occur::Must, q)).collect();
        every_word.push((Occur::Should, Box::new(AnyField::new(optional))));
        let staged = Staged {
            every_word: Box::new(BooleanQuery::new(every_word)),
            bonus,
            rest: text.box_clone(),
            bound: bm25_bound(searcher, &flat)?,
        };
        (Box::new(BooleanQuery::new(scoring)), Some(staged))
    };
    Ok(Compiled {
        scoring,
        text,
        widened,
        warnings: Vec::new(),
        corrected: corrected.then(|| shown.join(" ")),
        typed_also,
        staged,
    })
}

/// The highest score a union of these (field, terms, boost) clauses can give an episode:
/// each clause's BM25 tends to its weight as the term's frequency grows. A hair above, for
/// the rounding of scores summed in another order.
fn bm25_bound(searcher: &Searcher, clauses: &[(Field, &[String], f32)]) -> Result<f32> {
    let mut bound = 0.0f32;
    for (field, terms, boost) in clauses {
        let terms: Vec<Term> = terms
            .iter()
            .map(|t| Term::from_field_text(*field, t))
            .collect();
        if terms.is_empty() {
            continue;
        }
        bound += Bm25Weight::for_terms(searcher, &terms)?
            .boost_by(*boost)
            .max_score();
    }
    Ok(bound * 1.001 + 0.001)
}

/// A word held by at most this many episodes is rare: a far more common neighbour is
/// searched too (a typo the data happens to share: `goverment`).
const RARE_EPISODES: u64 = 2;
/// ...when the neighbour is in at least this many times as many episodes, and at least
/// this many.
const COMMON_FACTOR: u64 = 10;
const COMMON_EPISODES: u64 = 10;

/// What spelling makes of one typed word.
enum Spelling {
    AsTyped,
    /// No episode holds the word: this is searched instead.
    Replace(String),
    /// Very few episodes hold the word and far more this neighbour: both are searched, the
    /// word as typed ranking first.
    Also(String),
}

/// The index's nearest word to a typed word it does not hold, within `spelling::max_edits`,
/// else the two words it runs together; for a rare word, a far more common neighbour. Words
/// with digits or symbols (`c#`, `x86`) are taken as typed.
fn spell(
    index: &EpisodeIndex,
    searcher: &Searcher,
    terms: &[String],
    typed: &str,
) -> Result<Spelling> {
    let Some(words_field) = index.fields.words else {
        return Ok(Spelling::AsTyped);
    };
    let folded = schema::fold(typed);
    let [word] = folded.as_slice() else {
        return Ok(Spelling::AsTyped);
    };
    if terms.len() != 1 || !word.chars().all(char::is_alphabetic) {
        return Ok(Spelling::AsTyped);
    }
    if index.holds_in_a_language(searcher, typed)? {
        return Ok(Spelling::AsTyped);
    }
    let max = spelling::max_edits(word.chars().count());
    if index.holds(searcher, terms)? {
        let own = searcher.doc_freq(&Term::from_field_text(words_field, word))?;
        if own > RARE_EPISODES {
            return Ok(Spelling::AsTyped);
        }
        // The data's own typo is one slip away (`goverment`); a one-edit walk of the word list
        // is also far cheaper than a two-edit one, and this runs for every rare query word.
        let neighbour = spelling::nearest(searcher, words_field, word, max.min(1))?;
        return Ok(match neighbour {
            Some((near, freq))
                if freq >= COMMON_EPISODES.max(COMMON_FACTOR * own)
                    && schema::analyze(&near) != terms =>
            {
                Spelling::Also(near)
            }
            _ => Spelling::AsTyped,
        });
    }
    if let Some((near, _)) = spelling::nearest(searcher, words_field, word, max)? {
        return Ok(Spelling::Replace(near));
    }
    // Two words run together, taken only where the episodes write them side by side.
    for (left, right) in spelling::splits(searcher, words_field, word)?
        .into_iter()
        .take(3)
    {
        let together = format!("{left} {right}");
        let terms = schema::analyze(&together);
        if terms.len() == 2 && searcher.search(&*form(&index.fields, &terms), &Count)? > 0 {
            return Ok(Spelling::Replace(together));
        }
    }
    Ok(Spelling::AsTyped)
}

/// Merge runs of words that form a synonym entry (`machine learning`), longest first.
fn group_synonyms(parts: Vec<Part>, synonyms: &Synonyms) -> Vec<Word> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let longest = synonyms::MAX_ENTRY_WORDS.min(parts.len() - i);
        let (taken, alternatives) = (1..=longest)
            .rev()
            .find_map(|k| {
                let run: Vec<String> = parts[i..i + k]
                    .iter()
                    .flat_map(|p| p.terms.iter().cloned())
                    .collect();
                let found = synonyms.alternatives(&run);
                (!found.is_empty()).then_some((k, found))
            })
            .unwrap_or((1, Vec::new()));
        let mut alternatives = alternatives;
        if let (1, Some(near)) = (taken, &parts[i].neighbour) {
            if !alternatives.contains(near) {
                alternatives.push(near.clone());
            }
        }
        words.push(Word {
            parts: parts[i..i + taken].to_vec(),
            synonyms: alternatives,
        });
        i += taken;
    }
    words
}

/// The query words in order as one phrase, and each variant with one word swapped for one of
/// its synonyms.
fn phrase_variants(words: &[Word]) -> Vec<Vec<String>> {
    let join = |swap: Option<(usize, &Vec<String>)>| -> Vec<String> {
        words
            .iter()
            .enumerate()
            .flat_map(|(i, w)| match swap {
                Some((at, terms)) if at == i => terms.clone(),
                _ => w.parts.iter().flat_map(|p| p.terms.clone()).collect(),
            })
            .collect()
    };
    let mut variants = vec![join(None)];
    for (i, w) in words.iter().enumerate() {
        for terms in &w.synonyms {
            if variants.len() < MAX_PHRASE_VARIANTS {
                variants.push(join(Some((i, terms))));
            }
        }
    }
    variants
}

/// A word (one term, or several as a phrase: `node.js`) in the title or any body field, the
/// title weighted `TITLE_BOOST`.
fn form(f: &Fields, terms: &[String]) -> Box<dyn Query> {
    field_clauses(f, terms, TITLE_BOOST)
}

/// The same without the title weight, for tiers that only ask whether it matched.
fn form_unboosted(f: &Fields, terms: &[String]) -> Box<dyn Query> {
    field_clauses(f, terms, 1.0)
}

/// A term, or a phrase of terms, in one field.
fn terms_query(field: Field, terms: &[String]) -> Box<dyn Query> {
    if let [term] = terms {
        Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))
    }
}

/// The word in any searchable field: a lazy union, which costs little inside the
/// intersections and tiers it is used in (see `AnyField`).
fn field_clauses(f: &Fields, terms: &[String], title_boost: f32) -> Box<dyn Query> {
    let clauses = f
        .searchable()
        .into_iter()
        .map(|field| {
            let boost = if field == f.title { title_boost } else { 1.0 };
            weighted(terms_query(field, terms), boost)
        })
        .collect();
    Box::new(AnyField::new(clauses))
}

/// Every form of a word: all its typed words, or any of its synonyms.
fn any_form(f: &Fields, w: &Word) -> Box<dyn Query> {
    let typed: Box<dyn Query> = Box::new(BooleanQuery::new(
        w.parts
            .iter()
            .map(|p| (Occur::Must, form_unboosted(f, &p.terms)))
            .collect(),
    ));
    if w.synonyms.is_empty() {
        return typed;
    }
    let mut clauses = vec![typed];
    clauses.extend(w.synonyms.iter().map(|terms| form_unboosted(f, terms)));
    Box::new(AnyField::new(clauses))
}

fn copy(clauses: &[(Occur, Box<dyn Query>)]) -> Vec<(Occur, Box<dyn Query>)> {
    clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
}

fn weighted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
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

/// Highlights for a page of hits: from the words as searched, else (an episode found through
/// a synonym only) from the words and their synonyms.
struct PageHighlighter {
    main: Highlighter,
    widened: Option<Highlighter>,
}

impl PageHighlighter {
    fn new(
        searcher: &Searcher,
        compiled: &Compiled,
        f: &Fields,
        snippet_chars: usize,
    ) -> Result<PageHighlighter> {
        Ok(PageHighlighter {
            main: Highlighter::new(searcher, &*compiled.text, f, snippet_chars)?,
            widened: compiled
                .widened
                .as_deref()
                .map(|q| Highlighter::new(searcher, q, f, snippet_chars))
                .transpose()?,
        })
    }

    fn highlight(&self, episode: &Episode) -> (Highlighted, Highlighted) {
        let (mut title, mut snippet) = self.main.highlight(episode);
        // Found through a synonym only: show where the synonym matched.
        if let (Some(widened), true) = (&self.widened, snippet.highlights.is_empty()) {
            let (wide_title, wide_snippet) = widened.highlight(episode);
            if !wide_snippet.highlights.is_empty() {
                snippet = wide_snippet;
            }
            if title.highlights.is_empty() {
                title = wide_title;
            }
        }
        (title, snippet)
    }
}

/// Finds highlight ranges for one query in titles and bodies.
struct Highlighter {
    title: WordMatcher,
    /// In the order of `Fields::bodies`.
    bodies: Vec<WordMatcher>,
    snippet_chars: usize,
}

/// The longest title highlighted in one piece.
const LONGEST_TITLE: usize = 10_000;

impl Highlighter {
    fn new(
        searcher: &Searcher,
        query: &dyn Query,
        f: &Fields,
        snippet_chars: usize,
    ) -> Result<Highlighter> {
        let title = matcher(searcher, query, f.title)?;
        let bodies = f
            .bodies()
            .into_iter()
            .map(|field| matcher(searcher, query, field))
            .collect::<Result<_>>()?;
        Ok(Highlighter {
            title,
            bodies,
            snippet_chars,
        })
    }

    fn highlight(&self, e: &Episode) -> (Highlighted, Highlighted) {
        let title_text = e.title.clone().unwrap_or_default();
        let title = match self.title.best_fragment(&title_text, LONGEST_TITLE) {
            Some((_, ranges)) => Highlighted {
                highlights: snippet::merge_ranges(&title_text, &ranges),
                text: title_text,
            },
            None => Highlighted {
                text: title_text,
                highlights: Vec::new(),
            },
        };
        let texts = [&e.summary, &e.overview, &e.description];
        let mut best: Option<(usize, usize, Highlighted)> = None;
        for (matcher, text) in self.bodies.iter().zip(texts) {
            let Some(text) = text.as_deref().filter(|t| matcher.may_match(t)) else {
                continue;
            };
            let Some((_, ranges)) = matcher.best_fragment(text, self.snippet_chars.max(20)) else {
                continue;
            };
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

/// The words of `field` that `query` matches, as `SnippetGenerator::create` weighs them: each
/// query term of the field that the index holds, weighted by rarity.
fn matcher(searcher: &Searcher, query: &dyn Query, field: Field) -> Result<WordMatcher> {
    let mut terms = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weighted = BTreeMap::new();
    for term in terms {
        if let Some(text) = term.value().as_str() {
            let doc_freq = searcher.doc_freq(&term)?;
            if doc_freq > 0 {
                weighted.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
            }
        }
    }
    Ok(WordMatcher::new(weighted))
}
