//! The `episearch` binary: parse arguments, run the command, map the outcome to an exit code
//! (0 hits or success, 1 no hits or bad records, 2 error).

mod app;
mod cli;
mod man;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match app::run(cli) {
        Ok(code) => code,
        Err(e) if app::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            app::say(&format!("episearch: {}", app::one_line(&format!("{e:#}"))));
            ExitCode::from(2)
        }
    }
}
