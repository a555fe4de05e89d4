//! Fuzz bodies for cwmp-core's parsers: the persistent record, and the two cwmp-codec value parsers
//! that cwmp-core owns (`dateTime`, event codes). Each checks a round trip on top of "never panics".

use cwmp_core::codec::datetime::DateTime;
use cwmp_core::codec::event::{EventCode, StoredEventCode};
use cwmp_core::cpe::{Config, Cpe};
use cwmp_core::events::EventQueue;
use cwmp_core::persist::Record;
use cwmp_core::schedule::ScheduleInformQueue;
use cwmp_core::transfer::Transfers;
use cwmp_core::Instant;

/// The record with the default capacities.
type DefaultRecord = Record;

/// `Record::restore` never panics; a record it accepts exports back to the very same bytes (the
/// encoding is canonical) and restores to an equal record. `Cpe::boot`, which restores without
/// building a `Record` (validate, then apply), gives the same result as `Record::restore` then
/// `Record::apply`: the same error, or the same ParameterKey, UDP `ts` and transfers.
pub fn persist_restore(data: &[u8]) {
    let now = Instant::from_secs(1);
    let config = Config::new(
        "http://acs.example.com/cwmp",
        "Acme",
        "00D09E",
        "STB",
        "SN1",
    );
    let mut cpe: Box<Cpe> = Box::new(Cpe::new(&config, now, 0).expect("valid config"));
    let streamed = cpe.boot(now, Some(data));
    let mut events: EventQueue = EventQueue::new();
    let mut transfers: Transfers = Transfers::new();
    let mut schedule: ScheduleInformQueue = ScheduleInformQueue::new();
    let applied = DefaultRecord::restore(data).and_then(|r| {
        r.apply(now, None, &mut events, &mut transfers, &mut schedule)?;
        Ok(r)
    });
    assert_eq!(
        streamed.err(),
        applied.as_ref().err().copied(),
        "Cpe::boot disagrees with Record::restore + apply"
    );
    if let Ok(r) = &applied {
        assert_eq!(cpe.parameter_key(), r.parameter_key.as_deref());
        assert_eq!(cpe.udp_timestamp(), r.last_udp_timestamp);
        assert_eq!(format!("{:?}", cpe.transfers()), format!("{transfers:?}"));
    }

    let Ok(record) = DefaultRecord::restore(data) else {
        return;
    };
    let mut buf = [0u8; DefaultRecord::MAX_LEN];
    let n = record
        .export(&mut buf)
        .expect("a restored record fits MAX_LEN");
    assert_eq!(n, record.encoded_len());
    assert_eq!(
        Some(&buf[..n]),
        data.get(..n),
        "export is not byte-identical"
    );
    let again = DefaultRecord::restore(&buf[..n]).expect("exported record restores");
    assert_eq!(again, record);
}

/// `DateTime::parse` never panics; an accepted value displays to text that parses back equal, and
/// absolute values survive the Unix-time round trip (fraction dropped).
pub fn datetime_parse(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = DateTime::parse(s) else {
        return;
    };
    let text = t.to_string();
    assert!(text.len() <= DateTime::MAX_LEN);
    assert_eq!(DateTime::parse(&text), Ok(t));
    if let Some(secs) = t.to_unix() {
        let back = DateTime::from_unix(secs, t.offset()).expect("in range");
        assert_eq!(Some(back), t.with_nanos(0));
    } else {
        assert!(t.is_relative());
        let secs = t.relative_seconds().expect("relative");
        assert_eq!(Some(DateTime::relative(secs)), t.with_nanos(0));
    }
}

/// `EventCode::parse` never panics; an accepted code is the trimmed input, parses back equal, and
/// converts to the owned form and back when it fits.
pub fn event_code_parse(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(code) = EventCode::parse(s) else {
        return;
    };
    assert_eq!(code.as_str(), s.trim_matches([' ', '\t', '\r', '\n']));
    assert_eq!(EventCode::parse(code.as_str()), Ok(code));
    let _ = (code.is_multiple(), code.confirmed_by(), code.retry_policy());
    if let Ok(stored) = StoredEventCode::try_from(code) {
        assert_eq!(stored.as_event_code(), code);
    }
}

/// A target body.
pub type Body = fn(&[u8]);

/// The cwmp-core targets: name (the `corpus/` directory) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("core_persist_restore", persist_restore),
    ("core_datetime_parse", datetime_parse),
    ("core_event_code_parse", event_code_parse),
];
