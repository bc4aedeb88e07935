//! Template mining, the Drain way: a masked message is split on spaces; messages with the same
//! number of tokens and the same first token are compared position by position with the templates
//! already mined, and join the most similar one when enough of its constant tokens agree. The
//! template then turns the positions where they differ into `<*>` (or `key=<*>` when only a
//! `key=value` token's value differs).

/// The wildcard of a template.
pub const WILDCARD: &str = "<*>";

/// Part of a template's constant tokens a message must share to join it.
pub const SIMILARITY: f32 = 0.5;

/// The tokens of a masked message: split on spaces, a double-quoted span (`"Connection
/// evictor"`, `key="a b"`) counting as one token so a quoted value of any number of words fits
/// one position, and a run of placeholders (`<num> <hex>`) counting once (as `<*>` when they
/// differ), so lists of any length fit one template.
pub fn tokens(masked: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut words = masked.split_ascii_whitespace().map(|w| {
        let start = w.as_ptr() as usize - masked.as_ptr() as usize;
        (start, start + w.len())
    });
    while let Some((start, mut end)) = words.next() {
        if opens_quote(&masked[start..end]) {
            // Find the word that closes it; a quote left open stays a word of its own.
            let rest = &masked[end..];
            if let Some(close) = rest.find('"') {
                let close_end = end + close + 1;
                let word_end = masked[close_end..]
                    .find(|c: char| c.is_ascii_whitespace())
                    .map_or(masked.len(), |p| close_end + p);
                while let Some(&(_, e)) = words.clone().next().as_ref() {
                    if e > word_end {
                        break;
                    }
                    words.next();
                }
                end = word_end;
            }
        }
        let t = &masked[start..end];
        if let Some(last) = out.last_mut() {
            if is_bare_placeholder(t) && is_bare_placeholder(last) {
                if *last != t {
                    *last = WILDCARD;
                }
                continue;
            }
        }
        out.push(t);
    }
    out
}

/// A word that opens a double-quoted value it does not close (`"Connection`, `name="a`).
fn opens_quote(word: &str) -> bool {
    let Some(open) = word.find('"') else {
        return false;
    };
    (open == 0 || word[..open].ends_with('=')) && !word[open + 1..].contains('"')
}

/// `<kind>` alone, or as an item of a list (`<kind>,`).
fn is_bare_placeholder(t: &str) -> bool {
    let t = t.strip_suffix(',').unwrap_or(t);
    t.starts_with('<') && t.ends_with('>') && t.len() >= 3
}

/// The bucket a message's tokens fall in: their count and a hash of the first token (its key for
/// `key=value`, nothing when it is a placeholder).
pub fn bucket_of(tokens: &[&str]) -> (usize, u64) {
    let first = tokens.first().map_or("", |t| {
        if is_placeholder(t) {
            ""
        } else {
            key_part(t).unwrap_or(t)
        }
    });
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in first.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (tokens.len(), h)
}

/// A placeholder written by masking or mining (`<num>`, `<*>`, `key=<*>`…).
pub fn is_placeholder(t: &str) -> bool {
    let v = key_part(t).map_or(t, |k| &t[k.len()..]);
    v.starts_with('<') && v.ends_with('>') && v.len() >= 3
}

/// A plain word, as constants usually are: letters, perhaps joined by `-` (`vue-cli-service`;
/// not `_`, which joins the names of things), trailing punctuation aside.
fn is_word(t: &str) -> bool {
    let t = t.trim_end_matches([',', '.', ':', ';', ')']);
    let joined = |b: u8| b == b'-';
    if t.starts_with(|c: char| !c.is_ascii_alphabetic())
        || t.ends_with(|c: char| !c.is_ascii_alphabetic())
    {
        return false;
    }
    const DATES: [&str; 19] = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic() || joined(b)) && !DATES.contains(&t)
}

/// `key=` of a `key=value` token.
fn key_part(t: &str) -> Option<&str> {
    let p = t.find('=')?;
    (p > 0 && p + 1 < t.len()).then(|| &t[..=p])
}

/// How well `tokens` fit `template` (same length): the share of the template's constant tokens
/// they repeat, and the number of template wildcards (more is better on ties). `None` when a
/// placeholder of the template is a different kind from the message's token there.
pub fn similarity(template: &[Box<str>], tokens: &[&str]) -> (f32, usize) {
    let mut constants = 0usize;
    let mut same = 0usize;
    let mut wild = 0usize;
    for (t, m) in template.iter().zip(tokens) {
        let t: &str = t;
        if is_bare_placeholder(t) {
            wild += 1;
            continue;
        }
        if let Some(k) = key_part(t) {
            if &t[k.len()..] == WILDCARD {
                constants += 1;
                wild += 1;
                same += usize::from(m.starts_with(k));
                continue;
            }
        }
        constants += 1;
        if t == *m {
            same += 1;
        } else if let (Some(a), Some(b)) = (key_part(t), key_part(m)) {
            if a == b {
                same += 1;
            }
        } else if is_word(t) && is_word(m) {
            // Two different plain words at a constant position: another message.
            return (0.0, wild);
        }
    }
    if constants == 0 {
        return (1.0, wild);
    }
    (same as f32 / constants as f32, wild)
}

/// Generalises `template` to cover `tokens`; says whether it changed.
pub fn merge(template: &mut [Box<str>], tokens: &[&str]) -> bool {
    let mut changed = false;
    for (t, m) in template.iter_mut().zip(tokens) {
        if **t == **m || **t == *WILDCARD {
            continue;
        }
        let new = match (key_part(t), key_part(m)) {
            (Some(a), Some(b)) if a == b => format!("{a}{WILDCARD}"),
            _ => WILDCARD.to_owned(),
        };
        if **t != *new {
            *t = new.into_boxed_str();
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Box<str>> {
        s.split_ascii_whitespace().map(Box::from).collect()
    }

    #[test]
    fn differing_positions_become_wildcards() {
        let mut t = toks("user alice_a logged in");
        let m: Vec<&str> = "user bob_b logged in".split(' ').collect();
        assert_eq!(similarity(&t, &m).0, 0.75);
        assert!(merge(&mut t, &m));
        assert_eq!(t.join(" "), "user <*> logged in");
        assert_eq!(similarity(&t, &m).0, 1.0);
        assert!(!merge(&mut t, &m));
    }

    #[test]
    fn key_value_tokens_keep_their_key() {
        let mut t = toks("state=running");
        let m = ["state=stopped"];
        assert_eq!(similarity(&t, &m).0, 1.0);
        merge(&mut t, &m);
        assert_eq!(t.join(" "), "state=<*>");
        assert_eq!(similarity(&t, &["mode=x"]).0, 0.0);
    }

    #[test]
    fn runs_of_a_placeholder_count_once() {
        assert_eq!(
            tokens("ids <num>, <num>, <num> done"),
            ["ids", "<*>", "done"]
        );
        assert_eq!(
            tokens("ids <num> <num> <num> done"),
            ["ids", "<num>", "done"]
        );
        assert_eq!(tokens("a a <num> x"), ["a", "a", "<num>", "x"]);
    }

    #[test]
    fn a_quoted_span_is_one_token() {
        assert_eq!(
            tokens(r#"in thread "Connection evictor" now"#),
            ["in", "thread", "\"Connection evictor\"", "now"]
        );
        assert_eq!(
            tokens(r#"msg="a b c", next "x" "#),
            ["msg=\"a b c\",", "next", "\"x\""]
        );
        assert_eq!(
            tokens(r#"open "quote never closed"#),
            ["open", "\"quote", "never", "closed"]
        );
        assert_eq!(tokens(r#"a"b c"#), ["a\"b", "c"]);
    }

    #[test]
    fn two_different_words_never_share_a_position() {
        let t = toks("/bin/sh: nodemon: not found");
        let m: Vec<&str> = "/bin/sh: vue-cli-service: not found".split(' ').collect();
        assert_eq!(similarity(&t, &m).0, 0.0);
        let t = toks("domain cluster_root_backup is gone");
        let m: Vec<&str> = "domain root_domain is gone".split(' ').collect();
        assert_eq!(similarity(&t, &m).0, 0.75);
    }

    #[test]
    fn buckets_split_on_length_and_first_token() {
        assert_eq!(bucket_of(&["a", "b"]), bucket_of(&["a", "c"]));
        assert_ne!(bucket_of(&["a", "b"]), bucket_of(&["b", "b"]));
        assert_ne!(bucket_of(&["a", "b"]), bucket_of(&["a"]));
        assert_eq!(bucket_of(&["k=1"]), bucket_of(&["k=2"]));
        assert!(is_placeholder("<num>") && is_placeholder("k=<*>") && !is_placeholder("k=v"));
    }
}
