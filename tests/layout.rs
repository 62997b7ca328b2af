//! The house: the top of `src/` stays small, the stages are folders, and no module uses an item
//! of a module that (directly or through others) uses an item of it back.
//!
//! An edge A → B means a file of module A names an item defined in module B (`use`, or a path in
//! the code). A path through a re-export (`crate::Error`, `crate::search::SearchOptions`) counts
//! as an edge to the module that defines the item, not to the one that re-exports it: a `mod.rs`
//! that declares children and re-exports their items is a table of contents, not a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::repo_path;

#[test]
fn the_top_of_src_holds_at_most_eight_files_and_the_stages_are_folders() {
    let src = repo_path("src");
    let mut top: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert!(
        top.len() <= 8,
        "{} files at the top of src/: {top:?}",
        top.len()
    );
    for stage in ["ingest", "index", "search", "output", "measure"] {
        assert!(
            src.join(stage).join("mod.rs").is_file(),
            "src/{stage}/mod.rs is missing"
        );
    }
}

#[test]
fn every_folder_says_what_it_is_for_and_what_it_may_not_touch() {
    for (module, file) in modules() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} does not open with a `//!` line",
            file.display()
        );
        if file.ends_with("mod.rs") {
            let head: String = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                head.contains("may not "),
                "src/{module}/mod.rs does not say what it may not touch: {head}"
            );
        }
    }
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let graph = graph();
    // Sanity: the parser sees the real flow, so an empty graph cannot pass for a clean one.
    let edge = |a: &str, b: &str| graph.get(a).is_some_and(|to| to.contains(b));
    assert!(edge("search::query", "index::indexer"), "{graph:#?}");
    assert!(edge("index::pipeline", "ingest"), "{graph:#?}");
    assert!(edge("app", "search::options"), "{graph:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle: {}", cycle.join(" → "));
    }
}

#[test]
fn a_circle_is_found_when_there_is_one() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        graph.entry(a.into()).or_default().insert(b.into());
    }
    assert_eq!(find_cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&graph), None);
}

/// Every source file with its module path (`search::plain`, `ingest`, `app`), the library's and
/// the binary's (`main`, `cli`, `app`) alike; `lib.rs` and `main.rs` are the crate roots.
fn modules() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let module = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}::{name}")
            };
            if path.is_dir() {
                walk(&path, &module, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let module = match name.as_str() {
                    "mod" => prefix.to_string(),
                    "lib" | "main" if prefix.is_empty() => name.clone(),
                    _ => module,
                };
                out.push((module, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_path("src"), "", &mut out);
    out
}

/// The library's modules, the binary's, and which items each `mod.rs` (or `lib.rs`) re-exports
/// from where; then the edges of every file.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = modules();
    let known: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    // Re-exports: (module, item) → the module the item comes from.
    let mut reexports: BTreeMap<(String, String), String> = BTreeMap::new();
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|(m, f)| (m.clone(), std::fs::read_to_string(f).unwrap()))
        .collect();
    for (module, text) in &texts {
        let base = if module == "lib" { "" } else { module };
        for line in text.lines() {
            let line = line.trim();
            let Some(rest) = line
                .strip_prefix("pub use ")
                .or_else(|| line.strip_prefix("pub(crate) use "))
            else {
                continue;
            };
            for (path, item) in expand(rest.trim_end_matches(';')) {
                let from = join(base, &path);
                reexports.insert((base.to_string(), item), from);
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &texts {
        let here = if module == "lib" { "" } else { module.as_str() };
        let mut in_tests = false;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("mod tests") {
                in_tests = true;
            }
            if trimmed.starts_with("//") {
                continue;
            }
            let mut named = paths(line);
            // A folder's own file names its children by their bare names (`json::read_lines`).
            for child in children(&known, here) {
                // `json::read_lines(` names `json::read_lines`; `crate::x::json::` is not this child.
                for path in named_after(line, &format!("{child}::"), true) {
                    named.push(("crate", join(here, &path)));
                }
            }
            for (root, path) in named {
                let absolute = match root {
                    "crate" | "episearch" => path.clone(),
                    _ => {
                        // `super::` from a file, or from its test module (whose parent is the file).
                        let mut path = path.as_str();
                        let mut ups = 1 - usize::from(in_tests);
                        while let Some(rest) = path.strip_prefix("super::") {
                            ups += 1;
                            path = rest;
                        }
                        let mut base: Vec<&str> = if here.is_empty() {
                            Vec::new()
                        } else {
                            here.split("::").collect()
                        };
                        for _ in 0..ups {
                            base.pop();
                        }
                        join(&base.join("::"), path)
                    }
                };
                if let Some(target) = resolve(&absolute, &known, &reexports) {
                    let from = module.clone();
                    if target != from && target != "lib" && target != "main" {
                        graph.entry(from).or_default().insert(target);
                    }
                }
            }
        }
    }
    graph
}

/// The modules declared directly below `parent` (`""` for the crate root), by their own names.
fn children(known: &BTreeSet<String>, parent: &str) -> Vec<String> {
    known
        .iter()
        .filter_map(|m| match parent {
            "" => (!m.contains("::")).then(|| m.clone()),
            p => m
                .strip_prefix(&format!("{p}::"))
                .filter(|rest| !rest.contains("::"))
                .map(str::to_string),
        })
        .filter(|m| !matches!(m.as_str(), "lib" | "main"))
        .collect()
}

fn join(base: &str, path: &str) -> String {
    match (base.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}::{path}"),
    }
}

/// The module an absolute path (`search::options::SearchOptions`) names an item of: its longest
/// prefix that is a module, followed through re-exports to where the item is defined.
fn resolve(
    path: &str,
    known: &BTreeSet<String>,
    reexports: &BTreeMap<(String, String), String>,
) -> Option<String> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    for n in (0..=segments.len()).rev() {
        let prefix = segments[..n].join("::");
        let is_module = if n == 0 {
            true
        } else {
            known.contains(&prefix)
        };
        if !is_module {
            continue;
        }
        if let Some(item) = segments.get(n) {
            if let Some(from) = reexports.get(&(prefix.clone(), item.to_string())) {
                if from != path {
                    return resolve(from, known, reexports);
                }
            }
        }
        return Some(if n == 0 { "lib".into() } else { prefix });
    }
    None
}

/// The paths a line names from the crate root or a parent: `(root, path after it)`, with
/// `{a, b::c}` groups expanded; `super::super::x` is `("super", "super::x")`.
fn paths(line: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for root in ["crate", "episearch", "super"] {
        for path in named_after(line, &format!("{root}::"), false) {
            out.push((root, path));
        }
    }
    out
}

/// The paths that follow each `pattern` in `line` that starts a path (not `x_pattern` nor
/// `a::pattern`), with the pattern itself when `keep` is set.
fn named_after(line: &str, pattern: &str, keep: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find(pattern) {
        let start = from + i;
        from = start + pattern.len();
        let before = line[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = if keep { &line[start..] } else { &line[from..] };
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{'))
            .map(|e| {
                if rest[..e].ends_with('{') {
                    group_end(rest)
                } else {
                    e
                }
            })
            .unwrap_or(rest.len());
        out.extend(expand(&rest[..end]).into_iter().map(|(p, i)| join(&p, &i)));
    }
    out
}

/// The end of a `{...}` group that starts in `rest`.
fn group_end(rest: &str) -> usize {
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

/// `a::b::{c, d::e as f}` → `[("a::b", "c"), ("a::b::d", "e")]`; `a::b` → `[("a", "b")]`.
fn expand(spec: &str) -> Vec<(String, String)> {
    let spec = spec.trim().trim_end_matches(';');
    if let Some(open) = spec.find('{') {
        let base = spec[..open].trim_end_matches("::");
        let inner = &spec[open + 1..spec.rfind('}').unwrap_or(spec.len())];
        let mut out = Vec::new();
        let (mut depth, mut start) = (0, 0);
        let mut parts = Vec::new();
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            for (p, item) in expand(part) {
                out.push((join(base, &p), item));
            }
        }
        return out;
    }
    let spec = spec.split(" as ").next().unwrap_or("").trim();
    match spec.rsplit_once("::") {
        Some((path, item)) => vec![(path.to_string(), item.to_string())],
        None if spec == "self" || spec == "*" => vec![(String::new(), String::new())],
        None => vec![(String::new(), spec.to_string())],
    }
}

/// A cycle of the graph, as the modules along it (the first repeated at the end).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|m| m == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}
