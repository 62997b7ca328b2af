//! Field names, analyzers and schema construction: the one place that knows them.

use std::sync::Arc;

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, FieldType, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer,
    TextAnalyzerBuilder, TokenizerManager,
};
use tantivy::Index;

use super::spoken::Layout;
use super::tokenizer::{CachedStemmer, LettersOnly, WordCounts, WordTokenizer};

/// Words of this many bytes or more are left out of every analysis (URLs run together, base64).
pub const LONGEST_WORD: usize = 64;

/// Name of the analyzer used for English (and language-neutral) text.
pub const ANALYZER_EN: &str = "episearch_en";
/// Name of the analyzer for exact, case-insensitive keys (podcast filter).
pub const ANALYZER_KEY: &str = "episearch_key";
/// Name of the analyzer of the `words` field of indexes made before the spelling vocabulary
/// left the index (`vocabulary`): registered still, so that such an index can be written to.
pub const ANALYZER_WORDS: &str = "episearch_words";

pub const ID: &str = "id";
pub const PODCAST: &str = "podcast";
pub const PODCAST_KEY: &str = "podcast_key";
pub const TITLE: &str = "title";
pub const DATE: &str = "date";
pub const DURATION: &str = "duration";
pub const SUMMARY: &str = "summary";
pub const DESCRIPTION: &str = "description";
pub const OVERVIEW: &str = "overview";
pub const URL: &str = "url";
pub const LANGUAGE: &str = "language";
/// A stable hash of the episode's key (`episode::stable_hash`), a column only: the order of
/// episodes of equal score and date (`ties`). Indexes made before it lack it.
pub const TIE_ORDER: &str = "tie_order";
/// Stored only: the episode's Podcasting 2.0 links (`links::Links` as JSON).
pub const LINKS: &str = "links";
/// What was said: every cue's text, in order, as one text (indexed, not stored).
pub const TRANSCRIPT: &str = "transcript";
/// The chapters' titles, in order, as one text (indexed, not stored).
pub const CHAPTERS: &str = "chapters";
/// Stored only: cues, speakers and chapters with the positions they start at (`spoken`).
pub const SPOKEN: &str = "spoken";
/// The names of the people who speak in the transcript, for `--speaker` (exact, any case).
pub const SPEAKER: &str = "speaker";

/// Languages with a tantivy stemmer other than English: (language subtag, stemmer, field).
/// An episode whose feed declares one of these also has all its text in that field, analysed
/// with the language's own stemmer, so `Nachricht` finds `Nachrichten`. English and every
/// other language are served by the main fields' English analysis alone.
pub const STEMMED_LANGUAGES: [(&str, Language, &str); 17] = [
    ("ar", Language::Arabic, "text_ar"),
    ("da", Language::Danish, "text_da"),
    ("nl", Language::Dutch, "text_nl"),
    ("fi", Language::Finnish, "text_fi"),
    ("fr", Language::French, "text_fr"),
    ("de", Language::German, "text_de"),
    ("el", Language::Greek, "text_el"),
    ("hu", Language::Hungarian, "text_hu"),
    ("it", Language::Italian, "text_it"),
    ("no", Language::Norwegian, "text_no"),
    ("pt", Language::Portuguese, "text_pt"),
    ("ro", Language::Romanian, "text_ro"),
    ("ru", Language::Russian, "text_ru"),
    ("es", Language::Spanish, "text_es"),
    ("sv", Language::Swedish, "text_sv"),
    ("ta", Language::Tamil, "text_ta"),
    ("tr", Language::Turkish, "text_tr"),
];

/// The index of the stemmed-text field for a BCP 47 tag (`de-DE` → German), if any.
pub fn stemmed_language(tag: &str) -> Option<usize> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    let primary = match primary.as_str() {
        "nb" | "nn" => "no",
        other => other,
    };
    STEMMED_LANGUAGES
        .iter()
        .position(|(code, _, _)| *code == primary)
}

/// Handles to every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub podcast: Field,
    pub podcast_key: Field,
    pub title: Field,
    pub date: Field,
    pub duration: Field,
    pub summary: Field,
    pub description: Field,
    pub overview: Field,
    pub url: Field,
    pub language: Field,
    /// Absent from indexes made before it.
    pub tie_order: Option<Field>,
    /// Absent from indexes made before transcripts.
    pub spoken: Option<SpokenFields>,
    /// One per entry of `STEMMED_LANGUAGES`, same order.
    pub stemmed: [Field; 17],
}

impl Fields {
    /// Resolve the handles of an index's schema; an index made by something else is refused.
    pub fn from_schema(schema: &Schema) -> Result<Fields, String> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| missing_field(schema, name))
        };
        Ok(Fields {
            id: get(ID)?,
            podcast: get(PODCAST)?,
            podcast_key: get(PODCAST_KEY)?,
            title: get(TITLE)?,
            date: get(DATE)?,
            duration: get(DURATION)?,
            summary: get(SUMMARY)?,
            description: get(DESCRIPTION)?,
            overview: get(OVERVIEW)?,
            url: get(URL)?,
            language: get(LANGUAGE)?,
            tie_order: schema.get_field(TIE_ORDER).ok(),
            spoken: SpokenFields::from_schema(schema),
            stemmed: {
                let mut fields = [get(ID)?; 17];
                for (slot, (_, _, name)) in fields.iter_mut().zip(STEMMED_LANGUAGES) {
                    *slot = get(name)?;
                }
                fields
            },
        })
    }

    /// The body fields in snippet-preference order.
    pub fn bodies(&self) -> [Field; 3] {
        [self.summary, self.overview, self.description]
    }

    /// A field's name as explanations show it: `title`, ..., `text_de` for German stems.
    pub fn name(&self, field: Field) -> &'static str {
        let named = [
            (self.title, TITLE),
            (self.summary, SUMMARY),
            (self.description, DESCRIPTION),
            (self.overview, OVERVIEW),
        ];
        if let Some(s) = self.spoken {
            if field == s.transcript {
                return TRANSCRIPT;
            }
            if field == s.chapters {
                return CHAPTERS;
            }
        }
        named
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, name)| name)
            .or_else(|| {
                let at = self.stemmed.iter().position(|f| *f == field)?;
                Some(STEMMED_LANGUAGES[at].2)
            })
            .unwrap_or("other")
    }

    /// The fields of what an episode is about: the title and the bodies (the tiers' fields).
    pub fn written(&self) -> [Field; 4] {
        [self.title, self.summary, self.description, self.overview]
    }

    /// The fields a query of plain words searches: the written ones, then what was said and
    /// the chapter titles where the index has them.
    pub fn searchable(&self) -> Vec<Field> {
        let mut fields = self.written().to_vec();
        if let Some(s) = self.spoken {
            fields.extend([s.transcript, s.chapters]);
        }
        fields
    }
}

/// The fields of transcripts and chapters, and the links they come from.
#[derive(Debug, Clone, Copy)]
pub struct SpokenFields {
    pub links: Field,
    pub transcript: Field,
    pub chapters: Field,
    pub spoken: Field,
    pub speaker: Field,
    /// How `spoken` is laid out: as text, or as bytes in indexes made before that.
    pub layout: Layout,
}

impl SpokenFields {
    fn from_schema(schema: &Schema) -> Option<SpokenFields> {
        let spoken = schema.get_field(SPOKEN).ok()?;
        Some(SpokenFields {
            links: schema.get_field(LINKS).ok()?,
            transcript: schema.get_field(TRANSCRIPT).ok()?,
            chapters: schema.get_field(CHAPTERS).ok()?,
            spoken,
            speaker: schema.get_field(SPEAKER).ok()?,
            layout: match schema.get_field_entry(spoken).field_type() {
                FieldType::Bytes(_) => Layout::Bytes,
                _ => Layout::Text,
            },
        })
    }
}

/// Why an index lacks a field: made by an older episearch (it has the core fields), or by
/// something else entirely.
fn missing_field(schema: &Schema, name: &str) -> String {
    if schema.get_field(ID).is_ok() && schema.get_field(TITLE).is_ok() {
        format!("made by an older episearch (no field `{name}`): delete the folder and index again")
    } else {
        format!("not an episearch index: field `{name}` is missing")
    }
}

/// Build the episode schema.
pub fn build() -> Schema {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_EN)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    b.add_text_field(ID, STRING | STORED);
    b.add_text_field(PODCAST, text.clone());
    b.add_text_field(
        PODCAST_KEY,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_KEY)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.add_text_field(TITLE, text.clone());
    b.add_date_field(
        DATE,
        DateOptions::default()
            .set_indexed()
            .set_stored()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_u64_field(
        DURATION,
        NumericOptions::default()
            .set_indexed()
            .set_stored()
            .set_fast(),
    );
    b.add_text_field(SUMMARY, text.clone());
    b.add_text_field(DESCRIPTION, text.clone());
    b.add_text_field(OVERVIEW, text);
    let unstored = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_EN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    b.add_text_field(TRANSCRIPT, unstored.clone());
    b.add_text_field(CHAPTERS, unstored);
    b.add_text_field(LINKS, STORED);
    // Text, not bytes: see `spoken`'s module docs.
    b.add_text_field(SPOKEN, STORED);
    b.add_text_field(
        SPEAKER,
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_KEY)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    b.add_text_field(URL, STORED);
    b.add_text_field(LANGUAGE, STRING | STORED);
    b.add_u64_field(TIE_ORDER, NumericOptions::default().set_fast());
    for (code, _, name) in STEMMED_LANGUAGES {
        b.add_text_field(
            name,
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&stemmed_analyzer_name(code))
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        );
    }
    b.build()
}

fn stemmed_analyzer_name(code: &str) -> String {
    format!("episearch_{code}")
}

/// Register the analyzers an index needs; required after every create and open. Its English
/// analysis counts the words it indexes into `counts` (the spelling vocabulary's): queries
/// must be analysed with `query_analyzers` instead.
pub fn register_analyzers(index: &Index, counts: Arc<WordCounts>) {
    register_into(index.tokenizers(), Some(counts));
}

/// The analyzers of queries: the index's, counting nothing.
pub fn query_analyzers() -> TokenizerManager {
    let analyzers = TokenizerManager::default();
    register_into(&analyzers, None);
    analyzers
}

fn register_into(analyzers: &TokenizerManager, counts: Option<Arc<WordCounts>>) {
    let english = match counts {
        Some(counts) => english_words_builder()
            .filter(CachedStemmer::counting(counts))
            .build(),
        None => english_analyzer(),
    };
    analyzers.register(ANALYZER_EN, english);
    for (code, language, _) in STEMMED_LANGUAGES {
        // No accent folding here: these stemmers' rules depend on the accents.
        analyzers.register(
            &stemmed_analyzer_name(code),
            TextAnalyzer::builder(WordTokenizer)
                .filter(RemoveLongFilter::limit(LONGEST_WORD))
                .filter(LowerCaser)
                .filter(Stemmer::new(language))
                .build(),
        );
    }
    analyzers.register(
        ANALYZER_KEY,
        TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    analyzers.register(ANALYZER_WORDS, words_analyzer());
}

/// Words of letters only, lower-cased and accents folded, not stemmed: the spelling
/// vocabulary's (stems like `kubernet` are not words to show a user).
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(LettersOnly)
        .build()
}

/// Words lower-cased, accents folded (so `cafe` finds `café`), English stems.
pub fn english_analyzer() -> TextAnalyzer {
    english_words_builder()
        .filter(CachedStemmer::default())
        .build()
}

/// What the English analyzer does to one word (as the word splitter gives it) before
/// stemming: lower-casing and accent folding.
pub fn word_folder() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn english_words_builder() -> TextAnalyzerBuilder<impl tantivy::tokenizer::Tokenizer> {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
}

/// The analyzed form of `word` as the index holds it.
pub fn analyze(word: &str) -> Vec<String> {
    run(english_analyzer(), word)
}

/// `word` as the spelling vocabulary holds it (lower-cased, folded, unstemmed).
pub fn fold(word: &str) -> Vec<String> {
    run(words_analyzer(), word)
}

fn run(mut analyzer: TextAnalyzer, word: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(word);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_or_foreign_schema_is_named_as_such() {
        let mut b = Schema::builder();
        b.add_text_field(ID, STRING | STORED);
        b.add_text_field(TITLE, STORED);
        let older = b.build();
        assert_eq!(
            Fields::from_schema(&older).unwrap_err(),
            "made by an older episearch (no field `podcast`): delete the folder and index again"
        );
        let mut b = Schema::builder();
        b.add_text_field("body", STORED);
        assert_eq!(
            Fields::from_schema(&b.build()).unwrap_err(),
            "not an episearch index: field `id` is missing"
        );
        assert!(Fields::from_schema(&build()).is_ok());
    }
}
