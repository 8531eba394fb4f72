//! Seeded sample events, and UTC calendar arithmetic to render their timestamps, written
//! independently of the service's own date code.

use serde_json::{json, Value};

/// splitmix64: a tiny deterministic generator, so every run checks the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Device types of the samples.
pub const DEVICE_TYPES: [&str; 4] = ["desktop", "mobile", "tablet", "tv"];
/// Categories of the samples.
pub const CATEGORIES: [&str; 5] = ["books", "games", "music", "sports", "travel"];
/// Offsets (minutes east of UTC) the samples' timestamps are written in.
const OFFSETS: [i64; 5] = [0, 120, -300, 330, -60];

/// One event as the test sends it, with what the service must make of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub epoch_ms: i64,
    /// The offset its timestamp is written in, in minutes.
    pub offset_minutes: i64,
    pub client: i64,
    pub client_group: i64,
    pub device_type: &'static str,
    pub category: &'static str,
    pub valid: bool,
    /// A multiple of 1/4, so sums and means are exact in binary floating point and the
    /// reference's numbers must equal the server's, not just come close.
    pub value: f64,
}

impl Sample {
    /// The timestamp as sent: RFC 3339 in the sample's offset.
    pub fn timestamp(&self) -> String {
        let local = self.epoch_ms + self.offset_minutes * 60_000;
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.abs();
        format!(
            "{}{sign}{:02}:{:02}",
            civil(local),
            offset / 60,
            offset % 60
        )
    }

    /// The timestamp the service must answer: UTC, to the millisecond.
    pub fn utc(&self) -> String {
        format!("{}Z", civil(self.epoch_ms))
    }

    /// The `date` bucket of this event at `granularity`.
    pub fn bucket(&self, granularity: &str) -> String {
        let utc = self.utc();
        match granularity {
            "hour" => format!("{}:00:00Z", &utc[..13]),
            "day" => utc[..10].to_owned(),
            "month" => utc[..7].to_owned(),
            "year" => utc[..4].to_owned(),
            other => panic!("unknown granularity {other}"),
        }
    }

    /// The `POST /v1/events` body.
    pub fn json(&self) -> Value {
        json!({
            "timestamp": self.timestamp(),
            "client": self.client,
            "client_group": self.client_group,
            "device_type": self.device_type,
            "category": self.category,
            "valid": self.valid,
            "value": self.value,
        })
    }
}

/// `count` seeded samples between 2025-11-15 and 2026-03-15 (a month and a year boundary
/// inside), for clients `client_base..client_base + 6`.
pub fn samples(seed: u64, count: usize, client_base: i64) -> Vec<Sample> {
    let mut rng = Rng::new(seed);
    let start = days_from_civil(2025, 11, 15) * 86_400_000;
    let span = 120 * 86_400_000;
    (0..count)
        .map(|_| Sample {
            epoch_ms: start + rng.below(span) as i64,
            offset_minutes: rng.pick(&OFFSETS),
            client: client_base + rng.below(6) as i64,
            client_group: 1 + rng.below(3) as i64,
            device_type: rng.pick(&DEVICE_TYPES),
            category: rng.pick(&CATEGORIES),
            valid: rng.below(5) != 0,
            value: rng.below(4001) as f64 / 4.0 - 200.0,
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SS.mmm` of `epoch_ms` read as UTC.
fn civil(epoch_ms: i64) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let ms = epoch_ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-1, 0, 59, 11_016, 20_454, 20_513] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil(0), "1970-01-01T00:00:00.000");
        assert_eq!(civil(951_782_400_123), "2000-02-29T00:00:00.123");
    }

    #[test]
    fn offsets_are_written_and_undone() {
        let sample = Sample {
            epoch_ms: days_from_civil(2026, 1, 1) * 86_400_000 + 1_800_000,
            offset_minutes: -300,
            client: 1,
            client_group: 1,
            device_type: "tv",
            category: "books",
            valid: true,
            value: 1.25,
        };
        assert_eq!(sample.timestamp(), "2025-12-31T19:30:00.000-05:00");
        assert_eq!(sample.utc(), "2026-01-01T00:30:00.000Z");
        assert_eq!(sample.bucket("hour"), "2026-01-01T00:00:00Z");
        assert_eq!(sample.bucket("month"), "2026-01");
    }
}
