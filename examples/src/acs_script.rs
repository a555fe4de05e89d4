//! The script format of the `acs` example, and one-line summaries of CWMP messages for its log.
//!
//! A script is a text file of ACS requests, one a line, sent in order to each CPE that
//! connects: [`SCRIPT_FORMAT`] (also printed by `cargo run --example acs -- --help`) is the
//! format; `examples/scripts/basic.acs` a sample.
//!
//! The parsed requests borrow strings leaked for the life of the program (`'static`): a script
//! is read once at start-up.

use std::fmt::Write as _;

use cwmp_codec::message::{
    AddObject, CancelTransfer, DeleteObject, Download, FactoryReset, GetAllQueuedTransfers,
    GetParameterAttributes, GetParameterNames, GetParameterValues, GetQueuedTransfers,
    GetRPCMethods, ParameterValueStruct, Reboot, ScheduleInform, SetParameterAttributes,
    SetParameterAttributesStruct, SetParameterValues, Upload,
};
use cwmp_codec::{Array, Body, DownloadFileType, UploadFileType, Value, XmlStr};

/// The script format, as `acs --help` prints it.
pub const SCRIPT_FORMAT: &str = "\
Script format (--script FILE):
  One ACS request a line, sent in order in every Session (each Session of each CPE starts
  the script again), up to 8 queued at a time; a request the CPE answers with a fault does
  not stop the script. Blank lines and lines starting with # are ignored. Tokens are
  separated by spaces; a token with spaces is written in double quotes
  (\"3 Vendor Configuration File\").

  GetRPCMethods
  GetParameterNames PATH [NEXTLEVEL]            NEXTLEVEL: 0 (default) or 1
  GetParameterValues NAME...
  SetParameterValues NAME=VALUE[:TYPE]... [key=PARAMETERKEY]
                                                TYPE: string (default), int, unsignedInt,
                                                long, unsignedLong, boolean, dateTime,
                                                base64, hexBinary; `xsd:` prefix optional
  GetParameterAttributes NAME...
  SetParameterAttributes NAME NOTIFICATION      NOTIFICATION: 0 off, 1 passive, 2 active
  AddObject OBJECT. [PARAMETERKEY]
  DeleteObject OBJECT.N. [PARAMETERKEY]
  Reboot [COMMANDKEY]
  FactoryReset
  Download COMMANDKEY URL [FILETYPE [USERNAME PASSWORD]]
                                                FILETYPE: 1..6 or the full text;
                                                default 1 (Firmware Upgrade Image)
  Upload COMMANDKEY URL [FILETYPE [USERNAME PASSWORD]]
                                                FILETYPE: 1, 2 or the full text; default
                                                1 (Vendor Configuration File)
  ScheduleInform DELAYSECONDS [COMMANDKEY]
  CancelTransfer COMMANDKEY
  GetQueuedTransfers
  GetAllQueuedTransfers

  Example (more in examples/scripts/basic.acs):
    GetParameterNames Device.DeviceInfo. 1
    SetParameterValues Device.ManagementServer.PeriodicInformInterval=3600:xsd:unsignedInt key=k1
    AddObject Device.NAT.PortMapping. k2
    Download fw-2 http://127.0.0.1:8080/image.bin";

/// One request of a script.
#[derive(Debug, Clone)]
pub struct ScriptLine {
    /// Line number (from 1).
    pub line: usize,
    /// The request.
    pub body: Body<'static>,
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_slice<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

/// Splits a line into tokens: spaces separate, double quotes group.
fn tokens(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    if any {
        out.push(cur);
    }
    Ok(out)
}

fn flag(s: &str) -> Result<bool, String> {
    match s {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("expected 0 or 1, got {s:?}")),
    }
}

fn typed_value(v: &'static str, ty: &str) -> Result<Value<'static>, String> {
    let bad = |_| format!("{v:?} is not a valid {ty}");
    Ok(match ty {
        "string" => Value::string(v),
        "int" => Value::Int(v.parse().map_err(bad)?),
        "unsignedInt" => Value::UnsignedInt(v.parse().map_err(bad)?),
        "long" => Value::Long(v.parse().map_err(bad)?),
        "unsignedLong" => Value::UnsignedLong(v.parse().map_err(bad)?),
        "boolean" => Value::Boolean(flag(v)?),
        "dateTime" => Value::Other {
            type_name: "dateTime",
            text: XmlStr::new(v),
        },
        "base64" => Value::Base64(XmlStr::new(v)),
        "hexBinary" => Value::HexBinary(XmlStr::new(v)),
        _ => return Err(format!("unknown type {ty:?}")),
    })
}

const TYPES: &[&str] = &[
    "string",
    "int",
    "unsignedInt",
    "long",
    "unsignedLong",
    "boolean",
    "dateTime",
    "base64",
    "hexBinary",
];

/// `NAME=VALUE[:TYPE]`.
fn parameter(tok: &str) -> Result<ParameterValueStruct<'static>, String> {
    let (name, rest) = tok
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {tok:?}"))?;
    let (value, ty) = match rest.rsplit_once(':') {
        Some((v, t)) if TYPES.contains(&t) => (v.strip_suffix(":xsd").unwrap_or(v), t),
        _ => (rest, "string"),
    };
    Ok(ParameterValueStruct::new(
        leak(name),
        typed_value(leak(value), ty)?,
    ))
}

fn names(args: &[String]) -> Array<'static, XmlStr<'static>> {
    Array::new(leak_slice(
        args.iter().map(|a| XmlStr::new(leak(a))).collect(),
    ))
}

fn download_type(s: Option<&String>) -> DownloadFileType<'static> {
    let text = match s.map(String::as_str) {
        None | Some("1") => "1 Firmware Upgrade Image",
        Some("2") => "2 Web Content",
        Some("3") => "3 Vendor Configuration File",
        Some("4") => "4 Tone File",
        Some("5") => "5 Ringer File",
        Some("6") => "6 Stored Firmware Image",
        Some(other) => leak(other),
    };
    DownloadFileType::parse(text)
}

fn upload_type(s: Option<&String>) -> UploadFileType<'static> {
    let text = match s.map(String::as_str) {
        None | Some("1") => "1 Vendor Configuration File",
        Some("2") => "2 Vendor Log File",
        Some(other) => leak(other),
    };
    UploadFileType::parse(text)
}

/// Parses one request line (without comments).
pub fn parse_line(line: &str) -> Result<Option<Body<'static>>, String> {
    let toks = tokens(line)?;
    let Some((method, args)) = toks.split_first() else {
        return Ok(None);
    };
    let arg = |i: usize| args.get(i).map(|s| leak(s)).unwrap_or("");
    let need = |n: usize| {
        if args.len() < n {
            Err(format!("{method} needs at least {n} argument(s)"))
        } else {
            Ok(())
        }
    };
    let body: Body<'static> = match method.as_str() {
        "GetRPCMethods" => GetRPCMethods {}.into(),
        "GetParameterNames" => {
            need(1)?;
            GetParameterNames {
                parameter_path: XmlStr::new(arg(0)),
                next_level: args.get(1).map(|s| flag(s)).transpose()?.unwrap_or(false),
            }
            .into()
        }
        "GetParameterValues" => {
            need(1)?;
            GetParameterValues {
                parameter_names: names(args),
            }
            .into()
        }
        "GetParameterAttributes" => {
            need(1)?;
            GetParameterAttributes {
                parameter_names: names(args),
            }
            .into()
        }
        "SetParameterValues" => {
            need(1)?;
            let mut key = "";
            let mut list = Vec::new();
            for a in args {
                match a.strip_prefix("key=") {
                    Some(k) => key = leak(k),
                    None => list.push(parameter(a)?),
                }
            }
            SetParameterValues {
                parameter_list: Array::new(leak_slice(list)),
                parameter_key: XmlStr::new(key),
            }
            .into()
        }
        "SetParameterAttributes" => {
            need(2)?;
            let notification: i32 = args[1]
                .parse()
                .map_err(|_| format!("bad notification {:?}", args[1]))?;
            SetParameterAttributes {
                parameter_list: Array::new(leak_slice(vec![SetParameterAttributesStruct {
                    name: XmlStr::new(arg(0)),
                    notification_change: true,
                    notification,
                    access_list_change: false,
                    access_list: Array::empty(),
                }])),
            }
            .into()
        }
        "AddObject" => {
            need(1)?;
            AddObject {
                object_name: XmlStr::new(arg(0)),
                parameter_key: XmlStr::new(arg(1)),
            }
            .into()
        }
        "DeleteObject" => {
            need(1)?;
            DeleteObject {
                object_name: XmlStr::new(arg(0)),
                parameter_key: XmlStr::new(arg(1)),
            }
            .into()
        }
        "Reboot" => Reboot {
            command_key: XmlStr::new(arg(0)),
        }
        .into(),
        "FactoryReset" => FactoryReset {}.into(),
        "Download" => {
            need(2)?;
            Download {
                command_key: XmlStr::new(arg(0)),
                file_type: download_type(args.get(2)),
                url: XmlStr::new(arg(1)),
                username: XmlStr::new(arg(3)),
                password: XmlStr::new(arg(4)),
                file_size: 0.into(),
                target_file_name: XmlStr::new(""),
                delay_seconds: 0,
                success_url: XmlStr::new(""),
                failure_url: XmlStr::new(""),
            }
            .into()
        }
        "Upload" => {
            need(2)?;
            Upload {
                command_key: XmlStr::new(arg(0)),
                file_type: upload_type(args.get(2)),
                url: XmlStr::new(arg(1)),
                username: XmlStr::new(arg(3)),
                password: XmlStr::new(arg(4)),
                delay_seconds: 0,
            }
            .into()
        }
        "ScheduleInform" => {
            need(1)?;
            ScheduleInform {
                delay_seconds: args[0]
                    .parse()
                    .map_err(|_| format!("bad delay {:?}", args[0]))?,
                command_key: XmlStr::new(arg(1)),
            }
            .into()
        }
        "CancelTransfer" => {
            need(1)?;
            CancelTransfer {
                command_key: XmlStr::new(arg(0)),
            }
            .into()
        }
        "GetQueuedTransfers" => GetQueuedTransfers {}.into(),
        "GetAllQueuedTransfers" => GetAllQueuedTransfers {}.into(),
        other => return Err(format!("unknown request {other:?}")),
    };
    Ok(Some(body))
}

/// Parses a whole script. Errors name the line.
pub fn parse(text: &str) -> Result<Vec<ScriptLine>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok(Some(body)) => out.push(ScriptLine { line: i + 1, body }),
            Ok(None) => {}
            Err(e) => return Err(format!("line {}: {e}", i + 1)),
        }
    }
    Ok(out)
}

fn value_text(v: &Option<Value<'_>>) -> String {
    match v {
        None => "(no value)".into(),
        Some(v) => match v.as_xml_str() {
            Some(s) => format!("{s} ({})", v.type_name()),
            None => format!("{} ({})", display_value(v), v.type_name()),
        },
    }
}

fn display_value(v: &Value<'_>) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UnsignedInt(i) => i.to_string(),
        Value::Long(i) => i.to_string(),
        Value::UnsignedLong(i) => i.to_string(),
        Value::Boolean(b) => u8::from(*b).to_string(),
        Value::DateTime(d) => d.to_string(),
        other => format!("{other:?}"),
    }
}

/// A readable summary of a message: its method and key fields, one item per line after the
/// first (indented).
pub fn summarize(body: &Body<'_>) -> String {
    let mut s = body.method_name().to_string();
    let mut item = |text: String| {
        let _ = write!(s, "\n    {text}");
    };
    match body {
        Body::Inform(i) => {
            let d = &i.device_id;
            item(format!(
                "DeviceId: {} {} {} {}",
                d.manufacturer, d.oui, d.product_class, d.serial_number
            ));
            for e in i.event.iter() {
                item(format!(
                    "Event: {:?} CommandKey={:?}",
                    e.event_code.as_str(),
                    e.command_key.raw()
                ));
            }
            item(format!("RetryCount: {}", i.retry_count));
            for p in i.parameter_list.iter() {
                item(format!("{} = {}", p.name, value_text(&p.value)));
            }
        }
        Body::GetParameterValuesResponse(r) => {
            for p in r.parameter_list.iter() {
                item(format!("{} = {}", p.name, value_text(&p.value)));
            }
        }
        Body::GetParameterNamesResponse(r) => {
            for p in r.parameter_list.iter() {
                item(format!(
                    "{} ({})",
                    p.name,
                    if p.writable { "W" } else { "R" }
                ));
            }
        }
        Body::GetParameterAttributesResponse(r) => {
            for p in r.parameter_list.iter() {
                item(format!("{} notification={}", p.name, p.notification));
            }
        }
        Body::GetRPCMethodsResponse(r) => {
            let list: Vec<String> = r.method_list.iter().map(|m| m.to_string()).collect();
            item(list.join(", "));
        }
        Body::SetParameterValuesResponse(r) => item(format!("Status: {}", r.status)),
        Body::AddObjectResponse(r) => item(format!(
            "InstanceNumber: {}, Status: {}",
            r.instance_number, r.status
        )),
        Body::DeleteObjectResponse(r) => item(format!("Status: {}", r.status)),
        Body::DownloadResponse(r) => item(format!("Status: {}", r.status)),
        Body::UploadResponse(r) => item(format!("Status: {}", r.status)),
        Body::TransferComplete(t) => item(format!(
            "CommandKey={:?} FaultCode={} {}",
            t.command_key.raw(),
            t.fault_struct.fault_code,
            t.fault_struct.fault_string
        )),
        Body::AutonomousTransferComplete(t) => item(format!(
            "{} {} FaultCode={}",
            t.file_type, t.transfer_url, t.fault_struct.fault_code
        )),
        Body::RequestDownload(r) => item(format!("FileType: {}", r.file_type.as_str())),
        Body::Kicked(k) => item(format!("Command={} Next={}", k.command, k.next)),
        Body::Fault(f) => {
            item(format!(
                "FaultCode {}: {}",
                f.code(),
                f.detail
                    .fault_string
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            ));
            for p in f.detail.set_parameter_values_fault.iter() {
                item(format!(
                    "{}: {} {}",
                    p.parameter_name,
                    p.fault_code,
                    p.fault_string.map(|s| s.to_string()).unwrap_or_default()
                ));
            }
        }
        // Requests the ACS sends.
        Body::GetParameterValues(g) => {
            for n in g.parameter_names.iter() {
                item(n.to_string());
            }
        }
        Body::GetParameterAttributes(g) => {
            for n in g.parameter_names.iter() {
                item(n.to_string());
            }
        }
        Body::GetParameterNames(g) => item(format!(
            "ParameterPath={:?} NextLevel={}",
            g.parameter_path.raw(),
            u8::from(g.next_level)
        )),
        Body::SetParameterValues(p) => {
            for v in p.parameter_list.iter() {
                item(format!("{} = {}", v.name, value_text(&v.value)));
            }
        }
        Body::AddObject(a) => item(a.object_name.to_string()),
        Body::DeleteObject(a) => item(a.object_name.to_string()),
        Body::Reboot(r) => item(format!("CommandKey={:?}", r.command_key.raw())),
        Body::Download(d) => item(format!(
            "CommandKey={:?} {} {}",
            d.command_key.raw(),
            d.file_type.as_str(),
            d.url
        )),
        Body::Upload(d) => item(format!("CommandKey={:?} {}", d.command_key.raw(), d.url)),
        Body::ScheduleInform(d) => item(format!("DelaySeconds={}", d.delay_seconds)),
        _ => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_script_parses() {
        let text = include_str!("../scripts/basic.acs");
        let lines = parse(text).unwrap();
        assert!(lines.len() >= 5);
        assert_eq!(lines[0].body.method_name(), "GetParameterNames");
    }

    #[test]
    fn every_request_kind() {
        let text = r#"
            # comment
            GetRPCMethods
            GetParameterNames Device. 1
            GetParameterValues Device.DeviceInfo.SoftwareVersion Device.DeviceInfo.UpTime
            SetParameterValues Device.X=1:xsd:string Device.Y=7:unsignedInt "Device.Z=a b" key=k1
            GetParameterAttributes Device.X
            SetParameterAttributes Device.X 2
            AddObject Device.NAT.PortMapping. k2
            DeleteObject Device.NAT.PortMapping.1.
            Reboot ck
            FactoryReset
            Download ck http://192.0.2.1/fw.bin
            Download ck2 http://192.0.2.1/cfg "3 Vendor Configuration File" user pass
            Upload ck3 http://192.0.2.1/up
            ScheduleInform 30 si
            CancelTransfer ck
            GetQueuedTransfers
            GetAllQueuedTransfers
        "#;
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 17);
        assert_eq!(lines[0].line, 3);
        let Body::SetParameterValues(spv) = &lines[3].body else {
            panic!()
        };
        let v: Vec<_> = spv.parameter_list.iter().collect();
        assert_eq!(v[0].value, Some(Value::string("1")));
        assert_eq!(v[1].value, Some(Value::UnsignedInt(7)));
        assert_eq!(v[2].value, Some(Value::string("a b")));
        assert_eq!(spv.parameter_key, "k1");
        let Body::Download(d) = &lines[11].body else {
            panic!()
        };
        assert_eq!(d.file_type.as_str(), "3 Vendor Configuration File");
        assert_eq!(d.username, "user");
        for l in &lines {
            let env = cwmp_codec::Envelope::new(cwmp_codec::CwmpNamespace::V1_2, l.body.clone());
            assert!(env.encoded_len().is_ok(), "{}", l.line);
            assert!(!summarize(&l.body).is_empty());
        }
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("GetRPCMethods\nFrobnicate x").unwrap_err(),
            "line 2: unknown request \"Frobnicate\""
        );
        assert!(parse("SetParameterValues Device.X=z:int").is_err());
        assert!(parse("GetParameterNames").is_err());
        assert!(parse("Reboot \"open").is_err());
    }
}
