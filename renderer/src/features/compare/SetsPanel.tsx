import { useCallback, useEffect, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS_COMPARE, type PromptSet, type PromptSetContent } from '../../../../shared/compare.ts';
import type { ErrorCode } from '../../../../shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { saveFile } from '../conversations/transfer.ts';
import { compareView } from './compare-store.ts';
import { ModelChecklist } from './ModelChecklist.tsx';

/** Prompt sets: run one as a batch across models, import, export, copy and edit. */
export function SetsPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const [sets, setSets] = useState<PromptSet[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [modelIds, setModelIds] = useState<string[]>([]);
  const [editing, setEditing] = useState<PromptSetContent | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);
  const selected = sets.find((set) => set.id === selectedId) ?? sets[0] ?? null;

  const reload = useCallback(() => {
    api.call('compare.sets', {}).then(setSets, fail);
  }, [api]);
  useEffect(reload, [reload]);

  function importFile(event: ChangeEvent<HTMLInputElement>): void {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file === undefined) return;
    setError(null);
    const format = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'json';
    void file.text().then((content) =>
      api.call('compare.importSet', { content, format, name: file.name.replace(/\.(csv|json)$/i, '') }).then((set) => {
        reload();
        setSelectedId(set.id);
      }, fail),
    );
  }

  function save(): void {
    if (selected === null || editing === null) return;
    setError(null);
    api.call('compare.saveSet', { id: selected.builtin ? null : selected.id, set: editing }).then((set) => {
      setEditing(null);
      reload();
      setSelectedId(set.id);
    }, fail);
  }

  return (
    <section className="compare-sets" aria-labelledby="compare-sets-title">
      <header className="compare-run-header">
        <h1 id="compare-sets-title">{t('compare.setsTitle')}</h1>
        <label className="button button-quiet compare-file">
          {t('compare.importSet')}
          <input type="file" accept=".json,.csv,application/json,text/csv" onChange={importFile} data-testid="import-set" />
        </label>
      </header>
      {error !== null && (
        <p className="compare-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
      <div className="compare-set-list" role="list">
        {sets.map((set) => (
          <button key={set.id} type="button" role="listitem" className={`compare-set${set.id === selected?.id ? ' compare-set-selected' : ''}`} onClick={() => (setSelectedId(set.id), setEditing(null))}>
            <strong>{set.name}</strong>
            <span className="muted">{t('compare.setFacts', { count: set.prompts.length, language: set.language })}</span>
          </button>
        ))}
      </div>
      {selected !== null && (
        <div className="compare-set-detail">
          <div className="compare-run-actions">
            <button type="button" className="button button-quiet" onClick={() => api.call('compare.exportSet', { id: selected.id, format: 'json' }).then(saveFile, fail)}>
              {t('compare.exportJson')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => api.call('compare.exportSet', { id: selected.id, format: 'csv' }).then(saveFile, fail)}>
              {t('compare.exportCsv')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setEditing({ name: selected.builtin ? t('compare.copyName', { name: selected.name }) : selected.name, language: selected.language, prompts: selected.prompts })}>
              {selected.builtin ? t('compare.copyToEdit') : t('compare.edit')}
            </button>
            {!selected.builtin && (
              <button type="button" className="button button-quiet" onClick={() => api.call('compare.deleteSet', { id: selected.id }).then(reload, fail)}>
                {t('compare.deleteSet')}
              </button>
            )}
          </div>
          {editing !== null ? (
            <SetEditor value={editing} onChange={setEditing} onSave={save} onCancel={() => setEditing(null)} />
          ) : (
            <ol className="compare-set-prompts">
              {selected.prompts.map((prompt, index) => (
                <li key={index}>
                  <span className="compare-category">{prompt.category}</span> {prompt.prompt}
                </li>
              ))}
            </ol>
          )}
          <ModelChecklist selected={modelIds} onChange={setModelIds} max={LIMITS_COMPARE.maxModels} />
          <button
            type="button"
            className="button button-primary"
            disabled={modelIds.length < LIMITS_COMPARE.minModels}
            onClick={() => api.call('compare.startBatch', { setId: selected.id, modelIds }).then((run) => compareView.open(run.id), fail)}
            data-testid="start-batch"
          >
            {t('compare.runSet', { count: selected.prompts.length * modelIds.length })}
          </button>
        </div>
      )}
    </section>
  );
}

function SetEditor({ value, onChange, onSave, onCancel }: { value: PromptSetContent; onChange(next: PromptSetContent): void; onSave(): void; onCancel(): void }) {
  const { t } = useTranslation();
  const setPrompt = (index: number, patch: Partial<PromptSetContent['prompts'][number]>): void =>
    onChange({ ...value, prompts: value.prompts.map((prompt, at) => (at === index ? { ...prompt, ...patch } : prompt)) });
  return (
    <div className="compare-set-editor">
      <label className="compare-field">
        <span>{t('compare.setName')}</span>
        <input value={value.name} onChange={(event) => onChange({ ...value, name: event.target.value })} />
      </label>
      {value.prompts.map((prompt, index) => (
        <div key={index} className="compare-set-editor-row">
          <input value={prompt.category} onChange={(event) => setPrompt(index, { category: event.target.value })} aria-label={t('compare.category')} />
          <textarea value={prompt.prompt} onChange={(event) => setPrompt(index, { prompt: event.target.value })} rows={2} aria-label={t('compare.prompt')} />
          <button type="button" className="button button-quiet" onClick={() => onChange({ ...value, prompts: value.prompts.filter((_, at) => at !== index) })}>
            {t('compare.removePrompt')}
          </button>
        </div>
      ))}
      <div className="compare-run-actions">
        <button type="button" className="button button-quiet" onClick={() => onChange({ ...value, prompts: [...value.prompts, { category: 'general', prompt: '' }] })}>
          {t('compare.addPrompt')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('compare.cancel')}
        </button>
        <button type="button" className="button button-primary" onClick={onSave}>
          {t('compare.saveSet')}
        </button>
      </div>
    </div>
  );
}
