//! Files attached to a commit: a stage above the index (the remembered sources) keeps a file
//! beside tantivy's, written complete before the commit and named in the commit's payload next
//! to the vocabulary. A reader so reads the file of the commit it sees, a crash before the
//! commit leaves the previous one named, and a commit that attaches nothing (a POST, an
//! `index` of stdin) carries the previous names forward.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{io_message, Error, Result};

/// Names of half-written files end with this until they are renamed into place.
const TEMPORARY: &str = ".tmp";

/// What a writer attaches to its commits: a key of the payload and the bytes of its file,
/// asked for at each commit (so they describe exactly what that commit holds).
pub struct Attachment<'a> {
    /// The payload key and the file's prefix: `sources` → `sources-12.json`.
    pub key: &'static str,
    pub contents: Box<dyn FnMut() -> Result<Vec<u8>> + Send + 'a>,
}

/// The payload's keys and values, or none when it is not a JSON object (an old index's).
pub fn entries(payload: Option<&str>) -> Map<String, Value> {
    payload
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default()
}

/// The file a payload names under `key`, when it is a plain file name of the index folder
/// (`KEY-N.json`): a payload never leads a reader out of the folder.
pub fn named(payload: Option<&str>, key: &str) -> Option<String> {
    let entries = entries(payload);
    let name = entries.get(key)?.as_str()?;
    let plain = name.starts_with(&format!("{key}-"))
        && name.ends_with(".json")
        && !name.contains(['/', '\\'])
        && !name.contains("..");
    plain.then(|| name.to_string())
}

/// Write `bytes` as the file `key` of commit `opstamp` in the index folder `dir`: written aside,
/// synced, then renamed, so the file is whole before the commit that names it. Returns its name.
pub fn write(dir: &Path, key: &str, bytes: &[u8], opstamp: u64) -> Result<String> {
    let name = format!("{key}-{opstamp}.json");
    let aside = dir.join(format!("{name}{TEMPORARY}"));
    let io = |e: std::io::Error| {
        Error::Index(format!(
            "{}: could not write: {name}: {} (the last commit is intact)",
            dir.display(),
            io_message(&e)
        ))
    };
    let mut file = File::create(&aside).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&aside, dir.join(&name)).map_err(io)?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(name)
}

/// The contents of the file `key` the payload names, if any; one named but unreadable is index
/// damage.
pub fn read(dir: &Path, payload: Option<&str>, key: &str) -> Result<Option<Vec<u8>>> {
    let Some(name) = named(payload, key) else {
        return Ok(None);
    };
    std::fs::read(dir.join(&name))
        .map(Some)
        .map_err(|e| Error::IndexDamaged {
            path: dir.to_path_buf(),
            reason: format!("{name}: {}", io_message(&e)),
        })
}

/// Delete the files of `key` other than those in `keep` (the new commit's and the one before,
/// which a reader may still be reading), and any left half-written by a crash.
pub fn remove_stale(dir: &Path, key: &str, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{key}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let ours = name.starts_with(&prefix)
            && (name.ends_with(".json") || name.ends_with(&format!(".json{TEMPORARY}")));
        if ours && !keep.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_names_only_a_plain_file_of_its_key() {
        let p = r#"{"vocabulary":"vocabulary-3.fst","sources":"sources-3.json"}"#;
        assert_eq!(named(Some(p), "sources").as_deref(), Some("sources-3.json"));
        for bad in [
            None,
            Some("first commit"),
            Some(r#"{"sources":"../sources-1.json"}"#),
            Some(r#"{"sources":"sources-1/../../x.json"}"#),
            Some(r#"{"sources":"meta.json"}"#),
            Some(r#"{"sources":7}"#),
        ] {
            assert_eq!(named(bad, "sources"), None, "{bad:?}");
        }
    }

    #[test]
    fn written_files_are_read_back_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let one = write(dir.path(), "sources", b"[1]", 1).unwrap();
        let two = write(dir.path(), "sources", b"[2]", 2).unwrap();
        std::fs::write(dir.path().join("sources-3.json.tmp"), b"half").unwrap();
        let payload = format!(r#"{{"sources":"{two}"}}"#);
        assert_eq!(
            read(dir.path(), Some(&payload), "sources").unwrap(),
            Some(b"[2]".to_vec())
        );
        remove_stale(dir.path(), "sources", &[&two]);
        assert!(!dir.path().join(one).exists());
        assert!(dir.path().join(&two).exists());
        assert!(!dir.path().join("sources-3.json.tmp").exists());
    }
}
