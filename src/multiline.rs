//! Multi-line assembly: consecutive lines of one service that a person reads as one message
//! become one [`Event`]: a Python traceback (with its chain and a logged message before it), a
//! Java stack trace (the exception after a log header, its message, `at` frames, `Caused by:`,
//! `... N more`), a Go panic with its goroutine dump, a Node.js crash (code frame, caret, `Error:`,
//! `Require stack:`, `at` frames, property dump, `Node.js vX`), V8's out-of-memory report, a
//! Spring Boot `APPLICATION FAILED TO START` banner, PostgreSQL `DETAIL:`/`HINT:`/`STATEMENT:`
//! lines, RabbitMQ/ClickHouse lines repeating one head, a server's error line with its reason or
//! report lines, and a message with indented continuation lines.
//!
//! Blank lines: a blank line after a service's line closes that event and belongs to it; one
//! after another service's line opens an event that the service's next line joins (MinIO and npm
//! print their banners so). Indented lines that are records of their own (progress steps such as
//! `  Applying x... OK`, ActiveRecord SQL lines, dev-server status glyphs, a level word first)
//! stay apart.
//!
//! The [`Assembler`] is a plain state machine over [`Record`]s: `push` a record and it calls
//! `emit` with every event the record completes; `finish` flushes the last one. It looks at each
//! line once and never looks ahead. It holds one pending event; a record of another service
//! closes it, so an event never swallows another service's lines (the engine source runs one
//! assembler per container). Caps: an event keeps at most [`MAX_EVENT_BYTES`] of text and
//! [`MAX_EVENT_LINES`] lines; open-ended blocks are bounded by [`MAX_JAVA_MESSAGE_LINES`] and
//! [`MAX_BRACKET_LINES`].

use crate::classify::{level, Severity};
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
    /// Only blank lines so far: the next line of the service joins them (npm, MinIO banners).
    Blank,
    /// A message with continuation lines (indented, DETAIL/HINT, Java frames).
    Continued,
    /// Right after a Java exception line that followed a log header: the exception's message
    /// may go on over plain and blank lines until the `at` frames.
    JavaMessage,
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
    /// npm's `> pkg@1.0.0 start` script banner.
    NpmBanner,
    /// A command-line usage error: `Usage: …`, `Try '… --help'`, `Error: …` (Click, argparse).
    Usage,
    /// A Python warning (`x.py:321: UserWarning: …`): its message lines, then the source line.
    PyWarning,
    /// V8's out-of-memory report: `<--- Last few GCs --->`, GC lines, `FATAL ERROR:`, frames.
    V8Oom,
    /// PHP's `Stack trace:` with its `#0 …` frames.
    PhpTrace,
    /// A line that opened a bracket at its end (`FooError (`, `{`): open until the closer.
    Bracket(u8),
    /// A block closed by a blank line: only a continuation that fits the block joins.
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
    /// An indented continuation line has joined (so an indented line after a closing blank
    /// still belongs to the message, as in Jira's `This could be because:` report).
    indented: bool,
    /// Lines taken in the current bounded sub-block (Java message text, brackets).
    side_lines: u32,
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
                if block != p.block {
                    p.side_lines = 0;
                }
                p.side_lines += 1;
                if block == Block::Continued && matches!(rec.text.first(), Some(b' ' | b'\t')) {
                    p.indented = true;
                }
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
            indented: false,
            side_lines: 0,
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

/// Most plain lines a Java exception's message may span before its `at` frames.
pub const MAX_JAVA_MESSAGE_LINES: u32 = 8;
/// Most lines a bracket opened at the end of a line (`FooError (` … `):`) may hold.
pub const MAX_BRACKET_LINES: u32 = 64;
/// How much of a line is read to tell whether it starts a new log record.
const RECORD_HEAD_BYTES: usize = 48;

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The block a line opens on its own.
fn starts(line: &[u8]) -> Block {
    let t = trim_start(line);
    if is_blank(line) {
        Block::Blank
    } else if t.starts_with(b"Traceback (most recent call last)") {
        Block::PyFrames
    } else if line.starts_with(b"panic: ") || line.starts_with(b"fatal error: ") {
        Block::GoPanic
    } else if is_node_code_frame(line) {
        Block::NodeCrash
    } else if line.starts_with(b"***************************") {
        Block::SpringBanner
    } else if t.starts_with(b"<--- Last few GCs --->") || t.starts_with(b"<--- JS stacktrace --->")
    {
        Block::V8Oom
    } else if is_python_warning(line) {
        Block::PyWarning
    } else if is_npm_banner(line) {
        Block::NpmBanner
    } else if line.starts_with(b"Usage: ") || line.starts_with(b"usage: ") {
        Block::Usage
    } else if let Some(closer) = opens_bracket(line) {
        Block::Bracket(closer)
    } else {
        Block::Line
    }
}

/// Whether `line` continues `p`, and the block the event then is.
fn continues(p: &Pending, line: &[u8]) -> Option<Block> {
    let blank = is_blank(line);
    let indented = !blank && matches!(line.first(), Some(b' ' | b'\t'));
    let t = trim_start(line);
    match p.block {
        Block::Blank => {
            if blank {
                Some(Block::Blank)
            } else if looks_like_record_start(line) {
                None
            } else {
                // MinIO and npm open their banners with a blank line.
                Some(starts(line))
            }
        }
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
                Some(p.block)
            } else if indented || is_postgres_detail(line) || is_sqlalchemy_detail(line) {
                // psycopg2 repeats the server's `DETAIL:` under its exception line.
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
                || t.starts_with(b"fatal error: ")
                || t.starts_with(b"runtime stack:")
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
                || t.starts_with(b"Emitted '")
                || t.starts_with(b"Thrown at:")
                || t.trim_ascii_end() == b"{";
            if is_closer(line) {
                // The `}` that ends the error's property dump ends the crash too.
                Some(Block::Continued)
            } else {
                node_line.then_some(Block::NodeCrash)
            }
        }
        Block::SpringBanner => {
            // Ends at the first line that looks like a new log record (a timestamp, a level).
            if !blank && (looks_like_record_start(line) || opens_with_level(t)) {
                None
            } else {
                Some(Block::SpringBanner)
            }
        }
        Block::NpmBanner => {
            if blank {
                Some(Block::Closed)
            } else if t.starts_with(b"> ") {
                Some(Block::NpmBanner)
            } else {
                None
            }
        }
        Block::Usage => {
            if blank || indented || t.starts_with(b"Try ") {
                Some(Block::Usage)
            } else if is_error_lead(t) {
                Some(Block::Continued)
            } else {
                None
            }
        }
        Block::Bracket(closer) => {
            if line.first() == Some(&closer) {
                Some(Block::Continued)
            } else if p.side_lines >= MAX_BRACKET_LINES || (!blank && looks_like_record_start(line))
            {
                None
            } else {
                Some(Block::Bracket(closer))
            }
        }
        Block::JavaMessage => {
            if is_continuation(t) || indented {
                Some(Block::Continued)
            } else if p.side_lines >= MAX_JAVA_MESSAGE_LINES || looks_like_record_start(line) {
                None
            } else {
                Some(Block::JavaMessage)
            }
        }
        Block::PyWarning => {
            if indented {
                // The source line that raised the warning ends it.
                Some(Block::Continued)
            } else if !blank
                && p.side_lines < MAX_JAVA_MESSAGE_LINES
                && !looks_like_record_start(line)
            {
                Some(Block::PyWarning)
            } else {
                None
            }
        }
        Block::V8Oom => {
            let v8_line = blank
                || indented
                || t.starts_with(b"<---")
                || t.starts_with(b"[")
                || t.starts_with(b"FATAL ERROR:")
                || t.starts_with(b"Security context:")
                || t.starts_with(b"==== JS stack trace")
                || t.starts_with(b"Aborted");
            v8_line.then_some(Block::V8Oom)
        }
        Block::PhpTrace => {
            let frame = t.starts_with(b"#") && t.get(1).is_some_and(u8::is_ascii_digit);
            (frame || indented).then_some(Block::PhpTrace)
        }
        Block::Closed => {
            if blank {
                Some(Block::Closed)
            } else if line.starts_with(b"***************************")
                && p.lines == 2
                && states_a_problem(&p.text)
            {
                // Spring's `LoggingFailureAnalysisReporter :`, a blank, then its banner.
                Some(Block::SpringBanner)
            } else if is_java_exception_line(t) && p.lines == 2 && states_a_problem(&p.text) {
                // Spring's `Servlet.service() … threw exception`, a blank, then the exception.
                Some(Block::JavaMessage)
            } else if indented
                && !is_own_line(t)
                && (is_continuation(t) || p.indented || t.starts_with(b"at "))
            {
                Some(Block::Continued)
            } else {
                None
            }
        }
        Block::Line | Block::Continued => {
            if blank {
                // A blank line closes the message and belongs to it.
                Some(Block::Closed)
            } else if is_continuation(t) {
                Some(Block::Continued)
            } else if indented {
                let json_record = p.lines == 1 && p.text.first() == Some(&b'{');
                (!is_own_line(t) && !json_record).then_some(Block::Continued)
            } else if is_postgres_detail(line)
                || same_rabbit_head(p, line)
                || is_sqlalchemy_detail(line)
            {
                Some(Block::Continued)
            } else if t.starts_with(b"(Use `node --trace-") {
                // Node's hint under `(node:1) SomeWarning: …`.
                Some(Block::Continued)
            } else if t.starts_with(b"Require stack:") {
                Some(Block::NodeCrash)
            } else if t.starts_with(b"Dumping heap to ") || t.starts_with(b"Heap dump file created")
            {
                Some(Block::Continued)
            } else if is_java_exception_line(t)
                && p.lines == 1
                && (p.text.last() == Some(&b':') || states_a_problem(&p.text))
            {
                // `ERROR … failed:` then the exception (logback, log4j, JUL): its message may run
                // on to the frames.
                Some(Block::JavaMessage)
            } else if is_goroutine_header(t) {
                // `http: panic serving …` then the goroutine dump.
                Some(Block::GoPanic)
            } else if t.starts_with(b"Stack trace:") {
                // PHP: `PHP Fatal error:  Uncaught …`, `Stack trace:`, `#0 …`, `  thrown in …`.
                Some(Block::PhpTrace)
            } else if p.lines > 1 && is_code_frame_marker(line) {
                Some(Block::Continued)
            } else if p.lines > 1 && is_closer(line) {
                // The `}` that ends Node's `Error: … {` property dump or a printed object.
                Some(Block::Continued)
            } else if t.starts_with(b"Traceback (most recent call last)")
                && p.lines == 1
                && (contains_error_word(&p.text) || states_a_problem(&p.text))
            {
                // Python's `logger.exception("…")`: the message, then the traceback.
                Some(Block::PyFrames)
            } else if (p.text.last() == Some(&b':') && !looks_like_record_start(line)
                || is_numbered_item(line)
                || is_numbered_frame(line))
                && states_a_problem(&p.text)
            {
                // `[error] <0.753.0> Error on AMQP connection …:` then its reason;
                // Elasticsearch's `node validation exception` then `[1] bootstrap checks failed`.
                Some(Block::Continued)
            } else if p.lines == 1
                && matches!(p.text.first(), Some(b'0'..=b'9' | b'['))
                && !looks_like_record_start(line)
                && !is_program_prefixed(t)
                && states_a_problem(&p.text)
            {
                // A logged error and the one plain line under it that gives its reason (the
                // runtime printed one header for both).
                Some(Block::Continued)
            } else if t.starts_with(b"Trying again in ") && states_a_problem(&p.text) {
                // Celery: `consumer: Cannot connect to amqp://…` then `Trying again in 2.00 seconds…`.
                Some(Block::Continued)
            } else if p.lines == 1 && is_error_lead(&p.text) && is_advice(t) {
                Some(Block::Continued)
            } else {
                None
            }
        }
    }
}

/// Whether a line begins a log record of its own: a timestamp, a bracketed or JSON head, or
/// a level word near its start.
fn looks_like_record_start(line: &[u8]) -> bool {
    match line.first() {
        None => false,
        Some(b) if b.is_ascii_digit() => true,
        Some(b'[' | b'{' | b'<') => true,
        Some(_) => level::detect(&line[..line.len().min(RECORD_HEAD_BYTES)]).is_some(),
    }
}

/// `goroutine 34 [running]:`.
fn is_goroutine_header(t: &[u8]) -> bool {
    t.starts_with(b"goroutine ")
        && t.get(10).is_some_and(u8::is_ascii_digit)
        && t.trim_ascii_end().ends_with(b"]:")
}

/// A line that only closes a bracket: `}`, `]`, `})`, `);`.
fn is_closer(line: &[u8]) -> bool {
    let l = line.trim_ascii_end();
    !l.is_empty()
        && l.len() <= 3
        && matches!(l[0], b'}' | b']' | b')')
        && l.iter().all(|b| b"}])];,:".contains(b))
}

/// `nginx: …`, `/docker-entrypoint.sh: …`, `chown: …`: a line another program printed.
fn is_program_prefixed(t: &[u8]) -> bool {
    let head = &t[..t.len().min(RECORD_HEAD_BYTES)];
    memchr::memmem::find(head, b": ").is_some_and(|i| i > 0 && !head[..i].contains(&b' '))
}

/// The event's first line states a warning or worse.
fn states_a_problem(text: &[u8]) -> bool {
    level::detect(text).is_some_and(|s| s >= Severity::Warning)
}

/// `Error: …`, `error: …`, `fatal: …`: a program's own error line without a log header.
fn is_error_lead(t: &[u8]) -> bool {
    [
        &b"Error: "[..],
        b"error: ",
        b"ERROR: ",
        b"fatal: ",
        b"FATAL: ",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// The advice line that programs print under their error line.
fn is_advice(t: &[u8]) -> bool {
    [
        &b"Typically "[..],
        b"Try ",
        b"Please ",
        b"Hint: ",
        b"hint: ",
        b"Did you mean",
        b"Make sure ",
        b"See ",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// `0. DB::Exception::Exception(…) @ 0x000000000c4fd597 in /usr/bin/clickhouse`: a numbered
/// native stack frame (ClickHouse, Boost stacktrace).
fn is_numbered_frame(line: &[u8]) -> bool {
    let n = line.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=3).contains(&n)
        && line[n..].starts_with(b". ")
        && memchr::memmem::find(line, b" @ 0x").is_some()
}

/// `/app/x.py:321: UserWarning: …`: Python's `warnings` module output.
fn is_python_warning(line: &[u8]) -> bool {
    let head = &line[..line.len().min(level::SCAN_BYTES)];
    let Some(at) = memchr::memmem::find(head, b".py:") else {
        return false;
    };
    let rest = &head[at + 4..];
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || !rest[n..].starts_with(b": ") {
        return false;
    }
    let rest = &rest[n + 2..];
    let word = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    rest[..word].ends_with(b"Warning") && rest.get(word) == Some(&b':')
}

/// SQLAlchemy's lines under its exception: `[SQL: …]`, `[parameters: …]`, `(Background on
/// this error at: …)`.
fn is_sqlalchemy_detail(line: &[u8]) -> bool {
    line.starts_with(b"[SQL: ")
        || line.starts_with(b"[parameters: ")
        || line.starts_with(b"(Background on this error at: ")
}

/// An indented line that opens with a level word (`  INFO 1 --- [main]`, left so when a
/// source cut the timestamp in front of it) is a record, not a continuation.
fn opens_with_level(t: &[u8]) -> bool {
    let n = t.iter().take_while(|b| b.is_ascii_uppercase()).count();
    n >= 4
        && matches!(t.get(n), Some(b' ' | b':' | b']'))
        && level::parse_level_name(&t[..n]).is_some()
}

/// `[1] bootstrap checks failed`, `[2]: max file descriptors …`: a numbered report item.
fn is_numbered_item(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"[") else {
        return false;
    };
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    // Not `[1] LOG:` (a pid) nor `[9] 14 May` (redis): the item's text is lower case.
    (1..=3).contains(&n)
        && rest.get(n) == Some(&b']')
        && match rest.get(n + 1) {
            Some(b':') => rest.get(n + 2) == Some(&b' '),
            Some(b' ') => rest.get(n + 2).is_some_and(u8::is_ascii_lowercase),
            _ => false,
        }
}

/// Indented lines that are records of their own: a level word first, progress steps (`  Applying x... OK`,
/// ` * Starting cron`, `   ...done.`) and ActiveRecord's SQL log (`   (0.2ms)  SELECT …`).
fn is_own_line(t: &[u8]) -> bool {
    let end = t.trim_ascii_end();
    t.starts_with(b"* ")
        || opens_with_level(t)
        || starts_with_glyph(t)
        || [
            &b"... OK"[..],
            b"... ok",
            b"...done.",
            b"... done.",
            b"...done",
            b"... done",
            b"...fail!",
            b"... failed",
            b"... FAILED",
        ]
        .iter()
        .any(|s| end.ends_with(s))
        || is_sql_timing(t)
}

/// ` ✓ Compiled /x in 9ms`, ` ⚠ Fast Refresh …`: a status glyph (one non-ASCII character,
/// then a space) opens the records of dev servers (Next.js, Vite) and task runners.
fn starts_with_glyph(t: &[u8]) -> bool {
    // Arrows (`↳ app/x.rb:9`) and box drawing (`└─ …`) point back at the line above.
    if t.starts_with(&[0xE2, 0x86]) || t.starts_with(&[0xE2, 0x94]) || t.starts_with(&[0xE2, 0x95])
    {
        return false;
    }
    let len = match t.first() {
        Some(0xC0..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF7) => 4,
        _ => return false,
    };
    t.get(len) == Some(&b' ')
}

/// `> 42 |   code`: the marked line of a JavaScript code frame (Babel, Next.js, Vite).
fn is_code_frame_marker(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"> ") else {
        return false;
    };
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    n > 0 && rest[n..].trim_ascii_start().starts_with(b"|")
}

/// `(0.2ms)  SELECT …`: the start of an ActiveRecord SQL log line.
fn is_sql_timing(t: &[u8]) -> bool {
    let Some(rest) = t.strip_prefix(b"(") else {
        return false;
    };
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    n > 0 && rest[n..].starts_with(b"ms)")
}

/// `> app@1.0.0 start /app`: the banner npm prints before running a script.
fn is_npm_banner(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"> ") else {
        return false;
    };
    let word = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    rest[..word].iter().skip(1).any(|&b| b == b'@')
}

/// A line that ends by opening a bracket, as Rails prints `ActiveRecord::PendingMigrationError (`.
fn opens_bracket(line: &[u8]) -> Option<u8> {
    if matches!(line.first(), None | Some(b' ' | b'\t')) {
        return None;
    }
    match line.trim_ascii_end().last() {
        Some(b'(') => Some(b')'),
        Some(b'{') => Some(b'}'),
        Some(b'[') => Some(b']'),
        _ => None,
    }
}

/// Whether `text` mentions an error, exception or failure (ASCII case-insensitive).
fn contains_error_word(text: &[u8]) -> bool {
    let head = &text[..text.len().min(level::SCAN_BYTES)];
    head.windows(4).any(|w| {
        w.eq_ignore_ascii_case(b"rror")
            || w.eq_ignore_ascii_case(b"xcep")
            || w.eq_ignore_ascii_case(b"fail")
    })
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

/// RabbitMQ 3.9+ prints a multi-line report as lines that repeat `timestamp [level] <pid>`;
/// ClickHouse repeats `timestamp [ thread ] {query} <Level>`.
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
    let erlang_pid = pid.iter().all(|b| b.is_ascii_digit() || *b == b'.') && pid.contains(&b'.');
    // ClickHouse: `2024.01.15 10:00:13.747739 [ 473 ] {} <Fatal> BaseDaemon: …` — one report
    // is many lines with the same microsecond, thread and level.
    let clickhouse_level = level::parse_level_name(pid).is_some()
        && memchr::memmem::find(&line[..lt], b"] {").is_some()
        && line[..lt]
            .windows(8)
            .any(|w| w[0] == b'.' && w[1..7].iter().all(u8::is_ascii_digit) && w[7] == b' ');
    if (erlang_pid || clickhouse_level) && line[..lt].contains(&b'[') {
        lt + gt + 1
    } else {
        0
    }
}

fn same_rabbit_head(p: &Pending, line: &[u8]) -> bool {
    p.head_len > 0 && line.len() > p.head_len && p.text.get(..p.head_len) == line.get(..p.head_len)
}

/// `main.main()`, `net/http.(*conn).serve(0xc000…)`, `panic(0x86f860, 0xc82000a080)`: a Go
/// stack frame's function line (its arguments may hold spaces, its name does not).
fn is_go_frame(t: &[u8]) -> bool {
    let Some(open) = memchr::memchr(b'(', t) else {
        return false;
    };
    open > 0 && t.ends_with(b")") && !t[..open].contains(&b' ')
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
            || path.starts_with(b"internal/")
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
    let name = &t[..word];
    word > 0
        && (name.ends_with(b"Error")
            || name.ends_with(b"Exception")
            || name.ends_with(b"Rejection"))
        && matches!(t.get(word), Some(b':' | b']') | None)
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
    fn plain_lines_stay_apart_and_a_closing_blank_joins_its_line() {
        assert_eq!(one(&["a", "b", "", "c"]), [(1, 1), (2, 3), (4, 4)]);
        assert_eq!(one(&["a", "", "", "c"]), [(1, 3), (4, 4)]);
    }

    #[test]
    fn a_blank_after_another_services_line_stands_alone_or_opens_a_banner() {
        let got = events(&[
            (1, "x"),
            (0, ""),
            (1, "y"),
            (0, ""),
            (
                0,
                "Waiting for a minimum of 2 disks to come online (elapsed 0s)",
            ),
            (0, ""),
            (1, "z"),
        ]);
        assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 6), (7, 7)]);
    }

    #[test]
    fn a_blank_then_a_timestamped_record_stay_apart() {
        let got = events(&[(1, "x"), (0, ""), (0, "2024-01-01 INFO ready")]);
        assert_eq!(got, [(1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn interleaved_services_never_mix() {
        let got = events(&[
            (0, "2024-01-01 ERROR [main] o.a.Foo - failed:"),
            (0, "java.lang.IllegalStateException: boom"),
            (1, "\tat not.a.Frame(Of.java:1)"),
            (0, "\tat com.foo.Bar.baz(Bar.java:10)"),
            (1, "Traceback (most recent call last):"),
            (1, "  File \"x.py\", line 1"),
            (0, "Caused by: java.io.IOException: nope"),
            (1, "ValueError: x"),
        ]);
        assert_eq!(got, [(1, 2), (3, 3), (4, 4), (5, 6), (7, 7), (8, 8)]);
    }

    #[test]
    fn java_exception_message_runs_on_to_its_frames() {
        let got = one(&[
            "2020-02-28 14:55:44,543 JIRA-Bootstrap ERROR [c.a.Boot] Could not test your database:",
            "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure",
            "",
            "The last packet sent successfully to the server was 0 milliseconds ago.",
            "\tat sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
            "\t... 3 filtered",
            "\tat java.lang.Thread.run(Thread.java:748)",
            "Caused by: java.net.ConnectException: Connection refused (Connection refused)",
            "\tat java.net.PlainSocketImpl.socketConnect(Native Method)",
            "\t... 43 more",
            "2020-02-28 14:55:44,583 JIRA-Bootstrap ERROR [c.a.Health] JIRA couldn't connect",
            "2020-02-28 14:55:44,585 ERROR [c.a.Health] JIRA failed to connect to your database.",
            "    This could be because:",
            "    \t- Your database isn't running",
            "",
            "    There are several other solutions you can try.",
            "",
            "2020-02-28 14:55:44,589 INFO [c.a.Startup] Running JIRA startup checks.",
        ]);
        assert_eq!(got, [(1, 10), (11, 11), (12, 17), (18, 18)]);
    }

    #[test]
    fn jvm_heap_dump_notice_joins_the_out_of_memory_error() {
        let got = one(&[
            "java.lang.OutOfMemoryError: Java heap space",
            "Dumping heap to data/java_pid6.hprof ...",
            "Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler",
            "",
            "Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler",
            "",
        ]);
        assert_eq!(got, [(1, 2), (3, 4), (5, 6)]);
    }

    #[test]
    fn logged_python_exception_joins_its_message_and_psycopg_detail() {
        let got = one(&[
            "Internal Server Error: /api/customer/",
            "Traceback (most recent call last):",
            "  File \"/app/utils.py\", line 85, in _execute",
            "    return self.cursor.execute(sql, params)",
            "psycopg2.IntegrityError: duplicate key value violates unique constraint \"k\"",
            "DETAIL:  Key (login)=(henk) already exists.",
            "",
            "",
            "The above exception was the direct cause of the following exception:",
            "",
            "Traceback (most recent call last):",
            "  File \"/app/views.py\", line 16, in create",
            "django.db.utils.IntegrityError: duplicate key value violates unique constraint \"k\"",
            "DETAIL:  Key (login)=(henk) already exists.",
            "[04/Jan/2019 03:49:40] \"POST /api/customer/ HTTP/1.1\" 500 54",
            "Running migrations:",
            "Traceback (most recent call last):",
            "  File \"/app/manage.py\", line 1, in <module>",
            "KeyError: 'x'",
        ]);
        assert_eq!(got, [(1, 14), (15, 15), (16, 16), (17, 19)]);
    }

    #[test]
    fn go_panic_with_old_style_frames_is_one_event() {
        let got = one(&[
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal 0xb code=0x1 addr=0x0 pc=0x643976]",
            "",
            "goroutine 258 [running]:",
            "panic(0x86f860, 0xc82000a080)",
            " /usr/lib/go/src/runtime/panic.go:464 +0x3e6",
            "github.com/x/loggly/adapter.(_Adapter).sendRequest(0xc820067800, 0xc82033ad20)",
            " /go/src/github.com/x/loggly/adapter/adapter.go:110 +0x596",
            "created by github.com/x/loggly/adapter.(_Adapter).flushBuffer",
            " /go/src/github.com/x/loggly/adapter/adapter.go:105 +0x23a",
            "# logspout v3.1-dev-custom by gliderlabs",
        ]);
        assert_eq!(got, [(1, 10), (11, 11)]);
    }

    #[test]
    fn old_node_crash_and_npm_banner_are_events() {
        let got = one(&[
            "",
            "> api@0.0.0 start /api",
            "> node ./bin/www",
            "",
            "internal/modules/cjs/loader.js:979",
            "  throw err;",
            "  ^",
            "",
            "Error: Cannot find module 'http-errors'",
            "Require stack:",
            "- /api/app.js",
            "    at Function.Module._resolveFilename (internal/modules/cjs/loader.js:976:15)",
            "    at Module.require (internal/modules/cjs/loader.js:1036:19)",
            "npm ERR! code ELIFECYCLE",
        ]);
        assert_eq!(got, [(1, 4), (5, 13), (14, 14)]);
    }

    #[test]
    fn spring_banner_is_one_event() {
        let got = one(&[
            "***************************",
            "APPLICATION FAILED TO START",
            "***************************",
            "",
            "Description:",
            "",
            "The Tomcat connector configured to listen on port 8080 failed to start.",
            "",
            "Action:",
            "",
            "Verify the connector's configuration.",
            "",
            "2024-01-01 12:00:00.000  INFO 1 --- [main] o.s.Foo : next",
        ]);
        assert_eq!(got, [(1, 12), (13, 13)]);
    }

    #[test]
    fn postgres_detail_hint_and_hba_lines_join_their_message() {
        let got = one(&[
            "2022-01-11 15:17:24.777 UTC [409] FATAL:  password authentication failed for user \"n\"",
            "2022-01-11 15:17:24.777 UTC [409] DETAIL:  Password does not match for user \"n\".",
            "\tConnection matched pg_hba.conf line 95: \"host all all all md5\"",
            "[24622] WARNING:  terminating connection because of crash of another server process",
            "[24622] DETAIL:  The postmaster has commanded this server process to roll back.",
            "[24622] HINT:  In a moment you should be able to reconnect to the database.",
            "[1] LOG:  all server processes terminated; reinitializing",
        ]);
        assert_eq!(got, [(1, 3), (4, 6), (7, 7)]);
    }

    #[test]
    fn rabbitmq_reports_join_by_repeated_head_or_trailing_colon() {
        let got = one(&[
            "2025-03-23 15:53:54.829712+00:00 [error] <0.994.0> Error on AMQP connection <0.994.0> (state: starting):",
            "2025-03-23 15:53:54.829712+00:00 [error] <0.994.0> PLAIN login refused: user 'guest'",
            "2025-03-23 15:53:54.829994+00:00 [info] <0.994.0> closing AMQP connection <0.994.0>",
            "2020-03-30 07:57:43.395 [error] <0.753.0> Error on AMQP connection <0.753.0> (starting):",
            "PLAIN login refused: user 'guest' can only connect via localhost",
            "2020-03-30 07:57:43.396 [info] <0.753.0> closing AMQP connection <0.753.0>",
        ]);
        assert_eq!(got, [(1, 2), (3, 3), (4, 5), (6, 6)]);
    }

    #[test]
    fn server_error_reports_join_their_reason_lines() {
        let got = one(&[
            "[2021-03-28T20:14:13,436][ERROR][o.e.b.Bootstrap] [elk] node validation exception",
            "[1] bootstrap checks failed",
            "[1]: max virtual memory areas vm.max_map_count [65530] is too low",
            "[9] 14 May 13:19:52.866 * The server is now ready to accept connections",
            "Error: you need to share your Docker host socket with a volume",
            "Typically you should run your container with: '-v /var/run/docker.sock'",
            "Usage: flask run [OPTIONS]",
            "Try 'flask run --help' for help.",
            "",
            "Error: Could not locate a Flask application.",
            "Exiting",
        ]);
        assert_eq!(got, [(1, 3), (4, 4), (5, 6), (7, 10), (11, 11)]);
    }

    #[test]
    fn progress_and_sql_lines_stay_apart_though_indented() {
        let got = one(&[
            "Operations to perform:",
            "  Apply all migrations: admin, auth",
            "Running migrations:",
            "  Applying contenttypes.0001_initial... OK",
            "  Applying auth.0001_initial... OK",
            " * Starting periodic command scheduler cron",
            "   ...done.",
            "Cannot render console from 172.18.0.1!",
            "   (0.2ms)  SELECT \"schema_migrations\".\"version\" FROM \"schema_migrations\"",
            "  \u{21b3} /usr/local/bundle/gems/activerecord/lib/log_subscriber.rb:98",
            "  ",
            "ActiveRecord::PendingMigrationError (",
            "",
            "Migrations are pending. To resolve this issue, run:",
            "",
            "        bin/rails db:migrate RAILS_ENV=development",
            "",
            "):",
            "Exiting",
        ]);
        assert_eq!(
            got,
            [
                (1, 2),
                (3, 3),
                (4, 4),
                (5, 5),
                (6, 6),
                (7, 7),
                (8, 8),
                (9, 11),
                (12, 18),
                (19, 19)
            ]
        );
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

    #[test]
    fn runtime_shapes_with_log_headers_join() {
        let got = one(&[
            "2024-01-01 12:00:00.000 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed",
            "org.springframework.beans.factory.BeanCreationException: Error creating bean",
            "\tat org.springframework.Foo.bar(Foo.java:1)",
            "2024/01/01 12:00:00 http: panic serving 10.0.0.1:5000: runtime error: index out of range",
            "goroutine 34 [running]:",
            "net/http.(*conn).serve.func1(0xc000118000)",
            "\t/usr/local/go/src/net/http/server.go:1801 +0x147",
            "Error: connect ECONNREFUSED 127.0.0.1:5432",
            "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1494:16) {",
            "  errno: -111,",
            "  code: 'ECONNREFUSED'",
            "}",
            "PHP Fatal error:  Uncaught Exception: boom in /var/www/a.php:3",
            "Stack trace:",
            "#0 {main}",
            "  thrown in /var/www/a.php on line 3",
            "ready",
        ]);
        assert_eq!(got, [(1, 3), (4, 7), (8, 12), (13, 16), (17, 17)]);
    }

    #[test]
    fn records_that_look_indented_stay_apart() {
        let got = one(&[
            " INFO 1 --- [billing] [main] c.e.Billing : reconciliation finished: 0 errors",
            " INFO 1 --- [billing] [main] c.e.Billing : created invoice",
            "{\"level\":30,\"msg\":\"GET /dashboard\"}",
            " \u{2713} Compiled /dashboard in 8816ms (960 modules)",
        ]);
        assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 4)]);
    }

    #[test]
    fn library_detail_lines_join_their_error() {
        let got = one(&[
            "2024-01-15 10:00:00,691 ERROR app.migrations: Migration failed: (psycopg2.errors.X) no",
            "[SQL: DROP INDEX idx_userbase_created_at]",
            "(Background on this error at: https://sqlalche.me/e/20/f405)",
            "2024.01.15 10:00:01.471958 [ 692 ] {} <Error> TCPHandler: Code: 516. DB::Exception: x",
            "0. DB::Exception::Exception(DB::Exception::MessageMasked&&, int, bool) @ 0x000000000c4fd597 in /usr/bin/clickhouse",
            "1. DB::IDatabase::getTable(String const&) const @ 0x0000000011b1f0a9 in /usr/bin/clickhouse",
            "[2024-01-15 10:00:00,911: WARNING/MainProcess] consumer: Connection to broker lost.",
            "Traceback (most recent call last):",
            "  File \"/app/consumer.py\", line 340, in start",
            "ConnectionResetError: [Errno 104] Connection reset by peer",
        ]);
        assert_eq!(got, [(1, 3), (4, 6), (7, 10)]);
    }

    #[test]
    fn node_oom_report_and_python_warning_are_events() {
        let got = one(&[
            "<--- Last few GCs --->",
            "",
            "[27:0x5f1c2a0]  634072 ms: Mark-Compact 2043.1 (2081.6) -> 2042.5 (2082.1) MB",
            "",
            "<--- JS stacktrace --->",
            "",
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            " 1: 0xb7a940 node::Abort() [node]",
            "/app/x.py:321: UserWarning: Valid config keys have changed in V2:",
            "* 'orm_mode' has been renamed to 'from_attributes'",
            "  warnings.warn(message, UserWarning)",
            "{\"level\":30,\"msg\":\"x\"}",
            "Error: Cannot find module 'critters'",
            "Require stack:",
            "- /app/node_modules/next/dist/server/render.js",
            "    at Module._load (node:internal/modules/cjs/loader:975:27) {",
            "  code: 'MODULE_NOT_FOUND',",
            "  requireStack: [",
            "    '/app/node_modules/next/dist/server/render.js'",
            "  ]",
            "}",
            "{\"level\":30,\"msg\":\"y\"}",
        ]);
        assert_eq!(got, [(1, 8), (9, 11), (12, 12), (13, 21), (22, 22)]);
    }

    #[test]
    fn spring_exception_after_a_blank_joins_its_log_line() {
        let got = one(&[
            "2024-01-15T10:00:02.132Z ERROR 1 --- [exec-3] o.a.c.c.C : Servlet.service() threw exception",
            "",
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
            "2024-01-15T10:00:03.328Z  INFO 1 --- [exec-9] c.e.Payment : captured",
        ]);
        assert_eq!(got, [(1, 4), (5, 5)]);
    }

    #[test]
    fn repeated_heads_retries_and_reported_banners_join() {
        let got = one(&[
            "2024.01.15 10:00:13.747739 [ 473 ] {} <Fatal> BaseDaemon: ########################################",
            "2024.01.15 10:00:13.747739 [ 473 ] {} <Fatal> BaseDaemon: (version 23.8.2.7 (official build))",
            "2024.01.15 10:00:13.748000 [ 473 ] {} <Information> Application: next",
            "[2024-01-15 10:00:07,090: ERROR/MainProcess] consumer: Cannot connect to amqp://rabbitmq:5672//: refused.",
            "Trying again in 32.00 seconds... (25/100)",
            "",
            "2024-01-15T10:00:10.725Z ERROR 1 --- [main] o.s.b.d.LoggingFailureAnalysisReporter   : ",
            "",
            "***************************",
            "APPLICATION FAILED TO START",
            "***************************",
            "",
            " INFO 1 --- [exec-6] c.e.Payment : captured",
        ]);
        assert_eq!(got, [(1, 2), (3, 3), (4, 6), (7, 12), (13, 13)]);
    }

    #[test]
    fn dev_server_status_lines_stay_apart_and_code_frames_join() {
        let got = one(&[
            " \u{2713} Compiled /settings/billing in 2971ms (2340 modules)",
            " \u{2713} Compiled /dashboard in 998ms (1008 modules)",
            " \u{26a0} Fast Refresh had to perform a full reload.",
            "TypeError: Cannot read properties of undefined (reading 'map')",
            "    at Dashboard (./app/dashboard/page.tsx:42:23)",
            "  41 |       <ul>",
            "> 42 |         {usage.items.map((item) => (",
            "     |                      ^",
            "  43 |           <li key={item.id}>{item.name}</li>",
            "{\"level\":30}",
        ]);
        assert_eq!(got, [(1, 1), (2, 2), (3, 3), (4, 9), (10, 10)]);
    }

    #[test]
    fn a_logged_error_takes_one_plain_reason_line_but_not_another_programs_line() {
        let got = one(&[
            "2024-01-01 12:00:00 0 [ERROR] mysqld got signal 11 ;",
            "This could be because you hit a bug.",
            "Attempting to collect some information",
            "2024/01/01 12:00:00 [error] 7#7: *1 connect() failed (111: Connection refused)",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            "2024-01-01 12:00:01 0 [Note] ready",
            "plain line after an info record",
        ]);
        assert_eq!(got, [(1, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7)]);
    }

    #[test]
    fn dotnet_and_node_warnings_join_their_lines() {
        let got = one(&[
            "fail: Microsoft.AspNetCore.Server.Kestrel[13]",
            "      Connection id \"0HM\": An unhandled exception was thrown by the application.",
            "      System.InvalidOperationException: boom",
            "         at App.Program.Main() in /src/Program.cs:line 12",
            "(node:1) UnhandledPromiseRejectionWarning: Error: x",
            "(Use `node --trace-warnings ...` to show where the warning was created)",
            "info: Microsoft.Hosting.Lifetime[14]",
        ]);
        assert_eq!(got, [(1, 4), (5, 6), (7, 7)]);
    }

    const VOCABULARY: &[&str] = &[
        "",
        "  ",
        "Traceback (most recent call last):",
        "  File \"x.py\", line 1, in <module>",
        "ValueError: x",
        "During handling of the above exception, another exception occurred:",
        "panic: boom",
        "goroutine 1 [running]:",
        "main.main()",
        "\tat com.foo.Bar(Bar.java:1)",
        "Caused by: java.io.IOException: x",
        "java.lang.IllegalStateException: boom",
        "2024-01-01 ERROR failed:",
        "2024-01-01 INFO ok",
        "node:internal/modules/cjs/loader:1080",
        "Error: Cannot find module 'x'",
        "Require stack:",
        "***************************",
        "> app@1.0.0 start",
        "Usage: x [OPTIONS]",
        "FooError (",
        "):",
        "{",
        "}",
        "[1] bootstrap checks failed",
        "DETAIL:  x",
        "  Applying x... OK",
        "plain words",
        "\u{00e9}\u{0301}\u{ffff}",
    ];

    proptest::proptest! {
        #[test]
        fn events_cover_every_line_exactly_once(
            picks in proptest::collection::vec((0u32..3, 0usize..VOCABULARY.len()), 0..120),
            junk in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let mut a = Assembler::new(Joining::Auto);
            let mut got: Vec<(u64, u64, u32)> = Vec::new();
            let mut services = Vec::new();
            for (i, (svc, pick)) in picks.iter().enumerate() {
                let n = i as u64 + 1;
                // Every seventh line is raw bytes, to feed the detectors odd input.
                let text: &[u8] = if i % 7 == 6 { &junk } else { VOCABULARY[*pick].as_bytes() };
                services.push(*svc);
                let rec = Record {
                    service: *svc,
                    stream: Stream::Unknown,
                    line: n,
                    end_line: n,
                    timestamp: None,
                    text,
                };
                a.push(&rec, &mut |e| got.push((e.first_line, e.last_line, e.service)));
            }
            a.flush(&mut |e| got.push((e.first_line, e.last_line, e.service)));
            let mut next = 1u64;
            for (first, last, svc) in &got {
                proptest::prop_assert_eq!(*first, next);
                proptest::prop_assert!(last >= first);
                for l in *first..=*last {
                    proptest::prop_assert_eq!(services[(l - 1) as usize], *svc);
                }
                next = last + 1;
            }
            proptest::prop_assert_eq!(next, picks.len() as u64 + 1);
        }
    }
}
