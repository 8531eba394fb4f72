//! Waiting after a failed `accept`.
//!
//! Out of descriptors (EMFILE, ENFILE) the pending connection stays queued and every `accept`
//! fails at once: a fixed short sleep spun the loop (and the log) fifty times a second while
//! nothing could change until a connection closed. The wait doubles from [`FIRST_WAIT`] up to
//! [`LONGEST_WAIT`] and starts over after a success; the failures are logged at most once per
//! [`LOG_EVERY`], with how many there were.

use std::time::{Duration, Instant};

/// Wait after the first failure in a row.
const FIRST_WAIT: Duration = Duration::from_millis(5);
/// Longest wait between two attempts.
const LONGEST_WAIT: Duration = Duration::from_secs(1);
/// At most one log line per this long.
const LOG_EVERY: Duration = Duration::from_secs(1);

/// The state of the accept loop's back-off.
#[derive(Debug)]
pub(super) struct AcceptBackoff {
    /// Wait after the next failure.
    next_wait: Duration,
    /// Failures not logged yet.
    unlogged: u64,
    /// When the last line was logged.
    logged_at: Option<Instant>,
}

impl Default for AcceptBackoff {
    fn default() -> Self {
        AcceptBackoff {
            next_wait: FIRST_WAIT,
            unlogged: 0,
            logged_at: None,
        }
    }
}

impl AcceptBackoff {
    /// Records a failed accept (logging it if no line was logged in the last second) and
    /// returns how long to wait before the next attempt.
    pub(super) fn failed(&mut self, err: &std::io::Error) -> Duration {
        self.unlogged += 1;
        let now = Instant::now();
        if self
            .logged_at
            .is_none_or(|logged| now.duration_since(logged) >= LOG_EVERY)
        {
            tracing::warn!(
                error = %err,
                failures = self.unlogged,
                retry_in_ms = self.next_wait.as_millis() as u64,
                "accept failed; open connections are still served"
            );
            self.unlogged = 0;
            self.logged_at = Some(now);
        }
        let wait = self.next_wait;
        self.next_wait = (wait * 2).min(LONGEST_WAIT);
        wait
    }

    /// Records a successful accept: the next failure waits [`FIRST_WAIT`] again.
    pub(super) fn succeeded(&mut self) {
        if self.next_wait == FIRST_WAIT {
            return;
        }
        if self.unlogged > 0 {
            tracing::warn!(
                failures = self.unlogged,
                "accepting again after failures not logged yet"
            );
            self.unlogged = 0;
        }
        self.next_wait = FIRST_WAIT;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emfile() -> std::io::Error {
        std::io::Error::from_raw_os_error(24)
    }

    #[test]
    fn waits_double_up_to_a_second_and_start_over_after_a_success() {
        let mut backoff = AcceptBackoff::default();
        let waits: Vec<u128> = (0..10)
            .map(|_| backoff.failed(&emfile()).as_millis())
            .collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.succeeded();
        assert_eq!(backoff.failed(&emfile()), FIRST_WAIT);
    }

    #[test]
    fn failures_within_a_second_are_counted_not_logged() {
        let mut backoff = AcceptBackoff::default();
        backoff.failed(&emfile());
        assert_eq!(backoff.unlogged, 0, "the first failure is logged");
        for _ in 0..99 {
            backoff.failed(&emfile());
        }
        assert_eq!(backoff.unlogged, 99, "later ones wait for the next line");
        backoff.logged_at = Some(Instant::now() - LOG_EVERY);
        backoff.failed(&emfile());
        assert_eq!(
            backoff.unlogged, 0,
            "a second later they are logged, counted"
        );
    }
}
