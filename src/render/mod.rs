//! Renderers: one per output format, all over the same [`Report`], each writing to a writer it
//! is handed. Only `main.rs` touches stderr; only these write the report.

pub mod github;
pub mod json;
pub mod markdown;
pub mod text;

use std::io::{self, Write};

use crate::cli::ReportFormat;
use crate::report::Report;

/// Options that only the text renderer reads.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Most groups listed.
    pub top: usize,
}

/// Writes `report` as `format`.
pub fn render(
    report: &Report,
    format: ReportFormat,
    text: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Text => text::render(report, text, out),
        ReportFormat::Json => json::render(report, out),
        ReportFormat::Github => github::render(report, out),
        ReportFormat::Markdown => markdown::render(report, out),
    }
}

/// `n` and `noun`, plural unless `n` is 1: `1 line`, `2 lines`, `0 events`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Makes untrusted log text safe for a terminal: control, bidi and zero-width characters are
/// escaped (`\x1b`, `\u{202e}`), so a log line cannot move the cursor or hide text.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\t' {
            out.push_str("    ");
        } else if bad(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            sanitize("ok\x1b[2Jgone\u{202e}"),
            "ok\\u{1b}[2Jgone\\u{202e}"
        );
        assert!(matches!(sanitize("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
