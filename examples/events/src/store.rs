//! Events in the `events` table: insert, get, delete, and a filtered page.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::api::Event;
use crate::filter::Filter;

const COLUMNS: &str = "id, timestamp, client, client_group, device_type, category, valid, value";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        timestamp: row.get(1)?,
        client: row.get(2)?,
        client_group: row.get(3)?,
        device_type: row.get(4)?,
        category: row.get(5)?,
        valid: row.get(6)?,
        value: row.get(7)?,
    })
}

/// Stores `event` (its timestamp already in the stored form).
pub fn insert(connection: &Connection, event: &Event) -> rusqlite::Result<()> {
    connection.execute(
        &format!("INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        params![
            event.id,
            event.timestamp,
            event.client,
            event.client_group,
            event.device_type,
            event.category,
            event.valid,
            event.value,
        ],
    )?;
    Ok(())
}

/// The event with this id, if any.
pub fn get(connection: &Connection, id: &str) -> rusqlite::Result<Option<Event>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM events WHERE id = ?"),
            [id],
            event_from_row,
        )
        .optional()
}

/// Deletes the event with this id; whether there was one.
pub fn delete(connection: &Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(connection.execute("DELETE FROM events WHERE id = ?", [id])? > 0)
}

/// The events `filter` selects, oldest first, `limit` of them after `offset`, and how many it
/// selects in all (read in one transaction, so both agree).
pub fn page(
    connection: &mut Connection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<Event>, i64)> {
    let transaction = connection.transaction()?;
    let mut params: Vec<Value> = Vec::new();
    let filter_sql = filter.where_sql(&mut params);
    let total = transaction.query_row(
        &format!("SELECT COUNT(*) FROM events{filter_sql}"),
        params_from_iter(params.iter()),
        |row| row.get(0),
    )?;
    params.extend([Value::Integer(limit), Value::Integer(offset)]);
    let events = transaction
        .prepare(&format!(
            "SELECT {COLUMNS} FROM events{filter_sql} ORDER BY timestamp, id LIMIT ? OFFSET ?"
        ))?
        .query_map(params_from_iter(params.iter()), event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    transaction.finish()?;
    Ok((events, total))
}
