//! # The firmware author's guide to the agent
//!
//! placeholder
