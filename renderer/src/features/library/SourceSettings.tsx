import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../../state/react.tsx';

/** Where models come from: the Hugging Face endpoint (or a mirror) and a proxy for company networks. */
export function SourceSettings() {
  const { t } = useTranslation();
  const view = useAppSelector((s) => s.settings.view);
  const {
    error: { showError },
    settings: { load, update },
  } = useActions();
  const [shown, setShown] = useState(view);
  const [endpoint, setEndpoint] = useState(view?.values.hfEndpoint ?? '');
  const [proxy, setProxy] = useState(view?.values.proxy ?? '');
  const [saved, setSaved] = useState(false);
  // Settings read or changed (here or elsewhere): the fields start again from them.
  if (shown !== view) {
    setShown(view);
    setEndpoint(view?.values.hfEndpoint ?? '');
    setProxy(view?.values.proxy ?? '');
  }

  useEffect(() => {
    load().catch(showError);
  }, [load, showError]);

  if (view === null) return null;
  const endpointLocked = view.locked.includes('hfEndpoint');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSaved(false);
    const patch = endpointLocked ? { proxy: proxy.trim() } : { hfEndpoint: endpoint.trim().replace(/\/+$/, ''), proxy: proxy.trim() };
    update(patch).then(() => setSaved(true), showError);
  };

  return (
    <details className="source-settings" data-testid="source-settings">
      <summary>{t('modelSource.title')}</summary>
      <form className="source-form" onSubmit={submit}>
        <label className="source-field">
          <span>{t('modelSource.endpoint')}</span>
          <input type="url" value={endpoint} onChange={(event) => setEndpoint(event.target.value)} disabled={endpointLocked} data-testid="hf-endpoint" />
        </label>
        {endpointLocked && <p className="muted source-note">{t('modelSource.endpointLocked')}</p>}
        <label className="source-field">
          <span>{t('modelSource.proxy')}</span>
          <input type="url" value={proxy} placeholder="http://proxy.example.com:3128" onChange={(event) => setProxy(event.target.value)} data-testid="proxy" />
        </label>
        <p className="muted source-note">{t('modelSource.proxyNote')}</p>
        <div className="source-actions">
          <button type="submit" className="button button-quiet">
            {t('modelSource.save')}
          </button>
          {saved && (
            <span className="muted" role="status">
              {t('modelSource.saved')}
            </span>
          )}
        </div>
      </form>
    </details>
  );
}
