//! The command line, as clap derive types. Only parsing and per-flag validation live here;
//! combining flags with the environment and config files is `settings`' job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Tells what is going wrong inside a Docker Compose project, from its containers' logs and state.
#[derive(Debug, Parser)]
#[command(name = "logsift", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse logs once and report problems by category, severity and service.
    ///
    /// Reads saved `docker compose logs` output from --file or piped stdin; otherwise reads the
    /// running Compose project's containers (logs and state) from the Docker Engine. Exits 0 when
    /// nothing is at or above --fail-on, 1 when something is, 2 on a usage, config or input error.
    Analyze(AnalyzeArgs),
    /// Follow logs live: print each new problem at once and a summary every interval.
    ///
    /// Follows a growing file like `tail -F` (`--file PATH`) or stdin
    /// (`docker compose logs -f | logsift monitor -`). Never prompts. Stops after
    /// --max-iterations intervals, at end of stdin, or on Ctrl-C / SIGTERM, with a final summary
    /// and the exit codes of `analyze`.
    Monitor(MonitorArgs),
    /// Check, list or suggest pattern-pack rules.
    Patterns {
        /// What to do with the packs.
        #[command(subcommand)]
        command: PatternsCommand,
    },
}

/// `logsift patterns ...`
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run; boxing buys nothing
pub enum PatternsCommand {
    /// Check every rule against its samples and counter-samples; exit 2 on the first bad pack.
    Test(PatternArgs),
    /// Suggest rules for problems no rule matches: read logs like `analyze` and print TOML rules
    /// built from the unclassified error groups, ready to review and paste into a pack.
    Suggest(SuggestArgs),
    /// Print every rule, in match order.
    List {
        #[command(flatten)]
        patterns: PatternArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

/// `logsift patterns suggest ...`
#[derive(Debug, Args)]
pub struct SuggestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
    /// Most rules suggested.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
}

/// Output format of `patterns list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// One JSON array.
    Json,
}

/// Where the pattern packs come from.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Patterns")]
pub struct PatternArgs {
    /// A pack of extra rules (TOML; tried before the built-in packs). Repeatable.
    #[arg(long = "patterns", value_name = "PATH")]
    pub patterns: Vec<PathBuf>,
    /// Use this config file instead of the `logsift.toml` / `.logsift.toml` found above the
    /// working directory.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Do not look for a config file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Leave out the built-in packs (only --patterns and the config's rules are used).
    #[arg(long)]
    pub no_default_patterns: bool,
}

/// `logsift analyze ...`
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `logsift monitor ...`
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// What to follow: a file, or `-` for stdin (same as --file).
    #[arg(value_name = "PATH", conflicts_with = "file")]
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
    /// Seconds between summaries.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,
    /// Stop after this many intervals.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_iterations: Option<u64>,
    /// Keep groups and counters in this JSON file (written each interval, reloaded on start, so
    /// known problems are not announced again).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Rewrite a Markdown report in this file each interval.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// A problem seen this many times within one interval rises one severity level.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..))]
    pub escalate_after: u32,
    /// Exit 1 at the end when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity announced.
    #[arg(long, value_enum, default_value_t = ShowLevel::Warning)]
    pub show: ShowLevel,
    /// Read a followed file from its start instead of from its end.
    #[arg(long)]
    pub from_start: bool,
    /// Most groups kept.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_groups: u32,
}

/// Saved-log input.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Read saved logs from this file (`-` = stdin). Piped stdin is read without it.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// The shape of the saved logs; `auto` detects it from the first lines.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Service name for lines without a `service  | ` prefix.
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub service_name: String,
    /// Join multi-line events (tracebacks, stack traces, panics) into one event.
    #[arg(long, value_enum, default_value_t = MultilineMode::Auto)]
    pub multiline: MultilineMode,
}

/// The Docker Engine source: used without --file when stdin is not a pipe or a file, or when
/// one of these flags (other than --host) is given.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Docker Engine")]
pub struct EngineArgs {
    /// Compose project name (default: COMPOSE_PROJECT_NAME, the compose file's `name:`, or the
    /// project directory's name).
    #[arg(short = 'p', long, value_name = "NAME")]
    pub project_name: Option<String>,
    /// Compose file(s) to take the project's name and directory from. Repeatable.
    #[arg(short = 'f', long, value_name = "PATH")]
    pub compose_file: Vec<PathBuf>,
    /// The project directory (default: the first compose file's directory, or the working one).
    #[arg(long, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Only this service. Repeatable.
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// Only lines from this time on: a duration ago (5m, 1h30m), RFC 3339, or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only lines up to this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only the last N lines of each container.
    #[arg(long, value_name = "N")]
    pub tail: Option<u64>,
    /// Include one-off `docker compose run` containers.
    #[arg(long)]
    pub include_oneoff: bool,
    /// Docker Engine address (unix:///var/run/docker.sock, tcp://host:2375).
    #[arg(long, value_name = "URL", env = "DOCKER_HOST")]
    pub host: Option<String>,
}

impl EngineArgs {
    /// True when a flag that only makes sense for the engine was given (`--host` aside, which
    /// `DOCKER_HOST` may set): then the engine is read even if stdin is a pipe.
    pub fn selects_engine(&self) -> bool {
        self.project_name.is_some()
            || !self.compose_file.is_empty()
            || self.project_directory.is_some()
            || !self.services.is_empty()
            || self.since.is_some()
            || self.until.is_some()
            || self.tail.is_some()
            || self.include_oneoff
    }
}

/// Report output.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, env = "LOGSIFT_FORMAT")]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lines of the same service shown before and after each group's sample.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=50))]
    pub context: u16,
    /// Write one JSON object per event (NDJSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Most groups kept; events past it are tallied as "other".
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_groups: u32,
    /// Most groups shown in the text report (all are in JSON).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Lowest severity listed in the report's groups.
    #[arg(long, value_enum, default_value_t = ShowLevel::Warning)]
    pub show: ShowLevel,
}

/// Shape of saved logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Detect from the first lines.
    Auto,
    /// `docker compose logs` text: `service-1  | line` (v2) or `service_1  | line` (v1).
    Compose,
    /// Docker's json-file driver: `{"log":"...","stream":"stdout","time":"..."}` per line.
    JsonFile,
    /// Plain lines of one service (`--no-log-prefix`, `docker logs`).
    Plain,
}

/// Multi-line joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MultilineMode {
    /// Built-in detectors (Python, Java, Go, Node, indented continuations).
    Auto,
    /// Every line is its own event.
    Off,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for a terminal.
    Text,
    /// One JSON document (schema in `render::json`).
    Json,
    /// GitHub Actions workflow commands (`::error`), one per group.
    Github,
    /// Markdown (a CI step summary, an issue).
    Markdown,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on critical findings only.
    Critical,
    /// Fail on errors and critical findings.
    Error,
    /// Fail on warnings too.
    Warning,
    /// Never fail (exit 0 unless something went wrong).
    Never,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `--show`: lowest severity listed among the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowLevel {
    /// Critical only.
    Critical,
    /// Errors and above.
    Error,
    /// Warnings and above.
    Warning,
    /// Everything, info and debug included.
    All,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn context_is_bounded() {
        assert!(Cli::try_parse_from(["logsift", "analyze", "--context", "51"]).is_err());
        assert!(Cli::try_parse_from(["logsift", "analyze", "--context", "3"]).is_ok());
    }
}
