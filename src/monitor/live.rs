//! The live core: records in, one line per new problem or lifecycle change out, repeats only
//! counted, escalation by repetition, and the summary of each interval.
//!
//! [`Live`] is synchronous and takes the clock as an argument (milliseconds since the start), so
//! its tests never sleep. Lines of saved logs go through the saved-log parser and one multi-line
//! assembler; engine lines carry their service and each service has its own assembler. A pending
//! multi-line event is flushed once its service has been quiet for [`FLUSH_AFTER_MS`], so a
//! traceback shows within a second of its last line.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use super::engine;
use super::state::{State, StateGroup, STATE_VERSION};
use crate::classify::{Classifier, Severity};
use crate::cli::InputFormat;
use crate::group::{format_id, GroupId, Placement, OTHER_GROUP};
use crate::multiline::{Assembler, Event};
use crate::pipeline::{StageOptions, Stages};
use crate::record::{Record, ServiceId, Services};
use crate::report::{FailThreshold, InputInfo, Report, ReportInputs};
use crate::source::saved::{LineRead, SavedLogParser, SavedOptions};

/// A pending event is emitted after its service has been quiet this long.
pub const FLUSH_AFTER_MS: u64 = 300;
/// Announced ids remembered per `--max-groups` slot before evicted ones are forgotten.
const KNOWN_PER_GROUP_SLOT: usize = 16;

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
    known_cap: usize,
    carried: HashMap<GroupId, StateGroup>,
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
    joining: crate::multiline::Joining,
    /// Services of engine lines, and one assembler each (with the time of its last line).
    engine_services: Services,
    by_service: HashMap<ServiceId, (Assembler, u64)>,
    /// Lifecycle changes of the current interval, for its summary.
    changes: Vec<String>,
    changes_dropped: usize,
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
        let mut earlier = state.map(|s| s.groups).unwrap_or_default();
        // The state is bounded like the groups: the most frequent --max-groups are carried on.
        earlier.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        earlier.truncate(opts.max_groups);
        for g in earlier {
            if let Ok(id) = u64::from_str_radix(&g.id, 16) {
                known.insert(id);
                carried.insert(id, g);
            }
        }
        Live {
            parser,
            assembler: Assembler::new(opts.joining),
            joining: opts.joining,
            engine_services: Services::default(),
            by_service: HashMap::new(),
            changes: Vec::new(),
            changes_dropped: 0,
            watch: Watch {
                pipe: Stages::new(
                    classifier,
                    StageOptions {
                        max_groups: opts.max_groups,
                        context: 0,
                        show: opts.show,
                        grouping: crate::pipeline::Grouping::On,
                    },
                ),
                known,
                known_cap: opts.max_groups.saturating_mul(KNOWN_PER_GROUP_SLOT),
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

    /// Takes one container line from the engine, read at `now_ms`; each service has its own
    /// multi-line assembler, so interleaved services never mix.
    pub fn on_engine_line(&mut self, line: &engine::EngineLine, now_ms: u64) -> io::Result<()> {
        self.line_no += 1;
        let wall = (self.epoch_ms + now_ms as i64) as u64;
        let service = self.engine_services.intern(&line.service);
        let joining = self.joining;
        let (assembler, last) = self
            .by_service
            .entry(service)
            .or_insert_with(|| (Assembler::new(joining), 0));
        *last = now_ms;
        let rec = Record {
            service,
            stream: line.stream,
            line: self.line_no,
            end_line: self.line_no,
            timestamp: line.timestamp,
            text: &line.text,
        };
        let services = &self.engine_services;
        let watch = &mut self.watch;
        assembler.push(&rec, &mut |ev| watch.event(ev, services, wall));
        self.take_error()
    }

    /// Prints a lifecycle change at once and keeps it for the interval's summary.
    pub fn on_lifecycle(&mut self, l: &engine::Lifecycle) -> io::Result<()> {
        let s = &mut self.watch;
        if l.severity >= Severity::Warning {
            s.worst_escalation = s.worst_escalation.max(Some(l.severity));
        }
        let sev = format!("{:<8}", l.severity.as_str().to_uppercase());
        let sev = if s.color {
            paint_severity(&sev, l.severity)
        } else {
            sev
        };
        let container = crate::render::sanitize(&l.container);
        let text = format!(
            "{} {} {sev} {:<10} [{}] {container}: {}\n",
            clock(l.time_ms),
            crate::render::sanitize(&l.service),
            l.category.as_str(),
            l.kind,
            crate::render::sanitize(&l.message),
        );
        if l.kind != "exit" || l.severity > Severity::Info {
            if self.changes.len() < 20 {
                self.changes.push(format!("{container} {}", l.kind));
            } else {
                self.changes_dropped += 1;
            }
        }
        s.out.write_all(text.as_bytes())?;
        s.out.flush()
    }

    /// Prints a notice about the source (engine lost, reconnected, waiting for containers).
    pub fn on_notice(&mut self, msg: &str, now_ms: u64) -> io::Result<()> {
        let line = format!(
            "{} logsift: {}\n",
            clock(self.epoch_ms + now_ms as i64),
            crate::render::sanitize(msg)
        );
        self.watch.out.write_all(line.as_bytes())?;
        self.watch.out.flush()
    }

    /// Emits a pending event whose service has been quiet for [`FLUSH_AFTER_MS`].
    pub fn on_idle(&mut self, now_ms: u64) -> io::Result<()> {
        if self.assembler.has_pending()
            && now_ms.saturating_sub(self.last_line_ms) >= FLUSH_AFTER_MS
        {
            self.flush(now_ms);
        }
        let wall = (self.epoch_ms + now_ms as i64) as u64;
        let services = &self.engine_services;
        let watch = &mut self.watch;
        // Each assembler flushes its own service; the order does not matter.
        #[allow(clippy::iter_over_hash_type)]
        for (assembler, last) in self.by_service.values_mut() {
            if assembler.has_pending() && now_ms.saturating_sub(*last) >= FLUSH_AFTER_MS {
                assembler.flush(&mut |ev| watch.event(ev, services, wall));
            }
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
        let services = &self.engine_services;
        let mut ids: Vec<ServiceId> = self.by_service.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some((a, _)) = self.by_service.get_mut(&id) {
                a.flush(&mut |ev| watch.event(ev, services, wall));
            }
        }
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
        if !self.changes.is_empty() {
            out.push_str("   containers: ");
            out.push_str(&self.changes.join(", "));
            if self.changes_dropped > 0 {
                out.push_str(&format!(" and {} more", self.changes_dropped));
            }
            out.push('\n');
            self.changes.clear();
            self.changes_dropped = 0;
        }
        // Ids announced and since evicted are forgotten past a bound, so memory stays flat when
        // new problems keep coming for hours (one of them may then be announced again).
        if s.known.len() > s.known_cap {
            let (grouper, carried) = (&s.pipe.grouper, &s.carried);
            s.known
                .retain(|id| grouper.get(*id).is_some() || carried.contains_key(id));
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
                count: g.count + s.carried.get(&g.id).map_or(0, |c| c.count),
            })
            .collect();
        // Groups known from earlier runs and not seen in this one are kept too.
        // Sorted right below, so the hash order does not leak into the file.
        #[allow(clippy::iter_over_hash_type)]
        for (id, earlier) in &s.carried {
            if s.pipe.grouper.get(*id).is_none() {
                groups.push(earlier.clone());
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
                    kind: if !self.engine_services.is_empty() {
                        "engine"
                    } else if name.is_some() {
                        "file"
                    } else {
                        "stdin"
                    },
                    name,
                    stats: self.parser.stats(),
                    events: s.pipe.events,
                },
                services: if self.engine_services.is_empty() {
                    self.parser.services()
                } else {
                    &self.engine_services
                },
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

    fn engine_line(service: &str, ts: i64, text: &str) -> engine::EngineLine {
        engine::EngineLine {
            service: std::sync::Arc::from(service),
            stream: crate::record::Stream::Stderr,
            timestamp: Some(ts),
            text: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn interleaved_engine_services_keep_their_own_tracebacks() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        let state;
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            let lines = [
                ("api", "Traceback (most recent call last):"),
                ("db", "LOG:  checkpoint starting: time"),
                ("api", "  File \"/app/main.py\", line 10, in <module>"),
                ("db", "LOG:  checkpoint complete"),
                ("api", "ValueError: bad input"),
            ];
            for (i, (svc, text)) in lines.iter().enumerate() {
                let l = engine_line(svc, 1_000_000_000 * (i as i64 + 1), text);
                live.on_engine_line(&l, i as u64).unwrap();
            }
            live.on_idle(10 + FLUSH_AFTER_MS).unwrap();
            state = live.state();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("[new]").count(), 1, "{text}");
        assert!(
            text.contains(" api CRITICAL code       [new] Traceback"),
            "{text}"
        );
        let tb = state
            .groups
            .iter()
            .find(|g| g.template.contains("Traceback"))
            .expect("the traceback is one group");
        assert!(
            tb.template.contains("ValueError: bad input"),
            "{}",
            tb.template
        );
        assert!(!tb.template.contains("checkpoint"), "{}", tb.template);
    }

    #[test]
    fn lifecycle_lines_print_at_once_and_count_toward_the_exit_code() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        let worst;
        {
            let mut live = Live::new(&classifier, opts(), None, &mut out);
            live.on_lifecycle(&engine::Lifecycle {
                time_ms: 0,
                service: "worker".into(),
                container: "shop_worker_1".into(),
                severity: Severity::Critical,
                category: crate::classify::Category::Resource,
                kind: "oom",
                message: "OOM-killed (exit code 137)".into(),
            })
            .unwrap();
            live.on_interval(30_000).unwrap();
            worst = live.worst();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "00:00:00 worker CRITICAL resource   [oom] shop_worker_1: OOM-killed (exit code 137)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("   containers: shop_worker_1 oom\n"),
            "{text}"
        );
        assert_eq!(worst, Some(Severity::Critical));
    }

    #[test]
    fn announced_ids_are_forgotten_past_a_bound_once_evicted() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut out = Vec::new();
        let mut o = opts();
        o.max_groups = 2;
        let mut live = Live::new(&classifier, o, None, &mut out);
        let words = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
        ];
        for (i, a) in words.iter().enumerate() {
            for b in words {
                line(
                    &mut live,
                    &format!("api-1  | ERROR {a} {b} failed"),
                    i as u64,
                );
            }
        }
        live.on_idle(1_000).unwrap();
        assert_eq!(live.watch.known.len(), 64);
        live.on_interval(30_000).unwrap();
        assert!(live.watch.known.len() <= 2, "{}", live.watch.known.len());
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

    #[test]
    fn a_reloaded_state_is_bounded_and_keeps_what_it_knew() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let earlier = State {
            version: STATE_VERSION,
            grouping_version: crate::group::GROUPING_VERSION.into(),
            groups: (0..250u64)
                .map(|i| StateGroup {
                    id: format_id(i + 1),
                    template: format!("ERROR problem {i}"),
                    severity: Severity::Error,
                    count: i + 1,
                })
                .collect(),
        };
        let mut out = Vec::new();
        let live = Live::new(&classifier, opts(), Some(earlier), &mut out);
        let state = live.state();
        // opts() keeps 100 groups: the 100 most frequent of the 250 are carried on, whole.
        assert_eq!(state.groups.len(), 100);
        assert!(
            state.groups.iter().all(|g| g.count > 150),
            "{:?}",
            state.groups
        );
        let top = state.groups.iter().find(|g| g.count == 250).unwrap();
        assert_eq!(top.template, "ERROR problem 249");
        assert_eq!(top.severity, Severity::Error);
    }
}
