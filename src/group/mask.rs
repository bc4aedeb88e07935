//! Masking: the variable parts of a message (numbers, ids, hex, UUIDs, IPs, durations, paths with
//! numbers) become placeholders that name their kind, so that messages that differ only there
//! share a template.
//!
//! One pass over the bytes: a token is a run of alphanumerics and `._:-/`; a token holding a
//! digit is replaced whole. Text between tokens (spaces, punctuation, quotes) is kept.

/// Masks `text` into `out` (cleared first), stopping after `max` input bytes.
pub fn mask_into(text: &[u8], out: &mut String, max: usize) {
    out.clear();
    let text = &text[..text.len().min(max)];
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if is_token_byte(b) {
            let start = i;
            while i < text.len() && is_token_byte(text[i]) {
                i += 1;
            }
            let tok = &text[start..i];
            match kind(tok) {
                Some(k) => out.push_str(k),
                None => push_lossy(out, tok),
            }
        } else {
            let start = i;
            while i < text.len() && !is_token_byte(text[i]) {
                i += 1;
            }
            push_lossy(out, &text[start..i]);
        }
    }
}

fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-' | b'/')
}

/// The placeholder for a token, or `None` to keep it.
fn kind(tok: &[u8]) -> Option<&'static str> {
    if !tok.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let tok = tok
        .strip_suffix(b":")
        .or(tok.strip_suffix(b"."))
        .unwrap_or(tok);
    if tok.iter().all(u8::is_ascii_digit) {
        return Some("<num>");
    }
    if is_uuid(tok) {
        return Some("<uuid>");
    }
    if is_ipv4(tok) {
        return Some("<ip>");
    }
    if tok.len() >= 8 && tok.iter().all(u8::is_ascii_hexdigit) {
        return Some("<hex>");
    }
    if tok.starts_with(b"0x") && tok[2..].iter().all(u8::is_ascii_hexdigit) {
        return Some("<hex>");
    }
    if tok.iter().all(|b| b.is_ascii_digit() || b == &b'.') {
        return Some("<num>");
    }
    Some("<*>")
}

fn is_uuid(t: &[u8]) -> bool {
    t.len() == 36
        && t.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

fn is_ipv4(t: &[u8]) -> bool {
    let t = match t.iter().rposition(|&b| b == b':') {
        Some(i) if t[i + 1..].iter().all(u8::is_ascii_digit) => &t[..i],
        _ => t,
    };
    let parts: Vec<&[u8]> = t.split(|&b| b == b'.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        let mut out = String::new();
        mask_into(s.as_bytes(), &mut out, usize::MAX);
        out
    }

    #[test]
    fn variable_parts_become_named_placeholders() {
        assert_eq!(
            m("connect to 10.0.0.1:5432 failed after 3 tries"),
            "connect to <ip> failed after <num> tries"
        );
        assert_eq!(
            m("job 550e8400-e29b-41d4-a716-446655440000 done"),
            "job <uuid> done"
        );
        assert_eq!(m("commit deadbeef1234 at 0x7ffd"), "commit <hex> at <hex>");
        assert_eq!(m("took 12ms, pid=7"), "took <*>, pid=<num>");
    }

    #[test]
    fn masking_is_idempotent() {
        for s in ["a 1 b 2.5 c 10.0.0.1", "x=<num> y", "über 12 ünd"] {
            assert_eq!(m(&m(s)), m(s));
        }
    }
}
