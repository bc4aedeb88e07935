//! The live driver: follows a growing file or stdin through the same stages as `analyze`,
//! prints each new problem at once, repeats only as counts, and a summary every interval.
//!
//! [`Live`] is the synchronous core and takes the clock as an argument (milliseconds since the
//! start), so its tests never sleep. [`run`] adds the plumbing: a reader thread (a file followed
//! like `tail -F`, or stdin), a signal thread (Ctrl-C, SIGTERM), and one loop that waits on
//! their channel with a timeout. A pending multi-line event is flushed once its service has been
//! quiet for [`FLUSH_AFTER_MS`], so a traceback shows within a second of its last line.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::classify::{Classifier, Severity};
use crate::cli::{InputFormat, MonitorArgs};
use crate::group::{format_id, GroupId, Placement, OTHER_GROUP};
use crate::multiline::{Assembler, Event};
use crate::pipeline::{StageOptions, Stages};
use crate::record::Services;
use crate::render::markdown;
use crate::report::{FailThreshold, InputInfo, Report, ReportInputs};
use crate::source::saved::{LineRead, SavedLogParser, SavedOptions};
use crate::source::MAX_LINE_BYTES;
use crate::ExitStatus;

/// A pending event is emitted after its service has been quiet this long.
pub const FLUSH_AFTER_MS: u64 = 300;
/// How often a followed file is checked for new data, truncation or replacement.
pub const POLL_MS: u64 = 100;
/// Lines buffered between the reader thread and the loop.
const CHANNEL_LINES: usize = 16_384;
/// Version of the `--state` file.
pub const STATE_VERSION: u32 = 1;

/// What the reader and signal threads send to the loop.
#[derive(Debug)]
pub enum Input {
    /// One line (without its newline).
    Line(Vec<u8>, LineRead),
    /// The input ended (stdin closed).
    End,
    /// Ctrl-C or SIGTERM.
    Stop,
    /// The reader failed.
    Failed(String),
}

/// One group as kept in the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateGroup {
    /// The group's id (16 hex digits).
    pub id: String,
    /// Its template.
    pub template: String,
    /// Its severity.
    pub severity: Severity,
    /// Events seen, across runs.
    pub count: u64,
}

/// The `--state` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// The grouping version the ids belong to; ids of another version are not reused.
    pub grouping_version: String,
    /// Known groups.
    pub groups: Vec<StateGroup>,
}

impl State {
    /// Reads a state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<Option<State>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read state `{}`", path.display()))
            }
        };
        let state: State = serde_json::from_slice(&bytes)
            .with_context(|| format!("state `{}` is not a logsift state file", path.display()))?;
        Ok((state.version == STATE_VERSION
            && state.grouping_version == crate::group::GROUPING_VERSION)
            .then_some(state))
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, |w| Ok(serde_json::to_writer(w, self)?))
            .with_context(|| format!("cannot write state `{}`", path.display()))
    }
}

/// Per-group counters of the current and the previous interval.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    this: u64,
    previous: u64,
    escalated: Option<Severity>,
}

/// The stages after assembly, and what the monitor knows of each group.
struct Watch<'a> {
    pipe: Stages<'a>,
    known: HashSet<GroupId>,
    carried: HashMap<GroupId, u64>,
    window: HashMap<GroupId, Window>,
    new_this_interval: Vec<GroupId>,
    show: Severity,
    escalate_after: u64,
    worst_escalation: Option<Severity>,
    color: bool,
    out: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl Watch<'_> {
    fn event(&mut self, ev: &Event<'_>, services: &Services, now_ms: u64) {
        let (class, placement) = self.pipe.event(ev);
        if class.ignored_by.is_some() || placement.id == OTHER_GROUP || class.severity < self.show {
            return;
        }
        let w = self.window.entry(placement.id).or_default();
        w.this += 1;
        let mut line = None;
        if placement.new_sample && self.known.insert(placement.id) {
            self.new_this_interval.push(placement.id);
            line = Some(self.announce(ev, services, class.severity, "new", now_ms, placement));
        } else if w.escalated.is_none()
            && w.this >= self.escalate_after
            && class.severity < Severity::Critical
        {
            let up = one_level_up(class.severity);
            w.escalated = Some(up);
            self.worst_escalation = self.worst_escalation.max(Some(up));
            let what = format!("x{} this interval", w.this);
            line = Some(self.announce(ev, services, up, &what, now_ms, placement));
        }
        if let Some(l) = line {
            if let Err(e) = self
                .out
                .write_all(l.as_bytes())
                .and_then(|()| self.out.flush())
            {
                self.error.get_or_insert(e);
            }
        }
    }

    fn announce(
        &mut self,
        ev: &Event<'_>,
        services: &Services,
        severity: Severity,
        what: &str,
        now_ms: u64,
        placement: Placement,
    ) -> String {
        let Some(g) = self.pipe.grouper.get(placement.id) else {
            return String::new();
        };
        let rule = g.rule.map(|r| self.pipe.classifier().rule(r));
        let when = ev.first_ts.map(|t| t / 1_000_000).unwrap_or(now_ms as i64);
        let first_line = g.template.lines().next().unwrap_or("");
        let mut text: String = crate::render::sanitize(first_line)
            .chars()
            .take(240)
            .collect();
        if let Some(h) = rule.map(|r| r.hint.as_str()).filter(|h| !h.is_empty()) {
            text.push_str(" — hint: ");
            text.push_str(&crate::render::sanitize(h));
        }
        let sev = format!("{:<8}", severity.as_str().to_uppercase());
        let sev = if self.color {
            paint_severity(&sev, severity)
        } else {
            sev
        };
        format!(
            "{} {} {sev} {:<10} [{what}] {text}\n",
            clock(when),
            crate::render::sanitize(services.name(ev.service)),
            g.category.as_str(),
        )
    }
}

fn paint_severity(s: &str, sev: Severity) -> String {
    let code = match sev {
        Severity::Critical => "1;35",
        Severity::Error => "1;31",
        Severity::Warning => "33",
        _ => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

fn one_level_up(s: Severity) -> Severity {
    match s {
        Severity::Debug => Severity::Info,
        Severity::Info => Severity::Warning,
        Severity::Warning => Severity::Error,
        Severity::Error | Severity::Critical => Severity::Critical,
    }
}

/// `HH:MM:SS` (UTC) of a time in milliseconds since the epoch.
fn clock(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

/// The live pipeline over lines, driven by a clock given in milliseconds.
pub struct Live<'a> {
    parser: SavedLogParser,
    assembler: Assembler,
    watch: Watch<'a>,
    line_no: u64,
    last_line_ms: u64,
    interval: u64,
    epoch_ms: i64,
}

/// Options of [`Live`].
pub struct LiveOptions {
    /// How saved-log lines are read.
    pub saved: SavedOptions,
    /// Multi-line joining.
    pub joining: crate::multiline::Joining,
    /// Most groups.
    pub max_groups: usize,
    /// Lowest severity announced.
    pub show: Severity,
    /// Repeats within an interval that escalate a group.
    pub escalate_after: u64,
    /// Colour the output.
    pub color: bool,
    /// Wall-clock time (ms since the epoch) at clock 0, for lines without a timestamp.
    pub epoch_ms: i64,
}

impl<'a> Live<'a> {
    /// A live pipeline writing its lines to `out`; `state` lists groups not to announce again.
    pub fn new(
        classifier: &'a Classifier,
        opts: LiveOptions,
        state: Option<State>,
        out: &'a mut dyn Write,
    ) -> Live<'a> {
        let mut parser = SavedLogParser::new(&opts.saved);
        if opts.saved.format == InputFormat::Auto {
            // A live stream cannot be sniffed ahead; Compose parsing also takes plain lines.
            parser.sniff(b"");
        }
        let mut known = HashSet::new();
        let mut carried = HashMap::new();
        for g in state.map(|s| s.groups).unwrap_or_default() {
            if let Ok(id) = u64::from_str_radix(&g.id, 16) {
                known.insert(id);
                carried.insert(id, g.count);
            }
        }
        Live {
            parser,
            assembler: Assembler::new(opts.joining),
            watch: Watch {
                pipe: Stages::new(
                    classifier,
                    StageOptions {
                        max_groups: opts.max_groups,
                        context: 0,
                        show: opts.show,
                        grouping: crate::cli::Grouping::On,
                    },
                ),
                known,
                carried,
                window: HashMap::new(),
                new_this_interval: Vec::new(),
                show: opts.show,
                escalate_after: opts.escalate_after,
                worst_escalation: None,
                color: opts.color,
                out,
                error: None,
            },
            line_no: 0,
            last_line_ms: 0,
            interval: 0,
            epoch_ms: opts.epoch_ms,
        }
    }

    /// Takes one line read at `now_ms`.
    pub fn on_line(&mut self, raw: &[u8], read: LineRead, now_ms: u64) -> io::Result<()> {
        self.line_no += 1;
        self.last_line_ms = now_ms;
        let wall = self.epoch_ms + now_ms as i64;
        let watch = &mut self.watch;
        let assembler = &mut self.assembler;
        self.parser
            .push_line(raw, read, self.line_no, &mut |services, rec| {
                assembler.push(&rec, &mut |ev| watch.event(ev, services, wall as u64));
            });
        self.take_error()
    }

    /// Emits a pending event whose service has been quiet for [`FLUSH_AFTER_MS`].
    pub fn on_idle(&mut self, now_ms: u64) -> io::Result<()> {
        if self.assembler.has_pending()
            && now_ms.saturating_sub(self.last_line_ms) >= FLUSH_AFTER_MS
        {
            self.flush(now_ms);
        }
        self.take_error()
    }

    fn flush(&mut self, now_ms: u64) {
        let wall = (self.epoch_ms + now_ms as i64) as u64;
        let watch = &mut self.watch;
        let assembler = &mut self.assembler;
        let line_no = self.line_no;
        self.parser.finish(line_no, &mut |services, rec| {
            assembler.push(&rec, &mut |ev| watch.event(ev, services, wall));
        });
        let services = self.parser.services();
        assembler.flush(&mut |ev| watch.event(ev, services, wall));
    }

    fn take_error(&mut self) -> io::Result<()> {
        match self.watch.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Ends an interval: prints what changed and starts the next one.
    pub fn on_interval(&mut self, now_ms: u64) -> io::Result<()> {
        self.interval += 1;
        let s = &mut self.watch;
        let rising: Vec<GroupId> = {
            let mut r: Vec<(GroupId, u64)> = s
                .window
                .iter()
                .filter(|(_, w)| w.this >= 5 && w.this >= 2 * w.previous.max(1) && w.previous > 0)
                .map(|(id, w)| (*id, w.this))
                .collect();
            r.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            r.into_iter().map(|(id, _)| id).collect()
        };
        let counts = s.pipe.tally.severities();
        let mut out = format!(
            "── {} interval {}: {} new, {} rising; so far {} critical, {} error, {} warning in {} events\n",
            clock(self.epoch_ms + now_ms as i64),
            self.interval,
            s.new_this_interval.len(),
            rising.len(),
            counts.critical,
            counts.error,
            counts.warning,
            s.pipe.events,
        );
        for id in &rising {
            if let (Some(g), Some(w)) = (s.pipe.grouper.get(*id), s.window.get(id)) {
                let t: String = crate::render::sanitize(g.template.lines().next().unwrap_or(""))
                    .chars()
                    .take(160)
                    .collect();
                out.push_str(&format!(
                    "   rising x{} (was x{}): {t}\n",
                    w.this, w.previous
                ));
            }
        }
        s.new_this_interval.clear();
        s.window.retain(|_, w| {
            w.previous = w.this;
            w.this = 0;
            w.escalated = None;
            w.previous > 0
        });
        s.out.write_all(out.as_bytes())?;
        s.out.flush()
    }

    /// Flushes what is pending (end of input).
    pub fn finish(&mut self, now_ms: u64) -> io::Result<()> {
        self.flush(now_ms);
        self.take_error()
    }

    /// The state to save: every group at or above the announced severity, with counts that
    /// include earlier runs.
    pub fn state(&self) -> State {
        let s = &self.watch;
        let mut groups: Vec<StateGroup> = s
            .pipe
            .grouper
            .groups()
            .iter()
            .filter(|g| g.severity >= s.show)
            .map(|g| StateGroup {
                id: format_id(g.id),
                template: g.template.clone(),
                severity: g.severity,
                count: g.count + s.carried.get(&g.id).copied().unwrap_or(0),
            })
            .collect();
        // Groups known from earlier runs and not seen in this one are kept too.
        // Sorted right below, so the hash order does not leak into the file.
        #[allow(clippy::iter_over_hash_type)]
        for (id, count) in &s.carried {
            if s.pipe.grouper.get(*id).is_none() {
                groups.push(StateGroup {
                    id: format_id(*id),
                    template: String::new(),
                    severity: s.show,
                    count: *count,
                });
            }
        }
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        State {
            version: STATE_VERSION,
            grouping_version: crate::group::GROUPING_VERSION.into(),
            groups,
        }
    }

    /// The report of everything seen so far.
    pub fn report(&self, fail_on: FailThreshold, name: Option<String>) -> Report {
        let s = &self.watch;
        Report::build(
            &s.pipe.tally,
            ReportInputs {
                input: InputInfo {
                    kind: if name.is_some() { "file" } else { "stdin" },
                    name,
                    stats: self.parser.stats(),
                    events: s.pipe.events,
                },
                services: self.parser.services(),
                containers: Vec::new(),
                classifier: s.pipe.classifier(),
                grouper: &s.pipe.grouper,
                fail_on,
                show: s.show,
            },
        )
    }

    /// Worst severity seen, escalations included.
    pub fn worst(&self) -> Option<Severity> {
        self.watch
            .pipe
            .tally
            .worst()
            .max(self.watch.worst_escalation)
    }
}

/// Reads `reader` in chunks and sends complete lines; a line longer than [`MAX_LINE_BYTES`] is
/// cut. Returns at end of input (`Ok(true)`) or when the loop has gone (`Ok(false)`).
fn pump_lines(
    reader: &mut dyn Read,
    pending: &mut Vec<u8>,
    cut: &mut bool,
    consumed: &mut usize,
    tx: &SyncSender<Input>,
) -> io::Result<bool> {
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut rest = &chunk[..n];
        while let Some(i) = memchr::memchr(b'\n', rest) {
            push_capped(pending, cut, &rest[..i]);
            *consumed += i + 1;
            let line = std::mem::take(pending);
            let read = LineRead {
                bytes: *consumed,
                cut: std::mem::take(cut),
            };
            *consumed = 0;
            if tx.send(Input::Line(line, read)).is_err() {
                return Ok(false);
            }
            rest = &rest[i + 1..];
        }
        *consumed += rest.len();
        push_capped(pending, cut, rest);
    }
}

fn push_capped(buf: &mut Vec<u8>, cut: &mut bool, bytes: &[u8]) {
    let room = MAX_LINE_BYTES.saturating_sub(buf.len());
    if bytes.len() > room {
        *cut = true;
    }
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Follows stdin until it ends.
fn follow_stdin(tx: SyncSender<Input>) {
    let (mut pending, mut cut, mut consumed) = (Vec::new(), false, 0);
    let mut stdin = io::stdin().lock();
    let msg = match pump_lines(&mut stdin, &mut pending, &mut cut, &mut consumed, &tx) {
        Ok(true) => {
            if !pending.is_empty() {
                let read = LineRead {
                    bytes: consumed,
                    cut,
                };
                let _ = tx.send(Input::Line(pending, read));
            }
            Input::End
        }
        Ok(false) => return,
        Err(e) => Input::Failed(format!("cannot read stdin: {e}")),
    };
    let _ = tx.send(msg);
}

/// Follows a file like `tail -F`: waits for it to exist, reads what is appended, starts over
/// when it is truncated or replaced (log rotation).
fn follow_file(path: PathBuf, from_start: bool, tx: SyncSender<Input>) {
    let (mut pending, mut cut, mut consumed) = (Vec::new(), false, 0);
    let mut first = true;
    loop {
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(_) => {
                thread::sleep(Duration::from_millis(POLL_MS));
                first = false;
                continue;
            }
        };
        let identity = |f: &File| f.metadata().ok().map(|m| file_identity(&m));
        let id = identity(&file);
        if first && !from_start {
            if let Err(e) = file.seek(SeekFrom::End(0)) {
                let _ = tx.send(Input::Failed(format!(
                    "cannot seek `{}`: {e}",
                    path.display()
                )));
                return;
            }
        }
        first = false;
        let mut pos = file.stream_position().unwrap_or(0);
        loop {
            match pump_lines(&mut file, &mut pending, &mut cut, &mut consumed, &tx) {
                Ok(false) => return,
                Ok(true) => {}
                Err(e) => {
                    let _ = tx.send(Input::Failed(format!(
                        "cannot read `{}`: {e}",
                        path.display()
                    )));
                    return;
                }
            }
            pos = file.stream_position().unwrap_or(pos);
            thread::sleep(Duration::from_millis(POLL_MS));
            let now = std::fs::metadata(&path).ok();
            let replaced = now.as_ref().map(file_identity) != id;
            let truncated = now.as_ref().is_some_and(|m| m.len() < pos);
            if replaced || truncated {
                pending.clear();
                break;
            }
        }
    }
}

#[cfg(unix)]
fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    (
        0,
        m.created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs()),
    )
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
    let name = match &target {
        Some(p) if p.as_os_str() != "-" => {
            let (path, from_start, tx) = (p.clone(), args.from_start, tx.clone());
            thread::spawn(move || follow_file(path, from_start, tx));
            Some(p.display().to_string())
        }
        _ => {
            let tx = tx.clone();
            thread::spawn(move || follow_stdin(tx));
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
        write_atomically(p, |w| markdown::render(&report, w))
            .with_context(|| format!("cannot write report `{}`", p.display()))?;
    }
    Ok(())
}

/// Writes a file through a temporary one renamed over it, so a reader never sees half of it.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = BufWriter::new(File::create(&tmp)?);
    body(&mut f)?;
    f.flush()?;
    f.get_ref().sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::PackSet;
    use crate::multiline::Joining;

    fn opts() -> LiveOptions {
        LiveOptions {
            saved: SavedOptions {
                format: InputFormat::Compose,
                default_service: "-".into(),
            },
            joining: Joining::Auto,
            max_groups: 100,
            show: Severity::Warning,
            escalate_after: 3,
            color: false,
            epoch_ms: 0,
        }
    }

    fn line(live: &mut Live<'_>, text: &str, now: u64) {
        let read = LineRead {
            bytes: text.len() + 1,
            cut: false,
        };
        live.on_line(text.as_bytes(), read, now).unwrap();
    }

    #[test]
    fn a_new_problem_prints_once_and_repeats_are_counted() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            line(&mut live, "api-1  | ERROR payment 12 failed", 0);
            line(&mut live, "api-1  | INFO fine", 10);
            line(&mut live, "api-1  | ERROR payment 13 failed", 20);
            live.on_idle(1_000).unwrap();
            live.on_interval(30_000).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("[new]").count(), 1, "{text}");
        assert!(
            text.contains("api ERROR    none       [new] ERROR payment <num> failed"),
            "{text}"
        );
        assert!(
            text.contains("interval 1: 1 new, 0 rising; so far 0 critical, 2 error"),
            "{text}"
        );
    }

    #[test]
    fn a_pending_traceback_is_flushed_when_its_service_goes_quiet() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            line(&mut live, "api-1  | ERROR boom", 0);
            live.on_idle(FLUSH_AFTER_MS - 1).unwrap();
        }
        assert!(out.is_empty(), "nothing before the quiet period");
        let mut out = Vec::new();
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            line(&mut live, "api-1  | ERROR boom", 0);
            live.on_idle(FLUSH_AFTER_MS).unwrap();
        }
        assert!(String::from_utf8(out).unwrap().contains("[new] ERROR boom"));
    }

    #[test]
    fn repetition_escalates_one_level_once_per_interval() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        let worst;
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            for i in 0..5 {
                line(&mut live, &format!("api-1  | WARN slow request {i}"), i);
            }
            live.on_idle(1_000).unwrap();
            worst = live.worst();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("[x3 this interval]").count(), 1, "{text}");
        assert!(
            text.contains("ERROR    none       [x3 this interval]"),
            "{text}"
        );
        assert_eq!(worst, Some(Severity::Error));
    }

    #[test]
    fn known_groups_from_the_state_are_not_announced_again() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        let state;
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            line(&mut live, "api-1  | ERROR payment 12 failed", 0);
            live.on_idle(1_000).unwrap();
            state = live.state();
        }
        assert_eq!(state.groups.len(), 1);
        let mut out = Vec::new();
        {
            let mut live = Live::new(&classifier, opts(), Some(state), &mut out);
            line(&mut live, "api-1  | ERROR payment 99 failed", 0);
            live.on_idle(1_000).unwrap();
            assert_eq!(live.state().groups[0].count, 2);
        }
        assert!(!String::from_utf8(out).unwrap().contains("[new]"));
    }
}
