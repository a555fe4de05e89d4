//! A whole CWMP Session in memory, shared by `benches/session.rs` (criterion) and
//! `examples/profile.rs` (callgrind): the CPE machine (`cwmp_core::cpe::Cpe`) against the ACS
//! machine (`cwmp_core::acs::AcsSession`), both of this project, over in-memory buffers (no
//! sockets, no threads): Inform → InformResponse, empty POST → GetParameterValues of 10
//! parameters → its response → 204. Every byte goes through the real HTTP writers and readers
//! and the real envelope codec on both sides.

use cwmp_codec::message::{GetParameterValues, GetParameterValuesResponse, ParameterValueStruct};
use cwmp_codec::{Array, Body, Value, XmlStr};
use cwmp_core::acs::{AcsConfig, AcsSession};
use cwmp_core::cpe::{Config, Cpe, Event, Incoming};
use cwmp_core::{Instant, SplitMix64};

const NAMES: [XmlStr<'static>; 1] = [XmlStr::new("Device.DeviceInfo.")];

/// One complete Session, connection request to SessionEnded; returns the number of HTTP round
/// trips.
pub fn session(
    cpe: &mut Cpe,
    now: Instant,
    tx: &mut [u8],
    rx: &mut [u8],
    answer: &[ParameterValueStruct<'_>],
) -> usize {
    let mut rng = SplitMix64::new(7);
    let mut acs: AcsSession<'_> = AcsSession::new(AcsConfig::default(), now, &mut rng);
    acs.enqueue(GetParameterValues {
        parameter_names: Array::new(&NAMES),
    })
    .unwrap();
    cpe.handle_connection_request(now);
    let mut staged: Option<usize> = None;
    let mut trips = 0;
    loop {
        let mut ended = false;
        while let Some(e) = cpe.poll_event() {
            match e {
                Event::Connect { .. } => cpe.handle_connected(now).unwrap(),
                Event::SessionEnded { .. } => ended = true,
                _ => {}
            }
        }
        if ended {
            return trips;
        }
        let len = match staged.take() {
            Some(n) => n,
            None => {
                let mut w: &mut [u8] = &mut tx[..];
                match cpe.poll_transmit(now, &mut w).unwrap() {
                    Some(t) => t.len,
                    None => panic!("the CPE stalled"),
                }
            }
        };
        acs.handle_request(now, &mut tx[..len]).unwrap();
        let mut w: &mut [u8] = &mut rx[..];
        let t = acs
            .poll_transmit(now, &mut w)
            .unwrap()
            .expect("the ACS answers every POST");
        trips += 1;
        while acs.poll_event().is_some() {}
        if let Incoming::AcsRequest(req) = cpe.handle_response(now, rx, t.len).unwrap() {
            let reply: Body<'_> = match req.body() {
                Body::GetParameterValues(_) => GetParameterValuesResponse {
                    parameter_list: Array::new(answer),
                }
                .into(),
                other => panic!("unexpected {}", other.method_name()),
            };
            let mut w: &mut [u8] = &mut tx[..];
            staged = Some(cpe.respond(now, reply, &mut w).unwrap().len);
        }
    }
}

/// Sets up a `Cpe` past its first (BOOTSTRAP) Session, and the buffers and the GPV answer, then
/// hands `f` a closure that runs one more whole Session (returning its round trips).
pub fn with_sessions<R>(f: impl FnOnce(&mut dyn FnMut() -> usize) -> R) -> R {
    let config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    let now = Instant::from_secs(10);
    let mut cpe: Cpe = Cpe::new(&config, now, 1).unwrap();
    let names: Vec<String> = (0..10)
        .map(|i| format!("Device.DeviceInfo.X_ACME_Param{i}"))
        .collect();
    let answer: Vec<ParameterValueStruct<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| ParameterValueStruct::new(n, Value::UnsignedInt(i as u32)))
        .collect();
    let mut tx = vec![0u8; 16 * 1024];
    let mut rx = vec![0u8; 16 * 1024];
    // The first Session (BOOTSTRAP) is not measured.
    cpe.bootstrap(now);
    assert!(session(&mut cpe, now, &mut tx, &mut rx, &answer) >= 3);
    let mut one = || session(&mut cpe, now, &mut tx, &mut rx, &answer);
    f(&mut one)
}
