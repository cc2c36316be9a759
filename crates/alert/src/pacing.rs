//! When a subscriber may be mailed, in the subscriber's own time zone: daily
//! digests at a local hour, hourly digests on the local hour, quiet hours that
//! hold real-time alerts until the morning, and a daily cap after which
//! real-time alerts fold into the next digest.
//!
//! ```
//! use ajil_alert::pacing::{Pacing, QuietHours, Slot};
//! use chrono::{TimeZone, Utc};
//! let p = Pacing {
//!     tz: "Asia/Riyadh".parse().unwrap(), // UTC+3
//!     quiet: Some("23:00-07:00".parse().unwrap()),
//!     daily_cap: Some(20),
//!     digest_hour: 7,
//! };
//! // 21:30 UTC is 00:30 in Riyadh: the alert waits for 07:00 local (04:00 UTC).
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 21, 30, 0).unwrap();
//! assert_eq!(p.realtime_slot(0, now), Slot::At(Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap()));
//! ```

use std::str::FromStr;

use ajil_model::Cadence;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

pub use crate::error::PacingError;

/// The local hour daily digests go out at when the operator sets none.
pub const DEFAULT_DIGEST_HOUR: u32 = 7;

/// A daily window (local time) in which no real-time alert is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet minute.
    pub start: NaiveTime,
    /// First minute no longer quiet; before `start` when the window spans
    /// midnight (`23:00-07:00`).
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether the local time `t` is quiet. An empty window (`start == end`)
    /// is never quiet.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

impl FromStr for QuietHours {
    type Err = PacingError;
    /// Parses `HH:MM-HH:MM`.
    fn from_str(s: &str) -> Result<Self, PacingError> {
        let bad = || PacingError::QuietHours(s.to_string());
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let time = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        Ok(QuietHours {
            start: time(a)?,
            end: time(b)?,
        })
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// Parses an IANA time zone name (`Asia/Riyadh`, `UTC`).
pub fn parse_tz(name: &str) -> Result<Tz, PacingError> {
    name.trim()
        .parse()
        .map_err(|_| PacingError::TimeZone(name.to_string()))
}

/// A subscriber's delivery settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// The subscriber's time zone.
    pub tz: Tz,
    /// When real-time alerts wait.
    pub quiet: Option<QuietHours>,
    /// Real-time alerts per local day after which the rest fold into the
    /// next daily digest.
    pub daily_cap: Option<u32>,
    /// Local hour (0–23) of daily digests.
    pub digest_hour: u32,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            tz: Tz::UTC,
            quiet: None,
            daily_cap: None,
            digest_hour: DEFAULT_DIGEST_HOUR,
        }
    }
}

/// When a real-time alert goes out.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Send now.
    Now,
    /// Queue it now, due at this time (the end of quiet hours).
    At(DateTime<Utc>),
    /// The daily cap is reached: add the story to the next digest instead.
    Fold,
}

/// The UTC instant of a local wall-clock time. A time skipped by a DST jump
/// (02:30 on a spring-forward night) becomes the first valid time after it;
/// a repeated one (autumn) the earlier of the two.
fn local_to_utc(tz: Tz, t: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = t;
    for _ in 0..4 {
        if let Some(d) = tz.from_local_datetime(&probe).earliest() {
            return d.with_timezone(&Utc);
        }
        probe += TimeDelta::minutes(30);
    }
    // No zone skips two hours; UTC reading is a safe last resort.
    Utc.from_utc_datetime(&t)
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    date.and_hms_opt(hour.min(23), minute.min(59), 0)
        .expect("hour and minute are clamped")
}

impl Pacing {
    /// Checks the settings' ranges.
    pub fn validate(&self) -> Result<(), PacingError> {
        if self.digest_hour > 23 {
            return Err(PacingError::Hour(self.digest_hour));
        }
        Ok(())
    }

    /// Whether `now` falls in the subscriber's quiet hours.
    pub fn in_quiet_hours(&self, now: DateTime<Utc>) -> bool {
        self.quiet
            .is_some_and(|q| q.contains(now.with_timezone(&self.tz).time()))
    }

    /// The end of the quiet hours `now` is in, or `None` when it is not quiet.
    pub fn quiet_ends(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let q = self.quiet.filter(|_| self.in_quiet_hours(now))?;
        let local = now.with_timezone(&self.tz);
        let mut date = local.date_naive();
        loop {
            let end = local_to_utc(self.tz, at(date, q.end.hour(), q.end.minute()));
            if end > now {
                return Some(end);
            }
            date = date.succ_opt()?;
        }
    }

    /// Midnight of `now`'s local day, for counting the day's alerts.
    pub fn local_day_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        local_to_utc(self.tz, at(now.with_timezone(&self.tz).date_naive(), 0, 0))
    }

    /// When a real-time alert matched at `now` is sent, given how many
    /// real-time alerts the subscriber already got (or has queued) since
    /// [`Pacing::local_day_start`].
    pub fn realtime_slot(&self, sent_today: u32, now: DateTime<Utc>) -> Slot {
        if self.daily_cap.is_some_and(|cap| sent_today >= cap) {
            return Slot::Fold;
        }
        match self.quiet_ends(now) {
            Some(end) => Slot::At(end),
            None => Slot::Now,
        }
    }

    /// The first digest time strictly after `after`: the next local full hour
    /// for hourly digests, the next local `digest_hour:00` for daily ones (and
    /// for the folded alerts of a real-time subscription).
    pub fn next_digest(&self, cadence: Cadence, after: DateTime<Utc>) -> DateTime<Utc> {
        let local = after.with_timezone(&self.tz).naive_local();
        let (mut candidate, step) = match cadence {
            Cadence::Hourly => (at(local.date(), local.hour(), 0), TimeDelta::hours(1)),
            Cadence::Daily | Cadence::Realtime => {
                (at(local.date(), self.digest_hour, 0), TimeDelta::days(1))
            }
        };
        loop {
            let utc = local_to_utc(self.tz, candidate);
            if utc > after {
                return utc;
            }
            candidate += step;
        }
    }

    /// Whether a digest should close at `now`: its next digest time after the
    /// last digest (or after `started`, for the first) has come, and `now` is
    /// not in quiet hours (an hourly digest waits for the morning).
    pub fn digest_due(
        &self,
        cadence: Cadence,
        last_digest: Option<DateTime<Utc>>,
        started: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now >= self.next_digest(cadence, last_digest.unwrap_or(started))
            && !self.in_quiet_hours(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
    }

    fn riyadh() -> Pacing {
        Pacing {
            tz: parse_tz("Asia/Riyadh").unwrap(),
            quiet: Some("23:00-07:00".parse().unwrap()),
            daily_cap: Some(3),
            digest_hour: 7,
        }
    }

    #[test]
    fn quiet_hours_parse_and_wrap() {
        let q: QuietHours = "23:00-07:00".parse().unwrap();
        assert_eq!(q.to_string(), "23:00-07:00");
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(q.contains(t(23, 0)) && q.contains(t(3, 0)) && q.contains(t(6, 59)));
        assert!(!q.contains(t(7, 0)) && !q.contains(t(12, 0)) && !q.contains(t(22, 59)));
        let day: QuietHours = "12:00-13:30".parse().unwrap();
        assert!(day.contains(t(13, 0)) && !day.contains(t(13, 30)));
        let none: QuietHours = "08:00-08:00".parse().unwrap();
        assert!(!none.contains(t(8, 0)));
        for bad in ["", "23:00", "25:00-07:00", "7-8"] {
            assert!(bad.parse::<QuietHours>().is_err(), "{bad}");
        }
        assert!(parse_tz("Mars/Olympus").is_err());
    }

    #[test]
    fn quiet_hours_hold_realtime_until_local_morning() {
        let p = riyadh();
        // 19:59 UTC is 22:59 in Riyadh: not quiet yet.
        assert_eq!(p.realtime_slot(0, utc(1, 19, 59)), Slot::Now);
        // 20:00 UTC is 23:00: held until 07:00 local, 04:00 UTC next day.
        assert_eq!(p.realtime_slot(0, utc(1, 20, 0)), Slot::At(utc(2, 4, 0)));
        // 02:00 UTC is 05:00 local, same morning.
        assert_eq!(p.realtime_slot(0, utc(2, 2, 0)), Slot::At(utc(2, 4, 0)));
        assert_eq!(p.realtime_slot(0, utc(2, 4, 0)), Slot::Now);
        // The cap folds into the digest, quiet or not.
        assert_eq!(p.realtime_slot(3, utc(2, 12, 0)), Slot::Fold);
        assert_eq!(p.realtime_slot(3, utc(2, 2, 0)), Slot::Fold);
        assert_eq!(
            Pacing::default().realtime_slot(1000, utc(2, 2, 0)),
            Slot::Now
        );
    }

    #[test]
    fn local_day_for_the_cap() {
        let p = riyadh();
        // 22:00 UTC on the 1st is 01:00 on the 2nd in Riyadh.
        assert_eq!(p.local_day_start(utc(1, 22, 0)), utc(1, 21, 0));
        assert_eq!(
            p.local_day_start(utc(1, 20, 59)),
            Utc.with_ymd_and_hms(2026, 2, 28, 21, 0, 0).unwrap()
        );
    }

    #[test]
    fn daily_digest_at_the_local_hour() {
        let p = riyadh();
        // Subscribed at 10:00 local on the 1st (07:00 UTC): first digest at
        // 07:00 local on the 2nd, which is 04:00 UTC.
        let started = utc(1, 7, 0);
        assert_eq!(p.next_digest(Cadence::Daily, started), utc(2, 4, 0));
        assert!(!p.digest_due(Cadence::Daily, None, started, utc(2, 3, 59)));
        assert!(p.digest_due(Cadence::Daily, None, started, utc(2, 4, 0)));
        assert!(!p.digest_due(Cadence::Daily, Some(utc(2, 4, 0)), started, utc(2, 20, 0)));
        assert!(p.digest_due(Cadence::Daily, Some(utc(2, 4, 0)), started, utc(3, 4, 1)));
        // Folded real-time alerts go out with the daily digest.
        assert_eq!(p.next_digest(Cadence::Realtime, started), utc(2, 4, 0));
    }

    #[test]
    fn hourly_digest_on_the_local_hour_but_not_at_night() {
        // India is UTC+5:30: its hours start at :30 UTC.
        let p = Pacing {
            tz: parse_tz("Asia/Kolkata").unwrap(),
            quiet: Some("23:00-07:00".parse().unwrap()),
            ..Pacing::default()
        };
        assert_eq!(p.next_digest(Cadence::Hourly, utc(1, 6, 10)), utc(1, 6, 30));
        assert_eq!(p.next_digest(Cadence::Hourly, utc(1, 6, 30)), utc(1, 7, 30));
        // 18:30 UTC is midnight local: quiet, so not due until 07:00 local.
        assert!(!p.digest_due(
            Cadence::Hourly,
            Some(utc(1, 17, 30)),
            utc(1, 0, 0),
            utc(1, 18, 31)
        ));
        assert!(p.digest_due(
            Cadence::Hourly,
            Some(utc(1, 17, 30)),
            utc(1, 0, 0),
            utc(2, 1, 30)
        ));
    }

    #[test]
    fn dst_gap_and_validation() {
        // Europe/Berlin skips 02:00-03:00 on 2026-03-29; a 02:00 digest hour
        // goes out at 03:00 local (01:00 UTC) that day.
        let p = Pacing {
            tz: parse_tz("Europe/Berlin").unwrap(),
            digest_hour: 2,
            ..Pacing::default()
        };
        assert_eq!(p.next_digest(Cadence::Daily, utc(28, 12, 0)), utc(29, 1, 0));
        assert!(p.validate().is_ok());
        assert!(
            Pacing {
                digest_hour: 24,
                ..p
            }
            .validate()
            .is_err()
        );
    }
}
