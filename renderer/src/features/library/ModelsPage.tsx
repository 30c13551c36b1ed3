import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppSelector } from '../../state/react.tsx';
import { CatalogCard } from './CatalogCard.tsx';
import { languageName } from './catalog-text.ts';
import { MachinePanel } from './MachinePanel.tsx';
import { SourceSettings } from './SourceSettings.tsx';
import { ServersPanel } from '../servers/ServersPanel.tsx';
import { filterCatalog, NO_FILTERS, SIZE_CLASSES, type CatalogFilters, type SizeClass } from './catalog-filters.ts';
import { useLibrary } from './use-library.ts';
import './library.css';

/** The Models page: the curated catalog with search, filters and downloads. */
export function ModelsPage() {
  const { t, i18n } = useTranslation();
  const library = useLibrary();
  const { catalog, downloads, fits, hardware } = library;
  const models = useAppSelector((s) => s.models.list);
  const modelsLoaded = useAppSelector((s) => s.models.loaded);
  const [filters, setFilters] = useState<CatalogFilters>(NO_FILTERS);
  const installedFiles = useMemo(() => new Set(models.filter((model) => model.problem === null && model.server === undefined).map((model) => model.fileName)), [models]);
  const families = useMemo(() => [...new Set((catalog ?? []).map((model) => model.family))].sort(), [catalog]);
  const uiLanguage = i18n.language;
  const languages = useMemo(
    () => [...new Set((catalog ?? []).flatMap((model) => model.languages))].sort((a, b) => languageName(uiLanguage, a).localeCompare(languageName(uiLanguage, b), uiLanguage)),
    [catalog, uiLanguage],
  );
  const shown = useMemo(() => filterCatalog(catalog ?? [], filters, fits, hardware), [catalog, filters, fits, hardware]);
  // First run: the model list and the jobs are known, and there is nothing usable and nothing coming.
  const firstRun = modelsLoaded && catalog !== null && installedFiles.size === 0 && Object.keys(downloads).length === 0;
  const update = (patch: Partial<CatalogFilters>): void => setFilters((current) => ({ ...current, ...patch }));

  return (
    <section className="library" aria-labelledby="library-title">
      <header className="library-header">
        <h1 id="library-title" className="library-title">
          {t('library.title')}
        </h1>
        <p className="muted">{t('library.intro')}</p>
      </header>
      <MachinePanel library={library} firstRun={firstRun} />
      <SourceSettings />
      <ServersPanel />
      <div className="library-filters" role="search">
        <input
          type="search"
          className="library-search"
          placeholder={t('library.searchPlaceholder')}
          aria-label={t('library.searchLabel')}
          value={filters.search}
          onChange={(event) => update({ search: event.target.value })}
          data-testid="catalog-search"
        />
        <select aria-label={t('library.familyLabel')} value={filters.family} onChange={(event) => update({ family: event.target.value })} data-testid="filter-family">
          <option value="">{t('library.allFamilies')}</option>
          {families.map((family) => (
            <option key={family} value={family}>
              {family}
            </option>
          ))}
        </select>
        <select aria-label={t('library.sizeLabel')} value={filters.size} onChange={(event) => update({ size: event.target.value as SizeClass })} data-testid="filter-size">
          {SIZE_CLASSES.map((size) => (
            <option key={size} value={size}>
              {t(`library.size.${size}`)}
            </option>
          ))}
        </select>
        <select aria-label={t('library.languageLabel')} value={filters.language} onChange={(event) => update({ language: event.target.value })} data-testid="filter-language">
          <option value="">{t('library.allLanguages')}</option>
          {languages.map((language) => (
            <option key={language} value={language}>
              {languageName(uiLanguage, language)}
            </option>
          ))}
        </select>
        <select
          aria-label={t('library.reasoningLabel')}
          value={filters.reasoning}
          onChange={(event) => update({ reasoning: event.target.value as CatalogFilters['reasoning'] })}
          data-testid="filter-reasoning"
        >
          <option value="any">{t('library.reasoningAny')}</option>
          <option value="yes">{t('library.reasoningYes')}</option>
          <option value="no">{t('library.reasoningNo')}</option>
        </select>
        <label className="library-fits-filter">
          <input type="checkbox" checked={filters.fits} onChange={(event) => update({ fits: event.target.checked })} data-testid="filter-fits" />
          {t('modelFit.filter')}
        </label>
      </div>
      {catalog === null ? (
        <p className="muted library-note">{t('library.loading')}</p>
      ) : shown.length === 0 ? (
        <p className="muted library-note">{filters.fits && Object.keys(fits).length === 0 ? t('modelFit.filterNeedsCheck') : t('library.noMatch')}</p>
      ) : (
        <ul className="catalog" aria-label={t('library.catalogLabel')}>
          {shown.map((model) => (
            <CatalogCard key={model.id} model={model} downloads={downloads} installedFiles={installedFiles} fit={fits[model.id]} hardware={hardware} speed={library.speed} />
          ))}
        </ul>
      )}
      <p className="muted library-footnote">{t('library.sizesApproximate')}</p>
    </section>
  );
}
