//! Following without an engine: stdin until it ends, or a growing file like `tail -F` (waits for
//! it to exist, reads what is appended, starts over when it is truncated or replaced), each line
//! sent to the monitor's loop as an [`Input::Line`].

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::thread;
use std::time::Duration;

use super::Input;
use crate::source::saved::LineRead;
use crate::source::MAX_LINE_BYTES;

/// How often a followed file is checked for new data, truncation or replacement.
pub const POLL_MS: u64 = 100;

/// Reads `reader` in chunks and sends complete lines; a line longer than [`MAX_LINE_BYTES`] is
/// cut. Returns at end of input (`Ok(true)`) or when the loop has gone (`Ok(false)`).
fn pump_lines(
    reader: &mut dyn Read,
    pending: &mut Vec<u8>,
    cut: &mut bool,
    consumed: &mut usize,
    tx: &SyncSender<Input>,
) -> io::Result<bool> {
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut rest = &chunk[..n];
        while let Some(i) = memchr::memchr(b'\n', rest) {
            push_capped(pending, cut, &rest[..i]);
            *consumed += i + 1;
            let line = std::mem::take(pending);
            let read = LineRead {
                bytes: *consumed,
                cut: std::mem::take(cut),
            };
            *consumed = 0;
            if tx.send(Input::Line(line, read)).is_err() {
                return Ok(false);
            }
            rest = &rest[i + 1..];
        }
        *consumed += rest.len();
        push_capped(pending, cut, rest);
    }
}

fn push_capped(buf: &mut Vec<u8>, cut: &mut bool, bytes: &[u8]) {
    let room = MAX_LINE_BYTES.saturating_sub(buf.len());
    if bytes.len() > room {
        *cut = true;
    }
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// Follows stdin until it ends.
pub fn follow_stdin(tx: SyncSender<Input>) {
    let (mut pending, mut cut, mut consumed) = (Vec::new(), false, 0);
    let mut stdin = io::stdin().lock();
    let msg = match pump_lines(&mut stdin, &mut pending, &mut cut, &mut consumed, &tx) {
        Ok(true) => {
            if !pending.is_empty() {
                let read = LineRead {
                    bytes: consumed,
                    cut,
                };
                let _ = tx.send(Input::Line(pending, read));
            }
            Input::End
        }
        Ok(false) => return,
        Err(e) => Input::Failed(format!("cannot read stdin: {e}")),
    };
    let _ = tx.send(msg);
}

/// Follows a file like `tail -F`: waits for it to exist, reads what is appended, starts over
/// when it is truncated or replaced (log rotation).
pub fn follow_file(path: PathBuf, from_start: bool, tx: SyncSender<Input>) {
    let (mut pending, mut cut, mut consumed) = (Vec::new(), false, 0);
    let mut first = true;
    let mut told_missing = false;
    loop {
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                // Like `tail -F`: say once why nothing shows, then wait for the file.
                if !told_missing {
                    told_missing = true;
                    let notice = format!("cannot open `{}` ({e}); waiting for it", path.display());
                    if tx.send(Input::Notice(notice)).is_err() {
                        return;
                    }
                }
                thread::sleep(Duration::from_millis(POLL_MS));
                first = false;
                continue;
            }
        };
        told_missing = false;
        let identity = |f: &File| f.metadata().ok().map(|m| file_identity(&m));
        let id = identity(&file);
        if first && !from_start {
            if let Err(e) = file.seek(SeekFrom::End(0)) {
                let _ = tx.send(Input::Failed(format!(
                    "cannot seek `{}`: {e}",
                    path.display()
                )));
                return;
            }
        }
        first = false;
        let mut pos = file.stream_position().unwrap_or(0);
        loop {
            match pump_lines(&mut file, &mut pending, &mut cut, &mut consumed, &tx) {
                Ok(false) => return,
                Ok(true) => {}
                Err(e) => {
                    let _ = tx.send(Input::Failed(format!(
                        "cannot read `{}`: {e}",
                        path.display()
                    )));
                    return;
                }
            }
            pos = file.stream_position().unwrap_or(pos);
            thread::sleep(Duration::from_millis(POLL_MS));
            let now = std::fs::metadata(&path).ok();
            let replaced = now.as_ref().map(file_identity) != id;
            let truncated = now.as_ref().is_some_and(|m| m.len() < pos);
            if replaced || truncated {
                pending.clear();
                break;
            }
        }
    }
}

#[cfg(unix)]
fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    (
        0,
        m.created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs()),
    )
}
