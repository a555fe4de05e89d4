//! Spec-bounded sizes, named once (DESIGN §5), each with its TR-069 table.
//!
//! Lengths are TR-069 **characters** (§A.2.1); this crate stores them in as many **bytes**, so a
//! value at the limit must be ASCII. Longer input is refused with a typed error, never truncated
//! silently (except a FaultString, which the caller may truncate itself).

/// CommandKey: string(32) (Tables 33, 35, 40, 49, 56, 63, 66, 68).
pub const COMMAND_KEY_LEN: usize = 32;
/// ParameterKey: string(32) (Tables 15, 29, 31).
pub const PARAMETER_KEY_LEN: usize = 32;
/// FileType: string(64) (Tables 33, 56, 63).
pub const FILE_TYPE_LEN: usize = 64;
/// FaultStruct FaultString: string(256) (Table 43).
pub const FAULT_STRING_LEN: usize = 256;
/// EventCode: string(64) (Table 40).
pub const EVENT_CODE_LEN: usize = cwmp_codec::event::EVENT_CODE_MAX_LEN;
/// Inform `Event` array: EventStruct\[64\] (§A.3.3.1, Table 37).
pub const MAX_INFORM_EVENTS: usize = 64;
/// Minimum transfer queue (§A.3.2.8, §A.4.1.5, §A.4.1.8: "at least 3").
pub const MIN_TRANSFER_QUEUE: usize = 3;
/// Minimum ScheduleInform queue (§A.4.1.2: "a minimum of three").
pub const MIN_SCHEDULE_INFORM_QUEUE: usize = 3;

/// A CommandKey (string(32)).
pub type CommandKey = heapless::String<COMMAND_KEY_LEN>;
/// A ParameterKey (string(32)).
pub type ParameterKey = heapless::String<PARAMETER_KEY_LEN>;
/// A FileType (string(64)).
pub type FileType = heapless::String<FILE_TYPE_LEN>;
/// A FaultStruct FaultString (string(256)).
pub type FaultString = heapless::String<FAULT_STRING_LEN>;

/// Copies `s` into a fixed-capacity string, or `None` if it is longer than `N` bytes.
pub(crate) fn bounded<const N: usize>(s: &str) -> Option<heapless::String<N>> {
    let mut out = heapless::String::new();
    out.push_str(s).ok()?;
    Some(out)
}

/// Copies as much of `s` as fits in `N` bytes, cutting at a character boundary.
pub fn truncated<const N: usize>(s: &str) -> heapless::String<N> {
    let mut out = heapless::String::new();
    for c in s.chars() {
        if out.push(c).is_err() {
            break;
        }
    }
    out
}
