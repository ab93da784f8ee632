//! Builds the web UI (`ui/`, with npm) when `ui/dist` is missing or older than its sources, then
//! gzips every file of `ui/dist` into `OUT_DIR` and writes the table `src/lib.rs` embeds.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

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
    let ui = ui.canonicalize().expect("the ui/ folder is beside crates/");
    for source in SOURCES {
        println!("cargo:rerun-if-changed={}", ui.join(source).display());
    }
    println!("cargo:rerun-if-changed={}", ui.join("dist").display());
    let dist = ui.join("dist");
    let built = modified(&dist.join("index.html"));
    let newest = SOURCES.iter().filter_map(|s| newest(&ui.join(s))).max();
    if built.is_none() || newest > built {
        build_ui(&ui);
    }
    embed(&dist);
}

/// `npm ci` when `node_modules` is missing or older than the lockfile, then `npm run build`.
fn build_ui(ui: &Path) {
    let installed = modified(&ui.join("node_modules/.package-lock.json"));
    if installed.is_none() || modified(&ui.join("package-lock.json")) > installed {
        npm(ui, &["ci", "--no-audit", "--no-fund"]);
    }
    npm(ui, &["run", "build"]);
}

fn npm(ui: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(ui)
        .status()
        .unwrap_or_else(|e| {
            panic!("building the web UI needs Node.js 20+ and npm on PATH (npm: {e})")
        });
    assert!(status.success(), "`npm {}` in ui/ failed", args.join(" "));
}

/// Gzips each file of `dist` and writes `assets.rs`: `(url path, content type, gzipped bytes)`.
fn embed(dist: &Path) {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut files = Vec::new();
    walk(dist, &mut files);
    files.sort();
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
        let mime = mime_guess::from_path(file).first_or_octet_stream();
        let mime = match mime.type_() {
            mime_guess::mime::TEXT | mime_guess::mime::APPLICATION
                if mime.subtype() != "octet-stream" && mime.subtype() != "wasm" =>
            {
                format!("{mime}; charset=utf-8")
            }
            _ => mime.to_string(),
        };
        table.push_str(&format!(
            "    ({:?}, {:?}, include_bytes!({:?})),\n",
            format!("/{url}"),
            mime,
            gz.display().to_string()
        ));
    }
    table.push(']');
    fs::write(out.join("assets.rs"), table).unwrap();
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("ui/dist exists after the UI build") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of anything under a folder.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = fs::metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    fs::read_dir(path)
        .ok()?
        .filter_map(|e| newest(&e.ok()?.path()))
        .chain(own)
        .max()
}
