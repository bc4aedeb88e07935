//! Exit codes: 0 clean, 1 findings at or above --fail-on, 2 errors.

use crate::{fixture, logsift};

#[test]
fn a_clean_log_exits_0() {
    logsift()
        .args(["analyze", "--file", &fixture("clean.log")])
        .assert()
        .code(0);
}

#[test]
fn errors_exit_1_by_default() {
    logsift()
        .args(["analyze", "--file", &fixture("compose_v2.log")])
        .assert()
        .code(1);
}

#[test]
fn fail_on_never_exits_0_even_with_errors() {
    logsift()
        .args([
            "analyze",
            "--file",
            &fixture("compose_v2.log"),
            "--fail-on",
            "never",
        ])
        .assert()
        .code(0);
}

#[test]
fn fail_on_critical_ignores_plain_errors() {
    // invalid_utf8.log has one ERROR line and nothing critical.
    logsift()
        .args([
            "analyze",
            "--file",
            &fixture("invalid_utf8.log"),
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(0);
    logsift()
        .args([
            "analyze",
            "--file",
            &fixture("invalid_utf8.log"),
            "--fail-on",
            "error",
        ])
        .assert()
        .code(1);
}

#[test]
fn fail_on_warning_counts_warnings() {
    let input = "api-1  | WARN disk almost full\n";
    logsift()
        .args(["analyze", "--fail-on", "error"])
        .write_stdin(input)
        .assert()
        .code(0);
    logsift()
        .args(["analyze", "--fail-on", "warning"])
        .write_stdin(input)
        .assert()
        .code(1);
}

#[test]
fn empty_input_exits_0() {
    logsift().args(["analyze"]).write_stdin("").assert().code(0);
}
