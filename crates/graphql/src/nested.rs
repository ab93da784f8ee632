//! Fields that follow a reference (a task's instance, an instance's tasks and playbook, a
//! team's lists). References are batch-loaded per request: every instance a page of tasks
//! names is read in one query, every task of a page of instances in one query, so a nested
//! query costs a fixed number of reads, not one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, ResolverContext, TypeRef};
use orgata_core::model::{InstanceFilter, TaskFilter};
use orgata_core::page::PageRequest;
use orgata_core::services::{Ctx, Services};
use uuid::Uuid;

use crate::call::{connection, gql_error, paged, Call};
use crate::ops::Root;
use crate::types::{parent, Json};

/// The batch loaders of one request (they read as its caller).
pub struct Loaders {
    services: Arc<Services>,
    ctx: Ctx,
}

impl Loaders {
    /// The loaders of a request by `ctx`.
    pub fn new(services: Arc<Services>, ctx: Ctx) -> DataLoader<Loaders> {
        DataLoader::new(Loaders { services, ctx }, tokio::spawn)
    }
}

/// An instance of a team.
#[derive(Clone, PartialEq, Eq, Hash)]
struct InstanceKey(Uuid, Uuid);

/// The tasks of an instance of a team.
#[derive(Clone, PartialEq, Eq, Hash)]
struct TasksKey(Uuid, Uuid);

/// A playbook of a team at a commit.
#[derive(Clone, PartialEq, Eq, Hash)]
struct PlaybookKey(Uuid, Uuid, String);

fn json<T: serde::Serialize>(value: T) -> Result<Arc<Json>, async_graphql::Error> {
    serde_json::to_value(value)
        .map(Arc::new)
        .map_err(|e| gql_error(orgata_core::Error::internal(e)))
}

/// Groups keys by team: one read per team in the batch.
fn by_team<K>(keys: &[K], team: impl Fn(&K) -> (Uuid, Uuid)) -> HashMap<Uuid, Vec<Uuid>> {
    let mut teams: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for k in keys {
        let (t, id) = team(k);
        teams.entry(t).or_default().push(id);
    }
    teams
}

impl Loader<InstanceKey> for Loaders {
    type Value = Arc<Json>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[InstanceKey],
    ) -> Result<HashMap<InstanceKey, Arc<Json>>, Self::Error> {
        let mut out = HashMap::new();
        for (team, ids) in by_team(keys, |k| (k.0, k.1)) {
            let filter = InstanceFilter {
                ids,
                ..InstanceFilter::default()
            };
            let page = self
                .services
                .list_instances(&self.ctx, team, filter, PageRequest::all())
                .await
                .map_err(gql_error)?;
            for i in page.items {
                out.insert(InstanceKey(team, i.id), json(i)?);
            }
        }
        Ok(out)
    }
}

impl Loader<TasksKey> for Loaders {
    type Value = Vec<Arc<Json>>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[TasksKey],
    ) -> Result<HashMap<TasksKey, Vec<Arc<Json>>>, Self::Error> {
        let mut out: HashMap<TasksKey, Vec<Arc<Json>>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (team, ids) in by_team(keys, |k| (k.0, k.1)) {
            let filter = TaskFilter {
                process_instance_ids: ids,
                ..TaskFilter::default()
            };
            let page = self
                .services
                .list_tasks(&self.ctx, team, filter, PageRequest::all())
                .await
                .map_err(gql_error)?;
            // The list is newest first; an instance's tasks read oldest first.
            for t in page.items.into_iter().rev() {
                if let Some(instance) = t.process_instance_id {
                    out.entry(TasksKey(team, instance))
                        .or_default()
                        .push(json(t)?);
                }
            }
        }
        Ok(out)
    }
}

impl Loader<PlaybookKey> for Loaders {
    type Value = Arc<Json>;
    type Error = async_graphql::Error;

    /// One read per distinct playbook and commit (instances of one playbook share it).
    async fn load(
        &self,
        keys: &[PlaybookKey],
    ) -> Result<HashMap<PlaybookKey, Arc<Json>>, Self::Error> {
        let reads = keys.iter().map(|k| async move {
            let p = self
                .services
                .get_playbook(&self.ctx, k.0, k.1, Some(&k.2))
                .await;
            (k.clone(), p)
        });
        let mut out = HashMap::new();
        for (key, p) in futures_util::future::join_all(reads).await {
            match p {
                Ok(p) => {
                    out.insert(key, json(p)?);
                }
                Err(e) if e.code() == orgata_core::ErrorCode::NotFound => {}
                Err(e) => return Err(gql_error(e)),
            }
        }
        Ok(out)
    }
}

fn uuid_of(value: &Json, key: &str) -> Option<Uuid> {
    value
        .get(key)
        .and_then(Json::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn loader<'a>(ctx: &ResolverContext<'a>) -> async_graphql::Result<&'a DataLoader<Loaders>> {
    ctx.ctx.data::<DataLoader<Loaders>>()
}

/// A team's list as a connection field of `Team`.
fn team_list(
    root: &mut Root,
    name: &str,
    node: &str,
    description: &str,
    list: impl for<'a> Fn(
            Call<'a>,
            Uuid,
        ) -> futures_util::future::BoxFuture<
            'a,
            async_graphql::Result<crate::call::Connection>,
        > + Send
        + Sync
        + 'static,
) {
    let (node_type, _) = root.types.object(node);
    root.connections.insert(node_type.clone());
    let list = Arc::new(list);
    let field = Field::new(
        name,
        TypeRef::named_nn(format!("{node_type}Connection")),
        move |rc| {
            let list = list.clone();
            FieldFuture::new(async move {
                let team = uuid_of(parent(&rc)?, "id")
                    .ok_or_else(|| async_graphql::Error::new("team without id"))?;
                let call = Call {
                    rc,
                    inputs: Default::default(),
                };
                Ok(Some(FieldValue::owned_any(list(call, team).await?)))
            })
        },
    )
    .description(description);
    root.types.extend("Team", paged(field));
}

/// Adds the nested fields to their types.
pub fn fields(root: &mut Root) {
    let (instance_type, _) = root.types.object("ProcessInstance");
    let (task_type, _) = root.types.object("Task");
    let (process_type, _) = root.types.object("Playbook");

    root.types.extend(
        "Task",
        Field::new("processInstance", TypeRef::named(&instance_type), |rc| {
            FieldFuture::new(async move {
                let task = parent(&rc)?;
                let (Some(team), Some(id)) = (
                    uuid_of(task, "team_id"),
                    uuid_of(task, "process_instance_id"),
                ) else {
                    return Ok(None);
                };
                let found = loader(&rc)?.load_one(InstanceKey(team, id)).await?;
                Ok(found.map(FieldValue::owned_any))
            })
        })
        .description("The instance the task belongs to (none for a standalone task)."),
    );

    root.types.extend(
        "ProcessInstance",
        Field::new("tasks", TypeRef::named_nn_list_nn(&task_type), |rc| {
            FieldFuture::new(async move {
                let instance = parent(&rc)?;
                let (Some(team), Some(id)) =
                    (uuid_of(instance, "team_id"), uuid_of(instance, "id"))
                else {
                    return Ok(None);
                };
                let tasks = loader(&rc)?
                    .load_one(TasksKey(team, id))
                    .await?
                    .unwrap_or_default();
                Ok(Some(FieldValue::list(
                    tasks.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description("The instance's tasks, oldest first."),
    );

    root.types.extend(
        "ProcessInstance",
        Field::new("process", TypeRef::named(&process_type), |rc| {
            FieldFuture::new(async move {
                let instance = parent(&rc)?;
                let (Some(team), Some(id)) = (
                    uuid_of(instance, "team_id"),
                    uuid_of(instance, "playbook_id"),
                ) else {
                    return Ok(None);
                };
                let Some(version) = instance.get("playbook_version").and_then(Json::as_str) else {
                    return Ok(None);
                };
                let found = loader(&rc)?
                    .load_one(PlaybookKey(team, id, version.to_string()))
                    .await?;
                Ok(found.map(FieldValue::owned_any))
            })
        })
        .description("The playbook as this instance runs it (at its pinned commit)."),
    );

    team_list(
        root,
        "members",
        "TeamMember",
        "The team's members.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_members(&ctx, team, c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "roles",
        "Role",
        "The team's business roles.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_roles(&ctx, team, c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "processes",
        "Playbook",
        "The team's playbooks on `main`.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_playbooks(&ctx, team, None, c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "processInstances",
        "ProcessInstance",
        "The team's instances, newest first.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_instances(&ctx, team, InstanceFilter::default(), c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "tasks",
        "Task",
        "The team's tasks, newest first.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_tasks(&ctx, team, TaskFilter::default(), c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "branches",
        "Branch",
        "The team's branches.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_branches(&ctx, team, None, c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
    team_list(
        root,
        "changeProposals",
        "ChangeProposal",
        "The team's change proposals, newest first.",
        |c, team| {
            futures_util::FutureExt::boxed(async move {
                let (s, ctx) = c.caller()?;
                connection(
                    s.list_proposals(&ctx, team, None, c.page()?)
                        .await
                        .map_err(gql_error)?,
                )
            })
        },
    );
}
