import { useTranslation } from 'react-i18next';
import { hashFor, ROUTES } from './routes.ts';
import { useRoute } from './use-route.ts';

export function NavBar() {
  const { t } = useTranslation();
  const current = useRoute();
  if (ROUTES.length < 2) return null;
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      {ROUTES.map((route) => (
        <a key={route} href={hashFor(route)} className="nav-link" aria-current={route === current ? 'page' : undefined} data-testid={`nav-${route}`}>
          {t(`nav.${route}`)}
        </a>
      ))}
    </nav>
  );
}
