//! Parsing RFC 3339 timestamps from bytes without allocating, and formatting them back.

use crate::record::Timestamp;

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` at the start of `b`; returns the time and
/// the number of bytes it took.
pub fn parse_rfc3339_prefix(b: &[u8]) -> Option<(Timestamp, usize)> {
    let (local, mut i) = parse_date_time(b)?;
    let offset_secs = match b.get(i) {
        Some(b'Z' | b'z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let h = digits(b, i + 1..i + 3)?;
            if b.get(i + 3) != Some(&b':') {
                return None;
            }
            let m = digits(b, i + 4..i + 6)?;
            i += 6;
            let s = h * 3600 + m * 60;
            if sign == b'+' {
                s
            } else {
                -s
            }
        }
        _ => return None,
    };
    Some((
        local.checked_sub(offset_secs.checked_mul(1_000_000_000)?)?,
        i,
    ))
}

/// Parses `YYYY-MM-DD HH:MM:SS[.f{1,9}]` (or with `T`) at the start of `b`, a time without a
/// zone, read as UTC (a log viewer's time column); returns the time and the bytes it took.
pub fn parse_utc_prefix(b: &[u8]) -> Option<(Timestamp, usize)> {
    parse_date_time(b)
}

/// The date, time and fraction of an RFC 3339 time, as nanoseconds since the epoch read as UTC,
/// and the bytes they took.
fn parse_date_time(b: &[u8]) -> Option<(Timestamp, usize)> {
    if b.len() < 19 {
        return None;
    }
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(b, 0..4)?, digits(b, 5..7)?, digits(b, 8..10)?);
    let (hour, min, sec) = (digits(b, 11..13)?, digits(b, 14..16)?, digits(b, 17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = (i - start).min(9);
        if n == 0 {
            return None;
        }
        nanos *= 10i64.pow(9 - n as u32);
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec;
    Some((secs.checked_mul(1_000_000_000)?.checked_add(nanos)?, i))
}

/// The decimal number in `b[r]`, all of it digits.
fn digits(b: &[u8], r: std::ops::Range<usize>) -> Option<i64> {
    let mut n = 0i64;
    for &c in b.get(r)? {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(n)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats a timestamp as RFC 3339 in UTC with millisecond precision.
pub fn format_rfc3339(ts: Timestamp) -> String {
    let secs = ts.div_euclid(1_000_000_000);
    let nanos = ts.rem_euclid(1_000_000_000) as u32;
    match chrono::DateTime::from_timestamp(secs, nanos) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ts.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_timestamps_parse_to_nanoseconds() {
        let (t, n) = parse_rfc3339_prefix(b"2024-01-15T10:00:00.000007919Z rest").unwrap();
        assert_eq!(n, 30);
        assert_eq!(t, 1_705_312_800_000_007_919);
        assert_eq!(format_rfc3339(t), "2024-01-15T10:00:00.000Z");
    }

    #[test]
    fn offsets_and_short_fractions_are_understood() {
        let (a, _) = parse_rfc3339_prefix(b"2024-01-15T12:00:00.5+02:00").unwrap();
        let (b, _) = parse_rfc3339_prefix(b"2024-01-15T10:00:00.500Z").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_time_without_a_zone_is_read_as_utc() {
        let (t, n) = parse_utc_prefix(b"2024-01-15 10:00:00 rest").unwrap();
        assert_eq!(n, 19);
        assert_eq!(
            Some(t),
            parse_rfc3339_prefix(b"2024-01-15T10:00:00Z").map(|(t, _)| t)
        );
        assert_eq!(parse_utc_prefix(b"2024-01-15 1O:00:00 rest"), None);
    }

    #[test]
    fn non_timestamps_are_rejected() {
        for s in [
            "2024-13-15T10:00:00Z",
            "2024-01-15T10:00:00",
            "hello world, this is long",
            "2024-01-15T10:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339_prefix(s.as_bytes()), None, "{s}");
        }
    }
}
