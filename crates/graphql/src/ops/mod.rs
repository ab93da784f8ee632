//! The root fields: one per service operation, each a thin call (arguments → service →
//! typed answer). Grouped as the REST door groups its routes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, InputObject, InputValue, Object, TypeRef};
use futures_util::future::BoxFuture;
use orgata_core::page::Page;
use serde::Serialize;

use crate::call::{connection, gql_error, paged, Call, Connection};
use crate::types::{owned_value, In, Json, Out, Types};

mod admin;
mod analytics;
mod collaboration;
mod execution;
mod processes;
mod teams;

/// What a resolver answers: one value (serialized) or a page.
pub enum Reply {
    Value(Json),
    Page(Connection),
}

/// The result of a resolver.
pub type Answer = async_graphql::Result<Reply>;

/// A service result as a reply.
pub fn one<T: Serialize>(result: orgata_core::Result<T>) -> Answer {
    let value = result.map_err(gql_error)?;
    serde_json::to_value(value)
        .map(Reply::Value)
        .map_err(|e| gql_error(orgata_core::Error::internal(e)))
}

/// A service page as a reply.
pub fn page<T: Serialize>(result: orgata_core::Result<Page<T>>) -> Answer {
    Ok(Reply::Page(connection(result.map_err(gql_error)?)?))
}

/// `{id, deleted: true}`: what removals answer (REST's `Deleted`); `id` is the value of the
/// argument that named the removed record.
pub fn deleted(c: &Call<'_>, id: &str, result: orgata_core::Result<impl Sized>) -> Answer {
    result.map_err(gql_error)?;
    let id = c.required_text(id)?;
    Ok(Reply::Value(
        serde_json::json!({ "id": id, "deleted": true }),
    ))
}

/// An argument of a root field.
#[derive(Clone, Copy)]
pub enum Arg {
    /// A required `ID!`.
    Id(&'static str),
    /// An optional `ID`.
    OptId(&'static str),
    /// A required `String!`.
    Text(&'static str),
    /// An optional `String`.
    OptText(&'static str),
    /// An optional `Int`.
    Int(&'static str),
    /// An optional `Float`.
    Float(&'static str),
    /// A required input object of a component (`input: NewTaskInput!`).
    Input(&'static str, &'static str),
    /// An optional input object of a component.
    OptInput(&'static str, &'static str),
    /// An optional value of a named type made by hand (filters' enums and inputs).
    Named(&'static str, &'static str),
    /// A required value of a named type (`type: AnalyticsType!`).
    Required(&'static str, &'static str),
}

/// What a root field answers.
#[derive(Clone, Copy)]
pub enum Ret {
    /// A component's object (or enum), non-null.
    One(&'static str),
    /// A connection of a component's objects.
    Page(&'static str),
    /// A list of a component's objects.
    List(&'static str),
}

type Resolver = dyn for<'a> Fn(Call<'a>) -> BoxFuture<'a, Answer> + Send + Sync;

/// Builds the Query and Mutation types.
pub struct Root {
    pub types: Types,
    pub query: Object,
    pub mutation: Object,
    /// Node types that need a connection type.
    pub connections: BTreeSet<String>,
    /// Input objects made by hand (filters).
    pub inputs: Vec<InputObject>,
}

impl Root {
    pub fn new(types: Types) -> Self {
        Self {
            types,
            query: Object::new("Query"),
            mutation: Object::new("Mutation"),
            connections: BTreeSet::new(),
            inputs: Vec::new(),
        }
    }

    /// Adds an input object made by hand (a filter).
    pub fn input(&mut self, input: InputObject) {
        self.inputs.push(input);
    }

    /// Adds a query field.
    pub fn query(
        &mut self,
        name: &str,
        ret: Ret,
        args: &[Arg],
        description: &str,
        resolver: impl for<'a> Fn(Call<'a>) -> BoxFuture<'a, Answer> + Send + Sync + 'static,
    ) {
        self.query_with(name, ret, args, [], description, resolver);
    }

    /// Adds a query field with arguments made by hand besides `args`.
    pub fn query_with(
        &mut self,
        name: &str,
        ret: Ret,
        args: &[Arg],
        extra: impl IntoIterator<Item = InputValue>,
        description: &str,
        resolver: impl for<'a> Fn(Call<'a>) -> BoxFuture<'a, Answer> + Send + Sync + 'static,
    ) {
        let mut field = self.field(name, ret, args, description, Arc::new(resolver));
        for value in extra {
            field = field.argument(value);
        }
        self.query = std::mem::replace(&mut self.query, Object::new("Query")).field(field);
    }

    /// Adds a mutation field.
    pub fn mutation(
        &mut self,
        name: &str,
        ret: Ret,
        args: &[Arg],
        description: &str,
        resolver: impl for<'a> Fn(Call<'a>) -> BoxFuture<'a, Answer> + Send + Sync + 'static,
    ) {
        let field = self.field(name, ret, args, description, Arc::new(resolver));
        self.mutation = std::mem::replace(&mut self.mutation, Object::new("Mutation")).field(field);
    }

    fn field(
        &mut self,
        name: &str,
        ret: Ret,
        args: &[Arg],
        description: &str,
        resolver: Arc<Resolver>,
    ) -> Field {
        let (ty, shape) = match ret {
            Ret::One(c) => {
                let (n, shape) = self.types.object(c);
                (TypeRef::named_nn(n), shape)
            }
            Ret::List(c) => {
                let (n, shape) = self.types.object(c);
                (TypeRef::named_nn_list_nn(n), Out::List(Box::new(shape)))
            }
            Ret::Page(c) => {
                let (n, shape) = self.types.object(c);
                self.connections.insert(n.clone());
                (TypeRef::named_nn(format!("{n}Connection")), shape)
            }
        };
        let mut inputs: HashMap<&'static str, In> = HashMap::new();
        let mut values = Vec::new();
        for arg in args {
            let value = match *arg {
                Arg::Id(n) => InputValue::new(n, TypeRef::named_nn(TypeRef::ID)),
                Arg::OptId(n) => InputValue::new(n, TypeRef::named(TypeRef::ID)),
                Arg::Text(n) => InputValue::new(n, TypeRef::named_nn(TypeRef::STRING)),
                Arg::OptText(n) => InputValue::new(n, TypeRef::named(TypeRef::STRING)),
                Arg::Int(n) => InputValue::new(n, TypeRef::named(TypeRef::INT)),
                Arg::Float(n) => InputValue::new(n, TypeRef::named(TypeRef::FLOAT)),
                Arg::Named(n, t) => InputValue::new(n, TypeRef::named(t)),
                Arg::Required(n, t) => InputValue::new(n, TypeRef::named_nn(t)),
                Arg::Input(n, c) | Arg::OptInput(n, c) => {
                    let (t, shape) = self.types.input_object(c);
                    inputs.insert(n, shape);
                    let ty = if matches!(arg, Arg::Input(..)) {
                        TypeRef::named_nn(t)
                    } else {
                        TypeRef::named(t)
                    };
                    InputValue::new(n, ty)
                }
            };
            values.push(value);
        }
        let inputs = Arc::new(inputs);
        let shape = Arc::new(shape);
        let mut field = Field::new(name, ty, move |rc| {
            let resolver = resolver.clone();
            let inputs = inputs.clone();
            let shape = shape.clone();
            FieldFuture::new(async move {
                let call = Call { rc, inputs };
                match resolver(call).await? {
                    Reply::Value(v) => Ok(owned_value(&shape, v)),
                    Reply::Page(c) => Ok(Some(async_graphql::dynamic::FieldValue::owned_any(c))),
                }
            })
        })
        .description(description);
        for v in values {
            field = field.argument(v);
        }
        if matches!(ret, Ret::Page(_)) {
            field = paged(field);
        }
        field
    }
}

/// Every root field of the service layer.
pub fn build(types: Types) -> Root {
    let mut root = Root::new(types);
    teams::fields(&mut root);
    processes::fields(&mut root);
    execution::fields(&mut root);
    collaboration::fields(&mut root);
    analytics::fields(&mut root);
    admin::fields(&mut root);
    root
}

/// Shorthand for a resolver body: `r!(c => { ... })` is a boxed async closure over the call.
#[macro_export]
macro_rules! r {
    ($c:ident => $body:block) => {
        |$c| futures_util::FutureExt::boxed(async move $body)
    };
}
