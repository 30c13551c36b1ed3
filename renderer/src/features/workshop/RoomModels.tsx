import { useTranslation } from 'react-i18next';
import { MAX_ROOM_MODELS } from '#shared/workshop.ts';
import { kindOf } from '#shared/models.ts';
import { useAppSelector } from '../../state/react.tsx';
import { modelDisplayName } from '../../state/slices/models.ts';

/** The models the trainer offers the room: participants see these only, the first one chosen for them. */
export function RoomModels({ selected, onChange }: { selected: readonly string[]; onChange(ids: string[]): void }) {
  const { t } = useTranslation();
  const models = useAppSelector((s) => s.models.list).filter((model) => model.problem === null && kindOf(model) === 'chat');
  if (models.length === 0) return <p className="muted">{t('workshop.noModels')}</p>;
  return (
    <fieldset className="workshop-models" data-testid="workshop-models">
      <legend>{t('workshop.modelsLegend')}</legend>
      {models.map((model) => {
        const checked = selected.includes(model.id);
        return (
          <label key={model.id} className="workshop-model">
            <input
              type="checkbox"
              checked={checked}
              disabled={!checked && selected.length >= MAX_ROOM_MODELS}
              onChange={(event) => onChange(event.target.checked ? [...selected, model.id] : selected.filter((id) => id !== model.id))}
            />
            <span>{modelDisplayName(model)}</span>
            {model.server === undefined && <span className="muted">{model.fileName}</span>}
          </label>
        );
      })}
    </fieldset>
  );
}
