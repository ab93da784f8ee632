//! Builds the web UI (`ui/`, with npm) when `ui/dist` was not built from the sources as they are
//! now, then gzips every file of `ui/dist` into `OUT_DIR` and writes the table `src/lib.rs`
//! embeds.
//!
//! `ui/dist/.sources` holds a hash of everything the build reads; vite empties `dist` when it
//! starts and the hash is written only after it succeeds, so an interrupted build is redone.
//! Builds of several profiles at once take turns on `ui/.build.lock`.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the UI build reads, relative to `ui/`; a change to any of them rebuilds it.
const SOURCES: [&str; 8] = [
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "../crates/server/tests/snapshots/openapi.json",
];

fn main() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let ui = ui
        .canonicalize()
        .expect("the ui/ folder is beside crates/ (this crate builds only inside its repository)");
    for source in SOURCES {
        println!("cargo:rerun-if-changed={}", ui.join(source).display());
    }
    let lock = fs::File::create(ui.join(".build.lock")).expect("ui/ is writable");
    lock.lock().expect("ui/.build.lock can be locked");
    let dist = ui.join("dist");
    let stamp = dist.join(".sources");
    let sources = sources_hash(&ui);
    if fs::read_to_string(&stamp).ok().as_deref() != Some(sources.as_str()) {
        build_ui(&ui);
        fs::write(&stamp, &sources).expect("ui/dist is writable");
    }
    embed(&dist);
}

/// `npm ci` when `node_modules` is missing or older than the lockfile, then `npm run build`.
fn build_ui(ui: &Path) {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(&ui.join("node_modules/.package-lock.json"));
    if installed.is_none() || modified(&ui.join("package-lock.json")) > installed {
        npm(ui, &["ci", "--no-audit", "--no-fund"]);
    }
    npm(ui, &["run", "build"]);
}

fn npm(ui: &Path, args: &[&str]) {
    let program = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(program)
        .args(args)
        .current_dir(ui)
        .status()
        .unwrap_or_else(|e| {
            panic!("building the web UI needs Node.js 20.19+ (or 22.12+) and npm on PATH ({e})")
        });
    assert!(status.success(), "`npm {}` in ui/ failed", args.join(" "));
}

/// A hash of the names and contents of every source file, in a fixed order.
fn sources_hash(ui: &Path) -> String {
    let mut files = Vec::new();
    for source in SOURCES {
        let path = ui.join(source);
        if path.is_dir() {
            walk(&path, &mut files);
        } else if path.exists() {
            files.push(path);
        }
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        hasher.write(
            file.strip_prefix(ui)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.write(&fs::read(&file).expect("a UI source file is readable"));
    }
    format!("{:016x}", hasher.finish())
}

/// Gzips each file of `dist` and writes `assets.rs`: `(url path, content type, gzipped bytes)`.
fn embed(dist: &Path) {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut files = Vec::new();
    walk(dist, &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != ".sources"));
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("index.html")),
        "ui/dist has no index.html after the UI build"
    );
    let mut table = String::from("&[\n");
    for (i, file) in files.iter().enumerate() {
        let url = file
            .strip_prefix(dist)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let gz = out.join(format!("ui-{i}.gz"));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&fs::read(file).unwrap()).unwrap();
        fs::write(&gz, encoder.finish().unwrap()).unwrap();
        table.push_str(&format!(
            "    ({:?}, {:?}, include_bytes!({:?})),\n",
            format!("/{url}"),
            content_type(file),
            gz.display().to_string()
        ));
    }
    table.push(']');
    fs::write(out.join("assets.rs"), table).unwrap();
}

/// The file's media type, with `charset=utf-8` on text.
fn content_type(file: &Path) -> String {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || ["javascript", "json", "xml"].contains(&mime.subtype().as_str())
        || mime
            .suffix()
            .is_some_and(|s| s.as_str() == "json" || s.as_str() == "xml");
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a UI folder is readable") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
