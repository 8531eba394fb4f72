//! The log destination: stderr, written by a background thread so that a request never waits
//! on the stderr lock or a `write` syscall (one per line, under load, was the single largest
//! cost of the access log). Lines are appended to a shared buffer; the writer thread wakes on
//! the first line, lets more gather for [`GATHER`], and writes them all at once, so under
//! load many lines cost one syscall and no wake-up.
//!
//! Bounded: past [`CAPACITY`] buffered bytes a logging thread waits for the writer (no line is
//! dropped, memory stays bounded). [`flush`] writes what is buffered; the server calls it when
//! it stops, so nothing logged before shutdown is lost.

use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// Buffered bytes beyond which logging waits for the writer thread.
const CAPACITY: usize = 1 << 20;
/// How long the writer lets lines gather once one has arrived: under load, one `write` per
/// interval instead of one per line (and no wake-up per line: the writer is not waiting).
const GATHER: std::time::Duration = std::time::Duration::from_millis(2);

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    /// Whether the writer thread waits for lines (only then is it worth a wake-up syscall).
    writer_waiting: bool,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when lines arrive while the writer waits.
    arrived: Condvar,
    /// Signalled when the writer has taken the buffer.
    taken: Condvar,
    /// Held while writing to stderr: keeps batches in order between the thread and [`flush`].
    output: Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain bytes behind: still fine to use.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn append(&self, line: &[u8]) {
        let mut pending = lock(&self.pending);
        while pending.bytes.len() > CAPACITY {
            pending = self
                .taken
                .wait(pending)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        pending.bytes.extend_from_slice(line);
        if pending.writer_waiting {
            pending.writer_waiting = false;
            self.arrived.notify_one();
        }
    }

    /// Writes everything buffered; `spare` is an empty buffer to swap in.
    fn write_pending(&self, spare: &mut Vec<u8>) {
        let _output = lock(&self.output);
        {
            let mut pending = lock(&self.pending);
            std::mem::swap(&mut pending.bytes, spare);
        }
        self.taken.notify_all();
        if !spare.is_empty() {
            // Nowhere to report a failing stderr: the lines are dropped.
            let _ = std::io::stderr().lock().write_all(spare);
        }
        spare.clear();
    }

    fn run_writer(&self) {
        let mut spare = Vec::new();
        loop {
            {
                let mut pending = lock(&self.pending);
                while pending.bytes.is_empty() {
                    pending.writer_waiting = true;
                    pending = self
                        .arrived
                        .wait(pending)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            }
            std::thread::sleep(GATHER);
            self.write_pending(&mut spare);
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

/// Writes every log line buffered so far to stderr. Called when the server stops; call it
/// before exiting a program that logs through [`crate::init_logging`] without serving.
pub fn flush() {
    if let Some(shared) = SHARED.get() {
        shared.write_pending(&mut Vec::new());
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
        shared.write_pending(&mut spare);
        assert!(lock(&shared.pending).bytes.is_empty());
        assert!(spare.is_empty(), "the written batch is cleared for reuse");
    }
}
