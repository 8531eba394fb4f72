//! JWT authentication (being written).
