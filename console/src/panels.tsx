// Dialogs shared by the settings pages (a side panel, a confirmation) and field errors shown next to their field.
import { useEffect, useId, useRef } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent, ReactNode, RefObject } from 'react';
import { ApiError } from './api';

/**
 * A validation error's problems by field ("linking.terms_url: must be an http(s) URL; ..."), in words, for display
 * next to each field.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return {};
  const out: Record<string, string> = {};
  for (const part of error.message.split('; ')) {
    const at = part.indexOf(': ');
    if (at <= 0) continue;
    const field = part.slice(0, at);
    const text = part.slice(at + 2);
    out[field] = text.charAt(0).toUpperCase() + text.slice(1);
  }
  return out;
}

/** A problem shown under its field, in words; the field points to it with aria-describedby. */
export function FieldError({ id, text }: { id: string; text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="error-text" id={id} data-testid="field-error">
      {text}
    </p>
  );
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** Keeps Tab inside a dialog, and closes it with Escape. */
function trapKeys(e: ReactKeyboardEvent<HTMLElement>, root: RefObject<HTMLElement | null>, onClose: () => void) {
  if (e.key === 'Escape') {
    e.stopPropagation();
    onClose();
    return;
  }
  if (e.key !== 'Tab' || !root.current) return;
  const items = [...root.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
  if (!items.length) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/** A side panel dialog: focus moves into it, Tab stays inside, Escape or the backdrop closes it. */
export function SidePanel({ titleId, onClose, children, testid }: { titleId: string; onClose: () => void; children: ReactNode; testid?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>(`#${CSS.escape(titleId)}`);
    first?.focus();
  }, [titleId]);
  return (
    <div className="panel-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} className="side-panel" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testid} onKeyDown={(e) => trapKeys(e, ref, onClose)}>
        {children}
      </div>
    </div>
  );
}

/** A confirmation dialog (alertdialog): Cancel has the focus; Escape cancels. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy, testid }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean; testid?: string }) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="panel-backdrop confirm-backdrop">
      <div ref={ref} className="confirm-dialog card" role="alertdialog" aria-modal="true" aria-labelledby={`${id}-t`} aria-describedby={`${id}-d`} data-testid={testid} onKeyDown={(e) => trapKeys(e, ref, onCancel)}>
        <h2 id={`${id}-t`}>{title}</h2>
        <div id={`${id}-d`}>{children}</div>
        <div className="actions">
          <button type="button" className="danger" onClick={onConfirm} disabled={busy} data-testid={testid ? `${testid}-yes` : undefined}>
            {confirmLabel}
          </button>
          <button type="button" ref={cancel} onClick={onCancel} data-testid={testid ? `${testid}-no` : undefined}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

