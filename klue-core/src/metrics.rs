//! `/metrics`: request counts and latency histograms per operation and status class, the
//! number of requests in flight, log lines dropped and build info, in the Prometheus text format.
//!
//! Every series is a fixed slot of atomics allocated when the server is built (one per
//! operation and status class), so recording a request allocates nothing and takes no lock;
//! labels are route templates and operation ids, never raw paths.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use http::StatusCode;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// The same bounds in microseconds, compared against on the hot path.
const BUCKETS_MICROS: [u64; 13] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000,
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// The labels of one slot: what an operation is called in the metrics.
#[derive(Debug, Clone)]
pub(crate) struct SlotLabels {
    pub(crate) operation: String,
    pub(crate) method: String,
    pub(crate) route: String,
}

#[derive(Default)]
struct ClassStats {
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Non-cumulative: `buckets[i]` counts durations in `(BUCKETS[i-1], BUCKETS[i]]`; the last
    /// entry counts those above every bound.
    buckets: [AtomicU64; BUCKETS.len() + 1],
}

struct Slot {
    labels: String,
    classes: [ClassStats; 5],
}

/// The server's metrics registry.
pub(crate) struct Metrics {
    slots: Box<[Slot]>,
    in_flight: AtomicI64,
    build_info: String,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("slots", &self.slots.len())
            .finish()
    }
}

/// Decrements the in-flight gauge when the request is done (or dropped).
pub(crate) struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// One slot per entry of `slots`; `build` are the labels of `klue_build_info`.
    pub(crate) fn new(slots: &[SlotLabels], build: &[(&str, &str)]) -> Self {
        let slots = slots
            .iter()
            .map(|labels| Slot {
                labels: format!(
                    "operation=\"{}\",method=\"{}\",route=\"{}\"",
                    escape(&labels.operation),
                    escape(&labels.method),
                    escape(&labels.route)
                ),
                classes: Default::default(),
            })
            .collect();
        let build_info = build
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect::<Vec<_>>()
            .join(",");
        Metrics {
            slots,
            in_flight: AtomicI64::new(0),
            build_info,
        }
    }

    /// Counts a request in flight until the guard drops.
    pub(crate) fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    /// Records one answered request of `slot`.
    pub(crate) fn record(&self, slot: usize, status: StatusCode, elapsed: Duration) {
        let Some(slot) = self.slots.get(slot) else {
            return;
        };
        let class = usize::from(status.as_u16() / 100).saturating_sub(1).min(4);
        let stats = &slot.classes[class];
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = BUCKETS_MICROS
            .iter()
            .position(|&bound| micros <= bound)
            .unwrap_or(BUCKETS.len());
        stats.count.fetch_add(1, Ordering::Relaxed);
        stats.sum_micros.fetch_add(micros, Ordering::Relaxed);
        stats.buckets[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "# HELP klue_build_info The served API and the klue runtime."
        )?;
        writeln!(out, "# TYPE klue_build_info gauge")?;
        writeln!(out, "klue_build_info{{{}}} 1", self.build_info)?;
        writeln!(
            out,
            "# HELP klue_requests_in_flight Requests being answered."
        )?;
        writeln!(out, "# TYPE klue_requests_in_flight gauge")?;
        writeln!(
            out,
            "klue_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        )?;
        writeln!(
            out,
            "# HELP klue_log_lines_dropped_total Log lines dropped because stderr did not keep up."
        )?;
        writeln!(out, "# TYPE klue_log_lines_dropped_total counter")?;
        writeln!(
            out,
            "klue_log_lines_dropped_total {}",
            crate::log_writer::lines_dropped()
        )?;
        writeln!(
            out,
            "# HELP klue_requests_total Requests answered, by operation and status class."
        )?;
        writeln!(out, "# TYPE klue_requests_total counter")?;
        for slot in self.slots.iter() {
            for (class, stats) in CLASSES.iter().zip(&slot.classes) {
                let count = stats.count.load(Ordering::Relaxed);
                if count > 0 {
                    writeln!(
                        out,
                        "klue_requests_total{{{},status=\"{class}\"}} {count}",
                        slot.labels
                    )?;
                }
            }
        }
        writeln!(
            out,
            "# HELP klue_request_duration_seconds Time from routing to answer, by operation and status class."
        )?;
        writeln!(out, "# TYPE klue_request_duration_seconds histogram")?;
        for slot in self.slots.iter() {
            for (class, stats) in CLASSES.iter().zip(&slot.classes) {
                if stats.count.load(Ordering::Relaxed) == 0 {
                    continue;
                }
                let labels = format!("{},status=\"{class}\"", slot.labels);
                let mut cumulative = 0;
                for (bound, count) in BUCKETS.iter().zip(&stats.buckets) {
                    cumulative += count.load(Ordering::Relaxed);
                    writeln!(
                        out,
                        "klue_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    )?;
                }
                cumulative += stats.buckets[BUCKETS.len()].load(Ordering::Relaxed);
                writeln!(
                    out,
                    "klue_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
                )?;
                let sum = stats.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
                writeln!(out, "klue_request_duration_seconds_sum{{{labels}}} {sum}")?;
                // The buckets are read one by one while requests keep coming: the count is
                // the +Inf bucket, so the histogram stays consistent.
                writeln!(
                    out,
                    "klue_request_duration_seconds_count{{{labels}}} {cumulative}"
                )?;
            }
        }
        Ok(())
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_land_in_their_class_and_bucket() {
        let metrics = Metrics::new(
            &[SlotLabels {
                operation: "get_item".into(),
                method: "GET".into(),
                route: "/items/{id}".into(),
            }],
            &[("api", "demo")],
        );
        metrics.record(0, StatusCode::OK, Duration::from_micros(700));
        metrics.record(0, StatusCode::OK, Duration::from_millis(30));
        metrics.record(0, StatusCode::NOT_FOUND, Duration::from_secs(20));
        let text = metrics.render();
        let labels = r#"operation="get_item",method="GET",route="/items/{id}""#;
        assert!(text.contains(&format!("klue_requests_total{{{labels},status=\"2xx\"}} 2")));
        assert!(text.contains(&format!("klue_requests_total{{{labels},status=\"4xx\"}} 1")));
        assert!(text.contains(&format!(
            "klue_request_duration_seconds_bucket{{{labels},status=\"2xx\",le=\"0.001\"}} 1"
        )));
        assert!(text.contains(&format!(
            "klue_request_duration_seconds_bucket{{{labels},status=\"2xx\",le=\"0.05\"}} 2"
        )));
        assert!(text.contains(&format!(
            "klue_request_duration_seconds_bucket{{{labels},status=\"4xx\",le=\"10\"}} 0"
        )));
        assert!(text.contains(&format!(
            "klue_request_duration_seconds_count{{{labels},status=\"4xx\"}} 1"
        )));
        assert!(!text.contains("5xx"));
        assert!(text.contains("\nklue_log_lines_dropped_total "));
    }
}
