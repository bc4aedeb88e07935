//! Classification: which rule an event matches, its category and its severity.
//!
//! Every rule's regex is parsed once; [`prefilter`] gathers the literals each rule requires into
//! one Aho-Corasick automaton, so an event costs one literal pass over its text whatever the
//! number of rules, and only the rules whose literals occur run their own (match-only) regex.
//! This replaced one `RegexSet` over all rules, whose lazy DFA kept building new states on real
//! logs; a test proves both give the same answer on every sample and fixture line. The first
//! matching rule in pack order wins
//! (user packs come before the embedded ones, and within the embedded ones the specific packs come
//! before `generic.toml`); ignore rules are checked first and drop the event from the findings.
//! When no rule matches, the severity comes from the line's own level ([`level`]).
//! Loading and validating packs is [`pack`]'s job.

pub mod level;
pub mod pack;
pub mod prefilter;

#[cfg(test)]
use regex::bytes::{RegexSet, RegexSetBuilder};
use regex_automata::meta::Regex;
use regex_syntax::hir::Hir;

use prefilter::Prefilter;
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
    /// One compiled regex per rule, tried only on the events the prefilter lets through.
    regexes: Vec<Regex>,
    prefilter: Prefilter,
    rules: Vec<Rule>,
    tags: Vec<u64>,
}

/// Reusable scratch space for [`Classifier::classify`], so classifying allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    candidates: Vec<RuleIdx>,
}

impl Classifier {
    /// Compiles the rules of `packs` (in order).
    pub fn new(packs: &PackSet) -> Result<Classifier, PackError> {
        let rules: Vec<Rule> = packs.rules().cloned().collect();
        let invalid = |r: &Rule, e: String| PackError {
            file: r
                .origin
                .rsplit_once(':')
                .map_or(r.origin.as_str(), |(f, _)| f)
                .into(),
            line: Some(r.line),
            rule: Some(r.id.clone()),
            message: format!("invalid regex: {}", e.replace('\n', " ")),
        };
        let hirs = rules
            .iter()
            .map(|r| parse_rule(&r.regex).map_err(|e| invalid(r, e)))
            .collect::<Result<Vec<_>, _>>()?;
        let regexes = rules
            .iter()
            .zip(&hirs)
            .map(|(r, hir)| compile_rule(hir).map_err(|e| invalid(r, e)))
            .collect::<Result<Vec<_>, _>>()?;
        let prefilter = Prefilter::new(&hirs).map_err(|e| PackError {
            file: "(all packs)".into(),
            line: None,
            rule: None,
            message: format!("the rules' literals do not compile together: {e}"),
        })?;
        let tags = rules.iter().map(|r| rule_tag(&r.id)).collect();
        Ok(Classifier {
            regexes,
            prefilter,
            rules,
            tags,
        })
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
        let out = Classification {
            severity: line_level.unwrap_or(Severity::Info),
            category: Category::None,
            rule: None,
            ignored_by: None,
            rule_tag: 0,
        };
        self.prefilter.candidates(text, &mut scratch.candidates);
        self.decide(out, text, &scratch.candidates)
    }

    /// Applies the first matching ignore rule, else the first matching detection rule, among
    /// `candidates` (ascending): the rules that could match `text`.
    fn decide(
        &self,
        mut out: Classification,
        text: &[u8],
        candidates: &[RuleIdx],
    ) -> Classification {
        let matching = |kind: RuleKind| {
            candidates
                .iter()
                .map(|&i| i as usize)
                .find(|&i| self.rules[i].kind == kind && self.regexes[i].is_match(text))
        };
        if let Some(i) = matching(RuleKind::Ignore) {
            out.ignored_by = Some(i as RuleIdx);
            out.rule_tag = self.tags[i];
        } else if let Some(i) = matching(RuleKind::Detect) {
            let rule = &self.rules[i];
            out.rule = Some(i as RuleIdx);
            out.rule_tag = self.tags[i];
            out.severity = rule.severity;
            out.category = rule.category;
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
#[cfg(test)]
pub(crate) fn build_set<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .unicode(false)
        .size_limit(256 << 20)
        .dfa_size_limit(64 << 20)
        .build()
}

/// Parses a rule's regex as [`build_one`] does: bytes, Unicode off.
pub(crate) fn parse_rule(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// Compiles a parsed rule for `is_match` only: no capture groups and none of the engines that
/// exist to report them, and no literal prefilter of its own (the [`Prefilter`] has already
/// found one of the rule's literals), which keeps start-up short with hundreds of rules.
fn compile_rule(hir: &Hir) -> Result<Regex, String> {
    let config = regex_automata::meta::Config::new()
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
        .auto_prefilter(false)
        .onepass(false)
        .backtrack(false)
        .nfa_size_limit(Some(64 << 20));
    regex_automata::meta::Builder::new()
        .configure(config)
        .syntax(
            regex_automata::util::syntax::Config::new()
                .unicode(false)
                .utf8(false),
        )
        .build_from_hir(hir)
        .map_err(|e| e.to_string())
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

    /// What the classifier said before the prefilter: one overlapping `RegexSet` search, the
    /// first ignore rule in order, else the first detection rule.
    fn classify_with_set(c: &Classifier, set: &RegexSet, text: &[u8]) -> Classification {
        let out = Classification {
            severity: level::detect(text).unwrap_or(Severity::Info),
            category: Category::None,
            rule: None,
            ignored_by: None,
            rule_tag: 0,
        };
        let all: Vec<RuleIdx> = set.matches(text).iter().map(|i| i as RuleIdx).collect();
        c.decide(out, text, &all)
    }

    fn corpus_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("examples/shop.log")];
        for dir in [
            root.join("tests/fixtures"),
            root.join("../shared/data/compose"),
            std::path::PathBuf::from("/work/shared/data/compose"),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut logs: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "log"))
                .collect();
            logs.sort();
            files.extend(logs);
        }
        files
    }

    #[test]
    fn prefilter_classifies_exactly_like_the_whole_set() {
        let packs = PackSet::embedded().unwrap();
        let c = Classifier::new(&packs).unwrap();
        let set = build_set(c.rules.iter().map(|r| r.regex.as_str())).unwrap();
        let mut scratch = Scratch::default();
        let (mut texts, mut matched) = (0, 0);
        let mut check = |text: &[u8]| {
            let want = classify_with_set(&c, &set, text);
            let got = c.classify(text, &mut scratch);
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(text));
            texts += 1;
            matched += usize::from(want.rule.is_some() || want.ignored_by.is_some());
        };
        // Every sample and counter-sample of every rule, then every line of the logs, alone
        // and joined with the next two as a multi-line event.
        for r in &c.rules {
            for s in r.samples.iter().chain(&r.not_samples) {
                check(s.as_bytes());
            }
        }
        let files = corpus_files();
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            for (i, line) in lines.iter().enumerate() {
                check(line);
                if i + 3 <= lines.len() {
                    check(&lines[i..i + 3].join(&b'\n'));
                }
            }
        }
        assert!(
            files.len() > 1 && matched > 500,
            "{texts} texts, {matched} matched"
        );
    }

    #[test]
    fn every_sample_holds_a_literal_of_its_rule() {
        let packs = PackSet::embedded().unwrap();
        let c = Classifier::new(&packs).unwrap();
        let mut cands = Vec::new();
        for (i, r) in c.rules.iter().enumerate() {
            for s in &r.samples {
                c.prefilter.candidates(s.as_bytes(), &mut cands);
                assert!(cands.contains(&(i as RuleIdx)), "{} {s:?}", r.id);
            }
        }
        // Most rules have a literal: the prefilter is worth its pass.
        assert!(
            c.prefilter.always().len() * 10 < c.rules.len(),
            "{:?}",
            c.prefilter.always()
        );
    }
}
