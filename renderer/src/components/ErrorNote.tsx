import { useTranslation } from 'react-i18next';
import type { ErrorCode } from '#shared/errors.ts';

/** A page's own error, translated from its code, where the page shows it (the banner is for the app's). */
export function ErrorNote({ code }: { code: ErrorCode | null }) {
  const { t } = useTranslation();
  if (code === null) return null;
  return (
    <p className="error-note" role="alert">
      {t(`errors.${code}`)}
    </p>
  );
}
