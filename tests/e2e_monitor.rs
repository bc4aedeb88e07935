//! `logsift monitor` end to end against a real Docker Engine: a new error printed within a second
//! of its engine timestamp; lifecycle lines (OOM kill, crash loop, unhealthy with the probe's
//! output, recovered); restarts, a recreate and a scale 1 -> 3 -> 1 followed with every line of a
//! counting generator counted exactly once; `--max-iterations`, SIGTERM and their exit codes; a
//! reloaded `--state` not re-announcing; plain output through a pipe and colour in a tmux pty.
//!
//! Each test has its own project and image, taken down by a guard even when it fails; without an
//! engine the tests print why and pass, except under `CI=true`.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support;

use std::time::Duration;

use support::{engine_ready, rfc3339_ns, run, system_ns, Monitor, Project};

#[test]
fn a_new_error_is_printed_within_a_second_and_lifecycle_changes_as_they_happen() {
    if !engine_ready() {
        return;
    }
    let p = Project::new(
        "life",
        r#"version: "2.4"
services:
  app:
    image: IMAGE
    command: ["sh", "-c", "sleep 4; echo 'ERROR fresh problem in the payment worker'; sleep 3600"]
  probe:
    image: IMAGE
    command: ["sh", "-c", "sleep 3600"]
    healthcheck:
      test: ["CMD", "sh", "-c", "test -f /ok || { echo probe-marker-not-ready; exit 1; }"]
      interval: 1s
      timeout: 1s
      retries: 1
  oom:
    image: IMAGE
    mem_limit: 16m
    memswap_limit: 16m
    command: ["sh", "-c", "sleep 2; x=$$(head -c 200000000 /dev/zero | tr '\\0' x); echo survived"]
  loop:
    image: IMAGE
    restart: always
    command: ["sh", "-c", "sleep 1; echo 'FATAL: cannot start'; exit 3"]
"#,
    );
    let mut m = Monitor::start(&["-p", &p.name, "--interval", "2", "--fail-on", "error"]);
    // The project has no containers yet: the monitor waits for them.
    m.wait_line("no containers of project", 15);
    p.compose(&["up", "-d"]);

    let seen = m.wait_line("[new] ERROR fresh problem in the payment worker", 30);
    let logs = p.logs(&p.container("app", 1));
    let stamp = logs
        .lines()
        .find(|l| l.contains("ERROR fresh problem"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no engine timestamp in {logs}"));
    let latency_ms = (system_ns(seen.at) - rfc3339_ns(stamp)) / 1_000_000;
    assert!(
        (0..=1000).contains(&latency_ms),
        "printed {latency_ms} ms after its engine timestamp"
    );
    assert!(seen.text.contains(" app ERROR"), "{}", seen.text);

    // The first lifecycle line of the `oom` container: the OOM kill, or, when the engine missed
    // it (Docker 20.10 on cgroup v2 at times does, and sends no `oom` event), its SIGKILL exit.
    let oom = m.wait_line(&format!("{}: ", p.container("oom", 1)), 30);
    if oom.text.contains("[oom]") {
        assert!(
            oom.text.contains("CRITICAL") && oom.text.contains("resource"),
            "{}",
            oom.text
        );
    } else {
        eprintln!("note: the engine sent no oom event (Docker 20.10 on cgroup v2)");
        assert!(
            oom.text.contains("[exit]") && oom.text.contains("exited with code 137 (SIGKILL)"),
            "{}",
            oom.text
        );
    }
    let unhealthy = m.wait_line("[unhealthy]", 30);
    assert!(
        unhealthy.text.contains("probe-marker-not-ready"),
        "the probe's output is told: {}",
        unhealthy.text
    );
    let r = run(&[
        "docker",
        "exec",
        &p.container("probe", 1),
        "sh",
        "-c",
        ": > /ok",
    ])
    .unwrap();
    assert!(r.status.success());
    m.wait_line("[recovered]", 30);
    let crash = m.wait_line("[crash-loop]", 60);
    assert!(crash.text.contains("CRITICAL"), "{}", crash.text);
    m.wait_line("[exit] ", 5);

    m.terminate();
    let (code, err) = m.wait_exit(20);
    let text = m.text();
    assert_eq!(code, 1, "errors were seen; stderr: {err}\n{text}");
    assert!(text.contains("── stopped on signal:"), "{text}");
    assert_eq!(
        text.matches("[new] ERROR fresh problem").count(),
        1,
        "announced once: {text}"
    );
    assert!(!text.contains('\x1b'), "no colour through a pipe: {text:?}");
}

/// A generator that prints `ERROR gen seq <n>` for n in 1..=50 at each start, then `gen done`.
const GENERATOR: &str = r#"version: "2.4"
services:
  gen:
    image: IMAGE
    command:
      - sh
      - -c
      - |
        i=0
        while [ $$i -lt 50 ]; do i=$$((i+1)); echo "ERROR gen seq $$i"; done
        echo "gen done"
        sleep 3600
"#;

/// Events counted in a state file's groups whose template contains `needle` (0 before the file).
fn state_count(path: &std::path::Path, needle: &str) -> u64 {
    let Ok(bytes) = std::fs::read(path) else {
        return 0;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return 0;
    };
    v["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|g| g["template"].as_str().unwrap_or("").contains(needle))
        .map(|g| g["count"].as_u64().unwrap_or(0))
        .sum()
}

/// Waits (60 s at most) until the state counts `expected` generator lines.
fn wait_counted(m: &Monitor, state: &std::path::Path, expected: u64, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let n = state_count(state, "gen seq");
        if n >= expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {n} of {expected} lines counted; output:\n{}",
            m.text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn restarts_a_recreate_and_scaling_lose_and_double_no_line() {
    if !engine_ready() {
        return;
    }
    let p = Project::new("seq", GENERATOR);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut m = Monitor::start(&[
        "-p",
        &p.name,
        "--interval",
        "1",
        "--state",
        state.to_str().unwrap(),
        "--fail-on",
        "never",
    ]);
    m.wait_line("no containers of project", 15);
    p.compose(&["up", "-d"]);
    let gen1 = p.container("gen", 1);
    let runs_done = |c: &str| p.logs(c).matches("gen done").count();
    p.wait("first run", 30, || runs_done(&gen1) == 1);
    let mut expected = 50;
    wait_counted(&m, &state, expected, "first run counted");
    for run_no in 2..=6 {
        p.compose(&["restart", "-t", "0", "gen"]);
        p.wait("restarted run", 30, || runs_done(&gen1) == run_no);
        expected += 50;
        wait_counted(&m, &state, expected, "restarted run counted");
    }
    p.compose(&["up", "-d", "--force-recreate", "gen"]);
    expected += 50;
    wait_counted(&m, &state, expected, "recreated run counted");
    p.compose(&["up", "-d", "--scale", "gen=3"]);
    expected += 100;
    wait_counted(&m, &state, expected, "scaled-up runs counted");
    p.compose(&["up", "-d", "--scale", "gen=1"]);
    // Give a late duplicate time to show.
    std::thread::sleep(Duration::from_secs(3));
    m.terminate();
    let (code, err) = m.wait_exit(20);
    let text = m.text();
    assert_eq!(code, 0, "--fail-on never; stderr: {err}\n{text}");
    assert_eq!(
        state_count(&state, "gen seq"),
        expected,
        "9 runs of 50 lines, each counted once:\n{text}"
    );
    assert_eq!(text.matches("[restart]").count(), 5, "{text}");
    assert_eq!(text.matches("[new]").count(), 1, "{text}");
}

#[test]
fn max_iterations_and_sigterm_end_with_the_exit_code_of_the_findings() {
    if !engine_ready() {
        return;
    }
    let p = Project::new(
        "end",
        r#"version: "2.4"
services:
  bad:
    image: IMAGE
    command: ["sh", "-c", "echo 'ERROR database connection lost'; sleep 3600"]
  good:
    image: IMAGE
    command: ["sh", "-c", "echo 'all good'; sleep 3600"]
"#,
    );
    p.compose(&["up", "-d"]);
    p.wait("bad printed", 30, || {
        p.logs(&p.container("bad", 1)).contains("connection lost")
    });
    let mut m = Monitor::start(&[
        "-p",
        &p.name,
        "--service",
        "bad",
        "--since",
        "1h",
        "--interval",
        "1",
        "--max-iterations",
        "2",
    ]);
    let (code, err) = m.wait_exit(30);
    let text = m.text();
    assert_eq!(code, 1, "an error was seen; stderr: {err}\n{text}");
    assert!(
        text.contains("[new] ERROR database connection lost"),
        "{text}"
    );
    assert!(text.contains("── stopped after --max-iterations"), "{text}");

    let mut m = Monitor::start(&["-p", &p.name, "--service", "good", "--since", "1h"]);
    std::thread::sleep(Duration::from_secs(2));
    m.terminate();
    let (code, err) = m.wait_exit(20);
    let text = m.text();
    assert_eq!(code, 0, "nothing wrong in `good`; stderr: {err}\n{text}");
    assert!(
        text.contains("── stopped on signal: 0 critical, 0 error"),
        "{text}"
    );
}

#[test]
fn a_reloaded_state_does_not_announce_known_problems_again() {
    if !engine_ready() {
        return;
    }
    let p = Project::new(
        "state",
        r#"version: "2.4"
services:
  app:
    image: IMAGE
    command: ["sh", "-c", "echo 'ERROR cache shard 7 unreachable'; sleep 3600"]
"#,
    );
    p.compose(&["up", "-d"]);
    p.wait("app printed", 30, || {
        p.logs(&p.container("app", 1)).contains("unreachable")
    });
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let args = [
        "-p",
        &p.name,
        "--since",
        "1h",
        "--interval",
        "1",
        "--max-iterations",
        "1",
        "--state",
        state.to_str().unwrap(),
    ];
    let mut first = Monitor::start(&args);
    first.wait_exit(30);
    assert!(
        first
            .text()
            .contains("[new] ERROR cache shard <num> unreachable"),
        "{}",
        first.text()
    );
    let mut second = Monitor::start(&args);
    second.wait_exit(30);
    let text = second.text();
    assert!(!text.contains("[new]"), "known from the state: {text}");
    assert!(text.contains("1 error"), "still counted: {text}");
}

#[test]
fn on_a_terminal_the_output_is_coloured() {
    if !engine_ready() {
        return;
    }
    if run(&["tmux", "-V"]).is_none_or(|o| !o.status.success()) {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "tmux missing");
        eprintln!("pty test skipped: tmux is missing");
        return;
    }
    let p = Project::new(
        "tty",
        r#"version: "2.4"
services:
  app:
    image: IMAGE
    command: ["sh", "-c", "echo 'ERROR disk quota exceeded on volume data'; sleep 3600"]
"#,
    );
    p.compose(&["up", "-d"]);
    p.wait("app printed", 30, || {
        p.logs(&p.container("app", 1)).contains("quota")
    });
    let session = format!("{}tmux", p.name);
    struct Session(String);
    impl Drop for Session {
        fn drop(&mut self) {
            let _ = run(&["tmux", "kill-session", "-t", &self.0]);
        }
    }
    let started = run(&[
        "tmux",
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "200",
        "-y",
        "50",
        "sh",
    ])
    .unwrap();
    assert!(started.status.success(), "{started:?}");
    let _guard = Session(session.clone());
    let screen = |p: &Project| {
        let _ = p;
        let o = run(&["tmux", "capture-pane", "-p", "-e", "-t", &session]).unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let bin = assert_cmd::cargo::cargo_bin("logsift");
    let cmd = format!(
        "{} monitor -p {} --since 1h --interval 60; echo exit-code-$?-end",
        bin.display(),
        p.name
    );
    let sent = run(&["tmux", "send-keys", "-t", &session, &cmd, "Enter"]).unwrap();
    assert!(sent.status.success());
    let mut shown = String::new();
    p.wait("the new problem on the screen", 30, || {
        shown = screen(&p);
        shown.contains("[new] ERROR disk quota")
    });
    let line = shown
        .lines()
        .find(|l| l.contains("[new] ERROR disk quota"))
        .unwrap();
    assert!(line.contains("\x1b["), "the severity is coloured: {line:?}");
    // Ctrl-C through the pty stops it cleanly, with the summary and the exit code of an error.
    let sent = run(&["tmux", "send-keys", "-t", &session, "C-c"]).unwrap();
    assert!(sent.status.success());
    p.wait("the monitor stopped on Ctrl-C", 30, || {
        shown = screen(&p);
        // The typed command shows `exit-code-$?-end`; its output, the code.
        shown.lines().any(|l| l.starts_with("exit-code-"))
    });
    assert!(shown.contains("stopped on signal"), "{shown}");
    assert!(shown.contains("\nexit-code-1-end"), "{shown}");
}

#[test]
fn losing_the_engine_is_one_line_and_the_lines_after_the_reconnect_are_counted_once() {
    if !engine_ready() {
        return;
    }
    let engine = std::path::PathBuf::from("/var/run/docker.sock");
    if !engine.exists() {
        eprintln!("skipped: the engine is not at {}", engine.display());
        return;
    }
    let p = Project::new(
        "lost",
        r#"version: "2.4"
services:
  tick:
    image: IMAGE
    command:
      - sh
      - -c
      - |
        i=0
        while [ $$i -lt 200 ]; do i=$$((i+1)); echo "ERROR tick $$i"; usleep 50000; done
        echo "tick done"
        sleep 3600
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let proxy = support::SocketProxy::start(dir.path().join("docker.sock"), engine);
    let state = dir.path().join("state.json");
    let host = format!("unix://{}", proxy.path.display());
    let mut m = Monitor::start(&[
        "-p",
        &p.name,
        "--host",
        &host,
        "--interval",
        "1",
        "--state",
        state.to_str().unwrap(),
    ]);
    m.wait_line("no containers of project", 15);
    p.compose(&["up", "-d"]);
    m.wait_line("[new] ERROR tick", 15);
    proxy.cut();
    m.wait_line("lost the Docker Engine", 15);
    std::thread::sleep(Duration::from_secs(3));
    proxy.resume();
    m.wait_line("reconnected to the Docker Engine", 30);
    let gen = p.container("tick", 1);
    p.wait("generator done", 60, || p.logs(&gen).contains("tick done"));
    let printed = p.logs(&gen).matches("ERROR tick").count() as u64;
    assert_eq!(printed, 200);
    let count = |path: &std::path::Path| state_count(path, "tick");
    p.wait("every tick counted", 30, || count(&state) >= printed);
    std::thread::sleep(Duration::from_secs(2));
    m.terminate();
    let (code, err) = m.wait_exit(20);
    let text = m.text();
    assert_eq!(code, 1, "stderr: {err}\n{text}");
    assert_eq!(count(&state), printed, "each line once:\n{text}");
    assert_eq!(text.matches("lost the Docker Engine").count(), 1, "{text}");
    assert_eq!(text.matches("reconnected").count(), 1, "{text}");
}
