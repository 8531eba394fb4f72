//! The SQLite database: opened once at start-up (schema created if missing), then used through
//! a small pool of connections on tokio's blocking threads, so a query never stalls the
//! async workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use klue_core::ApiError;
use rusqlite::Connection;
use tokio::sync::Semaphore;

/// How many connections may run queries at once. SQLite in WAL mode lets readers run beside
/// the one writer; more than a few buys nothing on a small machine.
const POOL_SIZE: usize = 4;

/// How long a writer waits for another writer's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
";

/// A database file and a pool of connections to it.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
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
    /// Opens (creating if needed) the database at `path` and its schema.
    pub fn open(path: &Path) -> Result<Arc<Self>, OpenError> {
        let fail = |source| OpenError {
            path: path.display().to_string(),
            source,
        };
        let connection = connect(path).map_err(fail)?;
        connection.execute_batch(SCHEMA).map_err(fail)?;
        Ok(Arc::new(Db {
            path: path.to_owned(),
            idle: Mutex::new(vec![connection]),
            permits: Arc::new(Semaphore::new(POOL_SIZE)),
        }))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on a pooled connection on a blocking thread. A database failure is a 500
    /// whose cause is logged, never sent.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut connection = db.checkout()?;
            let result = work(&mut connection);
            db.checkin(connection);
            result
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
    }

    fn checkout(&self) -> rusqlite::Result<Connection> {
        let idle = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        match idle {
            Some(connection) => Ok(connection),
            None => connect(&self.path),
        }
    }

    fn checkin(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
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
