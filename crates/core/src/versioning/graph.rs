//! A team's commit graph: ancestry and merge bases.

use std::collections::{HashMap, HashSet};

/// Commits and their parents.
#[derive(Debug, Clone, Default)]
pub struct CommitGraph {
    parents: HashMap<String, Vec<String>>,
}

impl CommitGraph {
    /// The graph of `(commit, parents)` pairs.
    pub fn new(edges: impl IntoIterator<Item = (String, Vec<String>)>) -> Self {
        CommitGraph {
            parents: edges.into_iter().collect(),
        }
    }

    /// `heads` and every commit reachable from them.
    pub fn ancestors<'a>(&self, heads: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut stack: Vec<String> = heads.into_iter().map(str::to_string).collect();
        while let Some(c) = stack.pop() {
            if seen.insert(c.clone()) {
                if let Some(ps) = self.parents.get(&c) {
                    stack.extend(ps.iter().cloned());
                }
            }
        }
        seen
    }

    /// Whether `ancestor` is `of` or reachable from it.
    pub fn is_ancestor(&self, ancestor: &str, of: &str) -> bool {
        self.ancestors([of]).contains(ancestor)
    }

    /// The best common ancestors of two sets of commits: common ancestors that are not
    /// ancestors of another common ancestor. Several in a criss-cross history; sorted, so the
    /// choice never depends on the order anything was read in.
    pub fn merge_bases(&self, a: &[String], b: &[String]) -> Vec<String> {
        let of_a = self.ancestors(a.iter().map(String::as_str));
        let of_b = self.ancestors(b.iter().map(String::as_str));
        let common: HashSet<&String> = of_a.intersection(&of_b).collect();
        let below = self.ancestors(
            common
                .iter()
                .flat_map(|c| self.parents.get(*c).into_iter().flatten())
                .map(String::as_str),
        );
        let mut best: Vec<String> = common
            .into_iter()
            .filter(|c| !below.contains(*c))
            .cloned()
            .collect();
        best.sort();
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> CommitGraph {
        CommitGraph::new(
            edges
                .iter()
                .map(|(c, ps)| (c.to_string(), ps.iter().map(|p| p.to_string()).collect())),
        )
    }

    #[test]
    fn a_criss_cross_history_has_two_merge_bases() {
        // o - a1 - m1 (merges b1)      ours:   m1 - a2
        //   \ b1 - m2 (merges a1)      theirs: m2 - b2
        let g = graph(&[
            ("o", &[]),
            ("a1", &["o"]),
            ("b1", &["o"]),
            ("m1", &["a1", "b1"]),
            ("m2", &["b1", "a1"]),
            ("a2", &["m1"]),
            ("b2", &["m2"]),
        ]);
        assert_eq!(
            g.merge_bases(&["a2".into()], &["b2".into()]),
            vec!["a1".to_string(), "b1".to_string()]
        );
        assert_eq!(
            g.merge_bases(&["a1".into()], &["b1".into()]),
            vec!["o".to_string()]
        );
        assert!(g.is_ancestor("o", "b2"));
        assert!(!g.is_ancestor("a2", "b2"));
        assert_eq!(
            g.merge_bases(&["a2".into()], &["m1".into()]),
            vec!["m1".to_string()]
        );
    }
}
