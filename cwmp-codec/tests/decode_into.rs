//! `decode_into` (issue 12, stack): the same envelope as `decode`, written into a slot the
//! caller keeps, whatever the slot held before, and left empty on an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cwmp_codec::{decode, decode_into, Body, CwmpNamespace, DecodeErrorKind, Envelope, XmlStr};

/// Every message of Annex A decodes to the same envelope both ways.
#[test]
fn decode_into_gives_what_decode_gives() {
    for built in common::every_message() {
        let mut bytes = Vec::new();
        built.encode(&mut bytes).unwrap();
        let by_value = decode(&bytes).unwrap();
        let mut slot = Envelope::new(CwmpNamespace::V1_0, Body::Empty);
        decode_into(&bytes, &mut slot).unwrap();
        assert_eq!(slot, by_value, "{}", by_value.body.method_name());
    }
}

/// A slot that held another message (a header, a schema deviation, another namespace) holds
/// only the new one afterwards: nothing of the old one is carried over, and a header element
/// of the old message is not taken for a duplicate in the new one.
#[test]
fn a_reused_slot_keeps_nothing_of_the_previous_message() {
    let first = b"<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soap-env:Header>\
        <cwmp:ID soap-env:mustUnderstand=\"1\">first</cwmp:ID>\
        <cwmp:HoldRequests soap-env:mustUnderstand=\"1\">1</cwmp:HoldRequests>\
        </soap-env:Header><soap-env:Body><cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>\
        </soap-env:Body></soap-env:Envelope>";
    // An empty Body is a tolerated deviation (§3.5).
    let second =
        b"<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Header>\
        <cwmp:ID soap-env:mustUnderstand=\"1\">second</cwmp:ID></soap-env:Header>\
        <soap-env:Body></soap-env:Body></soap-env:Envelope>";
    let third = b"<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Body><cwmp:GetRPCMethods/>\
        </soap-env:Body></soap-env:Envelope>";
    let mut slot = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
    decode_into(first, &mut slot).unwrap();
    assert_eq!(slot.cwmp_ns, CwmpNamespace::V1_0);
    assert_eq!(slot.header.hold_requests, Some(true));
    assert!(matches!(slot.body, Body::Reboot(_)));
    decode_into(second, &mut slot).unwrap();
    assert_eq!(slot, decode(second).unwrap());
    assert_eq!(slot.header.id, Some(XmlStr::new("second")));
    assert_eq!(slot.header.hold_requests, None);
    assert_eq!(slot.schema_deviation_count, 1);
    decode_into(third, &mut slot).unwrap();
    assert_eq!(slot, decode(third).unwrap());
    assert_eq!(slot.header.id, None);
    assert_eq!(slot.schema_deviation, None);
    assert_eq!(slot.schema_deviation_count, 0);
}

/// On an error the slot is empty: not the previous message, not half of the bad one.
#[test]
fn an_error_leaves_the_slot_empty() {
    let good = b"<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" \
        xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soap-env:Header>\
        <cwmp:ID soap-env:mustUnderstand=\"1\">7</cwmp:ID></soap-env:Header>\
        <soap-env:Body><cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>\
        </soap-env:Body></soap-env:Envelope>";
    // The header and the method decode; the envelope is cut off before its end.
    let cut = &good[..good.len() - 20];
    let mut slot = Envelope::new(CwmpNamespace::V1_2, Body::Empty);
    decode_into(good, &mut slot).unwrap();
    let err = decode_into(cut, &mut slot).unwrap_err();
    assert_eq!(err, decode(cut).unwrap_err());
    assert_eq!(err.kind, DecodeErrorKind::UnexpectedEof);
    assert_eq!(slot, Envelope::new(CwmpNamespace::V1_2, Body::Empty));
}
