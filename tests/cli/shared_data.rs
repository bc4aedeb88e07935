//! The labelled real logs of `../shared/data/compose`, where present: every file is read without
//! error, every line belongs to exactly one event, and events never span two services.

use crate::{assert_covers_every_line, logs_in, logsift, read_ndjson, shared_data};

#[test]
fn every_shared_compose_log_is_covered_event_by_event() {
    let Some(dir) = shared_data("compose") else {
        return;
    };
    let files = logs_in(&dir);
    assert!(!files.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    for log in files {
        let out = tmp.path().join("events.ndjson");
        logsift()
            .arg("analyze")
            .arg("--file")
            .arg(&log)
            .args(["--fail-on", "never", "--format", "json", "--events"])
            .arg(&out)
            .assert()
            .code(0);
        let events = read_ndjson(&out);
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_covers_every_line(&events, lines.len() as u64);
        for e in &events {
            let svc = e["service"].as_str().unwrap();
            for n in e["first_line"].as_u64().unwrap()..=e["last_line"].as_u64().unwrap() {
                let prefix = lines[n as usize - 1].split(' ').next().unwrap();
                assert!(
                    prefix.starts_with(svc),
                    "{}: line {n} ({prefix}) in an event of {svc}",
                    log.display()
                );
            }
        }
    }
}
