//! Skeletons: a line with the differences masking never looks at made alike, so that the grouper
//! can mask a line once per skeleton instead of once per line.
//!
//! Masking ([`super::mask`]) decides every placeholder from a token's shape: which kinds of bytes
//! it holds, where its separators are, and a few lengths. It never reads which digit a digit is,
//! but for the `0` of `0x`, nor where the hex letters sit in a run of hex digits (`0-9a-fA-F`)
//! that also holds a decimal digit, but for a unit such as the `d` of `5d` or the `b` of
//! `5bytes`. So the skeleton keeps every byte and every length, and rewrites:
//!
//! - each decimal digit as `0`, but a digit right before `x` or `X` (`0x1f` against `1x1f`);
//! - each run that mixes decimal digits and hex letters as `0` and then `a`s, but digits followed
//!   by one `b`, `d`, `B` or `D` (a unit), which keep their letter;
//! - a UUID with such a run in it as one canonical UUID.
//!
//! The promise, held by property tests and the `mask` fuzz target: masking a text's skeleton gives
//! the same text as masking the text, and so does masking each of its lines apart (the grouper
//! masks an event's first and last lines).
//!
//! The first rewrite is a plain map over the bytes, which the compiler turns into vector code;
//! it also marks the hex letters next to a digit, and only the runs of those are walked byte by
//! byte.

use super::mask::is_uuid;
use super::mum;

/// The canonical UUID that every UUID with a mixed run becomes.
const CANONICAL_UUID: &[u8; 36] = b"0aaaaaaa-0aaa-0aaa-0aaa-0aaaaaaaaaaa";

/// Rewrites of a line, with its buffers kept between lines.
#[derive(Debug, Default)]
pub struct Skeleton {
    /// The last line with a zero byte before it and zero bytes after it ([`map_bytes`]).
    padded: Vec<u8>,
    /// The skeleton of the last line, zero bytes up to a whole number of chunks, then what
    /// longer lines before left.
    out: Vec<u8>,
    /// Per byte of the last line: 1 where a hex letter touches a digit (and what follows).
    touches: Vec<u8>,
}

impl Skeleton {
    /// The skeleton of `text`.
    pub fn of(&mut self, text: &[u8]) -> &[u8] {
        self.build(text);
        &self.out[..text.len()]
    }

    /// A 64-bit hash of the skeleton of `text`.
    pub fn hash_of(&mut self, text: &[u8]) -> u64 {
        let whole = self.build(text);
        hash(&self.out[..whole], text.len())
    }

    /// Writes the skeleton of `text` into `out[..text.len()]`, and zero bytes after it up to a
    /// whole number of chunks; returns that number of bytes.
    fn build(&mut self, text: &[u8]) -> usize {
        let n = text.len();
        let whole = n.div_ceil(LANES) * LANES;
        // The buffers only grow, and are overwritten, not cleared: `out` and `touches` up to
        // `whole` by `map_bytes`, `padded` up to `whole + 2` here.
        if self.padded.len() < whole + 2 {
            self.padded.resize(whole + 2, 0);
            self.out.resize(whole, 0);
            self.touches.resize(whole, 0);
        }
        self.padded[0] = 0;
        self.padded[1..=n].copy_from_slice(text);
        self.padded[n + 1..whole + 2].fill(0);
        let (out, touches) = (&mut self.out[..whole], &mut self.touches[..whole]);
        let touch = map_bytes(&self.padded[..whole + 2], out, touches);
        if touch {
            let (out, touches) = (&mut self.out[..n], &self.touches[..n]);
            // Bytes before `done` are final.
            let mut done = 0;
            while let Some(p) = memchr::memchr(1, &touches[done..]) {
                done = rewrite_mixed_run(text, out, done, done + p);
            }
        }
        whole
    }
}

/// A 64-bit hash of a skeleton of `len` bytes, given as `chunks`: the skeleton and the zero bytes
/// after it up to a whole number of [`LANES`]-byte chunks.
///
/// Four lanes take eight bytes each, so that four multiplications are under way at once; a
/// chain of one waits on each before the next.
fn hash(chunks: &[u8], len: usize) -> u64 {
    const P: [u64; 4] = [
        0xa076_1d64_78bd_642f,
        0xe703_7ed1_a0b4_28db,
        0x8ebc_6af0_9c88_c6e3,
        0x5899_65cc_7537_4cc3,
    ];
    fn word(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
    }
    debug_assert_eq!(chunks.len() % LANES, 0);
    let mut h = P;
    let mut quads = chunks.chunks_exact(4 * 8);
    for q in &mut quads {
        for (k, h) in h.iter_mut().enumerate() {
            *h = mum(*h ^ word(q, 8 * k) ^ P[(k + 2) % 4], P[(k + 1) % 4]);
        }
    }
    let rest = quads.remainder();
    if !rest.is_empty() {
        h[0] = mum(h[0] ^ word(rest, 0) ^ P[2], P[1]);
        h[1] = mum(h[1] ^ word(rest, 8) ^ P[3], P[2]);
    }
    let a = mum(h[0] ^ h[2] ^ P[3], P[1] ^ len as u64);
    let b = mum(h[1] ^ h[3] ^ P[2], P[0]);
    mum(a ^ P[1], b ^ P[3])
}

fn is_hex_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 6
}

/// Bytes [`map_bytes`] maps at a time.
const LANES: usize = 16;

/// Maps every byte of `padded[1..=n]` with [`map_byte`] into `out` and `touches` (of length `n`
/// rounded up to [`LANES`]), and says whether a hex letter touches a digit. `padded` is the text
/// with a zero byte before it and at least `LANES` zero bytes after it, so that every byte has two
/// neighbours and the last chunk is whole.
///
/// The fixed-width chunks compile to vector code; a loop of any length, inlined into a larger
/// function, had been compiled a byte at a time.
#[inline(never)]
fn map_bytes(padded: &[u8], out: &mut [u8], touches: &mut [u8]) -> bool {
    let chunks = out
        .chunks_exact_mut(LANES)
        .zip(touches.chunks_exact_mut(LANES))
        .zip(padded.windows(LANES + 2).step_by(LANES));
    // Gathered lane by lane and folded once at the end: folding each chunk costs as much as
    // mapping it.
    let mut touch = [0u8; LANES];
    for ((out, touches), window) in chunks {
        let window: &[u8; LANES + 2] = window.try_into().expect("windows of LANES + 2");
        for k in 0..LANES {
            (out[k], touches[k]) = map_byte(window[k], window[k + 1], window[k + 2]);
            touch[k] |= touches[k];
        }
    }
    touch.iter().any(|&t| t != 0)
}

/// The skeleton byte for `cur` between `prev` and `next` (0 past either end): a digit becomes
/// `0` but one right before `x`/`X`. Also 1 when `cur` is a hex letter touching a digit.
fn map_byte(prev: u8, cur: u8, next: u8) -> (u8, u8) {
    // `|` and `&`, not `||` and `&&`: without branches the compiler maps sixteen bytes at once.
    let keep = !cur.is_ascii_digit() | ((next | 0x20) == b'x');
    let touches = is_hex_letter(cur) & (prev.is_ascii_digit() | next.is_ascii_digit());
    (if keep { cur } else { b'0' }, u8::from(touches))
}

/// Rewrites the run of hex digits holding `at` (a hex letter touching a digit) in `out`, unless
/// it is a unit; a UUID around it is rewritten whole. The run does not
/// reach back past `done`. Returns where what was rewritten ends.
fn rewrite_mixed_run(text: &[u8], out: &mut [u8], done: usize, at: usize) -> usize {
    let mut start = at;
    while start > done && text[start - 1].is_ascii_hexdigit() {
        start -= 1;
    }
    let mut end = at + 1;
    while text.get(end).is_some_and(u8::is_ascii_hexdigit) {
        end += 1;
    }
    let prev = start.checked_sub(1).map(|p| text[p]);
    let next = text.get(end).copied();
    if prev == Some(b'-') || next == Some(b'-') {
        if let Some(uuid) = uuid_around(text, done, start) {
            out[uuid..uuid + 36].copy_from_slice(CANONICAL_UUID);
            return uuid + 36;
        }
    }
    let (last, digits) = text[start..end]
        .split_last()
        .expect("a run holds the byte at `at`");
    let unit = matches!(last, b'b' | b'B' | b'd' | b'D') && digits.iter().all(u8::is_ascii_digit);
    if !unit {
        out[start] = b'0';
        out[start + 1..end].fill(b'a');
    }
    end
}

/// Where the UUID that holds the run starting at `start` begins, when it lies past `done`.
///
/// The UUID need not stand alone: masking judges a token that holds a UUID and more (a path, a
/// `session:` key) by its dashes, lengths and the kinds of bytes it holds, never by where in the
/// UUID the letters sit, and a UUID with a mixed run holds both letters and digits either way.
fn uuid_around(text: &[u8], done: usize, start: usize) -> Option<usize> {
    [0, 9, 14, 19, 24].into_iter().find_map(|offset| {
        let at = start.checked_sub(offset).filter(|&at| at >= done)?;
        text.get(at..at + 36).filter(|t| is_uuid(t)).map(|_| at)
    })
}

#[cfg(test)]
mod tests {
    use super::super::mask::mask_into;
    use super::*;
    use proptest::prelude::*;

    fn skeleton(s: &str) -> String {
        String::from_utf8(Skeleton::default().of(s.as_bytes()).to_vec()).unwrap()
    }

    fn masked(b: &[u8]) -> String {
        let mut out = String::new();
        mask_into(b, &mut out, usize::MAX);
        out
    }

    /// The promise: a line and its skeleton mask alike, and so do their lines.
    fn holds(b: &[u8]) -> Result<(), TestCaseError> {
        let skel = Skeleton::default().of(b).to_vec();
        prop_assert_eq!(
            masked(&skel),
            masked(b),
            "{:?} -> {:?}",
            String::from_utf8_lossy(b),
            String::from_utf8_lossy(&skel)
        );
        let lines = b.split(|&c| c == b'\n');
        let skeleton_lines = skel.split(|&c| c == b'\n');
        prop_assert_eq!(lines.clone().count(), skeleton_lines.clone().count());
        for (line, of_line) in lines.zip(skeleton_lines) {
            prop_assert_eq!(masked(of_line), masked(line));
        }
        Ok(())
    }

    #[test]
    fn lines_of_one_shape_share_a_skeleton() {
        // Numbers, addresses and hex ids; UUIDs in a token of their own; UUIDs inside a path,
        // which masking reads as one token.
        for (a, b, both) in [
            (
                "user 43405 logged in from 40.133.91.149 after 12ms id=56d7bb9fa10258a8",
                "user 71234 logged in from 10.200.10.201 after 35ms id=0a1b2c3d4e5f6a7b",
                "user 00000 logged in from 00.000.00.000 after 00ms id=0aaaaaaaaaaaaaaa",
            ),
            (
                "[2024-01-15 10:00:00,065: INFO] task[22ff11d8-3357-47d4-9921-149addd9cfcc] ok",
                "[2024-01-15 10:00:01,702: INFO] task[abcdef01-a3c1-0000-1111-2222dddd3333] ok",
                "[0000-00-00 00:00:00,000: INFO] task[0aaaaaaa-0aaa-0aaa-0aaa-0aaaaaaaaaaa] ok",
            ),
            (
                "GET /api/v1/threads/0000000d-4c1b-0000-be9a-e1fe21cd2e65/messages",
                "GET /api/v1/threads/abcdef01-a3c1-0000-1111-2222dddd3333/messages",
                "GET /api/v0/threads/0aaaaaaa-0aaa-0aaa-0aaa-0aaaaaaaaaaa/messages",
            ),
        ] {
            assert_eq!(skeleton(a), both, "{a}");
            assert_eq!(skeleton(b), both, "{b}");
        }
    }

    #[test]
    fn a_hash_does_not_depend_on_the_lines_before() {
        let long = "x".repeat(100) + " 12 ab3 ";
        let lines = [
            "",
            "a",
            "ab1 2",
            "0123456789abcdef",
            "17 bytes in 9ms!!",
            &long,
        ];
        for line in lines {
            let fresh = Skeleton::default().hash_of(line.as_bytes());
            let mut used = Skeleton::default();
            for before in lines {
                used.hash_of(before.as_bytes());
            }
            assert_eq!(used.hash_of(line.as_bytes()), fresh, "{line:?}");
        }
        let mut s = Skeleton::default();
        assert_ne!(s.hash_of(b"a"), s.hash_of(b"a\0"));
        assert_ne!(s.hash_of(b"took 1ms"), s.hash_of(b"took 1ms "));
        assert_eq!(s.hash_of(b"took 1ms"), s.hash_of(b"took 7ms"));
    }

    #[test]
    fn what_masking_tells_apart_stays_apart() {
        // 0x, units, date and time part lengths, IPv4 part lengths, hex id lengths.
        for (a, b) in [
            ("0x1f", "1x1f"),
            ("5d", "5e"),
            ("5bytes", "b5ytes"),
            ("2024-01-02", "2024-001-02"),
            ("12:34", "12:345"),
            ("1.2.3.4", "1.2.3.4567"),
            ("1234567a", "123456a"),
            ("fe80::1ff:fe23:4567:890a", "fe80::1ff:fe23:4567:890ab"),
        ] {
            assert_ne!(masked(a.as_bytes()), masked(b.as_bytes()), "{a} / {b}");
            assert_ne!(skeleton(a), skeleton(b), "{a} / {b}");
        }
    }

    #[test]
    fn known_lines_mask_like_their_skeletons() {
        for line in [
            "2024-01-15T10:02:29.092Z DEBUG 1 --- [billing] [nio-8080-exec-5] select a1_0.id",
            "INFO:     172.18.0.17:55817 - \"POST /api/v1/search?q=north+billing HTTP/1.1\" 200 OK",
            "time=2024-01-15T10:04:25.386Z level=INFO msg=\"batch\" batch_id=a9d0077059d58501 d=0.8ms",
            "2024.01.15 10:10:50.994064 [ 443 ] {9025907c-efc3-4feb-aa1a-ef958515ddb2} <Debug> 36.05 MiB.",
            "172.18.0.14 - - [15/Jan/2024:10:20:36 +0000] \"GET /p?page=29 HTTP/1.1\" 200 2072",
            "Payment pay_86fbbcdb7ecd7062ee403b9f captured for INV-2024-660142 in 1375 ms",
            "peer fe80::1ff:fe23:4567:890a at 0x7ffd1234 took 1.5d, 12B, 3D; v=1.2.3-rc1",
            "on 01/02/2024 at 12:34:56.789 id=550e8400-e29b-41d4-a716-446655440000.",
        ] {
            holds(line.as_bytes()).unwrap();
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_mask_like_their_skeletons(
            bytes in proptest::collection::vec(any::<u8>(), 0..200)
        ) {
            holds(&bytes)?;
        }

        #[test]
        fn log_like_text_masks_like_its_skeleton(
            s in "([0-9]{1,6}|[0-9a-fA-F]{1,13}|[-/:.T xX=@+_\"'bBdD\\n]|ms|bytes|:://|[gkz]){0,40}"
        ) {
            holds(s.as_bytes())?;
        }

        #[test]
        fn uuids_dates_and_addresses_mask_like_their_skeletons(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    "[0-9]{1,5}[-/][0-9]{1,3}[-/][0-9]{1,5}(T[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{1,7})?)?Z?)?",
                    "/?[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}(:[0-9]{1,6})?",
                    "[0-9a-f]{1,5}(:[0-9a-f]{0,5}){2,7}",
                    "0x[0-9a-fA-F]{0,10}",
                    "[-+]?[0-9]{1,9}(\\.[0-9]{1,4})?([a-fA-F]|ms|s|kb|bytes|KiB)?",
                    "[ =,\\[\\]{}\"().:/@\\n-]",
                    "[a-zT]{1,6}",
                ],
                0..12,
            )
        ) {
            holds(parts.concat().as_bytes())?;
        }
    }
}
