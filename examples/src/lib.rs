//! Shared std helpers for the example programs: the `inspect` text format, and (later) the
//! blocking drivers around the sans-IO machines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod inspect;
