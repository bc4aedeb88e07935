//! The report: the aggregate every renderer reads, and the verdict.
//!
//! [`Tally`] counts events as they stream by (per severity, category and service, ignored events
//! per rule) and collects the context lines around group samples; [`Report::build`] turns the
//! tally and the groups into a [`Report`], sorted so that the same input always gives the same
//! report. The JSON schema of `Report` is documented in `render::json`.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Serialize;

use crate::classify::{Category, Classification, Classifier, Severity};
use crate::group::{format_id, GroupId, Grouper, Placement, OTHER_GROUP};
use crate::multiline::Event;
use crate::record::{ServiceId, Services};
use crate::source::timestamp::format_rfc3339;
use crate::source::SourceStats;
use crate::state::{ContainerStatus, StateFinding};

/// Version of the JSON report schema; bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;
/// Bytes of one context line kept.
pub const MAX_CONTEXT_LINE_BYTES: usize = 512;
/// Groups whose samples get context lines (the first ones at or above the shown severity);
/// with `--context 50` this bounds context memory to about 50 MiB at worst, 1 MiB typically.
pub const MAX_CONTEXT_GROUPS: usize = 1000;

/// The threshold of `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailThreshold {
    /// Fail at or above this severity.
    At(Severity),
    /// Never fail.
    Never,
}

impl FailThreshold {
    /// True when `s` makes the run fail.
    pub fn fails(self, s: Severity) -> bool {
        matches!(self, FailThreshold::At(t) if s >= t)
    }

    fn name(self) -> &'static str {
        match self {
            FailThreshold::At(s) => s.as_str(),
            FailThreshold::Never => "never",
        }
    }
}

/// Counts of events by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: u64,
    pub error: u64,
    pub warning: u64,
    pub info: u64,
    pub debug: u64,
}

impl SeverityCounts {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::Critical => self.critical += 1,
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
            Severity::Debug => self.debug += 1,
        }
    }

    /// The count of one severity.
    pub fn get(&self, s: Severity) -> u64 {
        match s {
            Severity::Critical => self.critical,
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
            Severity::Debug => self.debug,
        }
    }

    /// All events.
    pub fn total(&self) -> u64 {
        self.critical + self.error + self.warning + self.info + self.debug
    }

    /// Events at warning or above.
    pub fn problems(&self) -> u64 {
        self.critical + self.error + self.warning
    }
}

/// Per-service context ring and pending "after" lines of samples.
#[derive(Debug, Default)]
struct Context {
    lines: usize,
    /// Lowest severity whose samples get context.
    min_severity: Severity,
    recent: HashMap<ServiceId, VecDeque<String>>,
    /// Samples waiting for lines after them: group, service, lines still wanted.
    waiting: Vec<(GroupId, ServiceId, usize)>,
    before: HashMap<GroupId, Vec<String>>,
    after: HashMap<GroupId, Vec<String>>,
}

impl Context {
    fn on_event(&mut self, event: &Event<'_>, severity: Severity, placement: Placement) {
        if self.lines == 0 {
            return;
        }
        let event_lines = || {
            event.text.split(|&b| b == b'\n').map(|l| {
                String::from_utf8_lossy(&l[..l.len().min(MAX_CONTEXT_LINE_BYTES)]).into_owned()
            })
        };
        // Lines after earlier samples of this service.
        let mut i = 0;
        while i < self.waiting.len() {
            let (gid, svc, left) = self.waiting[i];
            if svc == event.service && gid != placement.id {
                let after = self.after.entry(gid).or_default();
                let take: Vec<String> = event_lines().take(left).collect();
                let n = take.len();
                after.extend(take);
                if n >= left {
                    self.waiting.swap_remove(i);
                    continue;
                }
                self.waiting[i].2 = left - n;
            }
            i += 1;
        }
        let ring = self.recent.entry(event.service).or_default();
        let wanted = severity >= self.min_severity
            && (self.before.len() < MAX_CONTEXT_GROUPS || self.before.contains_key(&placement.id));
        if placement.new_sample && placement.id != OTHER_GROUP && wanted {
            self.before
                .insert(placement.id, ring.iter().cloned().collect());
            self.after.remove(&placement.id);
            self.waiting.retain(|w| w.0 != placement.id);
            self.waiting.push((placement.id, event.service, self.lines));
        }
        for l in event_lines() {
            if ring.len() == self.lines {
                ring.pop_front();
            }
            ring.push_back(l);
        }
    }
}

/// Counts gathered while events stream by.
#[derive(Debug, Default)]
pub struct Tally {
    events: u64,
    severities: SeverityCounts,
    /// Indexed by `Category as usize` (the order of `Category::ALL`).
    categories: [SeverityCounts; Category::ALL.len()],
    /// Indexed by service id.
    services: Vec<SeverityCounts>,
    ignored: BTreeMap<u32, u64>,
    context: Context,
}

impl Tally {
    /// A tally collecting `context` lines around the samples of groups at or above `show`.
    pub fn new(context: usize, show: Severity) -> Tally {
        Tally {
            context: Context {
                lines: context,
                min_severity: show,
                ..Context::default()
            },
            ..Tally::default()
        }
    }

    /// Counts one classified, grouped event.
    pub fn add(&mut self, event: &Event<'_>, class: &Classification, placement: Placement) {
        self.events += 1;
        self.context.on_event(event, class.severity, placement);
        if let Some(rule) = class.ignored_by {
            *self.ignored.entry(rule).or_default() += 1;
            return;
        }
        self.severities.add(class.severity);
        self.categories[class.category as usize].add(class.severity);
        let sid = event.service as usize;
        if self.services.len() <= sid {
            self.services.resize(sid + 1, SeverityCounts::default());
        }
        self.services[sid].add(class.severity);
    }

    /// Events per severity so far (ignored events excluded).
    pub fn severities(&self) -> SeverityCounts {
        self.severities
    }

    /// Worst severity counted (ignored events excluded).
    pub fn worst(&self) -> Option<Severity> {
        Severity::ALL_DESC
            .into_iter()
            .find(|s| self.severities.get(*s) > 0)
    }
}

/// Where the logs came from.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    /// `file`, `stdin` or `engine`.
    pub kind: &'static str,
    /// The file's path, the project's name, or null.
    pub name: Option<String>,
    /// Counts of the source.
    #[serde(flatten)]
    pub stats: SourceStats,
    /// Events after multi-line joining.
    pub events: u64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub input: InputInfo,
    pub verdict: Verdict,
    pub totals: Totals,
    pub groups: Vec<GroupReport>,
    /// The containers read from the engine, with their state (empty for saved logs).
    pub containers: Vec<ContainerReport>,
}

/// One container and the finding its state makes.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerReport {
    pub name: String,
    pub service: String,
    #[serde(flatten)]
    pub status: ContainerStatus,
    /// Why its logs could not be read, if so.
    pub logs_error: Option<String>,
    /// The abnormal state, if any (counts toward the verdict).
    pub finding: Option<StateFinding>,
}

/// Name and version of the tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub grouping_version: &'static str,
}

/// Pass or fail, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// `pass` or `fail`.
    pub status: &'static str,
    /// The `--fail-on` threshold.
    pub fail_on: &'static str,
    /// Worst severity found (null when there were no events).
    pub worst: Option<Severity>,
    /// Events at or above the threshold.
    pub failing_events: u64,
    /// Containers whose state is a finding at or above the threshold.
    pub failing_containers: u64,
}

/// Counts.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub events: u64,
    pub by_severity: SeverityCounts,
    pub by_category: Vec<CategoryTotal>,
    pub by_service: Vec<ServiceTotal>,
    pub ignored: Vec<IgnoredTotal>,
    /// Groups kept at the end.
    pub groups: u64,
    /// Groups evicted (least recently seen first) to stay within `--max-groups`.
    pub evicted_groups: u64,
    /// Events of the evicted groups (counted in every total, listed in no group).
    pub other_events: u64,
}

/// Events of one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTotal {
    pub category: Category,
    #[serde(flatten)]
    pub counts: SeverityCounts,
}

/// Events of one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceTotal {
    pub service: String,
    pub events: u64,
    #[serde(flatten)]
    pub counts: SeverityCounts,
}

/// Events dropped by one ignore rule.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoredTotal {
    pub rule: String,
    pub events: u64,
}

/// One group, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub id: String,
    pub severity: Severity,
    pub category: Category,
    pub rule: Option<String>,
    pub description: Option<String>,
    pub hint: Option<String>,
    pub template: String,
    pub count: u64,
    pub services: Vec<String>,
    pub first_seen: Sighting,
    pub last_seen: Sighting,
    pub sample: SampleReport,
}

/// Where and when a group was seen.
#[derive(Debug, Clone, Serialize)]
pub struct Sighting {
    pub line: u64,
    pub time: Option<String>,
}

/// A group's sample event with its context.
#[derive(Debug, Clone, Serialize)]
pub struct SampleReport {
    pub service: String,
    pub first_line: u64,
    pub last_line: u64,
    pub text: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// What `Report::build` needs besides the tally.
pub struct ReportInputs<'a> {
    pub input: InputInfo,
    pub services: &'a Services,
    /// Containers and their state (engine only).
    pub containers: Vec<ContainerReport>,
    pub classifier: &'a Classifier,
    pub grouper: &'a Grouper,
    pub fail_on: FailThreshold,
    /// Lowest severity of the groups listed.
    pub show: Severity,
}

impl Report {
    /// Builds the report from what was counted.
    pub fn build(tally: &Tally, inputs: ReportInputs<'_>) -> Report {
        let ReportInputs {
            input,
            services,
            containers,
            classifier,
            grouper,
            fail_on,
            show,
        } = inputs;
        let findings = || containers.iter().filter_map(|c| c.finding.as_ref());
        let failing_containers = findings().filter(|f| fail_on.fails(f.severity)).count() as u64;
        let worst = tally.worst().max(findings().map(|f| f.severity).max());
        let failing_events = Severity::ALL_DESC
            .into_iter()
            .filter(|s| fail_on.fails(*s))
            .map(|s| tally.severities.get(s))
            .sum();
        let verdict = Verdict {
            status: if failing_events + failing_containers > 0 {
                "fail"
            } else {
                "pass"
            },
            fail_on: fail_on.name(),
            worst,
            failing_events,
            failing_containers,
        };
        let by_category = Category::ALL
            .iter()
            .zip(&tally.categories)
            .filter(|(c, n)| n.problems() > 0 || (**c != Category::None && n.total() > 0))
            .map(|(c, n)| CategoryTotal {
                category: *c,
                counts: *n,
            })
            .collect();
        let mut by_service: Vec<ServiceTotal> = tally
            .services
            .iter()
            .enumerate()
            .filter(|(_, n)| n.total() > 0)
            .map(|(s, n)| ServiceTotal {
                service: services.name(s as ServiceId).to_owned(),
                events: n.critical + n.error + n.warning + n.info + n.debug,
                counts: *n,
            })
            .collect();
        by_service.sort_by(|a, b| a.service.cmp(&b.service));
        let ignored = tally
            .ignored
            .iter()
            .map(|(r, n)| IgnoredTotal {
                rule: classifier.rule(*r).id.clone(),
                events: *n,
            })
            .collect();
        let mut kept: Vec<_> = grouper
            .groups()
            .iter()
            .filter(|g| g.severity >= show)
            .collect();
        kept.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.count.cmp(&a.count))
                .then(a.seq.cmp(&b.seq))
        });
        let context = &tally.context;
        let groups = kept
            .into_iter()
            .map(|g| {
                let rule = g.rule.map(|r| classifier.rule(r));
                GroupReport {
                    id: format_id(g.id),
                    severity: g.severity,
                    category: g.category,
                    rule: rule.map(|r| r.id.clone()),
                    description: rule.map(|r| r.description.clone()),
                    hint: rule.map(|r| r.hint.clone()).filter(|h| !h.is_empty()),
                    template: g.template.clone(),
                    count: g.count,
                    services: g
                        .services
                        .iter()
                        .map(|s| services.name(*s).to_owned())
                        .collect(),
                    first_seen: Sighting {
                        line: g.first_line,
                        time: g.first_ts.map(format_rfc3339),
                    },
                    last_seen: Sighting {
                        line: g.last_line,
                        time: g.last_ts.map(format_rfc3339),
                    },
                    sample: SampleReport {
                        service: services.name(g.sample.service).to_owned(),
                        first_line: g.sample.first_line,
                        last_line: g.sample.last_line,
                        text: g.sample.text.clone(),
                        before: context.before.get(&g.id).cloned().unwrap_or_default(),
                        after: context.after.get(&g.id).cloned().unwrap_or_default(),
                    },
                }
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "logsift",
                version: env!("CARGO_PKG_VERSION"),
                grouping_version: crate::group::GROUPING_VERSION,
            },
            input,
            verdict,
            totals: Totals {
                events: tally.events,
                by_severity: tally.severities,
                by_category,
                by_service,
                ignored,
                groups: grouper.groups().len() as u64,
                evicted_groups: grouper.evictions(),
                other_events: grouper.other_events(),
            },
            groups,
            containers,
        }
    }

    /// True when the verdict is a failure.
    pub fn failed(&self) -> bool {
        self.verdict.status == "fail"
    }
}
