//! Saved-log shapes: prefixes, timestamps, json-file, plain, stdin, bad bytes, huge lines.

use std::io::Write;

use crate::{assert_covers_every_line, fixture, logsift, read_ndjson};

fn events_of(args: &[&str], stdin: Option<Vec<u8>>) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("events.ndjson");
    let mut cmd = logsift();
    cmd.arg("analyze")
        .args(args)
        .args(["--fail-on", "never", "--events"])
        .arg(&out);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    cmd.assert().code(0);
    read_ndjson(&out)
}

fn report_of(args: &[&str], stdin: Option<Vec<u8>>) -> serde_json::Value {
    let mut cmd = logsift();
    cmd.arg("analyze")
        .args(args)
        .args(["--fail-on", "never", "--format", "json"]);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn compose_v2_services_and_multiline_events_are_found() {
    let ev = events_of(&["--file", &fixture("compose_v2.log")], None);
    assert_covers_every_line(&ev, 24);
    let services: std::collections::BTreeSet<_> =
        ev.iter().map(|e| e["service"].as_str().unwrap()).collect();
    assert_eq!(
        services.into_iter().collect::<Vec<_>>(),
        ["api", "db", "web", "worker"]
    );
    // The postgres FATAL and its DETAIL are one event; so is the logged traceback.
    assert!(
        ev.iter()
            .any(|e| e["first_line"] == 6 && e["last_line"] == 7),
        "{ev:?}"
    );
    assert!(
        ev.iter()
            .any(|e| e["first_line"] == 8 && e["last_line"] == 14),
        "{ev:?}"
    );
}

#[test]
fn compose_v1_prefixes_timestamps_crlf_and_ansi_are_understood() {
    let r = report_of(
        &[
            "--file",
            &fixture("compose_v1_timestamps.log"),
            "--show",
            "all",
        ],
        None,
    );
    let services: Vec<_> = r["totals"]["by_service"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["api", "db"]);
    let texts: Vec<_> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["sample"]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"ERROR Unhandled exception in request handler"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .all(|t| !t.contains('\r') && !t.contains('\x1b') && !t.starts_with("2024-05-02T")),
        "{texts:?}"
    );
    let first = &r["groups"][0];
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["first_seen"]["time"], "2024-05-02T09:14:04.000Z");
}

#[test]
fn no_prefix_output_is_one_named_service() {
    let r = report_of(
        &[
            "--file",
            &fixture("no_prefix.log"),
            "--service-name",
            "ingest",
        ],
        None,
    );
    assert_eq!(r["totals"]["by_service"][0]["service"], "ingest");
    let ev = events_of(&["--file", &fixture("no_prefix.log")], None);
    assert_covers_every_line(&ev, 10);
    assert_eq!(
        (ev[1]["first_line"].as_u64(), ev[1]["last_line"].as_u64()),
        (Some(2), Some(10)),
        "{ev:?}"
    );
    // severity: asserted once the go pack lands (see packs)
}

#[test]
fn json_file_lines_are_decoded_and_partials_rejoined() {
    let r = report_of(
        &["--file", &fixture("json_file.log"), "--show", "all"],
        None,
    );
    assert_eq!(r["input"]["malformed_json_lines"], 1);
    let texts: Vec<_> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["sample"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        texts.contains(&"ERROR first half of a long line and its second half".to_owned()),
        "{texts:?}"
    );
    let ev = events_of(&["--file", &fixture("json_file.log")], None);
    assert_covers_every_line(&ev, 5);
}

#[test]
fn input_format_can_be_forced() {
    let r = report_of(
        &[
            "--file",
            &fixture("json_file.log"),
            "--input-format",
            "plain",
            "--show",
            "all",
        ],
        None,
    );
    assert_eq!(r["input"]["malformed_json_lines"], 0);
    assert!(r["groups"][0]["sample"]["text"]
        .as_str()
        .unwrap()
        .starts_with("{\"log\""));
}

#[test]
fn stdin_is_read_when_piped_and_with_file_dash() {
    let input = std::fs::read(crate::root().join(fixture("compose_v2.log"))).unwrap();
    let a = report_of(&[], Some(input.clone()));
    let b = report_of(&["--file", "-"], Some(input));
    assert_eq!(a["input"]["kind"], "stdin");
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["totals"]["events"], 17);
}

#[test]
fn invalid_utf8_is_kept_not_dropped() {
    let r = report_of(&["--file", &fixture("invalid_utf8.log")], None);
    assert_eq!(r["input"]["invalid_utf8_lines"], 1);
    assert_eq!(r["totals"]["by_severity"]["error"], 1);
    let text = r["groups"][0]["sample"]["text"].as_str().unwrap();
    assert!(
        text.contains("caf\u{fffd}") && text.contains("broken bytes kept"),
        "{text}"
    );
}

#[test]
fn a_huge_line_without_newline_is_truncated_and_counted() {
    // 64 MiB in one line, streamed: kept up to the line cap, counted as truncated.
    let mut input = b"api-1  | ERROR ".to_vec();
    input.resize(64 << 20, b'x');
    input.extend_from_slice(b"\napi-1  | INFO after\n");
    let r = report_of(&[], Some(input));
    assert_eq!(r["input"]["truncated_lines"], 1);
    assert_eq!(r["input"]["lines"], 2);
    assert_eq!(r["totals"]["by_severity"]["error"], 1);
}

#[test]
fn multiline_off_makes_every_line_an_event() {
    let ev = events_of(
        &["--file", &fixture("compose_v2.log"), "--multiline", "off"],
        None,
    );
    assert_eq!(ev.len(), 24);
}

#[test]
fn lines_of_services_never_join_each_other() {
    let mut input = Vec::new();
    writeln!(input, "api-1  | Traceback (most recent call last):").unwrap();
    writeln!(input, "db-1   |   indented db line").unwrap();
    writeln!(input, "api-1  |   File \"x.py\", line 1").unwrap();
    let ev = events_of(&[], Some(input));
    assert_eq!(ev.len(), 3);
}
