//! The `inspect` tool's logic: decoded CWMP messages as stable `path = value` text.

use std::fmt::Display;

use cwmp_codec::{decode, CwmpNamespace, Visitor};

/// A [`Visitor`] that prints `path = value` lines.
pub struct Lines<'o> {
    path: Vec<String>,
    out: &'o mut dyn std::io::Write,
}

impl<'o> Lines<'o> {
    /// Lines written to `out`.
    pub fn new(out: &'o mut dyn std::io::Write) -> Self {
        Lines {
            path: Vec::new(),
            out,
        }
    }
}

impl Visitor for Lines<'_> {
    fn enter(&mut self, name: &str) {
        self.path.push(name.to_string());
    }
    fn enter_index(&mut self, index: usize) {
        if let Some(last) = self.path.last_mut() {
            last.push_str(&format!("[{index}]"));
        }
        // A marker so `leave` knows to strip the index again.
        self.path.push(String::new());
    }
    fn leave(&mut self) {
        if self.path.pop().is_some_and(|p| p.is_empty()) {
            if let Some(last) = self.path.last_mut() {
                if let Some(i) = last.rfind('[') {
                    last.truncate(i);
                }
            }
        }
    }
    fn value(&mut self, value: &dyn Display) {
        let path: Vec<&str> = self
            .path
            .iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect();
        let text = value.to_string();
        // One line per field, whatever the value holds.
        let text = text
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        let _ = writeln!(self.out, "{} = {}", path.join("."), text);
    }
}

/// The body of an HTTP message, or the input itself when it is not one.
pub fn envelope_bytes(input: &[u8]) -> &[u8] {
    let starts_http =
        input.starts_with(b"HTTP/") || input.starts_with(b"POST ") || input.starts_with(b"GET ");
    if !starts_http {
        return input;
    }
    let end = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| input.windows(2).position(|w| w == b"\n\n").map(|i| i + 2));
    match end {
        Some(i) => &input[i..],
        None => &[],
    }
}

fn version(ns: CwmpNamespace) -> String {
    let v = match ns {
        CwmpNamespace::V1_0 => "1.0",
        CwmpNamespace::V1_1 => "1.1",
        CwmpNamespace::V1_2 => "1.2",
        CwmpNamespace::V1_3NonStandard => "1.3 (non-standard namespace)",
        CwmpNamespace::V1_4NonStandard => "1.4 (non-standard namespace)",
    };
    format!("{v} ({})", ns.uri())
}

/// Decodes `bytes` (an envelope, or an HTTP message carrying one) and writes the `inspect`
/// text (or, with `reencode`, the canonical XML) to `out`.
///
/// # Errors
/// `error: <kind> at byte <offset>` when the message does not decode.
pub fn inspect(bytes: &[u8], reencode: bool, out: &mut dyn std::io::Write) -> Result<(), String> {
    let env = decode(envelope_bytes(bytes))
        .map_err(|e| format!("error: {:?} at byte {}", e.kind, e.offset))?;
    if reencode {
        let mut xml = Vec::with_capacity(env.encoded_len().map_err(|e| e.to_string())?);
        env.encode(&mut xml).map_err(|e| e.to_string())?;
        out.write_all(&xml).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let _ = writeln!(out, "method: {}", env.body.method_name());
    let _ = writeln!(out, "cwmp-ns: {}", version(env.cwmp_ns));
    if let Some(d) = env.schema_deviation {
        let _ = writeln!(out, "schema-deviation: {:?} at byte {}", d.kind, d.offset);
    }
    let mut lines = Lines::new(out);
    env.visit(&mut lines);
    Ok(())
}
