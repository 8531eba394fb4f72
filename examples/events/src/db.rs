//! The SQLite database: opened once at start-up (schema created if missing), then used on
//! tokio's blocking threads, so a query never stalls the async workers.
//!
//! Writes and reads never wait for each other. The database is in WAL mode, where readers
//! see a snapshot beside the one writer; writes go through their own connection (one at a
//! time, as SQLite allows), reads through a pool of read-only connections. Reports, the
//! expensive reads, are further limited: at most [`Limits::max_reports`] run at once, a
//! report waits at most [`Limits::report_wait`] for a slot, and every read is interrupted
//! once it has run [`Limits::read_time_limit`], or as soon as its request is dropped (the
//! client left, or the request timed out). So however many reports arrive, a write finds its
//! connection free and the CPU shared with a bounded number of queries.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use klue_core::ApiError;
use rusqlite::{Connection, ErrorCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many cheap reads (an event, a page of the list) may run at once, beside the reports.
const READERS: usize = 4;

/// How long the writer waits for a lock held by another process (a backup, a seeding
/// script) before failing. Within the service, only the writer connection writes.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite virtual machine steps between two checks of a read's deadline: frequent enough to
/// stop within a millisecond or so, rare enough to cost nothing measurable.
const PROGRESS_STEPS: i32 = 1_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id           TEXT PRIMARY KEY NOT NULL,
    timestamp    TEXT NOT NULL,
    client       INTEGER NOT NULL,
    client_group INTEGER NOT NULL,
    device_type  TEXT NOT NULL,
    category     TEXT NOT NULL,
    valid        INTEGER NOT NULL,
    value        REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_timestamp ON events (timestamp, id);
CREATE INDEX IF NOT EXISTS events_by_client ON events (client, timestamp);
";

/// How much reading the service allows itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Reports computed at once; each takes a core while it runs.
    pub max_reports: usize,
    /// How long a report waits for a slot before it is refused with `Retry-After`.
    pub report_wait: Duration,
    /// How long one read (a report, a page of the list) may run before it is interrupted.
    pub read_time_limit: Duration,
}

impl Default for Limits {
    /// Two reports at once, a 5 s wait for a slot, and reads stopped after 30 s: well inside
    /// klue's 60 s request timeout, so a report too large to finish says so itself.
    fn default() -> Self {
        Limits {
            max_reports: 2,
            report_wait: Duration::from_secs(5),
            read_time_limit: Duration::from_secs(30),
        }
    }
}

/// Why a read gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Every report slot stayed taken for the whole wait.
    #[error("Too many reports at once: every report slot stayed taken for {} ms", .0.as_millis())]
    Busy(Duration),
    /// The read ran past its time limit and was interrupted.
    #[error("The query ran past the time limit of {} ms; narrow it with filters", .0.as_millis())]
    TimeLimit(Duration),
    /// The database failed: a 500 whose cause is logged, never sent.
    #[error(transparent)]
    Failed(#[from] ApiError),
}

impl From<ReadError> for ApiError {
    /// As an error envelope: 503 for a limit, 500 for a failure.
    fn from(err: ReadError) -> Self {
        match err {
            ReadError::Failed(err) => err,
            limit => ApiError::new(
                klue_core::codegen::StatusCode::SERVICE_UNAVAILABLE,
                limit.code(),
                limit.to_string(),
            ),
        }
    }
}

impl ReadError {
    /// The envelope's error code.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Busy(_) => "REPORTS_BUSY",
            ReadError::TimeLimit(_) => "READ_TIME_LIMIT",
            ReadError::Failed(_) => klue_core::codes::SERVER_ERROR,
        }
    }
}

/// A database file, its writer connection and its pool of read connections.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    limits: Limits,
    /// The one connection that writes; its lock queues writers without taking a thread.
    writer: Arc<tokio::sync::Mutex<Connection>>,
    /// Idle read-only connections; a read takes one or opens a new one.
    idle_readers: Mutex<Vec<Connection>>,
    reads: Arc<Semaphore>,
    reports: Arc<Semaphore>,
}

/// The database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
#[error("database {path}: {source}")]
pub struct OpenError {
    path: String,
    #[source]
    source: rusqlite::Error,
}

impl Db {
    /// Opens (creating if needed) the database at `path` and its schema, with the default
    /// [`Limits`].
    pub fn open(path: &Path) -> Result<Arc<Self>, OpenError> {
        Self::open_with(path, Limits::default())
    }

    /// Opens (creating if needed) the database at `path` and its schema.
    pub fn open_with(path: &Path, limits: Limits) -> Result<Arc<Self>, OpenError> {
        let fail = |source| OpenError {
            path: path.display().to_string(),
            source,
        };
        let writer = connect(path).map_err(fail)?;
        writer.execute_batch(SCHEMA).map_err(fail)?;
        Ok(Arc::new(Db {
            path: path.to_owned(),
            limits,
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            idle_readers: Mutex::new(Vec::new()),
            reads: Arc::new(Semaphore::new(READERS)),
            reports: Arc::new(Semaphore::new(
                limits.max_reports.clamp(1, Semaphore::MAX_PERMITS),
            )),
        }))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The limits reads run under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Runs `work` on the writer connection on a blocking thread, after the writes before it.
    /// A database failure is a 500 whose cause is logged, never sent.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let mut writer = Arc::clone(&self.writer).lock_owned().await;
        tokio::task::spawn_blocking(move || work(&mut writer))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)
    }

    /// Runs a cheap read on a read connection, within the read time limit.
    pub async fn read<T, F>(self: &Arc<Self>, work: F) -> Result<T, ReadError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.reads)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        self.read_with(permit, work).await
    }

    /// Runs a report on a read connection once a report slot is free, within the read time
    /// limit; [`ReadError::Busy`] when no slot frees up within [`Limits::report_wait`].
    pub async fn report<T, F>(self: &Arc<Self>, work: F) -> Result<T, ReadError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let wait = self.limits.report_wait;
        let permit =
            match tokio::time::timeout(wait, Arc::clone(&self.reports).acquire_owned()).await {
                Ok(permit) => permit.map_err(ApiError::internal)?,
                Err(_) => return Err(ReadError::Busy(wait)),
            };
        self.read_with(permit, work).await
    }

    /// Runs `work` holding `permit`, interrupted at the deadline or when this future is
    /// dropped: a blocking thread cannot be cancelled, but its query can be.
    async fn read_with<T, F>(
        self: &Arc<Self>,
        permit: OwnedSemaphorePermit,
        work: F,
    ) -> Result<T, ReadError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let limit = self.limits.read_time_limit;
        let deadline = Instant::now() + limit;
        let abandoned = AbandonOnDrop::default();
        let stop = Arc::clone(&abandoned.0);
        let db = Arc::clone(self);
        let outcome = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut connection = db.checkout_reader()?;
            connection.progress_handler(
                PROGRESS_STEPS,
                Some(move || stop.load(Ordering::Relaxed) || Instant::now() >= deadline),
            );
            let result = work(&mut connection);
            connection.progress_handler(0, None::<fn() -> bool>);
            db.checkin_reader(connection);
            result
        })
        .await
        .map_err(ApiError::internal)?;
        match outcome {
            Ok(value) => Ok(value),
            Err(err) if err.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) => {
                Err(ReadError::TimeLimit(limit))
            }
            Err(err) => Err(ApiError::internal(err).into()),
        }
    }

    fn checkout_reader(&self) -> rusqlite::Result<Connection> {
        let idle = self
            .idle_readers
            .lock()
            .map(|mut idle| idle.pop())
            .unwrap_or(None);
        match idle {
            Some(connection) => Ok(connection),
            None => {
                let connection = connect(&self.path)?;
                connection.pragma_update(None, "query_only", true)?;
                Ok(connection)
            }
        }
    }

    fn checkin_reader(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle_readers.lock() {
            idle.push(connection);
        }
    }
}

/// Raises its flag when dropped: the read's future is gone, so is anyone waiting for it.
#[derive(Debug, Default)]
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One connection: WAL (readers beside a writer; a committed write survives the process being
/// killed), `synchronous=NORMAL` (durable across process crashes, fsync at checkpoints).
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query that never ends on its own: only an interrupt stops it.
    const ENDLESS: &str =
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n";

    /// A database in the temp directory, removed with its WAL files on drop.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    fn open(limits: Limits) -> (Arc<Db>, Scratch) {
        let path = std::env::temp_dir().join(format!("klue-events-{}.db", uuid::Uuid::new_v4()));
        let scratch = Scratch(path);
        (Db::open_with(&scratch.0, limits).expect("opens"), scratch)
    }

    fn limits(max_reports: usize, report_wait: Duration, read_time_limit: Duration) -> Limits {
        Limits {
            max_reports,
            report_wait,
            read_time_limit,
        }
    }

    /// Runs [`ENDLESS`] as a report, telling `started` once it is about to run.
    async fn endless_report(
        db: &Arc<Db>,
        started: tokio::sync::oneshot::Sender<()>,
    ) -> Result<i64, ReadError> {
        db.report(move |connection| {
            let _ = started.send(());
            connection.query_row(ENDLESS, [], |row| row.get(0))
        })
        .await
    }

    #[tokio::test]
    async fn a_read_past_its_time_limit_is_interrupted() {
        let (db, _scratch) = open(limits(1, Duration::ZERO, Duration::from_millis(50)));
        let (started, _) = tokio::sync::oneshot::channel();
        match endless_report(&db, started).await {
            Err(ReadError::TimeLimit(limit)) => assert_eq!(limit, Duration::from_millis(50)),
            other => panic!("expected the time limit, got {other:?}"),
        }
        // The connection and the slot are free again.
        let answer = db.report(|c| c.query_row("SELECT 7", [], |row| row.get::<_, i64>(0)));
        assert_eq!(answer.await.expect("a second report"), 7_i64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_read_is_interrupted_and_frees_its_slot() {
        let (db, _scratch) = open(limits(
            1,
            Duration::from_secs(3600),
            Duration::from_secs(3600),
        ));
        let (started, running) = tokio::sync::oneshot::channel();
        let abandoned = tokio::spawn({
            let db = Arc::clone(&db);
            async move { endless_report(&db, started).await }
        });
        running.await.expect("the endless report started");
        abandoned.abort();
        // Only an interrupt frees the single slot; the hour-long limits would hang the test,
        // which the guard below turns into a failure.
        let next = db.report(|c| c.query_row("SELECT 7", [], |row| row.get::<_, i64>(0)));
        let answer = tokio::time::timeout(Duration::from_secs(60), next)
            .await
            .expect("the slot was freed");
        assert_eq!(answer.expect("the next report"), 7_i64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_report_finding_every_slot_taken_is_refused_but_writes_and_reads_go_on() {
        let (db, _scratch) = open(limits(
            1,
            Duration::from_millis(20),
            Duration::from_secs(3600),
        ));
        let (started, running) = tokio::sync::oneshot::channel();
        let holder = tokio::spawn({
            let db = Arc::clone(&db);
            async move { endless_report(&db, started).await }
        });
        running.await.expect("the endless report started");
        match db
            .report(|c| c.query_row("SELECT 1", [], |row| row.get::<_, i64>(0)))
            .await
        {
            Err(ReadError::Busy(wait)) => assert_eq!(wait, Duration::from_millis(20)),
            other => panic!("expected busy, got {other:?}"),
        }
        let written = db
            .write(|c| {
                c.execute(
                    "INSERT INTO events VALUES ('a', '2026-01-01T00:00:00.000Z', 1, 1, 'tv', \
                     'books', 1, 2.5)",
                    [],
                )
            })
            .await
            .expect("a write beside the report");
        assert_eq!(written, 1);
        let read = db
            .read(|c| {
                c.query_row("SELECT count(*) FROM events", [], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .await
            .expect("a read beside the report");
        assert_eq!(read, 1_i64);
        holder.abort();
    }

    #[tokio::test]
    async fn read_connections_cannot_write() {
        let (db, _scratch) = open(Limits::default());
        let outcome = db.read(|c| c.execute("DELETE FROM events", [])).await;
        assert!(matches!(outcome, Err(ReadError::Failed(_))), "{outcome:?}");
    }
}
