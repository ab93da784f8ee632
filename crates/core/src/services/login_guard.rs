//! Slows down password guessing: at most 10 failed logins per 5 minutes per account and per
//! client address. Kept in memory, per node.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const WINDOW: Duration = Duration::from_secs(300);
const MAX_FAILURES: usize = 10;

/// Recent failed logins by key (`account:<email>`, `ip:<addr>`).
#[derive(Default)]
pub struct LoginGuard {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginGuard {
    /// Refuses with `RateLimited` when any key has used up its failures.
    pub fn check(&self, keys: &[String]) -> Result<()> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("login guard lock");
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(times) = map.get_mut(key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= MAX_FAILURES {
                    let oldest = *times.front().expect("non-empty");
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        if wait > Duration::ZERO {
            return Err(Error::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Records a failure under every key.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("login guard lock");
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) <= WINDOW)
            });
        }
        for key in keys {
            map.entry(key.clone()).or_default().push_back(now);
        }
    }

    /// Forgets an account's failures after a successful login.
    pub fn succeed(&self, account_key: &str) {
        self.failures
            .lock()
            .expect("login guard lock")
            .remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_try_is_refused() {
        let g = LoginGuard::default();
        let keys = vec!["account:a@b.c".to_string(), "ip:127.0.0.1".to_string()];
        for _ in 0..10 {
            g.check(&keys).unwrap();
            g.fail(&keys);
        }
        assert!(matches!(g.check(&keys), Err(Error::RateLimited { .. })));
        assert!(matches!(
            g.check(&["ip:127.0.0.1".to_string()]),
            Err(Error::RateLimited { .. })
        ));
        assert!(g.check(&["account:x@y.z".to_string()]).is_ok());
        g.succeed("account:a@b.c");
        assert!(g.check(&["account:a@b.c".to_string()]).is_ok());
    }
}
