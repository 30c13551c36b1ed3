import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../../state/react.tsx';
import type { AppState } from '../../state/slice.ts';

/** Whether this window may read the app's settings: known to be the app's own, not a workshop participant's. */
const selectReadsSettings = (s: AppState): boolean => s.host.info !== null && s.host.info.participant === undefined;

/** The app's default system prompt; '' while unknown, and in a workshop participant's window. */
export function useDefaultSystemPrompt(): string {
  const readsSettings = useAppSelector(selectReadsSettings);
  const prompt = useAppSelector((s) => s.settings.view?.values.defaultSystemPrompt ?? '');
  const {
    error: { showError },
    settings: { load },
  } = useActions();
  useEffect(() => {
    if (readsSettings) load().catch(showError);
  }, [readsSettings, load, showError]);
  return readsSettings ? prompt : '';
}

/** The app-wide speculative decoding setting, saved as soon as it changes; nothing in a workshop participant's window. */
export function SpeculativeSetting() {
  const { t } = useTranslation();
  const readsSettings = useAppSelector(selectReadsSettings);
  const enabled = useAppSelector((s) => s.settings.view?.values.speculativeDecoding ?? null);
  const {
    error: { showError },
    settings: { update },
  } = useActions();
  if (!readsSettings || enabled === null) return null;
  return (
    <label className="field field-check">
      <span>
        <input type="checkbox" data-testid="speculative-decoding" checked={enabled} onChange={(event) => update({ speculativeDecoding: event.target.checked }).catch(showError)} />{' '}
        {t('conversationSettings.speculative')}
      </span>
      <small className="muted">{t('conversationSettings.speculativeHint')}</small>
    </label>
  );
}

/** Under the conversation's system prompt: the app's default for new conversations, and a button that makes `prompt` the default. */
export function DefaultSystemPrompt({ prompt }: { prompt: string }) {
  const { t } = useTranslation();
  const readsSettings = useAppSelector(selectReadsSettings);
  const current = useDefaultSystemPrompt();
  const {
    error: { showError },
    settings: { update },
  } = useActions();
  const [saving, setSaving] = useState(false);
  if (!readsSettings) return null;
  const next = prompt.trim();
  return (
    <div className="default-prompt" data-testid="default-prompt">
      <p className="muted default-prompt-value" data-testid="default-prompt-value" title={current}>
        {current === '' ? t('conversationSettings.noDefaultPrompt') : t('conversationSettings.defaultPrompt', { prompt: current })}
      </p>
      <button
        type="button"
        className="link-button"
        data-testid="default-prompt-save"
        disabled={saving || next === current}
        onClick={() => {
          setSaving(true);
          update({ defaultSystemPrompt: next })
            .catch(showError)
            .finally(() => setSaving(false));
        }}
      >
        {next === '' ? t('conversationSettings.clearDefaultPrompt') : t('conversationSettings.useAsDefaultPrompt')}
      </button>
    </div>
  );
}
