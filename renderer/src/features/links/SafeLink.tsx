/**
 * A link from untrusted text (model output). Only https links to public hosts are clickable, and
 * a click first shows the full address and the host; the link opens in the system browser (desktop)
 * or a new tab without opener (web host) only after the user confirms. Anything else stays text.
 */
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { checkExternalLink, type LinkRefusal } from '#shared/links.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import './links.css';

export function SafeLink({ href, children }: { href: string | undefined; children: ReactNode }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const check = checkExternalLink(href ?? '');
  if (!check.safe) {
    return (
      <span className="safe-link-refused" data-testid="safe-link" data-safe="false" title={t(`links.refused.${check.reason satisfies LinkRefusal}`)}>
        {children}
        {href !== undefined && href !== '' && <span className="safe-link-url"> ({href})</span>}
      </span>
    );
  }
  return (
    <>
      <button type="button" className="safe-link" data-testid="safe-link" data-safe="true" title={check.href} onClick={() => setConfirming(true)}>
        {children}
      </button>
      {confirming && <ConfirmOpen href={check.href} host={check.host} onClose={() => setConfirming(false)} />}
    </>
  );
}

function ConfirmOpen({ href, host, onClose }: { href: string; host: string; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    cancelRef.current?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  async function open(): Promise<void> {
    try {
      const { opened } = await api.call('links.open', { url: href });
      // The web host opens nothing on its own machine: this browser does, without giving the page a handle back.
      if (!opened) window.open(href, '_blank', 'noopener,noreferrer');
      onClose();
    } catch (caught) {
      setError(t(`errors.${toEnclaveError(caught).code}`));
    }
  }

  return createPortal(
    <div className="link-confirm-backdrop" onClick={onClose}>
      <div className="link-confirm" role="dialog" aria-modal="true" aria-labelledby="link-confirm-title" data-testid="link-confirm" onClick={(event) => event.stopPropagation()}>
        <h2 id="link-confirm-title">{t('links.confirmTitle')}</h2>
        <p>{t('links.confirmBody')}</p>
        <p className="link-confirm-host">
          {t('links.site')} <strong data-testid="link-confirm-host">{host}</strong>
        </p>
        <code className="link-confirm-url" data-testid="link-confirm-url">
          {href}
        </code>
        {error !== null && (
          <p className="link-confirm-error" role="alert">
            {error}
          </p>
        )}
        <div className="link-confirm-actions">
          <button type="button" className="button button-quiet" ref={cancelRef} onClick={onClose}>
            {t('links.cancel')}
          </button>
          <button type="button" className="button button-primary" data-testid="link-confirm-open" onClick={() => void open()}>
            {t('links.open')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
