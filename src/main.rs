//! The `logsift` binary: parses the command line, runs it, prints an error once, exits 0/1/2.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = logsift::cli::Cli::parse();
    match logsift::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            if logsift::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            #[allow(clippy::print_stderr)] // the one place that reports a failed run
            {
                eprintln!("logsift: error: {}", logsift::one_line(&err));
            }
            logsift::ExitStatus::Error.into()
        }
    }
}
