import { useTranslation } from 'react-i18next';
import './api.css';

const ENDPOINTS = ['GET /v1/models', 'POST /v1/chat/completions', 'POST /v1/completions'] as const;

/** The Local API page's sidebar: what it serves, and where. */
export function LocalApiSidebar() {
  const { t } = useTranslation();
  return (
    <section className="local-api-sidebar" aria-labelledby="local-api-endpoints">
      <h2 id="local-api-endpoints">{t('localApi.endpoints')}</h2>
      <ul>
        {ENDPOINTS.map((endpoint) => (
          <li key={endpoint}>
            <code>{endpoint}</code>
          </li>
        ))}
      </ul>
      <p className="muted">{t('localApi.sidebarNote')}</p>
    </section>
  );
}
