// The team's library besides playbooks: documents (forms, templates, contracts, policies,
// procedures, reports) and business rules, each a tab (`?tab=rules`), on a branch (`?ref=`,
// default main), versioned with the playbooks. Editors open "New document" / "New rule".
import { Link, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage, type Schemas } from '../api/client';
import { useTeam } from '../api/team';
import { COMMIT } from '../api/ids';
import { Badge, ButtonLink, Card, Loaded, PageHeader, Pager, when } from '../components/ui';
import { words } from '../components/format';
import { UrlTabs } from '../components/Tabs';
import { RefPicker } from '../components/RefPicker';
import { itemPath } from './library/common';

const PAGE_SIZE = 50;
const TABS = [
  { id: 'documents', label: 'Documents' },
  { id: 'rules', label: 'Business rules' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export default function Library() {
  const { teamId, can } = useTeam();
  const [params, setParams] = useSearchParams();
  const ref = params.get('ref') || 'main';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const tab: Tab = params.get('tab') === 'rules' ? 'rules' : 'documents';

  const choose = (key: string, value: string) => {
    const next = new URLSearchParams(window.location.search);
    if (!value || (key === 'ref' && value === 'main')) next.delete(key);
    else next.set(key, value);
    if (key !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };

  const editor = can('editor') && !COMMIT.test(ref);
  const newPath = `/library/${tab}/new${ref !== 'main' ? `?ref=${encodeURIComponent(ref)}` : ''}`;

  return (
    <div>
      <PageHeader title="Library">
        {editor && (
          <ButtonLink to={newPath} tone="primary">
            {tab === 'documents' ? 'New document' : 'New rule'}
          </ButtonLink>
        )}
      </PageHeader>
      <RefPicker teamId={teamId} value={ref} onChange={(v) => choose('ref', v)} />
      <UrlTabs
        tabs={[...TABS]}
        label="Library sections"
        panel={(t) =>
          teamId &&
          (t.id === 'documents' ? (
            <Documents teamId={teamId} refName={ref} page={page} editor={editor} onPage={(n) => choose('page', String(n))} />
          ) : (
            <Rules teamId={teamId} refName={ref} page={page} editor={editor} onPage={(n) => choose('page', String(n))} />
          ))
        }
      />
    </div>
  );
}

type ListProps = { teamId: string; refName: string; page: number; editor: boolean; onPage: (page: number) => void };
const linkClass = 'font-medium text-indigo-800 underline-offset-2 hover:underline';

function Documents({ teamId, refName, page, editor, onPage }: ListProps) {
  const documents = useQuery({
    queryKey: ['team', teamId, 'documents', refName, { page }],
    queryFn: () =>
      unwrapPage<Schemas['Document']>(
        api.GET('/v1/teams/{team_id}/documents', { params: { path: { team_id: teamId }, query: { ref: refName, page, page_size: PAGE_SIZE } } }),
      ),
    placeholderData: (previous) => previous,
  });
  const pagination = documents.data?.pagination;
  return (
    <Card title={`Documents on ${short(refName)}${pagination ? ` (${pagination.total_count})` : ''}`}>
      <Loaded
        query={documents}
        reserve="min-h-40"
        empty={(d) => (d.items.length ? null : `No documents on ${short(refName)} yet.${editor ? ' Create one with “New document”.' : ''}`)}
      >
        {(d) => (
          <>
            <ul className="divide-y divide-slate-100 sm:hidden">
              {d.items.map((doc) => (
                <li key={doc.id} className="py-2 text-sm">
                  <Link to={itemPath('documents', doc.id, refName)} className={linkClass}>
                    {doc.name}
                  </Link>
                  {doc.description && <p className="line-clamp-2 text-xs text-slate-600">{doc.description}</p>}
                  <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-700">
                    <Badge value={doc.type ?? 'form'} />
                    {doc.category && <span>{doc.category}</span>}
                    {fieldCount(doc.schema) > 0 && <span>{fieldText(doc.schema)}</span>}
                    <span>updated {when(doc.updated_at)}</span>
                  </p>
                </li>
              ))}
            </ul>
            <div className="hidden overflow-x-auto sm:block">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Documents on {short(refName)}</caption>
                <thead>
                  <tr className="border-b border-slate-200 text-slate-700">
                    <th scope="col" className="py-2 pr-3 font-medium">Name</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Type</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Category</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Form</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Compliance</th>
                    <th scope="col" className="py-2 font-medium">Updated</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {d.items.map((doc) => (
                    <tr key={doc.id}>
                      <th scope="row" className="py-2 pr-3 font-normal">
                        <Link to={itemPath('documents', doc.id, refName)} className={linkClass}>
                          {doc.name}
                        </Link>
                        {doc.description && <p className="line-clamp-1 text-xs text-slate-600">{doc.description}</p>}
                      </th>
                      <td className="py-2 pr-3">
                        <Badge value={doc.type ?? 'form'} />
                      </td>
                      <td className="py-2 pr-3">{doc.category || '—'}</td>
                      <td className="py-2 pr-3">{fieldCount(doc.schema) ? fieldText(doc.schema) : '—'}</td>
                      <td className="py-2 pr-3">{doc.compliance_tags?.length ? doc.compliance_tags.join(', ') : '—'}</td>
                      <td className="py-2 whitespace-nowrap">{when(doc.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pagination={pagination} onPage={onPage} label="Pages of documents" />
          </>
        )}
      </Loaded>
    </Card>
  );
}

function Rules({ teamId, refName, page, editor, onPage }: ListProps) {
  const rules = useQuery({
    queryKey: ['team', teamId, 'rules', refName, { page }],
    queryFn: () =>
      unwrapPage<Schemas['BusinessRule']>(
        api.GET('/v1/teams/{team_id}/rules', { params: { path: { team_id: teamId }, query: { ref: refName, page, page_size: PAGE_SIZE } } }),
      ),
    placeholderData: (previous) => previous,
  });
  const pagination = rules.data?.pagination;
  const scope = (r: Schemas['BusinessRule']) => {
    const p = r.conditions?.playbook_ids?.length ?? 0;
    const s = r.conditions?.step_ids?.length ?? 0;
    const playbooks = p ? `${p} playbook${p === 1 ? '' : 's'}` : 'all playbooks';
    return s ? `${playbooks}, ${s} step${s === 1 ? '' : 's'}` : playbooks;
  };
  return (
    <Card title={`Business rules on ${short(refName)}${pagination ? ` (${pagination.total_count})` : ''}`}>
      <Loaded
        query={rules}
        reserve="min-h-40"
        empty={(d) => (d.items.length ? null : `No business rules on ${short(refName)} yet.${editor ? ' Create one with “New rule”.' : ''}`)}
      >
        {(d) => (
          <>
            <ul className="divide-y divide-slate-100 sm:hidden">
              {d.items.map((r) => (
                <li key={r.id} className="py-2 text-sm">
                  <Link to={itemPath('rules', r.id, refName)} className={linkClass}>
                    {r.name}
                  </Link>
                  {r.description && <p className="line-clamp-2 text-xs text-slate-600">{r.description}</p>}
                  <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-700">
                    <Badge value={r.category ?? 'validation'} />
                    <Badge value={r.is_active === false ? 'inactive' : 'active'} />
                    <span>priority {r.priority ?? 0}</span>
                    <span>{scope(r)}</span>
                  </p>
                </li>
              ))}
            </ul>
            <div className="hidden overflow-x-auto sm:block">
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Business rules on {short(refName)}</caption>
                <thead>
                  <tr className="border-b border-slate-200 text-slate-700">
                    <th scope="col" className="py-2 pr-3 font-medium">Name</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Category</th>
                    <th scope="col" className="py-2 pr-3 font-medium">State</th>
                    <th scope="col" className="py-2 pr-3 text-right font-medium">Priority</th>
                    <th scope="col" className="py-2 pr-3 font-medium">Applies to</th>
                    <th scope="col" className="py-2 font-medium">Updated</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {d.items.map((r) => (
                    <tr key={r.id}>
                      <th scope="row" className="py-2 pr-3 font-normal">
                        <Link to={itemPath('rules', r.id, refName)} className={linkClass}>
                          {r.name}
                        </Link>
                        {r.description && <p className="line-clamp-1 text-xs text-slate-600">{r.description}</p>}
                      </th>
                      <td className="py-2 pr-3">{words(r.category ?? 'validation')}</td>
                      <td className="py-2 pr-3">
                        <Badge value={r.is_active === false ? 'inactive' : 'active'} />
                      </td>
                      <td className="py-2 pr-3 text-right tabular-nums">{r.priority ?? 0}</td>
                      <td className="py-2 pr-3">{scope(r)}</td>
                      <td className="py-2 whitespace-nowrap">{when(r.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pagination={pagination} onPage={onPage} label="Pages of rules" />
          </>
        )}
      </Loaded>
    </Card>
  );
}

/** A ref in a heading: a commit by its first characters. */
const short = (ref: string) => (COMMIT.test(ref) ? `commit ${ref.slice(0, 10)}` : ref);

const fieldCount = (schema?: Record<string, unknown>) => {
  const p = schema?.properties;
  return p && typeof p === 'object' ? Object.keys(p).length : 0;
};
const fieldText = (schema?: Record<string, unknown>) => {
  const n = fieldCount(schema);
  return `${n} field${n === 1 ? '' : 's'}`;
};
