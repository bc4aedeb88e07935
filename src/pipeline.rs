//! The per-event stages every driver runs after multi-line assembly: classify, group, tally.
//!
//! `analyze`, `monitor` and `patterns suggest` hold one [`Stages`] and add what is theirs on top
//! (the `--events` file, live announcements, rule suggestions) from what the stages say of each
//! event. A driver that wants an answer at once (the monitor) calls [`Stages::event`]; one that
//! reads a whole input queues events with [`Stages::push`], which classifies them a batch at a
//! time ([`Classifier::classify_each`], faster per event), and calls [`Stages::flush`] at the
//! end. Either way every event is answered, in order.

use crate::classify::{Classification, Classifier, Scratch, Severity, Texts};
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

/// Events queued in a batch.
const BATCH_EVENTS: usize = 256;
/// Text queued in a batch past which it is processed whatever its number of events.
const BATCH_BYTES: usize = 256 * 1024;

/// Called with each event once the stages are through with it.
pub type Done<'d> = dyn FnMut(&Event<'_>, &Classification, Placement) + 'd;

/// Events waiting to be classified together: their texts, and the rest of each event.
#[derive(Debug, Default)]
struct Batch {
    texts: Texts,
    events: Vec<Event<'static>>,
    classes: Vec<Classification>,
    placements: Vec<Placement>,
}

/// Where every event goes when grouping is off.
const OTHERS: Placement = Placement {
    id: OTHER_GROUP,
    new_sample: false,
};

/// Classifier, grouper and tally.
#[derive(Debug)]
pub struct Stages<'a> {
    classifier: &'a Classifier,
    scratch: Scratch,
    batch: Batch,
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
            batch: Batch::default(),
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

    /// Classifies, groups and counts one event now. Events queued with [`Stages::push`] must
    /// have been flushed first, so that events are counted in order.
    pub fn event(&mut self, ev: &Event<'_>) -> (Classification, Placement) {
        debug_assert!(self.batch.events.is_empty(), "queued events not flushed");
        self.events += 1;
        let class = self.classifier.classify(ev.text, &mut self.scratch);
        let placement = self.group_and_count(ev, &class);
        (class, placement)
    }

    /// Queues one event; when the queue is full, classifies, groups and counts what it holds,
    /// calling `done` for each of those events in order.
    pub fn push(&mut self, ev: &Event<'_>, done: &mut Done<'_>) {
        self.events += 1;
        self.batch.texts.push(ev.text);
        self.batch.events.push(Event { text: &[], ..*ev });
        if self.batch.events.len() >= BATCH_EVENTS || self.batch.texts.byte_len() >= BATCH_BYTES {
            self.flush(done);
        }
    }

    /// Classifies, groups and counts every queued event, calling `done` for each in order.
    pub fn flush(&mut self, done: &mut Done<'_>) {
        let mut batch = std::mem::take(&mut self.batch);
        self.classifier
            .classify_each(&batch.texts, &mut self.scratch, &mut batch.classes);
        let events = batch.events.iter().enumerate().map(|(i, head)| Event {
            text: batch.texts.get(i),
            ..*head
        });
        match self.grouping {
            Grouping::On => {
                let classified = events.clone().zip(&batch.classes);
                self.grouper
                    .observe_batch(classified, &mut batch.placements);
            }
            Grouping::Off => {
                batch.placements.clear();
                batch.placements.resize(batch.events.len(), OTHERS);
            }
        }
        for ((ev, class), &placement) in events.zip(&batch.classes).zip(&batch.placements) {
            self.tally.add(&ev, class, placement);
            done(&ev, class, placement);
        }
        batch.texts.clear();
        batch.events.clear();
        self.batch = batch;
    }

    /// Groups and counts one classified event.
    fn group_and_count(&mut self, ev: &Event<'_>, class: &Classification) -> Placement {
        let placement = match self.grouping {
            Grouping::On => self.grouper.observe(ev, class),
            Grouping::Off => OTHERS,
        };
        self.tally.add(ev, class, placement);
        placement
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::PackSet;
    use crate::record::Stream;

    fn event(i: usize, text: &[u8]) -> Event<'_> {
        Event {
            service: (i % 3) as u32,
            stream: Stream::Stdout,
            first_line: i as u64 + 1,
            last_line: i as u64 + 1,
            first_ts: None,
            lines: 1,
            text,
            truncated: false,
        }
    }

    #[test]
    fn queued_events_get_the_answers_of_events_taken_one_at_a_time() {
        // More events than a batch holds, so that full batches and the last partial one are
        // both classified.
        let classifier = Classifier::new(&PackSet::embedded().unwrap()).unwrap();
        let opts = StageOptions {
            max_groups: 100,
            context: 0,
            show: Severity::Warning,
            grouping: Grouping::On,
        };
        let texts: Vec<String> = (0..600)
            .map(|i| match i % 4 {
                0 => format!("ERROR dial tcp 10.0.0.{i}:5432: connect: connection refused"),
                1 => String::new(),
                2 => format!("GET /api/items/{i} 200 {i}ms"),
                _ => format!("FATAL: password authentication failed for user \"u{i}\""),
            })
            .collect();
        let mut one = Stages::new(&classifier, opts);
        let want: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let (c, p) = one.event(&event(i, t.as_bytes()));
                (i as u64 + 1, c, p)
            })
            .collect();
        let mut queued = Stages::new(&classifier, opts);
        let mut got = Vec::new();
        let mut done = |ev: &Event<'_>, c: &Classification, p: Placement| {
            got.push((ev.first_line, *c, p));
        };
        for (i, t) in texts.iter().enumerate() {
            queued.push(&event(i, t.as_bytes()), &mut done);
        }
        queued.flush(&mut done);
        assert_eq!(got, want);
        assert_eq!(queued.events, 600);
        assert!(want.iter().filter(|(_, c, _)| c.rule.is_some()).count() >= 300);
    }
}
