// A credential the API answers with only once (an agent's token, a webhook's signing secret):
// shown in a box that takes focus, with a copy button, until the person says it is stored.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from './ui';

/**
 * The box of a value shown this once: its heading (focused when it appears, so the value is
 * found and read), what to do with it, the value with a copy button and the way out. When the
 * clipboard is refused (permission, insecure origin) the value is selected for a manual copy.
 */
export function ShownOnce({
  title,
  value,
  noun,
  level = 2,
  valueId,
  children,
  actions,
  onDone,
}: {
  /** The heading, which names the box. */
  title: string;
  value: string;
  /** What the value is (`token`, `secret`): for the copy button and its messages. */
  noun: string;
  /** The heading's level where the box is drawn. */
  level?: 2 | 3;
  /** An id for the element holding the value. */
  valueId?: string;
  /** What the value is for and where to keep it. */
  children: ReactNode;
  /** Buttons or links beside “I have stored it”. */
  actions?: ReactNode;
  /** The value is stored: the box goes (and with it the value). */
  onDone: () => void;
}) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const code = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  // whatever had focus (the form that asked for it) is gone: focus comes to the box
  useEffect(() => heading.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      const range = document.createRange();
      if (code.current) range.selectNodeContents(code.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      setCopied('failed');
    }
  };
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-3 rounded-lg border border-amber-400 bg-amber-50 p-4 text-sm">
      <Heading id={headingId} ref={heading} tabIndex={-1} className="text-base font-semibold focus:outline-none">
        {title}
      </Heading>
      {children}
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code id={valueId} ref={code} className="block min-w-0 flex-1 rounded border border-slate-300 bg-white px-3 py-2 font-mono break-all">
          {value}
        </code>
        <Button tone="secondary" className="shrink-0" onClick={() => void copy()}>
          Copy {noun}
        </Button>
      </div>
      <p role="status" className="min-h-5">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? `Could not copy: the ${noun} is selected, press Ctrl+C (⌘C on a Mac).` : ''}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button onClick={onDone}>I have stored it</Button>
        {actions}
      </div>
    </section>
  );
}
