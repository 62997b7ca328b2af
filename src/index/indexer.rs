//! Opening and creating the index, upserting episodes in committed batches, and index stats.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tantivy::collector::TopDocs;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, META_LOCK,
};
use tantivy::indexer::UserOperation;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, TantivyError, Term,
};

use crate::episode::{stable_hash, Episode, TranscriptLink};
use crate::error::{io_message, tantivy_message, Error, Result};

use super::attached::{self, Attachment};
use super::schema::{self, Fields};
use super::spoken::{self, Layout};
use super::tokenizer::WordCounts;
use super::vocabulary::{self, Tally, Vocabulary};

/// An open episode index.
pub struct EpisodeIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    path: PathBuf,
    /// `languages_present` for a reader generation.
    languages: PerGeneration<Vec<tantivy::schema::Field>>,
    /// `vocabulary` for a reader generation.
    vocabulary: PerGeneration<Option<Arc<Vocabulary>>>,
    /// The words the index's English analysis has counted since the last commit.
    counts: Arc<WordCounts>,
    /// The analyzers of queries (the index's own count what they analyse), made when first
    /// asked for.
    query_analyzers: std::sync::OnceLock<TokenizerManager>,
    /// A fingerprint of the metadata `reload` last read, if it has read any.
    seen_metas: std::sync::Mutex<Option<u64>>,
}

impl EpisodeIndex {
    /// Open an existing index; a missing one is `Error::IndexMissing`. An index on a read-only
    /// file system (or in a folder this user may not write) opens for searching all the same.
    pub fn open(path: &Path) -> Result<EpisodeIndex> {
        check_meta(path)?;
        let dir = MmapDirectory::open(path).map_err(|e| open_error(path, e))?;
        let opened = Index::open(dir.clone())
            .map_err(|e| match e {
                TantivyError::DataCorruption(c) if format!("{c:?}").contains("meta.json") => {
                    damaged_meta(path)
                }
                other => damaged(path, &other),
            })
            .and_then(|index| Self::from_index(index, path));
        match opened {
            Err(Error::IndexDamaged { .. }) | Err(Error::Index(_)) if !writable(path) => {
                let index = Index::open(ReadOnly(dir)).map_err(|e| damaged(path, &e))?;
                Self::from_index(index, path)
            }
            other => other,
        }
    }

    /// Open the index at `path`, creating it (and the folder) when there is none.
    pub fn open_or_create(path: &Path) -> Result<EpisodeIndex> {
        match check_meta(path) {
            Err(Error::IndexMissing { .. }) => {}
            other => {
                other?;
                return Self::open(path);
            }
        }
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let dir = MmapDirectory::open(path).map_err(|e| open_error(path, e))?;
        let settings = tantivy::IndexSettings {
            docstore_blocksize: STORE_BLOCK_BYTES,
            docstore_compression: tantivy::store::Compressor::None,
            ..Default::default()
        };
        let index = Index::create(dir, schema::build(), settings).map_err(|e| damaged(path, &e))?;
        Self::from_index(index, path)
    }

    /// Build from an opened tantivy index (the reader takes the meta lock: may fail read-only).
    fn from_index(index: Index, path: &Path) -> Result<EpisodeIndex> {
        let counts = Arc::new(WordCounts::default());
        schema::register_analyzers(&index, counts.clone());
        let fields =
            Fields::from_schema(&index.schema()).map_err(|reason| Error::IndexDamaged {
                path: path.to_path_buf(),
                reason,
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| damaged(path, &e))?;
        Ok(EpisodeIndex {
            index,
            fields,
            reader,
            path: path.to_path_buf(),
            languages: PerGeneration::default(),
            vocabulary: PerGeneration::default(),
            counts,
            query_analyzers: std::sync::OnceLock::new(),
            seen_metas: std::sync::Mutex::new(None),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// See the last commit or merge, by this process or another (a long-running reader calls
    /// this); true when there was one to see. A reload makes a new reader generation, which
    /// starts every per-generation cache afresh (the vocabulary, the languages present, the
    /// server's facets and titles), so nothing is reloaded while the index's metadata names
    /// the segments already read.
    pub fn reload(&self) -> Result<bool> {
        use std::hash::{Hash, Hasher};
        let metas = self
            .index
            .load_metas()
            .map_err(|e| damaged(&self.path, &e))?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        metas.opstamp.hash(&mut hasher);
        for segment in &metas.segments {
            segment.id().uuid_string().hash(&mut hasher);
            segment.num_deleted_docs().hash(&mut hasher);
        }
        let state = hasher.finish();
        let mut seen = self
            .seen_metas
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *seen == Some(state) {
            return Ok(false);
        }
        self.reader.reload()?;
        *seen = Some(state);
        Ok(true)
    }

    /// Start writing; fails with `Error::IndexLocked` while another process writes.
    pub fn writer(&self, options: WriteOptions) -> Result<EpisodeWriter<'_>> {
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(options.threads.max(1), options.memory_budget)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                    path: self.path.clone(),
                },
                TantivyError::LockFailure(LockError::IoError(io), _) => Error::Index(format!(
                    "{}: cannot write to the index: {}",
                    self.path.display(),
                    io_message(&io)
                )),
                other => damaged(&self.path, &other),
            })?;
        let started_empty = self.searcher().num_docs() == 0;
        Ok(EpisodeWriter {
            index: self,
            writer,
            options,
            pending: HashMap::new(),
            written: HashSet::new(),
            started_empty,
            since_commit: 0,
            last_commit: Instant::now(),
            counts: Counts::default(),
            tally: Tally::default(),
            adds: Vec::with_capacity(ADD_BATCH),
            attachment: None,
            touched: false,
        })
    }

    /// The file attached under `key` to the last commit (see `attached`), if any.
    pub fn attached(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let metas = self
            .index
            .load_metas()
            .map_err(|e| damaged(&self.path, &e))?;
        attached::read(&self.path, metas.payload.as_deref(), key)
    }

    /// Merge every segment into one. A merge is atomic: interrupted, the index keeps its
    /// segments. Skipped when another process has started writing meanwhile.
    fn merge_segments(&self) -> Result<()> {
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() < 2 {
            return Ok(());
        }
        let mut writer: IndexWriter =
            match self.index.writer_with_num_threads(1, MERGE_WRITER_BUDGET) {
                Ok(writer) => writer,
                Err(TantivyError::LockFailure(..)) => return Ok(()),
                Err(e) => return Err(damaged(&self.path, &e)),
            };
        writer.merge(&segments).wait().map_err(|e| {
            Error::Index(format!(
                "{}: could not merge the index's segments: {} (the index is intact)",
                self.path.display(),
                tantivy_message(&e)
            ))
        })?;
        let _ = writer.wait_merging_threads();
        self.reader.reload()?;
        Ok(())
    }

    /// The keys of every episode of the podcast `name` (exact name, any case, as `--podcast`
    /// matches it).
    pub fn keys_of_podcast(&self, name: &str) -> Result<Vec<String>> {
        let name = name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.podcast_key, &name),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut keys = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(key) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                keys.push(key.to_string());
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// The stored episode with this key, if any.
    pub fn get(&self, key: &str) -> Result<Option<Episode>> {
        let searcher = self.searcher();
        lookup(&searcher, &self.fields, key)
    }

    /// The episode stored under `key` as a hit shows it: its links and where its transcript
    /// and chapters came from, without decoding them.
    pub fn get_brief(&self, key: &str) -> Result<Option<Episode>> {
        let searcher = self.searcher();
        Ok(lookup_document(&searcher, &self.fields, key)?
            .map(|doc| from_document(&doc, &self.fields)))
    }

    /// Figures about the index.
    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.searcher();
        let date_name = schema::DATE;
        let first = searcher.search(
            &tantivy::query::AllQuery,
            &TopDocs::with_limit(1).order_by_fast_field::<tantivy::DateTime>(date_name, Order::Asc),
        )?;
        let last = searcher.search(
            &tantivy::query::AllQuery,
            &TopDocs::with_limit(1)
                .order_by_fast_field::<tantivy::DateTime>(date_name, Order::Desc),
        )?;
        let to_utc = |v: Option<tantivy::DateTime>| {
            v.and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0))
        };
        let podcasts = self.count_podcasts(&searcher)?;
        let size_bytes = self.size_bytes()?;
        Ok(Stats {
            episodes: searcher.num_docs(),
            podcasts,
            first_date: first.first().and_then(|(d, _)| to_utc(*d)),
            last_date: last.first().and_then(|(d, _)| to_utc(*d)),
            size_bytes,
            segments: searcher.segment_readers().len() as u64,
        })
    }

    /// Bytes of the index's files.
    fn size_bytes(&self) -> Result<u64> {
        Ok(std::fs::read_dir(&self.path)
            .map_err(|e| Error::io(&self.path, e))?
            .filter_map(|e| e.ok()?.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum())
    }

    /// Distinct podcast names held by live episodes (terms of deleted ones are not counted).
    fn count_podcasts(&self, searcher: &Searcher) -> Result<u64> {
        let io = |e: std::io::Error| Error::io(&self.path, e);
        let mut names = HashSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.podcast_key)?;
            let mut terms = inverted.terms().stream().map_err(io)?;
            while terms.advance() {
                if names.contains(terms.key()) {
                    continue;
                }
                let term = Term::from_field_text(
                    self.fields.podcast_key,
                    &String::from_utf8_lossy(terms.key()),
                );
                let postings = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(io)?;
                let alive = postings.is_some_and(|mut p| {
                    let mut doc = p.doc();
                    while doc != tantivy::TERMINATED {
                        if !segment.is_deleted(doc) {
                            return true;
                        }
                        doc = p.advance();
                    }
                    false
                });
                if alive {
                    names.insert(terms.key().to_vec());
                }
            }
        }
        Ok(names.len() as u64)
    }

    /// The analyzers to analyse query text with.
    pub(crate) fn query_analyzers(&self) -> &TokenizerManager {
        self.query_analyzers.get_or_init(schema::query_analyzers)
    }

    /// The spelling vocabulary of the commit the searcher reads, opened once a reader
    /// generation; `None` for an index made before episearch kept one.
    pub(crate) fn vocabulary(&self) -> Result<Option<Arc<Vocabulary>>> {
        let generation = self.searcher().generation().generation_id();
        self.vocabulary.get(generation, || {
            let Some(name) = self.vocabulary_name()? else {
                return Ok(None);
            };
            Ok(Some(Arc::new(self.open_vocabulary(&name)?)))
        })
    }

    /// The vocabulary file `name` of this index; one that cannot be read is index damage.
    fn open_vocabulary(&self, name: &str) -> Result<Vocabulary> {
        Vocabulary::open(&self.path, name).map_err(|e| Error::IndexDamaged {
            path: self.path.clone(),
            reason: format!("{e}: index again into a new folder"),
        })
    }

    /// Write the vocabulary `last` names (if any) with the words counted since, and those of
    /// the texts `removed`, for commit `opstamp`.
    fn write_vocabulary(
        &self,
        last: Option<&str>,
        added: &HashMap<String, u64>,
        removed: &Tally,
        opstamp: u64,
    ) -> Result<String> {
        let old = last.map(|name| self.open_vocabulary(name)).transpose()?;
        vocabulary::write(&self.path, old.as_ref(), added, removed, opstamp)
    }

    /// The file of the last commit's vocabulary, if it has one.
    fn vocabulary_name(&self) -> Result<Option<String>> {
        let metas = self
            .index
            .load_metas()
            .map_err(|e| damaged(&self.path, &e))?;
        Ok(vocabulary::named(metas.payload.as_deref()))
    }

    /// The stemmed-text fields that hold any episode, so queries only look where text is.
    /// Worked out once a reader generation: asking a segment about a field it has no text for
    /// builds an empty dictionary each time, and this is asked for every query word.
    pub fn languages_present(&self) -> Vec<tantivy::schema::Field> {
        let searcher = self.searcher();
        let generation = searcher.generation().generation_id();
        let Ok(fields) = self.languages.get(generation, || {
            Ok::<_, std::convert::Infallible>(
                self.fields
                    .stemmed
                    .iter()
                    .copied()
                    .filter(|&field| {
                        searcher.segment_readers().iter().any(|s| {
                            s.inverted_index(field)
                                .map(|i| i.terms().num_terms() > 0)
                                .unwrap_or(false)
                        })
                    })
                    .collect(),
            )
        });
        fields
    }

    /// Read back the episode stored at `address`.
    pub fn episode_at(&self, searcher: &Searcher, address: DocAddress) -> Result<Episode> {
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(from_document(&doc, &self.fields))
    }
}

/// `IndexMissing` without `meta.json`, unless the folder holds index files: then meta.json was lost
/// and the folder must not be mistaken for an empty one (a new index would delete its files).
fn check_meta(path: &Path) -> Result<()> {
    if path.join("meta.json").exists() {
        return Ok(());
    }
    if path.join(".managed.json").exists() {
        return Err(Error::IndexDamaged {
            path: path.to_path_buf(),
            reason: "meta.json is missing, so the index cannot be read; remove the folder and index again".into(),
        });
    }
    Err(Error::IndexMissing {
        path: path.to_path_buf(),
    })
}

/// A `meta.json` tantivy cannot read, with serde_json's reason when it is not even JSON (tantivy's
/// own message quotes the whole file).
fn damaged_meta(path: &Path) -> Error {
    let file = path.join("meta.json");
    let cause = match std::fs::read(&file) {
        Err(e) => io_message(&e),
        Ok(bytes) => match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            Err(e) => e.to_string(),
            Ok(_) => "not index metadata".to_string(),
        },
    };
    Error::IndexDamaged {
        path: path.to_path_buf(),
        reason: format!(
            "meta.json is damaged ({cause}); restore it or remove the folder and index again"
        ),
    }
}

/// Whether a file can be created in `path` (probing with the meta lock file tantivy uses anyway).
fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path.join(&META_LOCK.filepath))
        .is_ok()
}

fn open_error(path: &Path, e: OpenDirectoryError) -> Error {
    let reason = match e {
        OpenDirectoryError::IoError { io_error, .. } => io_message(&io_error),
        other => other.to_string(),
    };
    Error::IndexDamaged {
        path: path.to_path_buf(),
        reason,
    }
}

/// A value worked out once a reader generation (see `Searcher::generation`).
pub(crate) struct PerGeneration<T>(std::sync::Mutex<Option<(u64, T)>>);

impl<T> Default for PerGeneration<T> {
    fn default() -> Self {
        PerGeneration(std::sync::Mutex::new(None))
    }
}

impl<T: Clone> PerGeneration<T> {
    /// The value of `generation`, made by `make` unless it was made for it already.
    pub(crate) fn get<E>(
        &self,
        generation: u64,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let mut cached = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, value)) = cached.as_ref() {
            if *g == generation {
                return Ok(value.clone());
            }
        }
        let value = make()?;
        *cached = Some((generation, value.clone()));
        Ok(value)
    }
}

/// A directory nobody may write: reading needs no meta lock, since no writer can change
/// `meta.json` under it; every other lock (the writer's) is still asked of the file system, and
/// fails there with the reason.
#[derive(Debug, Clone)]
struct ReadOnly(MmapDirectory);

impl Directory for ReadOnly {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        if lock.filepath == META_LOCK.filepath {
            return Ok(DirectoryLock::from(Box::new(())));
        }
        self.0.acquire_lock(lock)
    }
    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }
}

fn damaged(path: &Path, e: &TantivyError) -> Error {
    Error::IndexDamaged {
        path: path.to_path_buf(),
        reason: tantivy_message(e),
    }
}

/// Episodes are stored in blocks of this many bytes, uncompressed: showing a hit copies its
/// block out. Compressed (lz4), each hit shown decompressed a block, and the TREC queries'
/// median search with snippets took 9% longer on the 85k corpus, for an index 23% smaller (131
/// instead of 169 MB; SQLite FTS5's is 220 MB). Uncompressed, the block size costs nothing on
/// disk. Searches took the same time with 1 KB and 4 KB blocks (16 KB: 3% more), and the 85k
/// import 6 to 7% less with 4 KB: a quarter as many blocks to write, checkpoint and merge
/// (BENCHMARKS.md).
const STORE_BLOCK_BYTES: usize = 4096;

/// The largest index merged into one segment after an import (see `EpisodeWriter::finish`).
const MERGE_AT_MOST: u64 = 256 * 1024 * 1024;

/// Memory of the writer that only merges (it indexes nothing; tantivy asks for at least 15 MB).
const MERGE_WRITER_BUDGET: usize = 50_000_000;

/// Figures reported by `episearch stats`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    pub episodes: u64,
    pub podcasts: u64,
    pub first_date: Option<DateTime<Utc>>,
    pub last_date: Option<DateTime<Utc>>,
    pub size_bytes: u64,
    pub segments: u64,
}

/// How a writer batches and how much it may use.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Commit after this many changed episodes...
    pub batch_records: usize,
    /// ...or when this long has passed since the last commit, whichever comes first.
    pub batch_interval: Duration,
    /// Never commit before `finish` (used by `--strict`: all or nothing).
    pub single_commit: bool,
    pub threads: usize,
    pub memory_budget: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            batch_records: 50_000,
            batch_interval: Duration::from_secs(10),
            single_commit: false,
            threads: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(4),
            memory_budget: 300_000_000,
        }
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Updated,
    Unchanged,
}

/// Running totals of a write session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub commits: u64,
}

/// A write session: upserts go in batches; each batch is one atomic commit.
pub struct EpisodeWriter<'a> {
    index: &'a EpisodeIndex,
    writer: IndexWriter,
    options: WriteOptions,
    /// Episodes written since the last commit, by key (the index cannot see them yet).
    pending: HashMap<String, Episode>,
    /// Hashes of keys written during this session, so an index that started empty needs no
    /// look-ups for keys it has never seen.
    written: HashSet<u64>,
    started_empty: bool,
    since_commit: usize,
    last_commit: Instant,
    counts: Counts,
    /// The words of the episodes replaced since the last commit, for the spelling vocabulary.
    tally: Tally,
    /// Documents not yet handed to tantivy's indexing threads (see `ADD_BATCH`).
    adds: Vec<UserOperation>,
    /// A file written with every commit of this session and named in its payload.
    attachment: Option<Attachment<'a>>,
    /// The attachment changed since the last commit: commit even with no episode changed.
    touched: bool,
}

/// Documents are handed to tantivy's indexing threads this many at a time: one at a time, the
/// threads woke for every episode.
const ADD_BATCH: usize = 64;

impl<'a> EpisodeWriter<'a> {
    /// Insert `episode`, or merge it into the stored one with the same key (fuller fields win).
    pub fn upsert(&mut self, episode: Episode) -> Result<Change> {
        self.upsert_keyed(episode).map(|(change, _)| change)
    }

    /// `upsert`, also giving the key the episode is stored under.
    pub fn upsert_keyed(&mut self, episode: Episode) -> Result<(Change, String)> {
        let mut episode = episode.normalise();
        let key = episode.key();
        episode.id = Some(key.clone());
        let hash = stable_hash(&key);
        let existing = match self.pending.get(&key) {
            Some(e) => Some(e.clone()),
            None if self.started_empty && !self.written.contains(&hash) => None,
            None => lookup(&self.index.searcher(), &self.index.fields, &key)?,
        };
        let (merged, change) = match existing {
            Some(old) => {
                let mut merged = old.clone();
                merged.merge(episode);
                if merged == old {
                    self.counts.unchanged += 1;
                    return Ok((Change::Unchanged, key));
                }
                // Episodes added before the delete must reach tantivy first, or it would not
                // apply to them.
                self.hand_over()?;
                self.writer
                    .delete_term(Term::from_field_text(self.index.fields.id, &key));
                self.tally.remove(&old);
                (merged, Change::Updated)
            }
            None => (episode, Change::Added),
        };
        if self.index.fields.spoken.is_none()
            && (merged.transcript.is_some() || !merged.chapters.is_empty())
        {
            return Err(Error::Index(format!(
                "{}: made by an older episearch, without transcripts: delete the folder and index again",
                self.index.path.display()
            )));
        }
        let doc = to_document(&merged, hash, &self.index.fields);
        self.adds.push(UserOperation::Add(doc));
        if self.adds.len() >= ADD_BATCH {
            self.hand_over()?;
        }
        self.written.insert(hash);
        self.pending.insert(key.clone(), merged);
        match change {
            Change::Added => self.counts.added += 1,
            _ => self.counts.updated += 1,
        }
        self.since_commit += 1;
        self.commit_if_due()?;
        Ok((change, key))
    }

    /// Write `attachment` with every commit of this session, from the next one on.
    pub fn attach(&mut self, attachment: Attachment<'a>) {
        self.attachment = Some(attachment);
        self.touched = true;
    }

    /// The attachment's contents changed: the next commit is made even if no episode changed.
    pub fn touch(&mut self) {
        self.touched = true;
    }

    /// Remove the episode with this key; false when there is none.
    pub fn delete(&mut self, key: &str) -> Result<bool> {
        let existing = match self.pending.get(key) {
            Some(e) => Some(e.clone()),
            None => lookup(&self.index.searcher(), &self.index.fields, key)?,
        };
        let Some(old) = existing else {
            return Ok(false);
        };
        self.hand_over()?;
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.id, key));
        self.tally.remove(&old);
        self.pending.remove(key);
        self.since_commit += 1;
        Ok(true)
    }

    /// How long until the changes written since the last commit are due to be committed by
    /// time (`batch_interval`); `None` when nothing waits, or everything waits for `finish`.
    pub fn due_in(&self) -> Option<Duration> {
        if self.options.single_commit || self.since_commit == 0 {
            return None;
        }
        Some(
            self.options
                .batch_interval
                .saturating_sub(self.last_commit.elapsed()),
        )
    }

    /// Commit when a batch is due: `batch_records` changes, or `batch_interval` since the last
    /// commit with changes waiting.
    pub fn commit_if_due(&mut self) -> Result<()> {
        let due = self.since_commit >= self.options.batch_records
            || self.due_in().is_some_and(|d| d.is_zero());
        if due && !self.options.single_commit {
            self.commit()?;
        }
        Ok(())
    }

    /// Hand the documents waiting in `adds` to tantivy.
    fn hand_over(&mut self) -> Result<()> {
        if !self.adds.is_empty() {
            self.writer
                .run(self.adds.drain(..))
                .map_err(|e| write_error(&self.index.path, &e))?;
        }
        Ok(())
    }

    /// Make everything written so far durable and visible.
    pub fn commit(&mut self) -> Result<()> {
        if self.since_commit == 0 && !(self.touched && self.attachment.is_some()) {
            return Ok(());
        }
        self.hand_over()?;
        let last_payload = self
            .index
            .index
            .load_metas()
            .map_err(|e| damaged(&self.index.path, &e))?
            .payload;
        let last = vocabulary::named(last_payload.as_deref());
        let mut prepared = match self.writer.prepare_commit() {
            Ok(prepared) => prepared,
            Err(e) => return Err(write_error(&self.index.path, &e)),
        };
        // Every indexing thread has handed its counts over: the batch's words join the
        // vocabulary in a file of their own, complete before the commit that names it.
        let added = self.index.counts.take();
        let removed = std::mem::take(&mut self.tally);
        let name =
            match self
                .index
                .write_vocabulary(last.as_deref(), &added, &removed, prepared.opstamp())
            {
                Ok(name) => name,
                Err(e) => {
                    let _ = prepared.abort();
                    return Err(e);
                }
            };
        // Other files the last commit named (the remembered sources) are carried forward, or
        // replaced by this session's attachment, written whole before the commit names it.
        let mut payload = attached::entries(last_payload.as_deref());
        payload.insert("vocabulary".into(), name.clone().into());
        let mut attached_names = None;
        if let Some(attachment) = self.attachment.as_mut() {
            let written = (attachment.contents)().and_then(|bytes| {
                attached::write(&self.index.path, attachment.key, &bytes, prepared.opstamp())
            });
            match written {
                Ok(file) => {
                    let before = attached::named(last_payload.as_deref(), attachment.key);
                    payload.insert(attachment.key.into(), file.clone().into());
                    attached_names = Some((attachment.key, file, before));
                }
                Err(e) => {
                    let _ = prepared.abort();
                    return Err(e);
                }
            }
        }
        prepared.set_payload(&serde_json::Value::Object(payload).to_string());
        prepared
            .commit()
            .map_err(|e| write_error(&self.index.path, &e))?;
        let keep: Vec<&str> = [Some(name.as_str()), last.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        vocabulary::remove_stale(&self.index.path, &keep);
        if let Some((key, file, before)) = &attached_names {
            let keep: Vec<&str> = [Some(file.as_str()), before.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            attached::remove_stale(&self.index.path, key, &keep);
        }
        self.touched = false;
        self.index.reader.reload()?;
        self.pending.clear();
        self.since_commit = 0;
        self.last_commit = Instant::now();
        self.counts.commits += 1;
        Ok(())
    }

    /// Commit what is left and wait for merges; returns the totals. When this session wrote
    /// at least half of the index's episodes (a first import, a rebuild) and the index is at
    /// most `MERGE_AT_MOST` bytes, its segments are then merged into one: every search walks
    /// each segment's dictionaries and postings, and one segment made the TREC queries' median
    /// search a third faster on the 85k corpus for about a quarter more indexing time (half
    /// more at the cap; BENCHMARKS.md). A merge maps every segment it reads into memory, so a larger index
    /// (the 1M benchmark's: 1.5 GiB, a 2.2 GiB peak) is left to tantivy's merge policy, as are
    /// smaller updates, so adding a feed never rewrites a large index.
    pub fn finish(mut self) -> Result<Counts> {
        self.commit()?;
        let counts = self.counts;
        let EpisodeWriter { index, writer, .. } = self;
        let _ = writer.wait_merging_threads();
        let written = counts.added + counts.updated;
        if written * 2 >= index.searcher().num_docs() && index.size_bytes()? <= MERGE_AT_MOST {
            index.merge_segments()?;
        }
        Ok(counts)
    }

    /// Drop everything written since the last commit.
    pub fn abandon(mut self) -> Result<Counts> {
        self.adds.clear();
        self.writer.rollback()?;
        self.tally.clear();
        self.index.counts.take();
        Ok(self.counts)
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }
}

/// A write that failed, for the index at `path`.
fn write_error(path: &Path, e: &TantivyError) -> Error {
    let cause = match e {
        // tantivy's indexing threads drop their io error and leave only this.
        TantivyError::ErrorInThread(_) => {
            "a write failed (is the disk full or the folder not writable?)".to_string()
        }
        TantivyError::IoError(io) => io_message(io),
        other => tantivy_message(other),
    };
    Error::Index(format!(
        "{}: could not write: {cause} (the last commit is intact)",
        path.display()
    ))
}

fn lookup(searcher: &Searcher, fields: &Fields, key: &str) -> Result<Option<Episode>> {
    Ok(lookup_document(searcher, fields, key)?.map(|doc| from_document_whole(&doc, fields)))
}

/// The stored document with this key.
fn lookup_document(
    searcher: &Searcher,
    fields: &Fields,
    key: &str,
) -> Result<Option<TantivyDocument>> {
    let term = Term::from_field_text(fields.id, key);
    if searcher.doc_freq(&term)? == 0 {
        return Ok(None);
    }
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    match top.first() {
        Some((_, address)) => Ok(Some(searcher.doc(*address)?)),
        None => Ok(None),
    }
}

/// The tantivy document for an episode whose key hashes to `key_hash` (`stable_hash`).
fn to_document(e: &Episode, key_hash: u64, f: &Fields) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    if let Some(field) = f.tie_order {
        doc.add_u64(field, key_hash);
    }
    let mut text = |field, value: &Option<String>| {
        if let Some(v) = value {
            doc.add_text(field, v);
        }
    };
    text(f.id, &e.id);
    text(f.podcast, &e.podcast);
    text(f.podcast_key, &e.podcast);
    text(f.title, &e.title);
    text(f.summary, &e.summary);
    text(f.description, &e.description);
    text(f.overview, &e.overview);
    text(f.url, &e.url);
    text(f.language, &e.language);
    if let Some(slot) = e.language.as_deref().and_then(schema::stemmed_language) {
        for value in [&e.title, &e.summary, &e.description, &e.overview]
            .into_iter()
            .flatten()
        {
            doc.add_text(f.stemmed[slot], value);
        }
    }
    if let Some(d) = e.date {
        doc.add_date(f.date, index_date(d));
    }
    if let Some(s) = f.spoken {
        let links = Links {
            transcripts: e.transcripts.clone(),
            chapters_url: e.chapters_url.clone(),
            podcast_guid: e.podcast_guid.clone(),
            transcript_from: e.transcript_from.clone(),
            chapters_from: e.chapters_from.clone(),
        };
        if links != Links::default() {
            if let Ok(json) = serde_json::to_string(&links) {
                doc.add_text(s.links, json);
            }
        }
        if e.transcript.is_some() || !e.chapters.is_empty() {
            let laid = spoken::lay_out(e.transcript.as_ref(), &e.chapters, s.layout);
            if !laid.transcript_text.is_empty() {
                doc.add_text(s.transcript, &laid.transcript_text);
                let language = e.transcript.as_ref().and_then(|t| t.language.as_deref());
                if let Some(slot) = language
                    .or(e.language.as_deref())
                    .and_then(schema::stemmed_language)
                {
                    doc.add_text(f.stemmed[slot], &laid.transcript_text);
                }
            }
            if !laid.chapter_text.is_empty() {
                doc.add_text(s.chapters, &laid.chapter_text);
            }
            for speaker in &laid.speakers {
                doc.add_text(s.speaker, speaker);
            }
            match s.layout {
                Layout::Bytes => doc.add_bytes(s.spoken, &laid.bytes),
                Layout::Text => doc.add_text(
                    s.spoken,
                    String::from_utf8(laid.bytes).expect("ASCII tables and UTF-8 strings"),
                ),
            }
        }
    }
    if let Some(d) = e.duration {
        doc.add_u64(f.duration, d);
    }
    doc
}

/// A date as the index holds it; one out of its range (see `indexable_date`) is clamped, never
/// overflowed.
pub(crate) fn index_date(d: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_nanos(d.timestamp().saturating_mul(1_000_000_000))
}

/// The episode stored in a tantivy document, but for its transcript and chapters (see
/// `from_document_whole`): what a hit shows.
pub fn from_document(doc: &TantivyDocument, f: &Fields) -> Episode {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut episode = Episode {
        id: text(f.id),
        podcast: text(f.podcast),
        title: text(f.title),
        date: doc
            .get_first(f.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| DateTime::<Utc>::from_timestamp(d.into_timestamp_secs(), 0)),
        duration: doc.get_first(f.duration).and_then(|v| v.as_u64()),
        summary: text(f.summary),
        description: text(f.description),
        overview: text(f.overview),
        url: text(f.url),
        language: text(f.language),
        ..Episode::default()
    };
    if let Some(s) = f.spoken {
        if let Some(links) = doc
            .get_first(s.links)
            .and_then(|v| v.as_str())
            .and_then(|json| serde_json::from_str::<Links>(json).ok())
        {
            episode.transcripts = links.transcripts;
            episode.chapters_url = links.chapters_url;
            episode.podcast_guid = links.podcast_guid;
            episode.transcript_from = links.transcript_from;
            episode.chapters_from = links.chapters_from;
        }
    }
    episode
}

/// The episode stored in a tantivy document with its transcript and chapters, which
/// `from_document` leaves out: what an update merges into.
pub fn from_document_whole(doc: &TantivyDocument, f: &Fields) -> Episode {
    let mut episode = from_document(doc, f);
    if let Some(stored) = f.spoken.and_then(|s| spoken::in_document(doc, s.spoken)) {
        (episode.transcript, episode.chapters) = stored.to_model();
    }
    episode
}

/// The stored form of an episode's Podcasting 2.0 links.
#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Links {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    transcripts: Vec<TranscriptLink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chapters_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    podcast_guid: Option<String>,
    /// The link the stored transcript was read from (absent in indexes made before it was
    /// kept: such a transcript is fetched again once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transcript_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chapters_from: Option<String>,
}
