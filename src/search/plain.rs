//! Plain-word queries: typed words grouped with their synonyms, the tiers that rank them
//! (all words, phrase, as typed; BM25 within each), and the two-pass ranking that finds a
//! page of them without scoring every episode holding a common word.

use std::collections::HashSet;

use tantivy::collector::Count;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, Term};

use crate::error::Result;
use crate::index::schema::Fields;

use super::any_field::{word_bound, AnyField, Word as BoundedWord, Words};
use super::explain::{ExplainedTier, ExplainedWord, Explainer, Tier};
use super::filters::with_filters;
use super::options::{field_weight, SearchOptions, TITLE_BOOST};
use super::results::Ranked;
use super::synonyms::{self, Synonyms};
use super::ties::{keep_with_ties, TopWithTies};

/// Score added to episodes holding every query word, so they rank above those with some.
const ALL_WORDS_BONUS: f32 = 1000.0;
/// Score added to episodes holding the query words as a phrase.
const PHRASE_BONUS: f32 = 1000.0;
/// Score added to episodes holding every word as typed (or as corrected) when synonyms
/// widened the query, so a literal match always ranks above one through a synonym.
const AS_TYPED_BONUS: f32 = 500.0;
/// Bonus for an episode whose transcript says the words of content together (in order, a few
/// words apart at most): below every word in the title and bodies, above words said apart.
const SAID_BONUS: f32 = 400.0;
/// Weight of a word found through a synonym, relative to the word it stands in for.
const SYNONYM_WEIGHT: f32 = 0.5;
/// Most phrase variants (one word swapped for a synonym) tried for the phrase tier.
const MAX_PHRASE_VARIANTS: usize = 16;
/// A query of at least this many words of content is ranked as a long one: one episode seldom
/// holds them all, so the words it holds count (`COORDINATION`), and the title weighs as much
/// as a body (`LONG_TITLE_BOOST`).
pub(crate) const LONG_QUERY: usize = 4;
/// Score added for each word of a long query an episode holds, in any field, times the word's
/// rarity (0 to 1): an episode holding five of the words outranks one that says two of them
/// often. Chosen on `tests/judged-natural.tsv` (24 to 36 gave MRR@10 within 0.015 of the best).
const COORDINATION: f32 = 32.0;
/// The title's weight in a long query. Its words are a paraphrase, rarely the title's own;
/// at 2 a single word in a title outweighed an episode whose summary held most of them.
const LONG_TITLE_BOOST: f32 = 1.0;

/// One typed word as searched: its analyzed terms (as typed, or its correction's) and weight.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) terms: Vec<String>,
    pub(crate) weight: f32,
    /// A far more common neighbour of a rare word, searched as a synonym of it.
    pub(crate) neighbour: Option<Vec<String>>,
    /// A function word (`the`, `who`) in a query with words of content: it counts in the
    /// phrase of the whole query only.
    pub(crate) function: bool,
    /// How rare the word is, 0 to 1 (worked out for long queries only).
    pub(crate) rarity: f32,
    /// The word as typed or corrected, for explanations.
    pub(crate) label: String,
}

/// A run of typed words that one synonym entry covers (often a single word), with the other
/// entries of its groups.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub(crate) parts: Vec<Part>,
    pub(crate) synonyms: Vec<Vec<String>>,
}

impl Word {
    /// A function word with no synonym: part of the query's phrase, not of its words.
    fn is_function(&self) -> bool {
        self.synonyms.is_empty() && self.parts.iter().all(|p| p.function)
    }

    fn weight(&self) -> f32 {
        self.parts.iter().map(|p| p.weight).fold(1.0, f32::min)
    }
}

/// `scoring` for plain words, split where its tiers split the index: an episode holding every
/// word gets the all-words bonus (and maybe more), any other only the BM25 of the words it
/// holds (and, in a long query, their coordination). The episodes holding every word are
/// ranked first, by the whole `scoring`; when they are fewer than the page, the best of the
/// others come from the words alone, without scoring every episode holding a common word: a
/// flat union of terms that tantivy ranks with block-max WAND, or for a long query a union of
/// words pruned with MaxScore (`Words`). `ranked` falls back to `scoring` when the split
/// cannot prove its page.
pub(crate) struct Staged {
    /// `scoring` over the episodes holding every word (or a synonym of it), less `bonus`.
    pub(crate) every_word: Box<dyn Query>,
    pub(crate) bonus: f32,
    /// `scoring` of an episode missing a word: the words' BM25 alone, plus their coordination
    /// in a long query.
    pub(crate) rest: Box<dyn Query>,
    /// The (field, terms, boost) clauses of `rest`, for the bound on what it can score
    /// (`word_bound`), worked out only when the first pass fills the page: for most queries
    /// of several words it finds no episode at all.
    pub(crate) clauses: Vec<(Field, Vec<String>, f32)>,
    /// What the coordination bonuses of a long query add up to (0 for a short one): part of
    /// the most `rest` can score.
    pub(crate) coordination: f32,
}

/// The ranking of plain words (see the README's "How ranking works"): the query that scores
/// them, the words as searched (what highlights come from), the words with their synonyms,
/// and the two-pass form of the scoring.
pub(crate) struct Tiers {
    pub(crate) scoring: Box<dyn Query>,
    pub(crate) text: Box<dyn Query>,
    pub(crate) widened: Option<Box<dyn Query>>,
    pub(crate) staged: Option<Staged>,
    /// When asked for: what explains each hit's rank.
    pub(crate) explainer: Option<Explainer>,
}

type Queries = Vec<Box<dyn Query>>;

impl Tiers {
    /// The tier of episodes whose transcript says the words together (`said`, a sloppy phrase
    /// in what was said), below every word in the title and bodies. Ranked in one pass: the
    /// two-pass form does not know the tier (teaching it made no measurable difference on
    /// 10,000 hour-long transcripts; see BENCHMARKS.md).
    pub(crate) fn add_said(&mut self, said: Box<dyn Query>) {
        let tier = Box::new(ConstScoreQuery::new(said, SAID_BONUS)) as Box<dyn Query>;
        if let Some(explainer) = &mut self.explainer {
            explainer.tiers.push(ExplainedTier {
                tier: Tier::Said,
                query: tier.box_clone(),
                bonus: SAID_BONUS,
            });
        }
        self.scoring = Box::new(BooleanQuery::new(vec![
            (Occur::Should, self.scoring.box_clone()),
            (Occur::Should, tier),
        ]));
        self.staged = None;
    }

    /// The tiers of `words` (spelt and grouped with their synonyms), with `native`, the typed
    /// words as each language-stemmed field holding episodes analyses them.
    pub(crate) fn new(
        f: &Fields,
        words: &[Word],
        native: &[(Field, Vec<String>)],
        explain: bool,
    ) -> Tiers {
        let content: Vec<Word> = words.iter().filter(|w| !w.is_function()).cloned().collect();
        let scored = if content.is_empty() { words } else { &content };
        let pieces = Pieces::new(f, scored, words, native);
        let text = pieces.text();
        let widened = pieces.widened();
        let explainer = explain.then(|| {
            let function_words = words
                .iter()
                .filter(|w| scored.len() < words.len() && w.is_function())
                .flat_map(|w| w.parts.iter().map(|p| p.label.clone()))
                .collect();
            pieces.explainer(f, scored, function_words)
        });
        if pieces.phrase.is_none() && pieces.synonyms.is_empty() {
            // One word: its BM25 is the whole score, and the flat union is already the fast
            // form.
            return Tiers {
                scoring: text.box_clone(),
                text,
                widened,
                staged: None,
                explainer,
            };
        }
        Tiers {
            scoring: pieces.scoring(&text),
            staged: Some(pieces.staged(&text)),
            text,
            widened,
            explainer,
        }
    }
}

/// What the tiers of some words are made of.
struct Pieces<'w> {
    /// The words' BM25, one (field, terms, boost) clause for each part in the title and each
    /// body (the title weighted): `part_clauses` of those; then one for each part in what was
    /// said and in the chapter titles, and one for each native form.
    flat: Vec<(Field, &'w [String], f32)>,
    part_clauses: usize,
    parts: usize,
    /// Every word, in some form, in some field.
    all_words: Box<dyn Query>,
    /// The words as a phrase (+1000), when there are several.
    phrase: Option<Box<dyn Query>>,
    /// Each synonym's BM25, weighted below its word.
    synonyms: Queries,
    /// Every word as typed (+500), when synonyms widened the query.
    as_typed: Option<Box<dyn Query>>,
    /// In a long query, each part's coordination bonus (0 for the words with synonyms)...
    coordination: Vec<f32>,
    /// ...and each word with synonyms in any of its forms, with its bonus.
    coordinated: Vec<(Box<dyn Query>, f32)>,
}

impl<'w> Pieces<'w> {
    /// The pieces of `words`, with `phrased`, every word typed (function words too), as the
    /// phrase tier.
    fn new(
        f: &Fields,
        words: &'w [Word],
        phrased: &[Word],
        native: &'w [(Field, Vec<String>)],
    ) -> Pieces<'w> {
        let parts = words.iter().flat_map(|w| &w.parts);
        let long = words.len() >= LONG_QUERY;
        let title_boost = if long { LONG_TITLE_BOOST } else { TITLE_BOOST };
        let mut flat: Vec<(Field, &[String], f32)> = Vec::new();
        for part in parts.clone() {
            for field in f.written() {
                let boost = if field == f.title { title_boost } else { 1.0 };
                flat.push((field, &part.terms, boost * part.weight));
            }
        }
        let part_clauses = flat.len();
        // What was said and the chapter titles add their weighted BM25, but a word found only
        // there holds for no tier and earns no coordination: an hour of talk holds most words
        // of a long query.
        let written = f.written();
        let spoken: Vec<Field> = f
            .searchable()
            .into_iter()
            .filter(|field| !written.contains(field))
            .collect();
        for part in parts.clone() {
            for &field in &spoken {
                flat.push((field, &part.terms, field_weight(f, field) * part.weight));
            }
        }
        // Episodes in a language with its own stemmer also match through that analysis
        // (`Nachricht` finds `Nachrichten` in a German feed); the tiers stay English.
        flat.extend(
            native
                .iter()
                .map(|(field, terms)| (*field, terms.as_slice(), 1.0)),
        );
        let part_count = parts.clone().count();
        let phrased_count = phrased.iter().map(|w| w.parts.len()).sum::<usize>();
        let phrase = (phrased_count > 1).then(|| {
            let phrases: Queries = phrase_variants(phrased)
                .iter()
                .map(|terms| form_unboosted(f, terms))
                .collect();
            Box::new(ConstScoreQuery::new(
                Box::new(AnyField::new(phrases)),
                PHRASE_BONUS,
            )) as Box<dyn Query>
        });
        let synonyms: Queries = words
            .iter()
            .flat_map(|w| {
                w.synonyms
                    .iter()
                    .map(move |terms| weighted(form(f, terms), SYNONYM_WEIGHT * w.weight()))
            })
            .collect();
        let as_typed = (!synonyms.is_empty()).then(|| {
            let every: Vec<(Occur, Box<dyn Query>)> = parts
                .clone()
                .map(|p| (Occur::Must, form_unboosted(f, &p.terms)))
                .collect();
            Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(every)),
                AS_TYPED_BONUS,
            )) as Box<dyn Query>
        });
        // A word with synonyms counts as held in any of its forms: its bonus is a clause of its
        // own. Any other word's bonus comes with its BM25, in one pass (`AnyField::with_bonus`).
        let (mut coordination, mut coordinated) = (Vec::new(), Vec::new());
        if long {
            for w in words {
                let bonus = COORDINATION * w.parts.iter().map(|p| p.rarity).fold(1.0, f32::min);
                if w.synonyms.is_empty() {
                    coordination.extend(w.parts.iter().map(|p| COORDINATION * p.rarity));
                } else {
                    coordination.extend(w.parts.iter().map(|_| 0.0));
                    let held = any_form(f, w);
                    coordinated.push((
                        Box::new(ConstScoreQuery::new(held, bonus)) as Box<dyn Query>,
                        bonus,
                    ));
                }
            }
        }
        Pieces {
            coordination,
            coordinated,
            flat,
            part_clauses,
            parts: part_count,
            all_words: Box::new(BooleanQuery::new(
                words
                    .iter()
                    .map(|w| (Occur::Must, any_form(f, w)))
                    .collect(),
            )),
            phrase,
            synonyms,
            as_typed,
        }
    }

    /// The flat clauses of part `i` (one per written field).
    fn part_range(&self, i: usize) -> std::ops::Range<usize> {
        let per_part = self.part_clauses / self.parts.max(1);
        i * per_part..(i + 1) * per_part
    }

    /// The (field, terms, boost) of these flat clauses, owned: what bounds are worked out from.
    fn owned(&self, range: std::ops::Range<usize>) -> Vec<(Field, Vec<String>, f32)> {
        self.flat[range]
            .iter()
            .map(|(field, terms, boost)| (*field, terms.to_vec(), *boost))
            .collect()
    }

    fn clauses(&self, range: std::ops::Range<usize>) -> Queries {
        self.flat[range]
            .iter()
            .map(|(field, terms, boost)| weighted(terms_query(*field, terms), *boost))
            .collect()
    }

    fn should(queries: Queries) -> Vec<(Occur, Box<dyn Query>)> {
        queries.into_iter().map(|q| (Occur::Should, q)).collect()
    }

    /// The words' BM25: one flat union of term clauses.
    fn text(&self) -> Box<dyn Query> {
        if !self.coordination.is_empty() {
            return Box::new(Words(self.bounded_words()));
        }
        let all = self.clauses(0..self.flat.len());
        Box::new(BooleanQuery::new(Self::should(all)))
    }

    /// A long query's words for a union pruned with MaxScore: each part's fields in one union
    /// that adds its coordination bonus, then the native forms.
    fn bounded_words(&self) -> Vec<BoundedWord> {
        let mut words: Vec<BoundedWord> = self
            .coordination
            .iter()
            .enumerate()
            .map(|(i, bonus)| BoundedWord {
                query: Box::new(AnyField::with_bonus(
                    self.clauses(self.part_range(i)),
                    *bonus,
                )),
                clauses: self.owned(self.part_range(i)),
                bonus: *bonus,
            })
            .collect();
        words.extend((self.part_clauses..self.flat.len()).map(|i| BoundedWord {
            query: self.clauses(i..i + 1).remove(0),
            clauses: self.owned(i..i + 1),
            bonus: 0.0,
        }));
        words
    }

    /// What the coordination bonuses of a long query add up to.
    fn coordination_total(&self) -> f32 {
        self.coordination.iter().sum::<f32>() + self.coordinated.iter().map(|(_, b)| b).sum::<f32>()
    }

    /// The words and their synonyms, for highlighting an episode found through a synonym.
    fn widened(&self) -> Option<Box<dyn Query>> {
        if self.synonyms.is_empty() {
            return None;
        }
        let mut all = self.clauses(0..self.flat.len());
        all.extend(self.synonyms.iter().map(|q| q.box_clone()));
        Some(Box::new(BooleanQuery::new(Self::should(all))))
    }

    fn all_words_bonus(&self) -> f32 {
        if self.parts > 1 {
            ALL_WORDS_BONUS
        } else {
            0.0
        }
    }

    /// What explains a hit of these pieces: each scored word's clauses by field and its
    /// coordination bonus, then the tiers.
    fn explainer(&self, f: &Fields, words: &[Word], function_words: Vec<String>) -> Explainer {
        let mut explained = Vec::new();
        let mut part = 0;
        let mut synonym_bonus = self.coordinated.iter();
        for w in words {
            let word_bonus = if w.synonyms.is_empty() {
                None
            } else {
                synonym_bonus.next()
            };
            for (j, p) in w.parts.iter().enumerate() {
                let clauses = &self.flat[self.part_range(part)];
                let fields = clauses
                    .iter()
                    .map(|(field, terms, boost)| {
                        let q = weighted(terms_query(*field, terms), *boost);
                        (f.name(*field).to_string(), q)
                    })
                    .collect();
                let (held, bonus) = match (word_bonus, j) {
                    (Some((q, bonus)), 0) => (q.box_clone(), *bonus),
                    _ => (
                        form_unboosted(f, &p.terms),
                        self.coordination.get(part).copied().unwrap_or(0.0),
                    ),
                };
                explained.push(ExplainedWord {
                    word: p.label.clone(),
                    fields,
                    held,
                    bonus,
                    native: false,
                });
                part += 1;
            }
        }
        for (field, terms, boost) in &self.flat[self.part_clauses..] {
            let q = weighted(terms_query(*field, terms), *boost);
            explained.push(ExplainedWord {
                word: terms.join(" "),
                fields: vec![(f.name(*field).to_string(), q.box_clone())],
                held: q,
                bonus: 0.0,
                native: true,
            });
        }
        // A synonym scores where every word is held (see `scoring`): shown only where it did.
        let synonym_labels = words
            .iter()
            .flat_map(|w| w.synonyms.iter().map(|terms| terms.join(" ")));
        for (label, q) in synonym_labels.zip(&self.synonyms) {
            let only_with_every_word: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(self.all_words.box_clone(), 0.0)),
                ),
                (Occur::Must, q.box_clone()),
            ]));
            explained.push(ExplainedWord {
                word: format!("{label} (synonym)"),
                fields: vec![("any field".to_string(), only_with_every_word.box_clone())],
                held: only_with_every_word,
                bonus: 0.0,
                native: true,
            });
        }
        let mut tiers = Vec::new();
        if self.all_words_bonus() > 0.0 {
            tiers.push(ExplainedTier {
                tier: Tier::EveryWord,
                query: self.all_words.box_clone(),
                bonus: self.all_words_bonus(),
            });
        }
        if let Some(q) = &self.phrase {
            tiers.push(ExplainedTier {
                tier: Tier::Phrase,
                query: q.box_clone(),
                bonus: PHRASE_BONUS,
            });
        }
        if let Some(q) = &self.as_typed {
            tiers.push(ExplainedTier {
                tier: Tier::AsTyped,
                query: q.box_clone(),
                bonus: AS_TYPED_BONUS,
            });
        }
        Explainer {
            words: explained,
            tiers,
            function_words,
            long: !self.coordination.is_empty(),
        }
    }

    /// The whole score: the words' BM25 and every tier.
    fn scoring(&self, text: &dyn Query) -> Box<dyn Query> {
        let mut scoring = vec![(Occur::Should, text.box_clone())];
        scoring.extend(
            self.coordinated
                .iter()
                .map(|(q, _)| (Occur::Should, q.box_clone())),
        );
        if self.all_words_bonus() > 0.0 {
            scoring.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    self.all_words.box_clone(),
                    self.all_words_bonus(),
                )),
            ));
        }
        scoring.extend(self.phrase.iter().map(|q| (Occur::Should, q.box_clone())));
        if !self.synonyms.is_empty() {
            // A synonym stands in for its word only where every other query word matched
            // too, so `tech debt` does not bring every episode that says `technical`.
            let through_synonyms = BooleanQuery::new(Self::should(
                self.synonyms.iter().map(|q| q.box_clone()).collect(),
            ));
            let only_with_every_word: Box<dyn Query> =
                Box::new(ConstScoreQuery::new(self.all_words.box_clone(), 0.0));
            scoring.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, only_with_every_word),
                    (Occur::Must, Box::new(through_synonyms)),
                ])),
            ));
        }
        scoring.extend(self.as_typed.iter().map(|q| (Occur::Should, q.box_clone())));
        Box::new(BooleanQuery::new(scoring))
    }

    /// `scoring` in two passes (see `Staged`). Over the episodes holding every word: what they
    /// must match, what else they may (every optional clause in one lazy union: a buffered one
    /// would read its clauses, phrase matches among them, through whole windows of documents
    /// at every seek), and the bonus added to the page afterwards.
    fn staged(&self, text: &dyn Query) -> Staged {
        let (must, mut optional, bonus): (Queries, Queries, f32) = if self.synonyms.is_empty() {
            // Each word is one part, and the intersection of the parts' lazy unions both
            // finds the episodes holding every word and scores their words.
            let must = (0..self.parts)
                .map(|i| {
                    let fields = self.clauses(self.part_range(i));
                    let bonus = self.coordination.get(i).copied().unwrap_or(0.0);
                    Box::new(AnyField::with_bonus(fields, bonus)) as Box<dyn Query>
                })
                .collect();
            let native = self.clauses(self.part_clauses..self.flat.len());
            (must, native, self.all_words_bonus())
        } else {
            // Every word holds, so the synonym tier is the synonyms' own BM25.
            let must = vec![Box::new(ConstScoreQuery::new(
                self.all_words.box_clone(),
                self.all_words_bonus(),
            )) as Box<dyn Query>];
            let mut optional = self.clauses(0..self.flat.len());
            optional.extend(self.synonyms.iter().map(|q| q.box_clone()));
            // Every word is held in some form: every coordination bonus applies.
            (must, optional, self.coordination_total())
        };
        optional.extend(self.phrase.iter().map(|q| q.box_clone()));
        optional.extend(self.as_typed.iter().map(|q| q.box_clone()));
        let mut every_word: Vec<(Occur, Box<dyn Query>)> =
            must.into_iter().map(|q| (Occur::Must, q)).collect();
        every_word.push((Occur::Should, Box::new(AnyField::new(optional))));
        Staged {
            every_word: Box::new(BooleanQuery::new(every_word)),
            bonus,
            coordination: self.coordination_total(),
            rest: if self.coordination.is_empty() {
                text.box_clone()
            } else {
                // Not every word is held: the synonyms' BM25 does not count, their bonus does.
                let mut words = self.bounded_words();
                words.extend(self.coordinated.iter().map(|(q, bonus)| BoundedWord {
                    query: q.box_clone(),
                    clauses: Vec::new(),
                    bonus: *bonus,
                }));
                Box::new(Words(words))
            },
            clauses: self.owned(0..self.flat.len()),
        }
    }
}

/// The first `wanted` episodes `staged` stands for (see `Staged`) and those tied with the last
/// of them (`TopWithTies`), or `None` when the episodes holding every word fill them but some
/// other episode could still outscore the last of them. Equal scores are in index order.
pub(crate) fn staged_first(
    searcher: &Searcher,
    staged: &Staged,
    fields: &Fields,
    options: &SearchOptions,
    wanted: usize,
) -> Result<Option<Ranked>> {
    let every_word = with_filters(fields, staged.every_word.box_clone(), options);
    let (mut page, held) = searcher.search(&*every_word, &(TopWithTies(wanted), Count))?;
    for (score, _) in &mut page {
        *score += staged.bonus;
    }
    if held >= wanted {
        let proven = match page.last() {
            Some((last, _)) => *last > word_bound(searcher, &staged.clauses, staged.coordination)?,
            None => false,
        };
        return Ok(proven.then_some(page));
    }
    // Every episode holding every word is on `page`: the rest of it comes from the others.
    let rest = with_filters(fields, staged.rest.box_clone(), options);
    let others: Ranked = searcher.search(&*rest, &TopWithTies(wanted + held))?;
    let on_page: HashSet<DocAddress> = page.iter().map(|(_, address)| *address).collect();
    page.extend(others.into_iter().filter(|(_, a)| !on_page.contains(a)));
    page.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keep_with_ties(&mut page, wanted);
    Ok(Some(page))
}

/// Merge runs of words that form a synonym entry (`machine learning`), longest first.
pub(crate) fn group_synonyms(parts: Vec<Part>, synonyms: &Synonyms) -> Vec<Word> {
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

/// A word (one term, or several as a phrase: `node.js`) in any searchable field, the title
/// weighted `TITLE_BOOST` and what was said `TRANSCRIPT_WEIGHT`.
pub(crate) fn form(f: &Fields, terms: &[String]) -> Box<dyn Query> {
    let clauses = f
        .searchable()
        .into_iter()
        .map(|field| {
            let boost = if field == f.title {
                TITLE_BOOST
            } else {
                field_weight(f, field)
            };
            weighted(terms_query(field, terms), boost)
        })
        .collect();
    Box::new(AnyField::new(clauses))
}

/// The word in the title or a body, unweighted: for tiers, which ask whether it matched. What
/// was said earns no tier: an hour of talk holds most words of most queries.
fn form_unboosted(f: &Fields, terms: &[String]) -> Box<dyn Query> {
    let clauses = f
        .written()
        .into_iter()
        .map(|field| terms_query(field, terms))
        .collect();
    Box::new(AnyField::new(clauses))
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

fn weighted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
}
