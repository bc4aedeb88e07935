//! logsift: tells what is going wrong inside a Docker Compose project, from its containers' logs.
//!
//! The data flows down the modules: [`source`] reads lines into [`record::Record`]s,
//! [`multiline`] joins them into events, [`classify`] gives each a category and severity,
//! [`group`] puts similar ones together, [`report`] counts and decides the verdict and
//! [`render`] writes it. [`analyze`] drives the stages once over saved logs, [`monitor`] live.
//!
//! The stages are plain synchronous types, usable without the CLI:
//!
//! ```
//! use logsift::classify::{Classifier, PackSet, Scratch, Severity, Category};
//!
//! let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
//! let c = classifier.classify(b"dial tcp 10.0.0.7:5672: connect: connection refused", &mut Scratch::default());
//! assert!(c.severity >= Severity::Warning);
//! assert_eq!(c.category, Category::Network);
//! ```

pub mod analyze;
pub mod classify;
pub mod cli;
pub mod group;
pub mod monitor;
pub mod multiline;
pub mod pattern_commands;
pub mod pipeline;
pub mod progress;
pub mod record;
pub mod render;
pub mod report;
pub mod settings;
pub mod source;
pub mod state;
pub mod suggest;

use std::process::ExitCode;

use anyhow::Result;

use crate::classify::pack::{Checks, PackSet, PackSources};
use crate::cli::{Cli, Command, PatternArgs, PatternsCommand};

/// How a run ended: the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the fail threshold (0).
    Clean,
    /// Findings at or above the fail threshold (1).
    Findings,
    /// A usage, config, input or connection error (2).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(match s {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Monitor(args) => monitor::run(&args),
        Command::Patterns { command } => match command {
            PatternsCommand::Test(p) => pattern_commands::test(&p),
            PatternsCommand::Suggest(a) => pattern_commands::suggest(&a),
            PatternsCommand::List { patterns, format } => pattern_commands::list(&patterns, format),
        },
    }
}

/// Loads the packs the pattern flags and the working directory name. `checks` says how much
/// of the embedded packs is re-checked (user packs are always checked in full).
pub fn load_packs(args: &PatternArgs, checks: Checks) -> Result<PackSet> {
    let config = if args.no_config {
        None
    } else if let Some(c) = &args.config {
        Some(c.clone())
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|d| PackSources::find_config(&d))
    };
    let sources = PackSources {
        user_files: args.patterns.clone(),
        config,
        no_defaults: args.no_default_patterns,
        embedded_checks: checks,
    };
    Ok(PackSet::load(&sources)?)
}

/// True when the error is a closed pipe on our output (`logsift … | head`), which is success.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line: `outer: inner: root`.
pub fn one_line(err: &anyhow::Error) -> String {
    format!("{err:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
