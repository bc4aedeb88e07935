//! Rule suggestions: groups that look like problems but match no rule, written as ready-to-paste
//! TOML rules (`logsift patterns suggest`), so packs grow from real logs.
//!
//! A group qualifies when no detection or ignore rule matched it and either its own level says
//! warning or worse, or its wording does ("failed", "refused", "exception", …). Its template
//! becomes the regex: literal text escaped, each placeholder a `\S+`, leading placeholders (a
//! timestamp, a pid) dropped so the rule does not depend on them.

use std::fmt::Write as _;

use crate::classify::{build_one, Category, Severity};

/// Most suggestions printed.
pub const MAX_SUGGESTIONS: usize = 50;

/// Words that make an unclassified message look like a problem.
const PROBLEM_WORDS: [&str; 16] = [
    "error",
    "fail",
    "exception",
    "fatal",
    "panic",
    "refused",
    "denied",
    "timeout",
    "timed out",
    "cannot",
    "can't",
    "unable",
    "unreachable",
    "invalid",
    "crash",
    "killed",
];

/// One suggested rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// A proposed id.
    pub id: String,
    /// A category guessed from the wording (`none` when nothing fits).
    pub category: Category,
    /// The severity the events had (at least warning).
    pub severity: Severity,
    /// The regex built from the template.
    pub regex: String,
    /// The group's sample, first line.
    pub sample: String,
    /// Events in the group.
    pub count: u64,
    /// Services that printed it.
    pub services: Vec<String>,
}

/// True when an unclassified message looks like a problem, by its level or its wording.
pub fn looks_like_problem(text: &str, severity: Severity) -> bool {
    if severity >= Severity::Warning {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    let harmless = [
        "0 error",
        "errors=0",
        "errors: 0",
        "error_log",
        "no error",
        "without error",
    ];
    PROBLEM_WORDS.iter().any(|w| lower.contains(w)) && !harmless.iter().any(|h| lower.contains(h))
}

/// Guesses a category from the wording of a message.
pub fn guess_category(text: &str) -> Category {
    let lower = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["timeout", "timed out", "deadline exceeded"]) {
        Category::Timeout
    } else if has(&[
        "permission denied",
        "eacces",
        "not permitted",
        "read-only file system",
    ]) {
        Category::Permission
    } else if has(&[
        "password",
        "authenticat",
        "unauthorized",
        "forbidden",
        "credentials",
        "token",
    ]) {
        Category::Auth
    } else if has(&["certificate", "tls", "ssl", "x509", "handshake"]) {
        Category::Tls
    } else if has(&[
        "out of memory",
        "no space left",
        "disk full",
        "oom",
        "too many open files",
    ]) {
        Category::Resource
    } else if has(&["migration", "migrate", "alembic"]) {
        Category::Migration
    } else if has(&[
        "sql", "database", "postgres", "mysql", "mongo", "deadlock", "relation",
    ]) {
        Category::Database
    } else if has(&[
        "refused",
        "unreachable",
        "no route",
        "reset by peer",
        "dns",
        "resolve",
        "host not found",
    ]) {
        Category::Network
    } else if has(&[
        "module not found",
        "no module named",
        "cannot find module",
        "not installed",
    ]) {
        Category::Dependency
    } else if has(&[
        "config",
        "invalid option",
        "unknown option",
        "missing required",
    ]) {
        Category::Config
    } else if has(&[
        "exception",
        "traceback",
        "panic",
        "undefined",
        "null pointer",
        "nil pointer",
    ]) {
        Category::Code
    } else {
        Category::None
    }
}

/// True for a placeholder the masker or miner writes: `<*>`, `<num>`, `<ip>`, …
fn is_placeholder(token: &str) -> bool {
    token.len() >= 3
        && token.starts_with('<')
        && token.ends_with('>')
        && token[1..token.len() - 1]
            .chars()
            .all(|c| c == '*' || c.is_ascii_lowercase() || c == '_')
}

/// Builds a regex from a template's first line.
pub fn regex_from_template(template: &str) -> String {
    let line = template.lines().next().unwrap_or("");
    let line = line.split(" … ").next().unwrap_or(line);
    // Split into placeholders and literal runs.
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let candidate = &rest[start..start + len + 1];
        if is_placeholder(candidate) {
            parts.push((false, &rest[..start]));
            parts.push((true, candidate));
        } else {
            parts.push((false, &rest[..start + len + 1]));
        }
        rest = &rest[start + len + 1..];
    }
    parts.push((false, rest));
    // Drop what comes before the first literal word: timestamps, pids, punctuation.
    let first_word = parts
        .iter()
        .position(|(ph, s)| !ph && s.chars().any(|c| c.is_ascii_alphabetic()));
    let parts = &parts[first_word.unwrap_or(parts.len())..];
    let mut re = String::new();
    for (i, (ph, s)) in parts.iter().enumerate() {
        if *ph {
            re.push_str(r"\S+");
        } else if i == 0 {
            let trimmed = s.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
            re.push_str(&regex::escape(trimmed));
        } else {
            re.push_str(&regex::escape(s));
        }
    }
    // Trailing placeholders add nothing but cost.
    while let Some(stripped) = re.strip_suffix(r"\S+") {
        re = stripped.trim_end().to_owned();
    }
    re
}

/// A rule id from a service and a template.
fn rule_id(service: &str, template: &str, n: usize) -> String {
    let mut plain = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        plain.push_str(&rest[..start]);
        if !is_placeholder(&rest[start..end]) {
            plain.push_str(&rest[start..end]);
        }
        plain.push(' ');
        rest = &rest[end..];
    }
    plain.push_str(rest);
    let words: Vec<String> = plain
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let svc: String = service
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!(
        "local-{}-{}-{n}",
        if svc.is_empty() { "svc" } else { &svc },
        words.join("-")
    )
}

/// Makes a suggestion for a group, or `None` when its regex does not match its own sample.
pub fn suggest(
    template: &str,
    sample: &str,
    severity: Severity,
    count: u64,
    services: Vec<String>,
    n: usize,
) -> Option<Suggestion> {
    let regex = regex_from_template(template);
    if regex.len() < 8 {
        return None;
    }
    let compiled = build_one(&regex).ok()?;
    let sample = sample.lines().next().unwrap_or("").to_owned();
    if !compiled.is_match(sample.as_bytes()) {
        return None;
    }
    Some(Suggestion {
        id: rule_id(services.first().map_or("svc", String::as_str), template, n),
        category: guess_category(sample.as_str()),
        severity: severity.max(Severity::Warning),
        regex,
        sample,
        count,
        services,
    })
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Writes suggestions as a TOML pack.
pub fn to_toml(suggestions: &[Suggestion]) -> String {
    let mut out = String::from("# Suggested by `logsift patterns suggest`: review each rule (category, severity, a\n# second sample) before adding it to a pack (see patterns/README.md).\n");
    for s in suggestions {
        let _ = write!(
            out,
            "\n# seen {} times in {}\n[[rule]]\nid = {}\ncategory = {}{}\nseverity = {}\nregex = {}\ndescription = {}\nhint = {}\nsamples = [{}]\nnot_samples = [{}]\n",
            s.count,
            s.services.join(", "),
            toml_string(&s.id),
            toml_string(s.category.as_str()),
            if s.category == Category::None { "  # no cause was guessed" } else { "  # guessed from the wording" },
            toml_string(s.severity.as_str()),
            toml_string(&s.regex),
            toml_string("TODO: what this message means"),
            toml_string("TODO: what to do about it"),
            toml_string(&s.sample),
            toml_string("INFO all is well"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_become_regexes_without_leading_variables() {
        assert_eq!(
            regex_from_template("<*> <num> ERROR payment <num> failed for user <*>"),
            r"ERROR payment \S+ failed for user"
        );
        assert_eq!(
            regex_from_template("[<num>] cache miss (key=<*>) after <*>ms"),
            r"cache miss \(key=\S+\) after \S+ms"
        );
    }

    #[test]
    fn a_suggestion_matches_its_own_sample_and_parses_as_a_pack() {
        let s = suggest(
            "<*> ERROR payment <num> failed: card declined",
            "2024-05-02 ERROR payment 12 failed: card declined",
            Severity::Error,
            7,
            vec!["api".into()],
            1,
        )
        .unwrap();
        assert_eq!(s.id, "local-api-error-payment-failed-card-1");
        let pack = crate::classify::pack::parse_pack("suggested.toml", &to_toml(&[s])).unwrap();
        assert_eq!(pack.rules.len(), 1);
    }

    #[test]
    fn problems_are_recognised_by_level_or_wording() {
        assert!(looks_like_problem(
            "INFO upload failed, retrying",
            Severity::Info
        ));
        assert!(looks_like_problem("something odd", Severity::Warning));
        assert!(!looks_like_problem("INFO all good", Severity::Info));
        assert!(!looks_like_problem(
            "compiled successfully with 0 errors",
            Severity::Info
        ));
        assert_eq!(guess_category("read tcp: i/o timeout"), Category::Timeout);
        assert_eq!(
            guess_category("dial tcp: connection refused"),
            Category::Network
        );
    }
}
