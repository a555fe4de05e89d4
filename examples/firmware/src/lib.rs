//! What the example's two programs share: [`stack`], the stack high-water marks by painting.
//!
//! * `src/main.rs` (the binary `cwmp-firmware-example`): the device program, complete CWMP
//!   Sessions against a scripted ACS, with the stack depth of its phases. This is the one to
//!   copy; its flash is what `size.sh` checks against the budget.
//! * `src/bin/stack_depth/` (the binary `stack_depth`): the stack depth of the codec alone,
//!   encode and decode of representative messages and of one at every decoder limit. A
//!   separate program so that its messages, names and formats (about 10 KB of flash) stay out
//!   of the device program.
#![no_std]

pub mod stack;
