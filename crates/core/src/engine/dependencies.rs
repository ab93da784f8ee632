//! Step ids and dependencies of a playbook, as the contract defines them:
//! - a step id is a slug `^[a-z][a-z0-9_]{0,63}$`, unique within the playbook;
//! - explicit `dependencies` are kept as given (ids of earlier or later steps);
//! - when omitted, a step depends on the step before it in the list — except that a run of
//!   consecutive `parallel` steps all depend on the step before the run, and the step after the
//!   run depends on all of them;
//! - the resulting graph must have no cycle.
//!
//! Saved definitions store the resolved dependencies explicitly.

use std::collections::{HashMap, VecDeque};

use crate::error::FieldError;

/// How a step runs relative to its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionType {
    Sequential,
    Parallel,
    Conditional,
}

/// What dependency resolution needs to know of a step.
#[derive(Debug, Clone)]
pub struct StepLinks<'a> {
    pub id: &'a str,
    pub execution_type: ExecutionType,
    /// `None` when the playbook leaves them implicit.
    pub dependencies: Option<&'a [String]>,
}

/// Whether `id` is a valid step id.
pub fn is_step_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The resolved dependencies of every step (in list order), or every problem found, each with
/// a JSON Pointer into the playbook (`/steps/{i}/…`).
pub fn resolve(steps: &[StepLinks<'_>]) -> Result<Vec<Vec<String>>, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        if !is_step_id(step.id) {
            problems.push(FieldError::new(
                format!("/steps/{i}/id"),
                "invalid_step_id",
                "must match ^[a-z][a-z0-9_]{0,63}$",
            ));
        } else if let Some(first) = index.insert(step.id, i) {
            index.insert(step.id, first);
            problems.push(FieldError::new(
                format!("/steps/{i}/id"),
                "duplicate_step_id",
                format!("step {first} has this id too"),
            ));
        }
    }

    let mut resolved: Vec<Vec<String>> = Vec::with_capacity(steps.len());
    // The steps a following implicit step depends on: the previous step, or a whole parallel run.
    let mut before_run: Vec<String> = Vec::new();
    let mut previous: Vec<String> = Vec::new();
    let mut in_run = false;
    for (i, step) in steps.iter().enumerate() {
        let parallel = step.execution_type == ExecutionType::Parallel;
        if parallel && !in_run {
            before_run = previous.clone();
        }
        let implicit = if parallel {
            before_run.clone()
        } else {
            previous.clone()
        };
        let deps = match step.dependencies {
            Some(explicit) => {
                for (j, dep) in explicit.iter().enumerate() {
                    let at = format!("/steps/{i}/dependencies/{j}");
                    if dep == step.id {
                        problems.push(FieldError::new(
                            at,
                            "self_dependency",
                            "a step cannot depend on itself",
                        ));
                    } else if !index.contains_key(dep.as_str()) {
                        problems.push(FieldError::new(
                            at,
                            "unknown_step",
                            format!("no step has the id {dep:?}"),
                        ));
                    }
                }
                let mut deps = explicit.to_vec();
                deps.sort();
                deps.dedup();
                deps
            }
            None => implicit,
        };
        resolved.push(deps);
        if parallel {
            previous = if in_run { previous } else { Vec::new() };
            previous.push(step.id.to_string());
        } else {
            previous = vec![step.id.to_string()];
        }
        in_run = parallel;
    }

    if problems.is_empty() {
        if let Some(cycle) = find_cycle(steps, &resolved, &index) {
            problems.push(FieldError::new(
                format!("/steps/{}/dependencies", cycle[0]),
                "cycle",
                format!(
                    "the dependencies form a cycle (each depends on the next): {}",
                    cycle
                        .iter()
                        .map(|&i| steps[i].id)
                        .chain(std::iter::once(steps[cycle[0]].id))
                        .collect::<Vec<_>>()
                        .join(" -> ")
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(resolved)
    } else {
        Err(problems)
    }
}

/// The steps in an order where every step comes after its dependencies (Kahn), or `None`
/// when there is a cycle. Ties keep list order.
pub fn topological_order(deps: &[Vec<String>], ids: &[&str]) -> Option<Vec<usize>> {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut indegree = vec![0usize; ids.len()];
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (i, ds) in deps.iter().enumerate() {
        for d in ds {
            let &j = index.get(d.as_str())?;
            indegree[i] += 1;
            dependants[j].push(i);
        }
    }
    let mut ready: VecDeque<usize> = (0..ids.len()).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(ids.len());
    while let Some(i) = ready.pop_front() {
        order.push(i);
        for &k in &dependants[i] {
            indegree[k] -= 1;
            if indegree[k] == 0 {
                ready.push_back(k);
            }
        }
    }
    (order.len() == ids.len()).then_some(order)
}

/// One cycle of the graph as step indices, each depending on the next, if there is any.
fn find_cycle(
    steps: &[StepLinks<'_>],
    resolved: &[Vec<String>],
    index: &HashMap<&str, usize>,
) -> Option<Vec<usize>> {
    // 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; steps.len()];
    let mut path: Vec<usize> = Vec::new();
    fn visit(
        i: usize,
        resolved: &[Vec<String>],
        index: &HashMap<&str, usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[i] = 1;
        path.push(i);
        for dep in &resolved[i] {
            let j = index[dep.as_str()];
            if state[j] == 1 {
                let start = path.iter().position(|&p| p == j).expect("on the path");
                return Some(path[start..].to_vec());
            }
            if state[j] == 0 {
                if let Some(c) = visit(j, resolved, index, state, path) {
                    return Some(c);
                }
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    (0..steps.len()).find_map(|i| {
        if state[i] == 0 {
            visit(i, resolved, index, &mut state, &mut path)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExecutionType::*;

    fn step<'a>(
        id: &'a str,
        execution_type: ExecutionType,
        deps: Option<&'a [String]>,
    ) -> StepLinks<'a> {
        StepLinks {
            id,
            execution_type,
            dependencies: deps,
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sequential_steps_depend_on_the_one_before() {
        let r = resolve(&[
            step("a", Sequential, None),
            step("b", Sequential, None),
            step("c", Conditional, None),
        ])
        .unwrap();
        assert_eq!(r, vec![ids(&[]), ids(&["a"]), ids(&["b"])]);
    }

    #[test]
    fn a_parallel_run_splits_and_joins() {
        let r = resolve(&[
            step("a", Sequential, None),
            step("p1", Parallel, None),
            step("p2", Parallel, None),
            step("p3", Parallel, None),
            step("join", Sequential, None),
            step("end", Sequential, None),
        ])
        .unwrap();
        assert_eq!(
            r,
            vec![
                ids(&[]),
                ids(&["a"]),
                ids(&["a"]),
                ids(&["a"]),
                ids(&["p1", "p2", "p3"]),
                ids(&["join"])
            ]
        );
    }

    #[test]
    fn a_run_at_the_start_has_no_dependencies_and_two_runs_chain() {
        let r = resolve(&[
            step("p1", Parallel, None),
            step("p2", Parallel, None),
            step("m", Sequential, None),
            step("q1", Parallel, None),
            step("q2", Parallel, None),
        ])
        .unwrap();
        assert_eq!(
            r,
            vec![
                ids(&[]),
                ids(&[]),
                ids(&["p1", "p2"]),
                ids(&["m"]),
                ids(&["m"])
            ]
        );
    }

    #[test]
    fn explicit_dependencies_are_kept_and_checked() {
        let later = ids(&["c"]);
        let r = resolve(&[
            step("a", Sequential, None),
            step("b", Sequential, Some(&later)),
            step("c", Sequential, Some(&[])),
        ])
        .unwrap();
        assert_eq!(r, vec![ids(&[]), ids(&["c"]), ids(&[])]);

        let unknown = ids(&["zzz", "b"]);
        let errors = resolve(&[
            step("a", Sequential, None),
            step("b", Sequential, Some(&unknown)),
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].field, "/steps/1/dependencies/0");
        assert_eq!(errors[0].code, "unknown_step");
        assert_eq!(errors[1].code, "self_dependency");
    }

    #[test]
    fn bad_and_duplicate_ids_are_each_named() {
        let errors = resolve(&[
            step("a", Sequential, None),
            step("A b", Sequential, None),
            step("a", Sequential, None),
        ])
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["/steps/1/id", "/steps/2/id"]);
        assert!(is_step_id("review_2"));
        assert!(!is_step_id("2review") && !is_step_id("") && !is_step_id(&"a".repeat(65)));
    }

    #[test]
    fn cycles_are_refused_with_their_path() {
        let on_c = ids(&["c"]);
        let errors = resolve(&[
            step("a", Sequential, Some(&on_c)),
            step("b", Sequential, None),
            step("c", Sequential, None),
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "cycle");
        assert!(
            errors[0].message.contains("a -> c -> b -> a"),
            "{}",
            errors[0].message
        );
    }

    /// Random playbooks: whatever resolves is acyclic, orders topologically, and every implicit
    /// dependency points backwards in the list.
    #[test]
    fn random_playbooks_resolve_to_acyclic_graphs() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..2000 {
            let n = rng.gen_range(0..12);
            let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
            let explicit: Vec<Option<Vec<String>>> = (0..n)
                .map(|_| {
                    (rng.gen_ratio(1, 5)).then(|| {
                        (0..rng.gen_range(0..3))
                            .map(|_| format!("s{}", rng.gen_range(0..n.max(1))))
                            .collect()
                    })
                })
                .collect();
            let types: Vec<ExecutionType> = (0..n)
                .map(|_| [Sequential, Parallel, Conditional][rng.gen_range(0..3)])
                .collect();
            let steps: Vec<StepLinks<'_>> = (0..n)
                .map(|i| StepLinks {
                    id: &names[i],
                    execution_type: types[i],
                    dependencies: explicit[i].as_deref(),
                })
                .collect();
            let id_refs: Vec<&str> = names.iter().map(String::as_str).collect();
            match resolve(&steps) {
                Ok(deps) => {
                    let order =
                        topological_order(&deps, &id_refs).expect("resolved graphs are acyclic");
                    assert_eq!(order.len(), n);
                    for (i, ds) in deps.iter().enumerate() {
                        if explicit[i].is_none() {
                            for d in ds {
                                let j: usize = d[1..].parse().unwrap();
                                assert!(j < i, "implicit dependency {d} of s{i} points forward");
                            }
                        }
                    }
                }
                Err(errors) => {
                    assert!(!errors.is_empty());
                    let has_explicit_problem = errors.iter().any(|e| {
                        matches!(
                            e.code.as_str(),
                            "unknown_step" | "self_dependency" | "cycle"
                        )
                    });
                    assert!(has_explicit_problem, "{errors:?}");
                }
            }
        }
    }
}
