#![no_std]
#![no_main]
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
#[entry]
fn main() -> ! {
    hprintln!("hello");
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! { debug::exit(debug::EXIT_FAILURE); loop {} }
