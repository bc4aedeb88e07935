//! Settings resolved once from the command line and the environment, shared by the drivers:
//! the fail threshold, the shown severity, multi-line joining and colour.

use std::io::IsTerminal;

use crate::classify::Severity;
use crate::cli::{ColorChoice, FailOn, MultilineMode, ShowLevel};
use crate::multiline::Joining;
use crate::report::FailThreshold;

/// The `--fail-on` threshold.
pub fn fail_threshold(f: FailOn) -> FailThreshold {
    match f {
        FailOn::Critical => FailThreshold::At(Severity::Critical),
        FailOn::Error => FailThreshold::At(Severity::Error),
        FailOn::Warning => FailThreshold::At(Severity::Warning),
        FailOn::Never => FailThreshold::Never,
    }
}

/// The lowest severity listed (`--show`).
pub fn shown_severity(s: ShowLevel) -> Severity {
    match s {
        ShowLevel::Critical => Severity::Critical,
        ShowLevel::Error => Severity::Error,
        ShowLevel::Warning => Severity::Warning,
        ShowLevel::All => Severity::Debug,
    }
}

/// Multi-line joining (`--multiline`).
pub fn joining(m: MultilineMode) -> Joining {
    match m {
        MultilineMode::Auto => Joining::Auto,
        MultilineMode::Off => Joining::Off,
    }
}

/// Whether to colour output going to stdout (`to_file`: it goes to a file instead).
pub fn use_color(c: ColorChoice, to_file: bool) -> bool {
    match c {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}
