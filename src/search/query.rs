//! Query building (parser, tiers, filters, sort), ranking and hits with highlights.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{PhraseQuery, Query, QueryParser};
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::episode::Episode;
use crate::error::Result;
use crate::index::indexer::{from_document, EpisodeIndex};
use crate::index::schema::{self, Fields};
use crate::index::tokenizer;

use super::explain::Explainer;
use super::filters::with_filters;
use super::function_words::is_function_word;
use super::moments::{MomentFinder, Spots};
use super::options::{field_weight, SearchOptions, SortOrder, CORRECTION_WEIGHT, TITLE_BOOST};
use super::plain::{form, group_synonyms, staged_first, Part, Staged, Tiers, LONG_QUERY};
use super::results::{Explanation, Hit, Ranked, SearchResults};
use super::snippet::{self, Highlighted, WordMatcher};
use super::spelling;
use super::synonyms::Synonyms;
use super::ties;

/// Addresses with the key they were ranked by: (date, score) for a sort by date, (0, score)
/// for relevance.
type Keyed = Vec<((i64, f32), DocAddress)>;

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
    /// Plain words, when explanations were asked for.
    explainer: Option<Explainer>,
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
        let Some(vocabulary) = self.vocabulary()? else {
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
                        &vocabulary,
                        folded,
                        spelling::max_suggestion_edits(folded.chars().count()),
                    )
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
        let Some(mut compiled) =
            compile(self, &searcher, &options.query, &options.synonyms, false)?
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
        let Some(compiled) = compile(self, &searcher, &options.query, &options.synonyms, false)?
        else {
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
        match compile(
            self,
            searcher,
            &options.query,
            &options.synonyms,
            options.explain,
        )? {
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
        let wanted = options.offset + options.limit.clamp(1, total);
        let mut found = self.first_ranked(searcher, &compiled, &*query, options, wanted)?;
        ties::settle(searcher, &mut found, wanted);
        found.truncate(wanted);
        let page = found
            .split_off(options.offset.min(found.len()))
            .into_iter()
            .map(|((_, score), address)| (score, address))
            .collect();
        Ok(Some((compiled, page)))
    }

    /// The first `wanted` episodes `query` finds in `options.sort` order and those tied with
    /// the last of them (up to `ties::MOST_TIED`), with their ranking keys; equal keys in
    /// index order.
    fn first_ranked(
        &self,
        searcher: &Searcher,
        compiled: &Compiled,
        query: &dyn Query,
        options: &SearchOptions,
        wanted: usize,
    ) -> Result<Keyed> {
        let relevance = |found: Ranked| found.into_iter().map(|(s, a)| ((0, s), a)).collect();
        match options.sort {
            SortOrder::Relevance => {
                if let Some(staged) = &compiled.staged {
                    if let Some(found) =
                        staged_first(searcher, staged, &self.fields, options, wanted)?
                    {
                        return Ok(relevance(found));
                    }
                }
                Ok(relevance(
                    searcher.search(query, &ties::TopWithTies(wanted))?,
                ))
            }
            SortOrder::Newest | SortOrder::Oldest => {
                // A sort by date scores every episode found, so a longer page costs only its
                // length: one more shows whether the last place is tied, and the page grows
                // until the run of ties ends.
                let total = searcher.num_docs() as usize;
                let most = wanted.saturating_add(ties::MOST_TIED).min(total);
                let mut n = (wanted + 1).min(most);
                loop {
                    let mut found = self.by_date(searcher, query, options, n)?;
                    let runs_on =
                        found.len() == n && n > wanted && found[n - 1].0 == found[wanted - 1].0;
                    if !runs_on || n >= most {
                        ties::keep_with_ties(&mut found, wanted);
                        return Ok(found);
                    }
                    n = (wanted + (n - wanted) * 16).min(most);
                }
            }
        }
    }

    /// The first `n` episodes `query` finds by date (`options.sort`), keyed on (date, score):
    /// the date orders, the score breaks ties and is reported. Episodes without a date come
    /// last either way.
    fn by_date(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        options: &SearchOptions,
        n: usize,
    ) -> Result<Keyed> {
        let newest = options.sort == SortOrder::Newest;
        Ok(searcher.search(
            query,
            &TopDocs::with_limit(n).tweak_score(move |segment: &tantivy::SegmentReader| {
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
        )?)
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
        let finder = MomentFinder::new(
            &*compiled.text,
            self.fields.spoken,
            options.moments,
            options.speaker.as_deref(),
        );
        let mut hits = Vec::with_capacity(found.len());
        for (i, (score, address)) in found.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let spots = match &finder {
                Some(finder) => finder.find(&searcher, address, &doc)?,
                None => Spots::default(),
            };
            let episode = from_document(&doc, &self.fields);
            let (title, snippet) = highlighter.highlight(&episode);
            let explain = options.explain.then(|| match &compiled.explainer {
                Some(explainer) => explainer.explain(&searcher, address),
                None => Explanation::literal(),
            });
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
                explain,
                moments: spots.moments,
                chapter: spots.chapter,
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

fn parser(index: &EpisodeIndex) -> QueryParser {
    let f = &index.fields;
    let mut fields = f.searchable();
    fields.extend(index.languages_present());
    let mut parser = QueryParser::new(
        index.index.schema(),
        fields,
        index.query_analyzers().clone(),
    );
    parser.set_field_boost(f.title, TITLE_BOOST);
    if let Some(s) = f.spoken {
        parser.set_field_boost(s.transcript, field_weight(f, s.transcript));
        parser.set_field_boost(s.chapters, field_weight(f, s.chapters));
    }
    parser
}

/// The query as plain words to rank in tiers: the query itself when it holds no syntax at all
/// (`is_plain`), or a sentence's words when its only syntax is punctuation (`prose_words`).
/// `None` when the query is to be taken literally.
fn as_words<'q>(query: &'q str, is_field: impl Fn(&str) -> bool) -> Option<Cow<'q, str>> {
    if is_plain(query) {
        return Some(Cow::Borrowed(query));
    }
    prose_words(query, is_field).map(Cow::Owned)
}

/// The parser's operators, upper case.
fn is_operator(word: &str) -> bool {
    matches!(word, "AND" | "OR" | "NOT" | "IN")
}

/// True when the query is only words: no quotes, operators, field prefixes or grouping.
/// Punctuation inside words (`c++`, `node.js`, `r&d`) is fine: the analyzer handles it.
fn is_plain(query: &str) -> bool {
    !query.chars().any(|c| "\"():[]{}^~*\\".contains(c))
        && !query
            .split_whitespace()
            .any(|w| is_operator(w) || w.starts_with('+') || w.starts_with('-'))
}

/// A sentence whose punctuation the parser would take for syntax, as plain words: parentheses
/// (an aside, or `(e.g.` never closed), a word quoted alone among others (`Central Asian
/// ("stan") countries`), a colon after a word that names no field (`star wars: the last
/// jedi`), a dash or plus standing alone. `None` for a query with operators, a field prefix
/// (`is_field`), a quoted phrase, unbalanced quotes, other syntax, or nothing but quoted words
/// (`"HTTP/2"`): those are taken literally.
fn prose_words(query: &str, is_field: impl Fn(&str) -> bool) -> Option<String> {
    if query.chars().any(|c| "[]{}^~*\\".contains(c)) {
        return None;
    }
    let pieces: Vec<&str> = query.split('"').collect();
    if pieces.len().is_multiple_of(2) {
        return None;
    }
    let mut unquoted = false;
    for (i, piece) in pieces.iter().enumerate() {
        if !i.is_multiple_of(2) {
            if piece.split_whitespace().count() > 1 {
                return None;
            }
        } else {
            unquoted |= piece
                .split_whitespace()
                .any(|w| !tokenizer::split(w).is_empty());
        }
    }
    if !unquoted {
        return None;
    }
    let mut words = Vec::new();
    for w in query.split_whitespace() {
        let bare = w.trim_matches(|c| matches!(c, '(' | ')' | '"'));
        if is_operator(bare)
            || (bare.len() > 1 && (bare.starts_with('+') || bare.starts_with('-')))
            || bare.split_once(':').is_some_and(|(name, _)| is_field(name))
        {
            return None;
        }
        let piece = bare.replace(['(', ')', '"', ':'], " ");
        words.extend(
            piece
                .split_whitespace()
                .filter(|p| !matches!(*p, "-" | "+"))
                .map(str::to_string),
        );
    }
    Some(words.join(" "))
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
    explain: bool,
) -> Result<Option<Compiled>> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if let Some(words) = as_words(trimmed, |name| index.index.schema().get_field(name).is_ok()) {
        let typed = typed_words(&words);
        if typed.is_empty() {
            return Ok(None);
        }
        return compile_words(index, searcher, &typed, synonyms, true, explain).map(Some);
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
            explainer: None,
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
            explainer: None,
        })),
        Err(e) => {
            // Already a guess at what was meant: the words are searched as they are.
            let mut compiled = compile_words(index, searcher, &words, synonyms, false, explain)?;
            compiled.warnings.push(format!(
                "could not parse the query ({}); searching for its words: {}",
                parse_error(&e),
                clip(&words.join(" "))
            ));
            Ok(Some(compiled))
        }
    }
}

/// Plain words: corrected where the index does not hold them, widened with synonyms, then
/// ranked in tiers (all words, then the words as a phrase) with BM25 inside each tier.
fn compile_words(
    index: &EpisodeIndex,
    searcher: &Searcher,
    typed: &[String],
    synonyms: &Synonyms,
    correct: bool,
    explain: bool,
) -> Result<Compiled> {
    let mut parts = Vec::with_capacity(typed.len());
    let mut shown = Vec::with_capacity(typed.len());
    let mut corrected = false;
    let mut typed_also = false;
    // Each typed word as the language-stemmed fields analyse it: asked by spelling, then
    // searched.
    let mut native: Vec<(Field, Vec<String>)> = Vec::new();
    // Function words earn nothing on their own once a query has a word of content; a query of
    // function words alone (`the who`) is searched as typed.
    let all_function = typed.iter().all(|w| is_function_word(w));
    for word in typed {
        let function = !all_function && is_function_word(word);
        let forms = index.native_forms(word);
        if !function {
            native.extend(forms.iter().cloned());
        }
        let terms = schema::analyze(word);
        if terms.is_empty() {
            continue;
        }
        // A word the synonym list knows is no typo: `dotnet` is not a misspelt `botnet`.
        let known = !synonyms.alternatives(&terms).is_empty();
        let spelling = if known || !correct || function {
            Spelling::AsTyped
        } else {
            spell(index, searcher, &terms, word, &forms)?
        };
        match spelling {
            Spelling::Replace(better) => {
                parts.push(Part {
                    terms: schema::analyze(&better),
                    weight: CORRECTION_WEIGHT,
                    neighbour: None,
                    function,
                    rarity: 0.0,
                    label: better.clone(),
                });
                shown.push(better);
                corrected = true;
            }
            Spelling::Also(common) => {
                parts.push(Part {
                    terms,
                    weight: 1.0,
                    neighbour: Some(schema::analyze(&common)),
                    function,
                    rarity: 0.0,
                    label: word.clone(),
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
                    function,
                    rarity: 0.0,
                    label: word.clone(),
                });
                shown.push(word.clone());
            }
        }
    }
    let fields = searched_fields(index, searcher);
    if parts.iter().filter(|p| !p.function).count() >= LONG_QUERY {
        for part in &mut parts {
            part.rarity = rarity(&fields, searcher, &part.terms)?;
        }
    }
    let said = said_together(&fields, searcher, &parts)?;
    let words = group_synonyms(parts, synonyms);
    let mut tiers = Tiers::new(&fields, &words, &native, explain);
    if let Some(said) = said {
        tiers.add_said(said);
    }
    Ok(Compiled {
        scoring: tiers.scoring,
        text: tiers.text,
        widened: tiers.widened,
        warnings: Vec::new(),
        corrected: corrected.then(|| shown.join(" ")),
        typed_also,
        staged: tiers.staged,
        explainer: tiers.explainer,
    })
}

/// The index's fields, less those of transcripts and chapters when no episode has any: a
/// query then costs what it did before transcripts.
fn searched_fields(index: &EpisodeIndex, searcher: &Searcher) -> Fields {
    let mut fields = index.fields;
    if let Some(spoken) = fields.spoken {
        let holds = |field| {
            searcher.segment_readers().iter().any(|segment| {
                segment
                    .inverted_index(field)
                    .is_ok_and(|inverted| inverted.terms().num_terms() > 0)
            })
        };
        if !holds(spoken.transcript) && !holds(spoken.chapters) {
            fields.spoken = None;
        }
    }
    fields
}

/// The words of content in the order typed, as a sloppy phrase in what was said, when every
/// one of them is in some transcript (else no episode can earn the tier, and the query is
/// ranked as on an index without transcripts, in two passes).
fn said_together(
    fields: &Fields,
    searcher: &Searcher,
    parts: &[Part],
) -> Result<Option<Box<dyn Query>>> {
    let Some(spoken) = fields.spoken else {
        return Ok(None);
    };
    let content: Vec<&Part> = parts.iter().filter(|p| !p.function).collect();
    // One word (`node.js` is one, of two terms) is no more said together than it is typed.
    if content.len() < 2 {
        return Ok(None);
    }
    let terms: Vec<&String> = content.iter().flat_map(|p| &p.terms).collect();
    let mut phrase = Vec::with_capacity(terms.len());
    for term in terms {
        let term = Term::from_field_text(spoken.transcript, term);
        if searcher.doc_freq(&term)? == 0 {
            return Ok(None);
        }
        phrase.push(term);
    }
    let mut query = PhraseQuery::new(phrase);
    query.set_slop(SAID_SLOP);
    Ok(Some(Box::new(query)))
}

/// Words of content said within this many positions of where a phrase would put them: the
/// function words a speaker adds, and a few more.
const SAID_SLOP: u32 = 8;

/// How rare a word is, from 0 (in every episode) to 1 (in none): its inverse document
/// frequency in the field that holds it most, over the largest it could be. Asked only for the
/// words of a long query, whose coordination bonus it weighs.
fn rarity(fields: &Fields, searcher: &Searcher, terms: &[String]) -> Result<f32> {
    let mut most = 0u64;
    for term in terms {
        for field in fields.searchable() {
            most = most.max(searcher.doc_freq(&Term::from_field_text(field, term))?);
        }
    }
    let (n, df) = (searcher.num_docs() as f32, most as f32);
    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
    Ok((idf / (1.0 + n).ln()).clamp(0.0, 1.0))
}

/// True when a language-stemmed field holds every term of one of a typed word's `native`
/// forms: `Nachricht` is no typo in a German feed even though the English-analysed fields
/// never saw it.
fn holds_in_a_language(searcher: &Searcher, native: &[(Field, Vec<String>)]) -> Result<bool> {
    for (field, terms) in native {
        let mut all = true;
        for term in terms {
            if searcher.doc_freq(&Term::from_field_text(*field, term))? == 0 {
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

/// A word held by at most this many texts (podcast names, titles, bodies: the spelling
/// vocabulary's counts) is rare: a far more common neighbour is searched too (a typo the data
/// happens to share: `goverment`).
const RARE_TEXTS: u64 = 2;
/// ...when the neighbour is in at least this many times as many texts, and at least this many.
const COMMON_FACTOR: u64 = 10;
const COMMON_TEXTS: u64 = 10;

/// What spelling makes of one typed word.
enum Spelling {
    AsTyped,
    /// No episode holds the word: this is searched instead.
    Replace(String),
    /// Very few texts hold the word and far more this neighbour: both are searched, the
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
    native: &[(Field, Vec<String>)],
) -> Result<Spelling> {
    let folded = schema::fold(typed);
    let [word] = folded.as_slice() else {
        return Ok(Spelling::AsTyped);
    };
    if terms.len() != 1 || !word.chars().all(char::is_alphabetic) {
        return Ok(Spelling::AsTyped);
    }
    if holds_in_a_language(searcher, native)? {
        return Ok(Spelling::AsTyped);
    }
    let Some(vocabulary) = index.vocabulary()? else {
        return Ok(Spelling::AsTyped);
    };
    let max = spelling::max_edits(word.chars().count());
    if index.holds(searcher, terms)? {
        let own = vocabulary.count(word).unwrap_or(0);
        if own > RARE_TEXTS {
            return Ok(Spelling::AsTyped);
        }
        // The data's own typo is one slip away (`goverment`); a one-edit walk of the word list
        // is also far cheaper than a two-edit one, and this runs for every rare query word.
        let neighbour = spelling::nearest(&vocabulary, word, max.min(1));
        return Ok(match neighbour {
            Some((near, freq))
                if freq >= COMMON_TEXTS.max(COMMON_FACTOR * own)
                    && schema::analyze(&near) != terms =>
            {
                Spelling::Also(near)
            }
            _ => Spelling::AsTyped,
        });
    }
    if let Some((near, _)) = spelling::nearest(&vocabulary, word, max) {
        return Ok(Spelling::Replace(near));
    }
    // Two words run together, taken only where the episodes write them side by side.
    for (left, right) in spelling::splits(&vocabulary, word).into_iter().take(3) {
        let together = format!("{left} {right}");
        let terms = schema::analyze(&together);
        if terms.len() == 2 && searcher.search(&*form(&index.fields, &terms), &Count)? > 0 {
            return Ok(Spelling::Replace(together));
        }
    }
    Ok(Spelling::AsTyped)
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
        let title = match self.title.best_matches(&title_text, LONGEST_TITLE) {
            Some(ranges) => Highlighted {
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
            let Some(text) = text.as_deref() else {
                continue;
            };
            let Some(ranges) = matcher.best_matches(text, self.snippet_chars.max(20)) else {
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

impl EpisodeIndex {
    /// Every episode a search of `options` matches, whatever the page (`None` for a query with
    /// nothing to search), with its filters: what totals and facets count. Of plain words,
    /// the flat union of the words: every tier above it (all the words, the phrase) matches
    /// only episodes it holds, and it is far cheaper to walk than the tiers. Synonyms and the
    /// words searched both as typed and corrected reach past it, so then the ranking query is
    /// walked itself.
    pub(crate) fn matching(
        &self,
        searcher: &Searcher,
        options: &SearchOptions,
    ) -> Result<Option<Box<dyn Query>>> {
        Ok(
            compile(self, searcher, &options.query, &options.synonyms, false)?.map(|compiled| {
                let query = if compiled.widened.is_none() && !compiled.typed_also {
                    compiled.text
                } else {
                    compiled.scoring
                };
                with_filters(&self.fields, query, options)
            }),
        )
    }

    /// How many episodes the ranking query itself matches: the reference `matching` is checked
    /// against.
    #[doc(hidden)]
    pub fn count_by_ranking(&self, options: &SearchOptions) -> Result<usize> {
        let searcher = self.searcher();
        let Some(compiled) = compile(self, &searcher, &options.query, &options.synonyms, false)?
        else {
            return Ok(0);
        };
        let query = with_filters(&self.fields, compiled.scoring, options);
        Ok(searcher.search(&*query, &Count)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(query: &str) -> Option<String> {
        prose_words(query, |name| matches!(name, "title" | "podcast"))
    }

    #[test]
    fn sentences_with_asides_and_words_quoted_alone_are_plain_words() {
        assert_eq!(
            prose(r#"I want information about the many Central Asian ("stan") countries."#)
                .as_deref(),
            Some("I want information about the many Central Asian stan countries.")
        );
        assert_eq!(
            prose("someone (e.g.").as_deref(),
            Some("someone e.g."),
            "a parenthesis never closed"
        );
        assert_eq!(
            prose("star wars: the last jedi - a review").as_deref(),
            Some("star wars the last jedi a review")
        );
        assert_eq!(prose("at 10:30 (or so)").as_deref(), Some("at 10 30 or so"));
    }

    #[test]
    fn operators_fields_phrases_and_lone_quoted_words_stay_literal() {
        for query in [
            r#""tech debt" kubernetes"#,
            r#""HTTP/2""#,
            r#"("stan")"#,
            "(tech OR product) debt",
            "title:roadmap (draft)",
            "podcast:(news) today",
            "-excluded (aside)",
            "+required (aside)",
            r#""unclosed (aside)"#,
            "boost^2 (aside)",
            "wild* (aside)",
        ] {
            assert_eq!(prose(query), None, "{query}");
        }
    }
}
