//! `logsift monitor`: follows a Compose project through the engine ([`engine`]), or a growing
//! file or stdin ([`file`](mod@file)), through the same stages as `analyze` ([`live`]); prints
//! each new problem and each lifecycle change at once, repeats only as counts, a summary every
//! interval, and keeps `--state` / `--report` ([`state`]).
//!
//! [`run`] is the plumbing: the source's threads and a signal thread (Ctrl-C, SIGTERM) send
//! [`Input`]s over one bounded channel, and one loop waits on it with a timeout, so pending
//! multi-line events are flushed and intervals end on time even when nothing arrives.

pub mod engine;
pub mod file;
pub mod live;
pub mod state;

use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::classify::Classifier;
use crate::cli::MonitorArgs;
use crate::render::markdown;
use crate::source::saved::{LineRead, SavedOptions};
use crate::ExitStatus;

pub use live::{Live, LiveOptions, FLUSH_AFTER_MS};
pub use state::{State, StateGroup, STATE_VERSION};

/// Lines buffered between the reader thread and the loop.
const CHANNEL_LINES: usize = 16_384;

/// What the reader and signal threads send to the loop.
#[derive(Debug)]
pub enum Input {
    /// One line (without its newline).
    Line(Vec<u8>, LineRead),
    /// One line of a container, from the engine.
    Engine(engine::EngineLine),
    /// A container's life changed.
    Lifecycle(engine::Lifecycle),
    /// Something about the source worth one line (engine lost, reconnected, waiting).
    Notice(String),
    /// The input ended (stdin closed).
    End,
    /// Ctrl-C or SIGTERM.
    Stop,
    /// The reader failed.
    Failed(String),
}

/// Sends [`Input::Stop`] on Ctrl-C or SIGTERM.
fn watch_signals(tx: SyncSender<Input>) {
    thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{signal, SignalKind};
                let Ok(mut term) = signal(SignalKind::terminate()) else {
                    return;
                };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        });
        let _ = tx.send(Input::Stop);
    });
}

/// Runs `logsift monitor`.
pub fn run(args: &MonitorArgs) -> Result<ExitStatus> {
    if args.engine.until.is_some() || args.engine.tail.is_some() {
        anyhow::bail!(
            "--until and --tail apply to `analyze`; `monitor` follows from --since (default: now)"
        );
    }
    let packs = crate::load_packs(&args.patterns, crate::classify::pack::Checks::SchemaOnly)?;
    let classifier = Classifier::new(&packs)?;
    let target = args.path.clone().or_else(|| args.input.file.clone());
    let state = match &args.state {
        Some(p) => State::load(p)?,
        None => None,
    };
    let fail_on = crate::settings::fail_threshold(args.fail_on);
    let color = crate::settings::use_color(args.color, false);
    let (tx, rx) = mpsc::sync_channel(CHANNEL_LINES);
    let use_engine =
        target.is_none() && (args.engine.selects_engine() || !crate::settings::stdin_has_data());
    let name = match &target {
        None if use_engine => {
            let opts = crate::settings::engine_options(&args.engine)?;
            let backlog_from = match opts.since {
                Some(s) => s.saturating_mul(1_000_000_000),
                None => chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX),
            };
            let name = opts.project.clone();
            engine::spawn(
                engine::FollowOptions {
                    host: opts
                        .host
                        .unwrap_or_else(|| crate::source::engine::DEFAULT_HOST.to_owned()),
                    project: opts.project,
                    services: opts.services,
                    include_oneoff: opts.include_oneoff,
                    backlog_from,
                },
                tx.clone(),
            );
            Some(name)
        }
        Some(p) if p.as_os_str() != "-" => {
            let (path, from_start, tx) = (p.clone(), args.from_start, tx.clone());
            thread::spawn(move || file::follow_file(path, from_start, tx));
            Some(p.display().to_string())
        }
        _ => {
            let tx = tx.clone();
            thread::spawn(move || file::follow_stdin(tx));
            None
        }
    };
    watch_signals(tx);
    let start = Instant::now();
    let epoch_ms = chrono::Utc::now().timestamp_millis();
    let mut stdout = io::stdout().lock();
    let mut live = Live::new(
        &classifier,
        LiveOptions {
            saved: SavedOptions {
                format: args.input.input_format,
                default_service: args.input.service_name.clone(),
            },
            joining: crate::settings::joining(args.input.multiline),
            max_groups: args.max_groups as usize,
            show: crate::settings::shown_severity(args.show),
            escalate_after: u64::from(args.escalate_after),
            color,
            epoch_ms,
        },
        state,
        &mut stdout,
    );
    let outcome = drive(&mut live, &rx, start, args);
    let now = start.elapsed().as_millis() as u64;
    live.finish(now)?;
    let report = live.report(fail_on, name);
    let s = &report.totals.by_severity;
    let ended = match outcome? {
        Ending::Iterations => "after --max-iterations",
        Ending::InputEnded => "at end of input",
        Ending::Signal => "on signal",
    };
    let summary = format!(
        "── stopped {ended}: {} critical, {} error, {} warning in {} events, {} groups\n",
        s.critical, s.error, s.warning, report.totals.events, report.totals.groups
    );
    save_outputs(&live, args)?;
    let worst = live.worst();
    drop(live);
    stdout.write_all(summary.as_bytes())?;
    stdout.flush()?;
    let failed = report.failed() || worst.is_some_and(|w| fail_on.fails(w));
    Ok(if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

enum Ending {
    Iterations,
    InputEnded,
    Signal,
}

fn drive(
    live: &mut Live<'_>,
    rx: &Receiver<Input>,
    start: Instant,
    args: &MonitorArgs,
) -> Result<Ending> {
    let interval_ms = args.interval * 1000;
    let mut next_tick = interval_ms;
    let mut iterations = 0u64;
    loop {
        let now = start.elapsed().as_millis() as u64;
        let wait = next_tick.saturating_sub(now).clamp(1, FLUSH_AFTER_MS / 2);
        match rx.recv_timeout(Duration::from_millis(wait)) {
            Ok(Input::Line(line, read)) => {
                live.on_line(&line, read, start.elapsed().as_millis() as u64)?
            }
            Ok(Input::Engine(line)) => {
                live.on_engine_line(&line, start.elapsed().as_millis() as u64)?
            }
            Ok(Input::Lifecycle(l)) => live.on_lifecycle(&l)?,
            Ok(Input::Notice(msg)) => live.on_notice(&msg, start.elapsed().as_millis() as u64)?,
            Ok(Input::End) | Err(RecvTimeoutError::Disconnected) => return Ok(Ending::InputEnded),
            Ok(Input::Stop) => return Ok(Ending::Signal),
            Ok(Input::Failed(msg)) => anyhow::bail!(msg),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = start.elapsed().as_millis() as u64;
        live.on_idle(now)?;
        if now >= next_tick {
            live.on_interval(now)?;
            iterations += 1;
            next_tick += interval_ms;
            save_outputs(live, args)?;
            if args.max_iterations.is_some_and(|m| iterations >= m) {
                return Ok(Ending::Iterations);
            }
        }
    }
}

/// Writes `--state` and `--report`, when asked for.
fn save_outputs(live: &Live<'_>, args: &MonitorArgs) -> Result<()> {
    if let Some(p) = &args.state {
        live.state().save(p)?;
    }
    if let Some(p) = &args.report {
        let report = live.report(crate::settings::fail_threshold(args.fail_on), None);
        state::write_atomically(p, |w| markdown::render(&report, w))
            .with_context(|| format!("cannot write report `{}`", p.display()))?;
    }
    Ok(())
}
