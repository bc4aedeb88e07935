//! The per-event stages every driver runs after multi-line assembly: classify, group, tally.
//!
//! `analyze`, `monitor` and `patterns suggest` hold one [`Stages`] and add what is theirs on top
//! (the `--events` file, live announcements, rule suggestions) from what [`Stages::event`]
//! returns.

use crate::classify::{Classification, Classifier, Scratch, Severity};
use crate::group::{Grouper, Placement, OTHER_GROUP};
use crate::multiline::Event;
use crate::report::Tally;

/// Whether events are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Mine every event into a group.
    On,
    /// Skip grouping: every event goes to the "other" group. Only for measuring what grouping
    /// costs over classification alone (`LOGSIFT_GROUPING=off`, see [`crate::settings::grouping`]).
    Off,
}

/// Options of [`Stages`].
#[derive(Debug, Clone, Copy)]
pub struct StageOptions {
    /// Most groups kept.
    pub max_groups: usize,
    /// Context lines kept around samples.
    pub context: usize,
    /// Lowest severity whose groups are shown (and get context).
    pub show: Severity,
    /// Whether events are grouped (off only to measure what grouping costs).
    pub grouping: Grouping,
}

/// Classifier, grouper and tally, fed one event at a time.
#[derive(Debug)]
pub struct Stages<'a> {
    classifier: &'a Classifier,
    scratch: Scratch,
    grouping: Grouping,
    /// The groups so far.
    pub grouper: Grouper,
    /// The counts so far.
    pub tally: Tally,
    /// Events seen.
    pub events: u64,
}

impl<'a> Stages<'a> {
    /// Empty stages over `classifier`.
    pub fn new(classifier: &'a Classifier, opts: StageOptions) -> Stages<'a> {
        Stages {
            classifier,
            scratch: Scratch::default(),
            grouping: opts.grouping,
            grouper: Grouper::new(opts.max_groups),
            tally: Tally::new(opts.context, opts.show),
            events: 0,
        }
    }

    /// The classifier the stages use.
    pub fn classifier(&self) -> &'a Classifier {
        self.classifier
    }

    /// Classifies, groups and counts one event.
    pub fn event(&mut self, ev: &Event<'_>) -> (Classification, Placement) {
        self.events += 1;
        let class = self.classifier.classify(ev.text, &mut self.scratch);
        let placement = match self.grouping {
            Grouping::On => self.grouper.observe(ev, &class),
            Grouping::Off => Placement {
                id: OTHER_GROUP,
                new_sample: false,
            },
        };
        self.tally.add(ev, &class, placement);
        (class, placement)
    }
}
