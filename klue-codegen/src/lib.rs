//! klue-codegen (being written).
