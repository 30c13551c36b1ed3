import { useTranslation } from 'react-i18next';
import { kindOf } from '#shared/models.ts';
import { useAppSelector } from '../../state/react.tsx';

/** Usable models as checkboxes, at most `max` checked. */
export function ModelChecklist({ selected, onChange, max }: { selected: readonly string[]; onChange(ids: string[]): void; max: number }) {
  const { t } = useTranslation();
  const models = useAppSelector((s) => s.models.list).filter((model) => model.problem === null && kindOf(model) === 'chat');
  if (models.length === 0) return <p className="muted">{t('compare.noModels')}</p>;
  return (
    <fieldset className="compare-models" data-testid="compare-models">
      <legend>{t('compare.modelsLegend', { max })}</legend>
      {models.map((model) => {
        const checked = selected.includes(model.id);
        return (
          <label key={model.id} className="compare-model">
            <input
              type="checkbox"
              checked={checked}
              disabled={!checked && selected.length >= max}
              onChange={(event) => onChange(event.target.checked ? [...selected, model.id] : selected.filter((id) => id !== model.id))}
            />
            <span>{model.name}</span>
            <span className="muted">{model.server === undefined ? model.fileName : t('models.onServer', { name: model.server.name })}</span>
          </label>
        );
      })}
    </fieldset>
  );
}
