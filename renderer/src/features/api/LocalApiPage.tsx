import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiRequestCounts } from '#shared/api.ts';
import { MAX_PORT, MIN_USER_PORT, parseUserPort } from '#shared/ports.ts';
import type { SettingsPatch } from '#shared/settings.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import { curlExample, pythonExample } from './examples.ts';
import { useLocalApi } from './use-local-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import './api.css';

const COUNTS: readonly (keyof ApiRequestCounts)[] = ['models', 'chatCompletions', 'completions', 'errors', 'active'];

/** The Local API page: the switch, the port and key, the address, example calls and live counts. */
export function LocalApiPage() {
  const { t } = useTranslation();
  const { settings, status, models, error, update } = useLocalApi();
  const values = settings?.values;
  const enabledLocked = settings?.locked.includes('apiEnabled') ?? false;
  const portLocked = settings?.locked.includes('apiPort') ?? false;

  const usable = models.filter((model) => model.problem === null);
  const example = { baseUrl: status?.url ?? `http://127.0.0.1:${values?.apiPort ?? ''}/v1`, model: usable[0]?.id ?? 'model.gguf', apiKey: values?.apiKey ?? '' };

  return (
    <section className="local-api" aria-labelledby="local-api-title">
      <h1 id="local-api-title">{t('localApi.title')}</h1>
      <p className="muted">{t('localApi.intro')}</p>

      <div className="local-api-card">
        <label className="local-api-switch">
          <input
            type="checkbox"
            role="switch"
            checked={values?.apiEnabled ?? false}
            disabled={settings === null || enabledLocked}
            onChange={(event) => update({ apiEnabled: event.target.checked })}
            data-testid="api-switch"
          />
          <span>{t('localApi.enable')}</span>
        </label>
        {enabledLocked && <p className="muted">{t('localApi.locked')}</p>}
        <p className="local-api-state" data-testid="api-state" data-state={status?.state ?? 'off'}>
          {status?.state === 'listening' && (
            <>
              {t('localApi.listening')} <code data-testid="api-url">{status.url}</code> <CopyButton text={status.url ?? ''} testId="copy-api-url" />
            </>
          )}
          {status?.state === 'failed' && <span className="local-api-error">{t('localApi.failed', { reason: status.error === null ? '' : t(`errors.${status.error.code}`) })}</span>}
          {(status === null || status.state === 'off') && t('localApi.off')}
        </p>
        {values !== undefined && (
          // Keyed by the saved values: a change saved elsewhere starts the form afresh.
          <ApiForm key={`${values.apiPort}:${values.apiKey}`} port={values.apiPort} apiKey={values.apiKey} portLocked={portLocked} onSave={update} />
        )}
        <ErrorNote code={error} />
      </div>

      <div className="local-api-card">
        <h2>{t('localApi.countsTitle')}</h2>
        <dl className="local-api-counts" data-testid="api-counts">
          {COUNTS.map((name) => (
            <div key={name}>
              <dt>{t(`localApi.counts.${name}`)}</dt>
              <dd data-testid={`api-count-${name}`}>{status?.counts[name] ?? 0}</dd>
            </div>
          ))}
        </dl>
      </div>

      <div className="local-api-card">
        <h2>{t('localApi.examplesTitle')}</h2>
        <p className="muted">{t('localApi.examplesIntro')}</p>
        <h3 className="local-api-example-title">
          curl <CopyButton text={curlExample(example)} testId="copy-example-curl" />
        </h3>
        <pre className="local-api-code" data-testid="api-example-curl">
          {curlExample(example)}
        </pre>
        <h3 className="local-api-example-title">
          Python (openai) <CopyButton text={pythonExample(example)} testId="copy-example-python" />
        </h3>
        <pre className="local-api-code" data-testid="api-example-python">
          {pythonExample(example)}
        </pre>
      </div>
    </section>
  );
}

function ApiForm(props: { port: number; apiKey: string; portLocked: boolean; onSave: (patch: SettingsPatch) => void }) {
  const { t } = useTranslation();
  const [port, setPort] = useState(String(props.port));
  const [key, setKey] = useState(props.apiKey);
  const portNumber = parseUserPort(port);
  const portValid = portNumber !== null;
  const dirty = port !== String(props.port) || key !== props.apiKey;

  function save(event: FormEvent): void {
    event.preventDefault();
    if (portNumber !== null) props.onSave({ ...(props.portLocked ? {} : { apiPort: portNumber }), apiKey: key.trim() });
  }

  return (
    <form className="local-api-form" onSubmit={save}>
      <label>
        <span>{t('localApi.port')}</span>
        <input type="number" min={MIN_USER_PORT} max={MAX_PORT} value={port} disabled={props.portLocked} onChange={(event) => setPort(event.target.value)} data-testid="api-port" />
      </label>
      <label>
        <span>{t('localApi.key')}</span>
        <input type="text" autoComplete="off" spellCheck={false} value={key} placeholder={t('localApi.keyPlaceholder')} onChange={(event) => setKey(event.target.value)} data-testid="api-key" />
      </label>
      <button type="submit" className="button button-primary" disabled={!dirty || !portValid} data-testid="api-save">
        {t('localApi.save')}
      </button>
      {!portValid && <p className="local-api-error">{t('localApi.badPort', { min: MIN_USER_PORT, max: MAX_PORT })}</p>}
    </form>
  );
}
