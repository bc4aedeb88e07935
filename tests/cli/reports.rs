//! Report bodies: insta snapshots of the text and JSON reports, determinism, context, formats.

use crate::{fixture, logsift};

fn stdout(args: &[&str]) -> String {
    let out = logsift().args(args).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn text_report_of_compose_v2() {
    let text = stdout(&[
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--color",
        "never",
    ]);
    insta::assert_snapshot!(text);
}

#[test]
fn json_report_of_compose_v2() {
    let json = stdout(&[
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--format",
        "json",
    ]);
    insta::assert_snapshot!(json);
}

#[test]
fn github_report_of_compose_v2() {
    let gh = stdout(&[
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--format",
        "github",
    ]);
    insta::assert_snapshot!(gh);
}

#[test]
fn text_report_of_a_clean_log() {
    insta::assert_snapshot!(stdout(&["analyze", "--file", &fixture("clean.log")]));
}

#[test]
fn json_is_byte_identical_across_runs() {
    let args = [
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--format",
        "json",
        "--context",
        "2",
    ];
    assert_eq!(stdout(&args), stdout(&args));
}

#[test]
fn json_states_its_schema_version() {
    let r: serde_json::Value = serde_json::from_str(&stdout(&[
        "analyze",
        "--file",
        &fixture("clean.log"),
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["verdict"]["status"], "pass");
}

#[test]
fn context_lines_of_the_same_service_surround_the_sample() {
    let input = "api-1  | INFO one\ndb-1   | INFO db\napi-1  | INFO two\napi-1  | ERROR boom\ndb-1   | INFO db2\napi-1  | INFO three\n";
    let out = logsift()
        .args(["analyze", "--format", "json", "--context", "2"])
        .write_stdin(input)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &r["groups"][0]["sample"];
    assert_eq!(s["text"], "ERROR boom");
    assert_eq!(s["before"], serde_json::json!(["INFO one", "INFO two"]));
    assert_eq!(s["after"], serde_json::json!(["INFO three"]));
}

#[test]
fn similar_errors_are_grouped_across_services() {
    let input = "a-1  | ERROR timeout after 30s talking to 10.0.0.1\nb-1  | ERROR timeout after 12s talking to 10.0.0.7\n";
    let out = logsift()
        .args(["analyze", "--format", "json"])
        .write_stdin(input)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["groups"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["groups"][0]["count"], 2);
    assert_eq!(r["groups"][0]["services"], serde_json::json!(["a", "b"]));
}

/// Real lines from the labelled compose logs: a quoted thread name of any number of words is one
/// variable, while two different commands that are missing are two problems.
#[test]
fn quoted_values_vary_but_different_words_stay_apart() {
    let input = concat!(
        "es-1  | Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in thread \"Connection evictor\"\n",
        "es-1  | Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in thread \"elasticsearch[scheduler][T#1]\"\n",
        "es-1  | Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in thread \"ticker-schedule-trigger-engine\"\n",
        "web-1  | /bin/sh: nodemon: not found\n",
        "ui-1  | /bin/sh: vue-cli-service: not found\n",
        "api-1  | /bin/sh: nodemon: not found\n",
    );
    let out = logsift()
        .args(["analyze", "--format", "json", "--fail-on", "never"])
        .write_stdin(input)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts: Vec<(u64, String)> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["count"].as_u64().unwrap(),
                g["sample"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(
        counts
            .iter()
            .any(|(n, l)| *n == 3 && l.contains("OutOfMemoryError")),
        "{counts:?}"
    );
    assert!(
        counts.iter().any(|(n, l)| *n == 2 && l.contains("nodemon")),
        "{counts:?}"
    );
    assert!(
        counts
            .iter()
            .any(|(n, l)| *n == 1 && l.contains("vue-cli-service")),
        "{counts:?}"
    );
}

#[test]
fn max_groups_caps_groups_and_tallies_the_rest() {
    let input: String = (0..50)
        .map(|i| {
            format!(
                "api-1  | ERROR distinct problem {}\n",
                "xyz".repeat(i % 7 + 1) + &"q".repeat(i)
            )
        })
        .collect();
    let out = logsift()
        .args(["analyze", "--format", "json", "--max-groups", "5"])
        .write_stdin(input)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["totals"]["groups"].as_u64().unwrap() <= 5,
        "{}",
        r["totals"]
    );
    assert!(
        r["totals"]["other_events"].as_u64().unwrap() >= 45,
        "{}",
        r["totals"]
    );
    assert_eq!(r["totals"]["by_severity"]["error"], 50);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    logsift()
        .args([
            "analyze",
            "--file",
            &fixture("compose_v2.log"),
            "--format",
            "json",
            "--output",
        ])
        .arg(&path)
        .assert()
        .code(1)
        .stdout("");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(r["verdict"]["status"], "fail");
}

#[test]
fn color_always_paints_and_never_does_not() {
    let coloured = stdout(&[
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--color",
        "always",
    ]);
    assert!(coloured.contains("\x1b["));
    let plain = stdout(&[
        "analyze",
        "--file",
        &fixture("compose_v2.log"),
        "--color",
        "never",
    ]);
    assert!(!plain.contains("\x1b["));
}

#[test]
fn log_text_cannot_reach_the_terminal_raw() {
    let input = "api-1  | ERROR evil \u{1b}]0;pwned\u{7} title and \u{202e}bidi\n";
    let out = logsift()
        .args(["analyze", "--color", "always"])
        .write_stdin(input)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{202e}'), "{text}");
    assert!(!text.contains("\u{1b}]0;"), "{text}");
}

#[test]
fn lines_of_one_shape_decided_by_different_rules_do_not_share_a_group() {
    // The ignored health check and the 502 mask alike; they are different things.
    let out = logsift()
        .args([
            "analyze",
            "--file",
            &fixture("compose_v2.log"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["rule"] == "access-log-502")
        .unwrap();
    assert_eq!(g["count"], 1);
    assert_eq!(g["first_seen"]["line"], 16);
}

#[test]
fn grouping_off_classifies_the_same_and_groups_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = |grouping: &str| {
        let events = dir.path().join(format!("{grouping}.ndjson"));
        logsift()
            .args([
                "analyze",
                "--file",
                "examples/shop.log",
                "--fail-on",
                "never",
            ])
            .env("LOGSIFT_GROUPING", grouping)
            .arg("--events")
            .arg(&events)
            .assert()
            .success();
        crate::read_ndjson(&events)
    };
    let (on, off) = (run("on"), run("off"));
    assert_eq!(on.len(), off.len());
    for (a, b) in on.iter().zip(&off) {
        for key in [
            "first_line",
            "last_line",
            "service",
            "severity",
            "category",
            "rule",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
        assert_eq!(b["group"], "other");
    }
    assert!(on.iter().all(|e| e["group"] != "other"));
}

#[test]
fn one_of_a_thing_is_singular_in_every_summary() {
    let run = |format: &str| {
        let out = logsift()
            .args(["analyze", "--color", "never", "--format", format])
            .write_stdin("api-1  | ERROR boom\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("text").starts_with("logsift: 1 line, 1 event, 1 service (stdin)\n"));
    assert!(run("markdown").contains(" in 1 event from 1 line.\n"));
    assert!(run("github").contains(" in 1 event (fail)"));
    let two = logsift()
        .args(["analyze", "--color", "never"])
        .write_stdin("api-1  | ERROR boom\nweb-1  | ERROR bang\n")
        .output()
        .unwrap();
    let two = String::from_utf8(two.stdout).unwrap();
    assert!(
        two.starts_with("logsift: 2 lines, 2 events, 2 services (stdin)\n"),
        "{two}"
    );
}
