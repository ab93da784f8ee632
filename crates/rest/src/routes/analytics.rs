//! Analytics: a playbook's measures, process mining, and importing event logs.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body as RawBody, BodyDataStream, Bytes};
use axum::extract::{Path, State};
use futures_util::StreamExt;
use orgata_core::access::Permission;
use orgata_core::analytics::xes::{XesError, XesReader, XesTrace};
use orgata_core::model::*;
use orgata_core::services::analytics::{AnalyticsQuery, ImportOptions, TraceSource, MAX_VARIANTS};
use orgata_core::{Error, ErrorCode};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::envelope::{created_at, ok, ApiError, ApiResult, Envelope};
use crate::extract::{path_id, Auth, QueryMap};
use crate::AppState;

/// The largest event log an import reads.
pub const IMPORT_MAX_BYTES: u64 = 1 << 30;
/// How long an upload may send nothing before the import gives up.
const IMPORT_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// Filters every analytics query takes.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AnalyticsParams {
    /// Instances started at or after (RFC 3339).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Instances started before (RFC 3339).
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Instances pinned to this commit.
    #[param(pattern = "^[0-9a-f]{64}$")]
    pub version: Option<String>,
    /// Instances started from this branch or commit (default `main`).
    #[param(pattern = "^([a-z0-9][a-z0-9._-]{0,99}|[0-9a-f]{64})$")]
    pub branch: Option<String>,
    /// Only the steps assigned to this business role.
    pub role: Option<uuid::Uuid>,
}

/// `?process_id=` where it is optional.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProcessParam {
    /// One playbook (omit for every playbook on `main`).
    pub process_id: Option<uuid::Uuid>,
}

/// `?process_id=&limit=` of process mining.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MiningParams {
    /// The playbook.
    pub process_id: uuid::Uuid,
    /// The most variants listed (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// `?name=&process_id=` of an import.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ImportParams {
    /// The name of the playbook discovered from the log (default: the log's name).
    #[param(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// A playbook on `main` whose history the log is; its activities must be its steps.
    pub process_id: Option<uuid::Uuid>,
}

/// The `process_id` a query must name: 422 `required` without it.
pub(crate) fn required_process(q: &QueryMap) -> Result<uuid::Uuid, ApiError> {
    q.uuid("process_id")?.ok_or_else(|| {
        ApiError(Error::invalid(
            "/process_id",
            "required",
            "name the playbook",
        ))
    })
}

/// One playbook's measures, or every playbook's summary.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ProcessAnalyticsAnswer {
    One(Box<ProcessAnalytics>),
    All(Vec<ProcessSummary>),
}

pub(crate) fn query(q: &QueryMap) -> Result<AnalyticsQuery, ApiError> {
    let time = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        q.text(name)?
            .map(|v| {
                orgata_core::analytics::xes::parse_timestamp(&v).ok_or_else(|| {
                    ApiError(Error::bad_request(format!(
                        "{name} must be an RFC 3339 date-time in the years 1 to 9999"
                    )))
                })
            })
            .transpose()
    };
    Ok(AnalyticsQuery {
        from: time("from")?,
        to: time("to")?,
        version: q.text("version")?,
        branch: q.text("branch")?,
        role: q.uuid("role")?,
    })
}

/// A playbook's measures (`process_id`): instance counts, cycle times, completion and SLA
/// breach rates, flow efficiency, cost, per-step waiting and work times, and bottlenecks; or,
/// without `process_id`, every playbook's measures.
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/processes", tag = "analytics",
    params(crate::openapi::TeamPath, ProcessParam, AnalyticsParams),
    responses((status = 200, description = "Measures", body = Envelope<ProcessAnalyticsAnswer>)))]
pub async fn processes(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let filters = query(&q)?;
    let answer = match q.uuid("process_id")? {
        Some(id) => ProcessAnalyticsAnswer::One(Box::new(
            s.services
                .process_analytics(&ctx, team_id, id, &filters)
                .await?,
        )),
        None => ProcessAnalyticsAnswer::All(
            s.services
                .process_summaries(&ctx, team_id, &filters)
                .await?,
        ),
    };
    Ok(ok(answer))
}

/// Process mining over a playbook's finished instances: variants with counts and cycle
/// times, the directly-follows graph with frequencies and mean times, service times and cases
/// per day (pm4py's definitions).
#[utoipa::path(get, path = "/v1/teams/{team_id}/analytics/variants", tag = "analytics",
    params(crate::openapi::TeamPath, MiningParams, AnalyticsParams),
    responses((status = 200, description = "Process mining", body = Envelope<ProcessMining>)))]
pub async fn variants(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let filters = query(&q)?;
    let process_id = required_process(&q)?;
    let limit = q.count("limit", 100, MAX_VARIANTS as u32)? as usize;
    Ok(ok(s
        .services
        .process_mining(&ctx, team_id, process_id, &filters, limit)
        .await?))
}

/// Import an IEEE XES event log (plain or gzip, up to 1 GiB, streamed) as the finished history
/// of a playbook (editors): cases become instances, activities steps, and every event is kept.
/// A playbook is discovered from the log's activities unless `process_id` names one. All or
/// nothing: one transaction. (`Idempotency-Key` is not honoured here: the body is not kept.)
#[utoipa::path(post, path = "/v1/teams/{team_id}/analytics/imports", tag = "analytics",
    params(crate::openapi::TeamPath, ImportParams),
    request_body(content = Vec<u8>, description = "An XES document", content_type = "application/xml"),
    responses((status = 201, description = "Imported", body = Envelope<ImportResult>)))]
pub async fn import(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
    body: RawBody,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let options = ImportOptions {
        name: q.text("name")?,
        process_id: q.uuid("process_id")?,
    };
    let too_large = Arc::new(AtomicBool::new(false));
    let mut source = parse_in_background(body.into_data_stream(), too_large.clone());
    let result = s
        .services
        .import_log(&ctx, team_id, options, &mut source)
        .await;
    if too_large.load(Ordering::SeqCst) {
        return Err(Error::Coded {
            code: ErrorCode::PayloadTooLarge,
            message: format!("an event log has at most {IMPORT_MAX_BYTES} bytes"),
            details: None,
        }
        .into());
    }
    let r = result?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/processes/{}", r.playbook_id),
        r,
    ))
}

/// Reads a request body as a blocking reader (for the XES parser, on a blocking thread). It
/// stops when the body passes the size limit, sends nothing for [`IMPORT_IDLE`], or nobody
/// waits for its traces any more.
struct BodyReader {
    stream: BodyDataStream,
    handle: tokio::runtime::Handle,
    chunk: Bytes,
    total: u64,
    too_large: Arc<AtomicBool>,
    traces: mpsc::Sender<Item>,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            if self.traces.is_closed() {
                return Err(std::io::Error::other("the import has stopped"));
            }
            let next = self
                .handle
                .block_on(tokio::time::timeout(IMPORT_IDLE, self.stream.next()))
                .map_err(|_| {
                    std::io::Error::other(format!(
                        "the upload sent nothing for {} s",
                        IMPORT_IDLE.as_secs()
                    ))
                })?;
            match next {
                None => return Ok(0),
                Some(Ok(bytes)) => {
                    self.total += bytes.len() as u64;
                    if self.total > IMPORT_MAX_BYTES {
                        self.too_large.store(true, Ordering::SeqCst);
                        return Err(std::io::Error::other("the body is too large"));
                    }
                    self.chunk = bytes;
                }
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// What the parsing thread hands over: traces, the end of the log, or why the log cannot be
/// read (after the traces before the fault).
enum Item {
    Traces(Vec<XesTrace>),
    End,
    Failed(XesError),
}

/// Traces are handed over in chunks of at least this many events (or the rest of the log)...
const CHUNK_EVENTS: usize = 4096;
/// ...and the parser runs at most this many chunks ahead, so it parses while the importer
/// writes without holding much of the log.
const CHUNKS_AHEAD: usize = 4;

/// Traces parsed on a blocking thread, handed over a bounded channel.
struct ChannelSource {
    chunks: mpsc::Receiver<Item>,
    traces: std::vec::IntoIter<XesTrace>,
    name: Arc<Mutex<Option<String>>>,
}

#[async_trait::async_trait]
impl TraceSource for ChannelSource {
    async fn next_trace(&mut self) -> orgata_core::Result<Option<XesTrace>> {
        loop {
            if let Some(trace) = self.traces.next() {
                return Ok(Some(trace));
            }
            match self.chunks.recv().await {
                Some(Item::Traces(traces)) => self.traces = traces.into_iter(),
                Some(Item::End) => return Ok(None),
                Some(Item::Failed(e)) => return Err(e.into()),
                // The thread ended without saying the log ended: never a partial import.
                None => {
                    return Err(Error::internal(
                        "the event log reader stopped before the end of the log",
                    ))
                }
            }
        }
    }

    fn log_name(&self) -> Option<String> {
        self.name.lock().ok()?.clone()
    }
}

/// Starts parsing `stream` (XES, gzip-compressed or not) on a blocking thread.
fn parse_in_background(stream: BodyDataStream, too_large: Arc<AtomicBool>) -> ChannelSource {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    let name = Arc::new(Mutex::new(None));
    let log_name = name.clone();
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let body = BodyReader {
            stream,
            handle,
            chunk: Bytes::new(),
            total: 0,
            too_large,
            traces: tx.clone(),
        };
        let mut buffered = BufReader::with_capacity(256 * 1024, body);
        let gzip = matches!(buffered.fill_buf(), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
        let input: Box<dyn BufRead> = if gzip {
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        let mut reader = XesReader::new(input);
        let (mut chunk, mut events) = (Vec::new(), 0);
        loop {
            let next = reader.next_trace();
            if let Ok(mut slot) = log_name.lock() {
                if slot.is_none() {
                    *slot = reader.log_name().map(str::to_string);
                }
            }
            let last = match next {
                Ok(Some(trace)) => {
                    // A trace without events still counts, so a chunk stays bounded.
                    events += trace.events.len().max(1);
                    chunk.push(trace);
                    if events < CHUNK_EVENTS {
                        continue;
                    }
                    None
                }
                Ok(None) => Some(Item::End),
                Err(e) => Some(Item::Failed(e)),
            };
            if !chunk.is_empty()
                && tx
                    .blocking_send(Item::Traces(std::mem::take(&mut chunk)))
                    .is_err()
            {
                return;
            }
            events = 0;
            if let Some(last) = last {
                let _ = tx.blocking_send(last);
                return;
            }
        }
    });
    ChannelSource {
        chunks: rx,
        traces: Vec::new().into_iter(),
        name,
    }
}
