//! Search as you type: completions of the last, partly typed word (from the spelling
//! vocabulary, most used first) and titles that start with what was typed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::TantivyDocument;
use tantivy_fst::automaton::AlwaysMatch;

use super::word_list;
use crate::error::Result;
use crate::index::indexer::{from_document, EpisodeIndex, PerGeneration};
use crate::index::schema;

/// How many completions of the last word, and how many titles, are offered at most.
pub const MOST_WORDS: usize = 5;
pub const MOST_TITLES: usize = 5;
/// A word is completed from this many letters on: a single letter matches too much to help.
const SHORTEST_PREFIX: usize = 2;

/// Every title with the key it is compared by (`title_key`), sorted by key.
type Titles = Arc<Vec<(String, String)>>;

/// Prefixes' completions, by prefix.
type Completions = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// Suggestions, with the index's titles kept sorted per reader generation.
#[derive(Default)]
pub struct Suggester {
    titles: Mutex<Option<(u64, Titles)>>,
    /// The completions of short prefixes (`SHORT_PREFIX` bytes at most) asked for so far in
    /// this generation of the index: such a prefix leads to thousands of words, all walked to
    /// find the five most common, and a box typed into asks for the same few again and again.
    short: PerGeneration<Completions>,
}

/// Prefixes of at most this many bytes have their completions kept (see `Suggester::short`).
const SHORT_PREFIX: usize = 3;

impl Suggester {
    pub fn new() -> Suggester {
        Suggester::default()
    }

    /// Completions of `typed` for a search box: the text with its last word completed, then
    /// titles starting with the text (any case, accents folded), without repeats.
    pub fn suggest(&self, index: &EpisodeIndex, typed: &str) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let typed = typed.trim_start();
        if typed.is_empty() {
            return Ok(out);
        }
        let ends_word = typed.ends_with(char::is_whitespace);
        let last = typed.split_whitespace().last().unwrap_or("");
        let folded = schema::fold(last);
        if let (false, [prefix]) = (ends_word, folded.as_slice()) {
            if prefix.chars().count() >= SHORTEST_PREFIX && prefix.is_ascii() {
                let head = &typed[..typed.len() - last.len()];
                for word in self.complete(index, prefix)? {
                    out.push(format!("{head}{word}"));
                }
            }
        }
        let key = title_key(typed.trim_end());
        if key.chars().count() >= SHORTEST_PREFIX {
            let titles = self.titles(index)?;
            let start = titles.partition_point(|(k, _)| k.as_str() < key.as_str());
            for (k, title) in titles[start..].iter() {
                if !k.starts_with(&key) || out.len() >= MOST_WORDS + MOST_TITLES {
                    break;
                }
                if !out.contains(title) {
                    out.push(title.clone());
                }
            }
        }
        Ok(out)
    }

    /// The completions of `prefix`, kept when it is short.
    fn complete(&self, index: &EpisodeIndex, prefix: &str) -> Result<Vec<String>> {
        if prefix.len() > SHORT_PREFIX {
            return complete(index, prefix);
        }
        let generation = index.searcher().generation().generation_id();
        let kept = self
            .short
            .get(generation, || Ok::<_, crate::error::Error>(Arc::default()))?;
        if let Some(words) = kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(prefix)
        {
            return Ok(words.clone());
        }
        let words = complete(index, prefix)?;
        kept.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(prefix.to_string(), words.clone());
        Ok(words)
    }

    /// Build the sorted titles of the current reader generation now, not on the next keystroke.
    pub fn warm(&self, index: &EpisodeIndex) -> Result<()> {
        self.titles(index).map(|_| ())
    }

    fn titles(&self, index: &EpisodeIndex) -> Result<Titles> {
        let searcher = index.searcher();
        let generation = searcher.generation().generation_id();
        // Held while the titles are read: a second caller waits for them rather than reading
        // them all again.
        let mut cached = self.titles.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((g, titles)) = cached.as_ref() {
            if *g == generation {
                return Ok(titles.clone());
            }
        }
        let mut titles = Vec::new();
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                let address = tantivy::DocAddress::new(segment_ord as u32, doc);
                let document: TantivyDocument = searcher.doc(address)?;
                if let Some(title) = from_document(&document, &index.fields).title {
                    titles.push((title_key(&title), title));
                }
            }
        }
        titles.sort();
        titles.dedup();
        let titles = Arc::new(titles);
        *cached = Some((generation, titles.clone()));
        Ok(titles)
    }
}

/// A title or typed text as compared: lower-cased, accents folded, spaces collapsed.
fn title_key(text: &str) -> String {
    let mut folder = schema::word_folder();
    text.split_whitespace()
        .map(|w| {
            let mut stream = folder.token_stream(w);
            match stream.next() {
                Some(token) => token.text.clone(),
                None => w.to_lowercase(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The vocabulary's words starting with `prefix`, most used first (ties alphabetical).
fn complete(index: &EpisodeIndex, prefix: &str) -> Result<Vec<String>> {
    let Some(vocabulary) = index.vocabulary()? else {
        return Ok(Vec::new());
    };
    let mut words: Vec<(u64, String)> = Vec::new();
    word_list::walk_under(vocabulary.fst(), prefix.as_bytes(), &AlwaysMatch, |word| {
        if let Ok(word) = std::str::from_utf8(word) {
            let count = vocabulary.count(word).unwrap_or(0);
            words.push((count, word.to_string()));
        }
    });
    words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(words
        .into_iter()
        .take(MOST_WORDS)
        .map(|(_, word)| word)
        .collect())
}
