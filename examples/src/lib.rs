//! Shared std helpers for the example programs: the `inspect` text format, the blocking
//! drivers around the sans-IO machines ([`driver`], [`acs_server`]) and the `acs` example's
//! script format ([`acs_script`]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod acs_script;
pub mod acs_server;
pub mod cpe_app;
pub mod cpe_driver;
pub mod data_model;
pub mod demo;
pub mod driver;
pub mod inspect;
pub mod tls;
