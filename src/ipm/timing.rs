//! Where a solve spends its time: wall and processor clocks, and per-phase accumulators
//! for the `print_timing_statistics` block and the `pounce::timing` log line.

use crate::stop::process_cpu_seconds;
use std::time::Instant;

/// A wall-clock and processor-time stopwatch started at construction.
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch {
    wall: Instant,
    cpu: Option<f64>,
}

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: process_cpu_seconds(),
        }
    }

    /// Wall-clock seconds since the start.
    pub fn wall(&self) -> f64 {
        self.wall.elapsed().as_secs_f64()
    }

    /// Processor seconds since the start (NaN where not measurable).
    pub fn cpu(&self) -> f64 {
        match (self.cpu, process_cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        }
    }
}

/// Count and wall-clock seconds of one kind of work.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    pub count: usize,
    pub seconds: f64,
}

impl Tally {
    /// Adds one occurrence that started at `t`.
    pub fn add_since(&mut self, t: Instant) {
        self.count += 1;
        self.seconds += t.elapsed().as_secs_f64();
    }

    pub fn merge(&mut self, other: Tally) {
        self.count += other.count;
        self.seconds += other.seconds;
    }
}

/// Time of the linear algebra of the KKT systems.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LinearAlgebraTimes {
    /// Numeric factorizations (each inertia-correction attempt counts).
    pub factor: Tally,
    /// Solves with a factorization (refinement steps included, one per right-hand side).
    pub backsolve: Tally,
}

impl LinearAlgebraTimes {
    pub fn merge(&mut self, other: LinearAlgebraTimes) {
        self.factor.merge(other.factor);
        self.backsolve.merge(other.backsolve);
    }
}
