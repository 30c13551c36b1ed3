import { useTranslation } from 'react-i18next';

export const COMPOSER_ID = 'composer';

/**
 * The page's first focusable element: one Tab and Enter reach the message box instead of the
 * whole navigation and conversation list. The URL hash is the app's route, so the link moves the
 * focus itself rather than navigating.
 */
export function SkipToComposer() {
  const { t } = useTranslation();
  return (
    <a
      href={`#${COMPOSER_ID}`}
      className="skip-link"
      data-testid="skip-to-composer"
      onClick={(event) => {
        event.preventDefault();
        document.getElementById(COMPOSER_ID)?.focus();
      }}
    >
      {t('composer.skipTo')}
    </a>
  );
}
