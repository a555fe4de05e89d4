//! The TR-069 `dateTime` type (§A.2.1, Table 12): the SOAP subset of XML Schema `xsd:dateTime`.
//!
//! Table 12 rules this module follows:
//!
//! * An **absolute** time carries a zone: `Z`, `+00:00`, `-00:00` or another offset.
//! * A CPE without absolute time sends **relative time since boot**: year `0001` is boot and there is no
//!   zone, so 2 d 3 h 4 min 5 s after boot is `0001-01-03T03:04:05`. Any value **without a zone and with a
//!   year below 1000** MUST be read as relative ([`DateTime::is_relative`]).
//! * **Unknown Time** is `0001-01-01T00:00:00Z` ([`DateTime::UNKNOWN`]).
//!
//! Lexical form accepted by [`DateTime::parse`] (strict, after trimming XML whitespace):
//! `YYYY-MM-DDThh:mm:ss[.f+][Z|(+|-)hh:mm]` with a four-digit year `0001..=9999`, real calendar days
//! (leap years included), hours `00..=23`, minutes and seconds `00..=59`, a fraction of one or more
//! digits (digits past the ninth are checked and dropped: nanosecond resolution), and a zone offset of
//! at most `14:00`. Not accepted, by choice: negative or five-digit years, the XML Schema `24:00:00`
//! end-of-day form and leap second `60` (no CPE sends them; both would break the canonical round trip).
//! Real peers send malformed values such as `2019-03-05T11:54::14` or `0000-00-00T00:00:00`
//! (INTEROP V7): they are errors here, and the message decoder keeps them raw.
//!
//! [`Display`](core::fmt::Display) writes the one canonical form: the fraction only when non-zero and
//! without trailing zeros, `Z` for UTC, `+hh:mm`/`-hh:mm` otherwise, nothing for an unspecified zone.

use core::fmt;

/// Seconds in a day.
const SECS_PER_DAY: i64 = 86_400;
/// Days from 0000-03-01 (proleptic Gregorian) to 1970-01-01, as in H. Hinnant's `days_from_civil`.
const DAYS_0000_03_01_TO_EPOCH: i64 = 719_468;
/// Days in a 400-year Gregorian era.
const DAYS_PER_ERA: i64 = 146_097;
/// Unix day number of 0001-01-01.
const UNIX_DAY_0001_01_01: i64 = -719_162;
/// Unix day number of 9999-12-31.
const UNIX_DAY_9999_12_31: i64 = 2_932_896;
/// Largest zone offset XML Schema allows, in minutes (14:00).
const MAX_OFFSET_MINUTES: i16 = 14 * 60;

/// The time zone part of a [`DateTime`] (§A.2.1, Table 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Offset {
    /// `Z`: UTC.
    Utc,
    /// `+hh:mm` or `-hh:mm`: minutes east of UTC, within ±14:00. `+00:00` and `-00:00` both read as
    /// `Minutes(0)`, which is written back as `+00:00`.
    Minutes(i16),
    /// No zone: a relative time since boot when the year is below 1000, otherwise a local time of
    /// unknown offset.
    Unspecified,
}

/// A TR-069 `dateTime` value (§A.2.1, Table 12).
///
/// Always valid: every constructor checks the ranges, so [`Display`](fmt::Display) output parses
/// back to an equal value. Equality, hashing and ordering compare the fields as written (year first,
/// then month, …, nanoseconds, then the offset), not the instant they denote: compare
/// [`DateTime::to_unix`] for that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    offset: Offset,
}

/// What was wrong with a `dateTime` string; see [`DateTimeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DateTimeErrorKind {
    /// A character that the lexical form does not allow at this position.
    UnexpectedCharacter,
    /// The input ended before the value was complete.
    UnexpectedEnd,
    /// Characters after a complete value (other than trailing whitespace).
    TrailingCharacters,
    /// Year `0000`.
    Year,
    /// Month outside `01..=12`.
    Month,
    /// Day outside `01..=` the days of that month.
    Day,
    /// Hour outside `00..=23`.
    Hour,
    /// Minute outside `00..=59`.
    Minute,
    /// Second outside `00..=59`.
    Second,
    /// Zone offset beyond ±14:00 or minutes over 59.
    Offset,
}

/// A `dateTime` string that is not a valid TR-069 dateTime (§A.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct DateTimeError {
    /// What was wrong.
    pub kind: DateTimeErrorKind,
    /// Byte offset in the input (leading whitespace included) where the problem starts.
    pub offset: usize,
}

impl DateTimeErrorKind {
    /// A short static description.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnexpectedCharacter => "unexpected character in dateTime",
            Self::UnexpectedEnd => "dateTime ends too early",
            Self::TrailingCharacters => "trailing characters after dateTime",
            Self::Year => "dateTime year out of range",
            Self::Month => "dateTime month out of range",
            Self::Day => "dateTime day out of range",
            Self::Hour => "dateTime hour out of range",
            Self::Minute => "dateTime minute out of range",
            Self::Second => "dateTime second out of range",
            Self::Offset => "dateTime zone offset out of range",
        }
    }
}

impl fmt::Display for DateTimeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.as_str())
    }
}

impl core::error::Error for DateTimeError {}

/// `true` for a Gregorian leap year.
const fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1..=12) of `year`; 0 for an invalid month.
const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Unix day number of a valid civil date (H. Hinnant's `days_from_civil`), for years 1..=9999.
fn days_from_civil(year: u16, month: u8, day: u8) -> i64 {
    // Years 1..=9999 keep every intermediate far inside i64; saturating ops only silence the lint.
    let m = i64::from(month);
    let y = i64::from(year).saturating_sub(i64::from(month <= 2));
    let era = y.div_euclid(400);
    let yoe = y.saturating_sub(era.saturating_mul(400));
    let mp = if month > 2 {
        m.saturating_sub(3)
    } else {
        m.saturating_add(9)
    };
    let doy = mp
        .saturating_mul(153)
        .saturating_add(2)
        .div_euclid(5)
        .saturating_add(i64::from(day))
        .saturating_sub(1);
    let doe = yoe
        .saturating_mul(365)
        .saturating_add(yoe.div_euclid(4))
        .saturating_sub(yoe.div_euclid(100))
        .saturating_add(doy);
    era.saturating_mul(DAYS_PER_ERA)
        .saturating_add(doe)
        .saturating_sub(DAYS_0000_03_01_TO_EPOCH)
}

/// Civil date of a Unix day number (H. Hinnant's `civil_from_days`), for days of years 1..=9999.
fn civil_from_days(days: i64) -> Option<(u16, u8, u8)> {
    if !(UNIX_DAY_0001_01_01..=UNIX_DAY_9999_12_31).contains(&days) {
        return None;
    }
    let z = days.saturating_add(DAYS_0000_03_01_TO_EPOCH);
    let era = z.div_euclid(DAYS_PER_ERA);
    let doe = z.saturating_sub(era.saturating_mul(DAYS_PER_ERA));
    let yoe = doe
        .saturating_sub(doe.div_euclid(1460))
        .saturating_add(doe.div_euclid(36_524))
        .saturating_sub(doe.div_euclid(146_096))
        .div_euclid(365);
    let doy = doe.saturating_sub(
        yoe.saturating_mul(365)
            .saturating_add(yoe.div_euclid(4))
            .saturating_sub(yoe.div_euclid(100)),
    );
    let mp = doy.saturating_mul(5).saturating_add(2).div_euclid(153);
    let day = doy
        .saturating_sub(mp.saturating_mul(153).saturating_add(2).div_euclid(5))
        .saturating_add(1);
    let month = if mp < 10 {
        mp.saturating_add(3)
    } else {
        mp.saturating_sub(9)
    };
    let year = yoe
        .saturating_add(era.saturating_mul(400))
        .saturating_add(i64::from(month <= 2));
    Some((
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    ))
}

/// `true` for the whitespace XML allows around a typed value.
const fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A cursor over the trimmed input, reporting offsets in the untrimmed input.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl Cursor<'_> {
    fn err(&self, kind: DateTimeErrorKind) -> DateTimeError {
        DateTimeError {
            kind,
            offset: self.base.saturating_add(self.pos),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn expect(&mut self, want: u8) -> Result<(), DateTimeError> {
        match self.peek() {
            Some(b) if b == want => {
                self.bump();
                Ok(())
            }
            Some(_) => Err(self.err(DateTimeErrorKind::UnexpectedCharacter)),
            None => Err(self.err(DateTimeErrorKind::UnexpectedEnd)),
        }
    }

    fn digit(&mut self) -> Result<u8, DateTimeError> {
        match self.peek() {
            Some(b @ b'0'..=b'9') => {
                self.bump();
                Ok(b.saturating_sub(b'0'))
            }
            Some(_) => Err(self.err(DateTimeErrorKind::UnexpectedCharacter)),
            None => Err(self.err(DateTimeErrorKind::UnexpectedEnd)),
        }
    }

    /// Exactly `n` digits as a number, with the offset where they started.
    fn number(&mut self, n: usize) -> Result<(u16, usize), DateTimeError> {
        let start = self.pos;
        let mut v: u16 = 0;
        for _ in 0..n {
            let d = self.digit()?;
            v = v.saturating_mul(10).saturating_add(u16::from(d));
        }
        Ok((v, start))
    }

    fn range_err(&self, kind: DateTimeErrorKind, at: usize) -> DateTimeError {
        DateTimeError {
            kind,
            offset: self.base.saturating_add(at),
        }
    }

    /// Two digits checked against `max`, narrowed to `u8`.
    fn field(&mut self, max: u8, kind: DateTimeErrorKind) -> Result<u8, DateTimeError> {
        let (v, at) = self.number(2)?;
        match u8::try_from(v) {
            Ok(v) if v <= max => Ok(v),
            _ => Err(self.range_err(kind, at)),
        }
    }
}

impl DateTime {
    /// Unknown Time, `0001-01-01T00:00:00Z` (§A.2.1, Table 12): "unknown or not applicable".
    pub const UNKNOWN: DateTime = DateTime {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: Offset::Utc,
    };

    /// The longest [`Display`](fmt::Display) output in bytes:
    /// `YYYY-MM-DDThh:mm:ss.fffffffff+hh:mm`.
    pub const MAX_LEN: usize = 35;

    /// The largest relative time [`DateTime::relative`] can express: `0999-12-31T23:59:59`, in seconds
    /// since boot.
    pub const MAX_RELATIVE_SECONDS: u64 = 31_525_372_799;

    /// A date and time with no fraction and no zone, or `None` if a field is out of range
    /// (year `1..=9999`, a real calendar day, hour `0..=23`, minute and second `0..=59`).
    ///
    /// Never panics.
    pub const fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<DateTime> {
        if year == 0
            || year > 9999
            || month == 0
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        Some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos: 0,
            offset: Offset::Unspecified,
        })
    }

    /// The same value with a fractional second, or `None` if `nanos` ≥ 10⁹.
    pub const fn with_nanos(self, nanos: u32) -> Option<DateTime> {
        if nanos >= 1_000_000_000 {
            return None;
        }
        Some(DateTime { nanos, ..self })
    }

    /// The same value with another zone, or `None` if a `Minutes` offset is beyond ±14:00.
    pub const fn with_offset(self, offset: Offset) -> Option<DateTime> {
        if let Offset::Minutes(m) = offset {
            if m > MAX_OFFSET_MINUTES || m < -MAX_OFFSET_MINUTES {
                return None;
            }
        }
        Some(DateTime { offset, ..self })
    }

    /// Year, `1..=9999`.
    pub const fn year(&self) -> u16 {
        self.year
    }
    /// Month, `1..=12`.
    pub const fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month, `1..=31`.
    pub const fn day(&self) -> u8 {
        self.day
    }
    /// Hour, `0..=23`.
    pub const fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, `0..=59`.
    pub const fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, `0..=59`.
    pub const fn second(&self) -> u8 {
        self.second
    }
    /// Fractional second in nanoseconds, `0..1_000_000_000`.
    pub const fn nanos(&self) -> u32 {
        self.nanos
    }
    /// The zone.
    pub const fn offset(&self) -> Offset {
        self.offset
    }

    /// Parses a TR-069 dateTime (§A.2.1), trimming surrounding XML whitespace.
    ///
    /// # Errors
    ///
    /// [`DateTimeError`] with the kind and the byte offset of the first problem. Never panics.
    pub fn parse(input: &str) -> Result<DateTime, DateTimeError> {
        let bytes = input.as_bytes();
        let start = bytes.iter().take_while(|b| is_xml_space(**b)).count();
        let rest = bytes.get(start..).unwrap_or_default();
        let end = rest
            .len()
            .saturating_sub(rest.iter().rev().take_while(|b| is_xml_space(**b)).count());
        let mut c = Cursor {
            bytes: rest.get(..end).unwrap_or_default(),
            pos: 0,
            base: start,
        };
        use DateTimeErrorKind as K;

        let (year, at) = c.number(4)?;
        if year == 0 {
            return Err(c.range_err(K::Year, at));
        }
        c.expect(b'-')?;
        let (month, at) = c.number(2)?;
        let month = match u8::try_from(month) {
            Ok(m @ 1..=12) => m,
            _ => return Err(c.range_err(K::Month, at)),
        };
        c.expect(b'-')?;
        let (day, at) = c.number(2)?;
        let day = match u8::try_from(day) {
            Ok(d) if d >= 1 && d <= days_in_month(year, month) => d,
            _ => return Err(c.range_err(K::Day, at)),
        };
        c.expect(b'T')?;
        let hour = c.field(23, K::Hour)?;
        c.expect(b':')?;
        let minute = c.field(59, K::Minute)?;
        c.expect(b':')?;
        let second = c.field(59, K::Second)?;

        let mut nanos: u32 = 0;
        if c.peek() == Some(b'.') {
            c.bump();
            let mut scale: u32 = 100_000_000;
            let mut count = 0usize;
            while let Some(b'0'..=b'9') = c.peek() {
                let d = c.digit()?;
                nanos = nanos.saturating_add(u32::from(d).saturating_mul(scale));
                scale /= 10;
                count = count.saturating_add(1);
            }
            if count == 0 {
                return Err(match c.peek() {
                    Some(_) => c.err(K::UnexpectedCharacter),
                    None => c.err(K::UnexpectedEnd),
                });
            }
        }

        let offset = match c.peek() {
            None => Offset::Unspecified,
            Some(b'Z') => {
                c.bump();
                Offset::Utc
            }
            Some(sign @ (b'+' | b'-')) => {
                c.bump();
                let (hh, at) = c.number(2)?;
                c.expect(b':')?;
                let (mm, mat) = c.number(2)?;
                if mm > 59 {
                    return Err(c.range_err(K::Offset, mat));
                }
                let total = hh.saturating_mul(60).saturating_add(mm);
                let total = match i16::try_from(total) {
                    Ok(t) if t <= MAX_OFFSET_MINUTES => t,
                    _ => return Err(c.range_err(K::Offset, at)),
                };
                Offset::Minutes(if sign == b'-' {
                    total.saturating_neg()
                } else {
                    total
                })
            }
            Some(_) => return Err(c.err(K::UnexpectedCharacter)),
        };
        if c.peek().is_some() {
            return Err(c.err(K::TrailingCharacters));
        }
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset,
        })
    }

    /// `true` for Unknown Time, `0001-01-01T00:00:00Z` (§A.2.1). Tolerant reader: the same instant
    /// written `+00:00` or `-00:00` counts too. Without a zone it is not Unknown Time but the
    /// relative time of boot.
    pub fn is_unknown(&self) -> bool {
        matches!(self.offset, Offset::Utc | Offset::Minutes(0))
            && DateTime {
                offset: Offset::Utc,
                ..*self
            } == Self::UNKNOWN
    }

    /// `true` for a relative time since boot: no zone and a year below 1000 (§A.2.1, Table 12).
    pub const fn is_relative(&self) -> bool {
        matches!(self.offset, Offset::Unspecified) && self.year < 1000
    }

    /// The relative time (§A.2.1) for `seconds_since_boot`: year 0001 is boot, no zone. For example
    /// 2 d 3 h 4 min 5 s gives `0001-01-03T03:04:05`.
    ///
    /// Values above [`DateTime::MAX_RELATIVE_SECONDS`] (almost 1000 years) saturate to
    /// `0999-12-31T23:59:59`, the last value still read as relative. Never panics.
    pub fn relative(seconds_since_boot: u64) -> DateTime {
        let secs = seconds_since_boot.min(Self::MAX_RELATIVE_SECONDS);
        // secs ≤ MAX_RELATIVE_SECONDS fits i64 and stays inside years 1..=999.
        let secs = i64::try_from(secs).unwrap_or(0);
        let unix = (UNIX_DAY_0001_01_01.saturating_mul(SECS_PER_DAY)).saturating_add(secs);
        Self::from_unix(unix, Offset::Unspecified).unwrap_or(Self::UNKNOWN)
    }

    /// Seconds since boot of a relative time (§A.2.1), or `None` if the value is not relative.
    /// The fraction is dropped.
    pub fn relative_seconds(&self) -> Option<u64> {
        if !self.is_relative() {
            return None;
        }
        let local = self.local_seconds();
        u64::try_from(local.saturating_sub(UNIX_DAY_0001_01_01.saturating_mul(SECS_PER_DAY))).ok()
    }

    /// Seconds since the Unix epoch of the wall-clock fields, ignoring the zone.
    fn local_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
            .saturating_mul(SECS_PER_DAY)
            .saturating_add(i64::from(self.hour).saturating_mul(3600))
            .saturating_add(i64::from(self.minute).saturating_mul(60))
            .saturating_add(i64::from(self.second))
    }

    /// The dateTime for `secs` since the Unix epoch, written in zone `offset` (for
    /// [`Offset::Unspecified`] the fields are UTC wall-clock time without a zone).
    ///
    /// `None` if the result falls outside years 1..=9999 or a `Minutes` offset is beyond ±14:00.
    /// Never panics.
    pub fn from_unix(secs: i64, offset: Offset) -> Option<DateTime> {
        let shift = match offset {
            Offset::Minutes(m) if !(-MAX_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&m) => {
                return None
            }
            Offset::Minutes(m) => i64::from(m).saturating_mul(60),
            Offset::Utc | Offset::Unspecified => 0,
        };
        let local = secs.checked_add(shift)?;
        let days = local.div_euclid(SECS_PER_DAY);
        let tod = local.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days)?;
        let hour = u8::try_from(tod.div_euclid(3600)).ok()?;
        let minute = u8::try_from(tod.rem_euclid(3600).div_euclid(60)).ok()?;
        let second = u8::try_from(tod.rem_euclid(60)).ok()?;
        Some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos: 0,
            offset,
        })
    }

    /// Seconds since the Unix epoch (the fraction dropped), or `None` for a relative time.
    ///
    /// A value with [`Offset::Unspecified`] and a year ≥ 1000 is read as UTC, the §A.2.1 default
    /// ("UTC unless otherwise specified"). Unknown Time gives the instant of 0001-01-01T00:00:00Z;
    /// check [`DateTime::is_unknown`] first where that matters. Never panics.
    pub fn to_unix(&self) -> Option<i64> {
        if self.is_relative() {
            return None;
        }
        let shift = match self.offset {
            Offset::Minutes(m) => i64::from(m).saturating_mul(60),
            Offset::Utc | Offset::Unspecified => 0,
        };
        Some(self.local_seconds().saturating_sub(shift))
    }
}

impl DateTime {
    /// Writes the canonical lexical form (what `Display` prints: the fraction without trailing
    /// zeros, `Z`, an offset as `±hh:mm`, or none; at most [`DateTime::MAX_LEN`] bytes) into
    /// `buf` and returns it: digits by hand,
    /// without `core::fmt` (the encoder writes one per `dateTime` value).
    pub fn format_into<'b>(&self, buf: &'b mut [u8; DateTime::MAX_LEN]) -> &'b str {
        core::str::from_utf8(self.format_ascii(buf)).unwrap_or_default()
    }

    /// [`DateTime::format_into`]'s bytes (ASCII), for the encoder.
    pub(crate) fn format_ascii<'b>(&self, buf: &'b mut [u8; DateTime::MAX_LEN]) -> &'b [u8] {
        /// `v`'s last `n` decimal digits at `buf[at..at + n]`; returns `at + n`.
        fn digits(buf: &mut [u8; DateTime::MAX_LEN], at: usize, mut v: u32, n: usize) -> usize {
            let end = at.saturating_add(n);
            let mut i = end;
            while i > at {
                i = i.saturating_sub(1);
                if let Some(slot) = buf.get_mut(i) {
                    // v % 10 < 10: no overflow.
                    *slot = b'0'.saturating_add((v % 10) as u8);
                }
                v /= 10;
            }
            end
        }
        fn put(buf: &mut [u8; DateTime::MAX_LEN], at: usize, b: u8) -> usize {
            if let Some(slot) = buf.get_mut(at) {
                *slot = b;
            }
            at.saturating_add(1)
        }
        let mut at = digits(buf, 0, u32::from(self.year), 4);
        at = put(buf, at, b'-');
        at = digits(buf, at, u32::from(self.month), 2);
        at = put(buf, at, b'-');
        at = digits(buf, at, u32::from(self.day), 2);
        at = put(buf, at, b'T');
        at = digits(buf, at, u32::from(self.hour), 2);
        at = put(buf, at, b':');
        at = digits(buf, at, u32::from(self.minute), 2);
        at = put(buf, at, b':');
        at = digits(buf, at, u32::from(self.second), 2);
        if self.nanos != 0 {
            let mut frac = self.nanos;
            let mut width = 9usize;
            while frac % 10 == 0 && width > 1 {
                frac /= 10;
                width = width.saturating_sub(1);
            }
            at = put(buf, at, b'.');
            at = digits(buf, at, frac, width);
        }
        match self.offset {
            Offset::Utc => at = put(buf, at, b'Z'),
            Offset::Unspecified => {}
            Offset::Minutes(m) => {
                at = put(buf, at, if m < 0 { b'-' } else { b'+' });
                let a = u32::from(m.unsigned_abs());
                at = digits(buf, at, a / 60, 2);
                at = put(buf, at, b':');
                at = digits(buf, at, a % 60, 2);
            }
        }
        buf.get(..at).unwrap_or_default()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.format_into(&mut [0; DateTime::MAX_LEN]))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::string::{String, ToString};

    fn p(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    fn kind(s: &str) -> (DateTimeErrorKind, usize) {
        let e = DateTime::parse(s).unwrap_err();
        (e.kind, e.offset)
    }

    #[test]
    fn parse_utc_and_display() {
        let t = p("2024-02-29T23:59:58Z");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2024, 2, 29, 23, 59, 58)
        );
        assert_eq!(t.offset(), Offset::Utc);
        assert_eq!(t.to_string(), "2024-02-29T23:59:58Z");
    }

    #[test]
    fn unknown_time() {
        let t = p("0001-01-01T00:00:00Z");
        assert!(t.is_unknown());
        assert_eq!(t, DateTime::UNKNOWN);
        assert_eq!(DateTime::UNKNOWN.to_string(), "0001-01-01T00:00:00Z");
        assert!(!t.is_relative());
        assert!(p("0001-01-01T00:00:00+00:00").is_unknown());
        assert!(p("0001-01-01T00:00:00-00:00").is_unknown());
        assert!(!p("0001-01-01T00:00:00+01:00").is_unknown());
        assert!(!p("0001-01-01T00:00:00.5Z").is_unknown());
        assert!(!p("0001-01-01T00:00:01Z").is_unknown());
        // Same fields without the zone is a relative time (boot), not Unknown Time.
        let boot = p("0001-01-01T00:00:00");
        assert!(!boot.is_unknown());
        assert!(boot.is_relative());
        assert_eq!(boot.relative_seconds(), Some(0));
    }

    #[test]
    fn offsets() {
        assert_eq!(p("2020-01-01T00:00:00+00:00").offset(), Offset::Minutes(0));
        assert_eq!(p("2020-01-01T00:00:00-00:00").offset(), Offset::Minutes(0));
        assert_eq!(
            p("2020-01-01T00:00:00+05:30").offset(),
            Offset::Minutes(330)
        );
        assert_eq!(
            p("2020-01-01T00:00:00-14:00").offset(),
            Offset::Minutes(-840)
        );
        assert_eq!(
            p("2020-01-01T00:00:00-03:45").to_string(),
            "2020-01-01T00:00:00-03:45"
        );
        assert_eq!(
            p("2020-01-01T00:00:00-00:00").to_string(),
            "2020-01-01T00:00:00+00:00"
        );
        assert_eq!(
            kind("2020-01-01T00:00:00+14:01").0,
            DateTimeErrorKind::Offset
        );
        assert_eq!(
            kind("2020-01-01T00:00:00+15:00").0,
            DateTimeErrorKind::Offset
        );
        assert_eq!(
            kind("2020-01-01T00:00:00+01:60").0,
            DateTimeErrorKind::Offset
        );
        assert_eq!(
            kind("2020-01-01T00:00:00+0100").0,
            DateTimeErrorKind::UnexpectedCharacter
        );
        assert_eq!(
            kind("2020-01-01T00:00:00+01").0,
            DateTimeErrorKind::UnexpectedEnd
        );
    }

    #[test]
    fn fractions() {
        let t = p("2020-01-01T00:00:00.5Z");
        assert_eq!(t.nanos(), 500_000_000);
        assert_eq!(t.to_string(), "2020-01-01T00:00:00.5Z");
        assert_eq!(p("2020-01-01T00:00:00.000Z").nanos(), 0);
        assert_eq!(
            p("2020-01-01T00:00:00.000Z").to_string(),
            "2020-01-01T00:00:00Z"
        );
        assert_eq!(p("2020-01-01T00:00:00.123456789").nanos(), 123_456_789);
        assert_eq!(
            p("2020-01-01T00:00:00.000000001+01:00").to_string(),
            "2020-01-01T00:00:00.000000001+01:00"
        );
        // Digits past the ninth are dropped, not rounded.
        assert_eq!(p("2020-01-01T00:00:00.1234567899999Z").nanos(), 123_456_789);
        assert_eq!(
            kind("2020-01-01T00:00:00.Z"),
            (DateTimeErrorKind::UnexpectedCharacter, 20)
        );
        assert_eq!(
            kind("2020-01-01T00:00:00."),
            (DateTimeErrorKind::UnexpectedEnd, 20)
        );
    }

    #[test]
    fn whitespace_is_trimmed_and_offsets_count_it() {
        assert_eq!(
            p(" \n\t2020-01-01T00:00:00Z\r\n "),
            p("2020-01-01T00:00:00Z")
        );
        assert_eq!(
            kind("  2020-13-01T00:00:00Z"),
            (DateTimeErrorKind::Month, 7)
        );
        assert_eq!(
            kind("2020-01-01T00:00:00Z x"),
            (DateTimeErrorKind::TrailingCharacters, 20)
        );
    }

    #[test]
    fn calendar_checks() {
        assert!(DateTime::parse("2023-02-29T00:00:00Z").is_err());
        assert!(DateTime::parse("2000-02-29T00:00:00Z").is_ok());
        assert!(DateTime::parse("1900-02-29T00:00:00Z").is_err());
        assert!(DateTime::parse("2024-04-31T00:00:00Z").is_err());
        assert!(DateTime::parse("2024-12-31T00:00:00Z").is_ok());
        assert_eq!(kind("2024-04-31T00:00:00Z"), (DateTimeErrorKind::Day, 8));
        assert_eq!(kind("2024-04-00T00:00:00Z").0, DateTimeErrorKind::Day);
        assert_eq!(kind("2024-00-10T00:00:00Z").0, DateTimeErrorKind::Month);
        assert_eq!(kind("2024-01-10T24:00:00Z"), (DateTimeErrorKind::Hour, 11));
        assert_eq!(
            kind("2024-01-10T23:60:00Z"),
            (DateTimeErrorKind::Minute, 14)
        );
        assert_eq!(
            kind("2024-01-10T23:59:60Z"),
            (DateTimeErrorKind::Second, 17)
        );
        assert!(DateTime::parse("9999-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn interop_v7_malformed_values_are_errors() {
        assert_eq!(
            kind("2019-03-05T11:54::14"),
            (DateTimeErrorKind::UnexpectedCharacter, 17)
        );
        assert_eq!(kind("0000-00-00T00:00:00"), (DateTimeErrorKind::Year, 0));
        for bad in [
            "",
            "   ",
            "2019",
            "2019-03-05",
            "2019-03-05 11:54:14",
            "19-03-05T11:54:14",
            "-2019-03-05T11:54:14",
            "12019-03-05T11:54:14",
            "2019-3-05T11:54:14",
            "2019-03-05T1:54:14",
            "2019-03-05t11:54:14Z",
            "2019-03-05T11:54:14z",
            "２０19-03-05T11:54:14",
            "2019-03-05T11:54:14ZZ",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(kind("").0, DateTimeErrorKind::UnexpectedEnd);
    }

    #[test]
    fn relative_time() {
        let t = DateTime::relative(2 * 86_400 + 3 * 3600 + 4 * 60 + 5);
        assert_eq!(t.to_string(), "0001-01-03T03:04:05");
        assert!(t.is_relative());
        assert_eq!(
            t.relative_seconds(),
            Some(2 * 86_400 + 3 * 3600 + 4 * 60 + 5)
        );
        assert_eq!(t.to_unix(), None);
        assert_eq!(DateTime::relative(0).to_string(), "0001-01-01T00:00:00");
        // One non-leap year after boot is 0002-01-01.
        assert_eq!(
            DateTime::relative(365 * 86_400).to_string(),
            "0002-01-01T00:00:00"
        );
        assert_eq!(
            DateTime::MAX_RELATIVE_SECONDS as i64,
            (days_from_civil(1000, 1, 1) - UNIX_DAY_0001_01_01) * SECS_PER_DAY - 1
        );
        let max = DateTime::relative(u64::MAX);
        assert_eq!(max.to_string(), "0999-12-31T23:59:59");
        assert_eq!(max.relative_seconds(), Some(DateTime::MAX_RELATIVE_SECONDS));
        assert!(max.is_relative());
        // A zone, or a year ≥ 1000, makes it absolute.
        assert_eq!(p("0001-01-03T03:04:05Z").relative_seconds(), None);
        assert!(!p("1000-01-01T00:00:00").is_relative());
        assert!(p("0999-01-01T00:00:00").is_relative());
    }

    #[test]
    fn unix_conversions() {
        assert_eq!(
            DateTime::from_unix(0, Offset::Utc).unwrap().to_string(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(p("1970-01-01T00:00:00Z").to_unix(), Some(0));
        assert_eq!(p("2000-03-01T00:00:00Z").to_unix(), Some(951_868_800));
        assert_eq!(p("2038-01-19T03:14:08Z").to_unix(), Some(1 << 31));
        assert_eq!(p("1969-12-31T23:59:59Z").to_unix(), Some(-1));
        assert_eq!(
            p("2024-06-01T12:00:00+02:00").to_unix(),
            Some(1_717_236_000)
        );
        assert_eq!(p("2024-06-01T12:00:00").to_unix(), Some(1_717_243_200));
        assert_eq!(
            DateTime::from_unix(1_717_236_000, Offset::Minutes(120))
                .unwrap()
                .to_string(),
            "2024-06-01T12:00:00+02:00"
        );
        assert_eq!(
            DateTime::from_unix(-1, Offset::Minutes(-330))
                .unwrap()
                .to_string(),
            "1969-12-31T18:29:59-05:30"
        );
        assert_eq!(
            DateTime::UNKNOWN.to_unix(),
            Some(UNIX_DAY_0001_01_01 * SECS_PER_DAY)
        );
        assert_eq!(
            DateTime::from_unix(UNIX_DAY_0001_01_01 * SECS_PER_DAY, Offset::Utc),
            Some(DateTime::UNKNOWN)
        );
        assert_eq!(
            DateTime::from_unix(UNIX_DAY_0001_01_01 * SECS_PER_DAY - 1, Offset::Utc),
            None
        );
        assert_eq!(
            DateTime::from_unix((UNIX_DAY_9999_12_31 + 1) * SECS_PER_DAY, Offset::Utc),
            None
        );
        assert_eq!(DateTime::from_unix(i64::MAX, Offset::Minutes(840)), None);
        assert_eq!(DateTime::from_unix(i64::MIN, Offset::Utc), None);
        assert_eq!(DateTime::from_unix(0, Offset::Minutes(841)), None);
        assert_eq!(days_from_civil(9999, 12, 31), UNIX_DAY_9999_12_31);
        assert_eq!(days_from_civil(1, 1, 1), UNIX_DAY_0001_01_01);
    }

    #[test]
    fn constructors_check_ranges() {
        assert!(DateTime::new(0, 1, 1, 0, 0, 0).is_none());
        assert!(DateTime::new(10_000, 1, 1, 0, 0, 0).is_none());
        assert!(DateTime::new(2023, 2, 29, 0, 0, 0).is_none());
        assert!(DateTime::new(2023, 13, 1, 0, 0, 0).is_none());
        assert!(DateTime::new(2023, 1, 1, 24, 0, 0).is_none());
        let t = DateTime::new(2024, 2, 29, 1, 2, 3).unwrap();
        assert!(t.with_nanos(1_000_000_000).is_none());
        assert!(t.with_offset(Offset::Minutes(-841)).is_none());
        let t = t
            .with_nanos(120)
            .unwrap()
            .with_offset(Offset::Minutes(-60))
            .unwrap();
        assert_eq!(t.to_string(), "2024-02-29T01:02:03.00000012-01:00");
    }

    #[test]
    fn max_len_is_reached() {
        let t = p("2024-02-29T01:02:03.123456789-13:59");
        assert_eq!(t.to_string().len(), DateTime::MAX_LEN);
    }

    fn arb_datetime() -> impl Strategy<Value = DateTime> {
        (
            1u16..=9999,
            1u8..=12,
            1u8..=31,
            0u8..=23,
            0u8..=59,
            0u8..=59,
            prop_oneof![Just(0u32), 0u32..1_000_000_000],
            prop_oneof![
                Just(Offset::Utc),
                Just(Offset::Unspecified),
                (-840i16..=840).prop_map(Offset::Minutes)
            ],
        )
            .prop_map(|(y, mo, d, h, mi, s, n, o)| {
                let d = d.min(days_in_month(y, mo));
                DateTime::new(y, mo, d, h, mi, s)
                    .unwrap()
                    .with_nanos(n)
                    .unwrap()
                    .with_offset(o)
                    .unwrap()
            })
    }

    proptest! {
        /// The hand-written digits agree with `core::fmt`'s padding, field by field.
        #[test]
        fn format_into_is_the_fmt_form(t in arb_datetime()) {
            let mut want = std::format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            );
            if t.nanos != 0 {
                let digits = std::format!("{:09}", t.nanos);
                want.push('.');
                want.push_str(digits.trim_end_matches('0'));
            }
            match t.offset {
                Offset::Utc => want.push('Z'),
                Offset::Unspecified => {}
                Offset::Minutes(m) => want.push_str(&std::format!(
                    "{}{:02}:{:02}",
                    if m < 0 { '-' } else { '+' },
                    m.unsigned_abs() / 60,
                    m.unsigned_abs() % 60
                )),
            }
            let mut buf = [0; DateTime::MAX_LEN];
            prop_assert_eq!(t.format_into(&mut buf), want.as_str());
        }

        #[test]
        fn display_parse_round_trip(t in arb_datetime()) {
            let s = t.to_string();
            prop_assert!(s.len() <= DateTime::MAX_LEN);
            prop_assert_eq!(DateTime::parse(&s).unwrap(), t);
        }

        #[test]
        fn unix_round_trip(secs in (UNIX_DAY_0001_01_01 * SECS_PER_DAY + 900 * 60)..((UNIX_DAY_9999_12_31 + 1) * SECS_PER_DAY - 900 * 60),
                           off in -840i16..=840) {
            let t = DateTime::from_unix(secs, Offset::Minutes(off)).unwrap();
            prop_assert_eq!(t.to_unix(), Some(secs));
            let u = DateTime::from_unix(secs, Offset::Utc).unwrap();
            prop_assert_eq!(u.to_unix(), Some(secs));
        }

        #[test]
        fn relative_round_trip(secs in 0u64..=DateTime::MAX_RELATIVE_SECONDS) {
            prop_assert_eq!(DateTime::relative(secs).relative_seconds(), Some(secs));
        }

        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,40}") {
            let _ = DateTime::parse(&s);
        }

        #[test]
        fn near_valid_input_never_panics(s in "[0-9:T.Z+ -]{0,40}") {
            if let Ok(t) = DateTime::parse(&s) {
                let again: String = t.to_string();
                prop_assert_eq!(DateTime::parse(&again).unwrap(), t);
            }
        }
    }
}
