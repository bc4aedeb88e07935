//! The text report for people: a verdict line, tables of totals (comfy-table) and the top groups
//! with their sample, context and hint. Colour only when asked (the caller decides from the
//! terminal and `--color`); log text is sanitised before it reaches the terminal.

use std::io::{self, Write};

use comfy_table::{
    presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Color, ContentArrangement, Table,
};

use super::{sanitize, TextOptions};
use crate::classify::Severity;
use crate::report::{Report, SeverityCounts};

/// Lines of a sample shown.
const SAMPLE_LINES: usize = 12;

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;35",
        Severity::Error => "1;31",
        Severity::Warning => "33",
        Severity::Info => "32",
        Severity::Debug => "2",
    }
}

fn table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    if !color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    t
}

fn count_cell(n: u64, s: Severity, color: bool) -> Cell {
    let c = Cell::new(n).set_alignment(CellAlignment::Right);
    if color && n > 0 {
        c.fg(match s {
            Severity::Critical => Color::Magenta,
            Severity::Error => Color::Red,
            Severity::Warning => Color::Yellow,
            _ => Color::Reset,
        })
    } else {
        c
    }
}

fn problem_cells(n: &SeverityCounts, color: bool) -> Vec<Cell> {
    [Severity::Critical, Severity::Error, Severity::Warning]
        .into_iter()
        .map(|s| count_cell(n.get(s), s, color))
        .collect()
}

/// Writes the text report.
pub fn render(report: &Report, opts: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let color = opts.color;
    let t = &report.totals;
    let s = &t.by_severity;
    let source = match &report.input.name {
        Some(n) => format!("{} {}", report.input.kind, n),
        None => report.input.kind.to_owned(),
    };
    writeln!(
        out,
        "logsift: {}, {}, {} ({source})",
        super::count(report.input.stats.lines, "line"),
        super::count(t.events, "event"),
        super::count(t.by_service.len() as u64, "service")
    )?;
    let verdict = if report.failed() {
        paint("FAIL", "1;31", color)
    } else {
        paint("PASS", "1;32", color)
    };
    writeln!(
        out,
        "{verdict}: {} critical, {} error, {} warning (fail on: {})",
        s.critical, s.error, s.warning, report.verdict.fail_on
    )?;
    containers(report, color, out)?;
    if s.problems() == 0 {
        writeln!(out, "\nNo problems found.")?;
        return notes(report, out);
    }

    let mut cats = table(color);
    cats.set_header(["category", "critical", "error", "warning"]);
    for c in t.by_category.iter().filter(|c| c.counts.problems() > 0) {
        let mut row = vec![Cell::new(c.category.as_str())];
        row.extend(problem_cells(&c.counts, color));
        cats.add_row(row);
    }
    writeln!(out, "\n{cats}")?;

    let mut svcs = table(color);
    svcs.set_header(["service", "events", "critical", "error", "warning"]);
    for sv in &t.by_service {
        let mut row = vec![
            Cell::new(sanitize(&sv.service)),
            Cell::new(sv.events).set_alignment(CellAlignment::Right),
        ];
        row.extend(problem_cells(&sv.counts, color));
        svcs.add_row(row);
    }
    writeln!(out, "{svcs}")?;

    let shown = report.groups.len().min(opts.top);
    writeln!(
        out,
        "\nProblems ({shown} of {} groups shown, worst first):",
        report.groups.len()
    )?;
    for (i, g) in report.groups.iter().take(opts.top).enumerate() {
        let sev = paint(
            &format!("{:<8}", g.severity.as_str().to_uppercase()),
            severity_code(g.severity),
            color,
        );
        let rule = g
            .rule
            .as_deref()
            .map(|r| format!(" [{r}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "\n{:>3}. {sev} {} x{} in {}{rule}",
            i + 1,
            g.category.as_str(),
            g.count,
            sanitize(&g.services.join(", ")),
        )?;
        if let Some(d) = &g.description {
            writeln!(out, "     {}", sanitize(d))?;
        }
        let sm = &g.sample;
        let lines = if sm.first_line == sm.last_line {
            format!("line {}", sm.first_line)
        } else {
            format!("lines {}-{}", sm.first_line, sm.last_line)
        };
        writeln!(
            out,
            "     first at line {}, last at line {}; sample from {} ({lines}):",
            g.first_seen.line,
            g.last_seen.line,
            sanitize(&sm.service)
        )?;
        for l in &sm.before {
            writeln!(
                out,
                "     {} {}",
                paint("·", "2", color),
                paint(&sanitize(l), "2", color)
            )?;
        }
        let text_lines: Vec<&str> = sm.text.lines().collect();
        for l in text_lines.iter().take(SAMPLE_LINES) {
            writeln!(out, "     | {}", sanitize(l))?;
        }
        if text_lines.len() > SAMPLE_LINES {
            writeln!(
                out,
                "     | … {} more lines",
                text_lines.len() - SAMPLE_LINES
            )?;
        }
        for l in &sm.after {
            writeln!(
                out,
                "     {} {}",
                paint("·", "2", color),
                paint(&sanitize(l), "2", color)
            )?;
        }
        if let Some(h) = &g.hint {
            writeln!(
                out,
                "     {} {}",
                paint("hint:", "1;36", color),
                sanitize(h)
            )?;
        }
    }
    if report.groups.len() > shown {
        writeln!(
            out,
            "\n… {} more groups (--top N, or --format json for all)",
            report.groups.len() - shown
        )?;
    }
    notes(report, out)
}

/// One line per container whose state is a finding, or whose logs could not be read.
fn containers(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let bad: Vec<_> = report
        .containers
        .iter()
        .filter(|c| c.finding.is_some() || c.logs_error.is_some())
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nContainers:")?;
    for c in bad {
        if let Some(f) = &c.finding {
            let sev = paint(
                &format!("{:<8}", f.severity.as_str().to_uppercase()),
                severity_code(f.severity),
                color,
            );
            writeln!(
                out,
                "  {sev} {} ({}, {}): {}",
                sanitize(&c.name),
                sanitize(&c.service),
                f.category.as_str(),
                sanitize(&f.message)
            )?;
        }
        if let Some(e) = &c.logs_error {
            writeln!(
                out,
                "  {} {}: logs unreadable: {}",
                paint("WARNING ", severity_code(Severity::Warning), color),
                sanitize(&c.name),
                sanitize(e)
            )?;
        }
    }
    Ok(())
}

fn notes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    let mut notes = Vec::new();
    let ignored: u64 = t.ignored.iter().map(|i| i.events).sum();
    if ignored > 0 {
        notes.push(format!(
            "{ignored} expected events ignored by {} rules",
            t.ignored.len()
        ));
    }
    if t.other_events > 0 {
        notes.push(format!(
            "{} least recently seen groups ({} events) evicted to stay within --max-groups",
            t.evicted_groups, t.other_events
        ));
    }
    if report.input.stats.truncated_lines > 0 {
        notes.push(format!(
            "{} over-long lines truncated",
            report.input.stats.truncated_lines
        ));
    }
    if report.input.stats.malformed_json_lines > 0 {
        notes.push(format!(
            "{} json-file lines were not JSON (kept as text)",
            report.input.stats.malformed_json_lines
        ));
    }
    if !notes.is_empty() {
        writeln!(out, "\nnote: {}", notes.join("; "))?;
    }
    Ok(())
}
