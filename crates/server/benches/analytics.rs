//! Analytics at scale, against pm4py: importing a log of a million events through REST, then
//! its measures, on SQLite and (when a URL is given) on PostgreSQL.
//!
//! ```sh
//! cargo bench -p orgata --bench analytics
//! ORGATA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p orgata --bench analytics
//! ```
//!
//! The log (`target/bench-data/synthetic-1m.xes`, written once, seeded) has 100,000 cases of
//! ten completion events over eight activities in four variants. Orgata: `POST
//! /analytics/imports` (parse, write every case, run and event in one transaction), then the
//! measures (`GET /analytics/processes?process_id=` and `/analytics/variants?process_id=`).
//! pm4py (`scripts/pm4py_bench.py`, run with `target/pm4py-venv/bin/python`, which
//! `scripts/test.sh` creates, or `ORGATA_BENCH_PYTHON`): `read_xes`, then the same measures
//! (case durations, variants, both directly-follows graphs, service times, cases per day).
//! Prints each time and pm4py's time over ours: the measures read from the database, and again
//! with the history in memory (the cache a second look finds), as pm4py measures a log it has
//! read. The server and the client share this process.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use common::{register, sqlite_file, start, PgSchema};
use rand::{Rng, SeedableRng};
use serde_json::Value;

const CASES: usize = 100_000;
const ACTIVITIES: [&str; 8] = [
    "Register",
    "Check",
    "Assess",
    "Ask for documents",
    "Decide",
    "Approve",
    "Reject",
    "Notify",
];
/// Four paths of ten events each.
const VARIANTS: [[usize; 10]; 4] = [
    [0, 1, 2, 4, 5, 7, 1, 2, 4, 7],
    [0, 1, 2, 3, 2, 4, 5, 7, 2, 7],
    [0, 2, 1, 4, 6, 7, 3, 1, 4, 7],
    [0, 1, 3, 2, 3, 2, 4, 6, 7, 7],
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Writes the log once; returns its path.
fn log_file() -> PathBuf {
    let dir = workspace().join("target/bench-data");
    let path = dir.join("synthetic-1m.xes");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let partial = dir.join("synthetic-1m.xes.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial).unwrap());
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let origin: DateTime<Utc> = "2025-01-01T08:00:00Z".parse().unwrap();
    writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1.0\" xmlns=\"http://www.xes-standard.org/\">\n\
         <string key=\"concept:name\" value=\"Synthetic loans\"/>"
    )
    .unwrap();
    for case in 0..CASES {
        let mut t = origin + Duration::minutes(5 * case as i64);
        let path = VARIANTS[rng.gen_range(0..VARIANTS.len())];
        writeln!(
            out,
            "<trace><string key=\"concept:name\" value=\"case-{case}\"/>"
        )
        .unwrap();
        for activity in path {
            t += Duration::seconds(rng.gen_range(60..36_000));
            writeln!(
                out,
                "<event><string key=\"concept:name\" value=\"{}\"/><string key=\"lifecycle:transition\" value=\"complete\"/>\
                 <string key=\"org:resource\" value=\"clerk-{}\"/><date key=\"time:timestamp\" value=\"{}\"/></event>",
                ACTIVITIES[activity],
                rng.gen_range(1..20),
                t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )
            .unwrap();
        }
        writeln!(out, "</trace>").unwrap();
    }
    writeln!(out, "</log>").unwrap();
    out.flush().unwrap();
    drop(out);
    std::fs::rename(&partial, &path).unwrap();
    path
}

/// What one backend measured: seconds for the import, for the measures read from the
/// database, and for the measures of the history already in memory (as pm4py measures a log
/// it has read); and the figures.
struct Run {
    import: f64,
    measures: f64,
    in_memory: f64,
    figures: Figures,
}

/// Orgata's import and measures of `log` on `database_url`.
async fn orgata(database_url: String, log: &[u8]) -> Run {
    let dir = std::env::temp_dir().join(format!("orgata-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = start(database_url, &dir).await;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    let (token, team) = register(&client, &server.base).await;
    let t0 = Instant::now();
    let answer = client
        .post(format!("{team}/analytics/imports?name=Synthetic"))
        .bearer_auth(&token)
        .header("content-type", "application/xml")
        .body(log.to_vec())
        .send()
        .await
        .expect("import sent");
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    let import = t0.elapsed().as_secs_f64();
    assert_eq!(status.as_u16(), 201, "{body}");
    assert_eq!(body["data"]["events"], (CASES * 10) as u64, "{body}");
    let id = body["data"]["playbook_id"].as_str().unwrap();
    let get = |path: String| {
        let (client, token) = (&client, &token);
        async move {
            let t = Instant::now();
            let r = client.get(&path).bearer_auth(token).send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            let body: Value = r.json().await.unwrap();
            (t.elapsed().as_secs_f64(), body)
        }
    };
    let processes = format!("{team}/analytics/processes?process_id={id}");
    let variants = format!("{team}/analytics/variants?process_id={id}");
    // A first look: the history is read once and both measures computed from it.
    let ((p1, measured), (v1, mined)) = (get(processes.clone()).await, get(variants.clone()).await);
    // Again, with nothing changed since: the history read is reused.
    let ((p2, _), (v2, _)) = (get(processes).await, get(variants).await);
    println!(
        "{:<10} processes {p1:.2} s (again {p2:.2} s), variants {v1:.2} s (again {v2:.2} s)",
        ""
    );
    let (measures, in_memory) = (p1 + v1, p2 + v2);
    let metrics = &measured["data"]["metrics"];
    let figures = Figures {
        mean: metrics["average_duration"]["value"]
            .as_f64()
            .unwrap_or(f64::NAN),
        median: metrics["median_duration"]["value"]
            .as_f64()
            .unwrap_or(f64::NAN),
        variants: mined["data"]["variants"].as_array().map_or(0, Vec::len),
    };
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        import,
        measures,
        in_memory,
        figures,
    }
}

/// Figures both sides compute: mean and median cycle time (seconds) and how many variants.
#[derive(Debug, Clone, Copy)]
struct Figures {
    mean: f64,
    median: f64,
    variants: usize,
}

impl Figures {
    /// Whether `other` agrees to within 0.1%.
    fn agree(&self, other: &Figures) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= b.abs() * 1e-3;
        close(self.mean, other.mean)
            && close(self.median, other.median)
            && self.variants == other.variants
    }
}

/// pm4py's (read, measures) seconds and figures, or why they are missing.
fn pm4py(log: &Path) -> Result<(f64, f64, Figures), String> {
    let python = std::env::var("ORGATA_BENCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target/pm4py-venv/bin/python"));
    if !python.exists() {
        return Err(format!(
            "{} is missing: run scripts/test.sh once (it installs pm4py) or set ORGATA_BENCH_PYTHON",
            python.display()
        ));
    }
    let out = std::process::Command::new(&python)
        .arg(workspace().join("scripts/pm4py_bench.py"))
        .arg(log)
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let line = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(line.trim().lines().last().unwrap_or(""))
        .map_err(|e| format!("pm4py said {line:?}: {e}"))?;
    Ok((
        v["read_seconds"].as_f64().unwrap_or(f64::NAN),
        v["measures_seconds"].as_f64().unwrap_or(f64::NAN),
        Figures {
            mean: v["case_duration_mean"].as_f64().unwrap_or(f64::NAN),
            median: v["case_duration_median"].as_f64().unwrap_or(f64::NAN),
            variants: v["variants"].as_u64().unwrap_or(0) as usize,
        },
    ))
}

fn main() {
    let t = Instant::now();
    let path = log_file();
    let log = std::fs::read(&path).unwrap();
    println!(
        "log: {} ({} cases, {} events, {:.0} MB; ready in {:.1} s)",
        path.display(),
        CASES,
        CASES * 10,
        log.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let reference = pm4py(&path);
    match &reference {
        Ok((read, measures, f)) => {
            println!("pm4py      read_xes {read:>7.1} s   measures {measures:>6.2} s   {f:?}")
        }
        Err(why) => println!("pm4py      skipped: {why}"),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let report = |label: &str, run: Run| {
            print!(
                "{label:<10} import   {:>7.1} s   measures {:>6.2} s (in memory {:.2} s)",
                run.import, run.measures, run.in_memory
            );
            if let Ok((read, m, theirs)) = &reference {
                print!(
                    "   pm4py/orgata: read/import {:.2}×, measures {:.2}× (in memory {:.2}×); figures {}",
                    read / run.import,
                    m / run.measures,
                    m / run.in_memory,
                    if run.figures.agree(theirs) {
                        "agree"
                    } else {
                        "DIFFER"
                    }
                );
            }
            println!("   {:?}", run.figures);
        };
        let (dir, sqlite) = sqlite_file();
        report("sqlite", orgata(sqlite, &log).await);
        let _ = std::fs::remove_dir_all(&dir);
        match PgSchema::create().await {
            Some(schema) => {
                report("postgres", orgata(schema.url.clone(), &log).await);
                schema.drop().await;
            }
            None => println!("postgres   skipped: set ORGATA_BENCH_POSTGRES_URL to measure it"),
        }
    });
}
