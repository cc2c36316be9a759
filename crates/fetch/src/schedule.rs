//! When to fetch a source next: exponential backoff after failures.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest we ever wait between attempts at a failing source.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// The delay after `consecutive_failures` failures in a row: zero after none,
/// then `base`, `2·base`, `4·base`, … capped at [`MAX_BACKOFF`].
///
/// ```
/// use std::time::Duration;
/// use ajil_fetch::backoff;
/// let m = Duration::from_secs(60);
/// assert_eq!(backoff(0, m), Duration::ZERO);
/// assert_eq!(backoff(3, m), Duration::from_secs(240));
/// assert_eq!(backoff(40, m), ajil_fetch::MAX_BACKOFF);
/// ```
pub fn backoff(consecutive_failures: u32, base: Duration) -> Duration {
    if consecutive_failures == 0 {
        return Duration::ZERO;
    }
    let factor = 1u32
        .checked_shl(consecutive_failures - 1)
        .unwrap_or(u32::MAX);
    base.checked_mul(factor)
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

/// [`backoff`] with jitter drawn deterministically from `seed` (e.g. the
/// source id): a delay between half and all of the plain backoff, so sources
/// that failed together do not all retry in the same second.
pub fn backoff_jittered(consecutive_failures: u32, base: Duration, seed: u64) -> Duration {
    let full = backoff(consecutive_failures, base);
    let mix = splitmix64(seed ^ u64::from(consecutive_failures).rotate_left(32));
    // Top 53 bits give a uniform fraction in [0, 1).
    let fraction = (mix >> 11) as f64 / (1u64 << 53) as f64;
    full.mul_f64(0.5 + 0.5 * fraction)
}

/// A fixed, well-mixed 64-bit hash (SplitMix64's finalizer).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// When to fetch next: `interval` after `now` while healthy, and after a
/// failure the larger of `interval` and the backoff from `interval`.
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// let five = Duration::from_secs(300);
/// assert_eq!(ajil_fetch::next_fetch_at(now, five, 0).to_rfc3339(), "2024-05-01T12:05:00+00:00");
/// assert_eq!(ajil_fetch::next_fetch_at(now, five, 3).to_rfc3339(), "2024-05-01T12:20:00+00:00");
/// ```
pub fn next_fetch_at(
    now: DateTime<Utc>,
    interval: Duration,
    consecutive_failures: u32,
) -> DateTime<Utc> {
    next_fetch_at_with(now, interval, consecutive_failures, None)
}

/// How often to poll a source that published `items_last_day` items in the
/// last 24 hours: half its average gap between items, so a new item waits a
/// quarter of that gap on average, kept between `shortest` and `longest`
/// (the source's own interval). A quiet source is polled every `longest`.
///
/// ```
/// use std::time::Duration;
/// use ajil_fetch::adaptive_interval;
/// let (min, max) = (Duration::from_secs(60), Duration::from_secs(300));
/// assert_eq!(adaptive_interval(max, min, 0), max);
/// assert_eq!(adaptive_interval(max, min, 48), max); // one item every 30 minutes
/// assert_eq!(adaptive_interval(max, min, 480), Duration::from_secs(90)); // every 3 minutes
/// assert_eq!(adaptive_interval(max, min, 5000), min);
/// ```
pub fn adaptive_interval(longest: Duration, shortest: Duration, items_last_day: u64) -> Duration {
    if items_last_day == 0 {
        return longest;
    }
    let half_gap =
        Duration::from_secs(24 * 3600 / 2) / items_last_day.min(u64::from(u32::MAX)) as u32;
    half_gap.clamp(shortest.min(longest), longest)
}

/// [`next_fetch_at`], but never sooner than a server's `Retry-After`
/// (itself capped at [`MAX_BACKOFF`], so a silly value cannot park a source).
pub fn next_fetch_at_with(
    now: DateTime<Utc>,
    interval: Duration,
    consecutive_failures: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    let wait = interval
        .max(backoff(consecutive_failures, interval))
        .max(retry_after.unwrap_or(Duration::ZERO).min(MAX_BACKOFF));
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

/// When to try a failing source again: [`next_fetch_at_with`], with the
/// backoff drawn by [`backoff_jittered`] from `seed` (the source's id), so
/// sources that failed together (a network outage) spread their retries
/// instead of all coming back in the same second. Never sooner than
/// `interval`, nor than the server's `Retry-After`.
pub fn retry_at(
    now: DateTime<Utc>,
    interval: Duration,
    consecutive_failures: u32,
    retry_after: Option<Duration>,
    seed: u64,
) -> DateTime<Utc> {
    let wait = interval
        .max(backoff_jittered(consecutive_failures, interval, seed))
        .max(retry_after.unwrap_or(Duration::ZERO).min(MAX_BACKOFF));
    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(6))
}

/// Read a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// assert_eq!(ajil_fetch::parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     ajil_fetch::parse_retry_after("Wed, 01 May 2024 12:10:00 GMT", now),
///     Some(Duration::from_secs(600))
/// );
/// ```
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    // A date in the past means "now".
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(60);
        let got: Vec<u64> = (0..6).map(|n| backoff(n, base).as_secs()).collect();
        assert_eq!(got, [0, 60, 120, 240, 480, 960]);
        assert_eq!(backoff(15, base), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX, base), MAX_BACKOFF);
        assert_eq!(backoff(64, Duration::from_secs(u64::MAX / 2)), MAX_BACKOFF);
    }

    #[test]
    fn jitter_is_deterministic_and_bounded() {
        let base = Duration::from_secs(60);
        for n in 1..20 {
            for seed in 0..50 {
                let j = backoff_jittered(n, base, seed);
                assert_eq!(j, backoff_jittered(n, base, seed));
                assert!(
                    j <= backoff(n, base) && j >= backoff(n, base) / 2,
                    "{n} {seed} {j:?}"
                );
            }
        }
        // Different sources spread out.
        let spread: std::collections::HashSet<_> = (0..20)
            .map(|seed| backoff_jittered(4, base, seed).as_millis())
            .collect();
        assert!(spread.len() > 10);
    }

    #[test]
    fn next_fetch_respects_retry_after() {
        let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let five = Duration::from_secs(300);
        let at = next_fetch_at_with(now, five, 1, Some(Duration::from_secs(3600)));
        assert_eq!(at.to_rfc3339(), "2024-05-01T13:00:00+00:00");
        let at = next_fetch_at_with(now, five, 1, Some(Duration::from_secs(10 * 86400)));
        assert_eq!(at.to_rfc3339(), "2024-05-01T18:00:00+00:00");
        assert_eq!(
            next_fetch_at(now, five, 30).to_rfc3339(),
            "2024-05-01T18:00:00+00:00"
        );
    }

    #[test]
    fn retries_spread_but_stay_within_the_backoff() {
        let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        let five = Duration::from_secs(300);
        let waits: Vec<i64> = (0..50)
            .map(|seed| (retry_at(now, five, 4, None, seed) - now).num_seconds())
            .collect();
        // Four failures: a backoff of 40 minutes, jittered down to no less than half.
        assert!(waits.iter().all(|w| (1200..=2400).contains(w)), "{waits:?}");
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(distinct.len() > 25, "retries are spread: {waits:?}");
        // One failure: the interval itself; a long Retry-After wins.
        assert_eq!(
            retry_at(now, five, 1, None, 7),
            now + chrono::Duration::minutes(5)
        );
        assert_eq!(
            retry_at(now, five, 4, Some(Duration::from_secs(7200)), 7),
            now + chrono::Duration::hours(2)
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
