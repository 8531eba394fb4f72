//! Bodies klue passes through undecoded.

use bytes::Bytes;

/// A body klue passes through undecoded (octet-stream, multipart, images, ...): its media type
/// and its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBody {
    /// The `Content-Type` it was sent with (empty: the first type the spec declares).
    pub content_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

impl RawBody {
    /// A body of `content_type` holding `bytes`.
    pub fn new(content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        RawBody {
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }
}
