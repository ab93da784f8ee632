//! The measures of people and the team, from tasks.
//!
//! Method. A task counts for the member who completed it, in the period its completion falls
//! in. Handling time runs from the start of work (the claim of its step execution; the task's
//! creation when none was recorded) to completion. Open work is what is assigned now: open,
//! in-progress or escalated tasks, overdue when past their due date. The workload spread is
//! over active members, those with no open task counting as zero.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::history::{seconds, Time};
use super::stats::{mean, median, sorted};
use crate::model::{
    RoleWorkload, Seconds, TaskStatus, TeamAnalytics, TeamMember, UserAnalytics, WorkloadSpread,
};

/// A task as analytics read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub status: TaskStatus,
    pub assigned_to: Option<Uuid>,
    pub assigned_role: Option<Uuid>,
    pub completed_by: Option<Uuid>,
    pub created_at: Time,
    /// When work on its step execution started (a claim).
    pub work_started: Option<Time>,
    pub completed_at: Option<Time>,
    pub due_date: Option<DateTime<Utc>>,
}

impl TaskRecord {
    fn completed_in(&self, from: Time, to: Time) -> Option<Time> {
        self.completed_at
            .filter(|t| self.status == TaskStatus::Completed && *t >= from && *t < to)
    }

    fn handling(&self) -> Option<f64> {
        let end = self.completed_at?;
        let start = self.work_started.unwrap_or(self.created_at).min(end);
        Some(seconds(start, end))
    }

    fn late(&self) -> bool {
        matches!((self.due_date, self.completed_at), (Some(due), Some(done)) if done > due)
    }
}

/// A business role for the workload: its id, name and active holders.
#[derive(Debug, Clone)]
pub struct RoleHolders {
    pub id: Uuid,
    pub name: String,
    pub holders: u64,
}

/// Per member and for the team, over the tasks completed in `[from, to)` and the work open at
/// `now`; `instances_completed` comes from the execution history.
pub fn people(
    team_id: Uuid,
    tasks: &[TaskRecord],
    members: &[TeamMember],
    roles: &[RoleHolders],
    period: (Time, Time),
    now: Time,
    instances_completed: u64,
) -> (Vec<UserAnalytics>, TeamAnalytics) {
    let (from, to) = period;
    let active: Vec<(Uuid, &TeamMember)> = members
        .iter()
        .filter(|m| m.status == crate::model::MemberStatus::Active)
        .filter_map(|m| Some((m.user_id?, m)))
        .collect();
    let mut handled: HashMap<Uuid, Vec<f64>> = HashMap::new();
    let mut late: HashMap<Uuid, u64> = HashMap::new();
    let mut open: HashMap<Uuid, (u64, u64)> = HashMap::new();
    let mut by_role: BTreeMap<Uuid, (u64, u64)> = BTreeMap::new();
    let mut all_handled = Vec::new();
    let mut completed = 0u64;
    for t in tasks {
        if t.completed_in(from, to).is_some() {
            completed += 1;
            if let Some(role) = t.assigned_role {
                by_role.entry(role).or_default().1 += 1;
            }
            if let Some(user) = t.completed_by {
                let h = t.handling().unwrap_or(0.0);
                handled.entry(user).or_default().push(h);
                all_handled.push(h);
                *late.entry(user).or_default() += u64::from(t.late());
            }
        }
        if t.status.is_open() {
            if let Some(role) = t.assigned_role {
                by_role.entry(role).or_default().0 += 1;
            }
            if let Some(user) = t.assigned_to {
                let entry = open.entry(user).or_default();
                entry.0 += 1;
                entry.1 += u64::from(t.due_date.is_some_and(|d| d < now));
            }
        }
    }
    let users = active
        .iter()
        .map(|(id, m)| {
            let h = sorted(handled.remove(id).unwrap_or_default());
            let (open_tasks, overdue) = open.get(id).copied().unwrap_or_default();
            UserAnalytics {
                user_id: *id,
                email: m.email.clone(),
                display_name: m.display_name.clone(),
                tasks_completed: h.len() as u64,
                median_handling_time: Seconds::of(median(&h)),
                completed_late: late.get(id).copied().unwrap_or(0),
                open_tasks,
                overdue,
            }
        })
        .collect();
    let loads: Vec<f64> = active
        .iter()
        .map(|(id, _)| open.get(id).map_or(0.0, |o| o.0 as f64))
        .collect();
    let assigned: f64 = loads.iter().sum();
    let avg = mean(&loads);
    let cv = avg.filter(|a| *a > 0.0).map(|a| {
        let var = loads.iter().map(|x| (x - a).powi(2)).sum::<f64>() / loads.len() as f64;
        var.sqrt() / a
    });
    let max = loads.iter().copied().fold(0.0, f64::max);
    let days = seconds(from, to) / 86_400.0;
    let per_day = |n: u64| (days > 0.0).then(|| n as f64 / days);
    let team = TeamAnalytics {
        team_id,
        tasks_completed: completed,
        instances_completed,
        tasks_per_day: per_day(completed),
        instances_per_day: per_day(instances_completed),
        median_handling_time: Seconds::of(median(&sorted(all_handled))),
        workload: WorkloadSpread {
            members: active.len() as u64,
            open_tasks: assigned as u64,
            mean_per_member: avg,
            max_per_member: max as u64,
            coefficient_of_variation: cv,
            busiest_share: (assigned > 0.0).then(|| max / assigned),
        },
        roles: roles
            .iter()
            .map(|r| {
                let (open_tasks, tasks_completed) = by_role.get(&r.id).copied().unwrap_or_default();
                RoleWorkload {
                    role_id: r.id,
                    name: r.name.clone(),
                    holders: r.holders,
                    open_tasks,
                    tasks_completed,
                }
            })
            .collect(),
    };
    (users, team)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::AccessRole;
    use crate::model::MemberStatus;
    use chrono::{Duration, TimeZone};

    fn at(h: i64) -> Time {
        Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn member(n: u128) -> TeamMember {
        TeamMember {
            team_id: Uuid::nil(),
            user_id: Some(Uuid::from_u128(n)),
            email: format!("u{n}@example.com"),
            display_name: None,
            kind: None,
            access_role: AccessRole::Member,
            roles: Vec::new(),
            status: MemberStatus::Active,
            invitation_id: None,
            joined_at: None,
        }
    }

    fn done(
        by: u128,
        created: i64,
        claimed: Option<i64>,
        done: i64,
        due: Option<i64>,
    ) -> TaskRecord {
        TaskRecord {
            status: TaskStatus::Completed,
            assigned_to: Some(Uuid::from_u128(by)),
            assigned_role: Some(Uuid::from_u128(100)),
            completed_by: Some(Uuid::from_u128(by)),
            created_at: at(created),
            work_started: claimed.map(at),
            completed_at: Some(at(done)),
            due_date: due.map(at),
        }
    }

    fn open(to: u128, due: Option<i64>) -> TaskRecord {
        TaskRecord {
            status: TaskStatus::Open,
            assigned_to: Some(Uuid::from_u128(to)),
            assigned_role: None,
            completed_by: None,
            created_at: at(0),
            work_started: None,
            completed_at: None,
            due_date: due.map(at),
        }
    }

    #[test]
    fn people_and_team_by_hand() {
        let tasks = vec![
            // Member 1: handled 2 h (claimed at 1), 4 h (no claim: from creation), late once.
            done(1, 0, Some(1), 3, Some(2)),
            done(1, 0, None, 4, None),
            // Member 2: 1 h; and one outside the period.
            done(2, 10, None, 11, Some(20)),
            done(2, 0, None, 30, None),
            open(1, Some(5)),
            open(1, None),
            open(1, Some(50)),
            open(2, None),
        ];
        let members = [member(1), member(2), member(3)];
        let roles = [RoleHolders {
            id: Uuid::from_u128(100),
            name: "Clerk".into(),
            holders: 2,
        }];
        let (users, team) = people(
            Uuid::nil(),
            &tasks,
            &members,
            &roles,
            (at(0), at(24)),
            at(20),
            2,
        );
        let one = &users[0];
        assert_eq!(
            (
                one.tasks_completed,
                one.completed_late,
                one.open_tasks,
                one.overdue
            ),
            (2, 1, 3, 1)
        );
        assert_eq!(one.median_handling_time.unwrap().value, 3.0 * 3600.0);
        assert_eq!((users[1].tasks_completed, users[1].completed_late), (1, 0));
        assert_eq!(users[2].tasks_completed, 0);
        assert_eq!((team.tasks_completed, team.tasks_per_day), (3, Some(3.0)));
        assert_eq!(team.instances_per_day, Some(2.0));
        assert_eq!(team.median_handling_time.unwrap().value, 7200.0);
        // Open per member: 3, 1, 0 → mean 4/3, σ = √(((5/3)² + (1/3)² + (4/3)²)/3).
        let w = &team.workload;
        assert_eq!((w.members, w.open_tasks, w.max_per_member), (3, 4, 3));
        let sigma = ((25.0f64 / 9.0 + 1.0 / 9.0 + 16.0 / 9.0) / 3.0).sqrt();
        assert!((w.coefficient_of_variation.unwrap() - sigma / (4.0 / 3.0)).abs() < 1e-12);
        assert_eq!(w.busiest_share, Some(0.75));
        assert_eq!(
            (team.roles[0].tasks_completed, team.roles[0].open_tasks),
            (3, 0)
        );
    }
}
