//! The context of the request being handled, which outgoing calls made while handling it carry on.

use std::future::Future;
use std::sync::OnceLock;

use http::{header, HeaderMap, HeaderName, HeaderValue};

/// The header carrying the id shared by every call made on behalf of one original request.
pub const CALL_ID_HEADER: HeaderName = HeaderName::from_static("x-call-id");

/// The header carrying the chain of services a call went through, `/first/second/...`.
pub const CALL_PATH_HEADER: HeaderName = HeaderName::from_static("x-call-path");

tokio::task_local! {
    static CURRENT: Scoped;
}

/// The context in force, with the call id minted for it when the incoming request had none, so
/// that every call made while handling one request shares one id. The `OnceLock` is inline:
/// entering a scope allocates nothing.
pub(crate) struct Scoped {
    context: CallContext,
    minted_call_id: OnceLock<HeaderValue>,
}

/// What a handler's outgoing calls inherit from the request it is handling.
///
/// The server sets it around each handler (see [`CallContext::scope`]); [`crate::client::HttpClient`]
/// reads it to forward the caller's `Authorization`, keep the call id and extend the call path.
/// It is a task-local: a task the handler spawns does not see it unless the handler passes it on
/// with `CallContext::current()` and [`CallContext::scope`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// The incoming `Authorization` header, forwarded when a call has no token of its own.
    pub authorization: Option<HeaderValue>,
    /// The incoming `X-Call-Id`.
    pub call_id: Option<HeaderValue>,
    /// The incoming `X-Call-Path`.
    pub call_path: Option<HeaderValue>,
}

impl CallContext {
    /// The context of a request with these headers.
    ///
    /// Runs on the server's hot path for every handled request: three lookups and, for each
    /// header present, a reference-count bump; nothing is allocated or generated here (a call
    /// id is only minted when an outgoing call needs one).
    pub fn from_headers(headers: &HeaderMap) -> Self {
        CallContext {
            authorization: headers.get(header::AUTHORIZATION).cloned(),
            call_id: headers.get(CALL_ID_HEADER).cloned(),
            call_path: headers.get(CALL_PATH_HEADER).cloned(),
        }
    }

    /// The context of the request being handled by the current task, if any. Its `call_id` is
    /// always set: the incoming one, else the one minted for this request, so that a task the
    /// handler spawns with it makes calls under the same id.
    pub fn current() -> Option<CallContext> {
        CURRENT
            .try_with(|scoped| CallContext {
                call_id: Some(scoped.call_id()),
                ..scoped.context.clone()
            })
            .ok()
    }

    /// Runs `f` with `self` as the current context.
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        let scoped = Scoped {
            context: self,
            minted_call_id: OnceLock::new(),
        };
        CURRENT.scope(scoped, f).await
    }

    /// Calls `f` with the current scope, if any, without cloning its context.
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Scoped>) -> R) -> R {
        let mut f = Some(f);
        // `try_with` only runs its closure when a scope is set; the Option lets the same `f`
        // serve the other case.
        match CURRENT.try_with(|scoped| (f.take().expect("called once"))(Some(scoped))) {
            Ok(result) => result,
            Err(_) => (f.take().expect("not called by try_with"))(None),
        }
    }
}

impl Scoped {
    /// The context of the request being handled.
    pub(crate) fn context(&self) -> &CallContext {
        &self.context
    }

    /// The call id outgoing calls carry: the incoming one, else one minted on first use.
    pub(crate) fn call_id(&self) -> HeaderValue {
        match &self.context.call_id {
            Some(call_id) => call_id.clone(),
            None => self.minted_call_id.get_or_init(new_call_id).clone(),
        }
    }
}

/// A fresh uuid4, the call id of a call made outside any request.
pub(crate) fn new_call_id() -> HeaderValue {
    let mut buffer = uuid::Uuid::encode_buffer();
    let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer);
    // A hyphenated uuid is always a valid header value.
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static(""))
}
