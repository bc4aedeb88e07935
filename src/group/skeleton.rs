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
//! - a UUID standing as a whole token, with such a run in it, as one canonical UUID.
//!
//! The promise, held by property tests and the `mask` fuzz target: masking a line's skeleton gives
//! the same text as masking the line.
//!
//! The first rewrite is a plain map over the bytes, which the compiler turns into vector code;
//! it also tells whether a block of bytes holds a hex letter next to a digit, and only such
//! blocks are walked byte by byte for mixed runs.

use super::mask::is_token_byte;

/// The canonical UUID that every UUID standing as a whole token becomes.
const CANONICAL_UUID: &[u8; 36] = b"0aaaaaaa-0aaa-0aaa-0aaa-0aaaaaaaaaaa";

/// Bytes mapped at a time; a block with a hex letter next to a digit is then walked.
const BLOCK: usize = 64;

/// Rewrites of a line, with its buffers kept between lines.
#[derive(Debug, Default)]
pub struct Skeleton {
    /// The line with a zero byte before and after it, so that every byte has two neighbours.
    padded: Vec<u8>,
    /// The skeleton of the last line.
    out: Vec<u8>,
    /// Where the blocks with a hex letter next to a digit start.
    mixed_blocks: Vec<usize>,
}

impl Skeleton {
    /// The skeleton of `text`.
    pub fn of(&mut self, text: &[u8]) -> &[u8] {
        let n = text.len();
        self.padded.clear();
        self.padded.push(0);
        self.padded.extend_from_slice(text);
        self.padded.push(0);
        self.out.clear();
        self.out.resize(n, 0);
        self.mixed_blocks.clear();
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            if zero_digits(&self.padded[start..end + 2], &mut self.out[start..end]) {
                self.mixed_blocks.push(start);
            }
        }
        // Bytes before `done` are final (a rewritten run may reach into the next block).
        let mut done = 0;
        for &start in &self.mixed_blocks {
            let end = (start + BLOCK).min(n);
            done = rewrite_mixed_runs(text, &mut self.out, done, start, end);
        }
        &self.out
    }
}

fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

fn is_hex_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 6
}

/// Maps `padded` (the block with one byte either side) into `out`: each digit becomes `0` but
/// one right before `x`/`X`. Returns whether a hex letter of the block touches a digit.
fn zero_digits(padded: &[u8], out: &mut [u8]) -> bool {
    let len = out.len();
    let (prev, cur, next) = (&padded[..len], &padded[1..=len], &padded[2..len + 2]);
    let mut touch = 0u8;
    for (((o, &p), &c), &x) in out.iter_mut().zip(prev).zip(cur).zip(next) {
        let keep = !is_digit(c) || (x | 0x20) == b'x';
        *o = if keep { c } else { b'0' };
        touch |= u8::from(is_hex_letter(c)) & u8::from(is_digit(p) | is_digit(x));
    }
    touch != 0
}

/// Rewrites the mixed runs that have a letter touching a digit in `from..to` and lie past `done`
/// (where the last rewritten run ends), and returns where the last one it rewrote ends.
fn rewrite_mixed_runs(
    text: &[u8],
    out: &mut [u8],
    mut done: usize,
    from: usize,
    to: usize,
) -> usize {
    let mut i = from.max(done);
    while i < to {
        let c = text[i];
        let touches = is_hex_letter(c)
            && ((i > 0 && is_digit(text[i - 1])) || text.get(i + 1).is_some_and(|&b| is_digit(b)));
        if !touches {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > done && text[start - 1].is_ascii_hexdigit() {
            start -= 1;
        }
        let mut end = i + 1;
        while text.get(end).is_some_and(u8::is_ascii_hexdigit) {
            end += 1;
        }
        let run = &text[start..end];
        let prev = start.checked_sub(1).map(|p| text[p]);
        let next = text.get(end).copied();
        if prev == Some(b'-') || next == Some(b'-') {
            if let Some(at) = uuid_around(text, done, start) {
                out[at..at + 36].copy_from_slice(CANONICAL_UUID);
                done = at + 36;
                i = done;
                continue;
            }
        }
        let (last, digits) = run.split_last().expect("a run holds the byte at i");
        let unit = matches!(last, b'b' | b'B' | b'd' | b'D') && digits.iter().all(|&b| is_digit(b));
        if !unit {
            out[start] = b'0';
            out[start + 1..end].fill(b'a');
        }
        done = end;
        i = end;
    }
    done
}

/// Where the UUID that holds the run starting at `start` begins, when that UUID stands as a whole
/// token and lies past `done`.
fn uuid_around(text: &[u8], done: usize, start: usize) -> Option<usize> {
    [0, 9, 14, 19, 24].into_iter().find_map(|offset| {
        let at = start.checked_sub(offset).filter(|&at| at >= done)?;
        let uuid = text.get(at..at + 36)?;
        let alone = (at == 0 || !is_token_byte(text[at - 1]))
            && text.get(at + 36).is_none_or(|&b| !is_token_byte(b));
        (alone && is_uuid(uuid)).then_some(at)
    })
}

fn is_uuid(t: &[u8]) -> bool {
    t.iter().enumerate().all(|(i, b)| {
        if matches!(i, 8 | 13 | 18 | 23) {
            *b == b'-'
        } else {
            b.is_ascii_hexdigit()
        }
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

    /// The promise: a line and its skeleton mask alike.
    fn holds(b: &[u8]) -> Result<(), TestCaseError> {
        let skel = Skeleton::default().of(b).to_vec();
        prop_assert_eq!(
            masked(&skel),
            masked(b),
            "{:?} -> {:?}",
            String::from_utf8_lossy(b),
            String::from_utf8_lossy(&skel)
        );
        Ok(())
    }

    #[test]
    fn lines_of_one_shape_share_a_skeleton() {
        let a = "user 43405 logged in from 40.133.91.149 after 12ms id=56d7bb9fa10258a8";
        let b = "user 71234 logged in from 10.200.10.201 after 35ms id=0a1b2c3d4e5f6a7b";
        assert_eq!(skeleton(a), skeleton(b));
        assert_eq!(
            skeleton(a),
            "user 00000 logged in from 00.000.00.000 after 00ms id=0aaaaaaaaaaaaaaa"
        );
        let u = "[2024-01-15 10:00:00,065: INFO] task[22ff11d8-3357-47d4-9921-149addd9cfcc] ok";
        let v = "[2024-01-15 10:00:01,702: INFO] task[abcdef01-a3c1-0000-1111-2222dddd3333] ok";
        assert_eq!(skeleton(u), skeleton(v));
        assert_eq!(
            skeleton(u),
            "[0000-00-00 00:00:00,000: INFO] task[0aaaaaaa-0aaa-0aaa-0aaa-0aaaaaaaaaaa] ok"
        );
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
            s in "([0-9]{1,6}|[0-9a-fA-F]{1,13}|[-/:.T xX=@+_\"'bBdD]|ms|bytes|:://|[gkz]){0,40}"
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
                    "[ =,\\[\\]{}\"().:/@-]",
                    "[a-zT]{1,6}",
                ],
                0..12,
            )
        ) {
            holds(parts.concat().as_bytes())?;
        }
    }
}
