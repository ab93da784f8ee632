//! Cron schedules: five fields (`minute hour day-of-month month day-of-week`, POSIX/Vixie
//! meaning, parsed by `croner`) read in the team's time zone.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;

/// The parsed schedule, or why it is not one.
pub fn parse(expression: &str) -> Result<Cron, String> {
    if expression.split_whitespace().count() != 5 {
        return Err(
            "a schedule has five fields: minute hour day-of-month month day-of-week".into(),
        );
    }
    Cron::from_str(expression.trim()).map_err(|e| e.to_string())
}

/// When `expression` next runs after `after`, in `timezone` (UTC when unknown).
pub fn next_run(expression: &str, timezone: &str, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let cron = parse(expression).ok()?;
    let tz: Tz = timezone.parse().unwrap_or(Tz::UTC);
    cron.find_next_occurrence(&after.with_timezone(&tz), false)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_run_in_the_team_time_zone() {
        let monday_noon: DateTime<Utc> = "2026-03-02T12:00:00Z".parse().unwrap();
        // Weekdays at 9:00 in Berlin (UTC+1 in March before the change): the next is Tuesday
        // 08:00 UTC.
        assert_eq!(
            next_run("0 9 * * 1-5", "Europe/Berlin", monday_noon),
            Some("2026-03-03T08:00:00Z".parse().unwrap())
        );
        assert_eq!(
            next_run("30 12 * * *", "UTC", monday_noon),
            Some("2026-03-02T12:30:00Z".parse().unwrap())
        );
        assert!(parse("0 9 * *").is_err());
        assert!(parse("0 25 * * *").is_err());
        assert!(parse("0 0 9 * * *").is_err(), "no seconds field");
    }
}
