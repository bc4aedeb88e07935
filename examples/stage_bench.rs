//! Times each per-event stage alone on a saved Compose log, one line per event:
//! `cargo run --release --example stage_bench -- FILE`.
//!
//! A tool for tuning the hot path, not a benchmark of record (that is benches/compare.sh).
//! Classification runs twice, in batches of 256 events as `analyze` runs it: the first pass pays
//! for compiling the rules that matched (on first use) and for building the prefilter's DFA, the
//! second shows the warm speed; a third pass takes the events one at a time, as the monitor does. Last, classification and masking run interleaved per line, as
//! the pipeline runs them: what that costs over "classify pass 2" plus "mask_into" is what each
//! stage costs the other in caches.
#![allow(clippy::print_stdout)]
use std::hint::black_box;
use std::time::Instant;

use logsift::classify::{Classification, Classifier, PackSet, Scratch, Texts};
use logsift::group::{mask, Grouper, MAX_KEY_BYTES};
use logsift::multiline::Event;
use logsift::record::Stream;

/// Events classified together, as `analyze` queues them.
const BATCH: usize = 256;

fn main() {
    let path = std::env::args().nth(1).expect("usage: stage_bench FILE");
    let data = std::fs::read(&path).expect("read");
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .map(|l| match memchr::memmem::find(l, b" | ") {
            Some(p) => &l[p + 3..],
            None => l,
        })
        .collect();
    let bytes: usize = lines.iter().map(|l| l.len()).sum();
    let report = |name: &str, t: Instant| {
        let s = t.elapsed().as_secs_f64();
        println!(
            "{name:<22} {:>8.3} s {:>9.0} klines/s {:>7.2} ns/byte",
            s,
            lines.len() as f64 / s / 1e3,
            s * 1e9 / bytes as f64
        );
    };
    let t = Instant::now();
    let classifier = Classifier::new(&PackSet::embedded().expect("packs")).expect("compile");
    report("compile", t);
    let mut scratch = Scratch::default();
    let mut classes: Vec<Classification> = Vec::with_capacity(lines.len());
    let mut batch = Vec::new();
    // The batches are laid out once, as `analyze` lays them out while it reads.
    let chunks: Vec<Texts> = lines
        .chunks(BATCH)
        .map(|c| {
            let mut t = Texts::default();
            c.iter().for_each(|l| t.push(l));
            t
        })
        .collect();
    for pass in 1..=2 {
        classes.clear();
        let t = Instant::now();
        for chunk in &chunks {
            classifier.classify_each(chunk, &mut scratch, &mut batch);
            classes.extend_from_slice(&batch);
        }
        report(&format!("classify pass {pass}"), t);
    }
    let t = Instant::now();
    for l in &lines {
        black_box(classifier.classify(l, &mut scratch));
    }
    report("classify one by one", t);
    let matched = classes
        .iter()
        .filter(|c| c.rule.is_some() || c.ignored_by.is_some())
        .count();
    println!("events matching a rule: {matched}");
    let t = Instant::now();
    for l in &lines {
        black_box(logsift::classify::level::detect(l));
    }
    report("level::detect", t);
    let mut out = String::new();
    let t = Instant::now();
    for l in &lines {
        mask::mask_into(l, &mut out, MAX_KEY_BYTES);
        black_box(&out);
    }
    report("mask_into", t);
    let mut skeleton = logsift::group::skeleton::Skeleton::default();
    let t = Instant::now();
    for l in &lines {
        black_box(skeleton.of(l));
    }
    report("Skeleton::of", t);
    let mut keys = std::collections::HashSet::new();
    for l in &lines {
        mask::mask_into(l, &mut out, MAX_KEY_BYTES);
        keys.insert(out.clone());
    }
    println!("distinct masked lines: {}", keys.len());
    let mut grouper = Grouper::new(10_000);
    let t = Instant::now();
    for (i, (l, c)) in lines.iter().zip(&classes).enumerate() {
        let ev = Event {
            service: 0,
            stream: Stream::Stdout,
            first_line: i as u64 + 1,
            last_line: i as u64 + 1,
            first_ts: None,
            lines: 1,
            text: l,
            truncated: false,
        };
        grouper.observe(&ev, c);
    }
    report("grouper.observe", t);
    let t = Instant::now();
    for (texts, chunk) in chunks.iter().zip(lines.chunks(BATCH)) {
        classifier.classify_each(texts, &mut scratch, &mut batch);
        black_box(&batch);
        for l in chunk {
            mask::mask_into(l, &mut out, MAX_KEY_BYTES);
            black_box(&out);
        }
    }
    report("classify + mask_into", t);
    println!("({} lines, {} bytes)", lines.len(), bytes);
}
