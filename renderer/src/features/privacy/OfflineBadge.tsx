import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { hashFor } from '../../app/routes.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import './privacy.css';

/**
 * "Offline" in the shell, on every page, while Offline mode is on; it links to the Privacy page
 * where it is switched. A workshop participant may not read the host's settings: nothing shows.
 */
export function OfflineBadge() {
  const { t } = useTranslation();
  const trainer = useAppSelector((s) => s.host.info !== null && s.host.info.participant === undefined);
  const offline = useAppSelector((s) => s.settings.view?.values.offline === true);
  const {
    settings: { load },
    error: { showError },
  } = useActions();
  useEffect(() => {
    if (trainer) load().catch(showError);
  }, [trainer, load, showError]);
  if (!trainer || !offline) return null;
  return (
    <a className="offline-badge" href={hashFor('privacy')} data-testid="offline-badge" title={t('privacy.offlineBadgeTitle')}>
      {t('privacy.offlineBadge')}
    </a>
  );
}
