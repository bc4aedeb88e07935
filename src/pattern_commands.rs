//! `logsift patterns test`, `logsift patterns suggest` and `logsift patterns list`.
//!
//! Loading a pack already checks every sample against its own rule (a failing one is a
//! [`PackError`](crate::classify::PackError), exit 2); `test` also reports samples that the whole
//! rule set gives to another rule (shadowing), which only a run over all packs can see, and rules
//! the prefilter cannot skip (no literal), which run on every event.

use std::io::{self, BufWriter, Write};

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use std::collections::HashSet;

use crate::classify::{Classifier, RuleKind, Scratch, Severity};
use crate::cli::{ListFormat, PatternArgs, SuggestArgs};
use crate::group::OTHER_GROUP;
use crate::pipeline::StageOptions;
use crate::ExitStatus;

/// A sample that the full rule set classifies differently than its own rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The rule whose sample it is.
    pub rule: String,
    /// The sample.
    pub sample: String,
    /// The rule that wins instead (or `(none)`).
    pub winner: String,
}

/// Samples of detection rules that another rule wins, in match order.
pub fn shadowed_samples(classifier: &Classifier) -> Vec<Shadowed> {
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    for (i, rule) in classifier.rules().iter().enumerate() {
        for s in &rule.samples {
            let c = classifier.classify(s.as_bytes(), &mut scratch);
            let winner = match rule.kind {
                RuleKind::Detect => c.ignored_by.or(c.rule),
                RuleKind::Ignore => c.ignored_by,
            };
            if winner != Some(i as u32) {
                out.push(Shadowed {
                    rule: rule.id.clone(),
                    sample: s.clone(),
                    winner: winner
                        .map_or_else(|| "(none)".into(), |w| classifier.rule(w).id.clone()),
                });
            }
        }
    }
    out
}

/// `patterns test`.
pub fn test(args: &PatternArgs) -> Result<ExitStatus> {
    let packs = crate::load_packs(args, crate::classify::pack::Checks::Full)?;
    let classifier = Classifier::new(&packs)?;
    let rules = classifier.rules();
    let samples: usize = rules
        .iter()
        .map(|r| r.samples.len() + r.not_samples.len())
        .sum();
    let mut out = BufWriter::new(io::stdout().lock());
    for s in shadowed_samples(&classifier) {
        writeln!(
            out,
            "warning: rule `{}`: sample {:?} is classified by `{}` first",
            s.rule, s.sample, s.winner
        )?;
    }
    for rule in classifier.rules_without_literal() {
        writeln!(
            out,
            "warning: rule `{}`: no literal of 3 bytes or more is in every match, so its regex \
             runs on every event (slower); spell out a word it always holds",
            rule.id
        )?;
    }
    writeln!(
        out,
        "ok: {} packs, {} rules ({} ignore), {samples} samples and counter-samples checked",
        packs.packs().len(),
        rules.len(),
        rules.iter().filter(|r| r.kind == RuleKind::Ignore).count()
    )?;
    out.flush()?;
    Ok(ExitStatus::Clean)
}

/// `patterns suggest`.
pub fn suggest(args: &SuggestArgs) -> Result<ExitStatus> {
    let packs = crate::load_packs(&args.patterns, crate::classify::pack::Checks::SchemaOnly)?;
    let classifier = Classifier::new(&packs)?;
    let opts = StageOptions {
        max_groups: 10_000,
        context: 0,
        show: Severity::Warning,
        grouping: crate::pipeline::Grouping::On,
    };
    // Groups with at least one unclassified event that looks like a problem.
    let mut candidates = HashSet::new();
    let collected = crate::analyze::collect(
        &args.input,
        &args.engine,
        &classifier,
        opts,
        &mut |ev, _, class, placement| {
            if class.rule.is_none()
                && class.ignored_by.is_none()
                && placement.id != OTHER_GROUP
                && crate::suggest::looks_like_problem(
                    &String::from_utf8_lossy(ev.text),
                    class.severity,
                )
            {
                candidates.insert(placement.id);
            }
        },
    )?;
    let grouper = &collected.stages.grouper;
    let mut groups: Vec<_> = grouper
        .groups()
        .iter()
        .filter(|g| g.rule.is_none() && candidates.contains(&g.id))
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.seq.cmp(&b.seq)));
    let suggestions: Vec<_> = groups
        .iter()
        .enumerate()
        .filter_map(|(n, g)| {
            let services = g
                .services
                .iter()
                .map(|s| collected.services.name(*s).to_owned())
                .collect();
            crate::suggest::suggest(
                &g.template,
                &g.sample.text,
                g.severity,
                g.count,
                services,
                n + 1,
            )
        })
        .take(args.limit.min(crate::suggest::MAX_SUGGESTIONS))
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    if suggestions.is_empty() {
        writeln!(
            out,
            "# no unclassified problems: every problem-looking event matched a rule"
        )?;
    } else {
        out.write_all(crate::suggest::to_toml(&suggestions).as_bytes())?;
    }
    out.flush()?;
    Ok(ExitStatus::Clean)
}

/// `patterns list`.
pub fn list(args: &PatternArgs, format: ListFormat) -> Result<ExitStatus> {
    let packs = crate::load_packs(args, crate::classify::pack::Checks::Full)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        ListFormat::Json => {
            let rules: Vec<_> = packs.rules().collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED).force_no_tty();
            t.set_header([
                "id",
                "kind",
                "category",
                "severity",
                "description",
                "origin",
            ]);
            for r in packs.rules() {
                let kind = match r.kind {
                    RuleKind::Detect => "detect",
                    RuleKind::Ignore => "ignore",
                };
                t.add_row([
                    r.id.as_str(),
                    kind,
                    r.category.as_str(),
                    r.severity.as_str(),
                    r.description.as_str(),
                    r.origin.as_str(),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Clean)
}
