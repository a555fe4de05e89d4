//! Values against their schema type (§A.2.1, Table 12): the SetParameterValues type check
//! (9006 wrong type, 9007 out of range or malformed) and the fingerprint the agent keeps to
//! see a value change (§3.2.1 `4 VALUE CHANGE`) without storing the value.

use core::fmt::{self, Write as _};

use cwmp_codec::{DateTime, FaultCode, Value, XmlStr};

use super::model::ParamType;

const TYPE: FaultCode = FaultCode::INVALID_PARAMETER_TYPE;
const VALUE: FaultCode = FaultCode::INVALID_PARAMETER_VALUE;

/// `value` (as decoded from a ParameterValueStruct) as a value of type `ty`, range-checked.
/// A value sent as `xsd:string` (or without `xsi:type`) for a typed Parameter is read as that
/// type (INTEROP: some ACSs send every value as a string); integers of another width are
/// accepted when in range.
///
/// # Errors
///
/// 9006 when the value is of another type, 9007 when it is malformed or out of range
/// (ranges, string and base64 lengths, dateTime form, boolean `0`/`1`/`true`/`false`).
pub fn check<'v>(ty: &ParamType, value: &Value<'v>) -> Result<Value<'v>, FaultCode> {
    match *ty {
        ParamType::String { max } => match value {
            Value::String(s) => {
                if chars(s) > max as usize {
                    return Err(VALUE);
                }
                Ok(*value)
            }
            _ => Err(TYPE),
        },
        ParamType::Int { min, max } => {
            let v = integer(value, "int")?;
            let v = i32::try_from(v).map_err(|_| VALUE)?;
            if v < min || v > max {
                return Err(VALUE);
            }
            Ok(Value::Int(v))
        }
        ParamType::UnsignedInt { min, max } => {
            let v = integer(value, "unsignedInt")?;
            let v = u32::try_from(v).map_err(|_| VALUE)?;
            if v < min || v > max {
                return Err(VALUE);
            }
            Ok(Value::UnsignedInt(v))
        }
        ParamType::Long { min, max } => {
            let v = integer(value, "long")?;
            let v = i64::try_from(v).map_err(|_| VALUE)?;
            if v < min || v > max {
                return Err(VALUE);
            }
            Ok(Value::Long(v))
        }
        ParamType::UnsignedLong { min, max } => {
            let v = integer(value, "unsignedLong")?;
            let v = u64::try_from(v).map_err(|_| VALUE)?;
            if v < min || v > max {
                return Err(VALUE);
            }
            Ok(Value::UnsignedLong(v))
        }
        ParamType::Boolean => match value {
            Value::Boolean(b) => Ok(Value::Boolean(*b)),
            Value::String(s) => parse_text(s, |t| match t {
                "1" | "true" => Some(Value::Boolean(true)),
                "0" | "false" => Some(Value::Boolean(false)),
                _ => None,
            }),
            Value::Other { type_name, .. } if *type_name == "boolean" => Err(VALUE),
            _ => Err(TYPE),
        },
        ParamType::DateTime => match value {
            Value::DateTime(d) => Ok(Value::DateTime(*d)),
            Value::String(s) => parse_text(s, |t| DateTime::parse(t).ok().map(Value::DateTime)),
            Value::Other { type_name, .. } if *type_name == "dateTime" => Err(VALUE),
            _ => Err(TYPE),
        },
        ParamType::Base64 { max } => match value {
            Value::Base64(s) | Value::String(s) => {
                let text = s.trim();
                let n = text.chars().filter(|c| !c.is_ascii_whitespace()).count();
                if n % 4 != 0 || text.chars().any(|c| !is_base64(c)) {
                    return Err(VALUE);
                }
                let pad = text.chars().filter(|&c| c == '=').count();
                let decoded = (n / 4).saturating_mul(3).saturating_sub(pad);
                if decoded > max as usize {
                    return Err(VALUE);
                }
                Ok(Value::Base64(*s))
            }
            _ => Err(TYPE),
        },
        ParamType::HexBinary { max } => match value {
            Value::HexBinary(s) | Value::String(s) => {
                let text = s.trim();
                let n = text.chars().count();
                if n % 2 != 0 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(VALUE);
                }
                if n / 2 > max as usize {
                    return Err(VALUE);
                }
                Ok(Value::HexBinary(*s))
            }
            _ => Err(TYPE),
        },
    }
}

fn is_base64(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') || c.is_ascii_whitespace()
}

fn chars(s: &XmlStr<'_>) -> usize {
    s.chars().count()
}

fn parse_text<'v>(
    s: &XmlStr<'v>,
    f: impl FnOnce(&str) -> Option<Value<'v>>,
) -> Result<Value<'v>, FaultCode> {
    let mut scratch = [0u8; 48];
    let t = s.trim().to_str(&mut scratch).ok_or(VALUE)?;
    f(t).ok_or(VALUE)
}

/// Any integer value (or a string holding one) as i128; `Other` of the same type name is a
/// malformed number (9007), any other type 9006.
fn integer(value: &Value<'_>, type_name: &str) -> Result<i128, FaultCode> {
    match *value {
        Value::Int(v) => Ok(i128::from(v)),
        Value::UnsignedInt(v) => Ok(i128::from(v)),
        Value::Long(v) => Ok(i128::from(v)),
        Value::UnsignedLong(v) => Ok(i128::from(v)),
        Value::String(s) => {
            let mut scratch = [0u8; 48];
            let t = s.trim().to_str(&mut scratch).ok_or(VALUE)?;
            t.parse::<i128>().map_err(|_| VALUE)
        }
        Value::Other { type_name: t, .. }
            if t == type_name || matches!(t, "int" | "unsignedInt" | "long" | "unsignedLong") =>
        {
            Err(VALUE)
        }
        _ => Err(TYPE),
    }
}

/// A 32-bit FNV-1a fingerprint of a value's text (its `Display`), what the agent compares to
/// see a change (§3.2.1; a collision only hides one change).
pub fn fingerprint(value: &Value<'_>) -> u32 {
    let mut h = Fnv(0x811c_9dc5);
    let _ = write!(h, "{value}");
    h.0
}

struct Fnv(u32);
impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        Ok(())
    }
}
