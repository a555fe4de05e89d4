//! What the example's two programs share: [`stack`], the stack high-water marks by painting,
//! and how a program ends ([`Failure`], [`finish`], the panic handler).
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

use cortex_m_semihosting::{debug, hprintln};

/// A scripted step or a measurement failed: what went wrong.
#[derive(Debug, Clone, Copy)]
pub struct Failure(pub &'static str);

/// Prints the stack high-water, then `PASS` or `FAIL: why`, and ends QEMU with the matching
/// exit code (what `run.sh` checks).
pub fn finish<T>(result: Result<T, Failure>) -> ! {
    hprintln!("stack high-water: {} bytes", stack::deepest());
    match result {
        Ok(_) => {
            hprintln!("PASS");
            debug::exit(debug::EXIT_SUCCESS);
        }
        Err(Failure(why)) => {
            hprintln!("FAIL: {}", why);
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    loop {
        cortex_m::asm::bkpt();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("PANIC: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::bkpt();
    }
}
