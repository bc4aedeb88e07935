//! Multi-line assembly: consecutive lines of one service that a person reads as one message
//! (a Python traceback, a Java stack trace, a Go panic with its goroutine dump, a Node.js crash,
//! PostgreSQL `DETAIL:`/`HINT:` lines, indented continuations) become one [`Event`].
//!
//! The [`Assembler`] is a plain state machine over [`Record`]s: `push` a record and it calls
//! `emit` with every event the record completes; `finish` flushes the last one. It holds one
//! pending event; a record of another service closes it, so an event never swallows another
//! service's lines (the engine source runs one assembler per container). Caps: an event keeps
//! at most [`MAX_EVENT_BYTES`] of text and [`MAX_EVENT_LINES`] lines; past those it is closed.

use crate::record::{Record, ServiceId, Stream, Timestamp};

/// Most text kept for one event; further lines still join it but their text is dropped.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;
/// Most lines one event spans before it is closed and a new one starts.
pub const MAX_EVENT_LINES: u32 = 2_000;

/// One logical message: one or more consecutive lines of one service.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// Who printed it.
    pub service: ServiceId,
    /// stdout or stderr (of its first line).
    pub stream: Stream,
    /// First input line (1-based).
    pub first_line: u64,
    /// Last input line (inclusive).
    pub last_line: u64,
    /// Time of the first line, when known.
    pub first_ts: Option<Timestamp>,
    /// Lines joined.
    pub lines: u32,
    /// The text, lines joined with `\n` (cut at [`MAX_EVENT_BYTES`]).
    pub text: &'a [u8],
    /// The text was cut.
    pub truncated: bool,
}

/// Whether multi-line joining is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joining {
    /// Built-in detectors.
    Auto,
    /// Every line is an event.
    Off,
}

/// What kind of block the pending event is, which decides what may follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// One ordinary line so far.
    Line,
    /// A message with continuation lines (indented, DETAIL/HINT, Java frames).
    Continued,
    /// Inside a Python traceback's frames.
    PyFrames,
    /// After a Python exception line: a chain marker or a blank line may follow.
    PyException,
    /// After `During handling of the above exception…`: the next traceback joins.
    PyChain,
    /// A Go panic or fatal error with its goroutine dump.
    GoPanic,
    /// A Node.js crash: code frame, caret, `Error:` line, `Require stack:`, `at` frames.
    NodeCrash,
    /// A Spring Boot `APPLICATION FAILED TO START` banner.
    SpringBanner,
    /// A block closed by a blank line: anything but a continuation starts a new event.
    Closed,
}

#[derive(Debug)]
struct Pending {
    service: ServiceId,
    stream: Stream,
    first_line: u64,
    last_line: u64,
    first_ts: Option<Timestamp>,
    lines: u32,
    text: Vec<u8>,
    truncated: bool,
    block: Block,
    /// Length of the first line's `timestamp [level] <pid>` head, for RabbitMQ-style repeats.
    head_len: usize,
}

/// Joins records into events.
#[derive(Debug)]
pub struct Assembler {
    joining: Joining,
    pending: Option<Pending>,
    spare: Vec<u8>,
}

impl Assembler {
    /// A new assembler.
    pub fn new(joining: Joining) -> Assembler {
        Assembler {
            joining,
            pending: None,
            spare: Vec::new(),
        }
    }

    /// Adds one record; calls `emit` for each event it completes.
    pub fn push(&mut self, rec: &Record<'_>, emit: &mut dyn FnMut(&Event<'_>)) {
        if let Some(p) = &mut self.pending {
            let next = if self.joining == Joining::Off
                || p.service != rec.service
                || p.lines >= MAX_EVENT_LINES
            {
                None
            } else {
                continues(p, rec.text)
            };
            if let Some(block) = next {
                p.block = block;
                p.last_line = rec.end_line;
                p.lines += 1;
                append(&mut p.text, &mut p.truncated, b"\n");
                append(&mut p.text, &mut p.truncated, rec.text);
                return;
            }
            self.flush(emit);
        }
        let mut text = std::mem::take(&mut self.spare);
        text.clear();
        let mut truncated = false;
        append(&mut text, &mut truncated, rec.text);
        self.pending = Some(Pending {
            service: rec.service,
            stream: rec.stream,
            first_line: rec.line,
            last_line: rec.end_line,
            first_ts: rec.timestamp,
            lines: 1,
            text,
            truncated,
            block: starts(rec.text),
            head_len: rabbit_head_len(rec.text),
        });
    }

    /// Emits the pending event, if any (call at end of input, or when a stream goes quiet).
    pub fn flush(&mut self, emit: &mut dyn FnMut(&Event<'_>)) {
        if let Some(p) = self.pending.take() {
            emit(&Event {
                service: p.service,
                stream: p.stream,
                first_line: p.first_line,
                last_line: p.last_line,
                first_ts: p.first_ts,
                lines: p.lines,
                text: &p.text,
                truncated: p.truncated,
            });
            self.spare = p.text;
        }
    }

    /// True when an event is pending.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }
}

fn append(buf: &mut Vec<u8>, truncated: &mut bool, bytes: &[u8]) {
    let room = MAX_EVENT_BYTES.saturating_sub(buf.len());
    if bytes.len() > room {
        *truncated = true;
    }
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// The block a line opens on its own.
fn starts(line: &[u8]) -> Block {
    let t = trim_start(line);
    if t.starts_with(b"Traceback (most recent call last)") {
        Block::PyFrames
    } else if line.starts_with(b"panic: ") || line.starts_with(b"fatal error: ") {
        Block::GoPanic
    } else if is_node_code_frame(line) {
        Block::NodeCrash
    } else if line.starts_with(b"***************************") {
        Block::SpringBanner
    } else {
        Block::Line
    }
}

/// Whether `line` continues `p`, and the block the event then is.
fn continues(p: &Pending, line: &[u8]) -> Option<Block> {
    let blank = line.iter().all(u8::is_ascii_whitespace);
    let indented = !blank && matches!(line.first(), Some(b' ' | b'\t'));
    let t = trim_start(line);
    match p.block {
        Block::PyFrames => {
            if blank || indented {
                Some(Block::PyFrames)
            } else {
                // The exception line ends the frames: `ValueError: x`, `KeyError`.
                Some(Block::PyException)
            }
        }
        Block::PyException | Block::PyChain => {
            if t.starts_with(b"During handling of the above exception")
                || t.starts_with(b"The above exception was the direct cause")
            {
                Some(Block::PyChain)
            } else if t.starts_with(b"Traceback (most recent call last)")
                && p.block == Block::PyChain
            {
                Some(Block::PyFrames)
            } else if blank {
                Some(if p.block == Block::PyChain {
                    Block::PyChain
                } else {
                    Block::PyException
                })
            } else if indented {
                Some(p.block)
            } else {
                None
            }
        }
        Block::GoPanic => {
            let goroutine_line = blank
                || indented
                || t.starts_with(b"goroutine ")
                || t.starts_with(b"created by ")
                || t.starts_with(b"[signal ")
                || t.starts_with(b"exit status ")
                || t.starts_with(b"panic: ")
                || t.starts_with(b"[recovered]")
                || is_go_frame(t);
            goroutine_line.then_some(Block::GoPanic)
        }
        Block::NodeCrash => {
            let node_line = blank
                || indented
                || t.starts_with(b"^")
                || is_js_error_line(t)
                || t.starts_with(b"Require stack:")
                || t.starts_with(b"- ")
                || t.starts_with(b"Node.js v")
                || t.starts_with(b"}")
                || t.starts_with(b"{");
            node_line.then_some(Block::NodeCrash)
        }
        Block::SpringBanner => {
            // Ends at the first line that looks like a new log record (starts with a digit:
            // a timestamp), or a second blank after `Action:` text.
            if line.first().is_some_and(u8::is_ascii_digit) {
                None
            } else {
                Some(Block::SpringBanner)
            }
        }
        Block::Closed => {
            if indented && is_continuation(t) {
                Some(Block::Continued)
            } else {
                None
            }
        }
        Block::Line | Block::Continued => {
            if blank {
                // A blank line closes a multi-line block and belongs to it.
                (p.lines > 1 || p.block == Block::Continued).then_some(Block::Closed)
            } else {
                let continued = indented
                    || is_continuation(t)
                    || is_postgres_detail(line)
                    || same_rabbit_head(p, line)
                    || (is_java_exception_line(t) && p.text.last() == Some(&b':'));
                continued.then_some(Block::Continued)
            }
        }
    }
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Lines that only ever continue a message: Java frames and causes, `... N more`.
fn is_continuation(t: &[u8]) -> bool {
    t.starts_with(b"at ")
        || t.starts_with(b"Caused by: ")
        || t.starts_with(b"Suppressed: ")
        || (t.starts_with(b"... ") && t.ends_with(b" more"))
}

/// PostgreSQL's follow-up lines: `<prefix> DETAIL:  …`, `HINT:`, `STATEMENT:`, `CONTEXT:`.
fn is_postgres_detail(line: &[u8]) -> bool {
    let head = &line[..line.len().min(120)];
    [
        &b"DETAIL:  "[..],
        b"HINT:  ",
        b"STATEMENT:  ",
        b"CONTEXT:  ",
        b"QUERY:  ",
        b"LOCATION:  ",
    ]
    .iter()
    .any(|k| memchr::memmem::find(head, k).is_some_and(|i| i == 0 || head[i - 1] == b' '))
}

/// RabbitMQ 3.9+ prints a multi-line report as lines that repeat `timestamp [level] <pid>`.
fn rabbit_head_len(line: &[u8]) -> usize {
    // `2021-09-01 10:00:00.123456+00:00 [erro] <0.228.0> text`
    if line.len() < 30 || !line[0].is_ascii_digit() {
        return 0;
    }
    let Some(lt) = memchr::memchr(b'<', &line[..line.len().min(80)]) else {
        return 0;
    };
    let Some(gt) = memchr::memchr(b'>', &line[lt..]) else {
        return 0;
    };
    let pid = &line[lt + 1..lt + gt];
    if pid.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && pid.contains(&b'.')
        && line[..lt].contains(&b'[')
    {
        lt + gt + 1
    } else {
        0
    }
}

fn same_rabbit_head(p: &Pending, line: &[u8]) -> bool {
    p.head_len > 0 && line.len() > p.head_len && p.text.get(..p.head_len) == line.get(..p.head_len)
}

/// `main.main()`, `net/http.(*conn).serve(0xc000…)`: a Go stack frame's function line.
fn is_go_frame(t: &[u8]) -> bool {
    t.ends_with(b")") && t.contains(&b'(') && !t.contains(&b' ') || t.starts_with(b"main.")
}

/// `/app/index.js:12` or `node:internal/modules/cjs/loader:1080`: Node's code frame header.
fn is_node_code_frame(line: &[u8]) -> bool {
    let (path, num) = match line.iter().rposition(|&b| b == b':') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => return false,
    };
    !num.is_empty()
        && num.iter().all(u8::is_ascii_digit)
        && (path.starts_with(b"/")
            || path.starts_with(b"node:internal/")
            || path.starts_with(b"file:///"))
        && (path.ends_with(b".js")
            || path.ends_with(b".mjs")
            || path.ends_with(b".cjs")
            || path.ends_with(b".ts")
            || path.starts_with(b"node:"))
}

/// `Error: …`, `TypeError: …`, `[Error: …]`.
fn is_js_error_line(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"[").unwrap_or(t);
    let word = t.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    word > 0 && t[..word].ends_with(b"Error") && matches!(t.get(word), Some(b':') | None)
}

/// `java.lang.IllegalStateException: …`, `org.foo.BarError`.
fn is_java_exception_line(t: &[u8]) -> bool {
    let end = t
        .iter()
        .position(|&b| b == b':' || b == b' ')
        .unwrap_or(t.len());
    let name = &t[..end];
    name.contains(&b'.')
        && (name.ends_with(b"Exception")
            || name.ends_with(b"Error")
            || name.ends_with(b"Throwable"))
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `lines` (service, text) and returns the events as (first, last) line ranges.
    fn events(lines: &[(u32, &str)]) -> Vec<(u64, u64)> {
        let mut a = Assembler::new(Joining::Auto);
        let mut out = Vec::new();
        for (i, (svc, text)) in lines.iter().enumerate() {
            let n = i as u64 + 1;
            let rec = Record {
                service: *svc,
                stream: Stream::Unknown,
                line: n,
                end_line: n,
                timestamp: None,
                text: text.as_bytes(),
            };
            a.push(&rec, &mut |e| out.push((e.first_line, e.last_line)));
        }
        a.flush(&mut |e| out.push((e.first_line, e.last_line)));
        out
    }

    fn one(lines: &[&str]) -> Vec<(u64, u64)> {
        events(&lines.iter().map(|l| (0, *l)).collect::<Vec<_>>())
    }

    #[test]
    fn python_traceback_with_a_chain_is_one_event() {
        let got = one(&[
            "Traceback (most recent call last):",
            "  File \"/app/x.py\", line 1, in <module>",
            "    import foo",
            "KeyError: 'a'",
            "",
            "During handling of the above exception, another exception occurred:",
            "",
            "Traceback (most recent call last):",
            "  File \"/app/x.py\", line 3, in <module>",
            "ValueError: b",
            "INFO next line",
        ]);
        assert_eq!(got, [(1, 10), (11, 11)]);
    }

    #[test]
    fn java_stack_trace_joins_its_frames_and_causes() {
        let got = one(&[
            "2024-01-01 ERROR [main] o.a.Foo - failed:",
            "java.lang.IllegalStateException: boom",
            "\tat com.foo.Bar.baz(Bar.java:10)",
            "Caused by: java.io.IOException: nope",
            "\t... 12 more",
            "2024-01-01 INFO [main] o.a.Foo - next",
        ]);
        assert_eq!(got, [(1, 5), (6, 6)]);
    }

    #[test]
    fn go_panic_with_goroutines_is_one_event() {
        let got = one(&[
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a]",
            "",
            "goroutine 1 [running]:",
            "main.main()",
            "\t/app/main.go:12 +0x1d",
            "exit status 2",
            "starting again",
        ]);
        assert_eq!(got, [(1, 7), (8, 8)]);
    }

    #[test]
    fn node_crash_is_one_event() {
        let got = one(&[
            "node:internal/modules/cjs/loader:1080",
            "  throw err;",
            "  ^",
            "",
            "Error: Cannot find module 'express'",
            "Require stack:",
            "- /app/index.js",
            "    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)",
            "Node.js v18.17.0",
            "> app@1.0.0 start",
        ]);
        assert_eq!(got, [(1, 9), (10, 10)]);
    }

    #[test]
    fn postgres_detail_lines_join_their_error() {
        let got = one(&[
            "2024-01-01 00:00:00.000 UTC [1] ERROR:  duplicate key value violates unique constraint \"x\"",
            "2024-01-01 00:00:00.000 UTC [1] DETAIL:  Key (id)=(1) already exists.",
            "2024-01-01 00:00:00.000 UTC [1] STATEMENT:  INSERT INTO x VALUES (1)",
            "2024-01-01 00:00:01.000 UTC [1] LOG:  checkpoint starting",
        ]);
        assert_eq!(got, [(1, 3), (4, 4)]);
    }

    #[test]
    fn another_services_line_closes_the_event() {
        let got = events(&[
            (0, "Traceback (most recent call last):"),
            (1, "db line"),
            (0, "  File \"x.py\", line 1"),
        ]);
        assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn plain_lines_stay_apart_and_a_lone_blank_is_its_own_event() {
        assert_eq!(one(&["a", "", "b"]), [(1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn joining_off_keeps_every_line_apart() {
        let mut a = Assembler::new(Joining::Off);
        let mut n = 0;
        for (i, t) in ["Traceback (most recent call last):", "  File"]
            .iter()
            .enumerate()
        {
            let rec = Record {
                service: 0,
                stream: Stream::Unknown,
                line: i as u64 + 1,
                end_line: i as u64 + 1,
                timestamp: None,
                text: t.as_bytes(),
            };
            a.push(&rec, &mut |_| n += 1);
        }
        a.flush(&mut |_| n += 1);
        assert_eq!(n, 2);
    }
}
