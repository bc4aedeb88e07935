//! Saved logs: `docker compose logs` text, Docker's json-file lines or plain lines, from a file
//! or stdin.
//!
//! Handled per line: Compose v2 (`api-1  | `) and v1 (`api_1  | `) prefixes, `-t` timestamps after
//! the prefix, ANSI colour codes, CRLF, invalid UTF-8 (kept as bytes), json-file records
//! (`{"log":…,"stream":…,"time":…}`) with Docker's partial lines re-joined, and lines too long to
//! keep (cut at [`MAX_LINE_BYTES`], the rest skipped without being held in memory). A line
//! without a recognised prefix belongs to the default service (`--service-name`).

use std::io::{self, BufRead};

use super::timestamp::{parse_rfc3339_prefix, parse_utc_prefix};
use super::{SourceStats, MAX_LINE_BYTES};
use crate::cli::InputFormat;
use crate::record::{Record, ServiceId, Services, Stream};

/// How many leading lines `auto` looks at to pick json-file.
const SNIFF_LINES: usize = 8;

/// Reads lines of at most `max` bytes (without the `\n`); a longer line's tail is consumed
/// and dropped. Returns `Ok(None)` at end of input, else whether the line was cut.
pub fn read_line_bounded<R: BufRead + ?Sized>(
    reader: &mut R,
    out: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<LineRead>> {
    out.clear();
    let mut read = 0usize;
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if read == 0 {
                None
            } else {
                Some(LineRead { bytes: read, cut })
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        let room = max.saturating_sub(out.len());
        if chunk.len() > room {
            cut = true;
        }
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = done.unwrap_or(available.len());
        read += used;
        reader.consume(used);
        if done.is_some() {
            return Ok(Some(LineRead { bytes: read, cut }));
        }
    }
}

/// What [`read_line_bounded`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes consumed, newline included.
    pub bytes: usize,
    /// The line was longer than the limit and was cut.
    pub cut: bool,
}

/// Options of the saved-log parser.
#[derive(Debug, Clone)]
pub struct SavedOptions {
    /// The input shape (`Auto` decides from the first lines).
    pub format: InputFormat,
    /// Service for lines without a prefix.
    pub default_service: String,
}

/// Turns raw saved-log lines into [`Record`]s.
#[derive(Debug)]
pub struct SavedLogParser {
    format: InputFormat,
    default_service: ServiceId,
    services: Services,
    clean: Vec<u8>,
    partial: Partial,
    stats: SourceStats,
    last_service_name: Vec<u8>,
    last_service_id: ServiceId,
    /// By service id: its lines carry a log viewer's time column (see [`strip_time_column`]).
    time_column: Vec<bool>,
}

/// A json-file line whose `log` did not end with `\n` yet (Docker splits lines at 16 KiB).
#[derive(Debug, Default)]
struct Partial {
    text: Vec<u8>,
    first_line: u64,
    stream: Stream,
    timestamp: Option<i64>,
    active: bool,
}

impl SavedLogParser {
    /// A parser for `opts`; with `Auto`, call [`SavedLogParser::sniff`] before the first line.
    pub fn new(opts: &SavedOptions) -> SavedLogParser {
        let mut services = Services::default();
        let default_service = services.intern(&opts.default_service);
        SavedLogParser {
            format: opts.format,
            default_service,
            services,
            clean: Vec::with_capacity(1024),
            partial: Partial::default(),
            stats: SourceStats::default(),
            last_service_name: Vec::new(),
            last_service_id: default_service,
            time_column: Vec::new(),
        }
    }

    /// Decides `Auto` from the first lines of the input: json-file if most look like it, else
    /// Compose (whose per-line prefix check also accepts plain lines).
    pub fn sniff(&mut self, head: &[u8]) {
        if self.format != InputFormat::Auto {
            return;
        }
        let lines: Vec<&[u8]> = head
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .take(SNIFF_LINES)
            .collect();
        let json = lines.iter().filter(|l| l.starts_with(b"{\"log\":")).count();
        self.format = if !lines.is_empty() && json * 2 > lines.len() {
            InputFormat::JsonFile
        } else {
            InputFormat::Compose
        };
    }

    /// The services met so far.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Counts so far.
    pub fn stats(&self) -> SourceStats {
        self.stats
    }

    /// Parses one raw line (without `\n`) numbered `line_no`; calls `emit` with the services
    /// table and each record it completes (none for the first parts of a partial json-file line).
    pub fn push_line(
        &mut self,
        raw: &[u8],
        read: LineRead,
        line_no: u64,
        emit: &mut dyn FnMut(&Services, Record<'_>),
    ) {
        self.stats.lines += 1;
        self.stats.bytes += read.bytes as u64;
        if read.cut {
            self.stats.truncated_lines += 1;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if !raw.is_ascii() && std::str::from_utf8(raw).is_err() {
            self.stats.invalid_utf8_lines += 1;
        }
        match self.format {
            InputFormat::JsonFile => self.push_json_file(raw, line_no, emit),
            InputFormat::Plain => {
                let text = strip_ansi(raw, &mut self.clean);
                emit(
                    &self.services,
                    Record {
                        service: self.default_service,
                        stream: Stream::Unknown,
                        line: line_no,
                        end_line: line_no,
                        timestamp: None,
                        text,
                    },
                );
            }
            InputFormat::Compose | InputFormat::Auto => self.push_compose(raw, line_no, emit),
        }
    }

    /// Emits what is still held (a partial json-file line at end of input).
    pub fn finish(&mut self, last_line: u64, emit: &mut dyn FnMut(&Services, Record<'_>)) {
        if self.partial.active {
            self.partial.active = false;
            emit(
                &self.services,
                Record {
                    service: self.default_service,
                    stream: self.partial.stream,
                    line: self.partial.first_line,
                    end_line: last_line,
                    timestamp: self.partial.timestamp,
                    text: &self.partial.text,
                },
            );
        }
    }

    fn push_compose(
        &mut self,
        raw: &[u8],
        line_no: u64,
        emit: &mut dyn FnMut(&Services, Record<'_>),
    ) {
        let line = strip_ansi(raw, &mut self.clean);
        let (service, rest) = match split_compose_prefix(line) {
            Some((name, rest)) => {
                let name = service_of_container(name);
                if name != self.last_service_name.as_slice() {
                    self.last_service_name.clear();
                    self.last_service_name.extend_from_slice(name);
                    self.last_service_id = self.services.intern(&String::from_utf8_lossy(name));
                }
                (self.last_service_id, rest)
            }
            None => (self.default_service, line),
        };
        let (timestamp, text) = match docker_timestamp(rest) {
            Some((ts, n)) => (Some(ts), &rest[n..]),
            None => strip_time_column(&mut self.time_column, service, rest),
        };
        emit(
            &self.services,
            Record {
                service,
                stream: Stream::Unknown,
                line: line_no,
                end_line: line_no,
                timestamp,
                text,
            },
        );
    }

    fn push_json_file(
        &mut self,
        raw: &[u8],
        line_no: u64,
        emit: &mut dyn FnMut(&Services, Record<'_>),
    ) {
        #[derive(serde::Deserialize)]
        struct JsonFileLine<'a> {
            #[serde(borrow)]
            log: std::borrow::Cow<'a, str>,
            #[serde(default)]
            stream: Option<&'a str>,
            #[serde(default)]
            time: Option<&'a str>,
        }
        let parsed: JsonFileLine<'_> = match serde_json::from_slice(raw) {
            Ok(p) => p,
            Err(_) => {
                self.stats.malformed_json_lines += 1;
                self.finish(line_no.saturating_sub(1), emit);
                let text = strip_ansi(raw, &mut self.clean);
                emit(
                    &self.services,
                    Record {
                        service: self.default_service,
                        stream: Stream::Unknown,
                        line: line_no,
                        end_line: line_no,
                        timestamp: None,
                        text,
                    },
                );
                return;
            }
        };
        let stream = match parsed.stream {
            Some("stderr") => Stream::Stderr,
            Some("stdout") => Stream::Stdout,
            _ => Stream::Unknown,
        };
        let timestamp = parsed
            .time
            .and_then(|t| parse_rfc3339_prefix(t.as_bytes()))
            .map(|(t, _)| t);
        let log = parsed.log.as_bytes();
        let (body, complete) = match log.strip_suffix(b"\n") {
            Some(b) => (b.strip_suffix(b"\r").unwrap_or(b), true),
            None => (log, false),
        };
        if self.partial.active && self.partial.stream != stream {
            self.finish(line_no.saturating_sub(1), emit);
        }
        if !self.partial.active {
            self.partial.active = true;
            self.partial.text.clear();
            self.partial.first_line = line_no;
            self.partial.stream = stream;
            self.partial.timestamp = timestamp;
        }
        let room = MAX_LINE_BYTES.saturating_sub(self.partial.text.len());
        if body.len() > room {
            self.stats.truncated_lines += 1;
        }
        let mut clean = std::mem::take(&mut self.clean);
        let body = strip_ansi(body, &mut clean);
        self.partial
            .text
            .extend_from_slice(&body[..body.len().min(room)]);
        self.clean = clean;
        if complete {
            self.finish(line_no, emit);
        }
    }
}

/// Splits `name  | rest` (or `name  |` alone, an empty line) into the name and the rest.
pub fn split_compose_prefix(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let bar = memchr::memchr(b'|', line.get(..line.len().min(128))?)?;
    let head = &line[..bar];
    let name_end = head.iter().position(|&b| b == b' ')?;
    let name = &head[..name_end];
    if name.is_empty()
        || !name[0].is_ascii_alphanumeric()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        || !head[name_end..].iter().all(|&b| b == b' ')
    {
        return None;
    }
    let rest = &line[bar + 1..];
    match rest.first() {
        None => Some((name, rest)),
        Some(b' ') => Some((name, &rest[1..])),
        Some(_) => None,
    }
}

/// The service of a Compose container name: `api-1` and `api_1` are `api`; `proj_api_1` is
/// left as `proj_api` (Compose v1's container names carry the project, which we cannot tell
/// from a service name with an underscore).
pub fn service_of_container(name: &[u8]) -> &[u8] {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits == name.len() {
        return name;
    }
    let sep = name.len() - digits - 1;
    if matches!(name[sep], b'-' | b'_') && sep > 0 {
        &name[..sep]
    } else {
        name
    }
}

/// A Docker-style timestamp (`2024-01-15T10:00:00.000007919Z `) at the start of the text, as
/// `docker compose logs -t` prints it after the prefix.
///
/// Docker writes these with exactly nine fractional digits and `Z` (Go's `RFC3339NanoFixed`), so
/// an application's own timestamp at the start of its line (Spring Boot's
/// `2024-01-15T10:00:00.123Z  INFO …`) is left in the text.
fn docker_timestamp(text: &[u8]) -> Option<(i64, usize)> {
    const LEN: usize = "2024-01-15T10:00:00.000000000Z".len();
    if text.len() <= LEN
        || text[10] != b'T'
        || text[19] != b'.'
        || text[LEN - 1] != b'Z'
        || text[LEN] != b' '
    {
        return None;
    }
    let (ts, n) = parse_rfc3339_prefix(text)?;
    (n == LEN).then_some((ts, n + 1))
}

/// Takes off the time column that Docker Desktop (and some log viewers) put before each
/// line they copy (`2023-06-06 12:43:05 `, local time, read as UTC), once the service has shown
/// it: a column followed by nothing or by an indented line is not an application's own
/// timestamp. Before that a line is left whole.
fn strip_time_column<'a>(
    known_for: &mut Vec<bool>,
    service: ServiceId,
    rest: &'a [u8],
) -> (Option<i64>, &'a [u8]) {
    const LEN: usize = "2023-06-06 12:43:05 ".len();
    // Cheap tests first: most lines have no such column, or an application's own timestamp.
    if rest.len() < LEN || rest[10] != b' ' || rest[LEN - 1] != b' ' {
        return (None, rest);
    }
    let idx = service as usize;
    let known = known_for.get(idx).copied().unwrap_or(false);
    if !known && !matches!(rest.get(LEN), None | Some(b' ' | b'\t')) {
        return (None, rest);
    }
    match parse_utc_prefix(rest) {
        Some((ts, n)) if n == LEN - 1 => {
            if !known {
                if known_for.len() <= idx {
                    known_for.resize(idx + 1, false);
                }
                known_for[idx] = true;
            }
            (Some(ts), &rest[LEN..])
        }
        _ => (None, rest),
    }
}

/// Removes ANSI escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL`, two-byte `ESC x`);
/// borrows the input when it has none.
pub fn strip_ansi<'a>(line: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    if memchr::memchr(0x1b, line).is_none() {
        return line;
    }
    buf.clear();
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b != 0x1b {
            buf.push(b);
            i += 1;
            continue;
        }
        match line.get(i + 1) {
            Some(b'[') => {
                i += 2;
                while i < line.len() && !(0x40..=0x7e).contains(&line[i]) {
                    i += 1;
                }
                i += 1;
            }
            Some(b']') => {
                i += 2;
                while i < line.len() && line[i] != 0x07 {
                    if line[i] == 0x1b && line.get(i + 1) == Some(&b'\\') {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            Some(_) => i += 2,
            None => i += 1,
        }
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &str, format: InputFormat) -> Vec<(String, u64, u64, String, Option<i64>)> {
        let mut p = SavedLogParser::new(&SavedOptions {
            format,
            default_service: "-".into(),
        });
        p.sniff(input.as_bytes());
        let mut out = Vec::new();
        let mut reader = io::BufReader::new(input.as_bytes());
        let mut buf = Vec::new();
        let mut n = 0;
        let mut records = Vec::new();
        while let Some(read) = read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES).unwrap() {
            n += 1;
            p.push_line(&buf, read, n, &mut |_, r| {
                records.push((
                    r.service,
                    r.line,
                    r.end_line,
                    String::from_utf8_lossy(r.text).into_owned(),
                    r.timestamp,
                ))
            });
        }
        p.finish(n, &mut |_, r| {
            records.push((
                r.service,
                r.line,
                r.end_line,
                String::from_utf8_lossy(r.text).into_owned(),
                r.timestamp,
            ))
        });
        for (s, a, b, t, ts) in records {
            out.push((p.services().name(s).to_owned(), a, b, t, ts));
        }
        out
    }

    #[test]
    fn compose_v2_and_v1_prefixes_name_the_service() {
        let got = parse_all(
            "api-1  | hello\ndb_1   | world\nweb-12 |\nno prefix here\n",
            InputFormat::Auto,
        );
        let names: Vec<_> = got.iter().map(|r| (r.0.as_str(), r.3.as_str())).collect();
        assert_eq!(
            names,
            [
                ("api", "hello"),
                ("db", "world"),
                ("web", ""),
                ("-", "no prefix here")
            ]
        );
    }

    #[test]
    fn timestamps_after_the_prefix_are_parsed_and_stripped() {
        let got = parse_all(
            "api-1  | 2024-01-15T10:00:00.000007919Z started\n",
            InputFormat::Compose,
        );
        assert_eq!(got[0].3, "started");
        assert_eq!(got[0].4, Some(1_705_312_800_000_007_919));
    }

    #[test]
    fn an_applications_own_timestamp_is_kept() {
        let got = parse_all(
            "api-1  | 2024-01-15T10:00:00.123Z  INFO started\n",
            InputFormat::Compose,
        );
        assert_eq!(got[0].3, "2024-01-15T10:00:00.123Z  INFO started");
        assert_eq!(got[0].4, None);
    }

    #[test]
    fn a_log_viewers_time_column_is_taken_off_once_the_service_shows_it() {
        let input = "db-1   | 2024-09-03 10:41:03 0 [Note] mariadbd: ready for connections.\n\
                     api-1  | 2023-06-06 12:43:05 Error: Not allowed by CORS\n\
                     api-1  | 2023-06-06 12:43:05     at origin (/app/server.js:18:16)\n\
                     api-1  | 2023-06-06 12:43:05 \n\
                     api-1  | 2023-06-06 12:43:06 node:internal/process/promises:288\n\
                     db-1   | 2024-09-03 10:41:04 0 [Note] InnoDB: Buffer pool(s) load completed\n";
        let got: Vec<String> = parse_all(input, InputFormat::Compose)
            .into_iter()
            .map(|r| r.3)
            .collect();
        assert_eq!(
            got,
            [
                // MariaDB's own timestamp: never followed by an empty or indented text.
                "2024-09-03 10:41:03 0 [Note] mariadbd: ready for connections.",
                // Not known yet for `api`: kept.
                "2023-06-06 12:43:05 Error: Not allowed by CORS",
                "    at origin (/app/server.js:18:16)",
                "",
                "node:internal/process/promises:288",
                "2024-09-03 10:41:04 0 [Note] InnoDB: Buffer pool(s) load completed",
            ]
        );
    }

    #[test]
    fn ansi_and_crlf_are_removed() {
        let got = parse_all(
            "\x1b[36mapi-1  |\x1b[0m \x1b[31mERROR\x1b[0m boom\r\n",
            InputFormat::Auto,
        );
        assert_eq!(
            (got[0].0.as_str(), got[0].3.as_str()),
            ("api", "ERROR boom")
        );
    }

    #[test]
    fn json_file_partial_lines_are_rejoined() {
        let input = concat!(
            "{\"log\":\"first half \",\"stream\":\"stderr\",\"time\":\"2024-01-15T10:00:00Z\"}\n",
            "{\"log\":\"second half\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-15T10:00:00Z\"}\n",
            "{\"log\":\"next\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-15T10:00:01Z\"}\n",
        );
        let got = parse_all(input, InputFormat::Auto);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].1, got[0].2, got[0].3.as_str()),
            (1, 2, "first half second half")
        );
        assert_eq!((got[1].1, got[1].3.as_str()), (3, "next"));
    }

    #[test]
    fn prose_with_a_bar_is_not_a_prefix() {
        assert_eq!(split_compose_prefix(b"a | b"), Some((&b"a"[..], &b"b"[..])));
        assert_eq!(split_compose_prefix(b"x = a|b"), None);
        assert_eq!(split_compose_prefix(b"two words | x"), None);
        assert_eq!(split_compose_prefix(b"api-1  |x"), None);
    }

    #[test]
    fn long_lines_are_cut_without_being_held() {
        let long = "x".repeat(MAX_LINE_BYTES * 3);
        let input = format!("{long}\nnext\n");
        let mut reader = io::BufReader::with_capacity(4096, input.as_bytes());
        let mut buf = Vec::new();
        let first = read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)
            .unwrap()
            .unwrap();
        assert!(first.cut);
        assert_eq!(buf.len(), MAX_LINE_BYTES);
        assert!(buf.capacity() < MAX_LINE_BYTES * 2);
        read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES)
            .unwrap()
            .unwrap();
        assert_eq!(buf, b"next");
    }

    #[test]
    fn replica_suffixes_are_removed_from_service_names() {
        assert_eq!(service_of_container(b"api-1"), b"api");
        assert_eq!(service_of_container(b"my_db_12"), b"my_db");
        assert_eq!(service_of_container(b"minio1"), b"minio1");
        assert_eq!(service_of_container(b"123"), b"123");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes never panic the parser, and every line yields at most one record
        /// whose text is no longer than the line.
        #[test]
        fn arbitrary_lines_never_panic(lines in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..20), json in any::<bool>()) {
            let format = if json { InputFormat::JsonFile } else { InputFormat::Auto };
            let mut p = SavedLogParser::new(&SavedOptions { format, default_service: "-".into() });
            let mut records = 0usize;
            for (i, l) in lines.iter().enumerate() {
                let l: Vec<u8> = l.iter().copied().filter(|&b| b != b'\n').collect();
                p.push_line(&l, LineRead { bytes: l.len() + 1, cut: false }, i as u64 + 1, &mut |_, r| {
                    assert!(r.line <= r.end_line);
                    records += 1;
                });
            }
            p.finish(lines.len() as u64, &mut |_, _| records += 1);
            prop_assert!(records <= lines.len());
            prop_assert_eq!(p.stats().lines, lines.len() as u64);
        }

        #[test]
        fn timestamps_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = super::super::timestamp::parse_rfc3339_prefix(&bytes);
            let _ = docker_timestamp(&bytes);
        }

        #[test]
        fn ansi_stripping_never_grows_text(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut buf = Vec::new();
            prop_assert!(strip_ansi(&bytes, &mut buf).len() <= bytes.len());
        }
    }
}
