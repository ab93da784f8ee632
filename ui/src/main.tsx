import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { ApiError } from './api/client';
import { getSession, onSessionChange } from './api/session';
import { router } from './routes';
import './index.css';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // a refusal will not change on retry; a dropped connection may
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

// Another person's data must not outlive their session in this tab (a sign-out here or in
// another tab, a refused refresh, a different sign-in): forget every cached answer.
let signedIn = getSession()?.user.id;
onSessionChange(() => {
  const now = getSession()?.user.id;
  if (now !== signedIn) {
    signedIn = now;
    client.clear();
  }
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
