//! What the runs measured, their summaries and paired ratios, and the markdown report.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::wrk::WrkResult;
use crate::{command_output, Args, ENDPOINTS, SERVERS};

/// The results of one server start: one `WrkResult` per endpoint.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) round: u32,
    pub(crate) server: usize,
    pub(crate) results: Vec<WrkResult>,
}

/// Everything the report needs.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) runs: Vec<Run>,
    /// Per server: whether it was measured (false: missing binary, skipped).
    pub(crate) present: Vec<bool>,
    /// Problems found: (server index, text).
    pub(crate) flags: BTreeSet<(usize, String)>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median figures of one server on one endpoint.
#[derive(Debug, Clone, Copy)]
struct Summary {
    rps: f64,
    rps_min: f64,
    rps_max: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    non2xx: u64,
    /// Median server CPU microseconds per request, when measured.
    cpu_us: Option<f64>,
}

fn summarize(outcome: &Outcome, server: usize, endpoint: usize) -> Option<Summary> {
    let results: Vec<WrkResult> = outcome
        .runs
        .iter()
        .filter(|run| run.server == server)
        .map(|run| run.results[endpoint])
        .collect();
    if results.is_empty() {
        return None;
    }
    let rps: Vec<f64> = results.iter().map(|r| r.rps).collect();
    Some(Summary {
        rps_min: rps.iter().copied().fold(f64::INFINITY, f64::min),
        rps_max: rps.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        rps: median(rps),
        p50_ms: median(results.iter().map(|r| r.p50_ms).collect()),
        p99_ms: median(results.iter().map(|r| r.p99_ms).collect()),
        errors: results.iter().map(|r| r.errors).sum(),
        non2xx: results.iter().map(|r| r.non2xx).sum(),
        cpu_us: {
            let cpu: Vec<f64> = results.iter().filter_map(|r| r.cpu_us_per_req).collect();
            (!cpu.is_empty()).then(|| median(cpu))
        },
    })
}

/// The median over rounds of `server`'s req/s divided by raw hyper's in the same round. Rounds
/// run the servers back to back, so this pairs measurements taken under the same machine load.
fn paired_ratio(outcome: &Outcome, server: usize, endpoint: usize) -> Option<f64> {
    let rps_of = |server: usize, round: u32| {
        outcome
            .runs
            .iter()
            .find(|run| run.server == server && run.round == round)
            .map(|run| run.results[endpoint].rps)
    };
    let ratios: Vec<f64> = outcome
        .runs
        .iter()
        .filter(|run| run.server == server)
        .filter_map(|run| {
            let base = rps_of(0, run.round)?;
            (base > 0.0).then(|| run.results[endpoint].rps / base)
        })
        .collect();
    (!ratios.is_empty()).then(|| median(ratios))
}

pub(crate) fn render(
    args: &Args,
    outcome: &Outcome,
    warnings: &[String],
    started: SystemTime,
    load_before: Option<&str>,
) -> String {
    let mut md = String::new();
    let cpus = command_output("nproc", &[]).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into())
    });
    let kernel = command_output("uname", &["-r"]).unwrap_or_else(|| "?".into());
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, m)| m.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let wrk_version = command_output("wrk", &["-v"])
        .and_then(|v| v.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "wrk".into());

    let _ = writeln!(md, "# klue benchmark report\n");
    for warning in warnings {
        let _ = writeln!(md, "> {warning}\n");
    }
    let _ = writeln!(md, "- Date: {}", utc_date(started));
    let _ = writeln!(
        md,
        "- Machine: {cpus} CPUs (`nproc`), {cpu_model}, Linux `{kernel}` (`uname -r`); \
         load average before the run: {}",
        load_before.unwrap_or("?")
    );
    let _ = writeln!(
        md,
        "- wrk: `{wrk_version}`, on the same machine as the servers: `wrk -t{} -c{} -d{}s -s <script>`, \
         scripts from `examples/bench/wrk/`",
        args.threads, args.connections, args.duration
    );
    let _ = writeln!(
        md,
        "- {} round(s), servers interleaved in the order raw hyper, klue generated, axum; each \
         server start is checked for conformance and warmed up ({} s of wrk per endpoint, \
         discarded); the figures are the medians of the rounds (errors: the sum)",
        args.rounds, args.warmup
    );
    let _ = writeln!(
        md,
        "- Compare the ratios, not the absolute figures: the machines are shared and noisy. \
         \"per-round ratio\" divides each server's req/s by raw hyper's in the same round (measured \
         back to back) and takes the median over rounds: the figure least sensitive to load drift. \
         \"server CPU µs/req\" is the server process's user+system time (`/proc/<pid>/stat`) during \
         the measured run divided by the requests served (lower is better): it does not depend on \
         how much CPU other processes leave the server.\n"
    );

    for (e, endpoint) in ENDPOINTS.iter().enumerate() {
        let _ = writeln!(md, "## `{}`\n", endpoint.label);
        let _ = writeln!(
            md,
            "| server | req/s (median) | req/s min–max | p50 ms | p99 ms | errors | req/s vs raw hyper | per-round ratio (median) | server CPU µs/req | CPU vs raw hyper |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let baseline = summarize(outcome, 0, e).map(|s| s.rps);
        let baseline_cpu = summarize(outcome, 0, e).and_then(|s| s.cpu_us);
        for (s, server) in SERVERS.iter().enumerate() {
            let Some(summary) = summarize(outcome, s, e) else {
                let why = if outcome.present[s] {
                    "no data"
                } else {
                    "**SKIPPED: binary missing**"
                };
                let _ = writeln!(md, "| {} | {why} | | | | | | | | |", server.label);
                continue;
            };
            let errors = if summary.errors > 0 || summary.non2xx > 0 {
                format!("**⚠ {} ({} non-2xx)**", summary.errors, summary.non2xx)
            } else {
                "0".to_owned()
            };
            let ratio = match baseline {
                Some(base) if base > 0.0 => format!("{:.2}", summary.rps / base),
                _ => "n/a".to_owned(),
            };
            let paired =
                paired_ratio(outcome, s, e).map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}"));
            let cpu = summary
                .cpu_us
                .map_or_else(|| "n/a".to_owned(), |c| format!("{c:.1}"));
            let cpu_ratio = match (summary.cpu_us, baseline_cpu) {
                (Some(c), Some(b)) if b > 0.0 => format!("{:.2}", c / b),
                _ => "n/a".to_owned(),
            };
            let _ = writeln!(
                md,
                "| {} | {:.0} | {:.0}–{:.0} | {:.2} | {:.2} | {errors} | {ratio} | {paired} | {cpu} | {cpu_ratio} |",
                server.label,
                summary.rps,
                summary.rps_min,
                summary.rps_max,
                summary.p50_ms,
                summary.p99_ms
            );
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Flags\n");
    if outcome.flags.is_empty() && warnings.is_empty() {
        let _ = writeln!(
            md,
            "None: every server passed the conformance checks, and wrk counted no errors and no \
             non-2xx responses.\n"
        );
    } else {
        for warning in warnings {
            let _ = writeln!(md, "- ⚠ {warning}");
        }
        for (server, text) in &outcome.flags {
            let _ = writeln!(md, "- ⚠ **{}**: {text}", SERVERS[*server].label);
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "## Every round\n");
    let mut header = String::from("| round | server |");
    let mut rule = String::from("|---:|---|");
    for endpoint in &ENDPOINTS {
        let _ = write!(header, " `{}` req/s | p99 ms |", endpoint.label);
        rule.push_str("---:|---:|");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for run in &outcome.runs {
        let _ = write!(md, "| {} | {} |", run.round, SERVERS[run.server].label);
        for result in &run.results {
            let _ = write!(md, " {:.0} | {:.2} |", result.rps, result.p99_ms);
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md);

    let _ = writeln!(md, "## How to reproduce\n");
    let _ = writeln!(
        md,
        "`cargo run --release -p bench-baselines --bin bench-report` (needs `wrk`; options: \
         `--rounds {} --duration {} --connections {} --threads {} --warmup {}`, `--out FILE`, \
         `--skip-build`, `--allow-missing`). This run: `bench-report {}`.",
        args.rounds,
        args.duration,
        args.connections,
        args.threads,
        args.warmup,
        std::env::args().skip(1).collect::<Vec<_>>().join(" ")
    );
    md
}

/// `YYYY-MM-DD HH:MM UTC` without a date crate (civil-from-days, proleptic Gregorian).
fn utc_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(UNIX_EPOCH), "1970-01-01 00:00 UTC");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // 2024-02-29 12:34:56
        assert_eq!(utc_date(t), "2024-02-29 12:34 UTC");
    }
}
