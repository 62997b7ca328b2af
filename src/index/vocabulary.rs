//! The spelling vocabulary: every word of letters only in the episodes' podcast names, titles
//! and bodies (lower-cased, accents folded, not stemmed), with how many of those texts hold
//! it. Spelling picks its corrections from it.
//!
//! It lives beside tantivy's files, not in a field of the index. A field posts every word of
//! every episode, and those postings were a quarter of an import's time; the list needs no
//! postings, only the words and their counts. The English analysis counts the words as it
//! indexes them (`tokenizer::CachedStemmer`), a count being the number of texts (podcast name,
//! title, bodies) holding the word; an episode replaced by a fuller version takes its texts'
//! words back (`Tally`). Each commit writes the counts so far (the last vocabulary's plus the
//! batch's) as one FST in a new file, and names that file in the commit itself (tantivy's
//! commit payload). A reader so opens the vocabulary of the commit it reads, and a crash
//! before the commit leaves the previous one named.

use std::collections::HashMap;
use std::fs::File;
use std::hash::BuildHasherDefault;
use std::io::{BufWriter, Write};
use std::path::Path;

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::tokenizer::TextAnalyzer;
use tantivy_fst::raw::Fst;
use tantivy_fst::{MapBuilder, Streamer};

use crate::episode::Episode;
use crate::error::{Error, Result};

use super::schema;
use super::tokenizer::WordHasher;

const PREFIX: &str = "vocabulary-";
const SUFFIX: &str = ".fst";
const TEMPORARY: &str = ".tmp";

/// The words of the episodes replaced since the last commit: for each, how many texts holding
/// it went.
pub struct Tally {
    words: HashMap<String, Change, BuildHasherDefault<WordHasher>>,
    /// Texts counted so far: each word is counted once a text.
    texts: u64,
    /// The analysis of the vocabulary's words, which is the counting English analysis's.
    analyzer: TextAnalyzer,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            words: HashMap::default(),
            texts: 0,
            analyzer: schema::words_analyzer(),
        }
    }
}

struct Change {
    texts: u64,
    /// The last text (of `Tally::texts`) that counted the word.
    last: u64,
}

impl Tally {
    /// Take back the words of an episode replaced: its texts as the English analysis counted
    /// them when it was written.
    pub fn remove(&mut self, e: &Episode) {
        for text in [
            &e.podcast,
            &e.title,
            &e.summary,
            &e.description,
            &e.overview,
        ]
        .into_iter()
        .flatten()
        {
            self.texts += 1;
            let current = self.texts;
            let mut stream = self.analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                match self.words.get_mut(token.text.as_str()) {
                    Some(change) if change.last == current => {}
                    Some(change) => {
                        change.texts += 1;
                        change.last = current;
                    }
                    None => {
                        self.words.insert(
                            token.text.clone(),
                            Change {
                                texts: 1,
                                last: current,
                            },
                        );
                    }
                }
            }
        }
    }

    /// Forget every count (a rollback dropped their episodes).
    pub fn clear(&mut self) {
        self.words.clear();
    }
}

/// A vocabulary as a commit left it: an FST from each word to the texts holding it.
pub struct Vocabulary {
    fst: Fst<OwnedBytes>,
}

impl Vocabulary {
    /// The vocabulary file `name` of the index folder `dir`, mapped into memory.
    pub fn open(dir: &Path, name: &str) -> Result<Vocabulary> {
        let damaged =
            |cause: String| Error::Index(format!("the spelling vocabulary {name} {cause}"));
        // Not through the index's own directory: that expects tantivy's footer on every file.
        let bytes = MmapDirectory::open(dir)
            .map_err(|e| damaged(format!("cannot be read ({e})")))?
            .open_read(Path::new(name))
            .map_err(|e| damaged(format!("cannot be read ({e})")))?
            .read_bytes()
            .map_err(|e| damaged(format!("cannot be read ({e})")))?;
        let fst = Fst::new(bytes).map_err(|e| damaged(format!("is damaged ({e})")))?;
        Ok(Vocabulary { fst })
    }

    /// How many texts hold `word` (as the vocabulary folds it), if any.
    pub fn count(&self, word: &str) -> Option<u64> {
        self.fst.get(word).map(|output| output.value())
    }

    /// The words, for walks (`word_list`).
    pub fn fst(&self) -> &Fst<OwnedBytes> {
        &self.fst
    }
}

/// The file a commit's payload names, if it names one.
pub fn named(payload: Option<&str>) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(payload?).ok()?;
    let name = value.get("vocabulary")?.as_str()?;
    let plain = name.starts_with(PREFIX)
        && name.ends_with(SUFFIX)
        && !name.contains(['/', '\\'])
        && !name.starts_with('.');
    plain.then(|| name.to_string())
}

/// The payload of a commit whose vocabulary is the file `name`.
pub fn payload(name: &str) -> String {
    serde_json::json!({ "vocabulary": name }).to_string()
}

/// Write `old` with the texts `added` and those `removed` as the vocabulary of commit
/// `opstamp`, in the index folder `dir`; returns the new file's name. The file is complete on
/// disk (written aside, synced, then renamed) before the commit that names it.
pub fn write(
    dir: &Path,
    old: Option<&Vocabulary>,
    added: &HashMap<String, u64>,
    removed: &Tally,
    opstamp: u64,
) -> Result<String> {
    let name = format!("{PREFIX}{opstamp}{SUFFIX}");
    let aside = dir.join(format!("{name}{TEMPORARY}"));
    let failed = |cause: String| {
        Error::Index(format!(
            "{}: could not write: the spelling vocabulary: {cause} (the last commit is intact)",
            dir.display()
        ))
    };
    let io = |e: std::io::Error| failed(crate::error::io_message(&e));
    let fst = |e: tantivy_fst::Error| failed(e.to_string());
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut changes: HashMap<&str, i64> = added
        .iter()
        .map(|(word, &n)| (word.as_str(), count(n)))
        .collect();
    for (word, change) in &removed.words {
        *changes.entry(word.as_str()).or_default() -= count(change.texts);
    }
    let mut changes: Vec<(&str, i64)> = changes.into_iter().filter(|(_, n)| *n != 0).collect();
    changes.sort_unstable();
    let mut builder =
        MapBuilder::new(BufWriter::new(File::create(&aside).map_err(io)?)).map_err(fst)?;
    merge_counts(old, changes, |word, texts| match u64::try_from(texts) {
        Ok(n) if n > 0 => builder.insert(word, n),
        _ => Ok(()),
    })
    .map_err(fst)?;
    let mut file = builder
        .into_inner()
        .map_err(fst)?
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    file.flush().map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&aside, dir.join(&name)).map_err(io)?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(name)
}

/// Every word of `old` and of `changes` (sorted, without repeats) in order, with its count:
/// the old count, the change, or their sum.
fn merge_counts(
    old: Option<&Vocabulary>,
    changes: Vec<(&str, i64)>,
    mut put: impl FnMut(&[u8], i64) -> tantivy_fst::Result<()>,
) -> tantivy_fst::Result<()> {
    let mut stream = old.map(|v| v.fst.stream());
    let mut next_old = || {
        let (word, output) = stream.as_mut()?.next()?;
        Some((
            word.to_vec(),
            i64::try_from(output.value()).unwrap_or(i64::MAX),
        ))
    };
    let mut held = next_old();
    let mut changes = changes.into_iter().peekable();
    loop {
        match (held.take(), changes.peek().copied()) {
            (Some((word, n)), Some((changed, d))) => {
                match word.as_slice().cmp(changed.as_bytes()) {
                    std::cmp::Ordering::Less => {
                        put(&word, n)?;
                        held = next_old();
                    }
                    std::cmp::Ordering::Greater => {
                        put(changed.as_bytes(), d)?;
                        changes.next();
                        held = Some((word, n));
                    }
                    std::cmp::Ordering::Equal => {
                        put(&word, n.saturating_add(d))?;
                        changes.next();
                        held = next_old();
                    }
                }
            }
            (Some((word, n)), None) => {
                put(&word, n)?;
                held = next_old();
            }
            (None, Some((changed, d))) => {
                put(changed.as_bytes(), d)?;
                changes.next();
            }
            (None, None) => return Ok(()),
        }
    }
}

/// Delete the vocabulary files of `dir` other than `keep` (a reader may still open the one a
/// commit before named, so the caller keeps that too), and any left half-written.
pub fn remove_stale(dir: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let ours =
            name.starts_with(PREFIX) && (name.ends_with(SUFFIX) || name.ends_with(TEMPORARY));
        if ours && !keep.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(title: &str, summary: &str) -> Episode {
        Episode {
            title: Some(title.to_string()),
            summary: Some(summary.to_string()),
            ..Episode::default()
        }
    }

    fn words(v: &Vocabulary) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut stream = v.fst().stream();
        while let Some((word, output)) = stream.next() {
            out.push((String::from_utf8(word.to_vec()).unwrap(), output.value()));
        }
        out
    }

    fn counted(pairs: &[(&str, u64)]) -> HashMap<String, u64> {
        pairs.iter().map(|(w, n)| (w.to_string(), *n)).collect()
    }

    #[test]
    fn carries_counts_across_commits_and_takes_back_replaced_texts() {
        let dir = tempfile::tempdir().unwrap();
        let added = counted(&[("talk", 3), ("cafe", 1), ("nothing", 1), ("else", 1)]);
        let first = write(dir.path(), None, &added, &Tally::default(), 3).unwrap();
        assert_eq!(first, "vocabulary-3.fst");
        let v = Vocabulary::open(dir.path(), &first).unwrap();
        assert_eq!(
            words(&v),
            [("cafe", 1), ("else", 1), ("nothing", 1), ("talk", 3)]
                .map(|(w, n)| (w.to_string(), n))
        );
        // The next commit adds its counts to the last. A replaced episode takes back each of
        // its texts' words once a text (folded, letters only, as the analysis counted them),
        // and a word no text holds any more leaves.
        let mut removed = Tally::default();
        removed.remove(&episode(
            "Small TALK",
            "Nothing else, nothing, talk about x86",
        ));
        let added = counted(&[("talk", 1), ("zebra", 2)]);
        let second = write(dir.path(), Some(&v), &added, &removed, 7).unwrap();
        let v = Vocabulary::open(dir.path(), &second).unwrap();
        assert_eq!(
            words(&v),
            [("cafe", 1), ("talk", 2), ("zebra", 2)].map(|(w, n)| (w.to_string(), n))
        );
        // Files of older commits, and any left half-written, are removed; the kept stay.
        std::fs::write(dir.path().join("vocabulary-9.fst.tmp"), b"partial").unwrap();
        remove_stale(dir.path(), &[&second]);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("vocabulary"))
            .collect();
        left.sort();
        assert_eq!(left, [second]);
    }

    #[test]
    fn a_payload_names_only_a_vocabulary_file_of_the_folder() {
        assert_eq!(
            named(Some(&payload("vocabulary-12.fst"))),
            Some("vocabulary-12.fst".to_string())
        );
        for bad in [
            None,
            Some("first commit"),
            Some(r#"{"vocabulary":"../meta.json"}"#),
            Some(r#"{"vocabulary":"vocabulary-1/../../x.fst"}"#),
            Some(r#"{"vocabulary":"meta.json"}"#),
            Some(r#"{"vocabulary":7}"#),
        ] {
            assert_eq!(named(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_failed_write_says_so_and_that_the_last_commit_stands() {
        let missing = Path::new("/nonexistent/index");
        let e = write(
            missing,
            None,
            &counted(&[("word", 1)]),
            &Tally::default(),
            1,
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "/nonexistent/index: could not write: the spelling vocabulary: no such file or \
             directory (os error 2) (the last commit is intact)"
        );
    }

    #[test]
    fn a_damaged_vocabulary_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vocabulary-1.fst"), b"not an fst").unwrap();
        let e = Vocabulary::open(dir.path(), "vocabulary-1.fst")
            .err()
            .unwrap();
        assert!(
            e.to_string()
                .contains("the spelling vocabulary vocabulary-1.fst is damaged"),
            "{e}"
        );
        let e = Vocabulary::open(dir.path(), "vocabulary-2.fst")
            .err()
            .unwrap();
        assert!(
            e.to_string()
                .contains("the spelling vocabulary vocabulary-2.fst cannot be read"),
            "{e}"
        );
    }
}
