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
        assert_eq!(get(&app, &format!("/{path}"), false).await.status(), 200);
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
