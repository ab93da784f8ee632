import { ButtonLink, PageHeader } from '../components/ui';

export function NotFound() {
  return (
    <div>
      <PageHeader title="Page not found" />
      <p className="mb-4 text-slate-700">There is no page at this address.</p>
      <ButtonLink to="/">Go to the dashboard</ButtonLink>
    </div>
  );
}
