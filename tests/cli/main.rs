//! CLI tests: the `logsift` binary run on real inputs, checking exit codes, stderr and reports.
//!
//! Modules by theme; fixtures are under `tests/fixtures/` (see its README), the shared labelled
//! logs under `../shared/data` are used where present and skipped with a message otherwise.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // test helpers: a failed unwrap is a failed test

mod accuracy;
mod errors;
mod exit_codes;
mod inputs;
mod monitor;
mod packs;
mod reports;
mod shared_data;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The crate root: tests run there so paths in reports are stable and relative.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `logsift` with the crate root as working directory and no config file lookup surprises.
pub fn logsift() -> Command {
    let mut c = Command::cargo_bin("logsift").expect("the binary is built");
    c.current_dir(root())
        .env_remove("LOGSIFT_FORMAT")
        .env("NO_COLOR", "1");
    c
}

/// Path of a fixture, relative to the crate root.
pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// `../shared/data/<sub>` when it exists.
pub fn shared_data(sub: &str) -> Option<PathBuf> {
    let p = root().join("..").join("shared").join("data").join(sub);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} is absent (a fresh clone has no ../shared)",
            p.display()
        );
        None
    }
}

/// The `.log` files in `dir`, sorted.
pub fn logs_in(dir: &Path) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    logs.sort();
    logs
}

/// Parses an NDJSON file.
pub fn read_ndjson(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Checks that `events` cover lines 1..=n exactly once, in order.
pub fn assert_covers_every_line(events: &[serde_json::Value], n: u64) {
    let mut next = 1;
    for e in events {
        let first = e["first_line"].as_u64().unwrap();
        let last = e["last_line"].as_u64().unwrap();
        assert_eq!(first, next, "event {e} should start at line {next}");
        assert!(last >= first);
        next = last + 1;
    }
    assert_eq!(
        next,
        n + 1,
        "events end at line {}, input has {n}",
        next - 1
    );
}
