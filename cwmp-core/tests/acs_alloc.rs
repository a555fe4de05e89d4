#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
//! A counting global allocator proves that a whole ACS Session (Digest challenge, Inform,
//! a queued request and its response, the final 204) allocates nothing (DESIGN.md §7). The
//! requests are built before counting; the counter is per thread.

mod acs_common;

use acs_common::*;
use cwmp_codec::http::auth::{ClientAuth, Credentials};
use cwmp_codec::http::request::{PostHead, PostKind};
use cwmp_codec::http::response::ResponseHead;
use cwmp_codec::http::url::HostHeader;
use cwmp_codec::http::{Status, EMPTY_HEADER};
use cwmp_codec::message::GetParameterValues;
use cwmp_codec::{Array, XmlStr};
use cwmp_core::acs::{AcsConfig, AcsSession, Outcome, Received, StaticCredentials};
use cwmp_core::{Instant, SplitMix64};

#[path = "../../cwmp-codec/tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocation_count as allocations;

static NAMES: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.UpTime")];
static CREDS: StaticCredentials<'static> = StaticCredentials {
    username: "00D09E-STB-SN42",
    password: "secret",
};

#[test]
fn a_whole_session_allocates_nothing() {
    let inform_body = inform("cwmp-1-2", Some("1.0,1.1,1.2,1.3,1.4"), None);
    let mut first = soap_post(&inform_body, None);
    let gpv_response = envelope(
        Some("01"),
        r#"<cwmp:GetParameterValuesResponse><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.DeviceInfo.UpTime</Name><Value xsi:type="xsd:unsignedInt">42</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>"#,
    );
    let mut rx = vec![0u8; 65536];
    let mut tx = vec![0u8; 65536];
    let mut cookie = String::with_capacity(64);

    let before = allocations();
    let now = Instant::from_secs(1);
    let mut acs: AcsSession = AcsSession::new(
        AcsConfig {
            credentials: Some(&CREDS),
            ..AcsConfig::default()
        },
        now,
        &mut SplitMix64::new(3),
    );
    // 1. The Inform without credentials: 401 with a challenge and the cookie.
    assert_eq!(
        acs.handle_request(now, &mut first).unwrap(),
        Received::Refused
    );
    let mut w: &mut [u8] = &mut tx;
    let t = acs.poll_transmit(now, &mut w).unwrap().unwrap();
    assert_eq!(t.status, 401);
    let mut auth = ClientAuth::new();
    {
        let mut headers = [EMPTY_HEADER; 16];
        let Status::Complete(head) = ResponseHead::parse(&tx[..t.len], &mut headers).unwrap()
        else {
            panic!()
        };
        auth.handle_challenges(head.www_authenticate()).unwrap();
        let set = head.set_cookies().next().unwrap();
        let value = std::str::from_utf8(set).unwrap().split(';').next().unwrap();
        cookie.push_str(value);
    }
    while acs.poll_event().is_some() {}

    // 2. The Inform with credentials, written into `rx` by the codec.
    let creds = Credentials {
        username: CREDS.username,
        password: CREDS.password,
    };
    let a = auth
        .authorization(&creds, "POST", TARGET, &[1u8; 16])
        .unwrap()
        .unwrap();
    let write_post = |rx: &mut [u8], body: &[u8], kind: PostKind, authz: Option<&str>| {
        let head = PostHead {
            cookie: Some(cookie.as_str()),
            authorization: authz,
            ..PostHead::new(
                HostHeader::new("acs.example"),
                TARGET,
                kind,
                body.len() as u64,
            )
        };
        let mut w: &mut [u8] = rx;
        head.write(&mut w).unwrap();
        let n = head.encoded_len();
        rx[n..n + body.len()].copy_from_slice(body);
        n + body.len()
    };
    let n = write_post(
        &mut rx,
        &inform_body,
        PostKind::SoapRequest,
        Some(a.as_str()),
    );
    let Received::Inform(i) = acs.handle_request(now, &mut rx[..n]).unwrap() else {
        panic!()
    };
    assert_eq!(i.inform.device_id.serial_number, "SN42");
    acs.enqueue(GetParameterValues {
        parameter_names: Array::new(&NAMES),
    })
    .unwrap();
    let mut w: &mut [u8] = &mut tx;
    assert_eq!(acs.poll_transmit(now, &mut w).unwrap().unwrap().status, 200);

    // 3. Empty POST: the queued request goes out.
    let n = write_post(&mut rx, b"", PostKind::Empty, None);
    assert_eq!(
        acs.handle_request(now, &mut rx[..n]).unwrap(),
        Received::EmptyPost
    );
    let mut w: &mut [u8] = &mut tx;
    let t = acs.poll_transmit(now, &mut w).unwrap().unwrap();
    assert!(tx[..t.len].windows(18).any(|w| w == b"GetParameterValues"));

    // 4. Its response: 204, Session complete.
    let n = write_post(&mut rx, &gpv_response, PostKind::SoapResponse, None);
    let Received::Response { body, .. } = acs.handle_request(now, &mut rx[..n]).unwrap() else {
        panic!()
    };
    assert_eq!(body.method_name(), "GetParameterValuesResponse");
    let mut w: &mut [u8] = &mut tx;
    assert_eq!(acs.poll_transmit(now, &mut w).unwrap().unwrap().status, 204);
    while acs.poll_event().is_some() {}
    assert_eq!(acs.outcome(), Some(Outcome::Completed));
    let after = allocations();
    assert_eq!(after - before, 0, "allocations during the session");
}
