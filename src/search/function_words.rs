//! English function words: the words of a sentence that carry its grammar rather than its
//! topic (`the`, `who`, `would`, `about`). In a query of plain words they earn nothing on
//! their own: the episodes a long query describes are found by its content words, and an
//! episode whose title says "Should Designers ..." is no answer to "should we care about ...".
//! They still count inside a phrase: the whole query as a phrase, or one the user quoted.

/// Lower-case, sorted for a binary search.
const WORDS: [&str; 148] = [
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "e.g",
    "each",
    "either",
    "else",
    "etc",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "i.e",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "very",
    "was",
    "we",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// True when `typed` is a function word as the user typed it. A word in capitals (`US`, `IT`,
/// `WHO`) is a name, never a function word.
pub(crate) fn is_function_word(typed: &str) -> bool {
    let letters = typed.trim_matches(|c: char| !c.is_alphanumeric());
    if letters.chars().count() > 1 && letters.chars().all(|c| c.is_uppercase()) {
        return false;
    }
    let lower = letters.to_lowercase();
    let word = lower.strip_suffix("'s").unwrap_or(&lower);
    WORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_without_repeats() {
        assert!(WORDS.windows(2).all(|w| w[0] < w[1]), "{WORDS:?}");
    }

    #[test]
    fn grammar_words_are_function_words_and_names_are_not() {
        for w in [
            "the", "The", "who", "would", "about", "what's", "(the", "you", "(e.g.", "etc.",
            "i.e.,",
        ] {
            assert!(is_function_word(w), "{w}");
        }
        for w in [
            "US",
            "IT",
            "WHO",
            "email",
            "guy",
            "answer",
            "k8s",
            "c++",
            "them-selves",
        ] {
            assert!(!is_function_word(w), "{w}");
        }
    }
}
