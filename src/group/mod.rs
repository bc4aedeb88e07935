//! Grouping: each event is masked ([`mask`]), then mined into a template ([`miner`]); events of
//! one template share a [`Group`], with a stable id, a count, first and last sighting, the services
//! that printed it and one sample.
//!
//! The key of an event is its masked first line, plus its masked last line for multi-line events
//! (a traceback's exception). An event whose skeletons ([`skeleton`]: a line with what masking
//! never reads made alike) of those lines and whose rule were seen before goes straight to the
//! group the last such event went to, without masking. A key seen before goes straight to its
//! group; a new key is compared with the templates of its length and first token and joins the
//! closest, whose template then generalises. The id of a group is a 64-bit hash ([`fingerprint`])
//! of [`GROUPING_VERSION`] and the key of its first member, so it does not change as the template
//! generalises and the same problem gets the same id across runs and machines. At most
//! `max_groups` groups are kept: the one seen least recently is evicted to make room, and its
//! events are tallied as "other". This stage only knows events and their classification; the
//! report decides what to show.

pub mod mask;
pub mod miner;
pub mod skeleton;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::classify::{Category, Classification, RuleIdx, Severity};
use crate::multiline::Event;
use crate::record::{ServiceId, Timestamp};
use skeleton::Skeleton;

/// Version of the grouping scheme, part of every id; bump it when templates change.
pub const GROUPING_VERSION: &str = "g3";
/// Bytes of an event's first line that are masked into its key.
pub const MAX_KEY_BYTES: usize = 1024;
/// Bytes of a sample's text kept.
pub const MAX_SAMPLE_BYTES: usize = 8 * 1024;
/// Skeletons whose group is remembered: a fixed table (1 MiB), the least recent of two
/// skeletons that share a place giving way.
pub const MAX_SKELETONS: usize = 1 << 16;
/// Services listed per group.
pub const MAX_SERVICES_PER_GROUP: usize = 64;

/// A group's stable id.
pub type GroupId = u64;

/// Id given to events that found no room (only when `max_groups` is 0).
pub const OTHER_GROUP: GroupId = 0;

/// Formats a group id as the 16 hex digits used in every output.
pub fn format_id(id: GroupId) -> String {
    format!("{id:016x}")
}

/// One kind of message.
///
/// Laid out as written (`repr(C)`) and on a cache line of its own: what placing an event reads
/// and writes comes first and fits in that line, as most events only touch that.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct Group {
    /// Stable id.
    pub id: GroupId,
    /// Events in it.
    pub count: u64,
    /// Last sighting: input line.
    pub last_line: u64,
    /// Time of the last sighting, when known.
    pub last_ts: Option<Timestamp>,
    /// The grouper's clock at the last sighting (for eviction).
    last_seen: u64,
    /// The service of the last sighting (its `services` need no look when it prints again).
    last_service: ServiceId,
    /// Worst severity of its events.
    pub severity: Severity,
    /// Category of its worst event.
    pub category: Category,
    /// Rule of its worst event.
    pub rule: Option<RuleIdx>,
    /// Order of creation (ties in sorting are broken by it).
    pub seq: u64,
    /// The masked text that defines it.
    pub template: String,
    /// Services that printed it, in order of first sighting.
    pub services: Vec<ServiceId>,
    /// First sighting: input line and time.
    pub first_line: u64,
    /// Time of the first sighting, when known.
    pub first_ts: Option<Timestamp>,
    /// The first event at its worst severity.
    pub sample: Sample,
}

// What placing an event touches lies in the group's first cache line.
const _: () = assert!(std::mem::offset_of!(Group, rule) + 8 <= 64);

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

/// Mining state of one group, parallel to [`Grouper::groups`].
#[derive(Debug)]
struct Meta {
    tokens: Vec<Box<str>>,
    bucket: (usize, u64),
}

/// Assigns events to groups.
#[derive(Debug)]
pub struct Grouper {
    max_groups: usize,
    groups: Vec<Group>,
    meta: Vec<Meta>,
    index: IdMap<usize>,
    /// Fingerprint of a key seen before -> its group and the group's slot (stale entries, whose
    /// slot now holds another group, are misses).
    exact: IdMap<(GroupId, usize)>,
    buckets: HashMap<(usize, u64), Vec<usize>>,
    /// Oldest groups by last sighting, newest first (popped from the end).
    evict_queue: Vec<(u64, usize)>,
    /// Skeleton key ([`Grouper::skeleton_key`]) of an event -> the slot of the group it went
    /// to and that group's `seq` (stale entries, whose slot now holds a newer group, are misses).
    by_skeleton: SkeletonCache,
    /// The skeleton keys of the batch [`Grouper::observe_batch`] is placing.
    batch_keys: Vec<Option<u64>>,
    skeleton: Skeleton,
    key: String,
    masked: String,
    tick: u64,
    created: u64,
    other_events: u64,
    evictions: u64,
}

impl Grouper {
    /// A grouper keeping at most `max_groups` groups.
    pub fn new(max_groups: usize) -> Grouper {
        Grouper {
            max_groups,
            groups: Vec::new(),
            meta: Vec::new(),
            index: IdMap::default(),
            exact: IdMap::default(),
            buckets: HashMap::new(),
            evict_queue: Vec::new(),
            by_skeleton: SkeletonCache::new(),
            batch_keys: Vec::new(),
            skeleton: Skeleton::default(),
            key: String::new(),
            masked: String::new(),
            tick: 0,
            created: 0,
            other_events: 0,
            evictions: 0,
        }
    }

    /// Puts `event` in its group.
    ///
    /// An event goes straight to the group of the last event of its skeleton key and rule,
    /// without masking: lines of one skeleton mask alike ([`skeleton`]).
    pub fn observe(&mut self, event: &Event<'_>, class: &Classification) -> Placement {
        let key = self.skeleton_key(event, class);
        self.observe_keyed(event, class, key)
    }

    /// Puts a batch of classified events in their groups, in order, writing where each went into
    /// `placements`; the same as [`Grouper::observe`] on each.
    ///
    /// The events' skeleton keys are all worked out first, and the places the cache keeps them
    /// read once ahead: those reads then overlap, where one event at a time they would wait on
    /// memory one after another.
    pub fn observe_batch<'e>(
        &mut self,
        events: impl Iterator<Item = (Event<'e>, &'e Classification)> + Clone,
        placements: &mut Vec<Placement>,
    ) {
        let mut keys = std::mem::take(&mut self.batch_keys);
        keys.clear();
        keys.extend(
            events
                .clone()
                .map(|(event, class)| self.skeleton_key(&event, class)),
        );
        let mut ahead = 0;
        for &key in keys.iter().flatten() {
            let slot = self.by_skeleton.peek(key);
            ahead ^= self.groups.get(slot).map_or(0, |g| g.count);
        }
        std::hint::black_box(ahead);
        placements.clear();
        for ((event, class), &key) in events.zip(&keys) {
            placements.push(self.observe_keyed(&event, class, key));
        }
        self.batch_keys = keys;
    }

    /// The skeleton key of `event` classified as `class`: a hash of its rule and of the
    /// skeleton of what its key is masked from ([`Grouper::build_key`]). `None` when a line of
    /// that is longer than [`MAX_KEY_BYTES`], as masking cuts it.
    ///
    /// A one-line event's skeleton is its text's; a longer event's, its first and its last
    /// non-blank line's. Any text of equal skeletons has lines of equal skeletons, so even a
    /// line feed inside a "one-line" event could not send two keys to one skeleton key.
    fn skeleton_key(&mut self, event: &Event<'_>, class: &Classification) -> Option<u64> {
        let text = event.text;
        let skeleton = if event.lines <= 1 && text.len() <= MAX_KEY_BYTES {
            self.skeleton.hash_of(text)
        } else {
            self.first_and_last_hash(text)?
        };
        Some((skeleton ^ class.rule_tag).max(1))
    }

    /// For a multi-line `text`: a hash of the skeletons of the two lines its key is masked from
    /// ([`key_lines`]).
    fn first_and_last_hash(&mut self, text: &[u8]) -> Option<u64> {
        let (first, Some(last)) = key_lines(text) else {
            return None;
        };
        if first.len() > MAX_KEY_BYTES || last.len() > MAX_KEY_BYTES {
            return None;
        }
        let first = self.skeleton.hash_of(first);
        let last = self.skeleton.hash_of(last);
        Some(mum(
            first ^ 0x8ebc_6af0_9c88_c6e3,
            last ^ 0x5899_65cc_7537_4cc3,
        ))
    }

    fn observe_keyed(
        &mut self,
        event: &Event<'_>,
        class: &Classification,
        skeleton: Option<u64>,
    ) -> Placement {
        self.tick += 1;
        if let Some(s) = skeleton {
            if let Some((i, stamp)) = self.by_skeleton.get(s) {
                if self.groups.get(i).is_some_and(|g| stamp_of(g) == stamp) {
                    return self.update(i, event, class);
                }
            }
        }
        let (placement, slot) = self.place_by_key(event, class);
        if let (Some(s), Some(i)) = (skeleton, slot) {
            self.by_skeleton.insert(s, i, stamp_of(&self.groups[i]));
        }
        placement
    }

    /// Puts `event` in its group by its key, and says which slot that group has (none when there
    /// was no room).
    fn place_by_key(
        &mut self,
        event: &Event<'_>,
        class: &Classification,
    ) -> (Placement, Option<usize>) {
        self.build_key(event.text);
        // Events decided by different rules never share a group (a 200 and a 502 access line
        // mask alike); the rule's tag is part of the fingerprint and of the mining bucket.
        let h = (fingerprint(&self.key) ^ class.rule_tag).max(1);
        if let Some(&(id, i)) = self.exact.get(&h) {
            if self.holds(i, id) {
                return (self.update(i, event, class), Some(i));
            }
        }
        if self.max_groups == 0 {
            self.other_events += 1;
            let placement = Placement {
                id: OTHER_GROUP,
                new_sample: false,
            };
            return (placement, None);
        }
        let key = std::mem::take(&mut self.key);
        let tokens = miner::tokens(&key);
        let (len, first) = miner::bucket_of(&tokens);
        let bucket = (len, first ^ class.rule_tag);
        let mut best: Option<(usize, f32, usize)> = None;
        for &i in self.buckets.get(&bucket).into_iter().flatten() {
            let (sim, wild) = miner::similarity(&self.meta[i].tokens, &tokens);
            if sim >= miner::SIMILARITY
                && best.is_none_or(|(_, s, w)| sim > s || (sim == s && wild > w))
            {
                best = Some((i, sim, wild));
            }
        }
        let i = match best {
            Some((i, _, _)) => {
                if miner::merge(&mut self.meta[i].tokens, &tokens) {
                    self.groups[i].template = self.meta[i].tokens.join(" ");
                }
                i
            }
            None if self.index.contains_key(&h) => self.index[&h],
            None => {
                let i = self.open(h, &tokens, bucket, event, class);
                self.remember(h, h, i);
                self.key = key;
                let placement = Placement {
                    id: self.groups[i].id,
                    new_sample: true,
                };
                return (placement, Some(i));
            }
        };
        self.remember(h, self.groups[i].id, i);
        self.key = key;
        (self.update(i, event, class), Some(i))
    }

    /// Whether `slot` still holds the group `id` (a remembered slot may hold a newer group since).
    fn holds(&self, slot: usize, id: GroupId) -> bool {
        self.groups.get(slot).is_some_and(|g| g.id == id)
    }

    fn remember(&mut self, h: u64, id: GroupId, slot: usize) {
        let cap = self.max_groups.saturating_mul(8).clamp(4096, 1 << 20);
        if self.exact.len() >= cap {
            self.exact.clear();
        }
        self.exact.insert(h, (id, slot));
    }

    /// Opens a group for a new template, evicting the least recently seen one if full.
    fn open(
        &mut self,
        id: GroupId,
        tokens: &[&str],
        bucket: (usize, u64),
        event: &Event<'_>,
        class: &Classification,
    ) -> usize {
        let ts = event.first_ts;
        let group = Group {
            id,
            count: 1,
            last_line: event.last_line,
            last_ts: ts,
            last_seen: self.tick,
            last_service: event.service,
            severity: class.severity,
            category: class.category,
            rule: class.rule,
            seq: self.created,
            template: tokens.join(" "),
            services: vec![event.service],
            first_line: event.first_line,
            first_ts: ts,
            sample: sample_of(event),
        };
        self.created += 1;
        let meta = Meta {
            tokens: tokens.iter().map(|t| Box::from(*t)).collect(),
            bucket,
        };
        let i = if self.groups.len() >= self.max_groups {
            let i = self.evict();
            self.groups[i] = group;
            self.meta[i] = meta;
            i
        } else {
            self.groups.push(group);
            self.meta.push(meta);
            self.groups.len() - 1
        };
        self.index.insert(id, i);
        self.buckets.entry(bucket).or_default().push(i);
        i
    }

    /// Empties the slot of the group seen least recently and returns it.
    fn evict(&mut self) -> usize {
        let i = loop {
            if let Some((seen, i)) = self.evict_queue.pop() {
                if self.groups[i].last_seen == seen {
                    break i;
                }
                continue;
            }
            let k = (self.groups.len() / 8).max(1);
            let mut all: Vec<(u64, usize)> = self
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| (g.last_seen, i))
                .collect();
            all.select_nth_unstable(k - 1);
            all.truncate(k);
            all.sort_unstable_by(|a, b| b.cmp(a));
            self.evict_queue = all;
        };
        let g = &self.groups[i];
        self.other_events += g.count;
        self.evictions += 1;
        self.index.remove(&g.id);
        let bucket = self.meta[i].bucket;
        if let Some(v) = self.buckets.get_mut(&bucket) {
            v.retain(|&j| j != i);
            if v.is_empty() {
                self.buckets.remove(&bucket);
            }
        }
        i
    }

    fn update(&mut self, i: usize, event: &Event<'_>, class: &Classification) -> Placement {
        let ts = event.first_ts;
        let g = &mut self.groups[i];
        g.last_seen = self.tick;
        g.count += 1;
        g.last_line = event.last_line;
        if ts.is_some() {
            g.last_ts = ts;
        }
        if event.service != g.last_service {
            g.last_service = event.service;
            if !g.services.contains(&event.service) && g.services.len() < MAX_SERVICES_PER_GROUP {
                g.services.push(event.service);
            }
        }
        let worse = class.severity > g.severity;
        if worse {
            g.severity = class.severity;
            g.category = class.category;
            g.rule = class.rule;
            g.sample = sample_of(event);
        }
        Placement {
            id: g.id,
            new_sample: worse,
        }
    }

    /// Masks the key of an event of `text` into `self.key`: its first line, then ` … ` and its
    /// last line that is not blank when that masks otherwise ([`key_lines`]).
    fn build_key(&mut self, text: &[u8]) {
        let (first, last) = key_lines(text);
        mask::mask_into(first, &mut self.key, MAX_KEY_BYTES);
        if let Some(last) = last {
            mask::mask_into(last, &mut self.masked, MAX_KEY_BYTES);
            if self.masked != self.key {
                self.key.push_str(" … ");
                self.key.push_str(self.masked.trim());
            }
        }
    }

    /// The groups kept (a group evicted leaves its slot to a newer one; sort by `seq` for the
    /// order of creation).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The group `id`, if kept.
    pub fn get(&self, id: GroupId) -> Option<&Group> {
        self.index.get(&id).map(|&i| &self.groups[i])
    }

    /// Events not counted in a kept group (their group was evicted, or `max_groups` is 0).
    pub fn other_events(&self) -> u64 {
        self.other_events
    }

    /// Groups evicted to make room for newer ones.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }
}

/// The lines an event's key is masked from: its first line and, when it has more than one, its
/// last line that is not blank (which may be the first).
fn key_lines(text: &[u8]) -> (&[u8], Option<&[u8]>) {
    let Some(first_end) = memchr::memchr(b'\n', text) else {
        return (text, None);
    };
    let last = text
        .split(|&b| b == b'\n')
        .rev()
        .find(|l| !l.iter().all(u8::is_ascii_whitespace));
    (&text[..first_end], last)
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

/// A 64-bit hash of the grouping version and the key; never [`OTHER_GROUP`].
///
/// The key is read eight bytes at a time, each word folded in with one 64×64→128-bit multiply
/// (the "mum" step of wyhash), so hashing costs far less than masking. The function is part of
/// the grouping version: changing it changes every id.
pub fn fingerprint(key: &str) -> GroupId {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    let mut h = GROUPING_VERSION
        .bytes()
        .fold(P0, |h, b| mum(h ^ u64::from(b), P1));
    let bytes = key.as_bytes();
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = mum(h ^ u64::from_le_bytes(word) ^ P0, P1);
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = mum(h ^ u64::from_le_bytes(last) ^ P0, P1 ^ bytes.len() as u64);
    mum(h, P0).max(1)
}

/// wyhash's "mum" step: the 128-bit product of `a` and `b`, its halves folded together.
fn mum(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// What tells groups that held one slot apart in the skeleton cache: the low half of their `seq`,
/// which repeats only after 2^32 groups were opened.
fn stamp_of(g: &Group) -> u32 {
    g.seq as u32
}

/// Skeleton hash -> (slot, stamp), [`MAX_SKELETONS`] entries in sets of two, the most recent
/// first; a set lies in one cache line. Keys are hashes already (never 0, which marks an empty
/// entry): their low bits pick the set.
#[derive(Debug)]
struct SkeletonCache {
    sets: Vec<SkeletonSet>,
}

#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct SkeletonSet([SkeletonEntry; 2]);

#[derive(Debug, Clone, Copy, Default)]
struct SkeletonEntry {
    key: u64,
    slot: u32,
    stamp: u32,
}

impl SkeletonCache {
    fn new() -> SkeletonCache {
        SkeletonCache {
            sets: vec![SkeletonSet::default(); MAX_SKELETONS / 2],
        }
    }

    /// Where the set `key` falls in lies.
    fn place(&self, key: u64) -> usize {
        key as usize & (self.sets.len() - 1)
    }

    fn set(&mut self, key: u64) -> &mut [SkeletonEntry; 2] {
        let i = self.place(key);
        &mut self.sets[i].0
    }

    /// The slot of the newest entry of the set `key` falls in, whatever its key: read ahead of
    /// [`SkeletonCache::get`] to bring the set in.
    fn peek(&self, key: u64) -> usize {
        self.sets[self.place(key)].0[0].slot as usize
    }

    fn get(&mut self, key: u64) -> Option<(usize, u32)> {
        let set = self.set(key);
        if set[1].key == key {
            set.swap(0, 1);
        }
        (set[0].key == key).then_some((set[0].slot as usize, set[0].stamp))
    }

    fn insert(&mut self, key: u64, slot: usize, stamp: u32) {
        let Ok(slot) = u32::try_from(slot) else {
            return;
        };
        let set = self.set(key);
        // A stale entry for the key (its group was evicted) is replaced where it is, first.
        if set[0].key != key {
            set[1] = set[0];
        }
        set[0] = SkeletonEntry { key, slot, stamp };
    }
}

/// A map keyed by ids and fingerprints, which are hashes already: the key is its own hash.
type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// The [`Hasher`] of [`IdMap`]: passes a `u64` key through.
#[derive(Debug, Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
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
            rule_tag: 0,
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
    fn the_fingerprint_function_is_pinned() {
        // Ids are promised stable until GROUPING_VERSION changes: a change here needs a bump.
        assert_eq!(GROUPING_VERSION, "g3");
        assert_eq!(format_id(fingerprint("disk full")), "921ac5fba32486f1");
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
    fn least_recently_seen_group_is_evicted_past_the_cap() {
        let mut g = Grouper::new(2);
        let a = g.observe(&event("alpha one", 1), &class(Severity::Error));
        let b = g.observe(&event("beta", 2), &class(Severity::Error));
        g.observe(&event("alpha one", 3), &class(Severity::Error));
        let c = g.observe(&event("gamma", 4), &class(Severity::Error));
        assert!(g.get(a.id).is_some() && g.get(c.id).is_some());
        assert!(g.get(b.id).is_none());
        assert_eq!((g.evictions(), g.other_events()), (1, 1));
        assert_eq!(g.groups().len(), 2);
        // The evicted group's line comes back: its remembered skeleton points at a slot that
        // another group holds now, so it opens its group again, with the same id.
        let b2 = g.observe(&event("beta", 5), &class(Severity::Error));
        assert_eq!((b2.id, b2.new_sample), (b.id, true));
        assert_eq!(g.get(b.id).map(|g| g.count), Some(1));
        assert_eq!(g.get(c.id).map(|g| g.count), Some(1));
        assert!(g.get(a.id).is_none());
        assert_eq!(
            g.observe(&event("beta", 6), &class(Severity::Error)).id,
            b.id
        );
        assert_eq!(g.get(b.id).map(|g| g.count), Some(2));
        let mut none = Grouper::new(0);
        assert_eq!(
            none.observe(&event("x", 1), &class(Severity::Error)).id,
            OTHER_GROUP
        );
    }

    #[test]
    fn templates_generalise_and_ids_stay() {
        let mut g = Grouper::new(10);
        let a = g.observe(&event("user alice_a logged in", 1), &class(Severity::Info));
        let b = g.observe(&event("user bob_b logged in", 2), &class(Severity::Info));
        let c = g.observe(&event("user carol_c logged in", 3), &class(Severity::Info));
        let d = g.observe(&event("disk sda failed now", 4), &class(Severity::Info));
        assert_eq!((a.id, b.id), (c.id, c.id));
        assert_ne!(a.id, d.id);
        assert_eq!(g.get(a.id).unwrap().template, "user <*> logged in");
        assert_eq!(g.get(a.id).unwrap().count, 3);
        // Same first member, same id, in another run.
        let mut h = Grouper::new(10);
        assert_eq!(
            h.observe(&event("user alice_a logged in", 1), &class(Severity::Info))
                .id,
            a.id
        );
    }

    #[test]
    fn lines_of_one_skeleton_share_a_group_unless_their_rules_differ() {
        let mut g = Grouper::new(10);
        let a = "job 22ff11d8-3357-47d4-9921-149addd9cfcc took 5d";
        let b = "job abcdef01-a3c1-0000-1111-2222dddd3333 took 7d";
        let first = g.observe(&event(a, 1), &class(Severity::Error));
        let second = g.observe(&event(b, 2), &class(Severity::Error));
        assert_eq!((first.id, second.new_sample), (second.id, false));
        let group = g.get(first.id).unwrap();
        assert_eq!(
            (group.count, group.template.as_str()),
            (2, "job <uuid> took <dur>")
        );
        // The same skeleton decided by a rule: a group of its own.
        let ruled = Classification {
            rule_tag: 7,
            ..class(Severity::Error)
        };
        let third = g.observe(&event(b, 3), &ruled);
        assert_ne!(third.id, first.id);
        assert_eq!(g.get(first.id).unwrap().count, 2);
        assert_eq!(g.observe(&event(a, 4), &ruled).id, third.id);
    }

    #[test]
    fn tracebacks_share_a_group_by_their_first_and_last_lines() {
        let trace = |n: u32, at: &str, exc: &str| {
            format!("Traceback (most recent call last):\n  File \"{at}\", line {n}\n{exc}\n\n")
        };
        let a = trace(12, "/app/a.py", "KeyError: 'user_1234'");
        let b = trace(99, "/app/b.py", "KeyError: 'user_5678'");
        let c = trace(12, "/app/a.py", "ValueError: bad port 80");
        // By the first and last lines' skeletons (4 lines), and, were a line feed inside an
        // event said to be of one line, by the whole text's: the same answers.
        for lines in [4, 1] {
            fn with_lines(lines: u32, e: Event<'_>) -> Event<'_> {
                Event { lines, ..e }
            }
            let ev = |text, line| with_lines(lines, event(text, line));
            let mut g = Grouper::new(10);
            let e = class(Severity::Error);
            let first = g.observe(&ev(&a, 1), &e);
            // The lines between do not count; the last line's masked shape does.
            assert_eq!(g.observe(&ev(&b, 5), &e).id, first.id);
            let other = g.observe(&ev(&c, 9), &e);
            assert_ne!(other.id, first.id);
            // Again, now by the skeleton cache.
            assert_eq!(g.observe(&ev(&b, 13), &e).id, first.id);
            assert_eq!(g.observe(&ev(&c, 17), &e).id, other.id);
            assert_eq!(g.get(first.id).unwrap().count, 3);
            // A one-line event that is a traceback's first line is not the traceback.
            let head = g.observe(&event("Traceback (most recent call last):", 21), &e);
            assert_ne!(head.id, first.id);
            assert_ne!(head.id, other.id);
        }
    }

    #[test]
    fn one_token_key_values_share_a_group() {
        let mut g = Grouper::new(10);
        let a = g.observe(&event("state=running", 1), &class(Severity::Info));
        let b = g.observe(&event("state=stopped", 2), &class(Severity::Info));
        assert_eq!(a.id, b.id);
        assert_eq!(g.get(a.id).unwrap().template, "state=<*>");
    }
}
