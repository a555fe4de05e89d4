//! Strict numbers, tolerant structure (issue 13 item 4): every numeric and boolean field of every
//! message, and of the header, with `9010x`, `-9010`, `4294967296`, empty and other non-numbers.
//! A value that does not parse as its type, or overflows it, is never turned into another valid
//! value: either `decode` fails with `InvalidValue` at the value's offset, or (Download and
//! ScheduleDownload `FileSize`, Inform `RetryCount`, FaultStruct `FaultCode`, which real peers
//! fill with junk) the field is `UnsignedIntValue::Invalid` holding the text, which re-encodes as
//! it came. A signed field keeps `-9010` as -9010. Schema maximum counts are reported.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::collections::BTreeMap;

use cwmp_codec::message::{Inform, TransferComplete};
use cwmp_codec::{decode, Body, DecodeErrorKind as K, UnsignedIntValue};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Bool,
    Unsigned,
    Signed,
    /// `UnsignedIntValue`: invalid text is kept, never an error.
    Marker,
}

const NUMERIC: &[&str] = &[
    "FaultCode",
    "Status",
    "NextLevel",
    "InstanceNumber",
    "FileSize",
    "DelaySeconds",
    "MaxEnvelopes",
    "RetryCount",
    "IsDownload",
    "Writable",
    "NotificationChange",
    "Notification",
    "AccessListChange",
    "State",
    "WindowStart",
    "WindowEnd",
    "MaxRetries",
    "VoucherSN",
    "Mode",
    "IsTransferable",
    "Resolved",
    "HoldRequests",
    "SessionTimeout",
    "NoMoreRequests",
];

fn ty(name: &str, method: &str, before: &str) -> Ty {
    match name {
        "NextLevel" | "IsDownload" | "Writable" | "NotificationChange" | "AccessListChange"
        | "Resolved" | "HoldRequests" | "NoMoreRequests" => Ty::Bool,
        "Status" | "Notification" | "MaxRetries" | "Mode" | "IsTransferable" => Ty::Signed,
        "State" if method == "GetOptionsResponse" => Ty::Unsigned,
        "State" => Ty::Signed,
        "FileSize" if method == "Download" || method == "ScheduleDownload" => Ty::Marker,
        "RetryCount" => Ty::Marker,
        "FaultCode" if before.ends_with("<FaultStruct>") => Ty::Marker,
        _ => Ty::Unsigned,
    }
}

const BAD: &[&str] = &[
    "9010x",
    "-9010",
    "4294967296",
    "",
    "   ",
    "2147483648",
    "-2147483649",
    "1 2",
    "+-1",
    "0x10",
    "1e3",
    "&#x39;&#x30;x",
];

/// The byte ranges of the text of every `<name>`/`<cwmp:name …>` element in `xml`.
fn occurrences(xml: &str, name: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for open in [format!("<{name}"), format!("<cwmp:{name}")] {
        let mut from = 0;
        while let Some(i) = xml[from..].find(&open) {
            let at = from + i + open.len();
            from = at;
            if !matches!(xml.as_bytes()[at], b'>' | b' ') {
                continue;
            }
            let gt = at + xml[at..].find('>').unwrap();
            if xml.as_bytes()[gt - 1] == b'/' {
                continue;
            }
            let end = gt + 1 + xml[gt + 1..].find('<').unwrap();
            out.push((gt + 1, end));
        }
    }
    out
}

#[test]
fn every_numeric_field_is_strict_or_an_explicit_invalid_marker() {
    let mut seen: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut all = common::every_message();
    // And one with every numeric header element.
    let mut with_header = all[0].clone();
    with_header.header.hold_requests = Some(true);
    with_header.header.session_timeout = Some(30);
    with_header.header.no_more_requests = Some(false);
    all.push(with_header);
    for env in all {
        let mut out = Vec::new();
        env.encode(&mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let method = env.body.method_name().to_string();
        for name in NUMERIC {
            for (start, end) in occurrences(&xml, name) {
                let t = ty(name, &method, &xml[..start - name.len() - 2]);
                *seen.entry((name, format!("{t:?}"))).or_default() += 1;
                for bad in BAD {
                    let doc = format!("{}{bad}{}", &xml[..start], &xml[end..]);
                    let result = decode(doc.as_bytes());
                    let keeps_value = match t {
                        Ty::Marker => true,
                        Ty::Signed => bad.trim().parse::<i32>().is_ok(),
                        Ty::Unsigned => bad.trim().parse::<u32>().is_ok(),
                        Ty::Bool => false,
                    };
                    let what = format!("{method} {name} ({t:?}) = {bad:?}");
                    if keeps_value {
                        let env = result.unwrap_or_else(|e| panic!("{what}: {e:?}"));
                        // Written back as it came: not 0, not another number.
                        let mut again = Vec::new();
                        env.encode(&mut again).unwrap();
                        // White space at the ends of a value is written as references
                        // (so the decoder's trimming cannot change it): resolve them.
                        let again = String::from_utf8(again)
                            .unwrap()
                            .replace("&#32;", " ")
                            .replace("&#9;", "\t")
                            .replace("&#10;", "\n");
                        let kept = if bad.is_empty() {
                            again.contains(&format!("<{name}/>"))
                                || again.contains(&format!("<{name}></{name}>"))
                        } else {
                            // The text as sent, references resolved (`&#x39;` is `9`).
                            let text = bad.replace("&#x39;", "9").replace("&#x30;", "0");
                            again.contains(&format!(">{text}</"))
                        };
                        assert!(kept, "{what}: not kept in {again}");
                    } else {
                        let e = result.err().unwrap_or_else(|| panic!("{what}: decoded"));
                        assert_eq!((e.kind, e.offset), (K::InvalidValue, start), "{what}");
                    }
                }
            }
        }
    }
    // Every numeric element was exercised in at least one message.
    for name in NUMERIC {
        assert!(
            seen.keys().any(|(n, _)| n == name),
            "{name} is in no message of common::every_message"
        );
    }
    for t in ["Bool", "Unsigned", "Signed", "Marker"] {
        assert!(seen.keys().any(|(_, k)| k == t), "no {t} field seen");
    }
}

fn transfer_complete(fault_code: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">\
         <soap:Body><cwmp:TransferComplete><CommandKey>fw</CommandKey>\
         <FaultStruct><FaultCode>{fault_code}</FaultCode><FaultString/></FaultStruct>\
         <StartTime>2026-01-01T00:00:00Z</StartTime><CompleteTime>2026-01-01T00:01:00Z</CompleteTime>\
         </cwmp:TransferComplete></soap:Body></soap:Envelope>"
    )
}

fn tc(doc: &str) -> TransferComplete<'_> {
    match decode(doc.as_bytes()).unwrap().body {
        Body::TransferComplete(t) => t,
        other => panic!("{other:?}"),
    }
}

/// Issue 13: a TransferComplete whose FaultCode is `9010x`, `-9010`, `4294967296` or empty
/// decoded as FaultCode 0, success. Now it is invalid, and not a success.
#[test]
fn transfer_complete_with_a_bad_fault_code_is_not_a_success() {
    for bad in [
        "9010x",
        "-9010",
        "4294967296",
        "",
        " ",
        "0x0",
        "00000000000000000000000",
    ] {
        let doc = transfer_complete(bad);
        let t = tc(&doc);
        let invalid = bad != "00000000000000000000000";
        if invalid {
            assert_eq!(t.fault_struct.fault_code.valid(), None, "{bad:?}");
            assert!(!t.fault_struct.is_success(), "{bad:?}");
        } else {
            // Leading zeros are still the number 0 (xsd:unsignedInt lexical space).
            assert!(t.fault_struct.is_success());
        }
    }
    for (text, code, ok) in [
        ("0", 0, true),
        (" 9010 ", 9010, false),
        ("4294967295", u32::MAX, false),
    ] {
        let doc = transfer_complete(text);
        let t = tc(&doc);
        assert_eq!(t.fault_struct.fault_code, UnsignedIntValue::Valid(code));
        assert_eq!(t.fault_struct.is_success(), ok);
    }
}

/// Issue 13: `DelaySeconds` 4294967297 became 0 (start now). Now the Download fails to decode
/// at the value.
#[test]
fn download_delay_seconds_overflow_is_an_error_at_its_offset() {
    for bad in ["4294967297", "4294967296", "-1", "", "5s"] {
        let doc = format!(
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">\
             <soap:Body><cwmp:Download><CommandKey>k</CommandKey><FileType>1 Firmware Upgrade Image</FileType>\
             <URL>http://x/</URL><Username/><Password/><FileSize>0</FileSize><TargetFileName/>\
             <DelaySeconds>{bad}</DelaySeconds><SuccessURL/><FailureURL/></cwmp:Download></soap:Body></soap:Envelope>"
        );
        let e = decode(doc.as_bytes()).unwrap_err();
        let at = doc.find("<DelaySeconds>").unwrap() + "<DelaySeconds>".len();
        assert_eq!((e.kind, e.offset), (K::InvalidValue, at), "{bad:?}");
    }
}

fn inform_with_events(n: usize) -> String {
    let events: String = (0..n)
        .map(|_| "<EventStruct><EventCode>4 VALUE CHANGE</EventCode><CommandKey/></EventStruct>")
        .collect();
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\">\
         <soap:Body><cwmp:Inform><DeviceId><Manufacturer>A</Manufacturer><OUI>000000</OUI>\
         <ProductClass>P</ProductClass><SerialNumber>S</SerialNumber></DeviceId>\
         <Event>{events}</Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime>\
         <RetryCount>0</RetryCount><ParameterList/></cwmp:Inform></soap:Body></soap:Envelope>"
    )
}

/// Schema maximum counts: an Inform with more than 64 events (100,000 in the issue) decodes,
/// lazily, and says so in `schema_deviation` at the 65th.
#[test]
fn more_events_than_the_schema_allows_are_reported() {
    let ok = inform_with_events(64);
    assert_eq!(decode(ok.as_bytes()).unwrap().schema_deviation, None);
    for n in [65, 100_000] {
        let doc = inform_with_events(n);
        let env = decode(doc.as_bytes()).unwrap();
        let first_extra = doc
            .match_indices("<EventStruct>")
            .nth(64)
            .map(|(i, _)| i)
            .unwrap();
        let d = env.schema_deviation.unwrap();
        assert_eq!((d.kind, d.offset), (K::TooManyItems, first_extra));
        let Body::Inform(Inform { event, .. }) = env.body else {
            panic!()
        };
        assert_eq!(event.len(), n);
    }
}

/// The INTEROP quirks stay decodable, as explicit invalid values (vectors `cwmp_ex/Download__6`,
/// `easycwmp/Inform__cwmp_inform_message`).
#[test]
fn interop_file_size_foo_and_empty_retry_count_are_kept_invalid() {
    let doc = inform_with_events(1).replace("<RetryCount>0</RetryCount>", "<RetryCount/>");
    let env = decode(doc.as_bytes()).unwrap();
    let Body::Inform(i) = env.body else { panic!() };
    assert_eq!(i.retry_count.valid(), None);
    assert_eq!(env.schema_deviation, None);
}

/// Every tolerated departure is counted, not only the first: an unknown header with
/// `mustUnderstand="1"`, a 65th event and a missing `MaxEnvelopes` are three, the first and
/// the last kept with their offsets.
#[test]
fn every_deviation_is_counted_and_the_first_and_last_kept() {
    let doc = inform_with_events(65)
        .replace("<MaxEnvelopes>1</MaxEnvelopes>", "")
        .replace(
            "<soap:Body>",
            "<soap:Header><cwmp:X_Flag soap:mustUnderstand=\"1\">1</cwmp:X_Flag></soap:Header><soap:Body>",
        );
    let env = decode(doc.as_bytes()).unwrap();
    assert_eq!(env.schema_deviation_count, 3);
    let first = env.schema_deviation.unwrap();
    assert_eq!(
        (first.kind, first.offset),
        (K::MustUnderstandHeader, doc.find("<cwmp:X_Flag").unwrap())
    );
    let last = env.last_schema_deviation.unwrap();
    assert_eq!(
        (last.kind, last.offset),
        (K::MissingElement, doc.find("<cwmp:Inform>").unwrap())
    );
    let plain = inform_with_events(1);
    let ok = decode(plain.as_bytes()).unwrap();
    assert_eq!(
        (
            ok.schema_deviation,
            ok.schema_deviation_count,
            ok.last_schema_deviation
        ),
        (None, 0, None)
    );
}
