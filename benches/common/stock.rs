//! Stock tantivy: the same episodes in a tantivy index set up as its documentation and its
//! Python binding suggest (the `en_stem` analyzer on stored fields with positions, one commit, tantivy's
//! own merge policy, `SnippetGenerator` per field). It stands in for the issue's "tantivy from
//! Python" peer, measured in the same run, and shows what tantivy itself costs before anything
//! episearch adds (its own analysis, the spelling vocabulary, the closing merge).

use std::path::Path;

use episearch::Episode;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

/// A stock tantivy index of episodes.
pub struct Stock {
    index: Index,
    reader: IndexReader,
    title: Field,
    bodies: [Field; 3],
    parser: QueryParser,
}

impl Stock {
    /// Index `episodes` into a new index in `dir` with `threads` indexing threads sharing
    /// `memory` bytes, in one commit.
    pub fn build(dir: &Path, episodes: &[Episode], threads: usize, memory: usize) -> Stock {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let podcast = b.add_text_field("podcast", STRING | STORED);
        // Words lower-cased and stemmed, as a user indexing English text would set them.
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("en_stem")
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let title = b.add_text_field("title", text.clone());
        let date = b.add_i64_field("date", STORED);
        let summary = b.add_text_field("summary", text.clone());
        let description = b.add_text_field("description", text.clone());
        let overview = b.add_text_field("overview", text);
        let url = b.add_text_field("url", STORED);
        let schema = b.build();
        let index = Index::create_in_dir(dir, schema).expect("stock index");
        let mut writer: IndexWriter = index
            .writer_with_num_threads(threads, memory)
            .expect("stock writer");
        for e in episodes {
            let mut d = TantivyDocument::default();
            let text = |d: &mut TantivyDocument, f: Field, v: &Option<String>| {
                if let Some(v) = v {
                    d.add_text(f, v);
                }
            };
            text(&mut d, id, &e.id);
            text(&mut d, podcast, &e.podcast);
            text(&mut d, title, &e.title);
            if let Some(t) = e.date {
                d.add_i64(date, t.timestamp());
            }
            text(&mut d, summary, &e.summary);
            text(&mut d, description, &e.description);
            text(&mut d, overview, &e.overview);
            text(&mut d, url, &e.url);
            writer.add_document(d).expect("stock add");
        }
        writer.commit().expect("stock commit");
        writer.wait_merging_threads().expect("stock merges");
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .expect("stock reader");
        let bodies = [summary, overview, description];
        let mut parser =
            QueryParser::for_index(&index, vec![title, summary, description, overview]);
        parser.set_field_boost(title, 2.0);
        Stock {
            index,
            reader,
            title,
            bodies,
            parser,
        }
    }

    /// The number of segments the index ended with.
    pub fn segments(&self) -> usize {
        self.index.searchable_segment_ids().map_or(0, |s| s.len())
    }

    /// The addresses of the best `limit` hits of `query` (words OR-ed, the parser's default).
    pub fn rank(&self, query: &str, limit: usize) -> usize {
        let (query, _) = self.parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .expect("stock search")
            .len()
    }

    /// The best `limit` hits with their stored fields, the title highlighted and a snippet of
    /// the first body that has one: what a page of results needs.
    pub fn search(&self, query: &str, limit: usize) -> usize {
        let (query, _) = self.parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .expect("stock search");
        let title = SnippetGenerator::create(&searcher, &*query, self.title).expect("snippets");
        let bodies: Vec<SnippetGenerator> = self
            .bodies
            .iter()
            .map(|&f| SnippetGenerator::create(&searcher, &*query, f).expect("snippets"))
            .collect();
        let mut shown = 0;
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).expect("stock doc");
            let mut page = title.snippet_from_doc(&doc).to_html();
            if let Some(body) = bodies
                .iter()
                .map(|g| g.snippet_from_doc(&doc))
                .find(|s| !s.is_empty())
            {
                page.push_str(&body.to_html());
            } else if let Some(first) = self
                .bodies
                .iter()
                .find_map(|&f| doc.get_first(f).and_then(|v| v.as_str().map(str::to_owned)))
            {
                page.push_str(&first);
            }
            shown += usize::from(!page.is_empty());
        }
        shown
    }
}
