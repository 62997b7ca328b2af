//! Shared test helpers: a temp workspace with its own index, and a runner for the binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary folder holding an index (`idx/`) and whatever input files a test writes.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

/// What a run of the binary produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn index_dir(&self) -> PathBuf {
        self.path("idx")
    }

    /// Write a file below the workspace, creating folders.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// The binary with `--index idx --color never`, run from the workspace folder.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("episearch").expect("binary");
        cmd.current_dir(self.dir.path())
            .env_remove("EPISEARCH_INDEX")
            .env_remove("NO_COLOR")
            .arg("--index")
            .arg(self.index_dir())
            .arg("--color")
            .arg("never");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.cmd().args(args))
    }

    /// Index the project's default corpus.
    pub fn index_corpus(&self) -> Run {
        let corpus = repo_path("corpus");
        let r = run(self.cmd().arg("index").arg(&corpus));
        assert_eq!(r.code, 0, "indexing corpus failed: {}", r.stderr);
        r
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out: Output = cmd.output().expect("run episearch");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A path inside this repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[allow(dead_code)]
/// `../shared/corpus/<rel>` when present; `None` (with a printed reason) when not.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!("skipping: {} not found", path.display());
        None
    }
}

/// The tiers of a hit's `explain`, each with whether the hit earned it.
pub fn earned_tiers(explain: &serde_json::Value) -> Vec<(&str, bool)> {
    explain["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tier"].as_str().unwrap(), t["earned"].as_bool().unwrap()))
        .collect()
}

/// Parse JSON Lines output into values.
pub fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}
