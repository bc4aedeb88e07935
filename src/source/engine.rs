//! The Docker Engine source (bollard): a Compose project's containers, found by their
//! `com.docker.compose.project` label (stopped ones included, one-off `run` containers left out
//! unless asked), one log stream each (stdout + stderr, timestamps, `since`/`until`/`tail` passed
//! to the engine), merged in timestamp order, and each container's state from inspect.
//!
//! Each container's stream is read by its own task on a small runtime; the task splits frames
//! into lines ([`FrameSplitter`]) and sends them in batches over a bounded channel. The caller's
//! thread merges the channels (a heap on each container's next timestamp; a container's own lines
//! are already in order) and hands every line to `emit` with its container's index, so the
//! caller can keep one multi-line assembler per container. Memory stays bounded by the channels.
//!
//! A [`ReadProgress`] hears how far the read is (containers done, lines received), once per
//! batch, on the caller's thread.
//!
//! Every engine call has a deadline: connecting, listing and inspecting take at most
//! [`REQUEST_TIMEOUT`], and a log stream that sends nothing for [`IDLE_TIMEOUT`] fails.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, LogsOptionsBuilder,
};
use bollard::{Docker, API_DEFAULT_VERSION};
use futures_util::{FutureExt as _, StreamExt as _};
use tokio::sync::mpsc;

use super::frames::{FrameSplitter, Line};
use super::SourceStats;
use crate::record::{Record, ServiceId, Services, Stream, Timestamp};
use crate::state::ContainerStatus;

/// Deadline of one engine request (connect, version, list, inspect).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// A log stream silent this long is given up.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The engine's address when neither `--host` nor `DOCKER_HOST` gives one.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

pub(crate) const PROJECT_LABEL: &str = "com.docker.compose.project";
pub(crate) const SERVICE_LABEL: &str = "com.docker.compose.service";
pub(crate) const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";
const NUMBER_LABEL: &str = "com.docker.compose.container-number";

/// Lines per batch sent from a log task.
const BATCH_LINES: usize = 2048;
/// Text bytes per batch (a batch is sent when either fills).
const BATCH_BYTES: usize = 512 * 1024;
/// Batches in flight per container.
const CHANNEL_BATCHES: usize = 4;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Engine address (`unix://…`, `tcp://…`); `None` = [`DEFAULT_HOST`].
    pub host: Option<String>,
    /// Compose project name.
    pub project: String,
    /// Only these services (all when empty).
    pub services: Vec<String>,
    /// Unix seconds: lines from then on.
    pub since: Option<i64>,
    /// Unix seconds: lines until then.
    pub until: Option<i64>,
    /// Last N lines of each container.
    pub tail: Option<u64>,
    /// Include `docker compose run` containers.
    pub include_oneoff: bool,
}

/// One container of the project.
#[derive(Debug, Clone)]
pub struct Container {
    /// Engine id.
    pub id: String,
    /// Container name, without the leading `/`.
    pub name: String,
    /// Compose service name.
    pub service: String,
    /// Its id in the services table.
    pub service_id: ServiceId,
    /// State from inspect (after the logs were read).
    pub status: ContainerStatus,
    /// Why its logs could not be read, if so.
    pub logs_error: Option<String>,
}

/// What reading the engine gave besides the records.
#[derive(Debug)]
pub struct EngineRead {
    /// The services met.
    pub services: Services,
    /// Counts of all log streams together.
    pub stats: SourceStats,
    /// The containers, in the order of their indexes.
    pub containers: Vec<Container>,
}

/// Lines of one container, in one allocation.
#[derive(Debug, Default)]
struct Batch {
    text: Vec<u8>,
    lines: Vec<LineMeta>,
}

#[derive(Debug, Clone, Copy)]
struct LineMeta {
    stream: Stream,
    timestamp: Option<Timestamp>,
    start: usize,
    end: usize,
}

impl Batch {
    fn push(&mut self, l: Line<'_>) {
        let start = self.text.len();
        self.text.extend_from_slice(l.text);
        self.lines.push(LineMeta {
            stream: l.stream,
            timestamp: l.timestamp,
            start,
            end: self.text.len(),
        });
    }

    fn full(&self) -> bool {
        self.lines.len() >= BATCH_LINES || self.text.len() >= BATCH_BYTES
    }
}

enum Msg {
    Lines(Batch),
    Done(SourceStats),
    Failed(String),
}

/// Hears how far [`read_with_progress`] is; every method is called on the caller's thread.
pub trait ReadProgress {
    /// The containers were listed: `total` log streams will be read.
    fn started(&mut self, total: usize);
    /// `count` more lines were received (called once per batch, not per line).
    fn lines(&mut self, count: u64);
    /// One more container's stream ended.
    fn container_done(&mut self);
}

/// A [`ReadProgress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ReadProgress for NoProgress {
    fn started(&mut self, _total: usize) {}
    fn lines(&mut self, _count: u64) {}
    fn container_done(&mut self) {}
}

/// Reads the project's logs; calls `emit(container index, services, record)` for each line in
/// timestamp order. Fails (one line) when the engine is unreachable or the project has no
/// containers.
pub fn read(
    opts: &EngineOptions,
    emit: &mut dyn FnMut(usize, &Services, Record<'_>),
) -> Result<EngineRead> {
    read_with_progress(opts, &mut NoProgress, emit)
}

/// [`read`], telling `progress` how far it is.
pub fn read_with_progress(
    opts: &EngineOptions,
    progress: &mut dyn ReadProgress,
    emit: &mut dyn FnMut(usize, &Services, Record<'_>),
) -> Result<EngineRead> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        // One worker reads every stream (hyper's connection tasks and ours wake each other on
        // one thread); the caller's thread analyses.
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let host = opts.host.clone().unwrap_or_else(|| DEFAULT_HOST.to_owned());
    let docker = rt.block_on(async { connect(&host).await })?;
    let mut services = Services::default();
    let mut containers = rt.block_on(list(&docker, opts, &mut services))?;
    if containers.is_empty() {
        let which = if opts.services.is_empty() {
            String::new()
        } else {
            format!(" (services: {})", opts.services.join(", "))
        };
        bail!(
            "no containers for project '{}'{which} — is it up? try: docker compose ps",
            opts.project
        );
    }

    let mut logs = LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .follow(false);
    if let Some(s) = opts.since {
        logs = logs.since(clamp_i32(s));
    }
    if let Some(u) = opts.until {
        logs = logs.until(clamp_i32(u));
    }
    let tail = opts
        .tail
        .map_or_else(|| "all".to_owned(), |t| t.to_string());
    logs = logs.tail(&tail);
    let logs = logs.build();

    progress.started(containers.len());
    let mut cursors = Vec::with_capacity(containers.len());
    for c in &containers {
        let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
        rt.spawn(read_logs(docker.clone(), c.id.clone(), logs.clone(), tx));
        cursors.push(Cursor {
            rx,
            batch: Batch::default(),
            pos: 0,
            last_ts: Timestamp::MIN,
        });
    }

    let mut stats = SourceStats::default();
    let mut errors: BTreeMap<usize, String> = BTreeMap::new();
    let mut heap = BinaryHeap::with_capacity(cursors.len());
    for (i, c) in cursors.iter_mut().enumerate() {
        if let Some(ts) = c.refill(&mut stats, &mut errors, progress, i) {
            heap.push(Reverse((ts, i)));
        }
    }
    let mut seq = 0u64;
    while let Some(Reverse((_, i))) = heap.pop() {
        let c = &mut cursors[i];
        let meta = c.batch.lines[c.pos];
        c.pos += 1;
        seq += 1;
        emit(
            i,
            &services,
            Record {
                service: containers[i].service_id,
                stream: meta.stream,
                line: seq,
                end_line: seq,
                timestamp: meta.timestamp,
                text: &c.batch.text[meta.start..meta.end],
            },
        );
        if let Some(ts) = c.refill(&mut stats, &mut errors, progress, i) {
            heap.push(Reverse((ts, i)));
        }
    }
    for (i, e) in errors {
        containers[i].logs_error = Some(e);
    }

    rt.block_on(async {
        for c in &mut containers {
            match tokio::time::timeout(
                REQUEST_TIMEOUT,
                docker.inspect_container(&c.id, None::<InspectContainerOptions>),
            )
            .await
            {
                Ok(Ok(r)) => c.status = status_of(&r),
                // Removed meanwhile, or the engine is slow: state unknown.
                Ok(Err(_)) | Err(_) => c.status.state = "unknown".into(),
            }
        }
    });
    Ok(EngineRead {
        services,
        stats,
        containers,
    })
}

fn clamp_i32(v: i64) -> i32 {
    v.clamp(0, i64::from(i32::MAX)) as i32
}

/// One container's side of the merge.
struct Cursor {
    rx: mpsc::Receiver<Msg>,
    batch: Batch,
    pos: usize,
    last_ts: Timestamp,
}

impl Cursor {
    /// Makes sure a line is ready; returns its merge key, or `None` when the stream is over.
    fn refill(
        &mut self,
        stats: &mut SourceStats,
        errors: &mut BTreeMap<usize, String>,
        progress: &mut dyn ReadProgress,
        index: usize,
    ) -> Option<Timestamp> {
        while self.pos >= self.batch.lines.len() {
            match self.rx.blocking_recv() {
                Some(Msg::Lines(b)) => {
                    progress.lines(b.lines.len() as u64);
                    self.batch = b;
                    self.pos = 0;
                }
                Some(Msg::Done(s)) => add_stats(stats, s),
                Some(Msg::Failed(e)) => {
                    errors.insert(index, e);
                }
                None => {
                    progress.container_done();
                    return None;
                }
            }
        }
        // A line without a timestamp sorts with the line before it.
        if let Some(ts) = self.batch.lines[self.pos].timestamp {
            self.last_ts = ts;
        }
        Some(self.last_ts)
    }
}

fn add_stats(total: &mut SourceStats, s: SourceStats) {
    total.lines += s.lines;
    total.bytes += s.bytes;
    total.truncated_lines += s.truncated_lines;
    total.invalid_utf8_lines += s.invalid_utf8_lines;
    total.malformed_json_lines += s.malformed_json_lines;
}

/// Connects to `host` and negotiates the API version.
pub(crate) async fn connect(host: &str) -> Result<Docker> {
    let timeout = REQUEST_TIMEOUT.as_secs();
    let docker = if let Some(path) = host.strip_prefix("unix://") {
        Docker::connect_with_unix(path, timeout, API_DEFAULT_VERSION)
    } else if host.starts_with("tcp://") || host.starts_with("http://") {
        Docker::connect_with_http(host, timeout, API_DEFAULT_VERSION)
    } else if host.starts_with('/') {
        Docker::connect_with_unix(host, timeout, API_DEFAULT_VERSION)
    } else {
        bail!("unsupported Docker host `{host}`: use unix:///path or tcp://host:port")
    };
    let unreachable = |e: &str| {
        let hint = if e.contains("ermission denied") {
            " (no permission: run as root or as a member of the `docker` group)"
        } else {
            " (is it running? set DOCKER_HOST or --host, or read saved logs with --file)"
        };
        anyhow!("cannot reach the Docker Engine at `{host}`: {e}{hint}")
    };
    let docker = docker.map_err(|e| unreachable(&chain(&e)))?;
    match tokio::time::timeout(REQUEST_TIMEOUT, docker.negotiate_version()).await {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(unreachable(&chain(&e))),
        Err(_) => Err(unreachable("no answer within 10 s")),
    }
}

/// An error and its sources on one line (hyper hides the OS error in its sources).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !out.contains(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = c.source();
    }
    out
}

/// A container of a Compose project, as the engine lists it.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub id: String,
    pub service: String,
    /// Compose's container number (`_1`, `-1`).
    pub number: u64,
    pub name: String,
    pub running: bool,
}

/// The containers labelled with `project` (stopped ones included), narrowed to `services` when
/// given and without one-off `run` containers unless `include_oneoff`; sorted by service, then
/// container number. Shared by `analyze` and `monitor`.
pub(crate) async fn list_project(
    docker: &Docker,
    project: &str,
    services: &[String],
    include_oneoff: bool,
) -> Result<Vec<Listed>> {
    let mut filters = HashMap::new();
    filters.insert(
        "label".to_owned(),
        vec![format!("{PROJECT_LABEL}={project}")],
    );
    let list_opts = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let summaries = match tokio::time::timeout(
        REQUEST_TIMEOUT,
        docker.list_containers(Some(list_opts)),
    )
    .await
    {
        Ok(r) => r.context("cannot list containers")?,
        Err(_) => bail!("cannot list containers: no answer within 10 s"),
    };
    let mut found = Vec::new();
    for s in summaries {
        let labels = s.labels.unwrap_or_default();
        let oneoff = labels
            .get(ONEOFF_LABEL)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let service = labels.get(SERVICE_LABEL).cloned().unwrap_or_default();
        if (oneoff && !include_oneoff) || (!services.is_empty() && !services.contains(&service)) {
            continue;
        }
        let Some(id) = s.id else { continue };
        let number = labels
            .get(NUMBER_LABEL)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let name = s
            .names
            .and_then(|n| n.into_iter().next())
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| id.chars().take(12).collect());
        let running = s
            .state
            .is_some_and(|st| st.to_string().eq_ignore_ascii_case("running"));
        found.push(Listed {
            id,
            service,
            number,
            name,
            running,
        });
    }
    found.sort_by(|a, b| (&a.service, a.number, &a.name).cmp(&(&b.service, b.number, &b.name)));
    Ok(found)
}

/// The project's containers, sorted by service then container number.
async fn list(
    docker: &Docker,
    opts: &EngineOptions,
    services: &mut Services,
) -> Result<Vec<Container>> {
    let listed = list_project(docker, &opts.project, &opts.services, opts.include_oneoff).await?;
    Ok(listed
        .into_iter()
        .map(|c| Container {
            service_id: services.intern(&c.service),
            id: c.id,
            name: c.name,
            service: c.service,
            status: ContainerStatus::default(),
            logs_error: None,
        })
        .collect())
}

/// Reads one container's logs into batches of lines.
async fn read_logs(
    docker: Docker,
    id: String,
    opts: bollard::query_parameters::LogsOptions,
    tx: mpsc::Sender<Msg>,
) {
    let mut stream = docker.logs(&id, Some(opts));
    let mut splitter = FrameSplitter::new();
    let mut batch = Batch::default();
    loop {
        let next = match next_buffered(&mut stream).await {
            Some(next) => Ok(next),
            // Nothing buffered: wait for the socket. Pausing here first to let output pile up
            // (tried: 0.5, 2 and 5 ms) costs wall time, as the engine stops writing once the
            // socket's buffer is full: 1M lines took 6.3, 7.7 and 14 s against 6.1 s without.
            None => tokio::time::timeout(IDLE_TIMEOUT, stream.next()).await,
        };
        let item = match next {
            Err(_) => {
                let _ = tx
                    .send(Msg::Failed(format!(
                        "the engine sent nothing for {} s",
                        IDLE_TIMEOUT.as_secs()
                    )))
                    .await;
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                let _ = tx.send(Msg::Failed(e.to_string())).await;
                break;
            }
            Ok(Some(Ok(o))) => o,
        };
        splitter.push_output(&item, &mut |l| batch.push(l));
        if batch.full()
            && tx
                .send(Msg::Lines(std::mem::take(&mut batch)))
                .await
                .is_err()
        {
            return;
        }
    }
    splitter.finish(&mut |l| batch.push(l));
    if !batch.lines.is_empty() && tx.send(Msg::Lines(batch)).await.is_err() {
        return;
    }
    let _ = tx.send(Msg::Done(splitter.stats())).await;
}

/// The stream's next item if it is there without waiting for the socket: hyper's connection
/// task runs on the same worker, so yielding lets it decode what it has already read.
async fn next_buffered<S: futures_util::Stream + Unpin>(stream: &mut S) -> Option<Option<S::Item>> {
    for _ in 0..2 {
        if let Some(next) = stream.next().now_or_never() {
            return Some(next);
        }
        tokio::task::yield_now().await;
    }
    stream.next().now_or_never()
}

/// The state part of an inspect answer.
pub(crate) fn status_of(r: &bollard::models::ContainerInspectResponse) -> ContainerStatus {
    let st = r.state.clone().unwrap_or_default();
    let health = st.health.clone();
    let health_status = health
        .as_ref()
        .and_then(|h| h.status)
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty() && s != "none");
    let health_output = health
        .and_then(|h| h.log)
        .and_then(|l| l.into_iter().last())
        .and_then(|p| p.output)
        .map(|o| o.trim().chars().take(500).collect());
    ContainerStatus {
        state: st.status.map(|s| s.to_string()).unwrap_or_default(),
        exit_code: st.exit_code,
        oom_killed: st.oom_killed.unwrap_or(false),
        restart_count: r.restart_count.unwrap_or(0),
        health: health_status,
        health_output,
        error: st.error.filter(|e| !e.is_empty()),
    }
}
