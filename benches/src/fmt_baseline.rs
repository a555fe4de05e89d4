//! The encode baseline of issue 12: the same bytes as `Envelope::encode` writes for the bench
//! fixtures, written by hand through a plain [`core::fmt::Write`] into a fixed buffer.
//!
//! It is what a firmware author would write without this crate: `write_str` of literal tags
//! and names (no format strings for them), `write!` of integers and dates, an escape loop that
//! writes a string whole when none of the five characters to escape is in it and otherwise
//! copies the runs between them. It knows only the four fixture messages; a test checks that it writes
//! byte for byte what our encoder writes.

use core::fmt::{self, Write};

use cwmp_codec::datetime::Offset;
use cwmp_codec::{Body, DateTimeValue, Envelope, Value, XmlStr};

/// A `fmt::Write` into a caller's buffer; fails when full.
pub struct FixedBuf<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> FixedBuf<'b> {
    /// Writes into `buf` from its start.
    pub fn new(buf: &'b mut [u8]) -> Self {
        FixedBuf { buf, len: 0 }
    }
    /// The bytes written.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Write for FixedBuf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Text content or an attribute value, with `& < > " '` replaced by their references (what
/// the encoder does for strings, TR-069 §3.4.1's escaping).
fn escaped(w: &mut impl Write, s: &str) -> fmt::Result {
    if !s
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        return w.write_str(s);
    }
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let r = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            _ => continue,
        };
        w.write_str(&s[start..i])?;
        w.write_str(r)?;
        start = i + 1;
    }
    w.write_str(&s[start..])
}

fn text(w: &mut impl Write, s: &XmlStr<'_>) -> fmt::Result {
    // The fixtures' strings are built from `&str` (no markup to keep).
    escaped(w, s.raw())
}

fn element(w: &mut impl Write, name: &str, s: &XmlStr<'_>) -> fmt::Result {
    w.write_str("<")?;
    w.write_str(name)?;
    if s.is_empty() {
        return w.write_str("/>");
    }
    w.write_str(">")?;
    text(w, s)?;
    w.write_str("</")?;
    w.write_str(name)?;
    w.write_str(">")
}

fn datetime(w: &mut impl Write, d: &cwmp_codec::datetime::DateTime) -> fmt::Result {
    write!(
        w,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )?;
    match d.offset() {
        Offset::Utc => w.write_str("Z"),
        Offset::Minutes(m) => {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            write!(w, "{sign}{:02}:{:02}", m / 60, m % 60)
        }
        _ => Err(fmt::Error),
    }
}

fn value(w: &mut impl Write, v: &Value<'_>) -> fmt::Result {
    match v {
        Value::String(s) => {
            w.write_str("<Value xsi:type=\"xsd:string\">")?;
            text(w, s)?;
        }
        Value::Boolean(b) => {
            w.write_str("<Value xsi:type=\"xsd:boolean\">")?;
            w.write_str(if *b { "1" } else { "0" })?;
        }
        Value::UnsignedInt(n) => write!(w, "<Value xsi:type=\"xsd:unsignedInt\">{n}")?,
        Value::DateTime(d) => {
            w.write_str("<Value xsi:type=\"xsd:dateTime\">")?;
            datetime(w, d)?;
        }
        _ => return Err(fmt::Error),
    }
    w.write_str("</Value>")
}

fn parameter_values<'a>(
    w: &mut impl Write,
    list: impl ExactSizeIterator<Item = cwmp_codec::message::ParameterValueStruct<'a>>,
) -> fmt::Result {
    write!(
        w,
        "<ParameterList soap-enc:arrayType=\"cwmp:ParameterValueStruct[{}]\">",
        list.len()
    )?;
    for p in list {
        w.write_str("<ParameterValueStruct>")?;
        element(w, "Name", &p.name)?;
        value(w, p.value.as_ref().ok_or(fmt::Error)?)?;
        w.write_str("</ParameterValueStruct>")?;
    }
    w.write_str("</ParameterList>")
}

/// Writes `env` (one of the bench fixtures) as our encoder does. `Err` for anything else.
pub fn write_envelope(w: &mut impl Write, env: &Envelope<'_>) -> fmt::Result {
    w.write_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">")?;
    if let Some(id) = &env.header.id {
        w.write_str("<soap-env:Header><cwmp:ID soap-env:mustUnderstand=\"1\">")?;
        text(w, id)?;
        w.write_str("</cwmp:ID></soap-env:Header>")?;
    }
    w.write_str("<soap-env:Body>")?;
    match &env.body {
        Body::Inform(m) => {
            w.write_str("<cwmp:Inform><DeviceId>")?;
            element(w, "Manufacturer", &m.device_id.manufacturer)?;
            element(w, "OUI", &m.device_id.oui)?;
            element(w, "ProductClass", &m.device_id.product_class)?;
            element(w, "SerialNumber", &m.device_id.serial_number)?;
            write!(
                w,
                "</DeviceId><Event soap-enc:arrayType=\"cwmp:EventStruct[{}]\">",
                m.event.len()
            )?;
            for e in m.event.iter() {
                w.write_str("<EventStruct><EventCode>")?;
                escaped(w, e.event_code.as_str())?;
                w.write_str("</EventCode>")?;
                element(w, "CommandKey", &e.command_key)?;
                w.write_str("</EventStruct>")?;
            }
            write!(
                w,
                "</Event><MaxEnvelopes>{}</MaxEnvelopes>",
                m.max_envelopes
            )?;
            w.write_str("<CurrentTime>")?;
            match &m.current_time {
                DateTimeValue::Valid(d) => datetime(w, d)?,
                _ => return Err(fmt::Error),
            }
            write!(
                w,
                "</CurrentTime><RetryCount>{}</RetryCount>",
                m.retry_count
            )?;
            parameter_values(w, m.parameter_list.iter())?;
            w.write_str("</cwmp:Inform>")?;
        }
        Body::GetParameterValuesResponse(m) => {
            w.write_str("<cwmp:GetParameterValuesResponse>")?;
            parameter_values(w, m.parameter_list.iter())?;
            w.write_str("</cwmp:GetParameterValuesResponse>")?;
        }
        Body::SetParameterValues(m) => {
            w.write_str("<cwmp:SetParameterValues>")?;
            parameter_values(w, m.parameter_list.iter())?;
            element(w, "ParameterKey", &m.parameter_key)?;
            w.write_str("</cwmp:SetParameterValues>")?;
        }
        Body::GetParameterNamesResponse(m) => {
            write!(
                w,
                "<cwmp:GetParameterNamesResponse><ParameterList soap-enc:arrayType=\"cwmp:ParameterInfoStruct[{}]\">",
                m.parameter_list.len()
            )?;
            for p in m.parameter_list.iter() {
                w.write_str("<ParameterInfoStruct>")?;
                element(w, "Name", &p.name)?;
                w.write_str(if p.writable {
                    "<Writable>1</Writable>"
                } else {
                    "<Writable>0</Writable>"
                })?;
                w.write_str("</ParameterInfoStruct>")?;
            }
            w.write_str("</ParameterList></cwmp:GetParameterNamesResponse>")?;
        }
        _ => return Err(fmt::Error),
    }
    w.write_str("</soap-env:Body></soap-env:Envelope>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{with_envelope, Fixture};

    #[test]
    fn writes_what_our_encoder_writes() {
        for f in Fixture::ALL {
            let ours = f.bytes();
            let mut buf = vec![0u8; ours.len()];
            with_envelope(f, |env| {
                let mut w = FixedBuf::new(&mut buf);
                write_envelope(&mut w, env).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(w.written()),
                    String::from_utf8_lossy(&ours),
                    "{}",
                    f.name()
                );
            });
        }
    }
}
