//! Shared std helpers for the example programs: the `inspect` text format, the blocking
//! drivers around the sans-IO machines ([`driver`], [`acs_server`]) and the `acs` example's
//! script format ([`acs_script`]); the ACS on tokio/hyper ([`acs_tokio`], [`provision`]) and the
//! load test of simulated CPEs ([`sim_cpe`], [`loadtest`]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod acs_script;
pub mod acs_server;
pub mod acs_tokio;
pub mod cli;
pub mod cpe_app;
pub mod cpe_driver;
pub mod data_model;
pub mod demo;
pub mod driver;
pub mod faults;
pub mod inspect;
pub mod loadtest;
pub mod provision;
pub mod sim_cpe;
pub mod tls;
pub mod udp_cr;
