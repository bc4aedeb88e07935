//! Where records come from: saved logs ([`saved`]) or the Docker Engine ([`engine`], with its
//! framing in [`frames`] and the project and time window resolved in [`select`]).
//!
//! A source owns the [`Services`](crate::record::Services) table of the names it met and hands
//! [`Record`](crate::record::Record)s to a callback, one per line, in input order.

pub mod engine;
pub mod frames;
pub mod saved;
pub mod select;
pub mod timestamp;

/// Longest line kept, in bytes; the rest of a longer line is skipped and counted.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What a source counted while reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceStats {
    /// Physical lines read.
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines longer than [`MAX_LINE_BYTES`], cut to it.
    pub truncated_lines: u64,
    /// Lines that were not valid UTF-8 (kept, decoded lossily where text is shown).
    pub invalid_utf8_lines: u64,
    /// json-file lines that did not parse as JSON (kept as plain text).
    pub malformed_json_lines: u64,
}
