//! Following a Compose project through the Docker Engine: one log stream per container, kept
//! attached across restarts, recreations and scaling, and the container lifecycle from the
//! engine's events, all sent to the monitor's loop as [`Input`]s.
//!
//! The supervisor subscribes to the project's container events before listing its containers
//! (so a container started in between is not missed), then attaches a `follow` task to each
//! running one. A task streams its container's logs (`follow`, `timestamps`) until the stream
//! ends (the container stopped, or the engine went away), then waits to be woken by the next
//! `start` event. On re-attach it asks the engine for lines `since` the second of the last line it
//! passed on and drops every line whose timestamp is not after that line's, so a line is neither
//! lost nor counted twice. A container first met by its `start` event is read from its first
//! line; the containers running when the monitor starts, from `--since` (default: now).
//!
//! Lifecycle lines (OOM kill, exit code, unhealthy with the probe's output, recovered, restarted,
//! crash loop) are decided by [`Tracker`], a plain state machine over event actions, tested
//! without an engine. An engine not reachable at start is an error (one line, exit 2, as for
//! `analyze`); losing it later sends one notice and reconnects with backoff.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bollard::query_parameters::{
    EventsOptionsBuilder, InspectContainerOptions, LogsOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt as _;
use tokio::sync::Notify;

use super::Input;
use crate::classify::{Category, Severity};
use crate::record::{Stream, Timestamp};
use crate::source::engine::{
    connect, list_project, Listed, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL,
};
use crate::source::frames::FrameSplitter;
use crate::state::{assess, ContainerStatus};

/// Restarts within [`CRASH_LOOP_WINDOW`] that make a crash loop.
pub const CRASH_LOOP_RESTARTS: usize = 3;
/// The window of [`CRASH_LOOP_RESTARTS`].
pub const CRASH_LOOP_WINDOW: Duration = Duration::from_secs(300);
/// Longest wait between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// A log stream of a running container that ends sooner than this is re-attached only after it.
const MIN_STREAM: Duration = Duration::from_millis(200);

/// What to follow.
#[derive(Debug, Clone)]
pub struct FollowOptions {
    /// Engine address.
    pub host: String,
    /// Compose project.
    pub project: String,
    /// Only these services (all when empty).
    pub services: Vec<String>,
    /// Follow `docker compose run` containers too.
    pub include_oneoff: bool,
    /// Lines of the containers already running are read from this time on (ns since the epoch).
    pub backlog_from: Timestamp,
}

/// One log line of a container.
#[derive(Debug)]
pub struct EngineLine {
    /// Its Compose service.
    pub service: Arc<str>,
    /// stdout or stderr.
    pub stream: Stream,
    /// The engine's timestamp.
    pub timestamp: Option<Timestamp>,
    /// The text, without timestamp or newline.
    pub text: Vec<u8>,
}

/// A change of a container's life worth a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// When it happened (ms since the epoch).
    pub time_ms: i64,
    /// Compose service.
    pub service: String,
    /// Container name.
    pub container: String,
    /// How bad.
    pub severity: Severity,
    /// Its category.
    pub category: Category,
    /// Short tag: `oom`, `exit`, `unhealthy`, `recovered`, `restart`, `crash-loop`.
    pub kind: &'static str,
    /// One line for people.
    pub message: String,
}

/// One container's lifecycle, as events tell it.
#[derive(Debug, Default)]
struct Life {
    started: bool,
    died: bool,
    killed: bool,
    oom: bool,
    unhealthy: bool,
    restarts: VecDeque<Instant>,
    crash_loop: bool,
}

/// Turns container event actions into [`Lifecycle`] lines.
#[derive(Debug, Default)]
pub struct Tracker {
    lives: HashMap<String, Life>,
}

/// What the tracker needs of one event.
#[derive(Debug, Clone)]
pub struct EventInfo<'a> {
    /// Container id.
    pub id: &'a str,
    /// The action (`start`, `die`, `health_status: unhealthy`, …).
    pub action: &'a str,
    /// Compose service.
    pub service: &'a str,
    /// Container name.
    pub container: &'a str,
    /// `exitCode` of a `die`.
    pub exit_code: Option<i64>,
    /// Event time, ms since the epoch.
    pub time_ms: i64,
    /// Output of the last health probe (for `health_status: unhealthy`).
    pub probe_output: Option<&'a str>,
}

impl Tracker {
    /// Marks a container as running when the monitor starts (its later start is a restart).
    pub fn running(&mut self, id: &str) {
        self.lives.entry(id.to_owned()).or_default().started = true;
    }

    /// Takes one event at `now`; returns the lines it makes.
    pub fn event(&mut self, ev: &EventInfo<'_>, now: Instant) -> Vec<Lifecycle> {
        let mut out = Vec::new();
        let line = |severity, category, kind, message: String| Lifecycle {
            time_ms: ev.time_ms,
            service: ev.service.to_owned(),
            container: ev.container.to_owned(),
            severity,
            category,
            kind,
            message,
        };
        if ev.action == "destroy" {
            self.lives.remove(ev.id);
            return out;
        }
        let life = self.lives.entry(ev.id.to_owned()).or_default();
        match ev.action {
            "kill" | "stop" => life.killed = true,
            "oom" => life.oom = true,
            "die" => {
                let code = ev.exit_code.unwrap_or(0);
                life.died = true;
                if life.oom {
                    out.push(line(
                        Severity::Critical,
                        Category::Resource,
                        "oom",
                        format!("OOM-killed (exit code {code}): raise its memory limit or find the leak"),
                    ));
                } else if life.killed || code == 0 {
                    out.push(line(
                        Severity::Info,
                        Category::None,
                        "exit",
                        format!("stopped (exit code {code})"),
                    ));
                } else {
                    // Same judgement (and words) as `analyze` makes of an exited container.
                    let status = ContainerStatus {
                        state: "exited".into(),
                        exit_code: Some(code),
                        ..ContainerStatus::default()
                    };
                    if let Some(f) = assess(&status) {
                        out.push(line(f.severity, f.category, "exit", f.message));
                    }
                }
            }
            "start" => {
                if life.started && life.died {
                    life.restarts.push_back(now);
                    while life
                        .restarts
                        .front()
                        .is_some_and(|t| now.duration_since(*t) > CRASH_LOOP_WINDOW)
                    {
                        life.restarts.pop_front();
                    }
                    let n = life.restarts.len();
                    out.push(line(
                        Severity::Warning,
                        Category::None,
                        "restart",
                        format!("restarted ({n} in the last 5 min)"),
                    ));
                    if n >= CRASH_LOOP_RESTARTS && !life.crash_loop {
                        life.crash_loop = true;
                        out.push(line(
                            Severity::Critical,
                            Category::Code,
                            "crash-loop",
                            format!("crash loop: {n} restarts within 5 min"),
                        ));
                    } else if n < CRASH_LOOP_RESTARTS {
                        life.crash_loop = false;
                    }
                }
                life.started = true;
                life.died = false;
                life.killed = false;
                life.oom = false;
            }
            a if a.starts_with("health_status") => {
                let status = a.rsplit(':').next().unwrap_or("").trim();
                if status == "unhealthy" && !life.unhealthy {
                    life.unhealthy = true;
                    let status = ContainerStatus {
                        state: "running".into(),
                        health: Some("unhealthy".into()),
                        health_output: ev.probe_output.map(str::to_owned),
                        ..ContainerStatus::default()
                    };
                    if let Some(f) = assess(&status) {
                        out.push(line(f.severity, f.category, "unhealthy", f.message));
                    }
                } else if status == "healthy" && life.unhealthy {
                    life.unhealthy = false;
                    out.push(line(
                        Severity::Info,
                        Category::None,
                        "recovered",
                        "recovered: healthy again".to_owned(),
                    ));
                }
            }
            _ => {}
        }
        out
    }
}

/// Events remembered to skip them when replayed after a reconnect.
const RECENT_EVENTS: usize = 512;

/// What tells an event apart: its time, container and action.
fn event_key(ev: &bollard::models::EventMessage) -> (i64, String, String) {
    (
        ev.time_nano.unwrap_or(0),
        ev.actor
            .as_ref()
            .and_then(|a| a.id.clone())
            .unwrap_or_default(),
        ev.action.clone().unwrap_or_default(),
    )
}

/// A container being followed.
struct Followed {
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

/// Follows the project until the loop goes away; runs on its own thread and runtime.
pub fn spawn(opts: FollowOptions, tx: SyncSender<Input>) {
    std::thread::spawn(move || {
        let rt = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = tx.send(Input::Failed(format!(
                    "cannot start the async runtime: {e}"
                )));
                return;
            }
        };
        rt.block_on(supervise(opts, tx));
    });
}

fn send(tx: &SyncSender<Input>, input: Input) -> bool {
    match tx.try_send(input) {
        Ok(()) => true,
        Err(TrySendError::Full(input)) => tokio::task::block_in_place(|| tx.send(input).is_ok()),
        Err(TrySendError::Disconnected(_)) => false,
    }
}

async fn supervise(opts: FollowOptions, tx: SyncSender<Input>) {
    let mut followed: HashMap<String, Followed> = HashMap::new();
    let mut tracker = Tracker::default();
    let mut backoff = Duration::from_millis(250);
    let mut lost = false;
    let mut said_waiting = false;
    let mut first = true;
    let mut last_event: Option<i64> = None;
    let mut recent: VecDeque<(i64, String, String)> = VecDeque::new();
    loop {
        let (docker, mut events, listed) = match attach(&opts, last_event).await {
            Ok(attached) => attached,
            Err(e) if first => {
                // Never reached: like `analyze`, one line and exit 2 rather than a silent wait.
                let _ = tx.send(Input::Failed(e));
                return;
            }
            Err(e) => {
                if !std::mem::replace(&mut lost, true)
                    && !send(
                        &tx,
                        Input::Notice(format!("lost the Docker Engine ({e}); reconnecting")),
                    )
                {
                    return;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        if std::mem::take(&mut lost)
            && !send(
                &tx,
                Input::Notice("reconnected to the Docker Engine".into()),
            )
        {
            return;
        }
        backoff = Duration::from_millis(250);
        let backlog = if first { opts.backlog_from } else { 0 };
        first = false;
        for c in &listed {
            if !c.running {
                continue;
            }
            tracker.running(&c.id);
            match followed.get(&c.id) {
                Some(f) => f.wake.notify_one(),
                None => {
                    let f = start_following(&docker, c, backlog, &tx);
                    followed.insert(c.id.clone(), f);
                }
            }
        }
        if listed.is_empty() && !said_waiting {
            said_waiting = true;
            if !send(
                &tx,
                Input::Notice(format!(
                    "no containers of project `{}` yet; waiting for them",
                    opts.project
                )),
            ) {
                return;
            }
        }
        loop {
            let ev = match events.next().await {
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    lost = true;
                    let msg = format!("lost the Docker Engine ({e}); reconnecting");
                    if !send(&tx, Input::Notice(msg)) {
                        return;
                    }
                    break;
                }
                None => {
                    lost = true;
                    let msg = "lost the Docker Engine (event stream ended); reconnecting";
                    if !send(&tx, Input::Notice(msg.into())) {
                        return;
                    }
                    break;
                }
            };
            // Events of different containers may come slightly out of time order, so the ones
            // already handled are recognised by their key, not by a time bound.
            if let Some(t) = ev.time_nano {
                let key = event_key(&ev);
                if recent.contains(&key) {
                    continue;
                }
                if recent.len() >= RECENT_EVENTS {
                    recent.pop_front();
                }
                recent.push_back(key);
                last_event = last_event.max(Some(t));
            }
            if !handle_event(&docker, &opts, &ev, &mut followed, &mut tracker, &tx).await {
                return;
            }
        }
        tokio::time::sleep(backoff).await;
    }
}

/// The project's container events as a stream of results.
type Events = futures_util::stream::BoxStream<
    'static,
    Result<bollard::models::EventMessage, bollard::errors::Error>,
>;

/// Connects, subscribes to the project's container events and lists its containers.
///
/// The subscription comes before the listing and replays the last second (after a reconnect:
/// from the last event handled, `last_event`), so no start falls in between; events already
/// handled are skipped by the caller.
async fn attach(
    opts: &FollowOptions,
    last_event: Option<i64>,
) -> Result<(Docker, Events, Vec<Listed>), String> {
    let docker = connect(&opts.host).await.map_err(|e| format!("{e:#}"))?;
    let mut filters = HashMap::new();
    filters.insert("type".to_owned(), vec!["container".to_owned()]);
    filters.insert(
        "label".to_owned(),
        vec![format!("{PROJECT_LABEL}={}", opts.project)],
    );
    let since = last_event
        .map_or(chrono::Utc::now().timestamp() - 1, |ns| {
            ns.div_euclid(1_000_000_000)
        })
        .to_string();
    let events = docker
        .events(Some(
            EventsOptionsBuilder::new()
                .since(&since)
                .filters(&filters)
                .build(),
        ))
        .boxed();
    let listed = list(&docker, opts).await?;
    Ok((docker, events, listed))
}

/// Handles one event; false when the loop has gone.
async fn handle_event(
    docker: &Docker,
    opts: &FollowOptions,
    ev: &bollard::models::EventMessage,
    followed: &mut HashMap<String, Followed>,
    tracker: &mut Tracker,
    tx: &SyncSender<Input>,
) -> bool {
    let (Some(action), Some(actor)) = (ev.action.as_deref(), ev.actor.as_ref()) else {
        return true;
    };
    let Some(id) = actor.id.as_deref() else {
        return true;
    };
    let empty = HashMap::new();
    let attrs = actor.attributes.as_ref().unwrap_or(&empty);
    let service = attrs.get(SERVICE_LABEL).map_or("", String::as_str);
    let oneoff = attrs
        .get(ONEOFF_LABEL)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if (oneoff && !opts.include_oneoff)
        || (!opts.services.is_empty() && !opts.services.iter().any(|s| s == service))
    {
        return true;
    }
    let name = attrs.get("name").map_or(id, String::as_str);
    if action == "start" {
        match followed.get(id) {
            Some(f) => f.wake.notify_one(),
            None => {
                let c = Listed {
                    id: id.to_owned(),
                    service: service.to_owned(),
                    number: 0,
                    name: name.to_owned(),
                    running: true,
                };
                // A container met by its start is read from its first line.
                let f = start_following(docker, &c, 0, tx);
                followed.insert(id.to_owned(), f);
            }
        }
    }
    if action == "destroy" {
        if let Some(f) = followed.remove(id) {
            f.task.abort();
        }
    }
    let probe = if action.starts_with("health_status") && action.ends_with("unhealthy") {
        probe_output(docker, id).await
    } else {
        None
    };
    let info = EventInfo {
        id,
        action,
        service,
        container: name,
        exit_code: attrs.get("exitCode").and_then(|c| c.parse().ok()),
        time_ms: ev
            .time_nano
            .map(|n| n / 1_000_000)
            .or(ev.time.map(|s| s * 1000))
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis()),
        probe_output: probe.as_deref(),
    };
    for l in tracker.event(&info, Instant::now()) {
        if !send(tx, Input::Lifecycle(l)) {
            return false;
        }
    }
    true
}

async fn probe_output(docker: &Docker, id: &str) -> Option<String> {
    let r = tokio::time::timeout(
        crate::source::engine::REQUEST_TIMEOUT,
        docker.inspect_container(id, None::<InspectContainerOptions>),
    )
    .await
    .ok()?
    .ok()?;
    crate::source::engine::status_of(&r).health_output
}

async fn list(docker: &Docker, opts: &FollowOptions) -> Result<Vec<Listed>, String> {
    list_project(docker, &opts.project, &opts.services, opts.include_oneoff)
        .await
        .map_err(|e| format!("{e:#}"))
}

fn start_following(
    docker: &Docker,
    c: &Listed,
    from: Timestamp,
    tx: &SyncSender<Input>,
) -> Followed {
    let wake = Arc::new(Notify::new());
    let task = tokio::spawn(follow(
        docker.clone(),
        c.id.clone(),
        Arc::from(c.service.as_str()),
        from,
        wake.clone(),
        tx.clone(),
    ));
    Followed { wake, task }
}

/// Passes on each line once: drops lines before `from` and lines not after the last one passed.
#[derive(Debug, Clone, Copy)]
pub struct Dedupe {
    from: Timestamp,
    last: Option<Timestamp>,
}

impl Dedupe {
    /// Lines from `from` on (ns since the epoch).
    pub fn new(from: Timestamp) -> Dedupe {
        Dedupe { from, last: None }
    }

    /// The `since` (Unix seconds) to ask the engine for on (re-)attach.
    pub fn since_secs(&self) -> i64 {
        self.last.unwrap_or(self.from).div_euclid(1_000_000_000)
    }

    /// True when a line with this timestamp is new (and remembers it).
    pub fn admit(&mut self, ts: Option<Timestamp>) -> bool {
        let Some(ts) = ts else { return true };
        if ts < self.from || self.last.is_some_and(|l| ts <= l) {
            return false;
        }
        self.last = Some(ts);
        true
    }
}

fn keep(
    dedupe: &mut Dedupe,
    service: &Arc<str>,
    lines: &mut Vec<EngineLine>,
    l: crate::source::frames::Line<'_>,
) {
    if dedupe.admit(l.timestamp) {
        lines.push(EngineLine {
            service: service.clone(),
            stream: l.stream,
            timestamp: l.timestamp,
            text: l.text.to_vec(),
        });
    }
}

/// Streams one container's logs, re-attaching after each start, until aborted.
async fn follow(
    docker: Docker,
    id: String,
    service: Arc<str>,
    from: Timestamp,
    wake: Arc<Notify>,
    tx: SyncSender<Input>,
) {
    let mut dedupe = Dedupe::new(from);
    loop {
        let logs = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .follow(true)
            .since(dedupe.since_secs().clamp(0, i64::from(i32::MAX)) as i32)
            .build();
        let attached = Instant::now();
        let mut stream = docker.logs(&id, Some(logs));
        let mut splitter = FrameSplitter::new();
        let mut lines: Vec<EngineLine> = Vec::new();
        while let Some(item) = stream.next().await {
            let Ok(output) = item else { break };
            splitter.push_output(&output, &mut |l| {
                keep(&mut dedupe, &service, &mut lines, l);
            });
            for l in lines.drain(..) {
                if !send(&tx, Input::Engine(l)) {
                    return;
                }
            }
        }
        splitter.finish(&mut |l| keep(&mut dedupe, &service, &mut lines, l));
        for l in lines.drain(..) {
            if !send(&tx, Input::Engine(l)) {
                return;
            }
        }
        match tokio::time::timeout(
            crate::source::engine::REQUEST_TIMEOUT,
            docker.inspect_container(&id, None::<InspectContainerOptions>),
        )
        .await
        {
            Ok(Ok(r)) if r.state.as_ref().and_then(|s| s.running) == Some(true) => {
                // Restarted while we read, or the stream broke: attach again.
                if let Some(rest) = MIN_STREAM.checked_sub(attached.elapsed()) {
                    tokio::time::sleep(rest).await;
                }
                continue;
            }
            Ok(Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            })) => return,
            _ => {}
        }
        wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(action: &'a str, code: Option<i64>) -> EventInfo<'a> {
        EventInfo {
            id: "c1",
            action,
            service: "api",
            container: "p_api_1",
            exit_code: code,
            time_ms: 0,
            probe_output: Some("probe-says-no\n"),
        }
    }

    fn kinds(t: &mut Tracker, action: &str, code: Option<i64>, now: Instant) -> Vec<String> {
        t.event(&ev(action, code), now)
            .into_iter()
            .map(|l| format!("{} {:?} {}", l.kind, l.severity, l.message))
            .collect()
    }

    #[test]
    fn an_oom_kill_is_critical_and_a_crash_is_an_error() {
        let mut t = Tracker::default();
        let now = Instant::now();
        t.running("c1");
        assert!(kinds(&mut t, "oom", None, now).is_empty());
        let l = kinds(&mut t, "die", Some(137), now);
        assert_eq!(
            l,
            ["oom Critical OOM-killed (exit code 137): raise its memory limit or find the leak"]
        );
        kinds(&mut t, "start", None, now);
        assert_eq!(
            kinds(&mut t, "die", Some(3), now),
            ["exit Error exited with code 3"]
        );
    }

    #[test]
    fn a_stop_asked_for_is_not_an_error() {
        let mut t = Tracker::default();
        let now = Instant::now();
        t.running("c1");
        kinds(&mut t, "kill", None, now);
        assert_eq!(
            kinds(&mut t, "die", Some(137), now),
            ["exit Info stopped (exit code 137)"]
        );
    }

    #[test]
    fn three_restarts_within_five_minutes_are_a_crash_loop_reported_once() {
        let mut t = Tracker::default();
        let t0 = Instant::now();
        t.running("c1");
        let mut all = Vec::new();
        for i in 0..4u64 {
            let now = t0 + Duration::from_secs(i * 10);
            kinds(&mut t, "die", Some(1), now);
            all.extend(kinds(&mut t, "start", None, now));
        }
        assert_eq!(all.iter().filter(|l| l.starts_with("restart ")).count(), 4);
        assert_eq!(
            all.iter()
                .filter(|l| l.starts_with("crash-loop"))
                .collect::<Vec<_>>(),
            ["crash-loop Critical crash loop: 3 restarts within 5 min"]
        );
        // Restarts spread over more than 5 minutes are not a loop.
        let mut t = Tracker::default();
        t.running("c1");
        let mut all = Vec::new();
        for i in 0..4u64 {
            let now = t0 + Duration::from_secs(i * 200);
            kinds(&mut t, "die", Some(1), now);
            all.extend(kinds(&mut t, "start", None, now));
        }
        assert!(!all.iter().any(|l| l.starts_with("crash-loop")), "{all:?}");
    }

    #[test]
    fn unhealthy_carries_the_probe_output_and_recovery_is_told_once() {
        let mut t = Tracker::default();
        let now = Instant::now();
        assert!(kinds(&mut t, "health_status: healthy", None, now).is_empty());
        assert_eq!(
            kinds(&mut t, "health_status: unhealthy", None, now),
            ["unhealthy Error unhealthy: last probe said: probe-says-no"]
        );
        assert!(kinds(&mut t, "health_status: unhealthy", None, now).is_empty());
        assert_eq!(
            kinds(&mut t, "health_status: healthy", None, now),
            ["recovered Info recovered: healthy again"]
        );
    }

    #[test]
    fn dedupe_drops_lines_at_or_before_the_last_one_and_asks_from_its_second() {
        let mut d = Dedupe::new(5_000_000_000);
        assert!(!d.admit(Some(4_999_999_999)), "before --since");
        assert!(d.admit(Some(5_100_000_000)));
        assert!(d.admit(Some(5_200_000_000)));
        assert_eq!(d.since_secs(), 5);
        // The re-attached stream repeats the second: only later lines pass.
        assert!(!d.admit(Some(5_100_000_000)));
        assert!(!d.admit(Some(5_200_000_000)));
        assert!(d.admit(Some(5_200_000_001)));
        assert!(d.admit(None));
    }
}
