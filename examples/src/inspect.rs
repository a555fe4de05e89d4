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

/// The envelope in `input`: the body of an HTTP request or response (framed by
/// Content-Length, chunked, or until the end of the file), or the input itself when it is not
/// an HTTP message.
///
/// # Errors
/// A message whose head or body framing is malformed.
pub fn envelope_bytes(input: &[u8]) -> Result<Vec<u8>, String> {
    use cwmp_codec::http::body::{BodyDecoder, BodyStatus, Framing};
    use cwmp_codec::http::request::RequestHead;
    use cwmp_codec::http::response::ResponseHead;
    use cwmp_codec::http::{Status, EMPTY_HEADER};

    let is_response = input.starts_with(b"HTTP/");
    let is_request = [&b"POST "[..], b"GET ", b"PUT "]
        .iter()
        .any(|m| input.starts_with(m));
    if !is_response && !is_request {
        return Ok(input.to_vec());
    }
    let mut headers = [EMPTY_HEADER; 64];
    let (head_len, framing) = if is_response {
        match ResponseHead::parse(input, &mut headers)
            .map_err(|e| format!("error: HTTP head: {e}"))?
        {
            Status::Complete(h) => (h.head_len, h.framing()),
            Status::Partial => return Err("error: HTTP head is incomplete".into()),
        }
    } else {
        match RequestHead::parse(input, &mut headers)
            .map_err(|e| format!("error: HTTP head: {e}"))?
        {
            Status::Complete(h) => (h.head_len, h.framing()),
            Status::Partial => return Err("error: HTTP head is incomplete".into()),
        }
    };
    // A request without length fields in a capture file: take the rest of the file.
    let framing = match framing {
        Framing::Empty if !is_response && input.len() > head_len => Framing::UntilClose,
        f => f,
    };
    let mut body = input[head_len..].to_vec();
    let received = body.len();
    let mut decoder = BodyDecoder::new(framing);
    match decoder
        .feed(&mut body, received)
        .map_err(|e| format!("error: HTTP body: {e}"))?
    {
        BodyStatus::Complete { len, .. } => body.truncate(len),
        BodyStatus::Partial => {
            let len = decoder
                .eof()
                .map_err(|e| format!("error: HTTP body: {e}"))?;
            body.truncate(len);
        }
    }
    Ok(body)
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
    let body = envelope_bytes(bytes)?;
    let env = decode(&body).map_err(|e| format!("error: {:?} at byte {}", e.kind, e.offset))?;
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
    if env.schema_deviation_count > 1 {
        if let Some(d) = env.last_schema_deviation {
            let _ = writeln!(
                out,
                "schema-deviations: {} (last: {:?} at byte {})",
                env.schema_deviation_count, d.kind, d.offset
            );
        }
    }
    let mut lines = Lines::new(out);
    env.visit(&mut lines);
    Ok(())
}
