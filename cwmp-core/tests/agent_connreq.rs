//! §3.2.2 with the agent: after the ACS sets `ConnectionRequestUsername`/`Password`, the next
//! Connection Request with the new credentials is accepted and the old ones get 401.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod agent_support;

use agent_support::*;
use cwmp_core::codec::http::auth::{ClientAuth, Credentials};
use cwmp_core::codec::http::response::ResponseHead;
use cwmp_core::codec::http::{Status, EMPTY_HEADER};
use cwmp_core::connreq::{ConnectionRequestServer, CrConfig, CrOutcome, RateLimit};
use cwmp_core::{Instant, SplitMix64};

const PATH: &str = "/cr/abc";

/// One challenged-then-answered Connection Request with `creds`, checked against what the
/// agent holds now. Returns the outcome and the status line of the answer.
fn connection_request(
    server: &mut ConnectionRequestServer,
    rig: &Rig,
    creds: &Credentials<'_>,
) -> (CrOutcome, String) {
    let c = rig.agent.connection_request_credentials();
    let config = CrConfig {
        rate_limit: RateLimit::NONE,
        ..CrConfig::new(PATH, c.username, c.password)
    };
    let mut rng = SplitMix64::new(3);
    let now = Instant::from_secs(100);
    let get = |server: &mut ConnectionRequestServer, rng: &mut SplitMix64, auth: Option<&str>| {
        let mut req = format!("GET {PATH} HTTP/1.1\r\nHost: 192.0.2.1:7547\r\n");
        if let Some(a) = auth {
            req += &format!("Authorization: {a}\r\n");
        }
        req += "\r\n";
        let mut out = [0u8; 1024];
        let mut w: &mut [u8] = &mut out;
        let o = server
            .handle_request(now, &config, req.as_bytes(), rng, &mut w)
            .unwrap();
        let n = 1024 - w.len();
        (o, String::from_utf8(out[..n].to_vec()).unwrap())
    };
    let (o, resp) = get(server, &mut rng, None);
    assert_eq!(o, CrOutcome::Challenged { stale: false });
    let mut h = [EMPTY_HEADER; 8];
    let Status::Complete(head) = ResponseHead::parse(resp.as_bytes(), &mut h).unwrap() else {
        panic!()
    };
    let mut client = ClientAuth::new();
    client.handle_challenges(head.www_authenticate()).unwrap();
    let a = client
        .authorization(creds, "GET", PATH, &[1; 16])
        .unwrap()
        .unwrap()
        .as_str()
        .to_string();
    let (o, resp) = get(server, &mut rng, Some(&a));
    (o, resp.lines().next().unwrap_or("").to_string())
}

#[test]
fn spv_of_connection_request_credentials_reaches_the_server() {
    let mut r = Rig::new();
    r.agent
        .set_connection_request("http://192.0.2.1:7547/cr/abc", "factory", "old-pass");
    let old = Credentials {
        username: "factory",
        password: "old-pass",
    };
    let new = Credentials {
        username: "acs-user",
        password: "new-pass",
    };
    let mut server = ConnectionRequestServer::new();
    let (o, _) = connection_request(&mut server, &r, &old);
    assert!(matches!(o, CrOutcome::Accepted { .. }), "{o:?}");

    r.open();
    let p = r.rpc(&spv(
        &[
            (
                "Device.ManagementServer.ConnectionRequestUsername",
                "string",
                "acs-user",
            ),
            (
                "Device.ManagementServer.ConnectionRequestPassword",
                "string",
                "new-pass",
            ),
        ],
        "bootstrap",
    ));
    assert!(p.fault_code().is_none(), "{}", p.text());
    r.close();

    let mut server = ConnectionRequestServer::new();
    let (o, status) = connection_request(&mut server, &r, &new);
    assert!(matches!(o, CrOutcome::Accepted { .. }), "{o:?}");
    assert!(status.contains("200") || status.contains("204"), "{status}");
    let (o, status) = connection_request(&mut server, &r, &old);
    assert!(matches!(o, CrOutcome::Rejected(_)), "{o:?}");
    assert!(status.contains("401"), "{status}");
}
