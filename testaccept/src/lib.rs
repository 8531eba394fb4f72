//! Acceptance test helpers (being written).
