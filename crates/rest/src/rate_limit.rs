//! Token buckets keyed by caller (a token's digest, or a client address), kept per node.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::context::RateLimitInfo;

/// Bucket size and refill rate.
#[derive(Debug, Clone, Copy)]
pub struct BucketConfig {
    /// Requests a full bucket allows at once.
    pub capacity: u32,
    /// Requests added back per minute.
    pub per_minute: u32,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A set of token buckets with the same configuration.
pub struct RateLimiter {
    config: BucketConfig,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// The outcome of taking one request from a bucket.
pub enum Take {
    Allowed(RateLimitInfo),
    Denied {
        retry_after_secs: u64,
        info: RateLimitInfo,
    },
}

impl RateLimiter {
    pub fn new(config: BucketConfig) -> Self {
        Self {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_second(&self) -> f64 {
        self.config.per_minute.max(1) as f64 / 60.0
    }

    /// Takes one request from `key`'s bucket.
    pub fn take(&self, key: &str) -> Take {
        let now = Instant::now();
        let capacity = self.config.capacity.max(1) as f64;
        let rate = self.per_second();
        let mut buckets = self.buckets.lock().expect("rate limiter lock");
        if buckets.len() > 100_000 {
            buckets.retain(|_, b| now.duration_since(b.last).as_secs_f64() * rate < capacity);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.last).as_secs_f64() * rate).min(capacity);
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let info = RateLimitInfo {
            limit: self.config.capacity,
            remaining: bucket.tokens.floor() as u32,
            reset: ((capacity - bucket.tokens) / rate).ceil() as u64,
        };
        if allowed {
            Take::Allowed(info)
        } else {
            Take::Denied {
                retry_after_secs: ((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64,
                info,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_reports() {
        let limiter = RateLimiter::new(BucketConfig {
            capacity: 3,
            per_minute: 60,
        });
        for expected in [2, 1, 0] {
            match limiter.take("a") {
                Take::Allowed(info) => assert_eq!(info.remaining, expected),
                Take::Denied { .. } => panic!("denied too early"),
            }
        }
        match limiter.take("a") {
            Take::Denied {
                retry_after_secs,
                info,
            } => {
                assert_eq!(retry_after_secs, 1);
                assert_eq!(info.remaining, 0);
            }
            Take::Allowed(_) => panic!("allowed past capacity"),
        }
        assert!(matches!(limiter.take("b"), Take::Allowed(_)));
    }
}
