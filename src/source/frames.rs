//! Engine framing: the payloads of `GET /containers/{id}/logs?timestamps=1` turned into lines.
//!
//! Each payload (one multiplexed frame, or one newline-ended chunk of a TTY container's raw
//! stream) starts with an RFC 3339 timestamp and a space, which is cut off and kept as the line's
//! time. A payload without a trailing `\n` is a partial line: Docker splits lines longer than
//! 16 KiB, and the next payload of the same stream carries the rest (with its own timestamp). The
//! pieces are re-joined, up to [`MAX_LINE_BYTES`]; the rest of a longer line is dropped and
//! counted. A TTY container has no frames: its raw stream is cut at newlines, so a long line's
//! pieces arrive glued together, each after its own timestamp, every [`TTY_PIECE`] bytes; those
//! inner timestamps are cut out ([`FrameSplitter::push_tty`]). CRLF (TTY output) is stripped.
//! The splitter is a plain state machine, one per container, tested without an engine.

use bollard::container::LogOutput;

use super::timestamp::parse_rfc3339_prefix;
use super::{SourceStats, MAX_LINE_BYTES};
use crate::record::{Stream, Timestamp};

/// Size of the pieces the engine cuts a long line into.
pub const TTY_PIECE: usize = 16 * 1024;

/// Cuts a leading `<RFC 3339> ` off `b`.
fn split_timestamp(b: &[u8]) -> (Option<Timestamp>, &[u8]) {
    match parse_rfc3339_prefix(b) {
        Some((ts, n)) if b.get(n) == Some(&b' ') => (Some(ts), &b[n + 1..]),
        Some((ts, n)) if n == b.len() => (Some(ts), &b[n..]),
        _ => (None, b),
    }
}

/// One finished line of a container.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// stdout or stderr (a TTY container's output is stdout).
    pub stream: Stream,
    /// Time of the line's first piece (`None` if the engine gave none).
    pub timestamp: Option<Timestamp>,
    /// The text, without timestamp or line ending.
    pub text: &'a [u8],
    /// Pieces joined into it (Docker's 16 KiB partial lines).
    pub pieces: u32,
}

/// A line held while its pieces arrive.
#[derive(Debug, Default)]
struct Pending {
    text: Vec<u8>,
    timestamp: Option<Timestamp>,
    pieces: u32,
    cut: bool,
    active: bool,
}

/// Splits one container's payloads into lines; stdout and stderr are joined apart.
#[derive(Debug, Default)]
pub struct FrameSplitter {
    stdout: Pending,
    stderr: Pending,
    stats: SourceStats,
}

impl FrameSplitter {
    /// A splitter with nothing pending.
    pub fn new() -> FrameSplitter {
        FrameSplitter::default()
    }

    /// Counts so far.
    pub fn stats(&self) -> SourceStats {
        self.stats
    }

    /// Takes one item of bollard's log stream (a stdout or stderr frame, or a TTY chunk; stdin
    /// carries nothing); calls `emit` for each line it completes.
    pub fn push_output(&mut self, output: &LogOutput, emit: &mut dyn FnMut(Line<'_>)) {
        match output {
            LogOutput::StdOut { message } => self.push(Stream::Stdout, message, emit),
            LogOutput::StdErr { message } => self.push(Stream::Stderr, message, emit),
            LogOutput::Console { message } => self.push_tty(message, emit),
            LogOutput::StdIn { .. } => {}
        }
    }

    /// Takes one payload of `stream`; calls `emit` for each line it completes.
    pub fn push(&mut self, stream: Stream, payload: &[u8], emit: &mut dyn FnMut(Line<'_>)) {
        self.stats.bytes += payload.len() as u64;
        let (timestamp, rest) = split_timestamp(payload);
        self.push_text(stream, timestamp, rest, emit);
    }

    /// Takes one newline-ended chunk of a TTY container's raw stream. The engine writes a long
    /// line's 16 KiB pieces there one after the other, each with its own timestamp and no
    /// newline between them; those inner timestamps are cut out.
    pub fn push_tty(&mut self, payload: &[u8], emit: &mut dyn FnMut(Line<'_>)) {
        self.stats.bytes += payload.len() as u64;
        let (timestamp, mut rest) = split_timestamp(payload);
        while rest.len() > TTY_PIECE {
            match split_timestamp(&rest[TTY_PIECE..]) {
                (Some(_), after) if after.len() < rest.len() - TTY_PIECE => {
                    self.push_text(Stream::Stdout, timestamp, &rest[..TTY_PIECE], emit);
                    rest = after;
                }
                _ => break,
            }
        }
        self.push_text(Stream::Stdout, timestamp, rest, emit);
    }

    fn push_text(
        &mut self,
        stream: Stream,
        timestamp: Option<Timestamp>,
        mut rest: &[u8],
        emit: &mut dyn FnMut(Line<'_>),
    ) {
        // A payload normally holds one line or one piece; be lenient if it holds several.
        while !rest.is_empty() {
            let (piece, complete, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], true, &rest[i + 1..]),
                None => (rest, false, &rest[rest.len()..]),
            };
            rest = next;
            let p = match stream {
                Stream::Stderr => &mut self.stderr,
                _ => &mut self.stdout,
            };
            if !p.active {
                p.active = true;
                p.text.clear();
                p.timestamp = timestamp;
                p.pieces = 0;
                p.cut = false;
            }
            p.pieces += 1;
            let room = MAX_LINE_BYTES.saturating_sub(p.text.len());
            if piece.len() > room {
                p.cut = true;
            }
            p.text.extend_from_slice(&piece[..piece.len().min(room)]);
            if complete {
                Self::finish_line(p, stream, &mut self.stats, emit);
            }
        }
    }

    /// Emits the lines still pending (the stream ended inside a partial line).
    pub fn finish(&mut self, emit: &mut dyn FnMut(Line<'_>)) {
        Self::finish_line(&mut self.stdout, Stream::Stdout, &mut self.stats, emit);
        Self::finish_line(&mut self.stderr, Stream::Stderr, &mut self.stats, emit);
    }

    fn finish_line(
        p: &mut Pending,
        stream: Stream,
        stats: &mut SourceStats,
        emit: &mut dyn FnMut(Line<'_>),
    ) {
        if !p.active {
            return;
        }
        p.active = false;
        if p.text.last() == Some(&b'\r') {
            p.text.pop();
        }
        stats.lines += 1;
        if p.cut {
            stats.truncated_lines += 1;
        }
        if std::str::from_utf8(&p.text).is_err() {
            stats.invalid_utf8_lines += 1;
        }
        emit(Line {
            stream,
            timestamp: p.timestamp,
            text: &p.text,
            pieces: p.pieces,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(frames: &[(Stream, &[u8])]) -> Vec<(Stream, Option<Timestamp>, String, u32)> {
        let mut s = FrameSplitter::new();
        let mut out = Vec::new();
        let mut emit = |l: Line<'_>| {
            out.push((
                l.stream,
                l.timestamp,
                String::from_utf8_lossy(l.text).into_owned(),
                l.pieces,
            ));
        };
        for (stream, p) in frames {
            s.push(*stream, p, &mut emit);
        }
        s.finish(&mut emit);
        out
    }

    #[test]
    fn the_timestamp_prefix_is_cut_and_kept() {
        let out = split(&[(
            Stream::Stdout,
            b"2026-11-23T11:00:00.123456789Z hello world\n",
        )]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].2, "hello world");
        assert_eq!(out[0].1, Some(1_795_431_600_123_456_789));
    }

    #[test]
    fn partial_frames_are_joined_per_stream() {
        let out = split(&[
            (Stream::Stdout, b"2026-11-23T11:00:00Z aaa"),
            (Stream::Stderr, b"2026-11-23T11:00:00Z err\n"),
            (Stream::Stdout, b"2026-11-23T11:00:01Z bbb"),
            (Stream::Stdout, b"2026-11-23T11:00:02Z ccc\n"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0, Stream::Stderr);
        assert_eq!(out[1].2, "aaabbbccc");
        assert_eq!(out[1].3, 3);
        assert_eq!(out[1].1, Some(1_795_431_600_000_000_000));
    }

    #[test]
    fn crlf_and_a_missing_final_newline_are_handled() {
        let out = split(&[
            (Stream::Stdout, b"2026-11-23T11:00:00Z tty line\r\n"),
            (Stream::Stdout, b"2026-11-23T11:00:00Z no newline"),
        ]);
        assert_eq!(out[0].2, "tty line");
        assert_eq!(out[1].2, "no newline");
    }

    #[test]
    fn over_long_lines_are_cut_and_counted() {
        let big = vec![b'x'; MAX_LINE_BYTES];
        let mut frame = b"2026-11-23T11:00:00Z ".to_vec();
        frame.extend_from_slice(&big);
        let mut s = FrameSplitter::new();
        let mut lens = Vec::new();
        s.push(Stream::Stdout, &frame, &mut |_| {});
        s.push(Stream::Stdout, b"2026-11-23T11:00:00Z tail\n", &mut |l| {
            lens.push(l.text.len());
        });
        assert_eq!(lens, vec![MAX_LINE_BYTES]);
        assert_eq!(s.stats().truncated_lines, 1);
    }

    #[test]
    fn tty_pieces_lose_their_inner_timestamps() {
        let ts = b"2026-11-23T11:39:02.652533165Z ";
        let mut payload = ts.to_vec();
        payload.extend_from_slice(&[b'a'; TTY_PIECE]);
        payload.extend_from_slice(ts);
        payload.extend_from_slice(&[b'b'; TTY_PIECE]);
        payload.extend_from_slice(ts);
        payload.extend_from_slice(b"end\r\n");
        let mut s = FrameSplitter::new();
        let mut got = Vec::new();
        s.push_tty(&payload, &mut |l| got.push((l.text.to_vec(), l.pieces)));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.len(), 2 * TTY_PIECE + 3);
        assert!(got[0].0.ends_with(b"bbbend"));
        assert_eq!(got[0].1, 3);
    }

    #[test]
    fn a_payload_without_timestamp_is_kept_whole() {
        let out = split(&[(Stream::Stdout, b"plain\n")]);
        assert_eq!(out[0].1, None);
        assert_eq!(out[0].2, "plain");
    }
}
