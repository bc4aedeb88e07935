//! Multi-line assembly: consecutive lines of one service that a person reads as one message
//! become one [`Event`]: a Python traceback (with its chain and a logged message before it), a
//! Java stack trace (the exception after a log header, its message, `at` frames, `Caused by:`,
//! `... N more`), a Go panic with its goroutine dump, a Node.js crash (code frame, caret, `Error:`,
//! `Require stack:`, `at` frames, property dump, `Node.js vX`), a logged JavaScript error with its
//! `at` frames (NestJS), V8's out-of-memory report (with the blank line it opens with), a
//! Spring Boot `APPLICATION FAILED TO START` banner (and Spring's message after an empty log
//! line), PostgreSQL `DETAIL:`/`HINT:`/`STATEMENT:` lines and its client programs' `pg_dump:
//! detail:` lines, SQLAlchemy's `[SQL: …]` statement over several lines, Redis's `FATAL CONFIG
//! FILE ERROR` report, RabbitMQ/ClickHouse lines repeating one head, ClickHouse's numbered stack
//! frames, a Ruby backtrace (`from` frames, Rails's gem frames and tagged request lines,
//! Sidekiq's job exception), PHP's and Laravel's stack traces, a JSON record spread over lines
//! (Elasticsearch 7), MySQL's crash report and glibc frames, SQL Server's error number with its
//! message, Keycloak's start-up failure lines, `npm ERR!` reports, an Elixir Logger record with
//! every line up to the next (crash reports, Ecto's query echo), a Rust panic with its message and
//! hint, zap's stack under an error line, MinIO's error report, CockroachDB's `*` boxes, an
//! aligned `key:   value` summary under its head, a list of `* ` errors after a blank under a
//! line ending in `:`, a server's error line with its reason or report lines, and a message with
//! indented continuation lines.
//!
//! Blank lines: a blank line after a service's line closes that event and belongs to it; one
//! after another service's line opens an event that the service's next line joins (MinIO and npm
//! print their banners so), unless that line states an error. Indented lines that are records
//! of their own (progress steps such as `  Applying x... OK`, ActiveRecord SQL lines,
//! dev-server status glyphs, a level word first) stay apart.
//!
//! The [`Assembler`] is a plain state machine over [`Record`]s: `push` a record and it calls
//! `emit` with every event the record completes; `finish` flushes the last one. It looks at each
//! line once and never looks ahead. It holds one pending event; a record of another service
//! closes it, so an event never swallows another service's lines (the engine source runs one
//! assembler per container). Caps: an event keeps at most [`MAX_EVENT_BYTES`] of text and
//! [`MAX_EVENT_LINES`] lines; open-ended blocks are bounded by [`MAX_JAVA_MESSAGE_LINES`] and
//! [`MAX_BRACKET_LINES`].

mod shapes;

use crate::record::{Record, ServiceId, Stream, Timestamp};
use shapes::*;

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
    /// SQLAlchemy's `[SQL: …` statement, open until the line that ends with `]`.
    SqlStatement,
    /// Redis's `*** FATAL CONFIG FILE ERROR ***` report: the line read, the directive, the reason.
    RedisConfig,
    /// MySQL's or MariaDB's crash report after `mysqld got signal 6 ;`: plain lines (and blank
    /// ones) until the next record.
    ServerCrash,
    /// A line that opened a bracket at its end (`FooError (`, `{`): open until the closer.
    Bracket(u8),
    /// A JSON record spread over lines (Elasticsearch 7's `"stacktrace": [ … ] }`): its
    /// quoted lines, until one ends the object.
    JsonRecord,
    /// An Elixir Logger record (`10:15:22.437 [error] …`): every line up to the next record is
    /// its own (a crash report with its stack, a query with its source location).
    ElixirRecord,
    /// A box of `*` lines (CockroachDB's start-up warnings): a lone `*`, `* …` lines, a lone `*`.
    StarBox,
    /// A banner drawn in ASCII art (Spring Boot's, Airflow's, Quarkus's, Echo's): art lines, with
    /// a caption line or two among them (`:: Spring Boot ::  (v3.1.10)`), then a blank line.
    Art,
    /// A caption line inside an [`Block::Art`] banner.
    ArtCaption,
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
/// Caption lines in a row an ASCII-art banner may hold (Echo's prints two under its name).
pub const MAX_ART_CAPTION_LINES: u32 = 2;
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
    } else if starts_with_long(t, b"Traceback (most recent call last)")
        || line
            .trim_ascii_end()
            .ends_with(b" Traceback (most recent call last):")
    {
        // gunicorn and uvicorn log the head on a record line: `[…] [7] [ERROR] Traceback (…):`,
        // `ERROR:    Traceback (…):`.
        Block::PyFrames
    } else if line.starts_with(b"panic: ")
        || line.starts_with(b"fatal error: ")
        || is_goroutine_header(line)
    {
        // A goroutine header opens a dump of its own where another container's line cut the
        // panic in two.
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
    } else if line.starts_with(b"*** FATAL CONFIG FILE ERROR") {
        Block::RedisConfig
    } else if is_mysql_crash(line) {
        Block::ServerCrash
    } else if is_elixir_record(line) {
        Block::ElixirRecord
    } else if is_lone_star(line) {
        Block::StarBox
    } else if is_art_line(line) {
        Block::Art
    } else if let Some(closer) = opens_bracket(line) {
        Block::Bracket(closer)
    } else if line.starts_with(b"{\"") && !line.trim_ascii_end().ends_with(b"}") {
        Block::JsonRecord
    } else {
        Block::Line
    }
}

/// `t.starts_with(lit)` for a long `lit`, its first byte compared first: past 32 bytes the
/// compiler compares by calling `memcmp`, and the chains here try such prefixes on every line.
fn starts_with_long(t: &[u8], lit: &[u8]) -> bool {
    t.first() == lit.first() && t.starts_with(lit)
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
            } else {
                // MinIO and npm open their banners with a blank line, V8 its out-of-memory report
                // (whose `<---` head would otherwise look like a record of its own).
                // An error line after such a blank stands alone (`initdb: error: …`).
                let block = starts(line);
                (block == Block::V8Oom
                    || !looks_like_record_start(line)
                        && !states_a_problem(line)
                        && !contains_error_word(line))
                .then_some(block)
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
            if starts_with_long(t, b"During handling of the above exception")
                || starts_with_long(t, b"The above exception was the direct cause")
            {
                Some(Block::PyChain)
            } else if starts_with_long(t, b"Traceback (most recent call last)")
                && p.block == Block::PyChain
            {
                Some(Block::PyFrames)
            } else if blank {
                Some(p.block)
            } else if opens_sql_statement(line) {
                Some(Block::SqlStatement)
            } else if indented
                || is_postgres_detail(line)
                || is_sqlalchemy_detail(line)
                || is_query_position(t)
                || t.starts_with(b"DB::Exception: ")
            {
                // psycopg2 repeats the server's `DETAIL:` and `LINE 1: …` under its exception
                // line; clickhouse-driver the server's `DB::Exception: …`.
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
                || is_node_version(t)
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
        Block::JsonRecord => {
            if !t.starts_with(b"\"") || p.side_lines >= MAX_BRACKET_LINES {
                None
            } else if line.trim_ascii_end().ends_with(b"}") {
                Some(Block::Closed)
            } else {
                Some(Block::JsonRecord)
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
                || t.starts_with(b"----- Native stack trace")
                || is_native_frame(t)
                || t.starts_with(b"Aborted");
            v8_line.then_some(Block::V8Oom)
        }
        Block::SqlStatement => {
            if line.trim_ascii_end().ends_with(b"]") {
                Some(Block::PyException)
            } else if p.side_lines >= MAX_BRACKET_LINES || (blank && p.side_lines > 1) {
                None
            } else {
                Some(Block::SqlStatement)
            }
        }
        Block::RedisConfig => {
            if t.starts_with(b"Reading the configuration file") || t.starts_with(b">>> ") {
                Some(Block::RedisConfig)
            } else if !blank && !looks_like_record_start(line) {
                // The reason, last.
                Some(Block::Closed)
            } else {
                None
            }
        }
        Block::ElixirRecord => {
            let own = !is_elixir_record(line) && p.side_lines < MAX_BRACKET_LINES;
            own.then_some(Block::ElixirRecord)
        }
        Block::Art | Block::ArtCaption => {
            if blank {
                Some(Block::Closed)
            } else if is_art_line(line) {
                Some(Block::Art)
            } else if (p.block == Block::Art || p.side_lines < MAX_ART_CAPTION_LINES)
                && !looks_like_record_start(line)
                && !states_a_problem(line)
                && !contains_error_word(line)
            {
                Some(Block::ArtCaption)
            } else {
                None
            }
        }
        Block::StarBox => {
            if is_lone_star(line) {
                // The lone `*` that ends the box (a box has text between its two; an empty row
                // inside is `* `).
                Some(if p.lines > 1 {
                    Block::Closed
                } else {
                    Block::StarBox
                })
            } else {
                line.starts_with(b"* ").then_some(Block::StarBox)
            }
        }
        Block::ServerCrash => {
            let report_line = blank || !looks_like_record_start(line);
            (report_line && p.side_lines < MAX_BRACKET_LINES).then_some(Block::ServerCrash)
        }
        Block::PhpTrace => {
            let frame = t.starts_with(b"#") && t.get(1).is_some_and(u8::is_ascii_digit);
            if t.trim_ascii_end() == b"\"}" {
                // Laravel closes its JSON context after the frames.
                Some(Block::Continued)
            } else {
                (frame || indented).then_some(Block::PhpTrace)
            }
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
            } else if continues_npm_report(p, t) {
                Some(Block::Continued)
            } else if is_node_version(t) {
                // Node.js ends a crash with a blank line and its version.
                Some(Block::Continued)
            } else if ruby_frame_start(line) == Some(0)
                && (contains_error_word(&p.text) || states_a_problem(&p.text))
            {
                // Rails: `FooError (…):`, a blank, then the backtrace, one frame a line.
                Some(Block::Continued)
            } else if is_numbered_frame(line) && states_a_problem(&p.text) {
                // ClickHouse: `… Stack trace (when copying this message, …):`, a blank, frames.
                Some(Block::Continued)
            } else if p.lines == 2
                && has_empty_message(&p.text)
                && !blank
                && !matches!(line.first(), Some(b'0'..=b'9' | b'[' | b'{' | b'<'))
            {
                // Spring Boot: `… ConditionEvaluationReportLogger : `, a blank, then the text.
                Some(Block::Continued)
            } else if indented
                && !is_own_line(t)
                && (is_continuation(t) || p.indented || t.starts_with(b"at "))
            {
                Some(Block::Continued)
            } else if p.lines == 2 && t.starts_with(b"* ") && p.text.ends_with(b":\n") {
                // A list of errors under `1 error(s) decoding:` and a blank (Go's multierror,
                // mapstructure).
                Some(Block::Continued)
            } else if p.indented && t.starts_with(b"Hint: ") {
                // certbot: the problems, each indented and set off by a blank, then its hint.
                Some(Block::Continued)
            } else {
                None
            }
        }
        Block::Line | Block::Continued => {
            if blank {
                // A blank line closes the message and belongs to it.
                Some(Block::Closed)
            } else if t.starts_with(b"Caused by: ") && p.lines > 1 {
                // A cause's message may run on over plain and blank lines, as the first
                // exception's may (JDBC's `Communications link failure`, a blank, `The last
                // packet sent …`), until its `at` frames.
                Some(Block::JavaMessage)
            } else if is_continuation(t) {
                Some(Block::Continued)
            } else if indented {
                let json_record = p.lines == 1 && p.text.first() == Some(&b'{');
                (!is_own_line(t) && !json_record).then_some(Block::Continued)
            } else if opens_sql_statement(line) {
                Some(Block::SqlStatement)
            } else if is_postgres_detail(line)
                || same_rabbit_head(p, line)
                || is_sqlalchemy_detail(line)
                || is_program_detail(&p.text, line)
                || continues_ruby_trace(p, line)
                || same_sidekiq_job_head(p, line)
                || (is_keycloak_failure(line) && is_keycloak_failure(&p.text))
                || continues_sqlserver_error(p, line)
                || continues_npm_report(p, t)
                || closes_rails_message(p, t)
                || (is_glibc_frame(t) && is_glibc_frame(last_line(&p.text)))
            {
                Some(Block::Continued)
            } else if starts_with_long(t, b"Ask for help or search for solutions at ")
                || starts_with_long(t, b"For complete error details, refer to the log at ")
                || same_rails_tag(p, line)
            {
                // certbot's last line under `Some challenges have failed.`; Elasticsearch's
                // under its start-up exception; Rails's tagged logger repeats the request id on
                // every line of an exception.
                Some(Block::Continued)
            } else if t.starts_with(b"(Use `node --trace-") {
                // Node's hint under `(node:1) SomeWarning: …`.
                Some(Block::Continued)
            } else if t.starts_with(b"Require stack:") {
                Some(Block::NodeCrash)
            } else if t.starts_with(b"Dumping heap to ") || t.starts_with(b"Heap dump file created")
            {
                Some(Block::Continued)
            } else if is_js_error_line(t)
                && p.lines == 1
                && (states_a_problem(&p.text)
                    || p.text.ends_with(b":") && contains_error_word(&p.text))
            {
                // NestJS: `ERROR [ExceptionsHandler] …`, then the error and its `at` frames.
                Some(Block::NodeCrash)
            } else if is_java_exception_line(t)
                && p.lines == 1
                && (p.text.last() == Some(&b':')
                    || states_a_problem(&p.text)
                    || contains_error_word(&p.text))
            {
                // `ERROR … failed:` then the exception (logback, log4j, JUL): its message may run
                // on to the frames.
                Some(Block::JavaMessage)
            } else if is_goroutine_header(t) {
                // `http: panic serving …` then the goroutine dump.
                Some(Block::GoPanic)
            } else if t.starts_with(b"Stack trace:") || t.starts_with(b"[stacktrace]") {
                // PHP: `PHP Fatal error:  Uncaught …`, `Stack trace:`, `#0 …`, `  thrown in …`;
                // Laravel: `production.ERROR: …`, `[stacktrace]`, `#0 …`, `"}`.
                Some(Block::PhpTrace)
            } else if p.lines > 1 && is_code_frame_marker(line) {
                Some(Block::Continued)
            } else if p.lines > 1 && is_closer(line) {
                // The `}` that ends Node's `Error: … {` property dump or a printed object.
                Some(Block::Continued)
            } else if starts_with_long(t, b"Traceback (most recent call last)")
                && p.lines == 1
                && (contains_error_word(&p.text) || states_a_problem(&p.text))
            {
                // Python's `logger.exception("…")`: the message, then the traceback.
                Some(Block::PyFrames)
            } else if (p.text.last() == Some(&b':') && !looks_like_record_start(line)
                || is_numbered_item(line)
                || is_numbered_frame(line)
                || t.starts_with(b"bootstrap check failure ["))
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
            } else if p.lines == 1 && is_error_lead(&p.text) && is_advice(t)
                || continues_zap_stack(p, t)
                || continues_minio_report(p, line)
                || continues_rust_panic(p, line, t)
                || continues_summary(p, line)
                || continues_server_ready(p, t)
            {
                Some(Block::Continued)
            } else {
                None
            }
        }
    }
}

/// A Ruby backtrace frame (or `... N levels...`) under the line that raised it, under another
/// frame, or under an error line; also a frame a logger printed under the same head as the
/// error's line (Sidekiq's `WARN: /app/x.rb:7:in 'perform'`).
fn continues_ruby_trace(p: &Pending, line: &[u8]) -> bool {
    let t = trim_start(line);
    if is_ruby_elision(t) {
        return true;
    }
    // Cheap first: a frame ends with its method's quote, the first one with `(ErrorClass)`.
    if !matches!(t.trim_ascii_end().last(), Some(b'\'' | b'`' | b')')) {
        return false;
    }
    let Some(start) = ruby_frame_start(t) else {
        return false;
    };
    if start > 0 {
        return start >= 16 && p.text.starts_with(&t[..start]);
    }
    ruby_frame_start(trim_start(last_line(&p.text))).is_some()
        || contains_error_word(&p.text)
        || states_a_problem(&p.text)
}

/// Rails: `PG::ConnectionBad (message` then `):` on a line of its own (the message ran over
/// lines).
fn closes_rails_message(p: &Pending, t: &[u8]) -> bool {
    t == b"):"
        && p.lines == 1
        && !p.text.trim_ascii_end().ends_with(b"(")
        && p.text.windows(2).any(|w| w == b" (")
}

/// `[8b0c6a1e-…] RedisClient::CommandError (…`: a line that opens with the tag the event's
/// first line ended its Rails logger head with (`F, [… #1] FATAL -- : [8b0c6a1e-…]`).
fn same_rails_tag(p: &Pending, line: &[u8]) -> bool {
    // Ruby's Logger opens with the level's letter: `F, [`, `E, [`, `I, [`.
    if line.first() != Some(&b'[') || p.text.get(1..4) != Some(b", [") {
        return false;
    }
    let first = first_line(&p.text);
    let Some(at) = memchr::memmem::find(first, b" -- : [") else {
        return false;
    };
    let tag = &first[at + 6..];
    let Some(end) = memchr::memchr(b']', tag) else {
        return false;
    };
    end > 8 && line.starts_with(&tag[..=end])
}

/// Sidekiq: `… pid=1 tid=2g3k WARN: {"context":"Job raised exception",…}`, then the exception
/// under the same `time pid tid WARN: ` head (its frames follow as a Ruby backtrace).
fn same_sidekiq_job_head(p: &Pending, line: &[u8]) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static JOB: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b"\"context\":\"Job raised exception\""));
    static WARN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" WARN: "));
    if p.lines > 1 || line.len() < 32 || p.text.get(..24) != line.get(..24) {
        return false;
    }
    if JOB.find(&p.text).is_none() {
        return false;
    }
    let Some(at) = WARN.find(&line[..line.len().min(RECORD_HEAD_BYTES * 2)]) else {
        return false;
    };
    p.text.starts_with(&line[..at + WARN.needle().len()])
}

/// SQL Server's error log: `… Logon       Error: 18456, Severity: 14, State: 8.`, then the
/// message under the same time and source (`… Logon       Login failed for user 'sa'. …`).
fn continues_sqlserver_error(p: &Pending, line: &[u8]) -> bool {
    // `2024-07-02 07:13:05.44 Logon       `: the time (22) and the source column (12).
    const HEAD: usize = 35;
    p.lines == 1
        && line.len() > HEAD
        && p.text.get(..HEAD) == line.get(..HEAD)
        && p.text[HEAD..].starts_with(b"Error: ")
        && p.text
            .windows(b", Severity: ".len())
            .any(|w| w == b", Severity: ")
}

/// zap's stack under an error line: function lines, each followed by its tab-indented file line
/// (which joins as an indented line).
fn continues_zap_stack(p: &Pending, t: &[u8]) -> bool {
    is_go_function_line(t)
        && (is_go_file_line(last_line(&p.text)) || p.lines == 1 && contains_error_word(&p.text))
}

/// MinIO's error report: `API: PutObject(…)`, then `Time: …`, `RequestID: …`, `Error: …` (its
/// numbered frames join as indented lines), until the next report's head.
fn continues_minio_report(p: &Pending, line: &[u8]) -> bool {
    is_minio_report_head(&p.text) && is_report_field(line) && !is_minio_report_head(line)
}

/// Rust: `thread 'main' panicked at src/x.rs:8:41:`, the message, the hint, the backtrace head.
fn continues_rust_panic(p: &Pending, line: &[u8], t: &[u8]) -> bool {
    is_rust_panic(&p.text)
        && (p.lines == 1 && !looks_like_record_start(line)
            || t.starts_with(b"note: run with `RUST_BACKTRACE=")
            || t.starts_with(b"stack backtrace:"))
}

/// A start-up summary: a plain line, then `key:    value` rows whose values line up
/// (CockroachDB's `node starting`, with `build:`, `webui:`, `sql:` …).
fn continues_summary(p: &Pending, line: &[u8]) -> bool {
    table_value_column(line).is_some_and(|column| match table_value_column(last_line(&p.text)) {
        Some(above) => above == column,
        None => p.lines == 1 && !looks_like_record_start(&p.text),
    })
}

/// MariaDB and MySQL 5.7: `Version: '…'  socket: …` under `ready for connections.`, one message.
fn continues_server_ready(p: &Pending, t: &[u8]) -> bool {
    t.starts_with(b"Version: '")
        && p.lines == 1
        && p.text.trim_ascii_end().ends_with(b"ready for connections.")
}

/// npm's report: `npm ERR! …` lines, across the blank before `npm ERR! A complete log …`.
fn continues_npm_report(p: &Pending, t: &[u8]) -> bool {
    t.starts_with(b"npm ERR! ") && p.text.starts_with(b"npm ERR! ")
}

fn same_rabbit_head(p: &Pending, line: &[u8]) -> bool {
    p.head_len > 0 && line.len() > p.head_len && p.text.get(..p.head_len) == line.get(..p.head_len)
}

#[cfg(test)]
mod tests;
