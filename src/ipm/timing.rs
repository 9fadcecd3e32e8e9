//! Where a solve spends its time: wall and processor clocks, and per-phase accumulators
//! for the `print_timing_statistics` block and the `pounce::timing` log line.

use std::time::Instant;

/// Processor time of the process in seconds (`CLOCK_PROCESS_CPUTIME_ID`, which the
/// kernel keeps exact to the nanosecond, unlike the tick-based `getrusage`). `None` if
/// the clock cannot be read.
pub fn cpu_seconds() -> Option<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
}

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
            cpu: cpu_seconds(),
        }
    }

    /// Wall-clock seconds since the start.
    pub fn wall(&self) -> f64 {
        self.wall.elapsed().as_secs_f64()
    }

    /// Processor seconds since the start (NaN where not measurable).
    pub fn cpu(&self) -> f64 {
        match (self.cpu, cpu_seconds()) {
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
