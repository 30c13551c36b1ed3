import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportResult } from '../../../../shared/imports.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';

/**
 * Imports a .gguf file or a whole folder (a USB stick) by its path on the computer running
 * Enclave; each header is checked before the file is copied.
 */
export function ImportForm() {
  const { t } = useTranslation();
  const api = useApi();
  const { refresh, showError } = useActions();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (path.trim() === '' || busy) return;
    setBusy(true);
    setResult(null);
    try {
      setResult(await api.call('models.import', { paths: [path.trim()] }));
      await refresh();
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="import-form" onSubmit={(event) => void submit(event)} data-testid="import-form">
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
      {result !== null && (
        <div className="import-result" role="status" data-testid="import-result">
          <p>{t('library.import.result', { imported: result.imported.length, refused: result.refused.length, skipped: result.skipped.length })}</p>
          {result.refused.length > 0 && (
            <ul className="import-refused">
              {result.refused.map((refusal) => (
                <li key={refusal.path}>
                  <code>{refusal.path.slice(refusal.path.lastIndexOf('/') + 1)}</code>: {t(`models.problem.${refusal.problem.code}`)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
