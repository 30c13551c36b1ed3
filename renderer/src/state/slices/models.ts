/** The models in the models folder, and the one chosen to chat with (remembered between sessions). */
import { modelIdLabel } from '#shared/servers.ts';
import { kindOf, type ModelInfo } from '#shared/models.ts';
import { sliceSetter, type KeyValueStorage, type Slice, type SliceContext } from '../slice.ts';
import type { AppState } from '../slice.ts';

export const SELECTED_MODEL_KEY = 'enclave.selectedModel';

export interface ModelsState {
  list: readonly ModelInfo[];
  /** True once a model list has arrived. */
  loaded: boolean;
  rescanning: boolean;
  selectedId: string | null;
}

export const initialModelsState: ModelsState = { list: [], loaded: false, rescanning: false, selectedId: null };

export interface ModelsActions {
  rescan(): Promise<void>;
  selectModel(modelId: string | null): void;
}

/** A model the chat can answer with: readable, and a chat model (not an embedding or reranking model). */
export function isUsable(model: ModelInfo | null | undefined): model is ModelInfo {
  return model !== null && model !== undefined && model.problem === null && kindOf(model) === 'chat';
}

/** A model's name as the library lists it, with its server's for a server's model; once it is gone, its id's label. */
export const selectModelName =
  (modelId: string) =>
  (s: AppState): string => {
    const model = s.models.list.find((m) => m.id === modelId);
    if (model === undefined || model.name === '') return modelIdLabel(modelId);
    return modelDisplayName(model);
  };

/** A listed model's name, with its server's for a server's model. */
export function modelDisplayName(model: ModelInfo): string {
  return model.server === undefined ? model.name : `${model.name} · ${model.server.name}`;
}

/**
 * The model that will answer: the one chosen, else the open conversation's, else one already
 * loaded in the engine, else the only usable model. So a first download, a reload or another
 * window never shows "no model" while one is there to answer.
 */
export const selectSelectedModel = (s: AppState): ModelInfo | null => {
  const usable = (id: string | null | undefined): ModelInfo | undefined => (id === null || id === undefined ? undefined : s.models.list.find((m) => m.id === id && isUsable(m)));
  const only = s.models.list.filter(isUsable);
  return (
    usable(s.models.selectedId) ??
    usable(s.chat.conversation?.settings.modelId) ??
    (s.host.engine?.loaded ?? []).map((loaded) => usable(loaded.modelId)).find((model) => model !== undefined) ??
    (only.length === 1 ? (only[0] ?? null) : null)
  );
};

/** A new list: a selection that is no longer usable is dropped, and the remembered model taken when none is selected. */
function withList(models: ModelsState, list: readonly ModelInfo[], storage: KeyValueStorage | undefined): ModelsState {
  let selectedId = models.selectedId;
  if (selectedId !== null && !isUsable(list.find((m) => m.id === selectedId))) selectedId = null;
  if (selectedId === null) {
    const remembered = storage?.get(SELECTED_MODEL_KEY) ?? null;
    if (remembered !== null && isUsable(list.find((m) => m.id === remembered))) selectedId = remembered;
  }
  return { ...models, list, loaded: true, selectedId };
}

export function createModelsSlice(ctx: SliceContext): Slice<ModelsActions> {
  const { api, storage } = ctx;
  const set = sliceSetter(ctx, 'models');
  const applyList = (list: readonly ModelInfo[]): void => set((models) => withList(models, list, storage));

  return {
    actions: {
      async rescan() {
        if (ctx.getState().models.rescanning) return;
        set({ rescanning: true });
        try {
          applyList(await api.call('models.rescan', {}));
        } catch (error) {
          ctx.actions().error.showError(error);
        } finally {
          set({ rescanning: false });
        }
      },
      selectModel(modelId) {
        if (modelId !== null && !isUsable(ctx.getState().models.list.find((m) => m.id === modelId))) return;
        set({ selectedId: modelId });
        storage?.set(SELECTED_MODEL_KEY, modelId);
      },
    },
    load: () => [api.call('models.list', {}).then(applyList)],
    // A server added, removed or read again changes the servers' models in the list.
    follow: () => [api.on('servers.changed', () => void api.call('models.list', {}).then(applyList, (error: unknown) => ctx.actions().error.showError(error)))],
  };
}

declare module '../slice.ts' {
  interface AppState {
    models: ModelsState;
  }
  interface SliceActions {
    models: ModelsActions;
  }
}
