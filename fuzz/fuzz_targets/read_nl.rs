//! Fuzzes the `.nl` reader: any byte string must give a model or a typed error, never
//! a panic, hang or unbounded allocation; a model that reads must also evaluate at
//! its starting point without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pounce::nl::eval::Evaluator;

fuzz_target!(|data: &[u8]| {
    let Ok(model) = pounce::nl::read_bytes("fuzz.nl", data) else {
        return;
    };
    let x: Vec<f64> = model.x0.iter().map(|v| v.unwrap_or(0.0)).collect();
    let ev = Evaluator::new(&model);
    let mut ws = ev.workspace();
    ev.eval_defined(&x, &mut ws);
    let mut c = vec![0.0; model.n_con];
    let _ = ev.constraints(&x, &mut ws, &mut c);
    for i in 0..model.tape.objectives.len() {
        let _ = ev.objective(i, &x, &mut ws);
    }
});
