//! Sizes the codec honours, named once (DESIGN.md §5), each with the TR-069 rule it comes from.
//!
//! The decoder keeps no copy of the input: these bound only the little state it needs while
//! walking an envelope (open elements, namespace bindings), which is what keeps its extra RAM
//! O(depth) whatever the envelope's size.

/// Deepest element nesting accepted. A CWMP envelope needs 7 levels
/// (Envelope/Body/ChangeDUState/Operations/…); the rest is head-room for unknown elements
/// a peer may add, which are skipped (TR-069 §3.5 leniency). Deeper input is rejected as
/// hostile.
pub const MAX_DEPTH: usize = 32;

/// Namespace bindings in scope at once (declarations on the Envelope plus those on inner
/// elements, INTEROP N3). Real peers use 5 to 8.
pub const MAX_NAMESPACE_BINDINGS: usize = 16;

/// Attributes on one element.
pub const MAX_ATTRIBUTES: usize = 32;

/// Largest input the decoder accepts: offsets are kept as `u32`. TR-069 §3.5 only requires
/// envelopes of at least 32768 bytes to be accepted.
pub const MAX_INPUT_LEN: usize = u32::MAX as usize;

/// Smallest envelope every CWMP endpoint must accept without "Resources exceeded" (TR-069 §3.5).
pub const MIN_ACCEPTED_ENVELOPE: usize = 32_768;

/// Maximum number of entries in an Inform `Event` array (TR-069 §A.3.3.1, Table 37).
pub const MAX_EVENTS: usize = 64;

/// Maximum length of a Parameter name or path (Tables 17, 18, 20, 22, 25, 28, 29, 31).
pub const MAX_PARAMETER_NAME: usize = 256;

/// Maximum length of a CommandKey (Tables 33, 35, 40, 49, 56, 63, 66, 68).
pub const MAX_COMMAND_KEY: usize = 32;

/// Maximum length of a ParameterKey (Tables 15, 29, 31).
pub const MAX_PARAMETER_KEY: usize = 32;

/// Maximum length of an EventCode (Table 40).
pub const MAX_EVENT_CODE: usize = 64;
