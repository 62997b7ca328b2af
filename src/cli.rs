//! Command-line definitions (clap derive); doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Load episodes from files or folders (JSON Lines, JSON, CSV, episode pages, RSS/Atom)
    Index(IndexArgs),
    /// Search the index and print ranked, highlighted matches
    #[command(after_help = QUERY_HELP)]
    Search(SearchArgs),
    /// Show what the index holds
    Stats(StatsArgs),
    /// Time the queries of a file as `search` runs them: latency percentiles and queries/s
    Bench(BenchArgs),
    /// Measure ranking on judged queries: success at cut-off and MRR@10, episearch and SQLite FTS5
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Judged queries: `kind TAB cut-off TAB query TAB wanted ids`, one a line
    #[arg(value_name = "JUDGMENTS")]
    pub judgments: PathBuf,

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders (walked recursively); `-` reads standard input. `.gz` is read as is.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

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

    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}
