//! Markdown report: for a CI step summary (`$GITHUB_STEP_SUMMARY`), an issue, or the file that
//! `monitor --report` rewrites each interval. Log text goes in fenced blocks, so it cannot
//! break the page's markup.

use std::io::{self, Write};

use crate::report::Report;

/// Longest sample shown, in lines.
const SAMPLE_LINES: usize = 20;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn fence(text: &str) -> &'static str {
    if text.contains("```") {
        "~~~~"
    } else {
        "```"
    }
}

/// Writes the report as Markdown.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    let s = &t.by_severity;
    let verdict = if report.failed() {
        "❌ fail"
    } else {
        "✅ pass"
    };
    writeln!(out, "# logsift report\n")?;
    writeln!(
        out,
        "**{verdict}** (fail on: {}): {} critical, {} error, {} warning in {} from {}.\n",
        report.verdict.fail_on,
        s.critical,
        s.error,
        s.warning,
        super::count(t.events, "event"),
        super::count(report.input.stats.lines, "line")
    )?;
    if s.problems() > 0 {
        writeln!(
            out,
            "| category | critical | error | warning |\n| --- | ---: | ---: | ---: |"
        )?;
        for c in t.by_category.iter().filter(|c| c.counts.problems() > 0) {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.category.as_str(),
                c.counts.critical,
                c.counts.error,
                c.counts.warning
            )?;
        }
        writeln!(out, "\n| service | events | critical | error | warning |\n| --- | ---: | ---: | ---: | ---: |")?;
        for sv in &t.by_service {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&sv.service),
                sv.events,
                sv.counts.critical,
                sv.counts.error,
                sv.counts.warning
            )?;
        }
    }
    if !report.groups.is_empty() {
        writeln!(out, "\n## Problems\n")?;
    }
    for g in &report.groups {
        let rule = g
            .rule
            .as_deref()
            .map(|r| format!(" `{r}`"))
            .unwrap_or_default();
        writeln!(
            out,
            "### {} · {} · ×{} · {}{rule}\n",
            g.severity.as_str(),
            g.category.as_str(),
            g.count,
            cell(&g.services.join(", "))
        )?;
        if let Some(d) = &g.description {
            writeln!(out, "{}\n", cell(d))?;
        }
        let sample: Vec<&str> = g.sample.text.lines().take(SAMPLE_LINES).collect();
        let body = sample.join("\n");
        let f = fence(&body);
        writeln!(out, "{f}text\n{body}\n{f}\n")?;
        if let Some(h) = &g.hint {
            writeln!(out, "**Hint:** {}\n", cell(h))?;
        }
    }
    Ok(())
}
