//! The JSON report. Byte-identical for identical input (every list is sorted, no wall-clock time).
//!
//! Schema, version 1 (`schema_version`; a field may be added without a bump, a change of
//! meaning or removal bumps it):
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "tool":    { "name": "logsift", "version": "0.1.0", "grouping_version": "g1" },
//!   "input":   { "kind": "file"|"stdin"|"engine", "name": path|project|null, "lines": n, "bytes": n,
//!                "truncated_lines": n, "invalid_utf8_lines": n, "malformed_json_lines": n,
//!                "events": n },
//!   "verdict": { "status": "pass"|"fail", "fail_on": "critical"|"error"|"warning"|"never",
//!                "worst": severity|null, "failing_events": n, "failing_containers": n },
//!   "totals":  { "events": n,
//!                "by_severity": { "critical": n, "error": n, "warning": n, "info": n, "debug": n },
//!                "by_category": [ { "category": c, "critical": n, ... } ],   (category order)
//!                "by_service":  [ { "service": s, "events": n, "critical": n, ... } ], (by name)
//!                "ignored":     [ { "rule": id, "events": n } ],
//!                "groups": n, "evicted_groups": n, "other_events": n },
//!   "groups":  [ { "id": "16 hex digits", "severity": s, "category": c, "rule": id|null,
//!                  "description": text|null, "hint": text|null, "template": masked text,
//!                  "count": n, "services": [s], "first_seen": { "line": n, "time": rfc3339|null },
//!                  "last_seen": {...}, "sample": { "service": s, "first_line": n, "last_line": n,
//!                  "text": raw text, "before": [line], "after": [line] } } ],
//!   "containers": [ { "name": s, "service": s, "state": "running"|"exited"|…, "exit_code": n|null,
//!                  "oom_killed": bool, "restart_count": n, "health": s|null,
//!                  "health_output": text|null, "error": text|null, "logs_error": text|null,
//!                  "finding": { "severity": s, "category": c, "message": text }|null } ]
//!                  (engine only, by service then container number; [] for saved logs)
//! }
//! ```
//! Severities: `critical`, `error`, `warning`, `info`, `debug`. Categories: `database`, `auth`,
//! `network`, `config`, `resource`, `dependency`, `timeout`, `permission`, `code`, `migration`,
//! `websocket`, `cors`, `tls`, `none`. Groups are sorted by severity, then count, then first
//! sighting; only groups at or above `--show` are listed.

use std::io::{self, Write};

use crate::report::Report;

/// Writes the report as pretty JSON with a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
