//! The web UI embedded in the binary: every page of the app answers `index.html` with its
//! security headers, the files it names are served (gzipped when asked, plain otherwise) from
//! this origin only, and the other doors keep their own answers for unknown paths.

mod common;

use common::TestApp;

async fn get(app: &TestApp, path: &str, gzip: bool) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    request.send().await.unwrap()
}

async fn pages_and_assets(app: TestApp) {
    // The app routes on the client: each of its pages answers the same document.
    let page = get(&app, "/", false).await;
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<div id="root">"#), "{html}");
    for path in [
        "/login",
        "/tasks",
        "/tasks/0190c0de-0000-7000-8000-000000000000",
        "/playbooks/a/b",
        "/settings/profile",
    ] {
        let again = get(&app, path, false).await;
        assert_eq!(again.status(), 200, "{path}");
        assert_eq!(again.text().await.unwrap(), html, "{path}");
    }
    for path in orgata_web::PAGES {
        for path in [format!("/{path}"), format!("/{path}/")] {
            assert_eq!(get(&app, &path, false).await.status(), 200, "{path}");
        }
    }

    // Every file the page names is served from this origin, gzipped when the client takes it.
    let names: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| {
            s.starts_with('/') && (s.ends_with(".js") || s.ends_with(".css") || s.ends_with(".svg"))
        })
        .collect();
    assert!(names.iter().any(|n| n.ends_with(".js")), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    for name in names {
        let zipped = get(&app, name, true).await;
        assert_eq!(zipped.status(), 200, "{name}");
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{name}");
        let plain = get(&app, name, false).await;
        assert!(plain.headers().get("content-encoding").is_none());
        let refused = app
            .client
            .get(format!("{}{name}", app.base))
            .header("accept-encoding", "gzip;q=0, br")
            .send()
            .await
            .unwrap();
        assert!(
            refused.headers().get("content-encoding").is_none(),
            "{name}"
        );
        let body = plain.bytes().await.unwrap();
        assert!(
            !body.is_empty() && !body.starts_with(&[0x1f, 0x8b]),
            "{name} is unpacked"
        );
        if name.starts_with("/assets/") {
            assert!(zipped.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable"));
        }
    }
    assert_eq!(get(&app, "/assets/nothing.js", true).await.status(), 404);

    // Paths outside the app keep the API's JSON answers.
    for path in ["/v1/nothing", "/nothing"] {
        let missing = get(&app, path, false).await;
        assert_eq!(missing.status(), 404);
        let body: serde_json::Value = missing.json().await.unwrap();
        assert_eq!(body["error"]["code"], "NOT_FOUND");
    }
}

both_backends!(pages_and_assets);

/// The server answers the app's page for exactly the first path segments the app routes.
#[test]
fn pages_are_the_apps_routes() {
    let routes = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ui/src/routes.tsx"
    ))
    .expect("ui/src/routes.tsx");
    let mut segments: Vec<&str> = routes
        .split("path: '")
        .skip(1)
        .filter_map(|rest| rest.trim_start_matches('/').split(['\'', '/']).next())
        .filter(|segment| !segment.is_empty() && *segment != "*")
        .collect();
    segments.sort();
    segments.dedup();
    let mut pages = orgata_web::PAGES.to_vec();
    pages.sort();
    assert_eq!(
        segments, pages,
        "crates/web PAGES and ui/src/routes.tsx disagree"
    );
}
