//! The stack depth of the codec alone (issue 3), on the Cortex-M4 of QEMU's `mps2-an386`:
//! `Envelope::encode` (with `encoded_len`) and `decode` followed by a walk of every field, of
//! representative messages and of one at every decoder limit ([`measure`]), each on freshly
//! painted stack (`cwmp_firmware_example::stack`). Prints one `stack encode|decode …` line per
//! measurement (`run.sh` makes the table), then `PASS`, and exits with success only if every
//! message encoded, decoded and walked back to what was built.
//!
//! A program of its own so that the messages, names and formats it needs stay out of the
//! device program's flash (`src/main.rs`, the one to copy).
#![no_std]
#![no_main]

mod measure;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
pub use cwmp_firmware_example::Failure;
use cwmp_firmware_example::{finish, stack};

/// The buffer the messages are encoded into and decoded from: the size of the device
/// program's receive buffer.
const BUF_LEN: usize = 8 * 1024;

#[entry]
fn main() -> ! {
    // cortex-m-rt hands an entry point's `static mut` out as a `&'static mut` (in `.bss`, not
    // on the stack).
    static mut BUF: [u8; BUF_LEN] = [0; BUF_LEN];

    stack::paint();
    let (bottom, top) = stack::bounds();
    hprintln!(
        "cwmp codec stack depth: Cortex-M4, {} B of RAM left for the stack",
        top - bottom
    );
    let result = measure::codec(BUF);
    finish(result)
}
