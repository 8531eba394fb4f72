//! The handlers: the trait generated from `apis/events.yaml`, implemented over [`Db`].

use std::sync::Arc;

use klue_core::codegen::StatusCode;
use klue_core::{ApiError, Location, Violations};

use crate::api::*;
use crate::db::{Db, ReadError};
use crate::filter::Filter;
use crate::report::ReportQuery;
use crate::{instant, store};

/// Events answered by a list call without `limit`.
pub const DEFAULT_PAGE: i64 = 100;

/// The events service.
#[derive(Debug, Clone)]
pub struct Events {
    db: Arc<Db>,
}

impl Events {
    /// The service over an opened database.
    pub fn new(db: Arc<Db>) -> Self {
        Events { db }
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "EVENT_NOT_FOUND",
        format!("There is no event with id '{id}'"),
    )
}

impl EventsApi for Events {
    async fn create_event(
        &self,
        request: CreateEventRequest,
    ) -> Result<CreateEventResponse, ApiError> {
        let new = request.body;
        let timestamp = instant::normalize(&new.timestamp).map_err(|message| {
            let mut v = Violations::new(Location::Body);
            v.push_at("timestamp", message);
            v.into_error()
        })?;
        let event = Event {
            id: uuid::Uuid::new_v4().to_string(),
            timestamp,
            client: new.client,
            client_group: new.client_group,
            device_type: new.device_type,
            category: new.category,
            valid: new.valid,
            value: new.value,
        };
        let stored = event.clone();
        self.db
            .write(move |connection| store::insert(connection, &stored))
            .await?;
        Ok(CreateEventResponse::Created(event))
    }

    async fn get_event(&self, request: GetEventRequest) -> Result<GetEventResponse, ApiError> {
        let id = request.event_id;
        let lookup = id.clone();
        match self
            .db
            .read(move |connection| store::get(connection, &lookup))
            .await?
        {
            Some(event) => Ok(GetEventResponse::Ok(event)),
            None => Err(not_found(&id)),
        }
    }

    async fn delete_event(
        &self,
        request: DeleteEventRequest,
    ) -> Result<DeleteEventResponse, ApiError> {
        let id = request.event_id;
        let target = id.clone();
        if self
            .db
            .write(move |connection| store::delete(connection, &target))
            .await?
        {
            Ok(DeleteEventResponse::NoContent)
        } else {
            Err(not_found(&id))
        }
    }

    async fn list_events(
        &self,
        request: ListEventsRequest,
    ) -> Result<ListEventsResponse, ApiError> {
        let mut v = Violations::new(Location::Query);
        let filter = Filter {
            clients: request.clients.unwrap_or_default(),
            client_groups: request.client_groups.unwrap_or_default(),
            device_types: request.device_types.unwrap_or_default(),
            categories: request.categories.unwrap_or_default(),
            valid: request.valid,
            start_date: request.start_date,
            end_date: request.end_date,
        }
        .check(&mut v);
        if !v.is_empty() {
            return Err(v.into_error());
        }
        let offset = request.offset.unwrap_or(0);
        let limit = request.limit.unwrap_or(DEFAULT_PAGE);
        let (events, total) = self
            .db
            .read(move |connection| store::page(connection, &filter, offset, limit))
            .await?;
        Ok(EventPage {
            events,
            total,
            offset,
            limit,
        }
        .into())
    }

    async fn get_report(&self, request: GetReportRequest) -> Result<GetReportResponse, ApiError> {
        let query = ReportQuery::new(request)?;
        match self
            .db
            .report(move |connection| query.run(connection))
            .await
        {
            Ok(report) => Ok(report.into()),
            Err(ReadError::Failed(err)) => Err(err),
            Err(refused) => Ok(report_refused(refused)),
        }
    }
}

/// The 503 the spec declares for a report over a limit: the envelope, and `Retry-After` when
/// a slot may free up (a report past its time limit would only fail again as it is).
fn report_refused(refused: ReadError) -> GetReportResponse {
    let retry_after = match refused {
        ReadError::Busy(wait) => Some(wait.as_secs_f64().ceil().max(1.0) as i64),
        _ => None,
    };
    let envelope = ApiError::from(refused).envelope();
    tracing::warn!(
        error_id = envelope.error_id.as_deref().unwrap_or_default(),
        code = %envelope.error,
        "report refused: {}",
        envelope.error_description
    );
    GetReportResponse::ServiceUnavailable(
        Error {
            status: i64::from(envelope.status),
            error: envelope.error,
            error_description: envelope.error_description,
            error_id: envelope.error_id,
            user_message: envelope.user_message,
        },
        GetReportServiceUnavailableHeaders { retry_after },
    )
}
