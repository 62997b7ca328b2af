//! The commands: resolve arguments into library options once, call the library, print.
//! Only this file and `main.rs` print, decide colour or choose exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use episearch::episode::parse_duration;
use episearch::index::indexer::Change;
use episearch::index::pipeline::{self, Event, IngestOptions, IngestReport};
use episearch::index::{EpisodeIndex, WriteOptions};
use episearch::ingest::attach::attach_file;
use episearch::ingest::{collect_sources, FieldMap};
use episearch::measure::bench::{self, BenchOptions};
use episearch::measure::eval;
use episearch::output::{self, Style};
use episearch::search::facets::{Facet, FacetCounter};
use episearch::search::options::{Period, SearchOptions, SortOrder};
use episearch::search::synonyms::Synonyms;
use episearch::serve::{self, ServeOptions};
use episearch::sources::fetch::FetchOptions;
use episearch::sources::refresh::{self, FetchLinks, Progress, SourceOptions, SourcesReport};
use episearch::sources::store::{Listed, SourceList};
use episearch::Error;

use crate::cli::{
    self, BenchArgs, Cli, ColorChoice, Command, EvalArgs, ExportArgs, FetchArgs, IndexArgs,
    LinkFetching, RefreshArgs, RemoveArgs, SearchArgs, ServeArgs, SimilarArgs, Sort, SourcesArgs,
    StatsArgs,
};

const DEFAULT_INDEX: &str = "index";
const DEFAULT_CORPUS: &str = "corpus";

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let explicit_index = cli.index.is_some();
    let index_dir = cli.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    let style = decide_style(cli.color);
    let synonyms = cli.synonyms.as_deref();
    match cli.command {
        Command::Index(args) => index(&index_dir, args),
        Command::Sources(args) => sources(&index_dir, args),
        Command::Refresh(args) => refresh_sources(&index_dir, args),
        Command::Export(args) => export(&index_dir, args),
        Command::Remove(args) => remove(&index_dir, args),
        Command::Search(args) => search(&index_dir, explicit_index, args, synonyms, style),
        Command::Stats(args) => stats(&index_dir, args),
        Command::Similar(args) => similar(&index_dir, explicit_index, args, style),
        Command::Serve(args) => serve(&index_dir, explicit_index, args),
        Command::Eval(args) => evaluate(&index_dir, args, synonyms),
        Command::Bench(args) => bench(&index_dir, explicit_index, args, synonyms),
        Command::Completions(args) => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            cli::write_completions(args.shell, &mut out);
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            cli::write_man(&mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The built-in synonyms plus the user's file, if any.
fn load_synonyms(file: Option<&Path>) -> Result<Synonyms> {
    let mut synonyms = Synonyms::builtin();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        synonyms.extend(Synonyms::parse(&text, &path.display().to_string())?);
    }
    Ok(synonyms)
}

/// Colour is decided here alone: `--color`, then `NO_COLOR`, then whether stdout is a terminal.
fn decide_style(choice: ColorChoice) -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => Style::Color,
        ColorChoice::Never => Style::Plain,
        ColorChoice::Auto if !no_color && io::stdout().is_terminal() => Style::Color,
        ColorChoice::Auto => Style::Plain,
    }
}

/// `index --episode ID FILE`: one transcript or chapters file onto an indexed episode.
fn attach_to_episode(index_dir: &Path, id: &str, paths: &[String]) -> Result<ExitCode> {
    let [path] = paths else {
        anyhow::bail!("--episode {id}: give exactly one transcript or chapters file");
    };
    let index = EpisodeIndex::open(index_dir)?;
    let Some(mut episode) = index.get(id)? else {
        anyhow::bail!(
            "--episode {id}: no episode with this id in {}",
            index_dir.display()
        );
    };
    let (what, notices) =
        attach_file(&mut episode, Path::new(path)).map_err(|e| anyhow::anyhow!(e))?;
    for notice in &notices {
        say(&format!("episearch: {}", one_line(&notice.message)));
    }
    let mut writer = index.writer(WriteOptions::default())?;
    let change = writer.upsert(episode)?;
    writer.finish()?;
    let done = if change == Change::Unchanged {
        "unchanged"
    } else {
        "attached"
    };
    say(&format!("{done}: {what} from {path} to {id}"));
    Ok(ExitCode::SUCCESS)
}

fn index(index_dir: &Path, args: IndexArgs) -> Result<ExitCode> {
    if let Some(id) = &args.episode {
        return attach_to_episode(index_dir, id, &args.paths);
    }
    let ingest = IngestOptions {
        map: FieldMap::parse(&args.map)?,
        strict: args.strict,
        write: WriteOptions {
            batch_records: args.batch.max(1),
            batch_interval: Duration::from_secs(args.batch_seconds.max(1)),
            ..WriteOptions::default()
        },
    };
    let options = source_options(&args.fetch, ingest);
    // Every path must exist before the index is touched (a typo is an error, exit 2).
    for input in &args.paths {
        if input != "-" && !episearch::sources::store::is_url(input) {
            std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        }
    }
    let index = EpisodeIndex::open_or_create(index_dir)?;
    let report = with_progress(|on| refresh::index(&index, &args.paths, &options, on))?;
    say(&summary_line(&report.ingest));
    Ok(close_sources(&report))
}

/// Fetch options from the flags.
fn source_options(args: &FetchArgs, ingest: IngestOptions) -> SourceOptions {
    SourceOptions {
        fetch: FetchOptions {
            timeout: args.timeout,
            connect_timeout: args.timeout.min(FetchOptions::default().connect_timeout),
            ..FetchOptions::default()
        },
        jobs: args.jobs.max(1),
        fetch_links: match args.fetch_links {
            LinkFetching::Remote => FetchLinks::Remote,
            LinkFetching::Always => FetchLinks::Always,
            LinkFetching::Never => FetchLinks::Never,
        },
        ingest,
    }
}

/// Name each source that failed, and say whether the run was clean (0) or not (1).
fn close_sources(report: &SourcesReport) -> ExitCode {
    for failed in &report.ingest.failed {
        say(&format!("episearch: {}", one_line(failed)));
    }
    let ingest = &report.ingest;
    if ingest.bad_records > 0 || ingest.unreadable_links > 0 || !ingest.failed.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn refresh_sources(index_dir: &Path, args: RefreshArgs) -> Result<ExitCode> {
    let options = source_options(&args.fetch, IngestOptions::default());
    let index = EpisodeIndex::open(index_dir)?;
    let report = with_progress(|on| refresh::refresh(&index, &options, on))?;
    let r = &report.ingest;
    let secs = r.elapsed.as_secs_f64();
    say(&format!(
        "refreshed {} sources: {} not modified, {} failed; {} added, {} updated, {} unchanged in {secs:.2}s{}",
        report.sources,
        report.not_modified,
        r.failed.len(),
        r.counts.added,
        r.counts.updated,
        r.counts.unchanged,
        unreadable_links(r)
    ));
    Ok(close_sources(&report))
}

fn sources(index_dir: &Path, args: SourcesArgs) -> Result<ExitCode> {
    let index = EpisodeIndex::open(index_dir)?;
    let list = SourceList::load(&index)?;
    print(
        args.json,
        |out| {
            for source in &list.sources {
                serde_json::to_writer(&mut *out, &Listed::from(source))?;
                writeln!(out)?;
            }
            Ok(())
        },
        |out| {
            for source in &list.sources {
                let when = source
                    .last_fetch
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".into());
                writeln!(
                    out,
                    "{}\n  {} · {} episodes · {when} · {}",
                    one_line(&source.source),
                    one_line(source.podcast.as_deref().unwrap_or("?")),
                    source.keys.len(),
                    one_line(&source.status)
                )?;
            }
            Ok(())
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

fn export(index_dir: &Path, _args: ExportArgs) -> Result<ExitCode> {
    let index = EpisodeIndex::open(index_dir)?;
    let list = SourceList::load(&index)?;
    let feeds: Vec<episearch::ingest::opml::Outline> = list
        .sources
        .iter()
        .filter(|s| s.is_url())
        .map(|s| episearch::ingest::opml::Outline {
            url: s.source.clone(),
            title: s.podcast.clone(),
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    out.write_all(episearch::ingest::opml::write("episearch sources", &feeds).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn remove(index_dir: &Path, args: RemoveArgs) -> Result<ExitCode> {
    let index = EpisodeIndex::open(index_dir)?;
    let removed = if let Some(source) = &args.source {
        refresh::remove_source(&index, source)?.ok_or_else(|| {
            anyhow::anyhow!(
                "no source `{}`: `episearch sources` lists them",
                one_line(source)
            )
        })?
    } else {
        let keys = match &args.podcast {
            Some(name) => index.keys_of_podcast(name)?,
            None => args.id.clone(),
        };
        refresh::remove_keys(&index, SourceList::load(&index)?, &keys)?
    };
    let plural = if removed == 1 { "" } else { "s" };
    say(&format!("removed {removed} episode{plural}"));
    Ok(if removed > 0 || args.source.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Run `work`, drawing a progress bar of sources and records when stderr is a terminal; bad
/// records are said as they come.
fn with_progress<T>(
    work: impl FnOnce(&(dyn Fn(Progress) + Sync)) -> episearch::Result<T>,
) -> Result<T> {
    let bar = if io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} sources, {msg} records read {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let on_progress = |progress: Progress| match progress {
        Progress::Total(n) => bar.set_length(n),
        Progress::SourceDone => bar.inc(1),
        Progress::Ingest(Event::Progress { records }) => bar.set_message(records.to_string()),
        Progress::Ingest(Event::BadRecord(message)) => {
            bar.suspend(|| say(&format!("episearch: {}", one_line(&message))))
        }
        Progress::Ingest(Event::Linked { message, .. }) => {
            bar.suspend(|| say(&format!("episearch: {}", one_line(&message))))
        }
        Progress::Ingest(Event::Skipped { source, reason }) => bar.suspend(|| {
            say(&format!(
                "episearch: {}",
                one_line(&format!("{source}: skipped: {reason}"))
            ))
        }),
    };
    let result = work(&on_progress);
    bar.finish_and_clear();
    Ok(result?)
}

/// The closing line of an ingest.
fn summary_line(r: &IngestReport) -> String {
    let secs = r.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        r.episodes() as f64 / secs
    } else {
        0.0
    };
    let mut skipped = Vec::new();
    if r.bad_records > 0 {
        skipped.push(format!("{} bad", r.bad_records));
    }
    if r.empty_records > 0 {
        skipped.push(format!("{} with no title and no text", r.empty_records));
    }
    let skipped = if skipped.is_empty() {
        "0 skipped".to_string()
    } else {
        format!(
            "{} skipped ({})",
            r.bad_records + r.empty_records,
            skipped.join(", ")
        )
    };
    let files = if r.skipped_files > 0 {
        format!(
            "{} files ({} not episode data)",
            r.files + r.skipped_files,
            r.skipped_files
        )
    } else {
        format!("{} files", r.files)
    };
    format!(
        "indexed {files}: {} added, {} updated, {} unchanged, {skipped} in {secs:.2}s ({rate:.0} episodes/s){}",
        r.counts.added, r.counts.updated, r.counts.unchanged, unreadable_links(r)
    )
}

/// `; N linked transcript or chapters files unreadable`, when any was, and how many links by
/// URL were left unfetched.
fn unreadable_links(r: &IngestReport) -> String {
    let mut line = match r.unreadable_links {
        0 => String::new(),
        1 => "; 1 linked transcript or chapters file unreadable".to_string(),
        n => format!("; {n} linked transcript or chapters files unreadable"),
    };
    match r.unfetched_links {
        0 => {}
        1 => line.push_str("; 1 link by URL not fetched (--fetch-links always fetches it)"),
        n => line.push_str(&format!(
            "; {n} links by URL not fetched (--fetch-links always fetches them)"
        )),
    }
    line
}

fn search(
    index_dir: &Path,
    explicit_index: bool,
    args: SearchArgs,
    synonyms: Option<&Path>,
    style: Style,
) -> Result<ExitCode> {
    let mut options = search_options(&args)?;
    options.synonyms = load_synonyms(synonyms)?;
    let facets = args
        .facets
        .as_deref()
        .map(Facet::parse_list)
        .transpose()
        .context("--facets")?;
    let index = open_for_search(index_dir, explicit_index)?;
    let results = index.search(&options)?;
    for warning in &results.warnings {
        say(&format!("episearch: warning: {}", one_line(warning)));
    }
    if let Some(corrected) = &results.corrected {
        let also = if results.typed_also { "also " } else { "" };
        eprintln!(
            "episearch: {also}showing results for {}",
            one_line(corrected)
        );
    }
    if let Some(suggestion) = &results.suggestion {
        eprintln!("episearch: did you mean: {}", one_line(suggestion));
    }
    // Counted only when asked for: a plain search does no work for facets.
    let counts = match &facets {
        Some(facets) if !results.hits.is_empty() => {
            Some(FacetCounter::new().count(&index, &options, facets)?)
        }
        _ => None,
    };
    print(
        args.json,
        |out| {
            output::json::write_hits(out, &results.hits, results.corrected.as_deref())?;
            counts
                .as_ref()
                .map_or(Ok(()), |c| output::json::write_facets(out, c))
        },
        |out| {
            output::text::write_hits(out, &results.hits, style)?;
            counts
                .as_ref()
                .map_or(Ok(()), |c| output::text::write_facets(out, c))
        },
    )?;
    Ok(if results.hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The index to search; the default one is built from `corpus/` on first use.
fn open_for_search(index_dir: &Path, explicit_index: bool) -> Result<EpisodeIndex> {
    match EpisodeIndex::open(index_dir) {
        Ok(index) => Ok(index),
        Err(Error::IndexMissing { .. }) if !explicit_index => build_default_index(index_dir),
        Err(e) => Err(e.into()),
    }
}

/// Resolve search flags into library options, validating each.
fn search_options(args: &SearchArgs) -> Result<SearchOptions> {
    let length = |flag: &str, v: &Option<String>| -> Result<Option<u64>> {
        v.as_deref()
            .map(|s| {
                parse_duration(s).ok_or_else(|| {
                    anyhow::anyhow!("{flag} {s}: expected seconds, MM:SS or H:MM:SS")
                })
            })
            .transpose()
    };
    Ok(SearchOptions {
        query: args.query.join(" "),
        limit: args.limit,
        offset: args.offset,
        since: args
            .since
            .as_deref()
            .map(|s| Period::parse(s).map(|p| p.start))
            .transpose()
            .context("--since")?,
        until: args
            .until
            .as_deref()
            .map(|s| Period::parse(s).map(|p| p.end))
            .transpose()
            .context("--until")?,
        podcast: args.podcast.clone(),
        min_duration: length("--min-duration", &args.min_duration)?,
        max_duration: length("--max-duration", &args.max_duration)?,
        sort: match args.sort {
            Sort::Relevance => SortOrder::Relevance,
            Sort::Newest => SortOrder::Newest,
            Sort::Oldest => SortOrder::Oldest,
        },
        snippet_chars: args.snippet_chars,
        synonyms: Synonyms::none(),
        explain: args.explain,
        moments: args.moments,
        speaker: args.speaker.clone(),
        language: args.language.clone(),
    })
}

/// Zero setup: a fresh clone's first search builds the default index from `corpus/`.
fn build_default_index(index_dir: &Path) -> Result<EpisodeIndex> {
    let corpus = [
        PathBuf::from(DEFAULT_CORPUS),
        Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CORPUS),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .ok_or_else(|| Error::IndexMissing {
        path: index_dir.to_path_buf(),
    })?;
    let index = EpisodeIndex::open_or_create(index_dir)?;
    let sources = collect_sources(std::slice::from_ref(&corpus))?;
    let report = pipeline::run(&index, &sources, &IngestOptions::default(), &mut |_| {})?;
    say(&format!(
        "episearch: no index yet: indexed {} episodes from {} into {}",
        report.episodes(),
        corpus.display(),
        index_dir.display()
    ));
    Ok(index)
}

fn similar(
    index_dir: &Path,
    explicit_index: bool,
    args: SimilarArgs,
    style: Style,
) -> Result<ExitCode> {
    let index = open_for_search(index_dir, explicit_index)?;
    let hits = index
        .similar(&args.id, args.limit, args.snippet_chars)?
        .ok_or_else(|| anyhow::anyhow!("no episode with id `{}`", one_line(&args.id)))?;
    print(
        args.json,
        |out| output::json::write_hits(out, &hits, None),
        |out| output::text::write_hits(out, &hits, style),
    )?;
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Serve until SIGTERM or Ctrl-C. Keys come from the environment or a file, never from the
/// command line, where other users of the machine could read them.
fn serve(index_dir: &Path, explicit_index: bool, args: ServeArgs) -> Result<ExitCode> {
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&args.addr)
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| anyhow::anyhow!("--addr {}: expected HOST:PORT", one_line(&args.addr)))?;
    let key = |text: String| Some(text.trim().to_string()).filter(|k| !k.is_empty());
    let write_key = match &args.write_key_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            Some(key(text).ok_or_else(|| {
                anyhow::anyhow!("{}: the write key file is empty", path.display())
            })?)
        }
        None => std::env::var("EPISEARCH_WRITE_KEY").ok().and_then(key),
    };
    let read_key = std::env::var("EPISEARCH_READ_KEY").ok().and_then(key);
    let index = open_for_search(index_dir, explicit_index)?;
    let options = ServeOptions {
        addr,
        write_key,
        read_key,
        max_body: args.max_body,
        timeout: Duration::from_secs(args.timeout.max(1)),
        refresh_every: args.refresh_every,
        log: |line| say(&format!("episearch: {}", one_line(line))),
    };
    serve::run(index, options, |local| {
        say(&format!("listening on http://{local}"))
    })?;
    Ok(ExitCode::SUCCESS)
}

fn stats(index_dir: &Path, args: StatsArgs) -> Result<ExitCode> {
    let index = EpisodeIndex::open(index_dir)?;
    let stats = index.stats()?;
    print(
        args.json,
        |out| output::json::write_stats(out, &stats),
        |out| output::text::write_stats(out, &stats),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn bench(
    index_dir: &Path,
    explicit_index: bool,
    args: BenchArgs,
    synonyms: Option<&Path>,
) -> Result<ExitCode> {
    let queries = bench::read_queries(&args.queries)?;
    let index = open_for_search(index_dir, explicit_index)?;
    let options = BenchOptions {
        runs: args.runs.max(1),
        warmup: args.warmup,
        search: SearchOptions {
            limit: args.limit,
            moments: args.moments,
            synonyms: load_synonyms(synonyms)?,
            ..SearchOptions::default()
        },
    };
    let latency = bench::measure(&index, &queries, &options)?;
    print(
        args.json,
        |out| output::json::write_latency(out, &latency),
        |out| output::text::write_latency(out, &latency),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Run judged queries through episearch and SQLite FTS5 over the same index and compare.
fn evaluate(index_dir: &Path, args: EvalArgs, synonyms: Option<&Path>) -> Result<ExitCode> {
    let mut sets = Vec::with_capacity(args.judgments.len());
    for path in &args.judgments {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        let judgments = eval::parse_judgments(&text, &name)?;
        sets.push((name, judgments));
    }
    let index = EpisodeIndex::open(index_dir)?;
    let options = SearchOptions {
        synonyms: load_synonyms(synonyms)?,
        ..SearchOptions::default()
    };
    let all: Vec<eval::Judgment> = sets.iter().flat_map(|(_, j)| j.iter().cloned()).collect();
    // FTS5 loads the index once for every set.
    let fts5 = eval::fts5(&index, &all)?;
    let mut offset = 0;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (n, (name, judgments)) in sets.iter().enumerate() {
        let peer = eval::Report::new(
            &fts5.engine,
            judgments,
            fts5.ranks[offset..offset + judgments.len()].to_vec(),
        );
        offset += judgments.len();
        let reports = [eval::episearch(&index, judgments, &options)?, peer];
        if args.json {
            output::json::write_eval(&mut out, name, judgments, &reports)?;
        } else {
            if n > 0 {
                writeln!(out)?;
            }
            output::text::write_eval(&mut out, name, judgments, &reports)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

type Stdout = io::BufWriter<io::StdoutLock<'static>>;

/// Write a command's result to stdout, through one buffer, as JSON or as text.
fn print(
    json: bool,
    write_json: impl FnOnce(&mut Stdout) -> io::Result<()>,
    write_text: impl FnOnce(&mut Stdout) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if json {
        write_json(&mut out)?;
    } else {
        write_text(&mut out)?;
    }
    out.flush()
}

/// True when the error is a write to a closed pipe (`episearch search x | head -1`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Print a line on stderr. A closed stderr is no reason to stop (eprintln! would panic): the
/// index is what the user asked for.
pub fn say(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Any message on one line, safe for a terminal: messages quote input (a query, a record's
/// field, a file name), so control characters are dropped as in `output::text::clean`.
pub fn one_line(s: &str) -> String {
    output::text::clean(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
