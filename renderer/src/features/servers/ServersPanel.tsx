import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isErrorCode, toErrorPayload, type ErrorCode } from '#shared/errors.ts';
import type { ServerView } from '#shared/servers.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatInteger } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import type { ServerTest } from '../../state/slices/servers.ts';
import './servers.css';

/** Inference servers on the team's network: the list, each one's connection test, and the form that adds one. */
export function ServersPanel() {
  const { t } = useTranslation();
  const list = useAppSelector((s) => s.servers.list);
  const tests = useAppSelector((s) => s.servers.tests);
  const {
    error: { showError },
    servers: { load },
  } = useActions();

  useEffect(() => {
    load().catch(showError);
  }, [load, showError]);

  return (
    <details className="servers-panel" data-testid="servers-panel" data-state={list === null ? 'loading' : 'ready'} open={list !== null && list.length > 0 ? true : undefined}>
      <summary>{t('servers.title')}</summary>
      <p className="muted servers-note">{t('servers.intro')}</p>
      {list !== null && list.length > 0 && (
        <ul className="servers-list" aria-label={t('servers.listLabel')}>
          {list.map((server) => (
            <ServerItem key={server.id} server={server} test={tests[server.id]} />
          ))}
        </ul>
      )}
      <AddServerForm />
    </details>
  );
}

function ServerItem({ server, test }: { server: ServerView; test: ServerTest | undefined }) {
  const { t, i18n } = useTranslation();
  const {
    error: { showError },
    servers: { remove, test: runTest },
  } = useActions();
  return (
    <li className="server-item" data-testid="server-item" data-server={server.id}>
      <div className="server-head">
        <strong className="server-name">{server.name}</strong>
        <span className="muted server-url">{server.baseUrl}</span>
      </div>
      <div className="server-tags">
        <span className={`server-tag server-address-${server.address}`}>{t(`servers.address.${server.address}`)}</span>
        {server.hasKey && <span className="server-tag">{t('servers.hasKey')}</span>}
        {server.hasCertificate && <span className="server-tag">{t('servers.hasCertificate')}</span>}
        {server.fromEnvironment && <span className="server-tag server-locked">{t('servers.locked')}</span>}
      </div>
      <div className="server-actions">
        <button type="button" className="button button-quiet" disabled={test?.state === 'testing'} onClick={() => void runTest(server.id)} data-testid="server-test">
          {t('servers.test')}
        </button>
        {!server.fromEnvironment && (
          <button type="button" className="button button-quiet" onClick={() => remove(server.id).catch(showError)} data-testid="server-remove">
            {t('servers.remove')}
          </button>
        )}
      </div>
      {test?.state === 'testing' && (
        <p className="muted server-result" role="status">
          {t('servers.testing')}
        </p>
      )}
      {test?.state === 'ok' && (
        <div className="server-result" role="status" data-testid="server-models">
          <p>
            {t('servers.connected', {
              count: test.result.models.length,
              value: formatInteger(i18n.language, test.result.models.length),
              milliseconds: formatInteger(i18n.language, test.result.milliseconds),
            })}{' '}
            <span data-testid="server-capacity">{t(test.result.capacityReported ? 'servers.capacityReported' : 'servers.capacityDefault', { count: test.result.capacity })}</span>
          </p>
          <ul className="server-models">
            {test.result.models.map((model) => (
              <li key={model.id}>{model.id}</li>
            ))}
          </ul>
        </div>
      )}
      {test?.state === 'failed' && <ErrorNote code={isErrorCode(test.error.code) ? test.error.code : 'INTERNAL'} />}
      {server.fromEnvironment && <p className="muted servers-note">{t('servers.lockedNote')}</p>}
    </li>
  );
}

function AddServerForm() {
  const { t } = useTranslation();
  const {
    servers: { add },
  } = useActions();
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [caCertificate, setCaCertificate] = useState('');
  const [refusal, setRefusal] = useState<ErrorCode | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (confirmPublic: boolean): void => {
    setBusy(true);
    add({ baseUrl: baseUrl.trim(), apiKey, caCertificate, confirmPublic }).then(
      () => {
        setBaseUrl('');
        setApiKey('');
        setCaCertificate('');
        setRefusal(null);
        setBusy(false);
      },
      (error: unknown) => {
        const { code } = toErrorPayload(error);
        setRefusal(isErrorCode(code) ? code : 'INTERNAL');
        setBusy(false);
      },
    );
  };
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    submit(false);
  };

  return (
    <form className="servers-form" onSubmit={onSubmit} aria-label={t('servers.addTitle')}>
      <h3 className="servers-form-title">{t('servers.addTitle')}</h3>
      <label className="servers-field">
        <span>{t('servers.baseUrl')}</span>
        <input type="url" required value={baseUrl} placeholder="http://192.168.1.20:8080" onChange={(event) => setBaseUrl(event.target.value)} data-testid="server-url" />
      </label>
      <label className="servers-field">
        <span>{t('servers.apiKey')}</span>
        <input type="password" autoComplete="off" value={apiKey} onChange={(event) => setApiKey(event.target.value)} data-testid="server-key" />
      </label>
      <label className="servers-field">
        <span>{t('servers.caCertificate')}</span>
        <textarea rows={3} value={caCertificate} placeholder="-----BEGIN CERTIFICATE-----" onChange={(event) => setCaCertificate(event.target.value)} data-testid="server-ca" />
      </label>
      <p className="muted servers-note">{t('servers.keyNote')}</p>
      {refusal === 'SERVER_PUBLIC_ADDRESS' ? (
        <div className="servers-public" role="alert" data-testid="server-public-warning">
          <p>{t('servers.publicWarning', { address: baseUrl.trim() })}</p>
          <div className="servers-actions">
            <button type="button" className="button button-danger" disabled={busy} onClick={() => submit(true)} data-testid="server-confirm-public">
              {t('servers.confirmPublic')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setRefusal(null)}>
              {t('servers.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <>
          <ErrorNote code={refusal} />
          <div className="servers-actions">
            <button type="submit" className="button button-quiet" disabled={busy} data-testid="server-add">
              {t('servers.add')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
