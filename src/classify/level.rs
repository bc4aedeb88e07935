//! The severity a line states about itself: its level word, field or marker.
//!
//! Understood: JSON fields (`level`, `severity`, `@l`, `log.level`, `lvl`, `levelname`, MongoDB's
//! `"s"`, pino's numeric levels), logfmt `level=`/`lvl=`/`severity=`, bracketed levels in any case
//! (`[error]`, `[Warning]`), upper-case level words (`ERROR`, `WARN`, `FATAL:`, PostgreSQL's
//! `PANIC:`; its `FATAL:  ` ends one session and reads as an error), Celery's `DEBUG/MainProcess`,
//! Python's `…,329-WARNING-name`, RabbitMQ's `[erro]`, klog (`E0806 12:00:00`), Redis markers
//! (`* `, `. `), Ruby's `E, [` and syslog priorities (`<3>`). Lower-case
//! words in prose ("0 errors", `error_log`, `errors=0`, `ErrorHandler`) are not levels.
//! Only the first non-blank line of an event and its first [`SCAN_BYTES`] bytes are read: a level is stated
//! early, and what comes later is the message.

use std::sync::LazyLock;

use memchr::memmem;

use super::Severity;

/// How far into the first line a level is looked for.
pub const SCAN_BYTES: usize = 320;

/// The level the event's first line states, if any.
pub fn detect(text: &[u8]) -> Option<Severity> {
    let line = first_line(text);
    let line = strip_ansi_free_prefix(line);
    let first = line.iter().position(|b| !b.is_ascii_whitespace())?;
    let line = &line[first..];
    if line[0] == b'{' {
        if let Some(s) = json_level(line) {
            return Some(s);
        }
    }
    if line[0] == b'<' {
        if let Some(s) = syslog_priority(line) {
            return Some(s);
        }
    }
    if let Some(s) = klog(line)
        .or_else(|| ruby_logger(line))
        .or_else(|| redis(line))
    {
        return Some(s);
    }
    if let Some(s) = leading_word(line) {
        return Some(s);
    }
    let scan = &line[..line.len().min(SCAN_BYTES)];
    logfmt_level(scan).or_else(|| word_level(scan))
}

/// A lower-case level word that opens the line as a program's own prefix: `Error: …`,
/// `error: …`, `fatal: …` (Node, git, CLIs), .NET's `fail: ` and yarn's `error Command failed …`.
fn leading_word(line: &[u8]) -> Option<Severity> {
    for (prefix, sev) in [
        (&b"Error: "[..], Severity::Error),
        (b"error: ", Severity::Error),
        (b"fatal: ", Severity::Critical),
        (b"warning: ", Severity::Warning),
        (b"Warning: ", Severity::Warning),
        // .NET's console logger: `fail: Microsoft.AspNetCore…[13]`, then indented lines.
        (b"fail: ", Severity::Error),
        (b"crit: ", Severity::Critical),
        (b"warn: ", Severity::Warning),
        (b"info: ", Severity::Info),
        (b"dbug: ", Severity::Debug),
        (b"trce: ", Severity::Debug),
    ] {
        if line.starts_with(prefix) {
            return Some(sev);
        }
    }
    // yarn: `error Command failed with exit code 1.`, `warning package.json: No license field`.
    for (prefix, sev) in [
        (&b"error "[..], Severity::Error),
        (b"warning ", Severity::Warning),
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            if rest.first().is_some_and(u8::is_ascii_uppercase) || rest.starts_with(b"package.json")
            {
                return Some(sev);
            }
        }
    }
    None
}

/// The first line of `text` that is not blank (an event may open with a blank line), read
/// within the first [`SCAN_BYTES`] bytes.
fn first_line(text: &[u8]) -> &[u8] {
    let mut rest = text;
    loop {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        let consumed = text.len() - rest.len();
        if end == rest.len() || consumed > SCAN_BYTES || !line.iter().all(u8::is_ascii_whitespace) {
            return line;
        }
        rest = &rest[end + 1..];
    }
}

/// Skips nothing today; the hook keeps `detect` readable if a prefix form needs stripping.
fn strip_ansi_free_prefix(line: &[u8]) -> &[u8] {
    line
}

/// Maps a level name (any case) to a severity.
pub fn parse_level_name(name: &[u8]) -> Option<Severity> {
    let mut buf = [0u8; 12];
    if name.is_empty() || name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(match &buf[..name.len()] {
        b"trace" | b"debug" | b"dbug" | b"debu" | b"verbose" | b"fine" | b"finer" | b"finest"
        | b"d1" | b"d2" | b"d3" | b"d4" | b"d5" => Severity::Debug,
        b"info" | b"information" | b"informational" | b"notice" | b"noti" | b"note" | b"log"
        | b"system" | b"i" => Severity::Info,
        b"warn" | b"warning" | b"w" => Severity::Warning,
        b"error" | b"err" | b"eror" | b"erro" | b"severe" | b"e" => Severity::Error,
        b"fatal" | b"critical" | b"crit" | b"panic" | b"emerg" | b"emergency" | b"alert" | b"f"
        | b"dpanic" => Severity::Critical,
        _ => return None,
    })
}

/// Upper-case level words only (and any case inside brackets), so prose is not read as a level.
fn word_level(line: &[u8]) -> Option<Severity> {
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if !b.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < line.len() && line[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let word = &line[start..i];
        // A word glued to `_`, `.` or `-` on either side is an identifier, not a level.
        let before = start.checked_sub(1).map(|j| line[j]);
        let after = line.get(i).copied();
        // `2021-02-12 06:20:27,329-WARNING-uvicorn.error`: Python's `%(asctime)s-%(levelname)s-`.
        let dashed = before == Some(b'-')
            && after == Some(b'-')
            && start >= 2
            && line[start - 2].is_ascii_digit();
        // `[2018-01-10 10:58:09,714: DEBUG/MainProcess]`: Celery's `LEVEL/process`.
        let celery = after == Some(b'/') && matches!(before, Some(b' ' | b'['));
        if !dashed
            && !celery
            && (matches!(before, Some(b'_' | b'.' | b'-' | b'/' | b'='))
                || matches!(after, Some(b'_' | b'.' | b'-' | b'/' | b'=' | b'(')))
        {
            continue;
        }
        if word.len() < 3 {
            continue;
        }
        let bracketed =
            matches!(before, Some(b'[' | b'<' | b'(')) && matches!(after, Some(b']' | b'>' | b')'));
        let upper = word.iter().all(|c| c.is_ascii_uppercase());
        if bracketed || upper {
            if let Some(s) = parse_level_name(word) {
                // PostgreSQL's `FATAL:  ` (two spaces) ends one session, not the server.
                if s == Severity::Critical && word == b"FATAL" && line[i..].starts_with(b":  ") {
                    return Some(Severity::Error);
                }
                return Some(s);
            }
        }
    }
    None
}

/// `level=error`, `lvl=eror`, `severity=warning` (values may be quoted). A key counts where it
/// opens the line or follows a space, tab or quote; the first value that names a level wins,
/// `level` before `lvl` before `severity`.
fn logfmt_level(line: &[u8]) -> Option<Severity> {
    const KEYS: [&[u8]; 3] = [b"level", b"lvl", b"severity"];
    // One pass over the `=` signs, the first level of each key kept.
    let mut found: [Option<Severity>; 3] = [None; 3];
    for eq in memchr::memchr_iter(b'=', line) {
        let before = &line[..eq];
        let Some(k) = KEYS.iter().position(|key| {
            before.ends_with(key)
                && (before.len() == key.len()
                    || matches!(before[before.len() - key.len() - 1], b' ' | b'\t' | b'"'))
        }) else {
            continue;
        };
        if found[k].is_some() {
            continue;
        }
        let rest = &line[eq + 1..];
        let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| matches!(b, b' ' | b'"' | b'\t' | b','))
            .unwrap_or(rest.len());
        found[k] = parse_level_name(&rest[..end]);
        if k == 0 && found[0].is_some() {
            break;
        }
    }
    found.into_iter().flatten().next()
}

/// JSON keys that hold a level, as they appear in the line (quoted).
const JSON_KEYS: [&[u8]; 9] = [
    b"\"level\"",
    b"\"severity\"",
    b"\"@l\"",
    b"\"log.level\"",
    b"\"lvl\"",
    b"\"levelname\"",
    b"\"loglevel\"",
    b"\"s\"",
    b"\"@level\"",
];

fn json_level(line: &[u8]) -> Option<Severity> {
    static FINDERS: LazyLock<Vec<memmem::Finder<'static>>> =
        LazyLock::new(|| JSON_KEYS.iter().map(memmem::Finder::new).collect());
    for finder in FINDERS.iter() {
        let key = finder.needle();
        let Some(p) = finder.find(line) else {
            continue;
        };
        let rest = &line[p + key.len()..];
        let rest = trim_start(rest).strip_prefix(b":")?;
        let rest = trim_start(rest);
        if let Some(v) = rest.strip_prefix(b"\"") {
            let end = memchr::memchr(b'"', v)?;
            if let Some(s) = parse_level_name(&v[..end]) {
                return Some(s);
            }
        } else {
            // pino / bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal;
            // Monolog's (PHP): 100 debug, 200 info, 250 notice, 300 warning, 400 error, 500
            // critical, 550 alert, 600 emergency.
            let end = rest
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(rest.len());
            let n: u32 = std::str::from_utf8(&rest[..end]).ok()?.parse().ok()?;
            return Some(match n {
                0..=29 => Severity::Debug,
                30..=39 => Severity::Info,
                40..=49 => Severity::Warning,
                50..=59 => Severity::Error,
                60..=99 => Severity::Critical,
                100..=199 => Severity::Debug,
                200..=299 => Severity::Info,
                300..=399 => Severity::Warning,
                400..=499 => Severity::Error,
                _ => Severity::Critical,
            });
        }
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// `<3>message`: a syslog priority; the severity is its low three bits.
fn syslog_priority(line: &[u8]) -> Option<Severity> {
    let close = line.iter().take(5).position(|&b| b == b'>')?;
    let n: u32 = std::str::from_utf8(&line[1..close]).ok()?.parse().ok()?;
    Some(match n % 8 {
        0..=2 => Severity::Critical,
        3 => Severity::Error,
        4 => Severity::Warning,
        5 | 6 => Severity::Info,
        _ => Severity::Debug,
    })
}

/// klog: `E0806 12:34:56.789012 ...` (Kubernetes components, many Go services).
fn klog(line: &[u8]) -> Option<Severity> {
    if line.len() < 12 || !line[1..5].iter().all(u8::is_ascii_digit) || line[5] != b' ' {
        return None;
    }
    if !(line[6].is_ascii_digit() && line[7].is_ascii_digit() && line[8] == b':') {
        return None;
    }
    match line[0] {
        b'I' => Some(Severity::Info),
        b'W' => Some(Severity::Warning),
        b'E' => Some(Severity::Error),
        b'F' => Some(Severity::Critical),
        _ => None,
    }
}

/// Redis: `1:M 14 May 2024 13:19:52.866 * Ready`, `[9] 14 May 13:19:52.866 . DB saved`. The
/// marker after the time is the level: `.` debug, `-` verbose, `*` notice; `#` (warning) is
/// also used for plain start-up notes, so it is left to the words that follow.
fn redis(line: &[u8]) -> Option<Severity> {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let head = if digits > 0 && line.get(digits) == Some(&b':') {
        // `1:M `: pid, role letter.
        line.get(digits + 1).filter(|b| b"XCSM".contains(b))?;
        (line.get(digits + 2) == Some(&b' ')).then_some(digits + 3)?
    } else if line.first() == Some(&b'[') {
        let n = line[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        (n > 0 && line.get(n + 1) == Some(&b']') && line.get(n + 2) == Some(&b' '))
            .then_some(n + 3)?
    } else {
        return None;
    };
    // `dd Mon [yyyy ]hh:mm:ss.mmm X `: find `.mmm X ` within the next 30 bytes.
    let rest = &line[head..line.len().min(head + 30)];
    if !rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let w = rest.windows(7).find(|w| {
        w[0] == b'.'
            && w[1..4].iter().all(u8::is_ascii_digit)
            && w[4] == b' '
            && w[6] == b' '
            && b".-*#".contains(&w[5])
    })?;
    match w[5] {
        b'.' => Some(Severity::Debug),
        b'-' | b'*' => Some(Severity::Info),
        _ => None,
    }
}

/// Ruby's Logger: `E, [2024-01-01T00:00:00.000000 #1] ERROR -- : ...`.
fn ruby_logger(line: &[u8]) -> Option<Severity> {
    if line.len() < 4 || &line[1..4] != b", [" {
        return None;
    }
    match line[0] {
        b'D' => Some(Severity::Debug),
        b'I' => Some(Severity::Info),
        b'W' => Some(Severity::Warning),
        b'E' => Some(Severity::Error),
        b'F' => Some(Severity::Critical),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Severity::*;

    #[test]
    fn levels_are_read_from_every_common_shape() {
        let table: &[(&str, Option<Severity>)] = &[
            ("2024-01-01 12:00:00 ERROR something broke", Some(Error)),
            ("[2024-01-01 12:00:00] [error] 12#12: *1 connect() failed", Some(Error)),
            ("2024/01/01 12:00:00 [emerg] 1#1: host not found", Some(Critical)),
            ("2024-01-01 00:00:00.000 UTC [1] FATAL:  password authentication failed", Some(Error)),
            ("2024-01-01 00:00:00.000 UTC [1] PANIC:  could not locate a valid checkpoint record", Some(Critical)),
            ("2024-01-01 00:00:00.000 UTC [1] LOG:  database system is ready", Some(Info)),
            ("time=2024-01-01T00:00:00Z level=error msg=\"dial failed\"", Some(Error)),
            ("t=2024-01-01T00:00:00+0000 lvl=eror msg=\"failed\"", Some(Error)),
            ("ts=1 level=\"warn\" msg=x", Some(Warning)),
            // `level` wins over `severity` wherever it stands; a key glued to a word is not one;
            // a value that names no level is passed over for the next key.
            ("severity=warning msg=x level=error", Some(Error)),
            ("loglevel=error msg=x", None),
            ("level=high severity=warning", Some(Warning)),
            ("msg=x lvl=error", Some(Error)),
            ("E0806 12:00:00.123456       1 reflector.go:123] failed", Some(Error)),
            ("W0806 12:00:00.123456       1 warn.go:1] hmm", Some(Warning)),
            ("<3>kernel: something", Some(Error)),
            ("{\"level\":\"error\",\"msg\":\"x\"}", Some(Error)),
            ("{\"level\":50,\"time\":1,\"msg\":\"x\"}", Some(Error)),
            ("{\"level\":30,\"time\":1,\"msg\":\"0 errors\"}", Some(Info)),
            ("{\"message\":\"Matched route\",\"level\":200,\"level_name\":\"INFO\"}", Some(Info)),
            ("{\"message\":\"Uncaught PHP Exception\",\"level\":500,\"level_name\":\"CRITICAL\"}", Some(Critical)),
            ("{\"message\":\"Error thrown\",\"level\":400,\"level_name\":\"ERROR\"}", Some(Error)),
            ("{\"@l\":\"Warning\",\"@mt\":\"x\"}", Some(Warning)),
            ("{\"log.level\": \"debug\", \"message\": \"x\"}", Some(Debug)),
            ("{\"t\":{\"$date\":\"2024\"},\"s\":\"E\",\"c\":\"NETWORK\"}", Some(Error)),
            ("{\"severity\":\"CRITICAL\"}", Some(Critical)),
            ("E, [2024-01-01T00:00:00.000000 #1] ERROR -- : boom", Some(Error)),
            ("ERROR:    Exception in ASGI application", Some(Error)),
            ("INFO:uvicorn.error:Waiting for application shutdown.", Some(Info)),
            ("2024-01-01 12:00:00.000  WARN 1 --- [main] o.s.Foo : careful", Some(Warning)),
            ("[2024-01-01 00:00:00 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:8)", Some(Critical)),
            ("2024-01-01T00:00:00.000Z 0 [Warning] [MY-010068] [Server] CA certificate", Some(Warning)),
            ("SEVERE: Servlet.service() threw exception", Some(Error)),
            ("2020-02-14 17:26:38.505 UTC [62] FATAL:  password authentication failed", Some(Error)),
            ("psql: FATAL:  the database system is starting up", Some(Error)),
            ("FATAL: unable to start", Some(Critical)),
            ("2016-03-13T17:12:52.197988Z 22 [Note] Aborted connection 22 to db", Some(Info)),
            ("2020-03-13T18:45:22.744343Z 0 [ERROR] [MY-010119] Aborting", Some(Error)),
            ("2021-09-01 10:00:00.123456+00:00 [erro] <0.228.0> boom", Some(Error)),
            ("2021-09-01 10:00:00.123456+00:00 [warn] <0.228.0> careful", Some(Warning)),
            ("2021-09-01 10:00:00.123456+00:00 [noti] <0.228.0> note", Some(Info)),
            ("2020-03-30 07:57:43.395 [error] <0.753.0> Error on AMQP connection", Some(Error)),
            ("ERROR:root:something failed", Some(Error)),
            ("WARNING:  relation exists, skipping", Some(Warning)),
            ("[2018-01-10 10:58:09,714: DEBUG/MainProcess] | Worker: Starting", Some(Debug)),
            ("[2018-01-10 10:58:09,714: ERROR/MainProcess] consumer: Cannot connect", Some(Error)),
            ("2021-02-12 06:20:27,329-WARNING-uvicorn.error-12::httptools_impl", Some(Warning)),
            ("1:M 01 Dec 08:42:59.458 * Ready to accept connections", Some(Info)),
            ("[9] 14 May 13:19:52.866 . DB 0: 1 keys", Some(Debug)),
            ("1:M 01 Dec 08:42:59.458 # WARNING overcommit_memory is set to 0!", Some(Warning)),
            ("\n\n2024-01-01 ERROR after blank lines", Some(Error)),
            ("Error: Cannot find module 'express'", Some(Error)),
            ("error Command failed with exit code 127.", Some(Error)),
            ("fatal: not a git repository", Some(Critical)),
            ("warning package.json: No license field", Some(Warning)),
            ("fail: Microsoft.AspNetCore.Server.Kestrel[13]", Some(Error)),
            ("info: Microsoft.Hosting.Lifetime[14]", Some(Info)),
        ];
        for (line, want) in table {
            assert_eq!(detect(line.as_bytes()), *want, "{line}");
        }
    }

    #[test]
    fn harmless_mentions_are_not_levels() {
        for line in [
            "compiled successfully with 0 errors",
            "error_log /var/log/nginx/error.log warn;",
            "stats: requests=10 errors=0",
            "ErrorHandler registered",
            "Logging errors to /var/log/err.log",
            "GET /api/errors 200",
            "my_ERROR_count is 3",
            "1:M 01 Dec 08:42:59.458 # Server initialized",
            "Processed 12 items, 0 errors, 0 warnings",
            "build-ERROR-report.txt written",
            "see /var/log/ERROR/x",
            "errors: 0",
            "Failed=0 Error=0",
            "error handling middleware installed",
            "errors: none",
        ] {
            assert_eq!(detect(line.as_bytes()), None, "{line}");
        }
    }

    #[test]
    fn only_the_first_line_states_the_level() {
        assert_eq!(detect(b"INFO start\nERROR later"), Some(Info));
        assert_eq!(
            detect(b"Traceback (most recent call last):\nValueError: x"),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = detect(&bytes);
        }

        #[test]
        fn arbitrary_level_like_text_never_panics(s in "[ \\[\\]{}<>:=\"0-9a-zA-Z.#*/\\-\n]{0,80}") {
            let _ = detect(s.as_bytes());
        }
    }
}
