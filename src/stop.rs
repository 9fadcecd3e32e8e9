//! One stop signal per solve: the wall-clock and CPU-time limits (`max_wall_time`,
//! `max_cpu_time`) and the interrupt flag that Ctrl-C sets.
//!
//! The solvers poll [`Stop::check`] between units of work (every iteration, every
//! line-search trial, every restoration iteration, every front of the sparse
//! factorization), so a limit or an interrupt ends a solve within a small fraction of a
//! second of its moment even when one iteration takes much longer. A check costs one
//! atomic load and one monotonic clock read; the process CPU time, a system call, is
//! read at most every [`CPU_POLL`] of wall-clock time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::outcome::SolveStatus;

/// Wall-clock interval between two readings of the process CPU time.
const CPU_POLL: Duration = Duration::from_millis(5);

/// Why a solve was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StopReason {
    WallTime,
    CpuTime,
    Interrupt,
}

impl StopReason {
    const ALL: [StopReason; 3] = [
        StopReason::WallTime,
        StopReason::CpuTime,
        StopReason::Interrupt,
    ];

    fn code(self) -> u8 {
        match self {
            StopReason::WallTime => 1,
            StopReason::CpuTime => 2,
            StopReason::Interrupt => 3,
        }
    }

    fn from_code(code: u8) -> Option<StopReason> {
        StopReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The outcome a solve stopped for this reason reports (spec C.2).
    pub fn status(self) -> SolveStatus {
        match self {
            StopReason::WallTime => SolveStatus::WallTimeExceeded,
            StopReason::CpuTime => SolveStatus::CpuTimeExceeded,
            StopReason::Interrupt => SolveStatus::UserRequestedStop,
        }
    }
}

#[derive(Debug)]
struct Limits {
    interrupt: Option<Arc<AtomicBool>>,
    start: Instant,
    wall_deadline: Option<Instant>,
    /// Process CPU seconds at which the CPU limit is reached.
    cpu_deadline: Option<f64>,
    /// Nanoseconds after `start` before which the CPU time is not read again.
    next_cpu_poll: AtomicU64,
    /// The reason found by the first check that found one ([`StopReason::code`]; 0 for
    /// none): once fired, the signal stays fired, whatever the polling interval.
    fired: AtomicU8,
}

/// A cheap-to-clone handle on one solve's limits; clones share the same state.
#[derive(Clone, Debug)]
pub struct Stop {
    limits: Arc<Limits>,
}

impl Stop {
    /// Limits counted from now: `max_wall_time` seconds of wall-clock time and
    /// `max_cpu_time` seconds of process CPU time (values ≥ 1e20 mean no limit, as
    /// in Ipopt), and the interrupt flag, if any.
    pub fn new(interrupt: Option<Arc<AtomicBool>>, max_wall_time: f64, max_cpu_time: f64) -> Stop {
        let start = Instant::now();
        let limit = |seconds: f64| (seconds < 1e20).then_some(seconds.max(0.0));
        Stop {
            limits: Arc::new(Limits {
                interrupt,
                start,
                wall_deadline: limit(max_wall_time)
                    .and_then(|s| start.checked_add(Duration::from_secs_f64(s))),
                cpu_deadline: limit(max_cpu_time)
                    .and_then(|s| process_cpu_seconds().map(|t| t + s)),
                next_cpu_poll: AtomicU64::new(0),
                fired: AtomicU8::new(0),
            }),
        }
    }

    /// A signal that never stops a solve.
    pub fn never() -> Stop {
        Stop::new(None, f64::INFINITY, f64::INFINITY)
    }

    /// The reason to stop now, if any: the first reason found, from then on.
    pub fn check(&self) -> Option<StopReason> {
        let l = &*self.limits;
        if let Some(reason) = StopReason::from_code(l.fired.load(Ordering::Relaxed)) {
            return Some(reason);
        }
        let reason = self.poll()?;
        l.fired.store(reason.code(), Ordering::Relaxed);
        Some(reason)
    }

    /// Tests the flag and the limits. Interrupt first: it is the user's explicit request.
    fn poll(&self) -> Option<StopReason> {
        let l = &*self.limits;
        if l.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
        {
            return Some(StopReason::Interrupt);
        }
        if l.wall_deadline.is_none() && l.cpu_deadline.is_none() {
            return None;
        }
        let now = Instant::now();
        if l.wall_deadline.is_some_and(|d| now >= d) {
            return Some(StopReason::WallTime);
        }
        let cpu_deadline = l.cpu_deadline?;
        let since = u64::try_from(now.duration_since(l.start).as_nanos()).unwrap_or(u64::MAX);
        if since < l.next_cpu_poll.load(Ordering::Relaxed) {
            return None;
        }
        let poll = u64::try_from(CPU_POLL.as_nanos()).unwrap_or(u64::MAX);
        l.next_cpu_poll
            .store(since.saturating_add(poll), Ordering::Relaxed);
        (process_cpu_seconds()? >= cpu_deadline).then_some(StopReason::CpuTime)
    }

    /// [`Stop::check`] as the outcome to report.
    pub fn status(&self) -> Option<SolveStatus> {
        self.check().map(StopReason::status)
    }
}

impl Default for Stop {
    fn default() -> Self {
        Stop::never()
    }
}

impl PartialEq for Stop {
    /// Two handles are equal when they share one signal.
    fn eq(&self, other: &Stop) -> bool {
        Arc::ptr_eq(&self.limits, &other.limits)
    }
}

/// Processor time (user + system) of this process in seconds
/// (`CLOCK_PROCESS_CPUTIME_ID`, which the kernel keeps exact to the nanosecond, unlike
/// the tick-based `getrusage`); `None` if the clock cannot be read.
pub fn process_cpu_seconds() -> Option<f64> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant POSIX id.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    (rc == 0).then_some(t.tv_sec as f64 + 1e-9 * t.tv_nsec as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_interrupt() {
        assert_eq!(Stop::never().check(), None);
        assert_eq!(
            Stop::new(None, 0.0, 1e20).check(),
            Some(StopReason::WallTime)
        );
        assert_eq!(
            Stop::new(None, 1e20, 0.0).check(),
            Some(StopReason::CpuTime)
        );
        assert_eq!(Stop::new(None, 3600.0, 3600.0).check(), None);
        let flag = Arc::new(AtomicBool::new(false));
        let stop = Stop::new(Some(flag.clone()), 3600.0, 1e20);
        let copy = stop.clone();
        assert_eq!(copy.check(), None);
        flag.store(true, Ordering::Relaxed);
        assert_eq!(copy.status(), Some(SolveStatus::UserRequestedStop));
        assert!(stop == copy && stop != Stop::never());
    }

    #[test]
    fn a_fired_cpu_limit_stays_fired_between_polls() {
        let stop = Stop::new(None, 1e20, 0.0);
        // The second check comes well within the CPU polling interval.
        assert_eq!(stop.check(), Some(StopReason::CpuTime));
        assert_eq!(stop.check(), Some(StopReason::CpuTime));
        assert_eq!(stop.clone().status(), Some(SolveStatus::CpuTimeExceeded));
    }

    #[test]
    fn cpu_time_advances() {
        let cpu = || process_cpu_seconds().expect("the process CPU clock");
        let t0 = cpu();
        let mut x = 0.0_f64;
        while cpu() < t0 + 0.02 {
            x = (x + 1.0).sqrt();
        }
        assert!(x > 0.0 && cpu() > t0);
    }
}
