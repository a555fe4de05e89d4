//! Puts `memory.x` where the linker finds it, and links with cortex-m-rt's `link.x`.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    // Here rather than in `.cargo/config.toml`'s rustflags, which a RUSTFLAGS variable (even
    // an empty one, as CI exports) would replace.
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
}
