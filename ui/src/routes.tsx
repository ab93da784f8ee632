// Every page of the app. Sign-in and the dashboard load with the app; every other page is its
// own chunk, fetched on first visit. The first path segments are listed in crates/web (PAGES).
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Layout } from './components/Layout';
import { SignIn } from './pages/SignIn';
import { Register } from './pages/Register';
import { Dashboard } from './pages/Dashboard';
import { NotFound } from './pages/NotFound';

const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

export const routes: RouteObject[] = [
  { path: '/login', Component: SignIn },
  { path: '/register', Component: Register },
  {
    Component: Layout,
    // shown while a page's code loads on the first visit
    HydrateFallback: () => <p role="status">Loading…</p>,
    children: [
      { index: true, Component: Dashboard },
      { path: 'teams/new', lazy: page(() => import('./pages/NewTeam')) },
      { path: 'tasks', lazy: page(() => import('./pages/Inbox')) },
      { path: 'tasks/:taskId', lazy: page(() => import('./pages/TaskPage')) },
      { path: 'playbooks', lazy: page(() => import('./pages/Playbooks')) },
      { path: 'playbooks/:playbookId', lazy: page(() => import('./pages/PlaybookPage')) },
      { path: 'processes', lazy: page(() => import('./pages/Monitor')) },
      { path: 'processes/:instanceId', lazy: page(() => import('./pages/InstancePage')) },
      { path: 'proposals', lazy: page(() => import('./pages/Proposals')) },
      { path: 'proposals/:proposalId', lazy: page(() => import('./pages/ProposalPage')) },
      { path: 'analytics', lazy: page(() => import('./pages/Analytics')) },
      { path: 'branches/:name', lazy: page(() => import('./pages/BranchPage')) },
      { path: 'library', lazy: page(() => import('./pages/Library')) },
      { path: 'library/documents/:documentId', lazy: page(() => import('./pages/library/DocumentPage')) },
      { path: 'library/rules/:ruleId', lazy: page(() => import('./pages/library/RulePage')) },
      { path: 'integrations', lazy: page(() => import('./pages/Integrations')) },
      { path: 'integrations/webhooks/:webhookId', lazy: page(() => import('./pages/integrations/WebhookPage')) },
      { path: 'audit', lazy: page(() => import('./pages/Audit')) },
      { path: 'settings/profile', lazy: page(() => import('./pages/Profile')) },
      { path: 'settings/team', lazy: page(() => import('./pages/TeamSettings')) },
      { path: '*', Component: NotFound },
    ],
  },
];

export const router = createBrowserRouter(routes);
