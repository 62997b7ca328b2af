//! Command-line definitions (clap derive); doc comments are the help text.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

pub use clap_complete::Shell;
use episearch::search::moments::DEFAULT_MOMENTS;

const QUERY_HELP: &str = "\
Query syntax:
  tech debt            episodes with any of the words; all words rank first,
                       the words as a phrase above that
  \"tech debt\"          the exact phrase
  +must -exclude       require or exclude a word
  a AND b, a OR b, NOT c
                       boolean operators (upper case); group with ( )
  title:roadmap        search one field: title, podcast, summary,
                       description, overview
A query that does not parse is searched as its plain words, with a warning.
Plain words the index does not hold are corrected to its nearest word
(`showing results for ...` on stderr); abbreviations and synonyms (k8s,
kubernetes; ml, machine learning; ...) match too, ranked below the words typed.";

/// Full-text search for podcast episode summaries.
#[derive(Debug, Parser)]
#[command(name = "episearch", version, about, after_help = QUERY_HELP)]
pub struct Cli {
    /// Index folder [default: index]
    #[arg(
        short = 'i',
        long,
        global = true,
        env = "EPISEARCH_INDEX",
        value_name = "DIR"
    )]
    pub index: Option<PathBuf>,

    /// When to colour output: auto colours a terminal unless NO_COLOR is set
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Extra synonyms: one group a line, comma-separated (`k8s, kubernetes`)
    #[arg(long, global = true, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load episodes from files, folders, feed URLs or OPML lists; each is remembered as a source
    Index(IndexArgs),
    /// List the remembered sources: what each gave and what its last fetch said
    Sources(SourcesArgs),
    /// Bring every remembered source up to date (a conditional GET; a path only when it changed)
    Refresh(RefreshArgs),
    /// Write the remembered feeds out as OPML, as podcast apps import it
    Export(ExportArgs),
    /// Remove episodes: a source's (and forget it), a podcast's, or some by id
    Remove(RemoveArgs),
    /// Search the index and print ranked, highlighted matches
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Show what the index holds
    Stats(StatsArgs),
    /// Episodes most like one episode (more like this over its own words), never itself
    Similar(SimilarArgs),
    /// Serve the HTTP API and the search page (keys from EPISEARCH_WRITE_KEY, EPISEARCH_READ_KEY)
    Serve(ServeArgs),
    /// Time the queries of a file as `search` runs them: latency percentiles and queries/s
    Bench(BenchArgs),
    /// Measure ranking on judged queries: success at cut-off and MRR@10, episearch and SQLite FTS5
    Eval(EvalArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// Print the manual page, in roff (`episearch man | man -l -`)
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Judged queries: `kind TAB cut-off TAB query TAB wanted ids`, one a line; each file is a
    /// set, reported on its own
    #[arg(required = true, value_name = "JUDGMENTS")]
    pub judgments: Vec<PathBuf>,

    /// Print one JSON object a set
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files, folders (walked recursively), feed URLs or OPML lists of feeds; `-` reads standard
    /// input. `.gz` is read as is.
    #[arg(required = true, value_name = "PATH|URL")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub fetch: FetchArgs,

    /// Take episode field TARGET from record field SOURCE (JSON and CSV), e.g. title=name
    #[arg(long = "map", value_name = "TARGET=SOURCE")]
    pub map: Vec<String>,

    /// Stop at the first bad record and commit nothing of this run
    #[arg(long)]
    pub strict: bool,

    /// Commit after this many changed episodes (a crash loses at most one batch)
    #[arg(long, default_value_t = 50_000, value_name = "N")]
    pub batch: usize,

    /// ...or this many seconds after the last commit, even with no record since
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub batch_seconds: u64,

    /// Attach the one transcript or chapters FILE to this episode, already indexed (its id as
    /// `search --json` prints it); a new version replaces the old
    #[arg(long, value_name = "ID")]
    pub episode: Option<String>,
}

/// How feeds, and the files their episodes link to, are fetched.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Give up on a feed after this long, redirects and body included (e.g. 30s, 2m, 500ms)
    #[arg(long, default_value = "30s", value_parser = humane_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Feeds fetched at once
    #[arg(short = 'j', long, default_value_t = 8, value_name = "N")]
    pub jobs: usize,

    /// Which feeds' and records' links to transcripts and chapters by URL are fetched: those of
    /// feeds fetched by URL (remote), those of local files too (always), or none (never); paths
    /// are always read
    #[arg(long, value_enum, default_value_t = LinkFetching::Remote, value_name = "WHICH")]
    pub fetch_links: LinkFetching,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinkFetching {
    Remote,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Print JSON Lines, one source a line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    pub fetch: FetchArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// As OPML 2.0 (the one format there is)
    #[arg(long, required = true)]
    pub opml: bool,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct RemoveArgs {
    /// A source as `sources` lists it (or as it was given): its episodes go, and it is forgotten
    #[arg(long, value_name = "URL|PATH")]
    pub source: Option<String>,

    /// Every episode of this podcast (exact name, any case)
    #[arg(long, value_name = "NAME")]
    pub podcast: Option<String>,

    /// These episodes (ids as `search --json` prints them)
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub id: Vec<String>,
}

/// A duration as people write it: `30s`, `500ms`, `2m`, `1h`, `1m30s`, or plain seconds.
pub fn humane_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}`: expected a duration such as 30s, 500ms, 2m or 1h");
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs > 0.0)
            .then(|| Duration::from_secs_f64(secs))
            .ok_or_else(bad);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest[..unit_end].trim() {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86400.0,
            _ => return Err(bad()),
        };
        total += Duration::try_from_secs_f64(number * scale).map_err(|_| bad())?;
        rest = &rest[unit_end..];
    }
    (!total.is_zero()).then_some(total).ok_or_else(bad)
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see the syntax below); put `--` before a query that starts with `-`
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Only episodes on or after this date: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Only episodes on or before this date (the whole year, month or day)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    /// Only this podcast (exact name, any case)
    #[arg(long, value_name = "NAME")]
    pub podcast: Option<String>,

    /// Only episodes at least this long (seconds, MM:SS or H:MM:SS)
    #[arg(long, value_name = "LENGTH")]
    pub min_duration: Option<String>,

    /// Only episodes at most this long (seconds, MM:SS or H:MM:SS)
    #[arg(long, value_name = "LENGTH")]
    pub max_duration: Option<String>,

    /// Result order
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,

    /// How many hits to show
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Skip this many hits first (for paging)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,

    /// Longest snippet, in characters
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub snippet_chars: usize,

    /// Print JSON Lines, one hit a line
    #[arg(long)]
    pub json: bool,

    /// Show why each hit ranks where it does: the tiers it earned and what each word scored
    /// in each field
    #[arg(long)]
    pub explain: bool,
    /// Count every match by these, after the hits: podcast, year (comma-separated)
    #[arg(long, value_name = "LIST")]
    pub facets: Option<String>,

    /// Moments to show under each hit: where in its transcript the words were said (0: none)
    #[arg(long, default_value_t = DEFAULT_MOMENTS, value_name = "N")]
    pub moments: usize,

    /// Only episodes where this person speaks, and only their moments (exact name, any case)
    #[arg(long, value_name = "NAME")]
    pub speaker: Option<String>,

    /// Only episodes in this language (a tag such as `de`, which takes in `de-at`)
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The episode's id (as `search --json` prints it)
    #[arg(value_name = "ID")]
    pub id: String,

    /// How many episodes to show
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Longest snippet, in characters
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub snippet_chars: usize,

    /// Print JSON Lines, one hit a line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Other than loopback is your choice.
    #[arg(long, default_value = "127.0.0.1:7780", value_name = "HOST:PORT")]
    pub addr: String,

    /// Read the write key from this file (else EPISEARCH_WRITE_KEY; with neither, writes are off)
    #[arg(long, value_name = "FILE")]
    pub write_key_file: Option<PathBuf>,

    /// Largest request body accepted, in bytes (larger: 413)
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,

    /// Longest time one request may take, in seconds (longer: 408), and its headers to arrive
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub timeout: u64,

    /// Refresh the remembered sources in the background this often (e.g. 30m, 1h)
    #[arg(long, value_parser = humane_duration, value_name = "DURATION")]
    pub refresh_every: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Query file: one query a line, or JSON Lines with a `query` field (TREC topics)
    #[arg(long, required = true, value_name = "FILE")]
    pub queries: PathBuf,

    /// Timed passes over all the queries
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub runs: usize,

    /// Untimed passes first
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub warmup: usize,

    /// Hits per query (each with its snippet)
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Moments of a transcript a hit (0: none), as `search --moments`
    #[arg(long, default_value_t = DEFAULT_MOMENTS, value_name = "N")]
    pub moments: usize,

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

/// The completion script of `shell` for every command and flag.
pub fn write_completions(shell: Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut Cli::command(), "episearch", out);
}

/// The manual page: clap's own sections (name, synopsis, options, commands), every command's
/// flags, then the sections clap does not know (`man::EXTRA_SECTIONS`).
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    write_commands(command, out)?;
    out.write_all(crate::man::EXTRA_SECTIONS.as_bytes())?;
    man.render_version_section(out)
}

/// A `COMMANDS` section: each command's usage, what it does, and its own flags with their
/// defaults and choices (clap's own section lists only the names).
fn write_commands(mut command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    command.build();
    writeln!(out, ".SH COMMANDS")?;
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ");
        writeln!(out, ".SS \"{}\"", roff(usage))?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(out, "{}", roff(&about.to_string()))?;
        }
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_hide_set() || arg.is_global_set() || id == "help" || id == "version" {
                continue;
            }
            let value = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map(|v| v.to_string())
                .unwrap_or_else(|| id.to_uppercase());
            let mut names = Vec::new();
            if let Some(short) = arg.get_short() {
                names.push(format!("\\fB\\-{short}\\fR"));
            }
            if let Some(long) = arg.get_long() {
                names.push(format!("\\fB\\-\\-{}\\fR", roff(long)));
            }
            let takes_value = arg.get_action().takes_values();
            let head = if names.is_empty() {
                format!("\\fI<{}>\\fR", roff(&value))
            } else if takes_value {
                format!("{} \\fI{}\\fR", names.join(", "), roff(&value))
            } else {
                names.join(", ")
            };
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let choices: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !choices.is_empty() && takes_value {
                help.push_str(&format!(" [possible values: {}]", choices.join(", ")));
            }
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() && takes_value {
                help.push_str(&format!(" [default: {}]", defaults.join(", ")));
            }
            writeln!(out, ".TP\n{head}\n{}", roff(&help))?;
        }
    }
    Ok(())
}

/// Text as roff reads it literally: backslashes and hyphens escaped, and no line starting with
/// a control character.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_as_people_write_them() {
        let d = |s: &str| humane_duration(s).unwrap();
        assert_eq!(d("30s"), Duration::from_secs(30));
        assert_eq!(d("2"), Duration::from_secs(2));
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d("1h"), Duration::from_secs(3600));
        for bad in ["", "0", "-1", "3 parsecs", "s", "1x"] {
            assert!(humane_duration(bad).is_err(), "{bad}");
        }
    }
}
