//! Fuzzes the `.nl` reader with the checks of `../read_nl_body.rs` (see there).
#![no_main]
// The reader module is compiled here on its own; not all of its API is used.
#![allow(dead_code, unused_imports)]

#[path = "../../src/nl/mod.rs"]
mod nl;

#[path = "../read_nl_body.rs"]
mod body;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| body::check(data));
