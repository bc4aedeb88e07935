//! Masking: the variable parts of a message become placeholders that name their kind, so that
//! messages that differ only there share a template.
//!
//! One pass over the bytes, no regex and no allocation past the reused output `String`. A *word*
//! is a run of non-space bytes; a word holding `://` is a URL (`<url>`). Otherwise a *token* is a
//! run of alphanumerics and `._:-/@+`, and is judged whole, in this order: e-mail (`<email>`),
//! host name with a well-known suffix (`<host>`), path (`<path>`), then, for tokens holding a
//! digit: number (`<num>`), UUID (`<uuid>`), IPv4/IPv6 (`<ip>`, never `Class::method`), long hex,
//! SHA/MD5 and `0x…` (`<hex>`), date (`<date>`), time (`<time>`), duration (`<dur>`), size
//! (`<size>`), and anything else with a digit (`<*>`). After `=`, a quoted value becomes `<str>` and
//! `true`/`false` become `<bool>`. Text between tokens (spaces, punctuation) is kept. Masking its
//! own output changes nothing.

/// Masks `text` into `out` (cleared first), stopping after `max` input bytes.
///
/// Most bytes are letters and spaces that stay as they are, so the loop only stops at the bytes
/// that can start something to mask (an `=`, or a digit or `.:/@+`, which no plain word holds)
/// and judges the token around it; what lies between is copied in one piece.
pub fn mask_into(text: &[u8], out: &mut String, max: usize) {
    let text = &text[..text.len().min(max)];
    // Built as bytes and checked once at the end: every cut is at an ASCII byte, so valid input
    // gives valid output. Input that is not UTF-8 is masked again, lossily.
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.clear();
    mask_bytes(text, &mut bytes);
    match String::from_utf8(bytes) {
        Ok(s) => *out = s,
        Err(e) => {
            *out = String::with_capacity(e.as_bytes().len());
            mask_lossy(text, out);
        }
    }
}

/// [`mask_into`] for input that is not valid UTF-8: the kept parts are converted lossily.
fn mask_lossy(text: &[u8], out: &mut String) {
    mask_with(text, out, push_lossy, |out, p| out.push_str(p));
}

/// Masks `text` onto the end of `out` as bytes.
fn mask_bytes(text: &[u8], out: &mut Vec<u8>) {
    mask_with(
        text,
        out,
        |out, seg| out.extend_from_slice(seg),
        |out, p| out.extend_from_slice(p.as_bytes()),
    );
}

/// The masking loop, writing kept bytes with `keep` and placeholders with `place`.
fn mask_with<O>(
    text: &[u8],
    out: &mut O,
    keep: impl Fn(&mut O, &[u8]),
    place: impl Fn(&mut O, &str),
) {
    // Bytes from `kept` on are copied only when a placeholder (or the end) comes.
    let mut kept = 0;
    let mut replace = |out: &mut O, a: usize, placeholder: &str, b: usize| {
        keep(out, &text[kept..a]);
        place(out, placeholder);
        kept = b;
    };
    // Tokens start no earlier than `resume`: where the last judged token or value ended.
    let mut resume = 0;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if shape::of_byte(b) & shape::STOP == 0 {
            i += 1;
            continue;
        }
        if b == b'=' {
            i += 1;
            if let Some((placeholder, end)) = after_equals(text, i) {
                replace(out, i, placeholder, end);
                i = end;
            }
            resume = i;
            continue;
        }
        // A digit or `.:/@+` inside a token: judge the whole token, learning its shape on the way.
        let mut start = i;
        let mut s = 0;
        while start > resume {
            let k = shape::of_byte(text[start - 1]);
            if !shape::in_token(k) {
                break;
            }
            s |= k;
            start -= 1;
        }
        let mut tok_end = i;
        while let Some(&c) = text.get(tok_end) {
            let k = shape::of_byte(c);
            if !shape::in_token(k) {
                break;
            }
            s |= k;
            tok_end += 1;
        }
        i = tok_end;
        // A URL is judged on the whole word, past the token's end.
        let url = if s & shape::COLON != 0 && s & shape::SLASH != 0 {
            url_end(text, start, tok_end)
        } else {
            None
        };
        if let Some(end) = url {
            replace(out, start, "<url>", end);
            i = end;
        } else {
            let tok = &text[start..tok_end];
            let mut end = tok.len();
            while end > 0 && matches!(tok[end - 1], b'.' | b':' | b'-' | b'/' | b'@' | b'+') {
                end -= 1;
            }
            let tok = &tok[..end];
            if end < tok_end - start {
                s = shape::of(tok);
            }
            if let Some(k) = kind(tok, s) {
                replace(out, start, k, start + end);
            }
        }
        resume = i;
    }
    keep(out, &text[kept..]);
}

/// After an `=`, at `i`: the placeholder for a quoted value or a boolean, and where it ends.
fn after_equals(text: &[u8], i: usize) -> Option<(&'static str, usize)> {
    match text.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = text[i + 1..]
                .iter()
                .position(|&c| c == q)
                .map_or(text.len(), |p| i + 1 + p + 1);
            Some(("<str>", end))
        }
        _ => {
            let end = text[i..]
                .iter()
                .position(|&c| !is_token_byte(c))
                .map_or(text.len(), |p| i + p);
            let v = &text[i..end];
            (v.eq_ignore_ascii_case(b"true") || v.eq_ignore_ascii_case(b"false"))
                .then_some(("<bool>", end))
        }
    }
}

/// End of the URL starting at `start`, when the token `start..tok_end` opens one (trailing
/// punctuation excluded).
fn url_end(text: &[u8], start: usize, tok_end: usize) -> Option<usize> {
    let tok = &text[start..tok_end];
    let p = tok.iter().position(|&b| b == b':')?;
    if p == 0 || !tok[p..].starts_with(b"://") || !tok[..p].iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut end = text[tok_end..]
        .iter()
        .position(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'<' | b'>'))
        .map_or(text.len(), |q| tok_end + q);
    while end > start + p + 3
        && matches!(
            text[end - 1],
            b'.' | b',' | b';' | b')' | b']' | b'}' | b':'
        )
    {
        end -= 1;
    }
    Some(end)
}

fn push_lossy(out: &mut String, bytes: &[u8]) {
    out.push_str(&String::from_utf8_lossy(bytes));
}

fn is_token_byte(b: u8) -> bool {
    shape::in_token(shape::of_byte(b))
}

/// What kinds of bytes a token holds, one bit per kind: the cheap test that rules a kind out
/// before its exact check runs.
mod shape {
    pub const DIGIT: u16 = 1;
    /// `a-f`, `A-F`.
    pub const HEX_LETTER: u16 = 1 << 1;
    /// Any other letter.
    pub const LETTER: u16 = 1 << 2;
    pub const DOT: u16 = 1 << 3;
    pub const COLON: u16 = 1 << 4;
    pub const DASH: u16 = 1 << 5;
    pub const SLASH: u16 = 1 << 6;
    pub const AT: u16 = 1 << 7;
    pub const PLUS: u16 = 1 << 8;
    pub const UNDERSCORE: u16 = 1 << 9;
    /// `=`: not part of tokens (the only kind that is not), but where a value may start.
    pub const EQUALS: u16 = 1 << 10;
    /// The bytes [`super::mask_into`] stops at: `=`, and the token bytes no plain word holds.
    pub const STOP: u16 = DIGIT | DOT | COLON | SLASH | AT | PLUS | EQUALS;

    const fn table() -> [u16; 256] {
        let mut t = [0; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            t[b] = match c {
                b'0'..=b'9' => DIGIT,
                b'a'..=b'f' | b'A'..=b'F' => HEX_LETTER,
                b'g'..=b'z' | b'G'..=b'Z' => LETTER,
                b'.' => DOT,
                b':' => COLON,
                b'-' => DASH,
                b'/' => SLASH,
                b'@' => AT,
                b'+' => PLUS,
                b'_' => UNDERSCORE,
                b'=' => EQUALS,
                _ => 0,
            };
            b += 1;
        }
        t
    }

    static BYTES: [u16; 256] = table();

    /// The kind of byte `b` is ([`EQUALS`] for `=`, 0 for the other bytes that are not part
    /// of tokens).
    pub fn of_byte(b: u8) -> u16 {
        BYTES[usize::from(b)]
    }

    /// Whether a byte of kind `k` is part of tokens: alphanumerics and `_-.:/@+`.
    pub fn in_token(k: u16) -> bool {
        k & !EQUALS != 0
    }

    /// The kinds of bytes in `t`.
    pub fn of(t: &[u8]) -> u16 {
        t.iter().fold(0, |acc, &b| acc | BYTES[usize::from(b)])
    }

    /// Whether `s` holds only kinds in `allowed`.
    pub fn only(s: u16, allowed: u16) -> bool {
        s & !allowed == 0
    }
}

/// The placeholder for a token of shape `s` (the kinds of its bytes), or `None` to keep it.
///
/// The kinds are tried in a fixed order; each exact check runs only when the token's [`shape`]
/// allows it.
fn kind(tok: &[u8], s: u16) -> Option<&'static str> {
    use shape::{only, COLON, DASH, DIGIT, DOT, HEX_LETTER, SLASH};
    let first = *tok.first()?;
    let body = match first {
        b'-' | b'+' => &tok[1..],
        _ => tok,
    };
    // The sign's own kind counts only when it appears again.
    let body_shape = if body.len() < tok.len() {
        shape::of(body)
    } else {
        s
    };
    if s & shape::AT != 0 && is_email(tok) {
        return Some("<email>");
    }
    if matches!(first, b'/' | b'.' | b'~') && is_path(tok) {
        return Some("<path>");
    }
    if s & DIGIT == 0 {
        return (s & DOT != 0 && is_host(tok)).then_some("<host>");
    }
    if only(body_shape, DIGIT | DOT) && is_number(body) {
        return Some("<num>");
    }
    if tok.len() == 36 && is_uuid(tok) {
        return Some("<uuid>");
    }
    if (only(s, DIGIT | DOT | COLON | SLASH) && is_ipv4(tok))
        || (s & COLON != 0 && only(s, DIGIT | HEX_LETTER | COLON) && is_ipv6(tok))
    {
        return Some("<ip>");
    }
    if tok.len() >= 8 && only(s, DIGIT | HEX_LETTER) {
        return Some("<hex>");
    }
    if tok.len() > 2
        && (tok.starts_with(b"0x") || tok.starts_with(b"0X"))
        && tok[2..].iter().all(u8::is_ascii_hexdigit)
    {
        return Some("<hex>");
    }
    if s & (DASH | SLASH) != 0 && is_date(tok) {
        return Some("<date>");
    }
    if s & COLON != 0 && only(s, DIGIT | COLON | DOT) && is_time(tok) {
        return Some("<time>");
    }
    if body.first().is_some_and(u8::is_ascii_digit) {
        if let Some(unit) = unit_after_number(body) {
            if is_duration_unit(unit) {
                return Some("<dur>");
            }
            if is_size_unit(unit) {
                return Some("<size>");
            }
        }
    }
    Some("<*>")
}

fn is_number(t: &[u8]) -> bool {
    let mut dots = 0;
    !t.is_empty()
        && t[0].is_ascii_digit()
        && t.iter().all(|&b| {
            dots += usize::from(b == b'.');
            b.is_ascii_digit() || b == b'.'
        })
        && dots <= 1
}

/// The letters after a leading decimal number, when the token is exactly that.
fn unit_after_number(t: &[u8]) -> Option<&[u8]> {
    let n = t.iter().position(|b| !(b.is_ascii_digit() || *b == b'.'))?;
    if n == 0 || !is_number(&t[..n]) {
        return None;
    }
    let unit = &t[n..];
    unit.iter().all(u8::is_ascii_alphabetic).then_some(unit)
}

fn is_duration_unit(u: &[u8]) -> bool {
    const UNITS: [&[u8]; 14] = [
        b"ns", b"us", b"ms", b"s", b"m", b"h", b"d", b"sec", b"secs", b"min", b"mins", b"seconds",
        b"hours", b"minutes",
    ];
    UNITS.iter().any(|x| x.eq_ignore_ascii_case(u))
}

fn is_size_unit(u: &[u8]) -> bool {
    const UNITS: [&[u8]; 14] = [
        b"b", b"k", b"kb", b"kib", b"mb", b"mib", b"g", b"gb", b"gib", b"tb", b"tib", b"bytes",
        b"byte", b"pb",
    ];
    UNITS.iter().any(|x| x.eq_ignore_ascii_case(u))
}

fn is_email(t: &[u8]) -> bool {
    let Some(at) = t.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&t[..at], &t[at + 1..]);
    !local.is_empty()
        && domain.contains(&b'.')
        && !domain.contains(&b'@')
        && domain.first().is_some_and(u8::is_ascii_alphanumeric)
}

fn is_path(t: &[u8]) -> bool {
    let rest = if let Some(r) = t.strip_prefix(b"/") {
        r
    } else if let Some(r) = t.strip_prefix(b"./").or(t.strip_prefix(b"~/")) {
        r
    } else {
        return false;
    };
    rest.contains(&b'/') && rest.first().is_some_and(|b| *b != b'/') && !t.contains(&b':')
}

fn is_host(t: &[u8]) -> bool {
    const SUFFIXES: [&[u8]; 12] = [
        b".com",
        b".org",
        b".net",
        b".local",
        b".internal",
        b".lan",
        b".svc",
        b".cluster",
        b".edu",
        b".gov",
        b".localdomain",
        b".io",
    ];
    t.iter().filter(|&&b| b == b'.').count() >= 1
        && t.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        && SUFFIXES
            .iter()
            .any(|s| t.len() > s.len() && t[t.len() - s.len()..].eq_ignore_ascii_case(s))
}

/// `8-4-4-4-12` hex digits.
pub(super) fn is_uuid(t: &[u8]) -> bool {
    /// Where the dashes are.
    const DASH: [bool; 36] = {
        let mut d = [false; 36];
        (d[8], d[13], d[18], d[23]) = (true, true, true, true);
        d
    };
    let Ok(t) = <&[u8; 36]>::try_from(t) else {
        return false;
    };
    // Every byte checked without branching (`|`, not `||`): the compiler checks sixteen at once.
    let mut wrong = false;
    for (&b, &dash) in t.iter().zip(&DASH) {
        let hex = (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 6);
        wrong |= if dash { b != b'-' } else { !hex };
    }
    !wrong
}

fn is_ipv4(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"/").unwrap_or(t);
    let t = match t.iter().rposition(|&b| b == b':') {
        Some(i) if t[i + 1..].iter().all(u8::is_ascii_digit) => &t[..i],
        _ => t,
    };
    let mut parts = 0;
    for p in t.split(|&b| b == b'.') {
        parts += 1;
        if p.is_empty() || p.len() > 3 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    parts == 4
}

fn is_ipv6(t: &[u8]) -> bool {
    let colons = t.iter().filter(|&&b| b == b':').count();
    if colons < 2 || !t.iter().all(|b| b.is_ascii_hexdigit() || *b == b':') {
        return false;
    }
    let groups_ok = t.split(|&b| b == b':').all(|g| g.len() <= 4);
    groups_ok && (colons >= 5 || t.windows(2).any(|w| w == b"::"))
}

/// `2024-01-02`, `2024/01/02`, `01/02/2024`, optionally followed by `T` and a time.
fn is_date(t: &[u8]) -> bool {
    let (d, rest) = match t.iter().position(|&b| b == b'T') {
        Some(p) => (&t[..p], Some(&t[p + 1..])),
        None => (t, None),
    };
    let sep = if d.contains(&b'-') { b'-' } else { b'/' };
    let parts: [usize; 3] = {
        let mut it = d.split(|&b| b == sep);
        let mut lens = [0; 3];
        for l in &mut lens {
            match it.next() {
                Some(p) if !p.is_empty() && p.iter().all(u8::is_ascii_digit) => *l = p.len(),
                _ => return false,
            }
        }
        if it.next().is_some() {
            return false;
        }
        lens
    };
    let shape = matches!(parts, [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4]);
    shape
        && rest.is_none_or(|r| {
            let r = r.strip_suffix(b"Z").or(r.strip_suffix(b"z")).unwrap_or(r);
            let r = match r.iter().position(|&b| b == b'+' || b == b'-') {
                Some(p) => &r[..p],
                None => r,
            };
            is_time(r)
        })
}

/// `12:34`, `12:34:56`, `12:34:56.789`.
fn is_time(t: &[u8]) -> bool {
    let mut parts = 0;
    for (n, p) in t.split(|&b| b == b':').enumerate() {
        parts += 1;
        let p = if n == 2 {
            match p.iter().position(|&b| b == b'.') {
                Some(d) if d + 1 < p.len() && p[d + 1..].iter().all(u8::is_ascii_digit) => &p[..d],
                _ => p,
            }
        } else {
            p
        };
        if p.is_empty() || p.len() > 2 || !p.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    (2..=3).contains(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        assert_eq!(m("commit deadbeef1cafe at 0x7ffd"), "commit <hex> at <hex>");
        assert_eq!(m("took 12ms, pid=7"), "took <dur>, pid=<num>");
    }

    #[test]
    fn each_kind_has_its_placeholder() {
        assert_eq!(m("mail bob.smith@example.com now"), "mail <email> now");
        assert_eq!(
            m("GET https://api.example.com/v1/x?id=3, then"),
            "GET <url>, then"
        );
        assert_eq!(
            m("resolve db.prod.internal failed"),
            "resolve <host> failed"
        );
        assert_eq!(m("peer fe80::1ff:fe23:4567:890a gone"), "peer <ip> gone");
        assert_eq!(m("call Foo::bar failed"), "call Foo::bar failed");
        assert_eq!(m("trace 4bf92f3577b34da6a3ce929d0e0e4736"), "trace <hex>");
        assert_eq!(m("at 2024-01-02T03:04:05.123Z ok"), "at <date> ok");
        assert_eq!(m("on 2024-01-02 03:04:05,123"), "on <date> <time>,<num>");
        assert_eq!(m("Jun 14 15:16:01 up"), "Jun <num> <time> up");
        assert_eq!(m("waited 1.5s and 200ms"), "waited <dur> and <dur>");
        assert_eq!(m("wrote 10MB of 2GiB"), "wrote <size> of <size>");
        assert_eq!(m("open /var/lib/x failed"), "open <path> failed");
        assert_eq!(m("n=-3 x=2.5 y=1.2.3"), "n=<num> x=<num> y=<*>");
        assert_eq!(m("user=\"bob smith\" ok=true"), "user=<str> ok=<bool>");
        assert_eq!(m("done."), "done.");
        assert_eq!(m("blk_-123 item7"), "<*> <*>");
    }

    #[test]
    fn signs_and_trailing_punctuation_do_not_change_the_kind() {
        assert_eq!(
            m("moved -3 then +5ms, -0x1f"),
            "moved <num> then <dur>, <*>"
        );
        assert_eq!(m("at 1.2.3.4: refused."), "at <ip>: refused.");
        assert_eq!(m("mail a@b.com. now"), "mail <email>. now");
        assert_eq!(m("see /a/b: gone"), "see <path>: gone");
        assert_eq!(m("LOG: db.example.com. ok"), "LOG: <host>. ok");
        assert_eq!(m("(see http://x.io/a)."), "(see <url>).");
        assert_eq!(m("v=1.2.3-rc1 w=abc+1"), "v=<*> w=<*>");
    }

    #[test]
    fn invalid_utf8_is_kept_lossily_and_still_masked() {
        let mut out = String::from("left over");
        mask_into(b"id 12\xff ok 0x1f \xc3", &mut out, usize::MAX);
        assert_eq!(out, "id <num>\u{FFFD} ok <hex> \u{FFFD}");
        mask_into("caf\u{e9} 12".as_bytes(), &mut out, usize::MAX);
        assert_eq!(out, "caf\u{e9} <num>");
    }

    #[test]
    fn masking_is_idempotent() {
        for s in [
            "a 1 b 2.5 c 10.0.0.1",
            "x=<num> y",
            "über 12 ünd",
            "k='v' t=false",
        ] {
            assert_eq!(m(&m(s)), m(s));
        }
    }

    proptest! {
        #[test]
        fn masking_never_panics_and_is_idempotent(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut once = String::new();
            mask_into(&bytes, &mut once, usize::MAX);
            let mut twice = String::new();
            mask_into(once.as_bytes(), &mut twice, usize::MAX);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn masking_text_like_input_is_idempotent(s in "[a-z0-9 .:/=@\"'_-]{0,60}") {
            prop_assert_eq!(m(&m(&s)), m(&s));
        }
    }
}
