import { useState } from 'react';
import type { DragEvent, FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportResult } from '#shared/imports.ts';
import { useApi } from '../../api/react.tsx';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { pathsFromDrop } from './dropped-paths.ts';

/**
 * Imports a .gguf file or a whole folder (a USB stick) by its path on the computer running
 * Enclave; each header is checked before the file is copied.
 */
export function ImportForm() {
  const { t } = useTranslation();
  const api = useApi();
  const {
    refresh,
    error: { showError },
  } = useActions();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [reference, setReference] = useState(false);
  const [dropRefused, setDropRefused] = useState(false);
  const [dragging, setDragging] = useState(false);
  const desktop = useAppSelector((s) => s.host.info?.host === 'electron');

  const importPaths = async (paths: string[]): Promise<void> => {
    if (paths.length === 0 || busy) return;
    setBusy(true);
    setResult(null);
    setDropRefused(false);
    try {
      setResult(await api.call('models.import', { paths, mode: reference ? 'reference' : 'copy' }));
      await refresh();
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void importPaths([path.trim()].filter((entry) => entry !== ''));
  };
  const pick = (kind: 'files' | 'folder'): void => {
    api.call('models.pickImport', { kind }).then(({ paths }) => importPaths(paths), showError);
  };
  const drop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const pathForFile = api.pathForFile;
    const paths = pathsFromDrop(
      { uriList: event.dataTransfer.getData('text/uri-list'), files: [...event.dataTransfer.files] },
      pathForFile === undefined ? undefined : (file) => pathForFile.call(api, file),
    );
    // A browser hands over file contents, not paths, unless the file manager adds file:// links.
    if (paths.length === 0) setDropRefused(true);
    else void importPaths(paths);
  };

  return (
    <form
      className={`import-form${dragging ? ' import-form-dragging' : ''}`}
      onSubmit={submit}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
      data-testid="import-form"
    >
      <label className="import-label" htmlFor="import-path">
        {t('library.import.label')}
      </label>
      <div className="import-row">
        <input
          id="import-path"
          className="import-path"
          value={path}
          onChange={(event) => setPath(event.target.value)}
          placeholder={t('library.import.placeholder')}
          spellCheck={false}
          data-testid="import-path"
        />
        <button type="submit" className="button button-quiet" disabled={busy || path.trim() === ''} aria-busy={busy} data-testid="import-submit">
          {busy ? t('library.import.busy') : t('library.import.button')}
        </button>
      </div>
      <label className="import-reference">
        <input type="checkbox" checked={reference} onChange={(event) => setReference(event.target.checked)} data-testid="import-reference" />
        {t('modelImport.reference')}
      </label>
      {desktop && (
        <div className="import-row">
          <button type="button" className="button button-quiet" onClick={() => pick('files')} disabled={busy}>
            {t('modelImport.pickFiles')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => pick('folder')} disabled={busy}>
            {t('modelImport.pickFolder')}
          </button>
        </div>
      )}
      <p className="muted import-drop-hint">{t('modelImport.dropHint')}</p>
      {dropRefused && (
        <p className="model-problem" role="status">
          {t('modelImport.dropNoPath')}
        </p>
      )}
      {result !== null && (
        <div className="import-result" role="status" data-testid="import-result">
          <p>{t('library.import.result', { imported: result.imported.length, refused: result.refused.length, skipped: result.skipped.length })}</p>
          {result.refused.length > 0 && (
            <ul className="import-refused">
              {result.refused.map((refusal) => (
                <li key={refusal.path}>
                  <code>{refusal.path.slice(refusal.path.lastIndexOf('/') + 1)}</code>: {t(`models.problem.${refusal.problem.code}`)}
                  <details className="error-details" data-testid="refusal-details">
                    <summary>{t('errorBanner.details')}</summary>
                    {t('errorFacts.technical')}: <code>{refusal.problem.message}</code>
                  </details>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
