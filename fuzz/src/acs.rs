//! Fuzz body for the ACS session machine (`cwmp_core::acs`): arbitrary HTTP requests, time
//! steps and application commands fed to one `AcsSession`. Never panics; every response has an
//! exact `Content-Length`; an ended Session refuses further input.
//!
//! Input format (so seeds stay readable and the fuzzer can keep structure):
//! byte 0: flags (bit 0: Digest credentials, bit 1: cookie required, bit 2: ACS speaks 1.4 only);
//! then steps: one opcode byte, then for opcode `r` a big-endian u16 length and that many bytes
//! of request, for `t` one byte of seconds to advance, for `q` one byte choosing a request to
//! enqueue, for `f` one byte of fault code offset (answer_fault 8000 + n), `c` closes.

use cwmp_core::acs::{AcsConfig, AcsSession, ApiMisuse, StaticCredentials};
use cwmp_core::codec::message::{GetParameterNames, GetParameterValues, Reboot};
use cwmp_core::codec::{Array, CwmpVersion, FaultCode, VersionList, XmlStr};
use cwmp_core::{Duration, Instant, SplitMix64};

static NAMES: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.UpTime")];
static CREDS: StaticCredentials<'static> = StaticCredentials {
    username: "cpe",
    password: "pw",
};

/// Checks that `out` is one HTTP response whose `Content-Length` (if any) matches its body.
fn check_response(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("responses are ASCII/UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    assert!(head.starts_with("HTTP/1.1 "));
    let cl = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .map(|v| v.parse::<usize>().expect("a number"));
    assert_eq!(cl.unwrap_or(0), body.len());
}

/// The fuzz body.
pub fn acs_session(data: &[u8]) {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let config = AcsConfig {
        credentials: if flags & 1 != 0 { Some(&CREDS) } else { None },
        require_cookie: flags & 2 != 0,
        versions: if flags & 4 != 0 {
            VersionList::single(CwmpVersion::V1_4)
        } else {
            VersionList::ALL
        },
        ..AcsConfig::default()
    };
    let mut now = Instant::from_secs(1);
    let mut acs: AcsSession<'static, 4> = AcsSession::new(config, now, &mut SplitMix64::new(1));
    let mut tx = vec![0u8; 1 << 16];
    let mut buf = Vec::new();
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op {
            b'r' => {
                let (Some(&hi), Some(&lo)) = (rest.first(), rest.get(1)) else {
                    return;
                };
                let len = usize::from(u16::from_be_bytes([hi, lo])).min(rest.len() - 2);
                buf.clear();
                buf.extend_from_slice(&rest[2..2 + len]);
                rest = &rest[2 + len..];
                let ended = acs.is_ended();
                match acs.handle_request(now, &mut buf) {
                    Ok(_) => assert!(!ended),
                    Err(ApiMisuse::SessionEnded) => assert!(ended),
                    Err(e) => panic!("unexpected {e:?}"),
                }
                let total = tx.len();
                let mut w: &mut [u8] = &mut tx;
                if let Ok(Some(t)) = acs.poll_transmit(now, &mut w) {
                    assert_eq!(t.len, total - w.len());
                    check_response(&tx[..t.len]);
                }
            }
            b't' => {
                let Some((&secs, tail)) = rest.split_first() else {
                    return;
                };
                rest = tail;
                now = now + Duration::from_secs(u64::from(secs));
                acs.handle_timeout(now);
            }
            b'q' => {
                let Some((&which, tail)) = rest.split_first() else {
                    return;
                };
                rest = tail;
                let _ = match which % 3 {
                    0 => acs.enqueue(GetParameterNames {
                        parameter_path: XmlStr::new("Device."),
                        next_level: true,
                    }),
                    1 => acs.enqueue(GetParameterValues {
                        parameter_names: Array::new(&NAMES),
                    }),
                    _ => acs.enqueue(Reboot {
                        command_key: XmlStr::new("ck"),
                    }),
                };
            }
            b'f' => {
                let Some((&n, tail)) = rest.split_first() else {
                    return;
                };
                rest = tail;
                let _ = acs.answer_fault(FaultCode(8000 + u32::from(n)));
            }
            b'c' => acs.handle_close(now),
            _ => {}
        }
        while acs.poll_event().is_some() {}
        if acs.is_ended() {
            assert_eq!(acs.poll_timeout(), None);
        }
    }
}

/// A target body.
pub type Body = fn(&[u8]);

/// The targets of this file, for the seed replay.
pub const TARGETS: &[(&str, Body)] = &[("acs_session", acs_session)];
