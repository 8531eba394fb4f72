//! Snapshots of generated code (being written).
