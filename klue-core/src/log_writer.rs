//! The log destination: stderr, written by a background thread so that a request never waits
//! on the stderr lock or a `write` syscall (one per line, under load, was the single largest
//! cost of the access log). Lines are appended to a shared buffer; the writer thread wakes on
//! the first line, lets more gather for [`GATHER`], and writes them all at once, so under
//! load many lines cost one syscall and no wake-up.
//!
//! Bounded, and never blocking: past [`CAPACITY`] buffered bytes a line is dropped and
//! counted (a stderr nobody reads, e.g. a pipe whose reader hangs, must not freeze serving:
//! waiting for the writer there stopped every request, `/ping` included). The count is
//! `klue_log_lines_dropped_total` in `/metrics`, and once the writer catches up it logs one
//! "log lines dropped" line. [`flush`] writes what is buffered, waiting at most
//! [`FLUSH_WAIT`]; the server calls it when it stops, so nothing logged before shutdown is
//! lost unless stderr is stuck.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Buffered bytes beyond which lines are dropped.
const CAPACITY: usize = 1 << 20;
/// How long the writer lets lines gather once one has arrived: under load, one `write` per
/// interval instead of one per line (and no wake-up per line: the writer is not waiting).
const GATHER: Duration = Duration::from_millis(2);
/// How long [`flush`] waits for the writer: a stuck stderr must not keep a stopping server
/// from exiting.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// Lines dropped since the process started, over every buffer (what `/metrics` reports).
static DROPPED_TOTAL: AtomicU64 = AtomicU64::new(0);

/// The number of log lines dropped because stderr did not keep up.
pub(crate) fn lines_dropped() -> u64 {
    DROPPED_TOTAL.load(Ordering::Relaxed)
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    /// Whether the writer thread waits for lines (only then is it worth a wake-up syscall).
    writer_waiting: bool,
    /// Lines dropped since the writer last reported drops.
    dropped_unreported: u64,
    /// Batches taken from `bytes` by a writer, and how many of those are written: [`flush`]
    /// waits until the batch holding its lines is written.
    batches_taken: u64,
    batches_written: u64,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when lines arrive while the writer waits.
    arrived: Condvar,
    /// Signalled when a batch has been written.
    written: Condvar,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain bytes behind: still fine to use.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// Buffers `line`, or drops it when the buffer is full: never waits for the writer.
    fn append(&self, line: &[u8]) {
        let mut pending = lock(&self.pending);
        if pending.bytes.len() + line.len() > CAPACITY && !pending.bytes.is_empty() {
            pending.dropped_unreported += 1;
            DROPPED_TOTAL.fetch_add(1, Ordering::Relaxed);
            return;
        }
        pending.bytes.extend_from_slice(line);
        if pending.writer_waiting {
            pending.writer_waiting = false;
            self.arrived.notify_one();
        }
    }

    /// Writes everything buffered to `out` (stderr but in tests); `spare` is an empty buffer
    /// to swap in. Returns the number of lines dropped since the last report (for the caller
    /// to report).
    fn write_pending(&self, spare: &mut Vec<u8>, out: &mut dyn Write) -> u64 {
        let dropped = {
            let mut pending = lock(&self.pending);
            std::mem::swap(&mut pending.bytes, spare);
            pending.batches_taken += 1;
            std::mem::take(&mut pending.dropped_unreported)
        };
        if !spare.is_empty() {
            // Nowhere to report a failing stderr: the lines are dropped.
            let _ = out.write_all(spare);
        }
        spare.clear();
        lock(&self.pending).batches_written += 1;
        self.written.notify_all();
        dropped
    }

    /// Waits until every line buffered now is written, at most until `deadline`.
    fn wait_written(&self, deadline: Instant) {
        let mut pending = lock(&self.pending);
        // The batch holding the buffered lines is the next one taken; with nothing buffered,
        // the one being written (if any).
        let target = pending.batches_taken + u64::from(!pending.bytes.is_empty());
        if pending.writer_waiting && !pending.bytes.is_empty() {
            pending.writer_waiting = false;
            self.arrived.notify_one();
        }
        while pending.batches_written < target {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return;
            };
            pending = self
                .written
                .wait_timeout(pending, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn run_writer(&self) {
        let mut spare = Vec::new();
        loop {
            {
                let mut pending = lock(&self.pending);
                while pending.bytes.is_empty() && pending.dropped_unreported == 0 {
                    pending.writer_waiting = true;
                    pending = self
                        .arrived
                        .wait(pending)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
            std::thread::sleep(GATHER);
            let dropped = self.write_pending(&mut spare, &mut std::io::stderr().lock());
            if dropped > 0 {
                // Caught up: say what was lost, through the subscriber so that the line has
                // the configured format (it lands in the buffer, written next round).
                tracing::warn!(
                    target: "klue::log",
                    dropped,
                    "{dropped} log lines dropped: stderr was not read fast enough"
                );
            }
        }
    }
}

static SHARED: OnceLock<&'static Shared> = OnceLock::new();

/// The shared buffer, with its writer thread started on first use (`None` if the thread
/// cannot be started: then lines go straight to stderr).
fn shared() -> Option<&'static Shared> {
    static STARTED: OnceLock<Option<&'static Shared>> = OnceLock::new();
    *STARTED.get_or_init(|| {
        let shared: &'static Shared = Box::leak(Box::default());
        std::thread::Builder::new()
            .name("klue-log".to_owned())
            .spawn(move || shared.run_writer())
            .ok()?;
        let _ = SHARED.set(shared);
        Some(shared)
    })
}

/// Waits until every log line buffered so far is written to stderr, at most 2 s
/// (a stderr nobody reads must not keep the process from exiting). Called when the server
/// stops; call it before exiting a program that logs through [`crate::init_logging`] without
/// serving.
pub fn flush() {
    if let Some(shared) = SHARED.get() {
        shared.wait_written(Instant::now() + FLUSH_WAIT);
    }
}

/// The `MakeWriter` of the log subscriber.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StderrLines;

/// One event's writer: the formatter hands it a whole line in one `write`.
#[derive(Debug)]
pub(crate) struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match shared() {
            Some(shared) => shared.append(buf),
            None => std::io::stderr().lock().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrLines {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_buffered_in_order_and_flushed() {
        let shared = Shared::default();
        shared.append(b"one\n");
        shared.append(b"two\n");
        assert_eq!(lock(&shared.pending).bytes, b"one\ntwo\n");
        let mut spare = Vec::new();
        assert_eq!(
            shared.write_pending(&mut spare, &mut std::io::sink()),
            0,
            "nothing dropped"
        );
        assert!(lock(&shared.pending).bytes.is_empty());
        assert!(spare.is_empty(), "the written batch is cleared for reuse");
        // Nothing buffered and nothing being written: waiting returns at once.
        shared.wait_written(Instant::now() + Duration::from_secs(60));
    }

    #[test]
    fn a_full_buffer_drops_lines_and_counts_them() {
        let shared = Shared::default();
        let line = [b'x'; 1000];
        let fit = CAPACITY / line.len();
        let before = lines_dropped();
        // No writer thread runs here: without dropping, the first line past capacity would wait
        // forever.
        for _ in 0..fit + 50 {
            shared.append(&line);
        }
        assert_eq!(lock(&shared.pending).bytes.len(), fit * line.len());
        assert_eq!(lock(&shared.pending).dropped_unreported, 50);
        assert!(lines_dropped() >= before + 50, "the process-wide count");
        // The writer reports the drops once, and the buffer takes lines again.
        let mut spare = Vec::new();
        assert_eq!(shared.write_pending(&mut spare, &mut std::io::sink()), 50);
        assert_eq!(shared.write_pending(&mut spare, &mut std::io::sink()), 0);
        shared.append(&line);
        assert_eq!(lock(&shared.pending).bytes.len(), line.len());
    }

    #[test]
    fn waiting_for_a_stuck_writer_gives_up_at_the_deadline() {
        let shared = Shared::default();
        shared.append(b"never written\n");
        let started = Instant::now();
        shared.wait_written(started + Duration::from_millis(50));
        assert!(lock(&shared.pending).batches_written == 0);
        assert!(started.elapsed() >= Duration::from_millis(50));
    }
}
