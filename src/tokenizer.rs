//! The word splitter behind every text field: words as people type them in tech and podcast
//! talk (`C++`, `C#`, `.NET`, `node.js`, `HTTP/2`, `R&D`, `Qatar's`, `domain-driven`).
//!
//! Rules: a word is a run of letters and digits. `++` or `#` right after a word stays on it
//! (`c++`, `c#`, `f#`); a dot right before a word that follows no other word stays on it
//! (`.net`); apostrophes inside a word are dropped and a possessive `'s` is removed
//! (`qatar's` → `qatar`, `don't` → `dont`). Everything else separates words, so `node.js`,
//! `HTTP/2`, `R&D` and `domain-driven` become consecutive words (`node js`), which a query
//! typed the same way matches as a phrase.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The episearch word splitter (see the module docs).
#[derive(Clone, Default)]
pub struct WordTokenizer;

/// Tokens of one text, produced up front.
pub struct WordTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        WordTokenStream {
            tokens: split(text),
            next: 0,
        }
    }
}

impl WordTokenStream {
    /// A stream over tokens made elsewhere (the snippet matcher rewrites their text).
    pub fn new(tokens: Vec<Token>) -> WordTokenStream {
        WordTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for WordTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Split `text` into tokens with byte offsets and consecutive positions.
pub fn split(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start_byte, c) = chars[i];
        if !c.is_alphanumeric() {
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
            if ch.is_alphanumeric() {
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

#[cfg(test)]
mod tests {
    use super::*;

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
