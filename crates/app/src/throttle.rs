//! Login back-off per account (reliability-security.md §2.1, OWASP Authentication cheat sheet):
//! after [`FREE_FAILURES`] failed logins in a [`FAILURE_WINDOW`], each further attempt on that
//! username must wait twice as long as the last, from 1 s up to [`MAX_DELAY`]. Back-off rather than
//! lock-out, so an attacker cannot lock a real user out for long; per username rather than per address,
//! so spreading a guessing attack over many addresses does not help.
//!
//! The record is kept in the memory of one server process: several application servers behind a load
//! balancer each keep their own, which multiplies an attacker's budget by their number.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed in a window before back-off starts.
pub const FREE_FAILURES: u32 = 5;
/// How long failures are remembered after the last one.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest wait imposed.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Usernames tracked at most; beyond this the oldest records are dropped, so a flood of made-up
/// usernames cannot grow memory without bound.
const MAX_TRACKED: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last_failure: Instant,
}

/// Failed-login records by username.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<BTreeMap<String, Failures>>,
}

/// The wait imposed after `count` failures in a window.
fn delay_after(count: u32) -> Duration {
    if count < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << doublings).min(MAX_DELAY)
}

impl LoginThrottle {
    /// How long this username must still wait before a login attempt is considered, if at all.
    pub fn wait_before_attempt(&self, username: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        let record = failures.get(username)?;
        let since_last = now.saturating_duration_since(record.last_failure);
        if since_last >= FAILURE_WINDOW {
            return None;
        }
        let delay = delay_after(record.count);
        (since_last < delay).then(|| delay - since_last)
    }

    /// Records a failed attempt.
    pub fn record_failure(&self, username: &str, now: Instant) {
        let mut failures = self.failures.lock().expect("throttle lock");
        let count = match failures.get(username) {
            Some(record) if now.saturating_duration_since(record.last_failure) < FAILURE_WINDOW => {
                record.count + 1
            }
            _ => 1,
        };
        if failures.len() >= MAX_TRACKED && !failures.contains_key(username) {
            failures.retain(|_, record| {
                now.saturating_duration_since(record.last_failure) < FAILURE_WINDOW
            });
            if failures.len() >= MAX_TRACKED {
                failures.clear();
            }
        }
        failures.insert(
            username.to_string(),
            Failures {
                count,
                last_failure: now,
            },
        );
    }

    /// Forgets the failures of a username after a successful login.
    pub fn record_success(&self, username: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(username);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_fifteen_minutes() {
        assert_eq!(delay_after(4), Duration::ZERO);
        assert_eq!(delay_after(5), Duration::from_secs(1));
        assert_eq!(delay_after(6), Duration::from_secs(2));
        assert_eq!(delay_after(10), Duration::from_secs(32));
        assert_eq!(
            delay_after(15),
            Duration::from_secs(900),
            "2^10 s capped at 900 s"
        );
        assert_eq!(delay_after(40), MAX_DELAY);
    }

    #[test]
    fn the_wait_applies_per_username_and_ends_with_success_or_time() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..6 {
            throttle.record_failure("officer", start);
        }
        assert_eq!(
            throttle.wait_before_attempt("officer", start),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            throttle.wait_before_attempt("officer", start + Duration::from_millis(1500)),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            throttle.wait_before_attempt("officer", start + Duration::from_secs(2)),
            None
        );
        assert_eq!(
            throttle.wait_before_attempt("planner", start),
            None,
            "other accounts unaffected"
        );
        assert_eq!(
            throttle.wait_before_attempt("officer", start + FAILURE_WINDOW),
            None
        );
        throttle.record_success("officer");
        assert_eq!(throttle.wait_before_attempt("officer", start), None);
    }

    #[test]
    fn failures_older_than_the_window_start_a_new_count() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..10 {
            throttle.record_failure("officer", start);
        }
        throttle.record_failure("officer", start + FAILURE_WINDOW);
        assert_eq!(
            throttle.wait_before_attempt("officer", start + FAILURE_WINDOW),
            None
        );
    }
}
