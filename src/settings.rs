//! Settings resolved once from the command line and the environment, shared by the drivers:
//! the fail threshold, the shown severity, multi-line joining, colour, whether stdin carries
//! saved logs, and the engine options (project, time window) of `analyze` and `monitor`.

use std::fs::File;
use std::io::{self, IsTerminal};

use anyhow::{Context as _, Result};

use crate::classify::Severity;
use crate::cli::{ColorChoice, EngineArgs, FailOn, MultilineMode, ShowLevel};
use crate::multiline::Joining;
use crate::pipeline::Grouping;
use crate::report::FailThreshold;
use crate::source::engine::EngineOptions;
use crate::source::select::{self, ProjectInputs};

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

/// Whether `analyze` groups events: on, unless the environment says `LOGSIFT_GROUPING=off`.
///
/// A benchmark knob (`benches/compare.sh` shows what grouping costs over classification alone),
/// kept out of the flags so that no `--help` or "did you mean" ever offers it.
pub fn grouping() -> Result<Grouping> {
    match std::env::var("LOGSIFT_GROUPING").as_deref() {
        Err(_) | Ok("" | "on") => Ok(Grouping::On),
        Ok("off") => Ok(Grouping::Off),
        Ok(other) => anyhow::bail!("LOGSIFT_GROUPING={other}: expected `on` or `off`"),
    }
}

/// True when stdin is a pipe or a regular file (saved logs piped in); false for a terminal,
/// `/dev/null`, a socket or a closed stdin, which mean "read the engine".
pub fn stdin_has_data() -> bool {
    use std::os::fd::AsFd as _;
    use std::os::unix::fs::FileTypeExt as _;
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return false;
    };
    match File::from(fd).metadata() {
        Ok(m) => m.file_type().is_fifo() || m.file_type().is_file(),
        Err(_) => false,
    }
}

/// Resolves the engine flags and the environment into what to read.
pub fn engine_options(a: &EngineArgs) -> Result<EngineOptions> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let project = select::project_name(&ProjectInputs {
        flag: a.project_name.clone(),
        env: std::env::var("COMPOSE_PROJECT_NAME")
            .ok()
            .filter(|v| !v.is_empty()),
        files: a.compose_file.clone(),
        directory: a.project_directory.clone(),
        cwd,
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let time = |flag: &str, v: &Option<String>| -> Result<Option<i64>> {
        v.as_deref()
            .map(|s| select::parse_time_arg(s, now).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .transpose()
    };
    Ok(EngineOptions {
        host: a.host.clone().filter(|h| !h.is_empty()),
        project,
        services: a.services.clone(),
        since: time("--since", &a.since)?,
        until: time("--until", &a.until)?,
        tail: a.tail,
        include_oneoff: a.include_oneoff,
    })
}
