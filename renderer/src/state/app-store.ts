/**
 * The renderer's one store, composed of feature slices (state/slices/): each owns one key of the
 * state, its actions and selectors, and the host events that keep it current. Components read it
 * with useAppSelector and reach the actions with useActions (state/react.tsx). No DOM here, so it
 * runs under plain vitest.
 */
import type { ConnectionState, Transport } from '../api/transport.ts';
import { createStore } from './store.ts';
import type { AppActions, AppState, KeyValueStorage, SliceContext, SliceLifecycle } from './slice.ts';
import { createChatSlice } from './slices/chat.ts';
import { initialChatState } from './slices/chat-state.ts';
import { createCompareSlice, initialCompareState } from './slices/compare.ts';
import { createConversationImportSlice, initialConversationImportState } from './slices/conversation-import.ts';
import { createConversationsSlice, initialConversationsState } from './slices/conversations.ts';
import { createDocumentsSlice, initialDocumentsState } from './slices/documents.ts';
import { createErrorSlice, initialErrorState } from './slices/error.ts';
import { createHostSlice, initialHostState } from './slices/host.ts';
import { createLibrarySlice, initialLibraryState } from './slices/library.ts';
import { createModelsSlice, initialModelsState } from './slices/models.ts';
import { createServersSlice, initialServersState } from './slices/servers.ts';
import { createSettingsSlice, initialSettingsState } from './slices/settings.ts';

export interface AppStore {
  getState(): AppState;
  subscribe(listener: () => void): () => void;
  actions: AppActions;
}

export interface AppStoreOptions {
  /** Remembers the selected model and the open conversation between sessions. */
  storage?: KeyValueStorage;
}

export function initialAppState(connection: ConnectionState = 'connecting'): AppState {
  return {
    host: initialHostState(connection),
    error: initialErrorState,
    models: initialModelsState,
    chat: initialChatState,
    conversations: initialConversationsState,
    conversationImport: initialConversationImportState,
    settings: initialSettingsState,
    servers: initialServersState,
    library: initialLibraryState,
    compare: initialCompareState,
    documents: initialDocumentsState,
  };
}

export function createAppStore(api: Transport, options: AppStoreOptions = {}): AppStore {
  const store = createStore<AppState>(initialAppState(api.connectionState()));
  const ctx: SliceContext = { api, storage: options.storage, getState: store.getState, setState: store.setState, actions: () => actions };
  const host = createHostSlice(ctx);
  const error = createErrorSlice(ctx);
  const models = createModelsSlice(ctx);
  const chat = createChatSlice(ctx);
  const conversations = createConversationsSlice(ctx);
  const conversationImport = createConversationImportSlice(ctx);
  const settings = createSettingsSlice(ctx);
  const servers = createServersSlice(ctx);
  const library = createLibrarySlice(ctx);
  const compare = createCompareSlice(ctx);
  const documents = createDocumentsSlice(ctx);
  const slices: readonly SliceLifecycle[] = [host, error, models, chat, conversations, conversationImport, settings, servers, library, compare, documents];

  async function refresh(): Promise<void> {
    // Each answer is shown as soon as it arrives; the first failure is reported.
    const failures: unknown[] = [];
    await Promise.all(slices.flatMap((slice) => slice.load?.() ?? []).map((loaded) => loaded.catch((failure: unknown) => void failures.push(failure))));
    if (failures.length > 0) error.actions.showError(failures[0]);
  }

  /** Set when the link dropped: the next open reloads what may have changed meanwhile. */
  let needsRefresh = false;

  function onConnectionChange(connection: ConnectionState): void {
    host.setConnection(connection);
    if (connection === 'closed') {
      needsRefresh = true;
      for (const slice of slices) slice.disconnected?.();
    } else if (connection === 'open' && needsRefresh) {
      needsRefresh = false;
      for (const slice of slices) slice.reconnected?.();
      void refresh();
    }
  }

  function start(): () => void {
    const offs = [...slices.flatMap((slice) => slice.follow?.() ?? []), api.onConnectionChange(onConnectionChange)];
    const connection = api.connectionState();
    host.setConnection(connection);
    // Over the WebSocket, calls made while connecting wait for the socket; once it opens after a
    // drop, onConnectionChange refreshes again.
    if (connection === 'closed') needsRefresh = true;
    else void refresh();
    for (const slice of slices) slice.started?.();
    return () => {
      for (const off of offs) off();
    };
  }

  const actions: AppActions = {
    start,
    refresh,
    error: error.actions,
    models: models.actions,
    chat: chat.actions,
    conversations: conversations.actions,
    conversationImport: conversationImport.actions,
    settings: settings.actions,
    servers: servers.actions,
    library: library.actions,
    compare: compare.actions,
    documents: documents.actions,
  };
  return { getState: store.getState, subscribe: store.subscribe, actions };
}
