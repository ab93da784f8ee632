// A webhook's URL, description and event types, for registering one and for changing one.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { focusInvalid } from '../../components/focus';
import { Button, ErrorNote, Field, TextInput, inputClass } from '../../components/ui';
import { EventTypesField, toChosen, toTypes, typesFieldError, typesProblem, type Chosen } from './EventTypes';

export type WebhookDraft = { url: string; description: string; types: Chosen };

export const draftOf = (w?: { url: string; description: string; event_types: string[] }): WebhookDraft => ({
  url: w?.url ?? '',
  description: w?.description ?? '',
  types: toChosen(w?.event_types ?? []),
});

/** What is wrong with a URL before sending it (the server checks it again). */
function urlProblem(url: string): string | undefined {
  if (!url.trim()) return 'Enter the URL that receives the events.';
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Use an http or https URL.';
  } catch {
    return 'Enter a full URL, such as https://example.com/hooks/orgata.';
  }
  return undefined;
}

/**
 * The form; `save` sends `{url, description, event_types}` and its error comes back in `error`
 * (field problems next to their fields). What was typed stays when a request fails.
 */
export function WebhookForm({
  draft,
  setDraft,
  save,
  busy,
  error,
  submitLabel,
  errorTitle,
  extra,
}: {
  draft: WebhookDraft;
  setDraft: (d: WebhookDraft) => void;
  save: (body: { url: string; description: string; event_types: string[] }) => void;
  busy: boolean;
  error: unknown;
  submitLabel: string;
  errorTitle: string;
  extra?: ReactNode;
}) {
  const form = useRef<HTMLFormElement>(null);
  // problems found here are shown once the person tries to send
  const [tried, setTried] = useState(false);
  const sent = useRef<string[]>([]);
  const server = error instanceof ApiError ? error.fields : {};
  const local = { url: urlProblem(draft.url), types: typesProblem(draft.types) };
  const urlError = (tried ? local.url : undefined) ?? server['/url'];
  const typesError = (tried ? local.types : undefined) ?? typesFieldError(server, sent.current);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (local.url || local.types) {
      focusInvalid(form.current);
      return;
    }
    sent.current = toTypes(draft.types);
    save({ url: draft.url.trim(), description: draft.description, event_types: sent.current });
  };
  return (
    <form ref={form} className="flex flex-col gap-3" onSubmit={submit} noValidate>
      <Field label="Endpoint URL" hint="Receives a signed POST for each event." error={urlError}>
        {(p) => (
          <TextInput
            {...p}
            type="url"
            inputMode="url"
            spellCheck={false}
            autoComplete="off"
            maxLength={2000}
            value={draft.url}
            onChange={(e) => setDraft({ ...draft, url: e.target.value })}
          />
        )}
      </Field>
      <Field label="Description (optional)" error={server['/description']}>
        {(p) => (
          <textarea
            {...p}
            className={inputClass}
            rows={2}
            maxLength={2000}
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
        )}
      </Field>
      <EventTypesField value={draft.types} onChange={(types) => setDraft({ ...draft, types })} error={typesError} />
      <ErrorNote error={error} title={errorTitle} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
        {extra}
      </div>
    </form>
  );
}
