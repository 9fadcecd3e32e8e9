//! The checks of the reader's fuzz target, shared by `fuzz_targets/read_nl.rs` (libFuzzer,
//! nightly) and the stable test `tests/robust_fuzz_stream.rs` (a fixed, deterministic
//! stream of mutated files, run in CI). Both crates provide the reader as `crate::nl`.
//!
//! Any byte string must give a model or a typed error, never a panic, hang or unbounded
//! allocation; a model that reads must also evaluate at its starting point without
//! panicking, and a text file that reads must convert to binary and read back to the
//! same model.

use crate::nl;
use crate::nl::eval::Evaluator;

/// Runs every check on `data`; panics on a violation.
pub fn check(data: &[u8]) {
    let Ok(model) = nl::read_bytes("fuzz.nl", data) else {
        return;
    };
    let x: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
    let ev = Evaluator::new(&model);
    let mut ws = ev.workspace();
    let mut c = vec![0.0; model.n_con];
    let _ = ev.objective_and_constraints(&x, &mut ws, &mut c);
    if model.format == nl::Format::Text {
        for order in [nl::ByteOrder::Little, nl::ByteOrder::Big] {
            // Text integers may exceed the 32 (or 16) bits of their binary encoding.
            let bin = match nl::write::write_binary("fuzz.nl", data, order) {
                Ok(bin) => bin,
                Err(e) if e.to_string().contains("does not fit") => continue,
                Err(e) => panic!("text reads but does not convert: {e}"),
            };
            let mut back = nl::read_bytes("fuzz.nl", &bin).expect("binary reads");
            back.format = model.format;
            back.header.arith = model.header.arith;
            assert!(
                back == model || has_nan(&model),
                "binary round trip differs"
            );
        }
    }
}

/// NaN compares unequal to itself, so models holding one are not compared.
fn has_nan(m: &nl::Model) -> bool {
    let t = &m.tape;
    t.consts.iter().any(|v| v.is_nan())
        || m.var_lower
            .iter()
            .chain(&m.var_upper)
            .chain(&m.con_lower)
            .chain(&m.con_upper)
            .any(|v| v.is_nan())
        || m.x0.iter().chain(&m.y0).flatten().any(|v| v.is_nan())
        || m.jacobian
            .value
            .iter()
            .chain(&m.gradient.value)
            .any(|v| v.is_nan())
        || m.suffixes
            .iter()
            .any(|s| s.values.iter().any(|v| v.1.is_nan()))
        || t.plterms
            .iter()
            .any(|p| p.slopes.iter().chain(&p.breakpoints).any(|v| v.is_nan()))
}
