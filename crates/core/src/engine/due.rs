//! Due times (SLAs): a Duration counted from the moment a step becomes ready, in calendar time
//! or in working time per the team's calendar and time zone.
//!
//! Calendar time: seconds, minutes and hours are exact; days, weeks and months move the local
//! date in the team's time zone and keep the local time of day (so a day across a DST change
//! is 23 or 25 hours). Working time counts only the working hours of working days that are not
//! holidays; a "day" is one working day's length, a "week" as many working days as the calendar
//! has in a week, a "month" four such weeks. A working day whose end is not after its start
//! runs past midnight.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, Months, NaiveDate, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::TeamSettings;

/// Units of a Duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
}

/// A Duration of the data model, optionally in working time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DurationSpec {
    pub value: f64,
    pub unit: DurationUnit,
    #[serde(default)]
    pub working_time: bool,
}

/// How far the search for working time looks ahead before giving up.
const HORIZON_DAYS: u64 = 3660;

/// When something that starts at `start` with this SLA is due.
pub fn due_at(
    start: DateTime<Utc>,
    sla: &DurationSpec,
    settings: &TeamSettings,
) -> Result<DateTime<Utc>, String> {
    if !sla.value.is_finite() || sla.value < 0.0 {
        return Err("a duration must be a finite number of at least 0".into());
    }
    let tz: Tz = settings
        .timezone
        .parse()
        .map_err(|_| format!("unknown time zone {:?}", settings.timezone))?;
    if sla.working_time {
        working_due(start, sla, settings, tz)
    } else {
        calendar_due(start, sla, tz)
    }
}

fn exact_seconds(value: f64, unit: DurationUnit) -> Option<f64> {
    match unit {
        DurationUnit::Seconds => Some(value),
        DurationUnit::Minutes => Some(value * 60.0),
        DurationUnit::Hours => Some(value * 3600.0),
        _ => None,
    }
}

fn calendar_due(start: DateTime<Utc>, sla: &DurationSpec, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Some(seconds) = exact_seconds(sla.value, sla.unit) {
        return Ok(start + Duration::milliseconds((seconds * 1000.0).round() as i64));
    }
    let whole = sla.value.trunc() as u32;
    let fraction = sla.value.fract();
    let local = start.with_timezone(&tz).naive_local();
    let (moved, fraction_seconds) = match sla.unit {
        DurationUnit::Days => (
            local.checked_add_days(Days::new(whole as u64)),
            fraction * 86_400.0,
        ),
        DurationUnit::Weeks => (
            local.checked_add_days(Days::new(whole as u64 * 7)),
            fraction * 7.0 * 86_400.0,
        ),
        DurationUnit::Months => (
            local.checked_add_months(Months::new(whole)),
            fraction * 30.0 * 86_400.0,
        ),
        _ => unreachable!("exact units are handled above"),
    };
    let moved = moved.ok_or("the due time is out of range")?;
    let at = resolve_local(tz, moved);
    Ok(at + Duration::milliseconds((fraction_seconds * 1000.0).round() as i64))
}

/// A local time as UTC: in a DST gap the instant after it, in an overlap the earlier one.
fn resolve_local(tz: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        LocalResult::None => resolve_local(tz, local + Duration::minutes(30)),
    }
}

fn parse_clock(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| format!("{text:?} is not a time HH:MM"))
}

fn working_due(
    start: DateTime<Utc>,
    sla: &DurationSpec,
    settings: &TeamSettings,
    tz: Tz,
) -> Result<DateTime<Utc>, String> {
    let cal = &settings.working_calendar;
    let open = parse_clock(&cal.start_time)?;
    let close = parse_clock(&cal.end_time)?;
    let day_seconds = {
        let d = (close - open).num_seconds();
        if d > 0 {
            d
        } else {
            d + 86_400
        }
    } as f64;
    let days_per_week = cal
        .working_days
        .iter()
        .filter(|d| (1..=7).contains(*d))
        .count() as f64;
    if days_per_week == 0.0 {
        return Err("the team's calendar has no working days".into());
    }
    let total = match sla.unit {
        DurationUnit::Days => sla.value * day_seconds,
        DurationUnit::Weeks => sla.value * days_per_week * day_seconds,
        DurationUnit::Months => sla.value * 4.0 * days_per_week * day_seconds,
        unit => exact_seconds(sla.value, unit).expect("exact unit"),
    };
    let mut remaining = Duration::milliseconds((total * 1000.0).round() as i64);
    let is_working = |date: NaiveDate| {
        cal.working_days
            .contains(&(date.weekday().number_from_monday() as u8))
            && !cal.holidays.contains(&date)
    };
    // Start one day early: yesterday's window may run past midnight into today.
    let mut date = start
        .with_timezone(&tz)
        .date_naive()
        .pred_opt()
        .ok_or("the start is out of range")?;
    for _ in 0..HORIZON_DAYS {
        if is_working(date) {
            let window_start = resolve_local(tz, date.and_time(open));
            let close_date = if close > open {
                date
            } else {
                date.succ_opt().ok_or("out of range")?
            };
            let window_end = resolve_local(tz, close_date.and_time(close));
            let from = window_start.max(start);
            if window_end > from {
                let available = window_end - from;
                if remaining <= available {
                    return Ok(from + remaining);
                }
                remaining -= available;
            }
        }
        date = date.succ_opt().ok_or("the due time is out of range")?;
    }
    Err("no working time within ten years; check the team's calendar".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkingCalendar;

    fn settings(tz: &str, days: &[u8], open: &str, close: &str, holidays: &[&str]) -> TeamSettings {
        TeamSettings {
            timezone: tz.into(),
            working_calendar: WorkingCalendar {
                working_days: days.to_vec(),
                start_time: open.into(),
                end_time: close.into(),
                holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
            },
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn sla(value: f64, unit: DurationUnit, working_time: bool) -> DurationSpec {
        DurationSpec {
            value,
            unit,
            working_time,
        }
    }

    const WEEKDAYS: &[u8] = &[1, 2, 3, 4, 5];

    #[test]
    fn calendar_time_is_exact_for_hours_and_local_for_days() {
        let s = settings("Europe/Berlin", WEEKDAYS, "09:00", "17:00", &[]);
        assert_eq!(
            due_at(
                utc("2026-03-27T10:00:00Z"),
                &sla(90.0, DurationUnit::Minutes, false),
                &s
            )
            .unwrap(),
            utc("2026-03-27T11:30:00Z")
        );
        // Across the spring DST change a calendar day keeps the local time: 23 hours.
        assert_eq!(
            due_at(
                utc("2026-03-28T11:00:00Z"),
                &sla(1.0, DurationUnit::Days, false),
                &s
            )
            .unwrap(),
            utc("2026-03-29T10:00:00Z")
        );
        assert_eq!(
            due_at(
                utc("2026-01-31T11:00:00Z"),
                &sla(1.0, DurationUnit::Months, false),
                &s
            )
            .unwrap(),
            utc("2026-02-28T11:00:00Z")
        );
    }

    #[test]
    fn working_time_skips_nights_weekends_and_holidays() {
        let s = settings("UTC", WEEKDAYS, "09:00", "17:00", &["2026-11-30"]);
        // Friday 16:00 + 2 working hours: one hour on Friday, Monday is a holiday, one hour Tuesday.
        assert_eq!(
            due_at(
                utc("2026-11-27T16:00:00Z"),
                &sla(2.0, DurationUnit::Hours, true),
                &s
            )
            .unwrap(),
            utc("2026-12-01T10:00:00Z")
        );
        // Started at night: the clock runs from the next opening.
        assert_eq!(
            due_at(
                utc("2026-11-24T20:00:00Z"),
                &sla(30.0, DurationUnit::Minutes, true),
                &s
            )
            .unwrap(),
            utc("2026-11-25T09:30:00Z")
        );
        // One working day from Wednesday noon is Thursday noon; one week is five working days.
        assert_eq!(
            due_at(
                utc("2026-11-25T12:00:00Z"),
                &sla(1.0, DurationUnit::Days, true),
                &s
            )
            .unwrap(),
            utc("2026-11-26T12:00:00Z")
        );
        assert_eq!(
            due_at(
                utc("2026-11-25T12:00:00Z"),
                &sla(1.0, DurationUnit::Weeks, true),
                &s
            )
            .unwrap(),
            utc("2026-12-03T12:00:00Z")
        );
    }

    #[test]
    fn working_time_follows_the_team_time_zone_and_night_shifts() {
        let berlin = settings("Europe/Berlin", WEEKDAYS, "09:00", "17:00", &[]);
        // 07:30 UTC is 08:30 in Berlin in November: work starts at 08:00 UTC.
        assert_eq!(
            due_at(
                utc("2026-11-24T07:30:00Z"),
                &sla(1.0, DurationUnit::Hours, true),
                &berlin
            )
            .unwrap(),
            utc("2026-11-24T09:00:00Z")
        );
        let nights = settings("UTC", &[1, 2, 3, 4, 5, 6, 7], "22:00", "06:00", &[]);
        assert_eq!(
            due_at(
                utc("2026-11-24T23:00:00Z"),
                &sla(8.0, DurationUnit::Hours, true),
                &nights
            )
            .unwrap(),
            utc("2026-11-25T23:00:00Z")
        );
    }

    #[test]
    fn impossible_calendars_and_durations_are_errors() {
        let none = settings("UTC", &[], "09:00", "17:00", &[]);
        assert!(due_at(
            utc("2026-11-24T10:00:00Z"),
            &sla(1.0, DurationUnit::Hours, true),
            &none
        )
        .is_err());
        let s = settings("UTC", WEEKDAYS, "09:00", "17:00", &[]);
        assert!(due_at(
            utc("2026-11-24T10:00:00Z"),
            &sla(-1.0, DurationUnit::Hours, false),
            &s
        )
        .is_err());
        assert!(due_at(
            utc("2026-11-24T10:00:00Z"),
            &sla(f64::NAN, DurationUnit::Hours, true),
            &s
        )
        .is_err());
        assert_eq!(
            due_at(
                utc("2026-11-24T10:00:00Z"),
                &sla(0.0, DurationUnit::Hours, true),
                &s
            )
            .unwrap(),
            utc("2026-11-24T10:00:00Z")
        );
    }
}
