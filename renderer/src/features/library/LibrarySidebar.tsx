import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/react.tsx';
import { kindOf, type ModelInfo } from '#shared/models.ts';
import { formatBytes } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { ImportForm } from './ImportForm.tsx';
import { PackPanel } from './PackPanel.tsx';
import './library.css';

/** The models installed in the models folder, with where they came from and why one is unusable. */
export function LibrarySidebar() {
  const { t } = useTranslation();
  // Files in the models folder only: a server's models are on the server.
  const models = useAppSelector((s) => s.models.list).filter((model) => model.server === undefined);
  const rescanning = useAppSelector((s) => s.models.rescanning);
  const { rescan } = useActions().models;

  return (
    <section className="models" aria-labelledby="installed-title">
      <header className="models-header">
        <h2 id="installed-title">{t('library.installedTitle')}</h2>
        <button type="button" className="button button-quiet" onClick={() => void rescan()} disabled={rescanning} aria-busy={rescanning} data-testid="library-rescan">
          {rescanning ? t('models.rescanning') : t('models.rescan')}
        </button>
      </header>
      <ImportForm />
      {models.length === 0 ? (
        <p className="muted models-note">{t('library.installedEmpty')}</p>
      ) : (
        <ul className="model-list" aria-label={t('library.installedTitle')}>
          {models.map((model) => (
            <li key={model.id} className="installed" data-testid={`installed-${model.id}`}>
              <InstalledModel model={model} />
            </li>
          ))}
        </ul>
      )}
      <PackPanel />
    </section>
  );
}

function InstalledModel({ model }: { model: ModelInfo }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const {
    refresh,
    error: { showError },
  } = useActions();
  const [confirming, setConfirming] = useState(false);
  /** Where the file is, when the host cannot show it (the web host: the browser may be elsewhere). */
  const [location, setLocation] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const source = model.source === undefined ? 'folder' : model.source.kind;
  const remove = (): void => {
    setConfirming(false);
    api.call('models.delete', { id: model.id }).then(() => refresh(), showError);
  };
  const reveal = (): void => {
    api.call('models.reveal', { id: model.id }).then(({ path, revealed }) => setLocation(revealed ? null : path), showError);
  };
  const copy = (path: string): void => {
    navigator.clipboard.writeText(path).then(() => setCopied(true), showError);
  };
  return (
    <>
      <span className="model-name">{model.name}</span>
      <span className="model-facts">
        {kindOf(model) !== 'chat' && (
          <>
            <span data-testid="installed-kind">{t(`library.kind.${kindOf(model)}`)}</span> ·{' '}
          </>
        )}
        {model.fileName} · {formatBytes(i18n.language, model.sizeBytes)}
        {model.quantization !== null && <> · {model.quantization}</>} · {t(`library.source.${source}`)}
        {model.source?.verified === true && (
          <>
            {' '}
            · <span className="verified">{t('library.verified')}</span>
          </>
        )}
      </span>
      {model.problem !== null && <span className="model-problem">{t(`models.problem.${model.problem.code}`)}</span>}
      {location !== null && (
        <span className="model-location" data-testid="model-location">
          <code className="model-path">{location}</code>{' '}
          <button type="button" className="button button-quiet" onClick={() => copy(location)} data-testid="copy-path">
            {copied ? t('library.pathCopied') : t('library.copyPath')}
          </button>
        </span>
      )}
      {confirming ? (
        <span className="model-delete-confirm" role="group" aria-label={t('modelPacks.deleteConfirm', { name: model.name })}>
          {t('modelPacks.deleteConfirm', { name: model.name })}{' '}
          <button type="button" className="button button-danger" onClick={remove} data-testid="delete-confirm">
            {t('modelPacks.deleteYes')}
          </button>{' '}
          <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
            {t('modelPacks.deleteNo')}
          </button>
        </span>
      ) : (
        <span className="model-actions">
          <button type="button" className="button button-quiet" onClick={reveal} data-testid="reveal-model">
            {t('library.reveal')}
          </button>
          <button type="button" className="button button-quiet model-delete" onClick={() => setConfirming(true)} data-testid="delete-model">
            {t('modelPacks.delete')}
          </button>
        </span>
      )}
    </>
  );
}
