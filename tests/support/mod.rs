//! Helpers of the tests against a real Docker Engine: whether one is there, a Compose project
//! built on a `FROM scratch` busybox image and taken down on drop, and a `logsift monitor` child
//! whose output lines are collected with the time each was read.
//!
//! Without a reachable engine, docker-compose or `/bin/busybox`, [`engine_ready`] prints why and
//! returns false, except under `CI=true`, where it fails the test.

#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

pub const BUSYBOX: &str = "/bin/busybox";

/// True when the engine tests can run; otherwise prints why (and fails under CI=true).
pub fn engine_ready() -> bool {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let r = READY.get_or_init(|| {
        if !Path::new(BUSYBOX).exists() {
            return Err(format!(
                "{BUSYBOX} is missing (apt-get install busybox-static)"
            ));
        }
        let v = run(&["docker", "version", "--format", "{{.Server.APIVersion}}"]);
        if !v.as_ref().is_some_and(|o| o.status.success()) {
            return Err("the Docker Engine is not reachable".into());
        }
        if !run(&["docker-compose", "version"]).is_some_and(|o| o.status.success()) {
            return Err("docker-compose is not installed".into());
        }
        Ok(())
    });
    match r {
        Ok(()) => true,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "e2e: {why}, and CI=true"
            );
            eprintln!("e2e skipped: {why}");
            false
        }
    }
}

/// Runs a command to its end, stdin closed.
pub fn run(args: &[&str]) -> Option<Output> {
    Proc::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .ok()
}

/// A Compose project for one test, on its own image; taken down (and the image removed) on drop.
pub struct Project {
    pub name: String,
    pub image: String,
    pub file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Project {
    /// Writes `compose` (with `IMAGE` replaced) and builds the image; nothing is started.
    pub fn new(tag: &str, compose: &str) -> Project {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("lsmon{tag}{}x{nanos}", std::process::id());
        let image = format!("lsmon-busybox:{name}");
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("ctx");
        std::fs::create_dir_all(ctx.join("bin")).unwrap();
        std::fs::copy(BUSYBOX, ctx.join("bin/busybox")).unwrap();
        std::os::unix::fs::symlink("busybox", ctx.join("bin/sh")).unwrap();
        std::fs::write(
            ctx.join("Dockerfile"),
            "FROM scratch\nCOPY bin /bin\nENV PATH=/bin\n",
        )
        .unwrap();
        let file = dir.path().join("docker-compose.yml");
        std::fs::write(&file, compose.replace("IMAGE", &image)).unwrap();
        let p = Project {
            name,
            image,
            file,
            _dir: dir,
        };
        let built = run(&[
            "docker",
            "build",
            "-q",
            "-t",
            &p.image,
            ctx.to_str().unwrap(),
        ])
        .unwrap();
        assert!(
            built.status.success(),
            "docker build: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        p
    }

    /// Runs `docker-compose -p NAME -f FILE args…` and checks it succeeded.
    pub fn compose(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "docker-compose",
            "-p",
            &self.name,
            "-f",
            self.file.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let out = run(&all).unwrap();
        assert!(
            out.status.success(),
            "docker-compose {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Name of container `n` of `service` (Compose v1 naming).
    pub fn container(&self, service: &str, n: u32) -> String {
        format!("{}_{service}_{n}", self.name)
    }

    /// `docker logs` of a container, stdout and stderr.
    pub fn logs(&self, container: &str) -> String {
        let o = run(&["docker", "logs", "-t", container]).unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    }

    /// Waits (bounded) until `ok` holds, polling every 100 ms.
    pub fn wait(&self, what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !ok() {
            assert!(Instant::now() < deadline, "{what}: not within {secs} s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = run(&[
            "docker-compose",
            "-p",
            &self.name,
            "-f",
            self.file.to_str().unwrap_or(""),
            "down",
            "-v",
            "-t",
            "0",
        ]);
        if let Some(o) = run(&[
            "docker",
            "ps",
            "-aq",
            "--filter",
            &format!("label=com.docker.compose.project={}", self.name),
        ]) {
            let ids = String::from_utf8_lossy(&o.stdout).into_owned();
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let mut args = vec!["docker", "rm", "-f", "-v"];
                args.extend(ids);
                let _ = run(&args);
            }
        }
        let _ = run(&["docker", "rmi", "-f", &self.image]);
    }
}

/// One line of the monitor's output and when the test read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: SystemTime,
    pub text: String,
}

/// `logsift monitor` running in the background; killed on drop if still running.
pub struct Monitor {
    child: Child,
    lines: Arc<Mutex<Vec<Seen>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Monitor {
    /// Starts `logsift monitor args…` with stdin closed and stdout piped (not a terminal).
    pub fn start(args: &[&str]) -> Monitor {
        let mut child = Proc::new(assert_cmd::cargo::cargo_bin("logsift"))
            .arg("monitor")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().unwrap();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(text) = line else { break };
                sink.lock().unwrap().push(Seen {
                    at: SystemTime::now(),
                    text,
                });
            }
        });
        Monitor {
            child,
            lines,
            reader: Some(reader),
        }
    }

    /// The lines so far.
    pub fn lines(&self) -> Vec<Seen> {
        self.lines.lock().unwrap().clone()
    }

    /// The output so far, one string.
    pub fn text(&self) -> String {
        self.lines()
            .iter()
            .map(|l| format!("{}\n", l.text))
            .collect()
    }

    /// Waits (bounded) for a line containing `needle`; returns it.
    pub fn wait_line(&self, needle: &str, secs: u64) -> Seen {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(l) = self.lines().into_iter().find(|l| l.text.contains(needle)) {
                return l;
            }
            assert!(
                Instant::now() < deadline,
                "no line with {needle:?} within {secs} s; output:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let _ = run(&["kill", "-TERM", &self.child.id().to_string()]);
    }

    /// Waits (bounded) for the exit; returns the code and stderr.
    pub fn wait_exit(&mut self, secs: u64) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                return (status.code().unwrap_or(-1), err);
            }
            assert!(
                Instant::now() < deadline,
                "monitor still running after {secs} s; output:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Nanoseconds since the epoch of an RFC 3339 time with a fraction (`docker logs -t`).
pub fn rfc3339_ns(ts: &str) -> i64 {
    let (secs, frac) = ts.trim_end_matches('Z').split_once('.').unwrap();
    let t = chrono::NaiveDateTime::parse_from_str(secs, "%Y-%m-%dT%H:%M:%S").unwrap();
    let frac: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    t.and_utc().timestamp() * 1_000_000_000 + frac.parse::<i64>().unwrap()
}

/// Nanoseconds since the epoch of a [`SystemTime`].
pub fn system_ns(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as i64
}
