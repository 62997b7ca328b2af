//! SQLite FTS5 over episodes: the peer episearch measures itself against, for relevance
//! (`episearch eval`) and for speed (the benches). Porter stemming over unicode61 words,
//! accents removed; BM25 with the title weighted as episearch weights it; `highlight()` and
//! `snippet()` for a page of hits. The query's words are OR-ed, each quoted, so that
//! punctuation is FTS5's tokenizer's business and never query syntax.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::episode::Episode;
use crate::error::{Error, Result};

/// An FTS5 table of episodes.
pub struct Fts5 {
    conn: Connection,
}

/// A hit with what episearch's `Hit` carries, as FTS5 gives it.
#[derive(Debug)]
pub struct Fts5Hit {
    pub id: String,
    pub podcast: Option<String>,
    pub title: Option<String>,
    pub date: Option<i64>,
    pub url: Option<String>,
    /// The title with matches between `\u{2}` and `\u{3}`.
    pub title_marked: Option<String>,
    pub snippet: Option<String>,
}

/// BM25 by column: the title weighted as episearch's `TITLE_BOOST`, the bodies 1.
pub const RANK: &str = "bm25(episodes, 2.0, 1.0, 1.0, 1.0)";

fn fail(e: rusqlite::Error) -> Error {
    Error::Index(format!("sqlite fts5: {e}"))
}

impl Fts5 {
    /// An empty table in memory.
    pub fn in_memory() -> Result<Fts5> {
        Fts5::with(Connection::open_in_memory().map_err(fail)?)
    }

    /// An empty table in a new database file at `path` (replaced if present), set up for a
    /// bulk load that favours the peer: no journal, no fsync, a large cache.
    pub fn create(path: &Path) -> Result<Fts5> {
        let _ = std::fs::remove_file(path);
        let conn = Connection::open(path).map_err(fail)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;",
        )
        .map_err(fail)?;
        Fts5::with(conn)
    }

    fn with(conn: Connection) -> Result<Fts5> {
        conn.execute_batch(
            "CREATE VIRTUAL TABLE episodes USING fts5(
                 title, summary, description, overview,
                 id UNINDEXED, podcast UNINDEXED, date UNINDEXED, url UNINDEXED,
                 tokenize = 'porter unicode61 remove_diacritics 2'
             );",
        )
        .map_err(fail)?;
        Ok(Fts5 { conn })
    }

    /// Insert `episodes` in one transaction, then merge the index into one b-tree (the
    /// counterpart of episearch's closing merge).
    pub fn insert<'a>(&mut self, episodes: impl IntoIterator<Item = &'a Episode>) -> Result<()> {
        let tx = self.conn.transaction().map_err(fail)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO episodes (title, summary, description, overview, id, podcast, date, url)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(fail)?;
            for e in episodes {
                insert
                    .execute(params![
                        e.title,
                        e.summary,
                        e.description,
                        e.overview,
                        e.id,
                        e.podcast,
                        e.date.map(|d| d.timestamp()),
                        e.url
                    ])
                    .map_err(fail)?;
            }
        }
        tx.commit().map_err(fail)?;
        self.conn
            .execute_batch("INSERT INTO episodes(episodes) VALUES ('optimize');")
            .map_err(fail)
    }

    /// The FTS5 query for typed words: each quoted, OR-ed; empty for no words.
    pub fn or_query(query: &str) -> String {
        query
            .split_whitespace()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" OR ")
    }

    /// Ranked rowids alone (the search step).
    pub fn rank(&self, fts_query: &str, limit: usize) -> Result<Vec<i64>> {
        let sql =
            format!("SELECT rowid FROM episodes WHERE episodes MATCH ?1 ORDER BY {RANK} LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(fail)?;
        let rows = stmt
            .query_map(params![fts_query, limit as i64], |r| r.get(0))
            .map_err(fail)?;
        rows.map(|r| r.map_err(fail)).collect()
    }

    /// Episode ids for typed words, best first.
    pub fn ids(&self, query: &str, limit: usize) -> Result<Vec<String>> {
        let fts_query = Fts5::or_query(query);
        if fts_query.is_empty() {
            return Ok(Vec::new());
        }
        let sql =
            format!("SELECT id FROM episodes WHERE episodes MATCH ?1 ORDER BY {RANK} LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(fail)?;
        let rows = stmt
            .query_map(params![fts_query, limit as i64], |r| {
                r.get::<_, Option<String>>(0)
            })
            .map_err(fail)?;
        rows.map(|r| r.map(Option::unwrap_or_default).map_err(fail))
            .collect()
    }

    /// A page of hits with their stored fields, highlighted title and snippet, by relevance.
    pub fn search(&self, fts_query: &str, limit: usize) -> Result<Vec<Fts5Hit>> {
        self.page(fts_query, "", RANK, limit)
    }

    /// A page of hits: `filter` is SQL added to the WHERE clause (`AND date >= 0`), `order`
    /// the ORDER BY expression.
    pub fn page(
        &self,
        fts_query: &str,
        filter: &str,
        order: &str,
        limit: usize,
    ) -> Result<Vec<Fts5Hit>> {
        let sql = format!(
            "SELECT id, podcast, title, date, url,
                    highlight(episodes, 0, char(2), char(3)),
                    snippet(episodes, -1, char(2), char(3), '…', 32)
             FROM episodes WHERE episodes MATCH ?1 {filter} ORDER BY {order} LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(fail)?;
        let rows = stmt
            .query_map(params![fts_query, limit as i64], |r| {
                Ok(Fts5Hit {
                    id: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    podcast: r.get(1)?,
                    title: r.get(2)?,
                    date: r.get(3)?,
                    url: r.get(4)?,
                    title_marked: r.get(5)?,
                    snippet: r.get(6)?,
                })
            })
            .map_err(fail)?;
        rows.map(|r| r.map_err(fail)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_and_ored() {
        assert_eq!(Fts5::or_query("c++ \"x\"  y"), r#""c++" OR """x""" OR "y""#);
        assert_eq!(Fts5::or_query("   "), "");
    }

    #[test]
    fn ranks_pages_and_highlights_like_the_benches_need() {
        let mut fts = Fts5::in_memory().unwrap();
        let episode = |id: &str, title: &str, summary: &str| Episode {
            id: Some(id.into()),
            title: Some(title.into()),
            summary: Some(summary.into()),
            ..Episode::default()
        };
        fts.insert(&[
            episode("a", "Gardens", "compost and soil"),
            episode("b", "Compost", "worms"),
            episode("c", "Other", "nothing"),
        ])
        .unwrap();
        assert_eq!(fts.ids("compost", 10).unwrap(), ["b", "a"]);
        assert_eq!(fts.rank(&Fts5::or_query("compost"), 10).unwrap().len(), 2);
        let page = fts.search(&Fts5::or_query("composting"), 10).unwrap();
        assert_eq!(page[0].title_marked.as_deref(), Some("\u{2}Compost\u{3}"));
        assert_eq!(fts.ids("", 10).unwrap(), Vec::<String>::new());
    }
}
