// Identifiers in the app's addresses: commit ids, and the link to a playbook on a ref.

/** A commit id (a ref that names one version rather than a branch). */
export const COMMIT = /^[0-9a-f]{64}$/;

/** Link to a playbook on a ref (the ref is left out for main). */
export const playbookPath = (id: string, ref: string) => `/playbooks/${id}${ref && ref !== 'main' ? `?ref=${encodeURIComponent(ref)}` : ''}`;
