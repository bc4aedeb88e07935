//! What single lines look like: the predicates the [`super::Assembler`]'s state machine asks
//! about a line (a stack frame, a record head, a report item). Each reads only the line it is
//! given, within a bounded prefix, and allocates nothing.

use super::RECORD_HEAD_BYTES;
use crate::classify::{level, Severity};

/// Whether a line begins a log record of its own: a timestamp, a bracketed or JSON head, or
/// a level word near its start.
pub(super) fn looks_like_record_start(line: &[u8]) -> bool {
    match line.first() {
        None => false,
        Some(b) if b.is_ascii_digit() => true,
        Some(b'[' | b'{' | b'<') => true,
        Some(_) => level::detect(&line[..line.len().min(RECORD_HEAD_BYTES)]).is_some(),
    }
}

/// `goroutine 34 [running]:`.
pub(super) fn is_goroutine_header(t: &[u8]) -> bool {
    t.starts_with(b"goroutine ")
        && t.get(10).is_some_and(u8::is_ascii_digit)
        && t.trim_ascii_end().ends_with(b"]:")
}

/// A line that only closes a bracket: `}`, `]`, `})`, `);`.
pub(super) fn is_closer(line: &[u8]) -> bool {
    let l = line.trim_ascii_end();
    !l.is_empty()
        && l.len() <= 3
        && matches!(l[0], b'}' | b']' | b')')
        && l.iter().all(|b| b"}])];,:".contains(b))
}

/// `nginx: …`, `/docker-entrypoint.sh: …`, `chown: …`: a line another program printed.
pub(super) fn is_program_prefixed(t: &[u8]) -> bool {
    let head = &t[..t.len().min(RECORD_HEAD_BYTES)];
    head.windows(b": ".len())
        .position(|w| w == b": ")
        .is_some_and(|i| i > 0 && !head[..i].contains(&b' '))
}

/// The event's first line states a warning or worse.
pub(super) fn states_a_problem(text: &[u8]) -> bool {
    level::detect(text).is_some_and(|s| s >= Severity::Warning)
}

/// `Error: …`, `error: …`, `fatal: …`: a program's own error line without a log header.
pub(super) fn is_error_lead(t: &[u8]) -> bool {
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
pub(super) fn is_advice(t: &[u8]) -> bool {
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
pub(super) fn is_numbered_frame(line: &[u8]) -> bool {
    let n = line.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=3).contains(&n)
        && line[n..].starts_with(b". ")
        && line
            .windows(b" @ 0x".len())
            .position(|w| w == b" @ 0x")
            .is_some()
}

/// `/app/x.py:321: UserWarning: …`: Python's `warnings` module output.
pub(super) fn is_python_warning(line: &[u8]) -> bool {
    let head = &line[..line.len().min(level::SCAN_BYTES)];
    static PY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b".py:"));
    let Some(at) = PY.find(head) else {
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
pub(super) fn is_sqlalchemy_detail(line: &[u8]) -> bool {
    line.starts_with(b"[SQL: ")
        || line.starts_with(b"[parameters: ")
        || line.starts_with(b"(Background on this error at: ")
}

/// `[SQL: SELECT …` without its closing `]`: SQLAlchemy prints the statement as it was written,
/// over as many lines as it has.
pub(super) fn opens_sql_statement(line: &[u8]) -> bool {
    line.starts_with(b"[SQL: ") && !line.trim_ascii_end().ends_with(b"]")
}

/// `pg_dump: detail: …` or `psql: hint: …` under `pg_dump: error: …` (`first`): the detail and
/// hint lines of PostgreSQL's client programs, which repeat the program's name.
pub(super) fn is_program_detail(first: &[u8], line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    let (name, rest) = line.split_at(colon);
    (1..=32).contains(&name.len())
        && !name.contains(&b' ')
        && (rest.starts_with(b": detail: ") || rest.starts_with(b": hint: "))
        && first.starts_with(name)
        && first.get(colon) == Some(&b':')
}

/// `Node.js v18.17.1`: the last line of a Node.js crash, after a blank line.
pub(super) fn is_node_version(t: &[u8]) -> bool {
    t.starts_with(b"Node.js v") && t.get(9).is_some_and(u8::is_ascii_digit)
}

/// An event that is one log line with an empty message (its header ends in ` :`, as Spring
/// Boot's `ConditionEvaluationReportLogger : `), and blank lines: the message follows them.
pub(super) fn has_empty_message(text: &[u8]) -> bool {
    text.trim_ascii_end().ends_with(b" :")
}

/// An indented line that opens with a level word (`  INFO 1 --- [main]`, left so when a
/// source cut the timestamp in front of it) is a record, not a continuation.
pub(super) fn opens_with_level(t: &[u8]) -> bool {
    let n = t.iter().take_while(|b| b.is_ascii_uppercase()).count();
    n >= 4
        && matches!(t.get(n), Some(b' ' | b':' | b']'))
        && level::parse_level_name(&t[..n]).is_some()
}

/// `[1] bootstrap checks failed`, `[2]: max file descriptors …`: a numbered report item.
pub(super) fn is_numbered_item(line: &[u8]) -> bool {
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
/// ` * Starting cron`, `   ...done.`, Laravel's `  2024-02-19 13:06:12 App\Jobs\X …… 812ms DONE`) and
/// ActiveRecord's SQL log (`   (0.2ms)  SELECT …`).
pub(super) fn is_own_line(t: &[u8]) -> bool {
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
        || is_task_status(end)
        || is_sql_timing(t)
}

/// `App\Jobs\X ......... 812.40ms DONE` (Laravel's queue worker, artisan's tasks): dots, an
/// optional duration, then `RUNNING`, `DONE` or `FAIL`.
fn is_task_status(end: &[u8]) -> bool {
    let Some(rest) = [&b" RUNNING"[..], b" DONE", b" FAIL"]
        .iter()
        .find_map(|s| end.strip_suffix(*s))
    else {
        return false;
    };
    let rest = rest.trim_ascii_end();
    let rest = match rest.iter().rposition(|&b| b == b' ') {
        Some(i) if rest[i + 1..].first().is_some_and(u8::is_ascii_digit) => {
            rest[..i].trim_ascii_end()
        }
        _ => rest,
    };
    rest.ends_with(b"...")
}

/// ` ✓ Compiled /x in 9ms`, ` ⚠ Fast Refresh …`: a status glyph (one non-ASCII character,
/// then a space) opens the records of dev servers (Next.js, Vite) and task runners.
pub(super) fn starts_with_glyph(t: &[u8]) -> bool {
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
pub(super) fn is_code_frame_marker(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"> ") else {
        return false;
    };
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    n > 0 && rest[n..].trim_ascii_start().starts_with(b"|")
}

/// `(0.2ms)  SELECT …`, `Project Load (0.8ms)  SELECT …`, `TRANSACTION (0.1ms)  BEGIN`: the
/// start of an ActiveRecord SQL log line; also `Rendered x.html.erb …`, Rails's view log.
pub(super) fn is_sql_timing(t: &[u8]) -> bool {
    if t.starts_with(b"Rendered ") || t.starts_with(b"Rendering ") {
        return true;
    }
    // A model name and an operation (`Project Load`, `CACHE User Load`), or nothing.
    if !t
        .first()
        .is_some_and(|b| *b == b'(' || b.is_ascii_uppercase())
    {
        return false;
    }
    let name = t
        .iter()
        .take(48)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b':' | b'_'))
        .count();
    let Some(rest) = t[name..].strip_prefix(b"(") else {
        return false;
    };
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    // Two spaces, then the statement: Entity Framework's `Executed DbCommand (27ms) [Parameters=…`
    // has one, and is the head of its indented statement, not a line of its own.
    let after = &rest[n..];
    n > 0 && (after.starts_with(b"ms)  ") || after.trim_ascii_end() == b"ms)")
}

/// `> app@1.0.0 start /app`: the banner npm prints before running a script.
pub(super) fn is_npm_banner(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"> ") else {
        return false;
    };
    let word = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    rest[..word].iter().skip(1).any(|&b| b == b'@')
}

/// A line that ends by opening a bracket, as Rails prints `ActiveRecord::PendingMigrationError (`.
pub(super) fn opens_bracket(line: &[u8]) -> Option<u8> {
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
pub(super) fn contains_error_word(text: &[u8]) -> bool {
    let head = &text[..text.len().min(level::SCAN_BYTES)];
    head.windows(4).any(|w| {
        w.eq_ignore_ascii_case(b"rror")
            || w.eq_ignore_ascii_case(b"xcep")
            || w.eq_ignore_ascii_case(b"fail")
    })
}

pub(super) fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Lines that only ever continue a message: Java frames and causes, `... N more`.
pub(super) fn is_continuation(t: &[u8]) -> bool {
    t.starts_with(b"at ")
        || t.starts_with(b"Caused by: ")
        || t.starts_with(b"Suppressed: ")
        || (t.starts_with(b"... ") && t.ends_with(b" more"))
}

/// PostgreSQL's follow-up lines: `<prefix> DETAIL:  …`, `HINT:`, `STATEMENT:`, `CONTEXT:`.
pub(super) fn is_postgres_detail(line: &[u8]) -> bool {
    const KEYS: [&[u8]; 6] = [
        b"DETAIL",
        b"HINT",
        b"STATEMENT",
        b"CONTEXT",
        b"QUERY",
        b"LOCATION",
    ];
    static COLON_SPACES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b":  "));
    let head = &line[..line.len().min(120)];
    // Every key is followed by a colon and two spaces, which few lines hold: look there only
    // (not at every colon, as a timestamp has two).
    COLON_SPACES.find_iter(head).any(|colon| {
        KEYS.iter().any(|k| {
            head[..colon].ends_with(k) && (colon == k.len() || head[colon - k.len() - 1] == b' ')
        })
    })
}

/// RabbitMQ 3.9+ prints a multi-line report as lines that repeat `timestamp [level] <pid>`;
/// ClickHouse repeats `timestamp [ thread ] {query} <Level>`.
pub(super) fn rabbit_head_len(line: &[u8]) -> usize {
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
        && line[..lt]
            .windows(b"] {".len())
            .position(|w| w == b"] {")
            .is_some()
        && line[..lt]
            .windows(8)
            .any(|w| w[0] == b'.' && w[1..7].iter().all(u8::is_ascii_digit) && w[7] == b' ');
    if (erlang_pid || clickhouse_level) && line[..lt].contains(&b'[') {
        lt + gt + 1
    } else {
        0
    }
}

/// `main.main()`, `net/http.(*conn).serve(0xc000…)`, `panic(0x86f860, 0xc82000a080)`: a Go
/// stack frame's function line (its arguments may hold spaces, its name does not).
pub(super) fn is_go_frame(t: &[u8]) -> bool {
    let Some(open) = memchr::memchr(b'(', t) else {
        return false;
    };
    open > 0 && t.ends_with(b")") && !t[..open].contains(&b' ')
}

/// `/app/index.js:12`, `node:internal/modules/cjs/loader:1080` or `node:events:492`: Node's code
/// frame header.
pub(super) fn is_node_code_frame(line: &[u8]) -> bool {
    if !line.last().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let (path, num) = match line.iter().rposition(|&b| b == b':') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => return false,
    };
    // A built-in module: `node:internal/…`, and `node:events` in Node 16 and later.
    let builtin = path.strip_prefix(b"node:").is_some_and(|m| {
        m.starts_with(b"internal/")
            || (!m.is_empty()
                && m.iter()
                    .all(|b| b.is_ascii_lowercase() || b"/_".contains(b)))
    });
    let script =
        (path.starts_with(b"/") || path.starts_with(b"internal/") || path.starts_with(b"file:///"))
            && [&b".js"[..], b".mjs", b".cjs", b".ts"]
                .iter()
                .any(|ext| path.ends_with(ext));
    !num.is_empty() && num.iter().all(u8::is_ascii_digit) && (builtin || script)
}

/// `Error: …`, `TypeError: …`, `[Error: …]`.
pub(super) fn is_js_error_line(t: &[u8]) -> bool {
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
pub(super) fn is_java_exception_line(t: &[u8]) -> bool {
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

/// `/app/x.rb:12:in 'call'`, `from /usr/lib/ruby/3.1.0/y.rb:3:in `m'`, `activerecord (6.1.7)
/// lib/x.rb:83:in …`: a Ruby backtrace frame (the first one also carries the message:
/// `…:in `m': boom (RuntimeError)`). Returns where the frame starts in `t`, so a caller can
/// see what a logger printed in front of it.
pub(super) fn ruby_frame_start(t: &[u8]) -> Option<usize> {
    static IN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b":in "));
    let head = &t[..t.len().min(level::SCAN_BYTES)];
    let at = IN.find(head)?;
    if !matches!(head.get(at + 4), Some(b'`' | b'\'')) {
        return None;
    }
    // `path:LINE` before `:in`, the path without spaces.
    let before = &head[..at];
    let digits = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let path_end = before.len() - digits;
    if digits == 0 || path_end < 2 || before[path_end - 1] != b':' {
        return None;
    }
    let path = &before[..path_end - 1];
    let mut start = path.iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
    // A gem's frame as Rails prints it: `activerecord (6.1.7.6) lib/…`.
    if start >= 3 && path[..start - 1].ends_with(b")") {
        if let Some(open) = path[..start].iter().rposition(|&b| b == b'(') {
            let version = &path[open + 1..start - 2];
            if open >= 2 && version.first().is_some_and(u8::is_ascii_digit) {
                start = path[..open - 1]
                    .iter()
                    .rposition(|&b| b == b' ')
                    .map_or(0, |i| i + 1);
            }
        }
    }
    if start == path.len() {
        return None;
    }
    let from = t[..start].ends_with(b"from ");
    Some(if from { start - 5 } else { start })
}

/// `... 23 levels...`: where Ruby cut a long backtrace.
pub(super) fn is_ruby_elision(t: &[u8]) -> bool {
    t.starts_with(b"... ") && t.trim_ascii_end().ends_with(b" levels...")
}

/// ` 1: 0xb8a6cc node::OOMErrorHandler(…) [node]`: a numbered native frame (V8's report).
pub(super) fn is_native_frame(t: &[u8]) -> bool {
    let n = t.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=3).contains(&n) && t[n..].starts_with(b": 0x")
}

/// `LINE 1: SELECT …`: where PostgreSQL shows the statement an error points into (the `^`
/// marker follows, indented).
pub(super) fn is_query_position(t: &[u8]) -> bool {
    let Some(rest) = t.strip_prefix(b"LINE ") else {
        return false;
    };
    let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    n > 0 && rest[n..].starts_with(b": ")
}

/// `2024-02-20 10:31:05,117 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler]
/// (main) ERROR: …`: Keycloak prints why it did not start as several such lines, one record each.
pub(super) fn is_keycloak_failure(line: &[u8]) -> bool {
    line.get(23) == Some(&b' ')
        && line[24..]
            .starts_with(b"ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler]")
}

/// `09:02:17 UTC - mysqld got signal 6 ;`, `… [ERROR] mariadbd got signal 11 ;`: the head of
/// MySQL's and MariaDB's crash report.
pub(super) fn is_mysql_crash(line: &[u8]) -> bool {
    static SIGNAL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"d got signal "));
    line.trim_ascii_end().ends_with(b" ;") && SIGNAL.find(line).is_some()
}

/// `/usr/sbin/mysqld(my_abort()+0xe) [0x5610a2f382ee]`: a frame of glibc's `backtrace_symbols`.
pub(super) fn is_glibc_frame(t: &[u8]) -> bool {
    let t = t.trim_ascii_end();
    t.ends_with(b"]")
        && t.len() > 8
        && memchr::memrchr(b'[', t).is_some_and(|i| t[i + 1..].starts_with(b"0x"))
        && (t.starts_with(b"/") || t.starts_with(b"["))
}

/// An Elixir Logger record: a time of day with milliseconds, optional `key=value` metadata,
/// then the level in brackets (`10:15:22.437 request_id=F7y… [debug] QUERY OK …`).
pub(super) fn is_elixir_record(line: &[u8]) -> bool {
    let time = line.len() > 16
        && line[2] == b':'
        && line[5] == b':'
        && line[8] == b'.'
        && line[12] == b' '
        && [0, 1, 3, 4, 6, 7, 9, 10, 11]
            .iter()
            .all(|&i| line[i].is_ascii_digit());
    if !time {
        return false;
    }
    let head = &line[13..line.len().min(13 + RECORD_HEAD_BYTES)];
    let Some(open) = memchr::memchr(b'[', head) else {
        return false;
    };
    let metadata = &head[..open];
    let bracketed = &head[open + 1..];
    (metadata.is_empty() || metadata.ends_with(b" ") && metadata.contains(&b'='))
        && memchr::memchr(b']', bracketed)
            .is_some_and(|close| level::parse_level_name(&bracketed[..close]).is_some())
}

/// Whether `text` opens with a Rust panic: `thread 'main' panicked at src/main.rs:8:41:`.
pub(super) fn is_rust_panic(text: &[u8]) -> bool {
    text.starts_with(b"thread '")
        && memchr::memmem::find(first_line(text), b"' panicked at ").is_some()
}

/// A row of an aligned key/value summary (`sql (JDBC):          jdbc:postgresql://…`: a short
/// key of words, a colon, two or more spaces, then the value): where its value starts.
pub(super) fn table_value_column(line: &[u8]) -> Option<usize> {
    // Most log lines open with a digit or a bracket: that test first.
    if !line.first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let colon = line.iter().take(32).position(|&b| b == b':')?;
    let key = &line[..colon];
    let rest = &line[colon + 1..];
    let value = rest.iter().position(|&b| b != b' ')?;
    // Postgres's `DETAIL:  …`, `HINT:  …` (upper-case keys) are its own continuations.
    let row = key.iter().any(u8::is_ascii_lowercase)
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" ()[]._/-".contains(&b))
        && value >= 2
        && rest[value] != b'\t';
    row.then_some(colon + 1 + value)
}

/// A line of ASCII art: letters drawn in strokes, as frameworks print their name when they
/// start (Spring Boot's ` /\\ / ___'_ __ _ _(_)_ __`, Airflow's, Quarkus's): at least eight
/// visible bytes, at least one a stroke (`_`, `/`, `\`, `|`), and three in four of them neither
/// letters nor digits. Lines of only dashes, `=` or `*` are separators, not art.
pub(super) fn is_art_line(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    if t.len() < 8 || t.first().is_some_and(u8::is_ascii_alphanumeric) {
        return false;
    }
    // Counted without branches, into byte counters per 128 bytes (which cannot overflow them):
    // the compiler then counts sixteen bytes at once, faster than a byte-by-byte loop that
    // stops once a quarter of the line is letters.
    let (mut visible, mut plain, mut strokes) = (0usize, 0usize, 0usize);
    for chunk in t.chunks(128) {
        let (mut v, mut p, mut s) = (0u8, 0u8, 0u8);
        for &b in chunk {
            let letter = (b | 0x20).wrapping_sub(b'a') < 26;
            v += u8::from(b != b' ');
            p += u8::from(letter | (b.wrapping_sub(b'0') < 10) | (b >= 0x80));
            s += u8::from((b == b'_') | (b == b'/') | (b == b'\\') | (b == b'|'));
        }
        (visible, plain, strokes) = (
            visible + usize::from(v),
            plain + usize::from(p),
            strokes + usize::from(s),
        );
    }
    visible >= 8 && strokes > 0 && plain * 4 <= visible
}

/// A line that is a lone `*`, the edge of a box of `* ` rows (a row left empty is `* `).
pub(super) fn is_lone_star(line: &[u8]) -> bool {
    line.strip_suffix(b"\r").unwrap_or(line) == b"*"
}

/// A Go function line of a stack a logger printed (zap's `stacktrace`, no arguments):
/// `go.opentelemetry.io/collector/exporter/exporterhelper.(*queueSender).send`.
pub(super) fn is_go_function_line(t: &[u8]) -> bool {
    let t = t.trim_ascii_end();
    // A package path opens with a lower-case letter (`github.com/…`, `main.main`), which few
    // log lines do, and holds no space: those tests first.
    if !t.first().is_some_and(u8::is_ascii_lowercase) || t.len() >= 300 || t.contains(&b' ') {
        return false;
    }
    let Some(slash) = memchr::memchr(b'/', t) else {
        return false;
    };
    !t.contains(&b':')
        && t[slash..].contains(&b'.')
        && t.last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// The file line under a Go function line: a tab, then `path/file.go:229`.
pub(super) fn is_go_file_line(line: &[u8]) -> bool {
    let l = line.trim_ascii_end();
    line.first() == Some(&b'\t')
        && l.rsplit(|&b| b == b':')
            .next()
            .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
        && memchr::memmem::find(l, b".go:").is_some()
}

/// Whether `text` opens with the head of MinIO's error report: `API: PutObject(bucket=…,
/// object=…)`, followed by `Time: …`, `RequestID: …`, `Error: …` lines and numbered frames.
pub(super) fn is_minio_report_head(text: &[u8]) -> bool {
    if !text.starts_with(b"API: ") {
        return false;
    }
    let head = first_line(text);
    head.trim_ascii_end().ends_with(b")") && head.contains(&b'(')
}

/// A `Key: value` line of MinIO's error report (`RemoteHost: 172.24.0.5`).
pub(super) fn is_report_field(line: &[u8]) -> bool {
    let Some(colon) = line.iter().take(24).position(|&b| b == b':') else {
        return false;
    };
    colon > 1
        && line[0].is_ascii_uppercase()
        && line[..colon].iter().all(u8::is_ascii_alphanumeric)
        && line.get(colon + 1) == Some(&b' ')
}

/// The first line of an event's text.
pub(super) fn first_line(text: &[u8]) -> &[u8] {
    memchr::memchr(b'\n', text).map_or(text, |i| &text[..i])
}

/// The last line of an event's text.
pub(super) fn last_line(text: &[u8]) -> &[u8] {
    memchr::memrchr(b'\n', text).map_or(text, |i| &text[i + 1..])
}
