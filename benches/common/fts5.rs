//! The peer: SQLite FTS5 (porter stemming, BM25 with the title weighted as episearch weights
//! it, `snippet()` and `highlight()` for the page of hits), over the same `Episode` values.

use std::path::Path;

use episearch::Episode;
use rusqlite::{params, Connection};

/// An FTS5 index of episodes in one SQLite file.
pub struct Fts5 {
    pub conn: Connection,
}

/// A hit as the peer returns it: what episearch's `Hit` carries, as strings.
#[derive(Debug)]
pub struct Fts5Hit {
    pub id: String,
    pub podcast: Option<String>,
    pub title: Option<String>,
    pub date: Option<i64>,
    pub url: Option<String>,
    pub title_marked: Option<String>,
    pub snippet: Option<String>,
}

/// BM25 weights by column: title as episearch's `TITLE_BOOST`, the bodies 1.
pub const RANK: &str = "bm25(episodes, 2.0, 1.0, 1.0, 1.0)";

impl Fts5 {
    /// A new database at `path` (replaced if present) with the FTS5 table. Bulk-load settings
    /// that favour the peer: no journal, no fsync.
    pub fn create(path: &Path) -> Fts5 {
        let _ = std::fs::remove_file(path);
        let conn = Connection::open(path).expect("sqlite open");
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;
             CREATE VIRTUAL TABLE episodes USING fts5(
                 title, summary, description, overview,
                 id UNINDEXED, podcast UNINDEXED, date UNINDEXED, url UNINDEXED,
                 tokenize = 'porter unicode61 remove_diacritics 2'
             );",
        )
        .expect("create fts5 table");
        Fts5 { conn }
    }

    /// Insert every episode in one transaction, then merge the index into one b-tree (the
    /// counterpart of episearch waiting for its merges).
    pub fn index(&mut self, episodes: &[Episode]) {
        let tx = self.conn.transaction().expect("begin");
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO episodes (title, summary, description, overview, id, podcast, date, url)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .expect("prepare insert");
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
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
        self.conn
            .execute_batch("INSERT INTO episodes(episodes) VALUES ('optimize');")
            .expect("optimize");
    }

    /// The FTS5 query for typed words with OR semantics: each word quoted, so nothing in it
    /// is syntax.
    pub fn or_query(query: &str) -> String {
        query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR ")
    }

    /// Ranked rowids alone (the search step).
    pub fn rank(&self, fts_query: &str, limit: usize) -> Vec<i64> {
        let sql =
            format!("SELECT rowid FROM episodes WHERE episodes MATCH ?1 ORDER BY {RANK} LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql).expect("prepare rank");
        let rows = stmt
            .query_map(params![fts_query, limit as i64], |r| r.get(0))
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    }

    /// A page of hits with their stored fields, highlighted title and snippet, by relevance.
    pub fn search(&self, fts_query: &str, limit: usize) -> Vec<Fts5Hit> {
        self.page(fts_query, "", RANK, limit)
    }

    /// A page of hits: `filter` is SQL added to the WHERE clause (`AND date >= 0`), `order`
    /// the ORDER BY expression.
    pub fn page(&self, fts_query: &str, filter: &str, order: &str, limit: usize) -> Vec<Fts5Hit> {
        let sql = format!(
            "SELECT id, podcast, title, date, url,
                    highlight(episodes, 0, char(2), char(3)),
                    snippet(episodes, -1, char(2), char(3), '…', 32)
             FROM episodes WHERE episodes MATCH ?1 {filter} ORDER BY {order} LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql).expect("prepare search");
        let rows = stmt
            .query_map(params![fts_query, limit as i64], |r| {
                Ok(Fts5Hit {
                    id: r.get(0)?,
                    podcast: r.get(1)?,
                    title: r.get(2)?,
                    date: r.get(3)?,
                    url: r.get(4)?,
                    title_marked: r.get(5)?,
                    snippet: r.get(6)?,
                })
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect()
    }
}
