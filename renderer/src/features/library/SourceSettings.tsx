import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../shared/settings.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';

/** Where models come from: the Hugging Face endpoint (or a mirror) and a proxy for company networks. */
export function SourceSettings() {
  const { t } = useTranslation();
  const api = useApi();
  const { showError } = useActions();
  const [view, setView] = useState<SettingsView | null>(null);
  const [endpoint, setEndpoint] = useState('');
  const [proxy, setProxy] = useState('');
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const apply = (next: SettingsView): void => {
      setView(next);
      setEndpoint(next.values.hfEndpoint);
      setProxy(next.values.proxy);
    };
    api.call('settings.get', {}).then(apply, showError);
    return api.on('settings.changed', apply);
  }, [api, showError]);

  if (view === null) return null;
  const endpointLocked = view.locked.includes('hfEndpoint');
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setSaved(false);
    const patch = endpointLocked ? { proxy: proxy.trim() } : { hfEndpoint: endpoint.trim().replace(/\/+$/, ''), proxy: proxy.trim() };
    api.call('settings.update', patch).then(() => setSaved(true), showError);
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
          {saved && <span className="muted" role="status">{t('modelSource.saved')}</span>}
        </div>
      </form>
    </details>
  );
}
