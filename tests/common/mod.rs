//! Data and helpers shared by the AMPL interface tests.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use pounce::outcome::{Solution, SolveStatus};
use std::path::PathBuf;

/// A fresh empty directory for one test.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pounce-{group}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// HS071 as the reference Ipopt solved it (spec B.6), in Ipopt's internal convention:
/// the .sol shows −λ, +z_L and −z_U for a minimize problem.
pub fn hs071(status: SolveStatus) -> Solution {
    Solution {
        status,
        x: vec![
            0.9999999923235379,
            4.742999641809297,
            3.8211499817883077,
            1.3794082897556983,
        ],
        lambda: vec![-0.5522936588816064, 0.16146856313488814],
        z_lower: vec![
            1.0878712258659013,
            6.693166200640359e-10,
            8.88765714529436e-10,
            6.570872591662121e-09,
        ],
        z_upper: vec![
            6.262653086171725e-10,
            9.788835007026714e-09,
            2.122849252064227e-09,
            6.925197858855533e-10,
        ],
        objective: 17.014017145179164,
        iterations: 8,
    }
}

/// The complete HS071 .sol of spec B.6, byte for byte as the reference Ipopt wrote it.
pub const HS071_SOL: &str = " \nIpopt 3.14.15: Optimal Solution Found\n\nOptions\n3\n1\n1\n0\n2\n2\n4\n4\n\
0.5522936588816064\n-0.16146856313488814\n0.9999999923235379\n4.742999641809297\n\
3.8211499817883077\n1.3794082897556983\nobjno 0 0\nsuffix 4 4 13 0 0\nipopt_zU_out\n\
0 -6.262653086171725e-10\n1 -9.788835007026714e-09\n2 -2.122849252064227e-09\n\
3 -6.925197858855533e-10\nsuffix 4 4 13 0 0\nipopt_zL_out\n0 1.0878712258659013\n\
1 6.693166200640359e-10\n2 8.88765714529436e-10\n3 6.570872591662121e-09\n";
