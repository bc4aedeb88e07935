//! Bad input: one line on stderr naming what is wrong, exit 2, no panic.

use predicates::prelude::*;

use crate::{fixture, logsift};

fn one_error_line(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err.lines().count(),
        1,
        "expected one line on stderr, got: {err}"
    );
    assert!(err.starts_with("logsift: error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn a_missing_file_is_one_line_and_exit_2() {
    let out = logsift()
        .args(["analyze", "--file", "no/such.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(err.contains("cannot open `no/such.log`"), "{err}");
}

#[test]
fn monitor_refuses_until_and_tail_instead_of_ignoring_them() {
    for flag in [["--until", "5m"], ["--tail", "10"]] {
        let out = logsift()
            .args(["monitor", "-p", "nosuchproject"])
            .args(flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        let err = one_error_line(&out);
        assert!(
            err.contains("--until and --tail apply to `analyze`"),
            "{err}"
        );
    }
}

#[test]
fn a_pack_with_a_toml_error_names_file_and_line() {
    let out = logsift()
        .args([
            "analyze",
            "--file",
            &fixture("clean.log"),
            "--patterns",
            &fixture("packs/bad_toml.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(
        err.contains("tests/fixtures/packs/bad_toml.toml:3: invalid TOML"),
        "{err}"
    );
}

#[test]
fn a_pack_with_an_invalid_regex_names_file_line_and_rule() {
    let out = logsift()
        .args([
            "patterns",
            "test",
            "--patterns",
            &fixture("packs/bad_regex.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(
        err.contains(
            "tests/fixtures/packs/bad_regex.toml:5: rule `local-bad-regex`: invalid regex"
        ),
        "{err}"
    );
}

#[test]
fn a_pack_with_an_unknown_category_names_file_line_and_rule() {
    let out = logsift()
        .args([
            "analyze",
            "--file",
            &fixture("clean.log"),
            "--patterns",
            &fixture("packs/bad_category.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(
        err.contains("bad_category.toml:3: rule `local-bad-category`: unknown category `netwerk`"),
        "{err}"
    );
}

#[test]
fn a_pack_with_a_failing_sample_names_file_line_and_rule() {
    let out = logsift()
        .args([
            "patterns",
            "test",
            "--patterns",
            &fixture("packs/bad_sample.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(
        err.contains("bad_sample.toml:1: rule `local-bad-sample`: sample does not match: \"boom\""),
        "{err}"
    );
}

#[test]
fn a_missing_pack_file_is_an_error() {
    logsift()
        .args(["patterns", "list", "--patterns", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml: cannot read"));
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    logsift().args(["analyze", "--frobnicate"]).assert().code(2);
}

#[test]
fn the_benchmark_knob_is_no_flag_and_a_bad_value_is_one_line() {
    // Not a flag, so no "did you mean" offers it to a mistyped flag.
    let out = logsift().args(["analyze", "--wrong"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("grouping"));
    let out = logsift()
        .args(["analyze", "--file", &fixture("clean.log")])
        .env("LOGSIFT_GROUPING", "maybe")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = one_error_line(&out);
    assert!(err.contains("LOGSIFT_GROUPING=maybe"), "{err}");
}

#[test]
fn an_unwritable_output_is_an_error() {
    logsift()
        .args([
            "analyze",
            "--file",
            &fixture("clean.log"),
            "--output",
            "/nonexistent/dir/report.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot create `/nonexistent/dir/report.txt`",
        ));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // `logsift ... | head -0`: the reader goes away; we exit quietly.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; {} analyze --file {} --fail-on never --format json | head -c 0; echo \"status=${{PIPESTATUS[0]}}\"",
            assert_cmd::cargo::cargo_bin("logsift").display(),
            fixture("compose_v2.log")
        ))
        .current_dir(crate::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("status=0") || stdout.contains("status=141"),
        "{stdout}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
