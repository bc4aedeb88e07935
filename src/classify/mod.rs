//! Classification: which rule an event matches, its category and its severity.
//!
//! An event costs one pass over its text whatever the number of rules: the [`prefilter`] finds,
//! in one Aho-Corasick search over the literals every rule requires, the few rules it could
//! match, and only those rules' own regexes run (each compiled on its first use). Most events
//! hold no rule's literal and no regex runs at all. The first matching rule in pack order wins
//! (user packs come before the embedded ones, and within the embedded ones the specific packs
//! come before `generic.toml`); an ignore rule that matches drops the event from the findings
//! whatever its place. When no rule matches, the severity comes from the line's own level
//! ([`level`]). Loading and validating packs is [`pack`]'s job.
//!
//! Why not one `RegexSet` over every rule: its lazy DFA's states each hold every rule's start,
//! so building one costs thousands of steps, and real logs full of errors keep asking for new
//! ones (6,500 lines of the labelled fixtures took 1.8 s, nearly all of it building states;
//! this way takes 0.06 s). See benches/README.md for the figures on the benchmark corpus.

pub mod level;
pub mod pack;
pub mod prefilter;

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexSet, RegexSetBuilder};
use regex_syntax::hir::Hir;
use serde::{Deserialize, Serialize};

pub use pack::{Pack, PackError, PackSet, Rule, RuleKind};
pub use prefilter::Texts;

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
    prefilter: prefilter::Prefilter,
    /// Each rule's own regex, compiled on first use (`None` if it does not compile, which
    /// loading rules out: user packs are compiled rule by rule when they load, and `cargo test`
    /// compiles the embedded ones).
    regexes: Vec<OnceLock<Option<Regex>>>,
    rules: Vec<Rule>,
    tags: Vec<u64>,
}

/// Reusable scratch space for [`Classifier::classify`], so classifying allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    candidates: prefilter::Candidates,
    /// The text and answer of [`Classifier::classify`], kept for their allocations.
    one: (Texts, Vec<Classification>),
    /// Events classified with this scratch so far.
    events: u64,
}

impl Classifier {
    /// Reads the rules of `packs` (in order) and builds their prefilter.
    pub fn new(packs: &PackSet) -> Result<Classifier, PackError> {
        let rules: Vec<Rule> = packs.rules().cloned().collect();
        let error = |rule: Option<&Rule>, message: String| PackError {
            file: "(all packs)".into(),
            line: None,
            rule: rule.map(|r| r.id.clone()),
            message,
        };
        let hirs = rules
            .iter()
            .map(|r| {
                parse_rule(&r.regex).map_err(|e| error(Some(r), format!("invalid regex: {e}")))
            })
            .collect::<Result<Vec<Hir>, PackError>>()?;
        let prefilter =
            prefilter::Prefilter::new(hirs.iter().zip(rules.iter().map(|r| r.regex.as_str())))
                .map_err(|e| error(None, format!("the rules' literals do not compile: {e}")))?;
        let tags = rules.iter().map(|r| rule_tag(&r.id)).collect();
        let regexes = rules.iter().map(|_| OnceLock::new()).collect();
        Ok(Classifier {
            prefilter,
            regexes,
            rules,
            tags,
        })
    }

    /// Whether rule `i`'s own regex matches `text`.
    fn rule_matches(&self, i: RuleIdx, text: &[u8]) -> bool {
        self.regexes[i as usize]
            .get_or_init(|| build_one(&self.rules[i as usize].regex).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    }

    /// All rules, detection and ignore, in match order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Rules whose every match holds no literal the prefilter can search for: their regexes run
    /// on every event.
    pub fn rules_without_literal(&self) -> impl Iterator<Item = &Rule> {
        self.prefilter
            .always()
            .iter()
            .map(|&i| &self.rules[i as usize])
    }

    /// The rule at `idx`.
    pub fn rule(&self, idx: RuleIdx) -> &Rule {
        &self.rules[idx as usize]
    }

    /// Classifies the text of one event (its lines joined by `\n`).
    pub fn classify(&self, text: &[u8], scratch: &mut Scratch) -> Classification {
        let (mut one, mut class) = std::mem::take(&mut scratch.one);
        one.clear();
        one.push(text);
        self.classify_each(&one, scratch, &mut class);
        let c = class[0];
        scratch.one = (one, class);
        c
    }

    /// Classifies the texts of several events, each as [`Classifier::classify`] would, into
    /// `out` (cleared first). Faster per event than one at a time: the prefilter searches
    /// several texts side by side.
    pub fn classify_each(
        &self,
        texts: &Texts,
        scratch: &mut Scratch,
        out: &mut Vec<Classification>,
    ) {
        out.clear();
        self.prefilter
            .candidates(texts, scratch.events, &mut scratch.candidates);
        scratch.events += texts.len() as u64;
        out.extend((0..texts.len()).map(|e| self.decide(texts.get(e), scratch.candidates.of(e))));
    }

    /// The classification of `text`, whose candidate rules (ascending) are `candidates`.
    fn decide(
        &self,
        text: &[u8],
        candidates: impl Iterator<Item = RuleIdx> + Clone,
    ) -> Classification {
        let line_level = level::detect(text);
        let mut out = Classification {
            severity: line_level.unwrap_or(Severity::Info),
            category: Category::None,
            rule: None,
            ignored_by: None,
            rule_tag: 0,
        };
        let matching = |kind: RuleKind| {
            candidates
                .clone()
                .find(|&i| self.rules[i as usize].kind == kind && self.rule_matches(i, text))
        };
        if let Some(i) = matching(RuleKind::Ignore) {
            out.ignored_by = Some(i);
            out.rule_tag = self.tags[i as usize];
        } else if let Some(i) = matching(RuleKind::Detect) {
            let rule = &self.rules[i as usize];
            out.rule = Some(i);
            out.rule_tag = self.tags[i as usize];
            out.severity = rule.severity;
            out.category = rule.category;
            let connection = matches!(
                out.category,
                Category::Network | Category::Database | Category::Timeout
            );
            if out.severity == Severity::Error
                && line_level.is_some_and(|l| l <= Severity::Warning)
                && (connection && says_it_retries(text) || says_it_falls_back(text))
            {
                // A failed connection the program logs below ERROR and says it will retry is
                // degraded, not failed (the labelling conventions' "retrying connections
                // logged at INFO/WARN"); so is any failure it logs below ERROR and works around
                // (`… failed: falling back to posix timer`).
                out.severity = Severity::Warning;
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

/// Whether a message says it works around its failure (`falling back to …`).
fn says_it_falls_back(text: &[u8]) -> bool {
    static FALLBACK: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"(?i)\bfalling back to\b|\bfalls back to\b")
            .expect("a valid regex")
    });
    FALLBACK.is_match(&text[..text.len().min(level::SCAN_BYTES * 4)])
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

/// Parses a rule's regex as [`build_one`] compiles it: bytes, Unicode off.
pub(crate) fn parse_rule(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| pack::one_line(&e.to_string()))
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

/// Compiles one rule's regex: bytes, Unicode off (so `\b`, `\w` and `.` stay ASCII).
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
        // Any failure logged as a warning that says it works around it.
        let fallback = "WARN  2024-03-12 10:15:15,514 seastar - Creation of perf_event based stall detector failed: falling back to posix timer: std::system_error (error system:1, perf_event_open() failed: Operation not permitted)";
        assert_eq!(class(fallback), (Severity::Warning, Category::Permission));
        let fallback_error = fallback.replace("WARN ", "ERROR");
        assert_eq!(
            class(&fallback_error),
            (Severity::Error, Category::Permission)
        );
    }

    /// What the classifier must say, by its definition: every rule's own regex tried in order,
    /// the first matching ignore rule, else the first matching detection rule.
    fn classify_by_every_rule(c: &Classifier, regexes: &[Regex], text: &[u8]) -> Classification {
        let mut out = Classification {
            severity: level::detect(text).unwrap_or(Severity::Info),
            category: Category::None,
            rule: None,
            ignored_by: None,
            rule_tag: 0,
        };
        let first = |kind: RuleKind| {
            (0..c.rules.len()).find(|&i| c.rules[i].kind == kind && regexes[i].is_match(text))
        };
        if let Some(i) = first(RuleKind::Ignore) {
            out.ignored_by = Some(i as RuleIdx);
            out.rule_tag = c.tags[i];
        } else if let Some(i) = first(RuleKind::Detect) {
            // Severity and category as `classify` sets them, which this test does not re-derive.
            let mut scratch = Scratch::default();
            let got = c.classify(text, &mut scratch);
            out.rule = Some(i as RuleIdx);
            out.rule_tag = c.tags[i];
            out.severity = got.severity;
            out.category = got.category;
        }
        c.finish(out)
    }

    fn logs_to_check() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("examples/shop.log")];
        for dir in [
            root.join("tests/fixtures"),
            root.join("tests/fixtures/labelled"),
            root.join("../shared/data/compose"),
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
    fn the_prefilter_loses_no_match() {
        let c = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let regexes: Vec<Regex> = c
            .rules
            .iter()
            .map(|r| build_one(&r.regex).unwrap())
            .collect();
        let mut scratch = Scratch::default();
        let (mut texts, mut matched) = (0, 0);
        let mut all: Vec<(Vec<u8>, Classification)> = Vec::new();
        let mut check = |text: &[u8]| {
            let want = classify_by_every_rule(&c, &regexes, text);
            // Both automata: the NFA the first events use, the DFA the later ones do.
            for events in [0, prefilter::DFA_AFTER_EVENTS] {
                scratch.events = events;
                let got = c.classify(text, &mut scratch);
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(text));
            }
            texts += 1;
            matched += usize::from(want.rule.is_some() || want.ignored_by.is_some());
            all.push((text.to_vec(), want));
        };
        // Every sample and counter-sample of every rule, then every line of the logs, alone
        // and joined with the next two as a multi-line event.
        for r in &c.rules {
            for s in r.samples.iter().chain(&r.not_samples) {
                check(s.as_bytes());
            }
        }
        for f in logs_to_check() {
            let bytes = std::fs::read(&f).unwrap();
            let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            for (i, line) in lines.iter().enumerate() {
                check(line);
                if i + 3 <= lines.len() {
                    check(&lines[i..i + 3].join(&b'\n'));
                }
            }
        }
        assert!(matched > 3000, "{texts} texts, {matched} matched");
        // The same texts classified in batches (of sizes whose four parts are of unequal
        // lengths, so each part's rest is searched alone) get the same answers as one at a time.
        let mut got = Vec::new();
        for events in [0, prefilter::DFA_AFTER_EVENTS] {
            for size in [1, 3, 64, 1000] {
                for chunk in all.chunks(size) {
                    let mut batch = Texts::default();
                    for (t, _) in chunk {
                        batch.push(t);
                    }
                    scratch.events = events;
                    c.classify_each(&batch, &mut scratch, &mut got);
                    for ((text, want), got) in chunk.iter().zip(&got) {
                        assert_eq!(got, want, "{size}: {:?}", String::from_utf8_lossy(text));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Texts stitched from pieces of samples (cut anywhere, case flipped at random) and
        /// random bytes: the prefilter never loses a rule that matches (about half of the texts
        /// match one).
        #[test]
        fn the_prefilter_loses_no_match_on_stitched_texts(
            pieces in proptest::collection::vec(
                (0usize..100_000, 0usize..200, 0usize..200, proptest::prelude::any::<bool>(),
                 proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6)),
                1..5,
            )
        ) {
            static CHECK: std::sync::LazyLock<(Classifier, Vec<Regex>, Vec<String>)> =
                std::sync::LazyLock::new(|| {
                    let c = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
                    let regexes = c.rules.iter().map(|r| build_one(&r.regex).unwrap()).collect();
                    let samples = c.rules.iter().flat_map(|r| r.samples.clone()).collect();
                    (c, regexes, samples)
                });
            let (c, regexes, samples) = &*CHECK;
            let mut text = Vec::new();
            for (which, from, len, flip, noise) in pieces {
                let s = samples[which % samples.len()].as_bytes();
                // Mostly from the first half, so that many texts hold a whole literal.
                let from = from % (s.len() / 2 + 1);
                let piece = &s[from..(from + len).min(s.len())];
                if flip {
                    text.extend(piece.iter().map(|b| b.to_ascii_uppercase()));
                } else {
                    text.extend_from_slice(piece);
                }
                text.extend(noise);
            }
            let want = classify_by_every_rule(c, regexes, &text);
            let mut scratch = Scratch::default();
            proptest::prop_assert_eq!(c.classify(&text, &mut scratch), want);
        }
    }

    #[test]
    fn every_sample_holds_a_literal_of_its_rule() {
        let c = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let mut candidates = prefilter::Candidates::default();
        for (i, r) in c.rules.iter().enumerate() {
            for s in &r.samples {
                let mut texts = Texts::default();
                texts.push(s.as_bytes());
                c.prefilter.candidates(&texts, 0, &mut candidates);
                assert!(
                    candidates.of(0).any(|x| x == i as RuleIdx),
                    "{} {s:?}",
                    r.id
                );
            }
        }
        // Every embedded rule has a literal: none is matched on every event.
        assert_eq!(c.prefilter.always(), &[] as &[RuleIdx]);
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
