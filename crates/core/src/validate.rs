//! Field checks shared by the use cases. Each adds to `Violations` with a JSON Pointer.

use crate::error::Violations;

/// A trimmed, non-empty string of at most `max` characters.
pub fn text(v: &mut Violations, field: &str, value: &str, min: usize, max: usize) {
    let len = value.chars().count();
    if value.trim().chars().count() < min {
        v.add(
            field,
            "too_short",
            format!("must have at least {min} non-blank characters"),
        );
    } else if len > max {
        v.add(
            field,
            "too_long",
            format!("must have at most {max} characters"),
        );
    }
}

/// An email address of the documented shape: a dot-atom local part (`A-Z a-z 0-9 _ % + -`
/// separated by single dots) and a host name of at least two labels (letters, digits and inner
/// hyphens, 1 to 63 each), 3 to 254 characters in all, that is also an `email` in the JSON
/// Schema sense. The OpenAPI pattern and format say the same.
pub fn email(v: &mut Violations, field: &str, value: &str) {
    if !is_email(value) {
        v.add(field, "invalid_email", "must be an email address");
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let atom = |a: &str| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_%+-".contains(&b))
    };
    let label = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    local.split('.').all(atom)
        && labels.len() >= 2
        && labels.iter().all(|l| label(l))
        && (3..=254).contains(&value.len())
        && is_format("email", value)
}

/// Whether `value` is valid for a JSON Schema string `format` (as jsonschema checks it).
pub fn is_format(format: &str, value: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static VALIDATORS: OnceLock<Mutex<HashMap<String, jsonschema::Validator>>> = OnceLock::new();
    let mut map = VALIDATORS
        .get_or_init(Default::default)
        .lock()
        .expect("format validators");
    let validator = map.entry(format.to_string()).or_insert_with(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&serde_json::json!({"type": "string", "format": format}))
            .expect("a format schema builds")
    });
    validator.is_valid(&serde_json::Value::String(value.to_string()))
}

/// The canonical form of an email address: trimmed and lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A password of at least 12 characters.
pub fn password(v: &mut Violations, field: &str, value: &str) {
    let len = value.chars().count();
    if len < 12 {
        v.add(field, "too_short", "must have at least 12 characters");
    } else if len > 1024 {
        v.add(field, "too_long", "must have at most 1024 characters");
    }
}

/// A time zone of the IANA database (`UTC`, `Europe/Berlin`, …).
pub fn timezone(v: &mut Violations, field: &str, value: &str) {
    if value.parse::<chrono_tz::Tz>().is_err() {
        v.add(
            field,
            "invalid_timezone",
            "must be an IANA time zone name such as Europe/Berlin or UTC",
        );
    }
}

/// `HH:MM` on a 24-hour clock, as minutes since midnight.
pub fn clock_time(v: &mut Violations, field: &str, value: &str) -> Option<u32> {
    let parsed = value.split_once(':').and_then(|(h, m)| {
        (h.len() == 2 && m.len() == 2)
            .then(|| Some((h.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
            .flatten()
    });
    match parsed {
        Some((h, m)) if h < 24 && m < 60 => Some(h * 60 + m),
        _ => {
            v.add(field, "invalid_time", "must be a time HH:MM");
            None
        }
    }
}

/// One of the listed values.
pub fn one_of(v: &mut Violations, field: &str, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        v.add(
            field,
            "invalid_value",
            format!("must be one of {}", allowed.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(f: impl FnOnce(&mut Violations)) -> bool {
        let mut v = Violations::new();
        f(&mut v);
        v.finish().is_err()
    }

    #[test]
    fn emails() {
        assert!(!errors(|v| email(v, "/email", "ada@example.com")));
        for bad in [
            "", "ada", "ada@", "@x.y", "a b@x.y", "a@x", "a@@x.y", "a@.x", "a@x..y",
        ] {
            assert!(errors(|v| email(v, "/email", bad)), "{bad}");
        }
    }

    #[test]
    fn clock_times_and_zones() {
        assert!(!errors(|v| {
            clock_time(v, "/t", "09:30");
        }));
        assert!(errors(|v| {
            clock_time(v, "/t", "24:00");
        }));
        assert!(!errors(|v| timezone(v, "/tz", "Europe/Berlin")));
        assert!(errors(|v| timezone(v, "/tz", "../etc")));
    }

    #[test]
    fn texts_count_characters_not_bytes() {
        assert!(!errors(|v| text(v, "/n", "ééé", 1, 3)));
        assert!(errors(|v| text(v, "/n", "   ", 1, 3)));
        assert!(errors(|v| text(v, "/n", "éééé", 1, 3)));
    }
}
