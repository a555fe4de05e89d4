//! Shared std helpers for the example programs (blocking drivers around the sans-IO machines).
