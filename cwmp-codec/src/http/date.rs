//! HTTP-dates (RFC 9110 §5.6.7), as they come in `Retry-After` and `Date`: read into seconds
//! since the Unix epoch.
//!
//! A recipient must accept all three formats: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the
//! obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and ANSI C's asctime
//! (`Sun Nov  6 08:49:37 1994`). The day name is checked for shape only (RFC 9110 lets the
//! recipient ignore a wrong one); a two-digit RFC 850 year is read as 1970–2069 (the RFC's "more
//! than 50 years in the future" rule needs a clock the codec does not have).

use crate::datetime::DateTime;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Seconds since the Unix epoch of an HTTP-date in any of the three formats, surrounding
/// whitespace allowed; `None` if it is not one (or names an impossible day or time). Never
/// panics.
pub fn parse_http_date(v: &[u8]) -> Option<i64> {
    let v = trim(v);
    let comma = v.iter().position(|&b| b == b',');
    let fields = match comma {
        // IMF-fixdate or RFC 850: a day name, a comma, then the date.
        Some(i) => {
            let name = v.get(..i)?;
            if name.len() < 3 || !name.iter().all(u8::is_ascii_alphabetic) {
                return None;
            }
            let rest = v.get(i.checked_add(1)?..)?;
            let rest = rest.strip_prefix(b" ")?;
            if name.len() == 3 {
                imf_fixdate(rest)?
            } else {
                rfc850(rest)?
            }
        }
        None => asctime(v)?,
    };
    let (year, month, day, hour, minute, second) = fields;
    DateTime::new(year, month, day, hour, minute, second)?.to_unix()
}

type Fields = (u16, u8, u8, u8, u8, u8);

/// `06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(s: &[u8]) -> Option<Fields> {
    let mut it = s.split(|&b| b == b' ');
    let day = digits(it.next()?, 2)?;
    let month = month(it.next()?)?;
    let year = digits(it.next()?, 4)?;
    let (h, m, sec) = time(it.next()?)?;
    if it.next()? != b"GMT" || it.next().is_some() {
        return None;
    }
    Some((
        u16::try_from(year).ok()?,
        month,
        u8::try_from(day).ok()?,
        h,
        m,
        sec,
    ))
}

/// `06-Nov-94 08:49:37 GMT`
fn rfc850(s: &[u8]) -> Option<Fields> {
    let mut it = s.split(|&b| b == b' ');
    let date = it.next()?;
    let (h, m, sec) = time(it.next()?)?;
    if it.next()? != b"GMT" || it.next().is_some() {
        return None;
    }
    let mut d = date.split(|&b| b == b'-');
    let day = digits(d.next()?, 2)?;
    let month = month(d.next()?)?;
    let yy = digits(d.next()?, 2)?;
    if d.next().is_some() {
        return None;
    }
    let year = yy.saturating_add(if yy < 70 { 2000 } else { 1900 });
    Some((
        u16::try_from(year).ok()?,
        month,
        u8::try_from(day).ok()?,
        h,
        m,
        sec,
    ))
}

/// `Sun Nov  6 08:49:37 1994` (the day padded with a space, or two digits)
fn asctime(s: &[u8]) -> Option<Fields> {
    let name = s.get(..3)?;
    if !name.iter().all(u8::is_ascii_alphabetic) || s.get(3) != Some(&b' ') {
        return None;
    }
    let month = month(s.get(4..7)?)?;
    if s.get(7) != Some(&b' ') {
        return None;
    }
    let day = match s.get(8..10)? {
        [b' ', d] => digits(core::slice::from_ref(d), 1)?,
        d => digits(d, 2)?,
    };
    if s.get(10) != Some(&b' ') {
        return None;
    }
    let (h, m, sec) = time(s.get(11..19)?)?;
    if s.get(19) != Some(&b' ') {
        return None;
    }
    let year = digits(s.get(20..)?, 4)?;
    Some((
        u16::try_from(year).ok()?,
        month,
        u8::try_from(day).ok()?,
        h,
        m,
        sec,
    ))
}

/// `08:49:37`
fn time(s: &[u8]) -> Option<(u8, u8, u8)> {
    let mut it = s.split(|&b| b == b':');
    let h = digits(it.next()?, 2)?;
    let m = digits(it.next()?, 2)?;
    let sec = digits(it.next()?, 2)?;
    if it.next().is_some() {
        return None;
    }
    Some((
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(sec).ok()?,
    ))
}

fn month(s: &[u8]) -> Option<u8> {
    let i = MONTHS.iter().position(|m| m.as_slice() == s)?;
    u8::try_from(i).ok()?.checked_add(1)
}

/// Exactly `n` ASCII digits.
fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() != n || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(10)?
            .checked_add(u32::from(d.wrapping_sub(b'0')))
    })
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e.saturating_add(1));
    v.get(start..end).unwrap_or(&[])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_http_date;

    const T: i64 = 784_111_777; // 1994-11-06T08:49:37Z, RFC 9110's example

    #[test]
    fn the_three_formats_of_rfc_9110() {
        assert_eq!(parse_http_date(b"Sun, 06 Nov 1994 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date(b"Sunday, 06-Nov-94 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date(b"Sun Nov  6 08:49:37 1994"), Some(T));
        assert_eq!(
            parse_http_date(b" Sun, 06 Nov 1994 08:49:37 GMT \t"),
            Some(T)
        );
        assert_eq!(
            parse_http_date(b"Fri, 31 Dec 1999 23:59:59 GMT"),
            Some(946_684_799)
        );
        assert_eq!(
            parse_http_date(b"Monday, 01-Jan-07 00:00:00 GMT"),
            Some(1_167_609_600)
        );
    }

    #[test]
    fn not_dates() {
        for bad in [
            &b""[..],
            b"120",
            b"Sun, 06 Nov 1994 08:49:37 UTC",
            b"Sun, 6 Nov 1994 08:49:37 GMT",
            b"Sun, 31 Feb 1994 08:49:37 GMT",
            b"Sun, 06 Nov 1994 24:49:37 GMT",
            b"Sun, 06 Foo 1994 08:49:37 GMT",
            b"Sun, 06 Nov 1994 08:49:37 GMT x",
            b"Sun Nov 6 08:49:37 1994",
            b"Sun Nov  6 08:49:37 94",
            b"1, 06 Nov 1994 08:49:37 GMT",
            b"Sunday, 06-Nov-1994 08:49:37 GMT",
            b"Sun,06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(
                parse_http_date(bad),
                None,
                "{:?}",
                core::str::from_utf8(bad)
            );
        }
    }
}
