//! `logsift monitor` without an engine: stdin and a followed file, state reload, report file,
//! stopping by iterations, end of input and SIGTERM. Plain output (no terminal).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::logsift;

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("logsift")
}

#[test]
fn stdin_problems_are_announced_once_and_the_run_ends_with_the_input() {
    let input = "api-1  | ERROR payment 1 failed\napi-1  | INFO ok\napi-1  | ERROR payment 2 failed\ndb-1   | WARN slow query\n";
    let out = logsift()
        .args(["monitor", "-", "--interval", "60"])
        .write_stdin(input)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.matches("[new]").count(), 2, "{text}");
    assert!(
        text.contains("api ERROR    none       [new] ERROR payment <num> failed"),
        "{text}"
    );
    assert!(
        text.contains("── stopped at end of input: 0 critical, 2 error, 1 warning in 4 events"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour without a terminal");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let input = "api-1  | WARN slow\n";
    logsift()
        .args(["monitor", "-", "--fail-on", "error"])
        .write_stdin(input)
        .assert()
        .code(0);
    logsift()
        .args(["monitor", "-", "--fail-on", "warning"])
        .write_stdin(input)
        .assert()
        .code(1);
}

#[test]
fn state_reload_does_not_announce_known_problems() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let run = |input: &str| {
        let out = logsift()
            .arg("monitor")
            .arg("-")
            .arg("--state")
            .arg(&state)
            .write_stdin(input.to_owned())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run("api-1  | ERROR payment 1 failed\n");
    assert!(first.contains("[new]"), "{first}");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["groups"].as_array().unwrap().len(), 1);
    let second = run("api-1  | ERROR payment 7 failed\napi-1  | ERROR disk full\n");
    assert_eq!(second.matches("[new]").count(), 1, "{second}");
    assert!(second.contains("disk full"), "{second}");
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let counts: Vec<u64> = saved["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert!(counts.contains(&2), "{saved}");
}

/// Waits (up to 10 s, for loaded machines) until process `pid` holds `path` open, so that a
/// line appended afterwards is one it must see as new.
fn wait_until_open(pid: u32, path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let fds = format!("/proc/{pid}/fd");
    while Instant::now() < deadline {
        let open = std::fs::read_dir(&fds)
            .map(|d| {
                d.flatten()
                    .any(|e| std::fs::read_link(e.path()).ok().as_deref() == Some(path))
            })
            .unwrap_or(false);
        if open {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("logsift (pid {pid}) never opened {}", path.display());
}

#[test]
fn a_followed_file_shows_appended_lines_and_stops_after_max_iterations() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let report = dir.path().join("report.md");
    std::fs::write(&log, "api-1  | ERROR old problem before the start\n").unwrap();
    let started = Instant::now();
    let child = Command::new(bin())
        .args([
            "monitor",
            "--interval",
            "1",
            "--max-iterations",
            "2",
            "--file",
        ])
        .arg(&log)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_open(child.id(), &log);
    std::thread::sleep(Duration::from_millis(200));
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    writeln!(f, "api-1  | ERROR connect ECONNREFUSED 10.0.0.5:5432").unwrap();
    drop(f);
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("[new] ERROR connect ECONNREFUSED"), "{text}");
    assert!(
        !text.contains("old problem"),
        "a followed file starts at its end: {text}"
    );
    assert!(text.contains("interval 2:"), "{text}");
    assert!(text.contains("── stopped after --max-iterations"), "{text}");
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.starts_with("# logsift report"), "{md}");
    assert!(md.contains("ECONNREFUSED"), "{md}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_cleanly_with_a_final_summary() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "api-1  | ERROR boom\n").unwrap();
    let child = Command::new(bin())
        .args(["monitor", "--from-start", "--interval", "60", "--file"])
        .arg(&log)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[new] ERROR boom"), "{text}");
    assert!(
        text.contains("── stopped on signal: 0 critical, 1 error"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_missing_followed_file_is_told_once_and_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("not-yet.log");
    let out = Command::new(bin())
        .args([
            "monitor",
            "--interval",
            "1",
            "--max-iterations",
            "2",
            "--file",
        ])
        .arg(&log)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("cannot open").count(),
        1,
        "one notice while waiting: {text}"
    );
    assert!(text.contains("not-yet.log"), "{text}");
    assert!(text.contains("waiting for it"), "{text}");
}

#[test]
fn an_engine_unreachable_at_start_is_one_line_and_exit_2() {
    let out = logsift()
        .args([
            "monitor",
            "-p",
            "x",
            "--host",
            "unix:///nonexistent/docker.sock",
            "--interval",
            "1",
        ])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Docker Engine"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
