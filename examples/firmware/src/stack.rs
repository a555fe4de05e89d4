//! Stack high-water marks by painting: the free stack (from the end of `.bss` up to the stack
//! pointer) is filled with [`PAINT`], the code runs, and the lowest word no longer holding the
//! pattern is how deep the stack went. The only `unsafe` of the example besides taking the
//! statics: writing and reading that free stack.
//!
//! Two ways to use it:
//! * **phases** of the scenario: [`phase_end`] returns the deepest use since the previous call
//!   (or since start-up) and paints again for the next phase;
//! * **nested measurements**: [`measure`] runs a closure on freshly painted stack and returns
//!   how much stack it used below the caller ([`Depth::own`]) and from the top of RAM
//!   ([`Depth::total`]). It paints again afterwards, so the enclosing phase sees what ran
//!   outside the measured closure only; [`deepest`] still counts everything.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The pattern painted over the free stack.
const PAINT: u32 = 0xC0FF_EE55;
/// Bytes left unpainted below the stack pointer of [`paint`] (its own frame holds everything
/// it uses, so this is only a safety margin; a measured closure using less than
/// `frame of paint + margin` below [`measure`] is reported as using that much).
const PAINT_MARGIN: usize = 16;

/// Deepest use of the current phase seen before a repaint (by [`measure`]).
static PHASE: AtomicUsize = AtomicUsize::new(0);
/// Deepest use ever seen (every phase and every measurement).
static DEEPEST: AtomicUsize = AtomicUsize::new(0);

// Symbols of cortex-m-rt's `link.x`: the end of `.bss`/`.uninit` (where the stack's room ends)
// and the initial stack pointer (the end of RAM).
extern "C" {
    static __sheap: u32;
    static _stack_start: u32;
}

/// The stack's room: from the end of `.bss` to the top of RAM.
pub fn bounds() -> (usize, usize) {
    // Only the addresses of the linker symbols are taken; nothing is read.
    (
        core::ptr::addr_of!(__sheap) as usize,
        core::ptr::addr_of!(_stack_start) as usize,
    )
}

/// Fills the unused stack (from the end of `.bss` up to a margin below the current stack
/// pointer) with [`PAINT`].
#[inline(never)]
pub fn paint() {
    let (bottom, _) = bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = bottom;
    while p + 4 <= sp.saturating_sub(PAINT_MARGIN) {
        // SAFETY: `[bottom, sp - margin)` is RAM that nothing uses: above it is the live stack,
        // below it `.bss`; there is no heap and no interrupt handler. Word-aligned: `__sheap`
        // is 4-aligned.
        #[allow(unsafe_code)]
        unsafe {
            core::ptr::write_volatile(p as *mut u32, PAINT)
        };
        p += 4;
    }
}

/// Bytes of stack used since the last [`paint`]: from the top of RAM down to the lowest word
/// not holding [`PAINT`] any more.
#[inline(never)]
pub fn high_water() -> usize {
    let (bottom, top) = bounds();
    let mut p = bottom;
    // SAFETY: reads of RAM between the end of `.bss` and the top of the stack.
    #[allow(unsafe_code)]
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

fn fold(max: &AtomicUsize, n: usize) {
    max.fetch_max(n, Ordering::Relaxed);
}

/// Ends a phase: returns its deepest stack use (bytes from the top of RAM, measurements nested
/// in it by [`measure`] left out) and paints the stack again for the next one.
pub fn phase_end() -> usize {
    let n = PHASE.swap(0, Ordering::Relaxed).max(high_water());
    fold(&DEEPEST, n);
    paint();
    n
}

/// Deepest stack use ever seen: every phase (up to now) and every measurement.
pub fn deepest() -> usize {
    DEEPEST.load(Ordering::Relaxed).max(high_water())
}

/// The stack a measured closure used.
#[derive(Clone, Copy, Debug)]
pub struct Depth {
    /// Below the stack pointer of the caller of [`measure`]: what the code itself needs.
    pub own: usize,
    /// From the top of RAM: what the program needed at that point.
    pub total: usize,
}

/// Runs `f` on freshly painted stack and returns its stack use. The enclosing phase keeps
/// what it used before; what `f` used counts for [`deepest`] only.
#[inline(never)]
pub fn measure(f: &mut dyn FnMut()) -> Depth {
    let (_, top) = bounds();
    let base = top - cortex_m::register::msp::read() as usize;
    fold(&PHASE, high_water());
    paint();
    // `black_box`: a call through the pointer, never inlined into this frame (which would
    // put `f`'s locals above `base`).
    core::hint::black_box(f)();
    let total = high_water();
    fold(&DEEPEST, total);
    paint();
    Depth {
        own: total.saturating_sub(base),
        total,
    }
}
