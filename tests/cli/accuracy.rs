//! Accuracy on `tests/fixtures/labelled`: 76 Compose logs labelled per event by the conventions of
//! `../shared/data/compose/README.md`, scored as `../shared/bench/eval_events.py` scores them
//! (the truth event's first line decides which of our events it is compared with). The floors sit
//! a little under today's figures, so a change that loses accuracy fails here even without
//! `../shared`.

use crate::{fixture, logs_in, logsift, read_ndjson, root};
use serde_json::Value;

#[derive(Debug, Default)]
struct Score {
    tp: u32,
    fp: u32,
    fn_: u32,
    category_ok: u32,
    error_events: u32,
    info_flagged: u32,
    info_events: u32,
    joined: u32,
    multiline_events: u32,
}

fn is_error(severity: &str) -> bool {
    matches!(severity, "error" | "critical")
}

fn score_file(log: &std::path::Path, truth: &[Value], s: &mut Score) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("events.ndjson");
    logsift()
        .arg("analyze")
        .arg("--file")
        .arg(log)
        .args(["--fail-on", "never", "--events"])
        .arg(&out)
        .assert()
        .code(0);
    let ours = read_ndjson(&out);
    let line = |e: &Value, k: &str| e[k].as_u64().unwrap();
    for t in truth {
        let first = line(t, "first_line");
        let p = ours
            .iter()
            .find(|p| line(p, "first_line") <= first && first <= line(p, "last_line"))
            .unwrap_or_else(|| panic!("{}: no event holds line {first}", log.display()));
        let t_sev = t["severity"].as_str().unwrap();
        let (t_err, p_err) = (is_error(t_sev), is_error(p["severity"].as_str().unwrap()));
        match (t_err, p_err) {
            (true, true) => s.tp += 1,
            (false, true) => s.fp += 1,
            (true, false) => s.fn_ += 1,
            (false, false) => {}
        }
        if t_err {
            s.error_events += 1;
            s.category_ok += u32::from(p["category"] == t["category"]);
        }
        if matches!(t_sev, "info" | "debug") {
            s.info_events += 1;
            s.info_flagged += u32::from(p_err);
        }
        if line(t, "last_line") > first {
            s.multiline_events += 1;
            s.joined += u32::from(
                line(p, "first_line") == first && line(p, "last_line") == line(t, "last_line"),
            );
        }
    }
}

#[test]
fn labelled_fixtures_are_classified_and_joined_accurately() {
    let dir = root().join(fixture("labelled"));
    let logs = logs_in(&dir);
    assert_eq!(logs.len(), 76);
    let mut s = Score::default();
    for log in &logs {
        let truth = read_ndjson(&log.with_extension("truth.jsonl"));
        score_file(log, &truth, &mut s);
    }
    let ratio = |a: u32, b: u32| f64::from(a) / f64::from(b);
    let precision = ratio(s.tp, s.tp + s.fp);
    let recall = ratio(s.tp, s.tp + s.fn_);
    let category = ratio(s.category_ok, s.error_events);
    let info_flagged = ratio(s.info_flagged, s.info_events);
    let joined = ratio(s.joined, s.multiline_events);
    eprintln!(
        "labelled fixtures: precision {precision:.3} recall {recall:.3} category {category:.3} \
         info flagged {info_flagged:.3} multi-line joined {joined:.3} ({s:?})"
    );
    assert_eq!(
        (s.error_events, s.info_events, s.multiline_events),
        (680, 2569, 417)
    );
    assert!(precision >= 0.93, "precision {precision:.3}");
    assert!(recall >= 0.92, "recall {recall:.3}");
    assert!(category >= 0.87, "category {category:.3}");
    assert!(info_flagged <= 0.01, "info flagged {info_flagged:.3}");
    assert!(joined >= 0.75, "multi-line joined {joined:.3}");
}
