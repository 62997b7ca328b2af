//! The word splitter behind every text field: words as people type them in tech and podcast
//! talk (`C++`, `C#`, `.NET`, `node.js`, `HTTP/2`, `R&D`, `Qatar's`, `domain-driven`).
//!
//! Rules: a word is a run of letters and digits. `++` or `#` right after a word stays on it
//! (`c++`, `c#`, `f#`); a dot right before a word that follows no other word stays on it
//! (`.net`); apostrophes inside a word are dropped and a possessive `'s` is removed
//! (`qatar's` → `qatar`, `don't` → `dont`). Everything else separates words, so `node.js`,
//! `HTTP/2`, `R&D` and `domain-driven` become consecutive words (`node js`), which a query
//! typed the same way matches as a phrase.
//!
//! Chinese and Japanese write no spaces between words, so a run of their characters is not one
//! word but overlapping pairs (`互联网` → `互联 联网`), at consecutive positions: a query typed
//! the same way matches as a phrase, and `创新` finds `科技创新`. A character with no neighbour
//! of its kind is a word of its own. Pairs need no dictionary, so every word is found, at the
//! cost of some pairs that span two words.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The episearch word splitter (see the module docs).
#[derive(Clone, Default)]
pub struct WordTokenizer;

/// The words of one text, found as they are asked for: one token, rewritten for each word.
pub struct WordTokenStream<'a> {
    words: Words<'a>,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            words: Words::new(text),
            token: Token {
                position: usize::MAX,
                ..Token::default()
            },
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let token = &mut self.token;
        match self.words.next_into(&mut token.text) {
            Some((from, to)) => {
                token.offset_from = from;
                token.offset_to = to;
                token.position = token.position.wrapping_add(1);
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Characters of scripts written without spaces between words (Han, kana): see the module docs.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{31f0}'..='\u{31ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}')
}

/// A letter or digit that joins a word of the spaced scripts.
#[inline]
fn word_char(c: char) -> bool {
    c.is_alphanumeric() && (c.is_ascii() || !is_cjk(c))
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// The character starting at byte `at`, if any (ASCII without decoding).
#[inline]
fn char_at(text: &str, at: usize) -> Option<char> {
    let byte = *text.as_bytes().get(at)?;
    if byte.is_ascii() {
        Some(char::from(byte))
    } else {
        text.get(at..)?.chars().next()
    }
}

fn alphanumeric_at(text: &str, at: usize) -> bool {
    char_at(text, at).is_some_and(char::is_alphanumeric)
}

fn cjk_at(text: &str, at: usize) -> Option<char> {
    char_at(text, at).filter(|c| !c.is_ascii() && is_cjk(*c))
}

/// Split `text` into tokens with byte offsets and consecutive positions (the tokens the
/// analyzers' stream gives, collected).
pub fn split(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 6 + 1);
    let mut tokenizer = WordTokenizer;
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// Every word of `text` in order, with its byte range: the words of `split`, each lent to
/// `each` in one buffer reused for the next, so nothing is allocated a word.
pub fn for_each_word(text: &str, mut each: impl FnMut(usize, usize, &str)) {
    let mut words = Words::new(text);
    let mut word = String::with_capacity(32);
    while let Some((from, to)) = words.next_into(&mut word) {
        each(from, to, &word);
    }
}

/// A cursor over the words of a text (the rules in the module docs). It walks the bytes in
/// place, looking at most two characters back and two ahead: this runs over every text indexed
/// and highlighted, so it allocates nothing.
pub(crate) struct Words<'a> {
    text: &'a str,
    /// Where the walk has got to.
    at: usize,
    /// The character before `at`, and the one before that.
    before: [Option<char>; 2],
}

impl<'a> Words<'a> {
    pub(crate) fn new(text: &'a str) -> Words<'a> {
        Words {
            text,
            at: 0,
            before: [None, None],
        }
    }

    /// The words from byte `at` (a character boundary) on, as the walk from the start finds
    /// them when no word spans `at`.
    pub(crate) fn starting_at(text: &'a str, at: usize) -> Words<'a> {
        let mut back = text[..at].chars().rev();
        Words {
            text,
            at,
            before: [back.next(), back.next()],
        }
    }

    /// The next word, written into `word`; its byte range in the text.
    pub(crate) fn next_into(&mut self, word: &mut String) -> Option<(usize, usize)> {
        let text = self.text;
        let mut i = self.at;
        let mut before = self.before;
        loop {
            let c = char_at(text, i)?;
            // The last character of a run ended the pair before it: no word of its own.
            let paired = !c.is_ascii()
                && is_cjk(c)
                && before[0].is_some_and(is_cjk)
                && cjk_at(text, i + c.len_utf8()).is_none();
            if c.is_alphanumeric() && !paired {
                break;
            }
            before = [Some(c), before[0]];
            i += c.len_utf8();
        }
        word.clear();
        if let Some(c) = cjk_at(text, i) {
            // A pair of characters, or one with no neighbour of its kind; the next word
            // starts at the second of the pair.
            word.push(c);
            let next = i + c.len_utf8();
            let mut to = next;
            if let Some(n) = cjk_at(text, next) {
                word.push(n);
                to = next + n.len_utf8();
            }
            self.before = [Some(c), before[0]];
            self.at = next;
            return Some((i, to));
        }
        let mut from = i;
        // `.net`: a dot that follows nothing word-like.
        if before[0] == Some('.') && !before[1].is_some_and(char::is_alphanumeric) {
            from = i - 1;
            word.push('.');
        }
        // Most words are a run of ASCII letters and digits: copied at once.
        let run = text.as_bytes()[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        word.push_str(&text[i..i + run]);
        let mut j = i + run;
        while let Some(ch) = char_at(text, j) {
            if word_char(ch) {
                word.push(ch);
                j += ch.len_utf8();
            } else if is_apostrophe(ch) && j > i {
                let next = j + ch.len_utf8();
                match char_at(text, next) {
                    Some(n) if n.is_alphabetic() => {
                        let after = next + n.len_utf8();
                        if matches!(n, 's' | 'S') && !alphanumeric_at(text, after) {
                            // A possessive `'s` ends the word and is dropped.
                            j = after;
                            break;
                        }
                        j = next;
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        // `c++`, `c#`, `f#`
        if char_at(text, j) == Some('+')
            && char_at(text, j + 1) == Some('+')
            && !alphanumeric_at(text, j + 2)
        {
            word.push_str("++");
            j += 2;
        } else if char_at(text, j) == Some('#') && !alphanumeric_at(text, j + 1) {
            word.push('#');
            j += 1;
        }
        let mut back = text[..j].chars().rev();
        self.before = [back.next(), back.next()];
        self.at = j;
        Some((from, j))
    }
}

/// The English stemmer with a memory: the stems of the words it has seen. Stemming was the
/// largest single cost of indexing, and most words of a text are words seen many times before.
/// Stems are the same as tantivy's `Stemmer::new(Language::English)` gives (the same
/// Snowball stemmer).
///
/// Made `counting` into a `WordCounts`, it also counts, for the spelling vocabulary, the texts
/// holding each word of letters only (as folded, before stemming). Counting is one more number
/// in the entry the stem is looked up in, and so nearly free; counted separately, the words of
/// an import cost a fifth of its time (`vocabulary`).
#[derive(Clone, Default)]
pub struct CachedStemmer {
    counts: Option<Arc<WordCounts>>,
}

impl CachedStemmer {
    pub fn counting(counts: Arc<WordCounts>) -> CachedStemmer {
        CachedStemmer {
            counts: Some(counts),
        }
    }
}

/// Words remembered per analyzer before the memory starts over (about 10 MB at most).
const REMEMBERED_STEMS: usize = 100_000;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            memory: Memory {
                stems: Stems::default(),
                counts: self.counts,
                texts: 0,
            },
        }
    }
}

pub struct CachedStemmerFilter<T> {
    inner: T,
    memory: Memory,
}

/// A copy starts with an empty memory: its counts are its own texts'.
impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        CachedStemmerFilter {
            inner: self.inner.clone(),
            memory: Memory {
                stems: Stems::default(),
                counts: self.memory.counts.clone(),
                texts: 0,
            },
        }
    }
}

/// What a stemmer remembers: each word's stem and, when counting, the texts holding it.
struct Memory {
    stems: Stems,
    counts: Option<Arc<WordCounts>>,
    /// Texts analysed so far: a word is counted once a text.
    texts: u32,
}

struct Remembered {
    stem: String,
    /// Whether the word is one of letters only (a word the vocabulary keeps).
    letters: bool,
    /// Texts holding the word since the counts were last handed over.
    texts: u32,
    /// The last text (of `Memory::texts`) that counted it.
    last: u32,
}

type Stems = HashMap<String, Remembered, BuildHasherDefault<WordHasher>>;

impl Memory {
    /// Hand the counts over to the shared `WordCounts`.
    fn hand_over(&mut self) {
        if let Some(counts) = &self.counts {
            counts.add(
                self.stems
                    .iter_mut()
                    .filter(|(_, r)| r.letters && r.texts > 0)
                    .map(|(word, r)| (word.as_str(), std::mem::take(&mut r.texts))),
            );
        }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        self.hand_over();
    }
}

/// Counts of the texts holding each word, handed over by the counting stemmers of every
/// indexing thread (when their memory starts over, and when they are dropped, which tantivy
/// does to every analyzer of a segment once the segment is written).
#[derive(Default)]
pub struct WordCounts(Mutex<HashMap<String, u64>>);

impl WordCounts {
    fn add<'w>(&self, words: impl Iterator<Item = (&'w str, u32)>) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for (word, texts) in words {
            match counts.get_mut(word) {
                Some(n) => *n += u64::from(texts),
                None => {
                    counts.insert(word.to_string(), u64::from(texts));
                }
            }
        }
    }

    /// Every count handed over so far, leaving none.
    pub fn take(&self) -> HashMap<String, u64> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A multiply-and-rotate hash over 8 bytes at a time: a word is looked up for every word
/// indexed, and the standard hasher's resistance to chosen keys buys nothing here (the
/// memory is bounded and starts over when full).
#[derive(Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.0 =
            (self.0.rotate_left(5) ^ u64::from_le_bytes(last) ^ rest.len() as u64).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.memory.texts = self.memory.texts.wrapping_add(1);
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            memory: &mut self.memory,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    memory: &'a mut Memory,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let memory = &mut *self.memory;
        let counting = memory.counts.is_some();
        // The stemmer leaves words of one or two letters as they are.
        if token.text.len() <= 2 && !counting {
            return true;
        }
        let text = memory.texts;
        if let Some(known) = memory.stems.get_mut(token.text.as_str()) {
            if counting && known.last != text {
                known.texts += 1;
                known.last = text;
            }
            token.text.clear();
            token.text.push_str(&known.stem);
            return true;
        }
        let stem = if token.text.len() <= 2 {
            token.text.clone()
        } else {
            self.stemmer.stem(&token.text).into_owned()
        };
        if memory.stems.len() >= REMEMBERED_STEMS {
            memory.hand_over();
            memory.stems.clear();
        }
        let letters = counting && token.text.chars().all(char::is_alphabetic);
        let word = std::mem::replace(&mut token.text, stem.clone());
        memory.stems.insert(
            word,
            Remembered {
                stem,
                letters,
                texts: u32::from(counting),
                last: text,
            },
        );
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Drops every word that is not all letters (`x86`, `c++`, `2024`): the spelling vocabulary
/// never offers one, and leaving them out keeps its dictionary small and its walks short.
#[derive(Clone, Default)]
pub struct LettersOnly;

impl TokenFilter for LettersOnly {
    type Tokenizer<T: Tokenizer> = LettersOnlyFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LettersOnlyFilter<T> {
        LettersOnlyFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct LettersOnlyFilter<T>(T);

impl<T: Tokenizer> Tokenizer for LettersOnlyFilter<T> {
    type TokenStream<'a> = LettersOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LettersOnlyStream(self.0.token_stream(text))
    }
}

pub struct LettersOnlyStream<T>(T);

impl<T: TokenStream> TokenStream for LettersOnlyStream<T> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().all(char::is_alphabetic) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first, plain version of `split` (over a vector of the text's characters): the
    /// reference the in-place one is checked against.
    fn reference_split(text: &str) -> Vec<Token> {
        let mut tokens = Vec::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (start_byte, c) = chars[i];
            if !c.is_alphanumeric() {
                i += 1;
                continue;
            }
            if is_cjk(c) {
                let paired = i > 0 && is_cjk(chars[i - 1].1);
                let alone = chars.get(i + 1).is_none_or(|(_, n)| !is_cjk(*n));
                if paired && alone {
                    i += 1;
                    continue;
                }
                let mut word = c.to_string();
                let mut to = chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
                if let Some(&(_, n)) = chars.get(i + 1).filter(|(_, n)| is_cjk(*n)) {
                    word.push(n);
                    to = chars.get(i + 2).map_or(text.len(), |(b, _)| *b);
                }
                tokens.push(Token {
                    offset_from: start_byte,
                    offset_to: to,
                    position: tokens.len(),
                    text: word,
                    position_length: 1,
                });
                i += 1;
                continue;
            }
            // Most words fit: one allocation instead of a few growing ones.
            let mut word = String::with_capacity(16);
            let mut from = start_byte;
            // `.net`: a dot that follows nothing word-like.
            if i >= 1 && chars[i - 1].1 == '.' && (i < 2 || !chars[i - 2].1.is_alphanumeric()) {
                from = chars[i - 1].0;
                word.push('.');
            }
            let mut j = i;
            while j < chars.len() {
                let ch = chars[j].1;
                if ch.is_alphanumeric() && !is_cjk(ch) {
                    word.push(ch);
                    j += 1;
                } else if is_apostrophe(ch)
                    && j + 1 < chars.len()
                    && chars[j + 1].1.is_alphabetic()
                    && j > i
                {
                    let possessive = matches!(chars[j + 1].1, 's' | 'S')
                        && chars.get(j + 2).is_none_or(|(_, n)| !n.is_alphanumeric());
                    if possessive {
                        j += 2;
                        break;
                    }
                    j += 1;
                } else {
                    break;
                }
            }
            // `c++`, `c#`, `f#`
            // (Looked at in place: this runs once a word, for every word indexed or highlighted.)
            let at = |k: usize| chars.get(k).map(|(_, c)| *c);
            let followed_by_word = |k: usize| at(k).is_some_and(char::is_alphanumeric);
            if at(j) == Some('+') && at(j + 1) == Some('+') && !followed_by_word(j + 2) {
                word.push_str("++");
                j += 2;
            } else if at(j) == Some('#') && !followed_by_word(j + 1) {
                word.push('#');
                j += 1;
            }
            let to = chars.get(j).map_or(text.len(), |(b, _)| *b);
            tokens.push(Token {
                offset_from: from,
                offset_to: to,
                position: tokens.len(),
                text: word,
                position_length: 1,
            });
            i = j.max(i + 1);
        }
        tokens
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn in_place_split_matches_the_reference(text in "(?s)[a-zA-Z0-9 .#+'’sS\\-/éß日本网ÉΣ\\n]{0,40}") {
            let key = |t: Vec<Token>| t.into_iter().map(|t| (t.text, t.offset_from, t.offset_to, t.position)).collect::<Vec<_>>();
            prop_assert_eq!(key(split(&text)), key(reference_split(&text)));
        }
    }

    type Spans = Vec<(String, usize, usize)>;

    /// The words `for_each_word` lends and those of `reference_split`, with their ranges.
    fn walked_and_reference(text: &str) -> (Spans, Spans) {
        let mut walked = Vec::new();
        for_each_word(text, |from, to, word| {
            walked.push((word.to_string(), from, to))
        });
        let reference = reference_split(text)
            .into_iter()
            .map(|t| (t.text, t.offset_from, t.offset_to))
            .collect();
        (walked, reference)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn each_word_matches_the_reference(text in "(?s)[a-zA-Z0-9 .#+'sS\\-/\n]{0,48}") {
            let (walked, reference) = walked_and_reference(&text);
            prop_assert_eq!(walked, reference);
        }
    }

    #[test]
    fn each_word_follows_every_rule() {
        let text = "O'Neil's x's++ y's# .NET a.NET don't it's C++ C# c+ #tag 'q' rock'n'roll's";
        let (walked, reference) = walked_and_reference(text);
        assert_eq!(walked, reference);
        let words: Vec<&str> = walked.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(
            words,
            [
                "ONeil",
                "x++",
                "y#",
                ".NET",
                "a",
                "NET",
                "dont",
                "it",
                "C++",
                "C#",
                "c",
                "tag",
                "q",
                "rocknroll"
            ]
        );
    }

    #[test]
    fn remembered_stems_are_the_stemmers_stems() {
        use tantivy::tokenizer::{Language, LowerCaser, Stemmer, TextAnalyzer};
        let text = "Running runners ran; is as us generously organized meetings, Meetings and MEETINGS. Dying skies x86";
        let run = |analyzer: &mut TextAnalyzer| {
            let mut stream = analyzer.token_stream(text);
            let mut out = Vec::new();
            while let Some(t) = stream.next() {
                out.push(t.text.clone());
            }
            out
        };
        let mut plain = TextAnalyzer::builder(WordTokenizer)
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(WordTokenizer)
            .filter(LowerCaser)
            .filter(CachedStemmer::default())
            .build();
        let counts = Arc::new(WordCounts::default());
        let mut counting = TextAnalyzer::builder(WordTokenizer)
            .filter(LowerCaser)
            .filter(CachedStemmer::counting(counts.clone()))
            .build();
        let expected = run(&mut plain);
        assert_eq!(
            expected[..7],
            ["run", "runner", "ran", "is", "as", "us", "generous"]
        );
        // The first pass stems, the second answers from memory; counting changes no stem.
        for analyzer in [&mut cached, &mut counting] {
            assert_eq!(run(analyzer), expected);
            assert_eq!(run(analyzer), expected);
        }
        // A copy starts counting afresh; counts are handed over when an analyzer goes.
        let mut copy = counting.clone();
        run(&mut copy);
        assert!(counts.take().is_empty());
        drop(counting);
        drop(copy);
        let counted = counts.take();
        // Once a text, words of letters only, as the filters before gave them.
        assert_eq!(counted["meetings"], 3);
        assert_eq!(counted["is"], 3);
        assert_eq!(counted["dying"], 3);
        assert!(!counted.contains_key("x86"));
        assert_eq!(counted.len(), 12);
    }

    #[test]
    fn counts_are_handed_over_when_the_memory_starts_over() {
        use tantivy::tokenizer::TextAnalyzer;
        // More distinct words than the memory holds, each once.
        let word = |mut i: usize| {
            let mut w = String::new();
            loop {
                w.push(char::from(b'a' + (i % 26) as u8));
                i /= 26;
                if i == 0 {
                    break w;
                }
            }
        };
        let n = REMEMBERED_STEMS + 50;
        let text = (0..n).map(word).collect::<Vec<String>>().join(" ");
        let counts = Arc::new(WordCounts::default());
        let mut analyzer = TextAnalyzer::builder(WordTokenizer)
            .filter(CachedStemmer::counting(counts.clone()))
            .build();
        let mut stream = analyzer.token_stream(&text);
        while stream.next().is_some() {}
        drop(stream);
        drop(analyzer);
        let counted = counts.take();
        assert_eq!(counted.len(), n);
        assert!(counted.values().all(|&c| c == 1));
    }

    fn words(text: &str) -> Vec<String> {
        split(text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_people_type() {
        assert_eq!(words("C++ and C# or F#"), ["C++", "and", "C#", "or", "F#"]);
        assert_eq!(words("the .NET runtime"), ["the", ".NET", "runtime"]);
        assert_eq!(words("ASP.NET"), ["ASP", "NET"]);
        assert_eq!(words("node.js, HTTP/2"), ["node", "js", "HTTP", "2"]);
        assert_eq!(words("R&D"), ["R", "D"]);
        assert_eq!(words("Qatar's bid, don’t"), ["Qatar", "bid", "dont"]);
        assert_eq!(words("domain-driven"), ["domain", "driven"]);
        assert_eq!(words("#hashtag 'quoted'"), ["hashtag", "quoted"]);
        assert_eq!(words("Ελληνικά καφές"), ["Ελληνικά", "καφές"]);
    }

    #[test]
    fn chinese_and_japanese_are_pairs_of_characters() {
        assert_eq!(words("互联网"), ["互联", "联网"]);
        assert_eq!(words("科技创新"), ["科技", "技创", "创新"]);
        assert_eq!(words("AI技术, 5G网 好"), ["AI", "技术", "5G", "网", "好"]);
        assert_eq!(words("カタカナ"), ["カタ", "タカ", "カナ"]);
        // Korean is written with spaces: its words stay whole.
        assert_eq!(words("한국어 단어"), ["한국어", "단어"]);
        let text = "的乱谈";
        let spans: Vec<(&str, usize)> = split(text)
            .iter()
            .map(|t| (&text[t.offset_from..t.offset_to], t.position))
            .collect();
        assert_eq!(spans, [("的乱", 0), ("乱谈", 1)]);
    }

    #[test]
    fn offsets_cover_the_original_text() {
        let text = "Hi .NET C++!";
        let spans: Vec<&str> = split(text)
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(spans, ["Hi", ".NET", "C++"]);
        let positions: Vec<usize> = split(text).iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2]);
    }
}
