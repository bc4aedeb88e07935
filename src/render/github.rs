//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per group,
//! with the data escaped as the runner requires (`%`, `\r`, `\n` in the message; also `:` and `,`
//! in properties), see
//! <https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions>.

use std::io::{self, Write};

use crate::classify::Severity;
use crate::report::Report;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one workflow command per group.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for g in &report.groups {
        let command = match g.severity {
            Severity::Critical | Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "notice",
        };
        let title = format!(
            "{} {} in {} (x{})",
            g.severity.as_str(),
            g.category.as_str(),
            g.services.join(", "),
            g.count
        );
        let mut message = g.sample.text.clone();
        if let Some(h) = &g.hint {
            message.push_str("\nhint: ");
            message.push_str(h);
        }
        writeln!(
            out,
            "::{command} title={}::{}",
            escape_property(&title),
            escape_data(&message)
        )?;
    }
    let s = &report.totals.by_severity;
    writeln!(
        out,
        "::notice title=logsift::{} critical, {} error, {} warning in {} ({})",
        s.critical,
        s.error,
        s.warning,
        super::count(report.totals.events, "event"),
        report.verdict.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_data_is_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("x: y, z"), "x%3A y%2C z");
    }
}
