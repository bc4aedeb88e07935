//! Classification: which rule an event matches, its category and its severity.
//!
//! Every rule of every pack is compiled into one [`regex::bytes::RegexSet`], so an event costs one
//! pass over its text whatever the number of rules. The first matching rule in pack order wins
//! (user packs come before the embedded ones, and within the embedded ones the specific packs come
//! before `generic.toml`); ignore rules are checked first and drop the event from the findings.
//! When no rule matches, the severity comes from the line's own level ([`level`]).
//! Loading and validating packs is [`pack`]'s job.

pub mod level;
pub mod pack;

use regex::bytes::{RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};

pub use pack::{Pack, PackError, PackSet, Rule, RuleKind};

/// How bad an event is, from least to most.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tracing and verbose output.
    Debug,
    /// Normal operation.
    #[default]
    Info,
    /// Degraded or suspicious, but working.
    Warning,
    /// One operation failed; the process goes on.
    Error,
    /// The process or its data is at risk.
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL_DESC: [Severity; 5] = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Debug,
    ];

    /// The lowercase name used in packs, JSON and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    /// Parses a lowercase name.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "debug" => Severity::Debug,
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "error" => Severity::Error,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// What kind of problem an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Database,
    Auth,
    Network,
    Config,
    Resource,
    Dependency,
    Timeout,
    Permission,
    Code,
    Migration,
    Websocket,
    Cors,
    Tls,
    /// The line says nothing about the cause (and every info/debug event).
    None,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 14] = [
        Category::Database,
        Category::Auth,
        Category::Network,
        Category::Config,
        Category::Resource,
        Category::Dependency,
        Category::Timeout,
        Category::Permission,
        Category::Code,
        Category::Migration,
        Category::Websocket,
        Category::Cors,
        Category::Tls,
        Category::None,
    ];

    /// The lowercase name used in packs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Database => "database",
            Category::Auth => "auth",
            Category::Network => "network",
            Category::Config => "config",
            Category::Resource => "resource",
            Category::Dependency => "dependency",
            Category::Timeout => "timeout",
            Category::Permission => "permission",
            Category::Code => "code",
            Category::Migration => "migration",
            Category::Websocket => "websocket",
            Category::Cors => "cors",
            Category::Tls => "tls",
            Category::None => "none",
        }
    }

    /// Parses a lowercase name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Index of a rule in [`Classifier::rules`].
pub type RuleIdx = u32;

/// What the classifier says of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The final severity.
    pub severity: Severity,
    /// The category (`None` when no rule matched or the event is info/debug).
    pub category: Category,
    /// The detection rule that matched, if any.
    pub rule: Option<RuleIdx>,
    /// The ignore rule that matched, if any: the event is expected and not a finding.
    pub ignored_by: Option<RuleIdx>,
    /// A stable hash of the id of the rule (detection or ignore) that decided, 0 for none: the
    /// grouper keeps events of different rules apart, across runs and pack changes.
    pub rule_tag: u64,
}

/// The compiled rules of all packs.
#[derive(Debug)]
pub struct Classifier {
    set: RegexSet,
    rules: Vec<Rule>,
    tags: Vec<u64>,
}

/// Reusable scratch space for [`Classifier::classify`], so classifying allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    matched: Vec<bool>,
}

impl Classifier {
    /// Compiles the rules of `packs` (in order) into one set.
    pub fn new(packs: &PackSet) -> Result<Classifier, PackError> {
        let rules: Vec<Rule> = packs.rules().cloned().collect();
        let set = build_set(rules.iter().map(|r| r.regex.as_str())).map_err(|e| PackError {
            file: "(all packs)".into(),
            line: None,
            rule: None,
            message: format!("the rules do not compile together: {e}"),
        })?;
        let tags = rules.iter().map(|r| rule_tag(&r.id)).collect();
        Ok(Classifier { set, rules, tags })
    }

    /// All rules, detection and ignore, in match order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule at `idx`.
    pub fn rule(&self, idx: RuleIdx) -> &Rule {
        &self.rules[idx as usize]
    }

    /// Classifies the text of one event (its lines joined by `\n`).
    pub fn classify(&self, text: &[u8], scratch: &mut Scratch) -> Classification {
        let line_level = level::detect(text);
        let mut out = Classification {
            severity: line_level.unwrap_or(Severity::Info),
            category: Category::None,
            rule: None,
            ignored_by: None,
            rule_tag: 0,
        };
        // Most events match no rule. An overlapping search (which reports every matching rule)
        // costs about six times a plain `is_match` over the whole set, so it only runs on the
        // events that match something.
        if !self.set.is_match(text) {
            return self.finish(out);
        }
        scratch.matched.clear();
        scratch.matched.resize(self.rules.len(), false);
        if !self.set.matches_read_at(&mut scratch.matched, text, 0) {
            return self.finish(out);
        }
        let mut first_rule = None;
        for (i, _) in scratch.matched.iter().enumerate().filter(|(_, m)| **m) {
            let rule = &self.rules[i];
            match rule.kind {
                RuleKind::Ignore => {
                    out.ignored_by = Some(i as RuleIdx);
                    out.rule_tag = self.tags[i];
                    break;
                }
                RuleKind::Detect => {
                    if first_rule.is_none() {
                        first_rule = Some(i);
                    }
                }
            }
        }
        if out.ignored_by.is_none() {
            if let Some(i) = first_rule {
                let rule = &self.rules[i];
                out.rule = Some(i as RuleIdx);
                out.rule_tag = self.tags[i];
                out.severity = rule.severity;
                out.category = rule.category;
                if out.severity == Severity::Error
                    && matches!(
                        out.category,
                        Category::Network | Category::Database | Category::Timeout
                    )
                    && line_level.is_some_and(|l| l <= Severity::Warning)
                    && says_it_retries(text)
                {
                    // A failed connection the program logs below ERROR and says it will retry is
                    // degraded, not failed (the labelling conventions' "retrying connections
                    // logged at INFO/WARN").
                    out.severity = Severity::Warning;
                }
            }
        }
        self.finish(out)
    }

    fn finish(&self, mut out: Classification) -> Classification {
        if out.severity <= Severity::Info {
            out.category = Category::None;
        }
        out
    }
}

/// Whether a message says its operation will be tried again (`retrying`, `Retry in 30s`,
/// `Trying again in 2.0 seconds`, `retry #1`).
fn says_it_retries(text: &[u8]) -> bool {
    static RETRY: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(
            r"(?i)\bretrying\b|\bretry (?:in|#|attempt)|\bwill retry\b|\btrying again\b|\bretries left\b",
        )
        .expect("a valid regex")
    });
    RETRY.is_match(&text[..text.len().min(level::SCAN_BYTES * 4)])
}

/// FNV-1a 64 of a rule id, never 0.
fn rule_tag(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.max(1)
}

/// Builds a byte-oriented set with Unicode off, so that `\b`, `\w` and `.` stay ASCII and the
/// lazy DFA never has to give up on non-ASCII input (see STYLE.md, "The hot path").
pub(crate) fn build_set<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .unicode(false)
        .size_limit(256 << 20)
        .dfa_size_limit(64 << 20)
        .build()
}

/// Compiles one rule's regex with the same options as the set.
pub fn build_one(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_failure_logged_below_error_that_will_retry_is_a_warning() {
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut scratch = Scratch::default();
        let mut class = |text: &str| {
            let c = classifier.classify(text.as_bytes(), &mut scratch);
            (c.severity, c.category)
        };
        let retrying = r#"{"time":"2024-05-20T14:00:59Z","level":"WARN","msg":"database not ready, retrying","err":"dial tcp: lookup db on 127.0.0.11:53: no such host"}"#;
        assert_eq!(class(retrying), (Severity::Warning, Category::Network));
        // Logged as an error, or said without a retry: the rule's severity stands.
        let failed = r#"{"time":"2024-05-20T14:00:59Z","level":"ERROR","msg":"database not ready, retrying","err":"dial tcp: lookup db on 127.0.0.11:53: no such host"}"#;
        assert_eq!(class(failed), (Severity::Error, Category::Network));
        let no_retry = r#"{"level":"WARN","msg":"giving up","err":"dial tcp: lookup db on 127.0.0.11:53: no such host"}"#;
        assert_eq!(class(no_retry), (Severity::Error, Category::Network));
    }

    #[test]
    fn severity_orders_from_debug_to_critical() {
        assert!(Severity::Debug < Severity::Info);
        assert!(Severity::Error < Severity::Critical);
        for s in Severity::ALL_DESC {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn every_category_round_trips_through_its_name() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Category::parse("nonsense"), None);
    }

    #[test]
    fn category_discriminants_index_all() {
        for (i, c) in Category::ALL.into_iter().enumerate() {
            assert_eq!(c as usize, i);
        }
    }
}
