//! Test harness: each test starts the real service on 127.0.0.1:0 over a fresh database (a temp
//! SQLite file, or a fresh PostgreSQL schema) and drives it over real HTTP.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use orgata_core::clock::{Clock, ManualClock};

use orgata::{SettingArgs, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use, from `ORGATA_TEST_POSTGRES_URL`. In CI it must be set.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ORGATA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but ORGATA_TEST_POSTGRES_URL is not set: the PostgreSQL suite is required in CI");
            }
            None
        }
    }
}

/// A running service and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub database_url: String,
    dir: tempfile_dir::TempDir,
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A minimal temporary directory (removed on drop).
pub mod tempfile_dir {
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> Self {
            let dir =
                std::env::temp_dir().join(format!("orgata-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Settings a test may change before the app starts.
pub type Tweak = fn(&mut SettingArgs);

/// Event readers that never re-read the log on their own (an hour between rechecks): what
/// reaches them in a test came through a signal (on PostgreSQL, `LISTEN/NOTIFY`).
pub const SIGNALS_ONLY: Tweak = |a| a.events_recheck = Some(3600);

/// The engine's clock in a test: the system clock, or one the test moves.
pub type TestClock = Option<Arc<dyn Clock>>;

/// Starts the service on `backend`, or `None` when PostgreSQL is not configured (outside CI).
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with the engine reading time from `clock`.
pub async fn spawn_with_clock(backend: Backend, clock: ManualClock) -> Option<TestApp> {
    let (dir, database_url) = fresh_database(backend).await?;
    Some(
        start(
            backend,
            dir,
            database_url,
            |_| {},
            Some(Arc::new(clock)),
            false,
        )
        .await,
    )
}

/// Like [`spawn`], with the demo loaded (`orgata demo`).
pub async fn spawn_demo(backend: Backend) -> Option<TestApp> {
    let (dir, database_url) = fresh_database(backend).await?;
    Some(start(backend, dir, database_url, |_| {}, None, true).await)
}

/// Like [`spawn`], with settings changed by `tweak`.
pub async fn spawn_with(backend: Backend, tweak: Tweak) -> Option<TestApp> {
    let (dir, database_url) = fresh_database(backend).await?;
    Some(start(backend, dir, database_url, tweak, None, false).await)
}

/// A temporary directory and an empty database: a SQLite file in it, or a fresh PostgreSQL schema.
async fn fresh_database(backend: Backend) -> Option<(tempfile_dir::TempDir, String)> {
    let dir = tempfile_dir::TempDir::new();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.0.join("orgata.db").display()),
        Backend::Postgres => {
            let Some(url) = postgres_url() else {
                eprintln!("skipped: set ORGATA_TEST_POSTGRES_URL to run the PostgreSQL suite");
                return None;
            };
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .await
                .expect("create schema");
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options=-c%20search_path%3D{schema}")
        }
    };
    Some((dir, database_url))
}

/// Starts the service over an existing database and key file.
async fn start(
    backend: Backend,
    dir: tempfile_dir::TempDir,
    database_url: String,
    tweak: Tweak,
    clock: TestClock,
    demo: bool,
) -> TestApp {
    let mut args = SettingArgs {
        database_url: Some(database_url.clone()),
        master_key_file: Some(dir.0.join("master.key")),
        ..Default::default()
    };
    tweak(&mut args);
    let settings = Settings::load(&args).expect("settings");
    let services = orgata::open(&settings, clock).await.expect("app starts");
    if demo {
        orgata::demo::seed(&services).await.expect("the demo loads");
    }
    let router = orgata::router(services, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(orgata::serve(listener, router, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    TestApp {
        base,
        client,
        backend,
        database_url,
        dir,
        shutdown: tx,
        server,
    }
}

impl TestApp {
    /// Stops this service (its server and job runner) and starts a new process over the same
    /// database, as after a restart.
    pub async fn restart(self, clock: ManualClock) -> TestApp {
        let TestApp {
            backend,
            database_url,
            dir,
            shutdown,
            server,
            client,
            ..
        } = self;
        drop(client);
        let _ = shutdown.send(());
        tokio::time::timeout(Duration::from_secs(30), server)
            .await
            .expect("the server stops")
            .expect("the server task ends")
            .expect("the server ran");
        start(
            backend,
            dir,
            database_url,
            |_| {},
            Some(Arc::new(clock)),
            false,
        )
        .await
    }

    /// A second node of the same deployment: another service on the same database, with the
    /// same master key and its own job runner.
    pub async fn another_node(&self) -> TestApp {
        self.another_node_with(|_| {}).await
    }

    /// [`Self::another_node`] with settings changed by `tweak`.
    pub async fn another_node_with(&self, tweak: Tweak) -> TestApp {
        let dir = tempfile_dir::TempDir::new();
        std::fs::copy(self.key_file(), dir.0.join("master.key")).expect("copy the master key");
        start(
            self.backend,
            dir,
            self.database_url.clone(),
            tweak,
            None,
            false,
        )
        .await
    }

    /// The master key file of this app's database.
    pub fn key_file(&self) -> std::path::PathBuf {
        self.dir.0.join("master.key")
    }

    /// Polls `GET path` until `done` holds for its data (the job runner works in the background).
    pub async fn wait_for(&self, path: &str, token: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..150 {
            let answer = self.get(path, token).await.expect(200);
            if done(answer.data()) {
                return answer.data().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{path} did not reach the expected state in 15 s");
    }
}

/// An answer: status, headers, the JSON body (Null when it is not JSON) and the raw text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// `data` of the envelope.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }
    /// `error.code` of the envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {:#}",
            self.body
        );
        self
    }
    /// Asserts an error status and code.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        let this = self.expect(status);
        assert_eq!(this.code(), code, "{:#}", this.body);
        assert_eq!(this.body["success"], json!(false));
        this
    }
}

/// A team with its owner's token, for tests that work inside one team.
#[derive(Debug, Clone)]
pub struct Team {
    pub token: String,
    pub id: String,
    pub owner_id: String,
}

impl Team {
    /// A path under the team: `/v1/teams/{id}{path}`.
    pub fn p(&self, path: &str) -> String {
        format!("/v1/teams/{}{path}", self.id)
    }
}

/// Registers owner@example.com with a team named Ops.
pub async fn team(app: &TestApp) -> Team {
    let owner = app.register("owner@example.com", Some("Ops")).await;
    Team {
        token: owner.token,
        id: owner.team_id.unwrap(),
        owner_id: owner.id,
    }
}

/// A signed-up user with their tokens and (when asked for) their organization and team.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
    pub organization_id: Option<String>,
    pub team_id: Option<String>,
}

pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Sends a request; `token` becomes the bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    /// POSTs raw bytes with a content type.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Answer {
        let response = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Answer {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }
    pub async fn public_post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, None, Some(body)).await
    }

    /// Registers `email`; with `team` it also creates an organization and that team.
    pub async fn register(&self, email: &str, team: Option<&str>) -> Account {
        let mut body = json!({"email": email, "password": PASSWORD, "display_name": email.split('@').next().unwrap()});
        if let Some(team) = team {
            body["organization_name"] = json!(format!("{team} Org"));
            body["team_name"] = json!(team);
        }
        let a = self
            .public_post("/v1/auth/register", body)
            .await
            .expect(201);
        let d = a.data();
        Account {
            id: d["user"]["id"].as_str().unwrap().to_string(),
            email: email.to_string(),
            password: PASSWORD.to_string(),
            token: d["access_token"].as_str().unwrap().to_string(),
            refresh_token: d["refresh_token"].as_str().unwrap().to_string(),
            organization_id: d["organization"]["id"].as_str().map(str::to_string),
            team_id: d["team"]["id"].as_str().map(str::to_string),
        }
    }

    /// Registers a user and adds them to `team_id` with `role`, using `admin_token`.
    pub async fn member(
        &self,
        admin_token: &str,
        team_id: &str,
        email: &str,
        role: &str,
    ) -> Account {
        let account = self.register(email, None).await;
        self.post(
            &format!("/v1/teams/{team_id}/members"),
            admin_token,
            json!({"email": email, "access_role": role}),
        )
        .await
        .expect(201);
        account
    }
}

impl TestApp {
    /// The types of a team's last 200 audit events, newest first.
    pub async fn event_types(&self, team_id: &str, token: &str) -> Vec<String> {
        self.get(&format!("/v1/teams/{team_id}/audit?page_size=200"), token)
            .await
            .expect(200)
            .data()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_string())
            .collect()
    }

    /// Runs one SQL statement directly on the test's database (to tamper, or to look inside).
    pub async fn sql(&self, statement: &str) -> u64 {
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .unwrap()
                    .rows_affected()
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .unwrap()
                    .rows_affected()
            }
        }
    }

    /// Every byte of every row of `table`, as text the test can search.
    pub async fn dump(&self, table: &str) -> Vec<u8> {
        use sqlx::Row;
        let mut out = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
                let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
                for row in rows {
                    for i in 0..row.len() {
                        if let Ok(bytes) = row.try_get::<Vec<u8>, _>(i) {
                            out.extend(bytes);
                        } else if let Ok(text) = row.try_get::<String, _>(i) {
                            out.extend(text.into_bytes());
                        }
                    }
                }
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
                let sql = format!("SELECT row_to_json(t)::text FROM {table} t");
                for row in sqlx::query(&sql).fetch_all(&pool).await.unwrap() {
                    out.extend(row.get::<String, _>(0).into_bytes());
                }
                let sql = format!("SELECT encode(ciphertext, 'escape') FROM {table}");
                if let Ok(rows) = sqlx::query(&sql).fetch_all(&pool).await {
                    for row in rows {
                        out.extend(row.get::<String, _>(0).into_bytes());
                    }
                }
            }
        }
        out
    }
}

/// The latest execution (highest iteration) of `step` in an instance.
pub fn execution<'a>(instance: &'a Value, step: &str) -> &'a Value {
    instance["step_executions"]
        .as_array()
        .expect("step_executions")
        .iter()
        .filter(|e| e["step_id"] == step)
        .max_by_key(|e| e["iteration"].as_i64())
        .unwrap_or_else(|| panic!("no execution of {step}"))
}

/// The status of the latest execution of `step`.
pub fn status_of(instance: &Value, step: &str) -> String {
    execution(instance, step)["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(app) = $crate::common::spawn($crate::common::Backend::Sqlite).await {
                        super::$name(app).await
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::common::spawn($crate::common::Backend::Postgres).await {
                        super::$name(app).await
                    }
                }
            }
        )*
    };
}

/// Runs each `async fn name(app: TestApp, clock: ManualClock)` on SQLite and on PostgreSQL,
/// with a service whose clock starts at `$start` and moves only when the test moves it.
#[macro_export]
macro_rules! with_clock_on_both_backends {
    (start = $start:expr; $($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                async fn run(backend: common::Backend) {
                    let clock = orgata_core::clock::ManualClock::new($start);
                    if let Some(app) = common::spawn_with_clock(backend, clock.clone()).await {
                        super::$name(app, clock).await
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run(common::Backend::Postgres).await
                }
            }
        )*
    };
}

/// Compares `current` with `tests/snapshots/{name}`, a public surface whose every change must
/// show as a diff; `UPDATE_SNAPSHOTS=1` rewrites the file instead.
pub fn snapshot(name: &str, current: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, current).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == current,
        "{name} changed; review and run with UPDATE_SNAPSHOTS=1 to accept"
    );
}

/// A playbook of two human steps, started: answers the instance id.
pub async fn start_two_steps(app: &TestApp, t: &Team) -> String {
    let playbook = app
        .post(
            &t.p("/processes"),
            &t.token,
            json!({"name": "Two steps", "steps": [
                {"id": "a", "name": "A", "type": "human"},
                {"id": "b", "name": "B", "type": "human"},
            ]}),
        )
        .await
        .expect(201);
    let id = playbook.data()["id"].as_str().unwrap().to_string();
    app.post(
        &t.p(&format!("/processes/{id}/instances")),
        &t.token,
        json!({}),
    )
    .await
    .expect(201)
    .data()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Completes the instance's open task of step `step`.
pub async fn complete_step(app: &TestApp, t: &Team, instance: &str, step: &str) {
    let tasks = app
        .get(
            &t.p(&format!("/tasks?process_instance_id={instance}")),
            &t.token,
        )
        .await
        .expect(200);
    let task = tasks
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["step_id"] == step && x["status"] == "open")
        .unwrap()
        .clone();
    app.post(
        &t.p(&format!("/tasks/{}/complete", task["id"].as_str().unwrap())),
        &t.token,
        json!({"output": {}}),
    )
    .await
    .expect(200);
}
