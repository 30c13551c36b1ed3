/**
 * A source opened in its document: the file's text page by page, read from its stored passages a
 * window at a time, scrolled to the cited passage and marked. The text is data: shown as plain
 * text, nothing rendered as Markdown, no link, nothing loaded. A dialog: focus moves into it,
 * Tab stays inside, Escape closes, and focus goes back to the source that opened it.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { AnswerSource } from '#shared/chat.ts';
import type { DocumentPassage, DocumentWindow } from '#shared/documents.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { LIMITS_DOCUMENTS } from '#shared/documents.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';

type Shown =
  { kind: 'loading' } | { kind: 'gone' } | { kind: 'failed'; code: ErrorCode } | { kind: 'shown'; fileName: string; target: number | null; passages: DocumentPassage[]; more: DocumentWindow['more'] };

/** The quote sent to find the passage: its start is enough, and keeps the call small. */
const QUOTE_CHARS = 400;

export function DocumentView({ source, onClose }: { source: AnswerSource; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [shown, setShown] = useState<Shown>({ kind: 'loading' });
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const scrolled = useRef(false);
  /** The text's height before earlier pages are added above it. */
  const heightBeforePrepend = useRef<number | null>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    api.call('documents.passages', { fileId: source.fileId, page: source.page, quote: source.passage.slice(0, Math.min(QUOTE_CHARS, LIMITS_DOCUMENTS.maxQuoteChars)) }).then(
      (window) => live && setShown({ kind: 'shown', fileName: window.file.name, target: window.target, passages: window.passages, more: window.more }),
      (error: unknown) => {
        if (!live) return;
        const code = toEnclaveError(error).code;
        setShown(code === 'NOT_FOUND' ? { kind: 'gone' } : { kind: 'failed', code });
      },
    );
    return () => {
      live = false;
    };
  }, [api, source]);

  // Escape closes wherever the focus is (a button that read on may have gone with its last page),
  // first and only: it does not also stop an answer being written (the composer's Escape).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);

  // Focus stays in the dialog: when the control that had it is gone, the text takes it.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog !== null && !dialog.contains(document.activeElement)) dialog.querySelector<HTMLElement>('.document-view-body')?.focus();
  }, [shown]);

  // Earlier pages added above: the text being read stays where it was on screen.
  useLayoutEffect(() => {
    const body = bodyRef.current;
    const before = heightBeforePrepend.current;
    if (body === null || before === null) return;
    heightBeforePrepend.current = null;
    body.scrollTop += body.scrollHeight - before;
  }, [shown]);

  useLayoutEffect(() => {
    if (shown.kind !== 'shown' || scrolled.current) return;
    const cited = dialogRef.current?.querySelector('[data-cited="true"]');
    if (cited === null || cited === undefined) return;
    cited.scrollIntoView({ block: 'center' });
    scrolled.current = true;
  }, [shown]);

  const readOn = useCallback(
    (direction: 'before' | 'after') => {
      if (shown.kind !== 'shown') return;
      const edge = direction === 'before' ? (shown.passages[0]?.position ?? 0) - LIMITS_DOCUMENTS.windowRadius - 1 : (shown.passages.at(-1)?.position ?? 0) + LIMITS_DOCUMENTS.windowRadius + 1;
      api.call('documents.passages', { fileId: source.fileId, position: Math.max(0, edge) }).then(
        (window) => {
          if (direction === 'before') heightBeforePrepend.current = bodyRef.current?.scrollHeight ?? null;
          setShown((current) => {
            if (current.kind !== 'shown') return current;
            const known = new Set(current.passages.map((passage) => passage.position));
            const added = window.passages.filter((passage) => !known.has(passage.position));
            const passages = [...current.passages, ...added].sort((a, b) => a.position - b.position);
            const more = direction === 'before' ? { ...current.more, before: window.more.before } : { ...current.more, after: window.more.after };
            return { ...current, passages, more };
          });
        },
        (error: unknown) => setShown({ kind: 'failed', code: toEnclaveError(error).code }),
      );
    },
    [api, shown, source.fileId],
  );

  function onKeyDown(event: React.KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    // Tab stays in the dialog: from its last control to its first, and back.
    const focusable = [...(dialogRef.current?.querySelectorAll<HTMLElement>('button, [tabindex="0"]') ?? [])];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  const where = [source.page === null ? null : t('documents.view.page', { page: source.page }), source.heading === '' ? null : source.heading].filter((part) => part !== null).join(' · ');
  return createPortal(
    <div className="document-view-backdrop" onClick={onClose}>
      <div
        className="document-view"
        role="dialog"
        aria-modal="true"
        aria-labelledby="document-view-title"
        data-testid="document-view"
        ref={dialogRef}
        onKeyDown={onKeyDown}
        onClick={(event) => event.stopPropagation()}
      >
        <header className="document-view-header">
          <div>
            <h2 id="document-view-title">{shown.kind === 'shown' ? shown.fileName : source.fileName}</h2>
            <p className="muted">{t('documents.view.cited', { n: source.n, where: where === '' ? t('documents.view.noPage') : where })}</p>
          </div>
          <button type="button" className="button button-quiet" ref={closeRef} onClick={onClose} data-testid="document-view-close">
            {t('documents.view.close')}
          </button>
        </header>
        <div className="document-view-body" data-testid="document-view-body" tabIndex={0} ref={bodyRef} aria-label={t('documents.view.text')}>
          {shown.kind === 'loading' && <p className="muted">{t('documents.view.loading')}</p>}
          {shown.kind === 'failed' && (
            <p className="document-view-note" role="alert">
              {t(`errors.${shown.code}`)}
            </p>
          )}
          {shown.kind === 'gone' && (
            <>
              <p className="document-view-note" role="status" data-testid="document-view-gone">
                {t('documents.view.gone')}
              </p>
              <blockquote className="answer-source-passage" data-testid="document-view-quote">
                {source.passage}
              </blockquote>
            </>
          )}
          {shown.kind === 'shown' && (
            <>
              {shown.target === null && (
                <p className="document-view-note" role="status">
                  {t('documents.view.changed')}
                </p>
              )}
              {shown.more.before && (
                <button type="button" className="button button-quiet document-view-more" onClick={() => readOn('before')} data-testid="document-view-before">
                  {t('documents.view.before')}
                </button>
              )}
              <Pages passages={shown.passages} target={shown.target} />
              {shown.more.after && (
                <button type="button" className="button button-quiet document-view-more" onClick={() => readOn('after')} data-testid="document-view-after">
                  {t('documents.view.after')}
                </button>
              )}
            </>
          )}
        </div>
      </div>
    </div>,
    document.body,
  );
}

/** The passages grouped by page, each page under its heading ("Page 3"); a file without pages is one run of text. */
function Pages({ passages, target }: { passages: readonly DocumentPassage[]; target: number | null }) {
  const { t } = useTranslation();
  const groups: { page: number | null; passages: DocumentPassage[] }[] = [];
  for (const passage of passages) {
    const last = groups.at(-1);
    if (last !== undefined && last.page === passage.page) last.passages.push(passage);
    else groups.push({ page: passage.page, passages: [passage] });
  }
  return (
    <>
      {groups.map((group) => (
        <section key={group.passages[0]?.position} className="document-view-page" data-testid="document-view-page" data-page={group.page ?? ''}>
          {group.page !== null && <h3>{t('documents.view.page', { page: group.page })}</h3>}
          {group.passages.map((passage, index) => {
            const headingChanged = passage.heading !== '' && passage.heading !== (group.passages[index - 1]?.heading ?? '');
            const cited = passage.position === target;
            return (
              <div key={passage.position}>
                {headingChanged && <p className="document-view-heading">{passage.heading}</p>}
                <p className={cited ? 'document-view-passage is-cited' : 'document-view-passage'} data-cited={cited} data-testid={cited ? 'document-view-cited' : undefined}>
                  {cited && <span className="visually-hidden">{t('documents.view.citedMark')}</span>}
                  {passage.text}
                </p>
              </div>
            );
          })}
        </section>
      ))}
    </>
  );
}
