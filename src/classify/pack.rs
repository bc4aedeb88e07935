//! Pattern packs: the TOML schema, loading, validation and the sample self-test.
//!
//! A pack is a TOML file of `[[rule]]` (detection) and `[[ignore]]` (expected noise) tables; the
//! schema is documented in `patterns/README.md`. Packs come from three places, tried in this
//! order when classifying: `--patterns PATH` files, the `logsift.toml` / `.logsift.toml` found in
//! the working directory or above (which may also list more pack files and disable rules), and
//! the packs embedded from `patterns/`. A user rule with the id of an embedded one replaces it.
//!
//! Every problem is a [`PackError`] naming the file, the line and the rule; loading reports all of
//! them, not just the first.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{build_one, Category, Severity};

/// The packs shipped inside the binary: (file name, TOML text), in match order.
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_packs.rs"));

/// Names of the config files looked for in the working directory and its parents.
pub const CONFIG_NAMES: [&str; 2] = ["logsift.toml", ".logsift.toml"];

/// One problem with a pack, reported as `file:line: rule "id": message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    /// The pack's path (or `embedded:NAME`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The rule's id, when the problem is in one rule.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule `{rule}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PackError {}

/// Several pack problems at once; displays the first and counts the rest.
#[derive(Debug, Clone)]
pub struct PackErrors(pub Vec<PackError>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_slice() {
            [] => write!(f, "no pack errors"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more pack errors)", rest.len()),
        }
    }
}

impl std::error::Error for PackErrors {}

/// Whether a rule reports a problem or drops expected noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// A detection rule: its match gives the event a category and severity.
    Detect,
    /// An ignore rule: a matching event is expected and is only counted.
    Ignore,
}

/// One validated rule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rule {
    /// Unique id, e.g. `pg-auth-failed`.
    pub id: String,
    /// Detection or ignore.
    pub kind: RuleKind,
    /// Category of what it detects (`None` for ignore rules).
    pub category: Category,
    /// Severity of what it detects (`Info` for ignore rules).
    pub severity: Severity,
    /// The regex source (compiled with Unicode off; use `(?i)` for case-insensitive rules).
    pub regex: String,
    /// One line saying what the rule detects.
    pub description: String,
    /// What to do about it.
    pub hint: String,
    /// Lines that must match.
    pub samples: Vec<String>,
    /// Lines that must not match.
    pub not_samples: Vec<String>,
    /// Where it was defined (`file:line`).
    pub origin: String,
    /// The line its table starts on (part of `origin`), for messages about it.
    #[serde(skip)]
    pub line: usize,
}

/// One loaded pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Its `[pack] name`, or the file's path when it has none.
    pub name: String,
    /// The file it came from (`patterns/NAME` for shipped packs).
    pub file: String,
    /// Its rules in file order, detection rules then ignore rules.
    pub rules: Vec<Rule>,
}

/// All packs in match order, with disabled rules removed.
#[derive(Debug, Clone, Default)]
pub struct PackSet {
    packs: Vec<Pack>,
    disabled: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackToml {
    #[serde(default)]
    pack: Option<PackMeta>,
    /// Only in `logsift.toml`: more pack files, relative to it.
    #[serde(default)]
    patterns: Vec<String>,
    /// Only in `logsift.toml`: rule ids to turn off.
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    rule: Vec<Spanned<RuleToml>>,
    #[serde(default)]
    ignore: Vec<Spanned<IgnoreToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackMeta {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // documented in the schema; not shown anywhere yet
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    id: String,
    category: Spanned<String>,
    severity: Spanned<String>,
    regex: Spanned<String>,
    description: String,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    samples: Vec<String>,
    #[serde(default)]
    not_samples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreToml {
    id: String,
    regex: Spanned<String>,
    description: String,
    #[serde(default)]
    samples: Vec<String>,
    #[serde(default)]
    not_samples: Vec<String>,
}

/// A parsed file: its pack plus the config-only keys.
struct Parsed {
    pack: Pack,
    includes: Vec<String>,
    disable: Vec<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses and validates one pack's text. `file` is only used in messages.
pub fn parse_pack(file: &str, text: &str) -> Result<Pack, Vec<PackError>> {
    parse(file, text, Checks::Full).map(|p| p.pack)
}

/// How much of a pack is checked when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Checks {
    /// Every rule's regex on its own, and every sample and counter-sample.
    #[default]
    Full,
    /// Schema only: for the embedded packs at start-up, whose samples `cargo test` and
    /// `logsift patterns test` check (a broken regex still fails when the set is built).
    SchemaOnly,
}

fn parse(file: &str, text: &str, checks: Checks) -> Result<Parsed, Vec<PackError>> {
    let doc: PackToml = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let message = format!("invalid TOML: {}", e.message().trim_end_matches('\n'));
        vec![PackError {
            file: file.into(),
            line,
            rule: None,
            message,
        }]
    })?;
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let err = |line: usize, rule: &str, message: String| PackError {
        file: file.into(),
        line: Some(line),
        rule: Some(rule.into()),
        message,
    };
    for spanned in &doc.rule {
        let r = spanned.get_ref();
        let line = line_of(text, spanned.span().start);
        let category = match Category::parse(r.category.get_ref()) {
            Some(c) => c,
            None => {
                errors.push(err(
                    line_of(text, r.category.span().start),
                    &r.id,
                    format!(
                        "unknown category `{}` (one of: {})",
                        r.category.get_ref(),
                        Category::ALL.map(Category::as_str).join(", ")
                    ),
                ));
                continue;
            }
        };
        let severity = match Severity::parse(r.severity.get_ref()) {
            Some(s) => s,
            None => {
                errors.push(err(
                    line_of(text, r.severity.span().start),
                    &r.id,
                    format!(
                        "unknown severity `{}` (one of: critical, error, warning, info, debug)",
                        r.severity.get_ref()
                    ),
                ));
                continue;
            }
        };
        rules.push(Rule {
            id: r.id.clone(),
            kind: RuleKind::Detect,
            category,
            severity,
            regex: r.regex.get_ref().clone(),
            description: r.description.clone(),
            hint: r.hint.clone(),
            samples: r.samples.clone(),
            not_samples: r.not_samples.clone(),
            origin: format!("{file}:{line}"),
            line,
        });
    }
    for spanned in &doc.ignore {
        let r = spanned.get_ref();
        let line = line_of(text, spanned.span().start);
        rules.push(Rule {
            id: r.id.clone(),
            kind: RuleKind::Ignore,
            category: Category::None,
            severity: Severity::Info,
            regex: r.regex.get_ref().clone(),
            description: r.description.clone(),
            hint: String::new(),
            samples: r.samples.clone(),
            not_samples: r.not_samples.clone(),
            origin: format!("{file}:{line}"),
            line,
        });
    }
    // Regex spans, for pointing at the regex line itself.
    let regex_lines: Vec<usize> = doc
        .rule
        .iter()
        .map(|r| line_of(text, r.get_ref().regex.span().start))
        .chain(
            doc.ignore
                .iter()
                .map(|r| line_of(text, r.get_ref().regex.span().start)),
        )
        .collect();
    let mut seen = std::collections::HashSet::new();
    for rule in &rules {
        let line = rule.line;
        if rule.id.is_empty()
            || !rule
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            errors.push(err(
                line,
                &rule.id,
                "a rule id is letters, digits, `-`, `_` and `.`".into(),
            ));
        }
        if !seen.insert(rule.id.clone()) {
            errors.push(err(line, &rule.id, "duplicate rule id in this pack".into()));
        }
        if rule.description.trim().is_empty() {
            errors.push(err(line, &rule.id, "empty description".into()));
        }
        if rule.samples.is_empty() {
            errors.push(err(
                line,
                &rule.id,
                "no `samples`: give at least one line it must match".into(),
            ));
        }
        if rule.not_samples.is_empty() {
            errors.push(err(
                line,
                &rule.id,
                "no `not_samples`: give at least one line it must not match".into(),
            ));
        }
    }
    let checked = if checks == Checks::Full {
        rules.len()
    } else {
        0
    };
    for (rule, regex_line) in rules.iter().zip(regex_lines).take(checked) {
        match build_one(&rule.regex) {
            Err(e) => errors.push(err(
                regex_line,
                &rule.id,
                format!("invalid regex: {}", one_line(&e.to_string())),
            )),
            Ok(re) => {
                if re.is_match(b"") {
                    errors.push(err(
                        regex_line,
                        &rule.id,
                        "regex matches the empty line".into(),
                    ));
                }
                for s in &rule.samples {
                    if !re.is_match(s.as_bytes()) {
                        errors.push(err(
                            rule.line,
                            &rule.id,
                            format!("sample does not match: {s:?}"),
                        ));
                    }
                }
                for s in &rule.not_samples {
                    if re.is_match(s.as_bytes()) {
                        errors.push(err(
                            rule.line,
                            &rule.id,
                            format!("not_sample matches: {s:?}"),
                        ));
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Parsed {
            pack: Pack {
                name: doc.pack.map_or_else(|| file.to_owned(), |m| m.name),
                file: file.into(),
                rules,
            },
            includes: doc.patterns,
            disable: doc.disable,
        })
    } else {
        Err(errors)
    }
}

/// A multi-line message (a regex error with its caret diagram) on one line.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where packs come from, as resolved from the command line and the working directory.
#[derive(Debug, Clone, Default)]
pub struct PackSources {
    /// `--patterns` files, in the order given.
    pub user_files: Vec<PathBuf>,
    /// The config file found (or given), if any.
    pub config: Option<PathBuf>,
    /// Leave the embedded packs out (`--no-default-patterns`).
    pub no_defaults: bool,
    /// How the embedded packs are checked.
    pub embedded_checks: Checks,
}

impl PackSources {
    /// Finds `logsift.toml` / `.logsift.toml` in `dir` or its nearest parent that has one.
    pub fn find_config(dir: &Path) -> Option<PathBuf> {
        dir.ancestors()
            .find_map(|d| CONFIG_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()))
    }
}

impl PackSet {
    /// Loads the embedded packs only.
    pub fn embedded() -> Result<PackSet, PackErrors> {
        PackSet::load(&PackSources::default())
    }

    /// Loads every pack `sources` names, in match order; reports every problem found.
    pub fn load(sources: &PackSources) -> Result<PackSet, PackErrors> {
        let mut errors = Vec::new();
        let mut packs = Vec::new();
        let mut disabled = Vec::new();
        let load_file = |path: &Path, errors: &mut Vec<PackError>| -> Option<Parsed> {
            let shown = path.display().to_string();
            match std::fs::read(path) {
                Err(e) => {
                    errors.push(PackError {
                        file: shown,
                        line: None,
                        rule: None,
                        message: format!("cannot read: {e}"),
                    });
                    None
                }
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    match parse(&shown, &text, Checks::Full) {
                        Ok(p) => Some(p),
                        Err(es) => {
                            errors.extend(es);
                            None
                        }
                    }
                }
            }
        };
        for f in &sources.user_files {
            if let Some(p) = load_file(f, &mut errors) {
                packs.push(p.pack);
            }
        }
        if let Some(cfg) = &sources.config {
            if let Some(p) = load_file(cfg, &mut errors) {
                let base = cfg.parent().unwrap_or(Path::new("."));
                disabled.extend(p.disable);
                let includes = p.includes;
                packs.push(p.pack);
                for inc in includes {
                    if let Some(q) = load_file(&base.join(inc), &mut errors) {
                        packs.push(q.pack);
                    }
                }
            }
        }
        if !sources.no_defaults {
            for (name, text) in EMBEDDED {
                match parse(&format!("patterns/{name}"), text, sources.embedded_checks) {
                    Ok(p) => packs.push(p.pack),
                    Err(es) => errors.extend(es),
                }
            }
        }
        // A user rule replaces the embedded (or later) rule with the same id.
        let mut seen = std::collections::HashSet::new();
        for pack in &mut packs {
            pack.rules.retain(|r| seen.insert(r.id.clone()));
        }
        for id in &disabled {
            if !seen.contains(id) {
                errors.push(PackError {
                    file: sources
                        .config
                        .as_ref()
                        .map(|c| c.display().to_string())
                        .unwrap_or_default(),
                    line: None,
                    rule: Some(id.clone()),
                    message: "`disable` names a rule that does not exist".into(),
                });
            }
        }
        if errors.is_empty() {
            Ok(PackSet { packs, disabled })
        } else {
            Err(PackErrors(errors))
        }
    }

    /// The packs, in match order.
    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    /// Every enabled rule, in match order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter())
            .filter(|r| !self.disabled.contains(&r.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[pack]
name = "test"

[[rule]]
id = "t-refused"
category = "network"
severity = "error"
regex = '(?i)connection refused'
description = "a peer refused the connection"
hint = "is it up?"
samples = ["dial tcp 10.0.0.1:80: connect: connection refused", "Connection refused"]
not_samples = ["connection accepted"]

[[ignore]]
id = "t-healthz"
regex = 'GET /healthz'
description = "health checks"
samples = ["GET /healthz 200"]
not_samples = ["GET / 200"]
"#;

    #[test]
    fn a_good_pack_loads_its_rules_in_order() {
        let pack = parse_pack("t.toml", GOOD).unwrap();
        let ids: Vec<_> = pack.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["t-refused", "t-healthz"]);
        assert_eq!(pack.rules[0].origin, "t.toml:5");
        assert_eq!(pack.rules[1].kind, RuleKind::Ignore);
    }

    fn first_error(text: &str) -> String {
        parse_pack("bad.toml", text).unwrap_err()[0].to_string()
    }

    #[test]
    fn an_unknown_category_names_file_line_and_rule() {
        let text = GOOD.replace("\"network\"", "\"netwerk\"");
        assert!(first_error(&text)
            .starts_with("bad.toml:7: rule `t-refused`: unknown category `netwerk`"));
    }

    #[test]
    fn an_invalid_regex_names_the_regex_line() {
        let text = GOOD.replace("(?i)connection refused", "(unclosed");
        let e = first_error(&text);
        assert!(
            e.starts_with("bad.toml:9: rule `t-refused`: invalid regex:"),
            "{e}"
        );
        assert!(!e.contains('\n'));
    }

    #[test]
    fn a_failing_sample_is_an_error() {
        let text = GOOD.replace("\"Connection refused\"", "\"Connection reset\"");
        assert_eq!(
            first_error(&text),
            "bad.toml:5: rule `t-refused`: sample does not match: \"Connection reset\""
        );
    }

    #[test]
    fn a_matching_not_sample_is_an_error() {
        let text = GOOD.replace("\"connection accepted\"", "\"connection refused!\"");
        assert!(first_error(&text).contains("not_sample matches"));
    }

    #[test]
    fn a_toml_syntax_error_names_its_line() {
        let e = first_error("[[rule]]\nid = \"x\"\ncategory = \n");
        assert!(e.starts_with("bad.toml:3: invalid TOML"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = first_error(&GOOD.replace("hint = ", "hnt = "));
        assert!(e.contains("unknown field `hnt`"), "{e}");
    }

    #[test]
    fn a_rule_without_samples_is_rejected() {
        let text = GOOD.replace(
            "samples = [\"dial tcp 10.0.0.1:80: connect: connection refused\", \"Connection refused\"]",
            "",
        );
        assert!(first_error(&text).contains("no `samples`"));
    }
}
