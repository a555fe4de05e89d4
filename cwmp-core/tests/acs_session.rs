#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
//! Whole ACS Sessions (TR-069 §3.7.2) driven with raw HTTP requests, checking every response
//! written and every event.

mod acs_common;

use acs_common::*;
use cwmp_codec::http::auth::{ClientAuth, Credentials};
use cwmp_codec::http::request::PostKind;
use cwmp_codec::message::{GetParameterNames, GetParameterValues, Reboot};
use cwmp_codec::{Array, Body, CwmpVersion, FaultCode, VersionList, XmlStr};
use cwmp_core::acs::{
    AcsConfig, AcsSession, ApiMisuse, AuthRefusal, Event, Outcome, Received, RequestId,
    SessionError, StaticCredentials,
};
use cwmp_core::{Duration, Instant, SplitMix64};

static NAMES: [XmlStr<'static>; 2] = [
    XmlStr::new("Device.DeviceInfo.SoftwareVersion"),
    XmlStr::new("Device.DeviceInfo.UpTime"),
];
static CREDS: StaticCredentials<'static> = StaticCredentials {
    username: "00D09E-STB-SN42",
    password: "secret",
};

struct Harness {
    acs: AcsSession<'static>,
    now: Instant,
    cookie: Option<String>,
    events: Vec<Event>,
}

impl Harness {
    fn new(config: AcsConfig<'static>) -> Self {
        Harness {
            acs: AcsSession::new(config, Instant::ZERO, &mut SplitMix64::new(7)),
            now: Instant::from_secs(1),
            cookie: None,
            events: Vec::new(),
        }
    }

    /// Sends `raw`, lets `look` see what came, transmits, and returns the response.
    fn exchange(
        &mut self,
        mut raw: Vec<u8>,
        look: impl FnOnce(&mut AcsSession<'static>, Received<'_>),
    ) -> Resp {
        self.now = self.now + Duration::from_secs(1);
        let received = self.acs.handle_request(self.now, &mut raw).unwrap();
        look(&mut self.acs, received);
        let mut buf = vec![0u8; 65536];
        let mut w: &mut [u8] = &mut buf;
        let t = self.acs.poll_transmit(self.now, &mut w).unwrap().unwrap();
        assert_eq!(t.len, 65536 - w.len());
        let resp = Resp::parse(&buf[..t.len]);
        assert_eq!(resp.status, t.status);
        if let Some(c) = resp.cookie() {
            self.cookie = Some(c);
        }
        while let Some(e) = self.acs.poll_event() {
            self.events.push(e);
        }
        resp
    }

    fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Inform 1.4 accepted; returns the InformResponse.
    fn start(&mut self) -> Resp {
        let r = self.exchange(
            soap_post(&inform("cwmp-1-2", Some("1.0,1.1,1.2,1.3,1.4"), None), None),
            |_, rec| assert!(matches!(rec, Received::Inform(_)), "{rec:?}"),
        );
        assert_eq!(r.status, 200);
        r
    }

    fn ended(&self) -> Option<Outcome> {
        self.events.iter().find_map(|e| match e {
            Event::SessionEnded { outcome } => Some(*outcome),
            _ => None,
        })
    }
}

fn assert_no_soap(r: &Resp) {
    assert_eq!(r.status, 400);
    assert!(r.header("content-type").is_none());
    assert!(!r.body.contains('<'), "{}", r.body);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn inform_1_4_gets_use_cwmp_version() {
    let mut h = Harness::new(AcsConfig::default());
    let r = h.exchange(
        soap_post(&inform("cwmp-1-2", Some("1.0,1.1,1.2,1.3,1.4"), None), None),
        |_, rec| {
            let Received::Inform(i) = rec else { panic!() };
            assert_eq!(i.version, Some(CwmpVersion::V1_4));
            assert!(i.use_cwmp_version);
            assert_eq!(i.inform.device_id.oui, "00D09E");
            assert_eq!(i.inform.event.iter().count(), 1);
        },
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    assert!(r.body.contains("xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\""));
    assert!(r
        .body
        .contains("<cwmp:UseCWMPVersion soap-env:mustUnderstand=\"1\">1.4</cwmp:UseCWMPVersion>"));
    assert!(r
        .body
        .contains("<cwmp:ID soap-env:mustUnderstand=\"1\">inform-1</cwmp:ID>"));
    assert!(r
        .body
        .contains("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes>"));
    assert!(h.events.contains(&Event::SessionStarted {
        version: CwmpVersion::V1_4
    }));
    assert_eq!(h.acs.version(), Some(CwmpVersion::V1_4));

    // The ACS's own list decides among the CPE's (highest common).
    let mut h = Harness::new(AcsConfig {
        versions: VersionList::up_to(CwmpVersion::V1_2),
        ..AcsConfig::default()
    });
    let r = h.start();
    assert!(r.body.contains(">1.2</cwmp:UseCWMPVersion>"));
}

#[test]
fn older_namespaces_infer_the_version_and_send_no_use_cwmp_version() {
    for (ns, timeout, version) in [
        ("cwmp-1-0", None, CwmpVersion::V1_0),
        ("cwmp-1-1", None, CwmpVersion::V1_1),
        ("cwmp-1-2", None, CwmpVersion::V1_2),
        ("cwmp-1-2", Some(60), CwmpVersion::V1_3),
    ] {
        let mut h = Harness::new(AcsConfig::default());
        let r = h.exchange(soap_post(&inform(ns, None, timeout), None), |_, rec| {
            let Received::Inform(i) = rec else { panic!() };
            assert_eq!(i.version, Some(version));
            assert!(!i.use_cwmp_version);
        });
        assert_eq!(r.status, 200);
        assert!(!r.body.contains("UseCWMPVersion"), "{ns}");
        assert!(r
            .body
            .contains(&format!("xmlns:cwmp=\"urn:dslforum-org:{ns}\"")));
        assert_eq!(h.acs.version(), Some(version));
    }
}

#[test]
fn session_timeout_header_extends_the_timeout() {
    let mut h = Harness::new(AcsConfig::default());
    h.exchange(
        soap_post(&inform("cwmp-1-2", None, Some(90)), None),
        |_, _| {},
    );
    let deadline = h.acs.poll_timeout().unwrap();
    assert_eq!(deadline, h.now + Duration::from_secs(90));
}

#[test]
fn no_common_version_is_fault_8006() {
    let mut h = Harness::new(AcsConfig {
        versions: VersionList::single(CwmpVersion::V1_4),
        ..AcsConfig::default()
    });
    let r = h.exchange(
        soap_post(&inform("cwmp-1-2", Some("1.0,1.1, 1.5"), None), None),
        |_, rec| {
            let Received::Inform(i) = rec else { panic!() };
            assert_eq!(i.version, None);
        },
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<FaultCode>8006</FaultCode>"));
    assert!(r
        .body
        .contains("<cwmp:ID soap-env:mustUnderstand=\"1\">inform-1</cwmp:ID>"));
    assert!(!r.body.contains("UseCWMPVersion"));
    assert_eq!(
        h.ended(),
        Some(Outcome::Failed(SessionError::VersionIncompatible))
    );
    assert!(h.acs.is_ended());
}

#[test]
fn application_may_reject_the_inform() {
    let mut h = Harness::new(AcsConfig::default());
    let r = h.exchange(
        soap_post(&inform("cwmp-1-2", Some("1.4"), None), None),
        |acs, _| acs.answer_fault(FaultCode::ACS_INVALID_ARGUMENTS).unwrap(),
    );
    assert!(r.body.contains("<faultcode>Client</faultcode>"));
    assert!(r.body.contains("<FaultCode>8003</FaultCode>"));
    assert_eq!(
        h.ended(),
        Some(Outcome::Failed(SessionError::InformRejected(
            FaultCode::ACS_INVALID_ARGUMENTS
        )))
    );
}

#[test]
fn cookie_is_issued_and_required() {
    let mut h = Harness::new(AcsConfig::default());
    let r = h.start();
    let cookie = r.cookie().unwrap();
    assert!(cookie.starts_with("cwmpsid=") && cookie.len() == "cwmpsid=".len() + 32);
    assert!(r.header("set-cookie").unwrap().contains("Path=/"));
    assert_eq!(h.acs.cookie(), cookie);

    // With the cookie: accepted, and no Set-Cookie any more.
    let mut ok = h.clone_session_post(&cookie);
    let r = h.exchange(std::mem::take(&mut ok), |_, rec| {
        assert_eq!(rec, Received::EmptyPost)
    });
    assert_eq!(r.status, 204);
    assert!(r.cookie().is_none());

    // Without it, after the InformResponse: 400.
    let mut h = Harness::new(AcsConfig::default());
    h.start();
    let r = h.exchange(empty_post(None), |_, rec| {
        assert_eq!(rec, Received::Refused)
    });
    assert_no_soap(&r);
    assert_eq!(
        h.ended(),
        Some(Outcome::Failed(SessionError::InvalidSession))
    );

    // A foreign cookie: 400.
    let mut h = Harness::new(AcsConfig::default());
    h.start();
    let r = h.exchange(empty_post(Some("a=b; cwmpsid=0123")), |_, _| {});
    assert_no_soap(&r);

    // Not required: accepted.
    let mut h = Harness::new(AcsConfig {
        require_cookie: false,
        ..AcsConfig::default()
    });
    h.start();
    let r = h.exchange(empty_post(None), |_, _| {});
    assert_eq!(r.status, 204);
}

impl Harness {
    fn clone_session_post(&self, cookie: &str) -> Vec<u8> {
        empty_post(Some(cookie))
    }
}

/// The CPE side of a Digest exchange.
fn authorization(auth: &mut ClientAuth, challenge: &Resp, password: &str) -> String {
    auth.handle_challenges([challenge.header("www-authenticate").unwrap().as_bytes()].into_iter())
        .unwrap();
    auth.authorization(
        &Credentials {
            username: CREDS.username,
            password,
        },
        "POST",
        TARGET,
        &[9u8; 16],
    )
    .unwrap()
    .unwrap()
    .to_string()
}

#[test]
fn digest_challenge_then_success() {
    let mut h = Harness::new(AcsConfig {
        credentials: Some(&CREDS),
        realm: "acs-test",
        ..AcsConfig::default()
    });
    let body = inform("cwmp-1-2", Some("1.4"), None);
    let r = h.exchange(soap_post(&body, None), |_, rec| {
        assert_eq!(rec, Received::Refused)
    });
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Digest realm=\"acs-test\", qop=\"auth\", nonce=\""));
    assert!(
        r.cookie().is_some(),
        "the cookie comes with the 401 (INTEROP C1)"
    );
    assert_eq!(
        h.events,
        [Event::Challenged {
            reason: AuthRefusal::Missing
        }]
    );
    let mut auth = ClientAuth::new();
    let a = authorization(&mut auth, &r, "secret");
    let cookie = h.cookie.clone();
    let r = h.exchange(
        post(&body, PostKind::SoapRequest, cookie.as_deref(), Some(&a)),
        |_, rec| assert!(matches!(rec, Received::Inform(_))),
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("InformResponse"));
    assert!(h.events.contains(&Event::Authenticated));
    assert_eq!(h.acs.username(), "00D09E-STB-SN42");
    // Later POSTs ride on the cookie.
    let r = h.exchange(
        empty_post(h.cookie().map(str::to_owned).as_deref()),
        |_, _| {},
    );
    assert_eq!(r.status, 204);
    assert_eq!(h.ended(), Some(Outcome::Completed));
}

#[test]
fn wrong_password_is_challenged_again_then_fails() {
    let mut h = Harness::new(AcsConfig {
        credentials: Some(&CREDS),
        ..AcsConfig::default()
    });
    let body = inform("cwmp-1-2", Some("1.4"), None);
    let r = h.exchange(soap_post(&body, None), |_, _| {});
    assert_eq!(r.status, 401);
    let mut auth = ClientAuth::new();
    let a = authorization(&mut auth, &r, "wrong");
    let r = h.exchange(
        post(&body, PostKind::SoapRequest, None, Some(&a)),
        |_, rec| assert_eq!(rec, Received::Refused),
    );
    assert_eq!(r.status, 401);
    assert!(r.header("connection").is_none());
    assert!(h.events.contains(&Event::Challenged {
        reason: AuthRefusal::Invalid
    }));
    assert!(h.ended().is_none());
    // The third 401 closes the connection and fails the Session.
    let r = h.exchange(
        post(&body, PostKind::SoapRequest, None, Some(&a)),
        |_, _| {},
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("connection"), Some("close"));
    assert_eq!(h.ended(), Some(Outcome::Failed(SessionError::AuthFailed)));
    assert_eq!(h.acs.username(), "");
}

#[test]
fn malformed_input_gets_400_without_soap() {
    let cases: Vec<Vec<u8>> = vec![
        soap_post(b"<soap:Envelope><unclosed>", None),
        soap_post(b"not xml at all", None),
        soap_post(b"<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", None),
        // A fault without the CWMP detail (not in the §3.5 form).
        soap_post(
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><s:Body><s:Fault><faultcode>Server</faultcode></s:Fault></s:Body></s:Envelope>"#,
            None,
        ),
        b"GET /acs HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"POST /acs HTTP/1.1\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
        b"\x00\x01garbage\r\n\r\n".to_vec(),
    ];
    for raw in cases {
        let mut h = Harness::new(AcsConfig::default());
        let r = h.exchange(raw, |_, rec| assert_eq!(rec, Received::Refused));
        assert_no_soap(&r);
        assert!(matches!(h.ended(), Some(Outcome::Failed(_))));
    }
    // Malformed in the middle of a Session too.
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(soap_post(b"<a></b>", Some(&c)), |_, _| {});
    assert_no_soap(&r);
    assert_eq!(h.ended(), Some(Outcome::Failed(SessionError::Malformed)));
}

#[test]
fn protocol_violations_get_400() {
    // Not an Inform first.
    let mut h = Harness::new(AcsConfig::default());
    let r = h.exchange(soap_post(&transfer_complete("t"), None), |_, _| {});
    assert_no_soap(&r);
    assert_eq!(
        h.ended(),
        Some(Outcome::Failed(SessionError::ProtocolViolation))
    );
    // An empty POST first.
    let mut h = Harness::new(AcsConfig::default());
    assert_no_soap(&h.exchange(empty_post(None), |_, _| {}));
    // A second Inform.
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(
        soap_post(&inform("cwmp-1-2", Some("1.4"), None), Some(&c)),
        |_, _| {},
    );
    assert_no_soap(&r);
    // A response with nothing outstanding.
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(
        soap_post(&envelope(Some("1"), "<cwmp:RebootResponse/>"), Some(&c)),
        |_, _| {},
    );
    assert_no_soap(&r);
    // A response to another method than the one asked.
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    h.exchange(empty_post(Some(&c)), |acs, _| {
        acs.enqueue(Reboot {
            command_key: XmlStr::new("ck"),
        })
        .unwrap();
    });
    let r = h.exchange(
        soap_post(
            &envelope(Some("01"), "<cwmp:FactoryResetResponse/>"),
            Some(&c),
        ),
        |_, _| {},
    );
    assert_no_soap(&r);
}

#[test]
fn cpe_faults_are_reported_normalized() {
    for (code, normalized) in [(9899, 9899), (9050, 9001), (9005, 9005), (9799, 9001)] {
        let mut h = Harness::new(AcsConfig::default());
        let c = h.start().cookie().unwrap();
        let r = h.exchange(empty_post(Some(&c)), |acs, _| {
            acs.enqueue(GetParameterValues {
                parameter_names: Array::new(&NAMES),
            })
            .unwrap();
        });
        assert!(r
            .body
            .contains("<cwmp:ID soap-env:mustUnderstand=\"1\">01</cwmp:ID>"));
        let r = h.exchange(soap_post(&fault("01", code), Some(&c)), |_, rec| {
            let Received::CpeFault {
                id,
                code: got,
                fault,
            } = rec
            else {
                panic!("{rec:?}")
            };
            assert_eq!(id, RequestId(1));
            assert_eq!(got, FaultCode(normalized));
            assert_eq!(fault.code(), code);
        });
        // The Session goes on: the CPE already sent its empty POST, nothing is queued.
        assert_eq!(r.status, 204);
        assert_eq!(h.ended(), Some(Outcome::Completed));
    }
}

#[test]
fn three_requests_one_per_round_trip() {
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let ids: Vec<RequestId> = vec![
        h.acs
            .enqueue(GetParameterNames {
                parameter_path: XmlStr::new("Device."),
                next_level: true,
            })
            .unwrap(),
        h.acs
            .enqueue(GetParameterValues {
                parameter_names: Array::new(&NAMES),
            })
            .unwrap(),
        h.acs
            .enqueue(Reboot {
                command_key: XmlStr::new("ck-7"),
            })
            .unwrap(),
    ];
    assert_eq!(ids, [RequestId(1), RequestId(2), RequestId(3)]);
    assert_eq!(h.acs.queued(), 3);
    let r = h.exchange(empty_post(Some(&c)), |_, rec| {
        assert_eq!(rec, Received::EmptyPost)
    });
    assert!(r.body.contains(
        "<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>1</NextLevel>"
    ));
    assert!(r.body.contains(">01</cwmp:ID>"));
    assert_eq!(h.acs.outstanding(), Some(RequestId(1)));
    let r = h.exchange(
        soap_post(
            &envelope(
                Some("01"),
                r#"<cwmp:GetParameterNamesResponse><ParameterList soapenc:arrayType="cwmp:ParameterInfoStruct[1]"><ParameterInfoStruct><Name>Device.DeviceInfo.</Name><Writable>0</Writable></ParameterInfoStruct></ParameterList></cwmp:GetParameterNamesResponse>"#,
            ),
            Some(&c),
        ),
        |_, rec| {
            let Received::Response { id, body } = rec else { panic!() };
            assert_eq!(id, RequestId(1));
            let Body::GetParameterNamesResponse(g) = body else { panic!() };
            assert_eq!(g.parameter_list.iter().next().unwrap().name, "Device.DeviceInfo.");
        },
    );
    assert!(r.body.contains("<cwmp:GetParameterValues>"));
    assert!(r.body.contains(">02</cwmp:ID>"));
    // A CPE that does not echo the ID is still matched by method (INTEROP N8).
    let r = h.exchange(
        soap_post(
            &envelope(
                None,
                r#"<cwmp:GetParameterValuesResponse><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[0]"></ParameterList></cwmp:GetParameterValuesResponse>"#,
            ),
            Some(&c),
        ),
        |_, rec| assert!(matches!(rec, Received::Response { id: RequestId(2), .. })),
    );
    assert!(r
        .body
        .contains("<cwmp:Reboot><CommandKey>ck-7</CommandKey></cwmp:Reboot>"));
    let r = h.exchange(
        soap_post(&envelope(Some("03"), "<cwmp:RebootResponse/>"), Some(&c)),
        |_, rec| {
            assert!(matches!(
                rec,
                Received::Response {
                    id: RequestId(3),
                    ..
                }
            ))
        },
    );
    assert_eq!(r.status, 204);
    assert_eq!(h.ended(), Some(Outcome::Completed));
    let sent: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::RequestSent { id } => Some(id.0),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [1, 2, 3]);
    assert_eq!(
        h.acs.enqueue(Reboot {
            command_key: XmlStr::new("")
        }),
        Err(ApiMisuse::SessionEnded)
    );
}

#[test]
fn cpe_requests_are_answered() {
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(soap_post(&transfer_complete("tc-9"), Some(&c)), |_, rec| {
        let Received::CpeRequest {
            body: Body::TransferComplete(tc),
        } = rec
        else {
            panic!("{rec:?}")
        };
        assert_eq!(tc.command_key, "ck1");
        assert_eq!(tc.fault_struct.fault_code, 0.into());
    });
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("<cwmp:TransferCompleteResponse></cwmp:TransferCompleteResponse>")
            || r.body.contains("<cwmp:TransferCompleteResponse/>"),
        "{}",
        r.body
    );
    assert!(r.body.contains(">tc-9</cwmp:ID>"));

    // GetRPCMethods lists the ACS methods.
    let r = h.exchange(
        soap_post(
            &envelope(Some("g&amp;1"), "<cwmp:GetRPCMethods/>"),
            Some(&c),
        ),
        |_, _| {},
    );
    assert!(r.body.contains("<string>Inform</string>"));
    assert!(r.body.contains(">g&amp;1</cwmp:ID>"), "echoed as received");
    // An unknown method: 8000.
    let r = h.exchange(
        soap_post(&envelope(Some("x"), "<cwmp:X_ACME_Frobnicate/>"), Some(&c)),
        |_, rec| assert!(matches!(rec, Received::CpeRequest { .. })),
    );
    assert!(r.body.contains("<FaultCode>8000</FaultCode>"));
    // The application may fault a request (e.g. 8005 retry request).
    let r = h.exchange(
        soap_post(&transfer_complete("tc-10"), Some(&c)),
        |acs, _| acs.answer_fault(FaultCode::ACS_RETRY_REQUEST).unwrap(),
    );
    assert!(r.body.contains("<FaultCode>8005</FaultCode>"));
    // Kicked echoes Next.
    let r = h.exchange(
        soap_post(
            &envelope(Some("k"), "<cwmp:Kicked><Command>c</Command><Referer>r</Referer><Arg>a</Arg><Next>/next?x=1&amp;y=2</Next></cwmp:Kicked>"),
            Some(&c),
        ),
        |_, _| {},
    );
    assert!(
        r.body.contains("<NextURL>/next?x=1&amp;y=2</NextURL>"),
        "{}",
        r.body
    );
    // Then the CPE is done.
    let r = h.exchange(empty_post(Some(&c)), |acs, _| {
        assert_eq!(
            acs.answer_fault(FaultCode(8001)),
            Err(ApiMisuse::NothingToAnswer)
        );
    });
    assert_eq!(r.status, 204);
    assert_eq!(h.ended(), Some(Outcome::Completed));
}

#[test]
fn chunked_request_bodies_are_read() {
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(chunked_post(&transfer_complete("tc-c"), 7, &c), |_, rec| {
        assert!(matches!(rec, Received::CpeRequest { .. }), "{rec:?}")
    });
    assert!(r.body.contains(">tc-c</cwmp:ID>"));
}

#[test]
fn empty_post_ends_with_204() {
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    assert!(h.ended().is_none());
    let r = h.exchange(empty_post(Some(&c)), |_, rec| {
        assert_eq!(rec, Received::EmptyPost)
    });
    assert_eq!(r.status, 204);
    assert!(r.header("content-length").is_none());
    assert!(r.body.is_empty());
    assert_eq!(h.ended(), Some(Outcome::Completed));
    assert_eq!(h.acs.outcome(), Some(Outcome::Completed));
    assert_eq!(h.acs.poll_timeout(), None);
    let mut again = empty_post(Some(&c));
    assert_eq!(
        h.acs.handle_request(h.now, &mut again),
        Err(ApiMisuse::SessionEnded)
    );
}

#[test]
fn termination_waits_for_the_cpes_empty_post() {
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    h.exchange(empty_post(Some(&c)), |acs, _| {
        acs.enqueue(Reboot {
            command_key: XmlStr::new(""),
        })
        .unwrap();
    });
    // Nothing more queued after the response, and the CPE already sent its empty POST: the
    // Session is complete (§3.7.2.4).
    let r = h.exchange(
        soap_post(&envelope(Some("01"), "<cwmp:RebootResponse/>"), Some(&c)),
        |_, _| {},
    );
    assert_eq!((r.status, h.ended()), (204, Some(Outcome::Completed)));

    // The CPE sends TransferComplete first: answered; then it sends the empty POST.
    let mut h = Harness::new(AcsConfig::default());
    let c = h.start().cookie().unwrap();
    let r = h.exchange(soap_post(&transfer_complete("t1"), Some(&c)), |_, _| {});
    assert_eq!(r.status, 200);
    assert!(h.ended().is_none());
    let r = h.exchange(empty_post(Some(&c)), |_, _| {});
    assert_eq!((r.status, h.ended()), (204, Some(Outcome::Completed)));
}

#[test]
fn pending_response_must_be_transmitted_first() {
    let mut h = Harness::new(AcsConfig::default());
    let mut raw = soap_post(&inform("cwmp-1-2", Some("1.4"), None), None);
    h.acs.handle_request(h.now, &mut raw).unwrap();
    let mut raw = empty_post(None);
    assert_eq!(
        h.acs.handle_request(h.now, &mut raw),
        Err(ApiMisuse::ResponsePending)
    );
}

#[test]
fn session_times_out_without_a_post() {
    let mut h = Harness::new(AcsConfig {
        session_timeout: Duration::from_secs(5), // raised to the 30 s minimum
        ..AcsConfig::default()
    });
    h.start();
    let deadline = h.acs.poll_timeout().unwrap();
    assert_eq!(deadline, h.now + Duration::from_secs(30));
    h.acs.handle_timeout(deadline - Duration::from_millis(1));
    assert!(!h.acs.is_ended());
    h.acs.handle_timeout(deadline);
    assert_eq!(
        h.acs.outcome(),
        Some(Outcome::Failed(SessionError::TimedOut))
    );
    assert_eq!(
        h.acs.poll_event(),
        Some(Event::SessionEnded {
            outcome: Outcome::Failed(SessionError::TimedOut)
        })
    );
    assert_eq!(h.acs.poll_timeout(), None);
    let mut buf = [0u8; 16];
    let mut w: &mut [u8] = &mut buf;
    assert_eq!(h.acs.poll_transmit(h.now, &mut w).unwrap(), None);
}

#[test]
fn connection_closed_mid_session_fails_it() {
    let mut h = Harness::new(AcsConfig::default());
    h.start();
    h.acs.handle_close(h.now);
    assert_eq!(
        h.acs.outcome(),
        Some(Outcome::Failed(SessionError::Transport))
    );
}

#[test]
fn a_failing_writer_fails_the_session() {
    let mut h = Harness::new(AcsConfig::default());
    let mut raw = soap_post(&inform("cwmp-1-2", Some("1.4"), None), None);
    h.acs.handle_request(h.now, &mut raw).unwrap();
    let mut small = [0u8; 40];
    let mut w: &mut [u8] = &mut small;
    assert!(h.acs.poll_transmit(h.now, &mut w).is_err());
    assert_eq!(
        h.acs.outcome(),
        Some(Outcome::Failed(SessionError::Transport))
    );
}

#[test]
fn real_cpe_inform_from_the_vector_corpus() {
    let Ok(xml) = std::fs::read("../../shared/vectors/perl-cwmp/Inform.xml") else {
        eprintln!("shared vectors absent: skipped");
        return;
    };
    let mut h = Harness::new(AcsConfig::default());
    let r = h.exchange(soap_post(&xml, None), |_, rec| {
        let Received::Inform(i) = rec else {
            panic!("{rec:?}")
        };
        assert_eq!(i.version, Some(CwmpVersion::V1_0));
        assert_eq!(i.inform.device_id.manufacturer, "Zhone");
    });
    assert!(r.body.contains("urn:dslforum-org:cwmp-1-0"));
    assert!(r.body.contains(">946498461</cwmp:ID>"));
}

#[test]
fn an_old_cookie_on_the_inform_is_ignored() {
    let mut h = Harness::new(AcsConfig::default());
    let raw = post(
        &inform("cwmp-1-2", Some("1.4"), None),
        PostKind::SoapRequest,
        Some("cwmpsid=00112233445566778899aabbccddeeff"),
        None,
    );
    let r = h.exchange(raw, |_, rec| assert!(matches!(rec, Received::Inform(_))));
    assert_eq!(r.status, 200);
    assert!(r.cookie().is_some());
}

#[test]
fn sessions_span_connections_by_cookie() {
    use cwmp_core::acs::AcsSessions;
    let mut table: AcsSessions<'static, 2> = AcsSessions::new(AcsConfig::default());
    let mut rng = SplitMix64::new(5);
    let now = Instant::from_secs(1);
    let mut tx = vec![0u8; 8192];
    let mut send = |table: &mut AcsSessions<'static, 2>, mut raw: Vec<u8>| {
        let slot = table.route(now, &raw, &mut rng).unwrap();
        let s = table.get(slot).unwrap();
        s.handle_request(now, &mut raw).unwrap();
        let mut w: &mut [u8] = &mut tx;
        let t = s.poll_transmit(now, &mut w).unwrap().unwrap();
        (slot, Resp::parse(&tx[..t.len]))
    };
    // Two CPEs start Sessions; each continues "on a new connection" with its cookie.
    let (a, ra) = send(
        &mut table,
        soap_post(&inform("cwmp-1-2", Some("1.4"), None), None),
    );
    let (b, rb) = send(&mut table, soap_post(&inform("cwmp-1-1", None, None), None));
    assert_ne!(a, b);
    assert_eq!(table.live(), 2);
    // A third has no room.
    assert_eq!(
        table.route(
            now,
            &soap_post(&inform("cwmp-1-2", None, None), None),
            &mut SplitMix64::new(6)
        ),
        None
    );
    let (b2, r) = send(&mut table, empty_post(Some(&rb.cookie().unwrap())));
    assert_eq!((b2, r.status), (b, 204));
    let (a2, r) = send(&mut table, empty_post(Some(&ra.cookie().unwrap())));
    assert_eq!((a2, r.status), (a, 204));
    assert_eq!(table.live(), 0);
    assert_eq!(table.poll_timeout(), None);
    // Ended slots are reused.
    let (c, _) = send(&mut table, soap_post(&inform("cwmp-1-2", None, None), None));
    assert!(c == a || c == b);
    table.handle_timeout(now + Duration::from_secs(3600));
    assert_eq!(table.live(), 0);
}
