//! Abbreviations and synonyms: a built-in list for common podcast topics plus the user's own
//! file (one group a line, comma-separated). A query word that matches one entry of a group is
//! also searched as the group's other entries, with a lower weight than the word itself.

use crate::error::{Error, Result};
use crate::index::schema;

/// The built-in groups, in the `--synonyms` file format.
pub const BUILTIN: &str = "\
tech, technical, technology
k8s, kubernetes
ai, artificial intelligence
ml, machine learning
llm, large language model
pm, product manager
ux, user experience
ui, user interface
js, javascript
.net, dotnet
postgres, postgresql
db, database
os, operating system
vm, virtual machine
ci, continuous integration
devops, dev ops
saas, software as a service
api, application programming interface
vc, venture capital
ceo, chief executive officer
cto, chief technology officer
gop, republican party
eu, european union
uk, united kingdom
usa, united states
nyc, new york city
covid, coronavirus, covid-19
";

/// Groups of interchangeable entries; each entry is its analyzed terms (`["machin", "learn"]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
}

/// The longest entry of any group has this many words; longer runs are never compared.
pub const MAX_ENTRY_WORDS: usize = 4;

impl Synonyms {
    /// The built-in list.
    pub fn builtin() -> Synonyms {
        Synonyms::parse(BUILTIN, "built-in synonyms").expect("the built-in list parses")
    }

    /// No synonyms at all.
    pub fn none() -> Synonyms {
        Synonyms::default()
    }

    /// Parse the file format: one group a line, entries separated by commas, an entry one or
    /// more words; `#` starts a comment line; blank lines are skipped. `origin` names the
    /// source in errors (`synonyms.txt:3: ...`).
    pub fn parse(text: &str, origin: &str) -> Result<Synonyms> {
        let mut groups = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut group: Vec<Vec<String>> = Vec::new();
            for entry in line.split(',') {
                let terms = schema::analyze(entry);
                if terms.is_empty() {
                    continue;
                }
                if terms.len() > MAX_ENTRY_WORDS {
                    return Err(Error::Invalid(format!(
                        "{origin}:{}: `{}` has more than {MAX_ENTRY_WORDS} words",
                        n + 1,
                        entry.trim()
                    )));
                }
                if !group.contains(&terms) {
                    group.push(terms);
                }
            }
            if group.len() < 2 {
                return Err(Error::Invalid(format!(
                    "{origin}:{}: a group needs at least two entries separated by commas",
                    n + 1
                )));
            }
            groups.push(group);
        }
        Ok(Synonyms { groups })
    }

    /// Add another list's groups to this one.
    pub fn extend(&mut self, other: Synonyms) {
        self.groups.extend(other.groups);
    }

    /// The other entries of every group holding `entry` (analyzed terms), if any.
    pub fn alternatives(&self, entry: &[String]) -> Vec<Vec<String>> {
        let mut others: Vec<Vec<String>> = Vec::new();
        for group in &self.groups {
            if group.iter().any(|e| e.as_slice() == entry) {
                for e in group {
                    if e.as_slice() != entry && !others.contains(e) {
                        others.push(e.clone());
                    }
                }
            }
        }
        others
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Vec<String> {
        schema::analyze(s)
    }

    #[test]
    fn builtin_groups_connect_both_ways() {
        let s = Synonyms::builtin();
        assert_eq!(s.alternatives(&terms("K8s")), [terms("kubernetes")]);
        assert_eq!(s.alternatives(&terms("kubernetes")), [terms("k8s")]);
        assert_eq!(s.alternatives(&terms("machine learning")), [terms("ml")]);
        assert!(s.alternatives(&terms("tech")).contains(&terms("technical")));
        assert_eq!(s.alternatives(&terms(".NET")), [terms("dotnet")]);
        assert!(s.alternatives(&terms("debt")).is_empty());
    }

    #[test]
    fn file_format_and_its_errors() {
        let s = Synonyms::parse("# mine\n\nspa, single page app\n", "f").unwrap();
        assert_eq!(s.alternatives(&terms("spa")), [terms("single page app")]);
        let e = Synonyms::parse("ok, fine\nlonely\n", "syn.txt").unwrap_err();
        assert_eq!(
            e.to_string(),
            "syn.txt:2: a group needs at least two entries separated by commas"
        );
    }
}
