//! Grouping: events whose masked text is the same share a [`Group`], with a stable id, a count,
//! first and last sighting, the services that printed it and one sample.
//!
//! The key of an event is its masked first line, plus its masked last line for multi-line events
//! (a traceback's exception). The id is a 64-bit FNV-1a hash of [`GROUPING_VERSION`] and the key,
//! so the same problem gets the same id across runs and machines. At most `max_groups` groups are
//! kept; events that would open one more are tallied as "other". This stage only knows events and
//! their classification; the report decides what to show.

pub mod mask;

use std::collections::HashMap;

use crate::classify::{Category, Classification, RuleIdx, Severity};
use crate::multiline::Event;
use crate::record::{ServiceId, Timestamp};

/// Version of the grouping scheme, part of every id; bump it when templates change.
pub const GROUPING_VERSION: &str = "g1";
/// Bytes of an event's first line that are masked into its key.
pub const MAX_KEY_BYTES: usize = 1024;
/// Bytes of a sample's text kept.
pub const MAX_SAMPLE_BYTES: usize = 8 * 1024;
/// Services listed per group.
pub const MAX_SERVICES_PER_GROUP: usize = 64;

/// A group's stable id.
pub type GroupId = u64;

/// Id given to events that found no room (more than `max_groups` distinct groups).
pub const OTHER_GROUP: GroupId = 0;

/// Formats a group id as the 16 hex digits used in every output.
pub fn format_id(id: GroupId) -> String {
    format!("{id:016x}")
}

/// One kind of message.
#[derive(Debug, Clone)]
pub struct Group {
    /// Stable id.
    pub id: GroupId,
    /// The masked text that defines it.
    pub template: String,
    /// Events in it.
    pub count: u64,
    /// Worst severity of its events.
    pub severity: Severity,
    /// Category of its worst event.
    pub category: Category,
    /// Rule of its worst event.
    pub rule: Option<RuleIdx>,
    /// Services that printed it, in order of first sighting.
    pub services: Vec<ServiceId>,
    /// First sighting: input line and time.
    pub first_line: u64,
    /// Time of the first sighting, when known.
    pub first_ts: Option<Timestamp>,
    /// Last sighting: input line.
    pub last_line: u64,
    /// Time of the last sighting, when known.
    pub last_ts: Option<Timestamp>,
    /// The first event at its worst severity.
    pub sample: Sample,
    /// Order of creation (ties in sorting are broken by it).
    pub seq: u64,
}

/// One event kept as the example of a group.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Who printed it.
    pub service: ServiceId,
    /// Its first input line.
    pub first_line: u64,
    /// Its last input line.
    pub last_line: u64,
    /// Its text (cut at [`MAX_SAMPLE_BYTES`]).
    pub text: String,
}

/// What [`Grouper::observe`] says of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The group's id ([`OTHER_GROUP`] when there was no room).
    pub id: GroupId,
    /// The event opened the group, or became its new sample (a worse severity).
    pub new_sample: bool,
}

/// Assigns events to groups.
#[derive(Debug)]
pub struct Grouper {
    max_groups: usize,
    groups: Vec<Group>,
    index: HashMap<GroupId, usize>,
    key: String,
    masked: String,
    other_events: u64,
}

impl Grouper {
    /// A grouper keeping at most `max_groups` groups.
    pub fn new(max_groups: usize) -> Grouper {
        Grouper {
            max_groups,
            groups: Vec::new(),
            index: HashMap::new(),
            key: String::new(),
            masked: String::new(),
            other_events: 0,
        }
    }

    /// Puts `event` in its group.
    pub fn observe(&mut self, event: &Event<'_>, class: &Classification) -> Placement {
        self.build_key(event.text);
        let id = fingerprint(&self.key);
        let ts = event.first_ts;
        if let Some(&i) = self.index.get(&id) {
            let g = &mut self.groups[i];
            g.count += 1;
            g.last_line = event.last_line;
            if ts.is_some() {
                g.last_ts = ts;
            }
            if !g.services.contains(&event.service) && g.services.len() < MAX_SERVICES_PER_GROUP {
                g.services.push(event.service);
            }
            let worse = class.severity > g.severity;
            if worse {
                g.severity = class.severity;
                g.category = class.category;
                g.rule = class.rule;
                g.sample = sample_of(event);
            }
            return Placement {
                id,
                new_sample: worse,
            };
        }
        if self.groups.len() >= self.max_groups {
            self.other_events += 1;
            return Placement {
                id: OTHER_GROUP,
                new_sample: false,
            };
        }
        let seq = self.groups.len() as u64;
        self.index.insert(id, self.groups.len());
        self.groups.push(Group {
            id,
            template: self.key.clone(),
            count: 1,
            severity: class.severity,
            category: class.category,
            rule: class.rule,
            services: vec![event.service],
            first_line: event.first_line,
            first_ts: ts,
            last_line: event.last_line,
            last_ts: ts,
            sample: sample_of(event),
            seq,
        });
        Placement {
            id,
            new_sample: true,
        }
    }

    fn build_key(&mut self, text: &[u8]) {
        let first_end = memchr::memchr(b'\n', text).unwrap_or(text.len());
        mask::mask_into(&text[..first_end], &mut self.key, MAX_KEY_BYTES);
        if first_end < text.len() {
            let last = text
                .split(|&b| b == b'\n')
                .rev()
                .find(|l| !l.iter().all(u8::is_ascii_whitespace));
            if let Some(last) = last {
                mask::mask_into(last, &mut self.masked, MAX_KEY_BYTES);
                if self.masked != self.key {
                    self.key.push_str(" … ");
                    self.key.push_str(self.masked.trim());
                }
            }
        }
    }

    /// The groups, in order of creation.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The group `id`, if kept.
    pub fn get(&self, id: GroupId) -> Option<&Group> {
        self.index.get(&id).map(|&i| &self.groups[i])
    }

    /// Events that found no room.
    pub fn other_events(&self) -> u64 {
        self.other_events
    }
}

fn sample_of(event: &Event<'_>) -> Sample {
    let text = &event.text[..event.text.len().min(MAX_SAMPLE_BYTES)];
    Sample {
        service: event.service,
        first_line: event.first_line,
        last_line: event.last_line,
        text: String::from_utf8_lossy(text).into_owned(),
    }
}

/// FNV-1a 64 of the grouping version and the key; never [`OTHER_GROUP`].
pub fn fingerprint(key: &str) -> GroupId {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in GROUPING_VERSION.bytes().chain([0u8]).chain(key.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Stream;

    fn event(text: &str, line: u64) -> Event<'_> {
        Event {
            service: 0,
            stream: Stream::Unknown,
            first_line: line,
            last_line: line,
            first_ts: None,
            lines: 1,
            text: text.as_bytes(),
            truncated: false,
        }
    }

    fn class(sev: Severity) -> Classification {
        Classification {
            severity: sev,
            category: Category::None,
            rule: None,
            ignored_by: None,
        }
    }

    #[test]
    fn messages_differing_in_numbers_share_a_group() {
        let mut g = Grouper::new(10);
        let a = g.observe(
            &event("timeout after 30s on 10.0.0.1", 1),
            &class(Severity::Error),
        );
        let b = g.observe(
            &event("timeout after 45s on 10.0.0.2", 2),
            &class(Severity::Error),
        );
        let c = g.observe(&event("disk full", 3), &class(Severity::Error));
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_eq!(g.get(a.id).unwrap().count, 2);
    }

    #[test]
    fn ids_are_stable_across_runs() {
        assert_eq!(
            format_id(fingerprint("disk full")),
            format_id(fingerprint("disk full"))
        );
        assert_eq!(format_id(fingerprint("disk full")).len(), 16);
    }

    #[test]
    fn groups_past_the_cap_are_tallied_as_other() {
        let mut g = Grouper::new(1);
        g.observe(&event("a", 1), &class(Severity::Error));
        let p = g.observe(&event("b", 2), &class(Severity::Error));
        assert_eq!(p.id, OTHER_GROUP);
        assert_eq!(g.other_events(), 1);
    }
}
