//! The literal prefilter: which rules an event could possibly match, found with one
//! Aho-Corasick pass over its text before any regex runs.
//!
//! For every rule, [`required_literals`] reads its regex (as `regex-syntax` parses it, with the
//! classifier's options) and finds a set of strings such that every match of the rule contains at
//! least one of them. The strings of all rules go into one case-insensitive automaton: an event
//! whose text holds none of a rule's strings cannot match that rule, so only the rules whose
//! strings occur (plus those without usable strings) are tried. Strings are compared ASCII
//! case-insensitively whatever the rule's own flags, which can only add candidates, never lose
//! one. The classifier proves the two paths agree in its tests.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

use super::RuleIdx;

/// Most strings a node's exact set (every string it can match) may hold.
const MAX_EXACT: usize = 64;
/// Most distinct bytes a character class may stand for and still be spelled out.
const MAX_CLASS_BYTES: usize = 8;
/// Shortest string worth searching for: shorter ones would make the rule a candidate almost
/// everywhere, so such a rule is always tried instead.
const MIN_LITERAL_LEN: usize = 3;

/// Finds the rules an event may match.
#[derive(Debug)]
pub struct Prefilter {
    /// Over every distinct literal, ASCII case-insensitive.
    automaton: AhoCorasick,
    /// Per literal (automaton pattern id): the rules that require it.
    rules_of: Vec<Vec<RuleIdx>>,
    /// Rules without usable literals, tried on every event.
    always: Vec<RuleIdx>,
}

impl Prefilter {
    /// Builds the prefilter of `patterns` (rule regexes, in rule order).
    pub fn new<'a>(
        rules: impl IntoIterator<Item = &'a Hir>,
    ) -> Result<Prefilter, aho_corasick::BuildError> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut rules_of: Vec<Vec<RuleIdx>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut always = Vec::new();
        for (i, hir) in rules.into_iter().enumerate() {
            let i = i as RuleIdx;
            match required_literals(hir) {
                Some(lits) => {
                    for lit in lits {
                        let id = *index.entry(lit.clone()).or_insert_with(|| {
                            literals.push(lit);
                            rules_of.push(Vec::new());
                            rules_of.len() - 1
                        });
                        if rules_of[id].last() != Some(&i) {
                            rules_of[id].push(i);
                        }
                    }
                }
                None => always.push(i),
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)?;
        always.sort_unstable();
        always.dedup();
        Ok(Prefilter {
            automaton,
            rules_of,
            always,
        })
    }

    /// Puts in `out` (cleared first) the rules `text` may match, ascending and without
    /// duplicates.
    pub fn candidates(&self, text: &[u8], out: &mut Vec<RuleIdx>) {
        out.clear();
        out.extend_from_slice(&self.always);
        let before = out.len();
        for m in self.automaton.find_overlapping_iter(text) {
            if let Some(rules) = self.rules_of.get(m.pattern().as_usize()) {
                out.extend_from_slice(rules);
            }
        }
        if out.len() > before || before == 0 {
            out.sort_unstable();
            out.dedup();
        }
    }

    /// Rules tried on every event (they have no usable literal).
    pub fn always(&self) -> &[RuleIdx] {
        &self.always
    }
}

/// Strings (lowercase ASCII) one of which every match of `hir` contains, or `None` when there
/// are none worth searching for.
pub fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let info = analyse(hir);
    let lits = info.requirement()?;
    (lits.iter().map(Vec::len).min()? >= MIN_LITERAL_LEN).then_some(lits)
}

/// What is known of the strings a node matches.
#[derive(Debug, Clone, Default)]
struct Info {
    /// Every string the node can match (lowercased), when few.
    exact: Option<Vec<Vec<u8>>>,
    /// Strings one of which every match contains, when known.
    required: Option<Vec<Vec<u8>>>,
}

impl Info {
    fn exact(set: Vec<Vec<u8>>) -> Info {
        Info {
            exact: Some(set),
            required: None,
        }
    }

    /// The best set one of which every match contains.
    fn requirement(&self) -> Option<Vec<Vec<u8>>> {
        let from_exact = self
            .exact
            .as_ref()
            .filter(|e| !e.is_empty() && e.iter().all(|s| !s.is_empty()));
        best(from_exact.cloned(), self.required.clone())
    }
}

/// The more selective of two requirements: longer shortest string, then fewer strings.
fn best(a: Option<Vec<Vec<u8>>>, b: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    fn score(s: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
        (
            s.iter().map(Vec::len).min().unwrap_or(0),
            std::cmp::Reverse(s.len()),
        )
    }
    match (a, b) {
        (Some(a), Some(b)) => Some(if score(&b) > score(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

fn analyse(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::exact(vec![Vec::new()]),
        HirKind::Literal(lit) => Info::exact(vec![lit.0.to_ascii_lowercase()]),
        HirKind::Class(class) => match class_bytes(class) {
            Some(bytes) => Info::exact(bytes.into_iter().map(|b| vec![b]).collect()),
            None => Info::default(),
        },
        HirKind::Capture(cap) => analyse(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = analyse(&rep.sub);
            if rep.max == Some(0) {
                return Info::exact(vec![Vec::new()]);
            }
            if rep.min == 0 {
                // `x?` is `x` or nothing; anything longer has no exact set and no requirement.
                let exact = match (&sub.exact, rep.max) {
                    (Some(e), Some(1)) if e.len() < MAX_EXACT => {
                        let mut e = e.clone();
                        e.push(Vec::new());
                        Some(dedup(e))
                    }
                    _ => None,
                };
                return Info {
                    exact,
                    required: None,
                };
            }
            let exact = match (&sub.exact, rep.max) {
                (Some(e), Some(max)) if max == rep.min => {
                    let mut acc = Some(vec![Vec::new()]);
                    for _ in 0..rep.min {
                        acc = acc.and_then(|a| product(&a, e));
                    }
                    acc
                }
                _ => None,
            };
            Info {
                exact,
                required: sub.requirement(),
            }
        }
        HirKind::Concat(subs) => concat(subs),
        HirKind::Alternation(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let exact = infos
                .iter()
                .map(|i| i.exact.clone())
                .collect::<Option<Vec<_>>>()
                .map(|sets| dedup(sets.concat()))
                .filter(|e| e.len() <= MAX_EXACT);
            let required = infos
                .iter()
                .map(Info::requirement)
                .collect::<Option<Vec<_>>>()
                .map(|sets| dedup(sets.concat()));
            Info { exact, required }
        }
    }
}

/// A concatenation: runs of exact children are multiplied out into longer strings; the best
/// run (or the best requirement of an inexact child) is what the whole requires.
fn concat(subs: &[Hir]) -> Info {
    let mut run: Vec<Vec<u8>> = vec![Vec::new()];
    let mut all_exact = true;
    let mut required: Option<Vec<Vec<u8>>> = None;
    let close = |run: &[Vec<u8>], required: &mut Option<Vec<Vec<u8>>>| {
        let run_req = Info::exact(run.to_vec()).requirement();
        *required = best(required.take(), run_req);
    };
    for sub in subs {
        let info = analyse(sub);
        match &info.exact {
            Some(e) => match product(&run, e) {
                Some(p) => run = p,
                None => {
                    all_exact = false;
                    close(&run, &mut required);
                    run = e.clone();
                }
            },
            None => {
                all_exact = false;
                close(&run, &mut required);
                run = vec![Vec::new()];
                required = best(required.take(), info.requirement());
            }
        }
    }
    close(&run, &mut required);
    Info {
        exact: all_exact.then_some(run),
        required,
    }
}

/// Every `a` followed by every `b`, unless that makes too many strings.
fn product(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len().saturating_mul(b.len()) > MAX_EXACT {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.push(s);
        }
    }
    Some(dedup(out))
}

fn dedup(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The distinct lowercased bytes a class matches, when few and all single bytes.
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match class {
        Class::Bytes(c) => {
            for r in c.iter() {
                if usize::from(r.end() - r.start()) >= 2 * MAX_CLASS_BYTES {
                    return None;
                }
                out.extend((r.start()..=r.end()).map(|b| b.to_ascii_lowercase()));
            }
        }
        Class::Unicode(c) => {
            for r in c.iter() {
                let (start, end) = (u32::from(r.start()), u32::from(r.end()));
                if end >= 0x80 || end - start >= 2 * MAX_CLASS_BYTES as u32 {
                    return None;
                }
                out.extend((start..=end).map(|b| (b as u8).to_ascii_lowercase()));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_CLASS_BYTES).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hir(p: &str) -> Hir {
        crate::classify::parse_rule(p).unwrap()
    }

    fn lits(p: &str) -> Option<Vec<String>> {
        required_literals(&hir(p)).map(|v| {
            v.into_iter()
                .map(|s| String::from_utf8(s).unwrap())
                .collect()
        })
    }

    #[test]
    fn literals_are_what_every_match_must_contain() {
        assert_eq!(
            lits("no pg_hba\\.conf entry for").unwrap(),
            ["no pg_hba.conf entry for"]
        );
        assert_eq!(
            lits("(?i)connection (?:refused|reset)").unwrap(),
            ["connection refused", "connection reset"]
        );
        assert_eq!(lits("https?://x").unwrap(), ["http://x", "https://x"]);
        // The longer side of an unbounded gap is kept.
        assert_eq!(
            lits("PANIC:[^\\n]*No space left on device").unwrap(),
            ["no space left on device"]
        );
        assert_eq!(lits("(?-u:\\b)OOM(?-u:\\b)").unwrap(), ["oom"]);
        // Every side of an alternation must give a requirement.
        assert_eq!(lits("foo.*|barbaz").unwrap(), ["barbaz", "foo"]);
        assert!(lits("foo|.*").is_none());
        assert!(lits("\\d+ errors?").is_some());
        assert!(lits("[a-z]+").is_none());
        assert!(lits("ab").is_none(), "too short to be worth searching");
    }

    #[test]
    fn candidates_come_from_literals_and_rules_without_them() {
        let hirs = ["timed out", "(?i)refused", "[0-9]+"].map(hir);
        let p = Prefilter::new(&hirs).unwrap();
        assert_eq!(p.always(), [2]);
        let mut out = Vec::new();
        p.candidates(b"connection REFUSED, timed out", &mut out);
        assert_eq!(out, [0, 1, 2]);
        p.candidates(b"all good", &mut out);
        assert_eq!(out, [2]);
    }
}
