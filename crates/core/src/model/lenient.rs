//! Number readers that follow JSON Schema: `1.0` is an integer there, so it is one here too.

use serde::{Deserialize, Deserializer};

fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// An integer, also when written as `3.0`.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    whole(&n).ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {n}")))
}

/// An optional integer, also when written as `3.0` (`null` is none).
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(&n)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, got {n}"))),
    }
}

/// A list of small integers (0 to 255), also when written as `3.0`.
pub fn small_ints<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    Vec::<serde_json::Number>::deserialize(d)?
        .iter()
        .map(|n| {
            whole(n).and_then(|i| u8::try_from(i).ok()).ok_or_else(|| {
                serde::de::Error::custom(format!("expected an integer from 0 to 255, got {n}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(deserialize_with = "super::int")]
        a: i64,
        #[serde(deserialize_with = "super::small_ints")]
        b: Vec<u8>,
    }

    #[test]
    fn whole_floats_are_integers() {
        let t: T = serde_json::from_str(r#"{"a": 3.0, "b": [1, 2.0]}"#).unwrap();
        assert_eq!((t.a, t.b), (3, vec![1, 2]));
        assert!(serde_json::from_str::<T>(r#"{"a": 3.5, "b": []}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a": 1, "b": [256]}"#).is_err());
    }
}
