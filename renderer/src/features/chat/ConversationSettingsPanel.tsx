import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_SAMPLING, SAMPLING_FIELDS, type Sampling, type SamplingField } from '#shared/chat.ts';
import { SAMPLING_PRESETS, type ConversationSettings, type SamplingPresetName } from '#shared/conversations.ts';
import { formatNumber } from '../../i18n/format.ts';
import { isUsable } from '../../state/slices/models.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { DefaultSystemPrompt, SpeculativeSetting, useDefaultSystemPrompt } from './DefaultSystemPrompt.tsx';

const PRESET_NAMES = Object.keys(SAMPLING_PRESETS) as SamplingPresetName[];
const NUMBER_FIELDS = Object.entries(SAMPLING_FIELDS) as [SamplingField, (typeof SAMPLING_FIELDS)[SamplingField]][];

/** Per conversation: the model, a system prompt, a sampling preset and its advanced values. */
export function ConversationSettingsPanel() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // Read before the form opens, so a new conversation's form starts from the default prompt.
  useDefaultSystemPrompt();
  return (
    <div className="settings-popover">
      <button type="button" className="button button-quiet" data-testid="conversation-settings" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t('conversationSettings.open')}
      </button>
      {open && <SettingsForm onClose={() => setOpen(false)} />}
    </div>
  );
}

function SettingsForm({ onClose }: { onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const defaultPrompt = useDefaultSystemPrompt();
  const current = useAppSelector((s) => s.chat.conversation?.settings ?? null);
  const selectedModelId = useAppSelector((s) => s.models.selectedId);
  const models = useAppSelector((s) => s.models.list);
  const {
    chat: { updateSettings },
    models: { selectModel },
  } = useActions();
  const [settings, setSettings] = useState<ConversationSettings>(() => current ?? { modelId: selectedModelId, systemPrompt: defaultPrompt, sampling: {} });
  const preset = PRESET_NAMES.find((name) => matches(settings.sampling, SAMPLING_PRESETS[name])) ?? null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (settings.modelId !== null) selectModel(settings.modelId);
    void updateSettings(settings);
    onClose();
  }
  const setSampling = (sampling: Sampling) => setSettings({ ...settings, sampling });

  return (
    <form className="settings-panel" data-testid="settings-panel" onSubmit={onSubmit} aria-label={t('conversationSettings.title')}>
      <label className="field">
        <span>{t('conversationSettings.model')}</span>
        <select value={settings.modelId ?? ''} onChange={(event) => setSettings({ ...settings, modelId: event.target.value === '' ? null : event.target.value })}>
          <option value="">{t('conversationSettings.noModel')}</option>
          {models.filter(isUsable).map((model) => (
            <option key={model.id} value={model.id}>
              {model.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('conversationSettings.systemPrompt')}</span>
        <textarea
          data-testid="system-prompt"
          rows={3}
          value={settings.systemPrompt}
          placeholder={t('conversationSettings.systemPromptPlaceholder')}
          onChange={(event) => setSettings({ ...settings, systemPrompt: event.target.value })}
        />
      </label>
      <DefaultSystemPrompt prompt={settings.systemPrompt} />
      <fieldset className="field">
        <legend>{t('conversationSettings.preset')}</legend>
        <div className="preset-buttons">
          {PRESET_NAMES.map((name) => (
            <button
              key={name}
              type="button"
              className="button button-quiet"
              aria-pressed={preset === name}
              data-testid={`preset-${name}`}
              onClick={() => setSampling({ ...settings.sampling, ...SAMPLING_PRESETS[name] })}
            >
              {t(`conversationSettings.presets.${name}`)}
            </button>
          ))}
        </div>
      </fieldset>
      <SavedPresets sampling={settings.sampling} onApply={setSampling} />
      <details className="field">
        <summary>{t('conversationSettings.advanced')}</summary>
        <div className="advanced-grid">
          {NUMBER_FIELDS.map(([key, field]) => (
            <label key={key} className="field">
              <span>{t(`conversationSettings.fields.${key}`)}</span>
              <input
                type="number"
                step={field.step}
                min={field.min}
                max={field.max}
                data-testid={`sampling-${key}`}
                value={settings.sampling[key] ?? ''}
                placeholder={
                  key in DEFAULT_SAMPLING
                    ? t('conversationSettings.defaultValue', { value: formatNumber(i18n.language, DEFAULT_SAMPLING[key as keyof typeof DEFAULT_SAMPLING]) })
                    : t('conversationSettings.default')
                }
                onChange={(event) => {
                  const value = event.target.value === '' ? Number.NaN : Number(event.target.value);
                  const others = Object.entries(settings.sampling).filter(([other]) => other !== key);
                  if (Number.isFinite(value)) others.push([key, Math.min(field.max, Math.max(field.min, value))]);
                  setSampling(Object.fromEntries(others) as Sampling);
                }}
              />
            </label>
          ))}
        </div>
        <SpeculativeSetting />
      </details>
      <div className="edit-form-bar">
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('messages.cancel')}
        </button>
        <button type="submit" className="button button-primary" data-testid="settings-save">
          {t('conversationSettings.save')}
        </button>
      </div>
    </form>
  );
}

/** The user's own presets: apply one, save the current values under a name, delete one. */
function SavedPresets({ sampling, onApply }: { sampling: Sampling; onApply: (sampling: Sampling) => void }) {
  const { t } = useTranslation();
  const presets = useAppSelector((s) => s.conversations.presets);
  const { savePreset, deletePreset } = useActions().conversations;
  const [name, setName] = useState('');
  return (
    <fieldset className="field">
      <legend>{t('conversationSettings.savedPresets')}</legend>
      {presets.length > 0 && (
        <ul className="saved-presets">
          {presets.map((preset) => (
            <li key={preset.name}>
              <button
                type="button"
                className="button button-quiet"
                data-testid="saved-preset"
                aria-pressed={matches(sampling, preset.sampling) && matches(preset.sampling, sampling)}
                onClick={() => onApply(preset.sampling)}
              >
                {preset.name}
              </button>
              <button type="button" className="icon-button" aria-label={t('conversationSettings.deletePreset', { name: preset.name })} onClick={() => void deletePreset(preset.name)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <span className="preset-save">
        <input
          data-testid="preset-name"
          value={name}
          maxLength={80}
          placeholder={t('conversationSettings.presetName')}
          aria-label={t('conversationSettings.presetName')}
          onChange={(event) => setName(event.target.value)}
        />
        <button
          type="button"
          className="button button-quiet"
          data-testid="save-preset"
          disabled={name.trim() === ''}
          onClick={() => {
            void savePreset({ name: name.trim(), sampling });
            setName('');
          }}
        >
          {t('conversationSettings.savePreset')}
        </button>
      </span>
    </fieldset>
  );
}

function matches(sampling: Sampling, preset: Sampling): boolean {
  return (Object.keys(preset) as (keyof Sampling)[]).every((key) => sampling[key] === preset[key]);
}
