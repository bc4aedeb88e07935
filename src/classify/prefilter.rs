//! The literal prefilter: which rules an event could match, from one Aho-Corasick pass over its
//! text, before any rule's regex runs.
//!
//! For every rule, [`required_literals`] reads its regex (as `regex-syntax` parses it, with the
//! classifier's options) and finds a set of strings such that every match of the rule contains
//! at least one of them; of the sets a regex offers (a prefix, a word after a gap, the branches
//! of an alternation), the rarest is taken. The strings of all rules go into one automaton,
//! searched ASCII case-insensitively whatever the rule's own flags, which can only add
//! candidates, never lose one: an event holding none of a rule's strings cannot match it. Rules
//! without a usable string (`\d+ [a-z]+`) are matched by one `RegexSet` over them on every event.
//!
//! The automaton starts as a contiguous NFA (about 3 ms to build for the embedded packs) and
//! becomes a DFA (about 10 ms, and 7 times faster per byte) once the input proves long, so a
//! short log does not pay for the DFA and a long one does not pay for the NFA. The search walks
//! the automaton's states itself ([`Automaton`]), four texts side by side, naming every literal
//! in the same pass.

use std::sync::OnceLock;

use aho_corasick::automaton::Automaton;
use aho_corasick::automaton::StateID;
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use regex::bytes::RegexSet;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::RuleIdx;

/// The byte after every text of a [`Texts`]: no literal holds it.
const SEPARATOR: u8 = 0;
/// Events searched with the NFA before the DFA is built: about as many as the NFA searches in
/// the time the DFA takes to build (on the benchmark corpus the NFA takes 0.7 µs an event, the
/// DFA 0.1 µs and 10 ms to build; 5,000 lines take 0.01 s less with the NFA alone, 20,000 lines
/// 0.01 s more), so a log never pays much more than the better choice would have cost.
pub const DFA_AFTER_EVENTS: u64 = 10_000;
/// Most strings a node's exact set (every string it can match) may hold.
const MAX_EXACT: usize = 64;
/// Most distinct bytes a character class may stand for and still be spelled out.
const MAX_CLASS_BYTES: usize = 8;
/// Longest string searched for: a rule's longer strings are cut to their first bytes. Every
/// byte past the cut would add a state to the automaton, which grows the DFA and the time to
/// build it, for little gain: on the benchmark corpus, cutting at 16 bytes takes the DFA from
/// 12.7 to 5.2 MiB and its build from 32 to 10 ms, and lets 7.5% of events through instead of 6.1%.
const MAX_LITERAL_LEN: usize = 16;
/// Shortest string worth searching for: shorter ones would make the rule a candidate almost
/// everywhere, so such a rule is matched on every event instead.
const MIN_LITERAL_LEN: usize = 3;

/// Finds the rules an event may match.
#[derive(Debug)]
pub struct Prefilter {
    /// Every distinct literal, lowercase, in automaton pattern order.
    literals: Vec<Vec<u8>>,
    /// Over [`Self::literals`]: built at once.
    nfa: NFA,
    /// Over [`Self::literals`]: built on first use (`None` if it could not be).
    dfa: OnceLock<Option<DFA>>,
    /// Per literal: the rules that require it.
    rules_of: Vec<Vec<RuleIdx>>,
    /// Rules without usable literals, and the set that matches them on every event.
    always: Vec<RuleIdx>,
    always_set: Option<RegexSet>,
}

impl Prefilter {
    /// Builds the prefilter of `rules` (parsed regexes with their source, in rule order).
    pub fn new<'a>(
        rules: impl IntoIterator<Item = (&'a Hir, &'a str)>,
    ) -> Result<Prefilter, String> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut rules_of: Vec<Vec<RuleIdx>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut always = Vec::new();
        let mut always_patterns = Vec::new();
        for (i, (hir, pattern)) in rules.into_iter().enumerate() {
            let i = i as RuleIdx;
            let searched = required_literals(hir).and_then(|lits| {
                lits.iter()
                    .map(|l| searchable(l))
                    .collect::<Option<Vec<_>>>()
            });
            match searched {
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
                None => {
                    always.push(i);
                    always_patterns.push(pattern);
                }
            }
        }
        let nfa = build_nfa(&literals).map_err(|e| e.to_string())?;
        let always_set = if always.is_empty() {
            None
        } else {
            Some(super::build_set(always_patterns).map_err(|e| e.to_string())?)
        };
        Ok(Prefilter {
            literals,
            nfa,
            dfa: OnceLock::new(),
            rules_of,
            always,
            always_set,
        })
    }

    /// Puts in `out` (cleared first) the rules each of `texts` may match. `events` is how many
    /// events the caller has classified so far.
    pub fn candidates(&self, texts: &Texts, events: u64, out: &mut Candidates) {
        out.pairs.clear();
        if texts.is_empty() {
            return;
        }
        if events >= DFA_AFTER_EVENTS {
            match self.dfa.get_or_init(|| build_dfa(&self.literals).ok()) {
                Some(dfa) => self.scan(dfa, texts, out),
                None => self.scan(&self.nfa, texts, out),
            }
        } else {
            self.scan(&self.nfa, texts, out);
        }
        if let Some(set) = &self.always_set {
            for e in 0..texts.len() {
                out.pairs.extend(
                    set.matches(texts.get(e))
                        .iter()
                        .map(|j| (e as u32, self.always[j])),
                );
            }
        }
        out.pairs.sort_unstable();
        out.pairs.dedup();
    }

    /// Searches `texts` for the literals and puts the rules of every literal found in `out`.
    ///
    /// The texts lie back to back, each followed by [`SEPARATOR`], which no literal holds: on it
    /// the automaton returns to its start state, so one text's end never joins the next one's
    /// start. The whole is cut into four parts at texts' starts, searched side by side: one
    /// search alone is a chain of dependent table loads (the next state needs the last), so the
    /// processor waits on each; four chains are independent and their loads overlap, which
    /// makes the search two to three times as fast per byte.
    fn scan<A: Automaton>(&self, aut: &A, texts: &Texts, out: &mut Candidates) {
        let Ok(start) = aut.start_state(Anchored::No) else {
            return;
        };
        let bytes = &texts.bytes[..];
        let mut found = |at: usize, sid: StateID| {
            let event = texts.event_at(at);
            for i in 0..aut.match_len(sid) {
                let literal = aut.match_pattern(sid, i).as_usize();
                out.pairs
                    .extend(self.rules_of[literal].iter().map(|&r| (event, r)));
            }
        };
        let cuts: [usize; 5] = std::array::from_fn(|k| texts.start_near(bytes.len() * k / 4));
        let parts: [&[u8]; 4] = std::array::from_fn(|k| &bytes[cuts[k]..cuts[k + 1]]);
        let m = parts.iter().map(|p| p.len()).min().unwrap_or(0);
        let mut state = [start; 4];
        let [s0, s1, s2, s3] = &mut state;
        let steps = parts[0][..m]
            .iter()
            .zip(&parts[1][..m])
            .zip(&parts[2][..m])
            .zip(&parts[3][..m]);
        // The four states live in registers, and one branch per step asks whether any of them
        // is special: a match state (the dead state is never reached, the search being
        // unanchored, and the start state is special only with a prefilter, which it lacks).
        for (i, (((&b0, &b1), &b2), &b3)) in steps.enumerate() {
            *s0 = aut.next_state(Anchored::No, *s0, b0);
            *s1 = aut.next_state(Anchored::No, *s1, b1);
            *s2 = aut.next_state(Anchored::No, *s2, b2);
            *s3 = aut.next_state(Anchored::No, *s3, b3);
            if aut.is_special(*s0) | aut.is_special(*s1) | aut.is_special(*s2) | aut.is_special(*s3)
            {
                for (k, &s) in [*s0, *s1, *s2, *s3].iter().enumerate() {
                    if aut.is_match(s) {
                        found(cuts[k] + i, s);
                    }
                }
            }
        }
        // What is left of the longer parts, one at a time.
        for k in 0..4 {
            let mut s = state[k];
            for (i, &b) in parts[k].iter().enumerate().skip(m) {
                s = aut.next_state(Anchored::No, s, b);
                if aut.is_special(s) && aut.is_match(s) {
                    found(cuts[k] + i, s);
                }
            }
        }
    }

    /// Rules matched on every event (they have no usable literal).
    pub fn always(&self) -> &[RuleIdx] {
        &self.always
    }
}

/// The part of required string `lit` that is searched for: its longest run without the
/// separator, cut at [`MAX_LITERAL_LEN`] bytes (any part of a required string is required too),
/// or `None` when that is too short to search for.
fn searchable(lit: &[u8]) -> Option<Vec<u8>> {
    let run = lit
        .split(|&b| b == SEPARATOR)
        .max_by_key(|part| part.len())?;
    (run.len() >= MIN_LITERAL_LEN).then(|| run[..run.len().min(MAX_LITERAL_LEN)].to_vec())
}

/// An ASCII case-insensitive NFA whose match states name every literal ending there.
fn build_nfa(literals: &[Vec<u8>]) -> Result<NFA, aho_corasick::BuildError> {
    aho_corasick::nfa::contiguous::Builder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(literals)
}

/// The DFA of [`build_nfa`].
fn build_dfa(literals: &[Vec<u8>]) -> Result<DFA, aho_corasick::BuildError> {
    aho_corasick::dfa::Builder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .start_kind(StartKind::Unanchored)
        .prefilter(false)
        .build(literals)
}

/// The texts of several events, back to back, to be classified together.
#[derive(Debug, Default, Clone)]
pub struct Texts {
    /// Each text followed by [`SEPARATOR`].
    bytes: Vec<u8>,
    /// Where each text starts in `bytes`, and where the next would.
    starts: Vec<usize>,
}

impl Texts {
    /// Adds a text.
    pub fn push(&mut self, text: &[u8]) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.bytes.extend_from_slice(text);
        self.bytes.push(SEPARATOR);
        self.starts.push(self.bytes.len());
    }

    /// The `i`th text.
    pub fn get(&self, i: usize) -> &[u8] {
        &self.bytes[self.starts[i]..self.starts[i + 1] - 1]
    }

    /// How many texts there are.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (texts and separators).
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Removes every text, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.starts.clear();
    }

    /// Which text the byte at `at` belongs to.
    fn event_at(&self, at: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= at) - 1) as u32
    }

    /// The start of the first text that starts at or after `at` (the end if none does).
    fn start_near(&self, at: usize) -> usize {
        let i = self.starts.partition_point(|&s| s < at);
        self.starts.get(i).copied().unwrap_or(self.bytes.len())
    }
}

/// The rules a batch of events may match: what [`Prefilter::candidates`] found.
#[derive(Debug, Default)]
pub struct Candidates {
    /// (event, rule), sorted, without duplicates.
    pairs: Vec<(u32, RuleIdx)>,
}

impl Candidates {
    /// The rules event `event` (its index in the batch) may match, ascending.
    pub fn of(&self, event: usize) -> impl Iterator<Item = RuleIdx> + Clone + '_ {
        let e = event as u32;
        let from = self.pairs.partition_point(|&(x, _)| x < e);
        self.pairs[from..]
            .iter()
            .take_while(move |&&(x, _)| x == e)
            .map(|&(_, r)| r)
    }
}

/// Strings (lowercase ASCII) one of which every match of `hir` contains, or `None` when there
/// are none worth searching for.
pub fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let lits = analyse(hir).requirement()?;
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

/// The more selective of two requirements: the rarer weakest string, then fewer strings.
fn best(a: Option<Vec<Vec<u8>>>, b: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    fn score(s: &[Vec<u8>]) -> (u32, std::cmp::Reverse<usize>) {
        let weakest = s.iter().map(|l| rarity(l)).min().unwrap_or(0);
        (weakest, std::cmp::Reverse(s.len()))
    }
    match (a, b) {
        (Some(a), Some(b)) => Some(if score(&b) > score(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// How seldom a literal occurs in text, higher for rarer: the sum of its bytes' rarities, 0 for
/// a literal too short to search for.
///
/// A byte's rarity is 256 less its rank in [`BYTE_RANK`] (its more common case, as the search
/// ignores case). Length counts, but so does what the bytes are: ` http/` (common letters) is
/// in most access-log lines, `" 502` (a quote and digits) in few, though it is shorter.
fn rarity(literal: &[u8]) -> u32 {
    if literal.len() < MIN_LITERAL_LEN {
        return 0;
    }
    literal
        .iter()
        .map(|&b| {
            let lower = BYTE_RANK[usize::from(b.to_ascii_lowercase())];
            let upper = BYTE_RANK[usize::from(b.to_ascii_uppercase())];
            256 - u32::from(lower.max(upper))
        })
        .sum()
}

/// How common each byte is in text, 255 the most common: the table the `memchr` crate ranks
/// bytes by (`arch/all/packedpair/default_rank.rs`, MIT or Unlicense), built from a corpus of
/// source code and prose.
#[rustfmt::skip]
const BYTE_RANK: [u8; 256] = [
    55, 52, 51, 50, 49, 48, 47, 46, 45, 103, 242, 66, 67, 229, 44, 43,
    42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 56, 32, 31, 30, 29, 28,
    255, 148, 164, 149, 136, 160, 155, 173, 221, 222, 134, 122, 232, 202, 215, 224,
    208, 220, 204, 187, 183, 179, 177, 168, 178, 200, 226, 195, 154, 184, 174, 126,
    120, 191, 157, 194, 170, 189, 162, 161, 150, 193, 142, 137, 171, 176, 185, 167,
    186, 112, 175, 192, 188, 156, 140, 143, 123, 133, 128, 147, 138, 146, 114, 223,
    151, 249, 216, 238, 236, 253, 227, 218, 230, 247, 135, 180, 241, 233, 246, 244,
    231, 139, 245, 243, 251, 235, 201, 196, 240, 214, 152, 182, 205, 181, 127, 27,
    212, 211, 210, 213, 228, 197, 169, 159, 131, 172, 105, 80, 98, 96, 97, 81,
    207, 145, 116, 115, 144, 130, 153, 121, 107, 132, 109, 110, 124, 111, 82, 108,
    118, 141, 113, 129, 119, 125, 165, 117, 92, 106, 83, 72, 99, 93, 65, 79,
    166, 237, 163, 199, 190, 225, 209, 203, 198, 217, 219, 206, 234, 248, 158, 239,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
];

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
        // The rarer side of an unbounded gap is kept.
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
    fn the_rarer_literal_is_chosen_over_the_longer_common_one() {
        // An access-log rule: ` HTTP/` is in nearly every access line, `" 502` in few.
        assert_eq!(
            lits("\"[A-Z]+ [^\"\\n]* HTTP/[0-9.]+\" 502\\b").unwrap(),
            ["\" 502"]
        );
    }

    #[test]
    fn texts_lie_back_to_back_and_never_join() {
        let patterns = ["connection refused", "abc\\x00defg"];
        let hirs = patterns.map(hir);
        let p = Prefilter::new(hirs.iter().zip(patterns)).unwrap();
        assert_eq!(
            p.literals[1], b"defg",
            "the longest run without the separator"
        );
        let mut texts = Texts::default();
        // A literal split across two texts is not found; one in the last part (of four) is.
        let parts: [&[u8]; 9] = [
            b"a connection",
            b" refused",
            b"",
            b"x",
            b"abc\0defg",
            b"ok",
            b"ok",
            b"ok",
            b"CONNECTION REFUSED",
        ];
        for t in parts {
            texts.push(t);
        }
        assert_eq!(texts.len(), 9);
        assert_eq!(texts.get(4), b"abc\0defg");
        assert_eq!(texts.get(2), b"");
        let mut out = Candidates::default();
        for events in [0, DFA_AFTER_EVENTS] {
            p.candidates(&texts, events, &mut out);
            let got: Vec<Vec<RuleIdx>> = (0..9).map(|e| out.of(e).collect()).collect();
            let want: [&[RuleIdx]; 9] = [&[], &[], &[], &[], &[1], &[], &[], &[], &[0]];
            assert_eq!(got, want);
        }
    }

    #[test]
    fn long_literals_are_searched_by_their_start() {
        let patterns = [
            "could not connect to the database server",
            "(?i)could not connect to redis",
        ];
        let hirs = patterns.map(hir);
        let p = Prefilter::new(hirs.iter().zip(patterns)).unwrap();
        assert_eq!(
            p.literals,
            [b"could not connec".to_vec()],
            "one literal, cut at 16 bytes"
        );
        let mut out = Candidates::default();
        let mut texts = Texts::default();
        texts.push(b"ERROR Could not connect to Redis at redis:6379");
        p.candidates(&texts, 0, &mut out);
        assert_eq!(
            out.of(0).collect::<Vec<_>>(),
            [0, 1],
            "both rules are candidates"
        );
    }

    #[test]
    fn candidates_come_from_literals_and_rules_without_them() {
        let patterns = ["timed out", "(?i)refused", "[0-9]+"];
        let hirs = patterns.map(hir);
        let p = Prefilter::new(hirs.iter().zip(patterns)).unwrap();
        assert_eq!(p.always(), [2]);
        let mut out = Candidates::default();
        let mut texts = Texts::default();
        for t in [
            &b"connection REFUSED after 5s, timed out"[..],
            b"connection refused",
            b"all good",
        ] {
            texts.push(t);
        }
        for events in [0, DFA_AFTER_EVENTS] {
            p.candidates(&texts, events, &mut out);
            assert_eq!(out.of(0).collect::<Vec<_>>(), [0, 1, 2]);
            assert_eq!(
                out.of(1).collect::<Vec<_>>(),
                [1],
                "the literal-less rule is a candidate only where it matches"
            );
            assert_eq!(out.of(2).count(), 0);
        }
        assert!(
            p.dfa.get().is_some_and(Option::is_some),
            "the DFA was built"
        );
    }
}
