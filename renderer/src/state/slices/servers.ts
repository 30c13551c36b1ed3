/**
 * Inference servers: the list (read when a page first needs it, then kept current by
 * `servers.changed`) and the last connection test of each.
 */
import { toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { AddServerInput, ServerTestResult, ServerView } from '#shared/servers.ts';
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export type ServerTest = { state: 'testing' } | { state: 'ok'; result: ServerTestResult } | { state: 'failed'; error: ErrorPayload };

export interface ServersState {
  /** null until read. */
  list: ServerView[] | null;
  /** By server id. */
  tests: Record<string, ServerTest>;
}

export const initialServersState: ServersState = { list: null, tests: {} };

export interface ServersActions {
  load(): Promise<void>;
  /** Rejects with the refusal (a public address without confirmation, a duplicate...), for the form to show. */
  add(input: AddServerInput): Promise<void>;
  remove(id: string): Promise<void>;
  /** The outcome lands in `tests[id]`; never rejects. */
  test(id: string): Promise<void>;
}

export function createServersSlice(ctx: SliceContext): Slice<ServersActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'servers');
  const setList = (list: ServerView[]): void => set((servers) => ({ list, tests: Object.fromEntries(Object.entries(servers.tests).filter(([id]) => list.some((server) => server.id === id))) }));
  const setTest = (id: string, test: ServerTest): void => set((servers) => ({ ...servers, tests: { ...servers.tests, [id]: test } }));
  const read = (): Promise<void> => api.call('servers.list', {}).then(setList);

  return {
    actions: {
      load: () => (ctx.getState().servers.list === null ? read() : Promise.resolve()),
      async add(input) {
        await api.call('servers.add', input);
        await read();
      },
      async remove(id) {
        await api.call('servers.remove', { id });
        await read();
      },
      async test(id) {
        setTest(id, { state: 'testing' });
        try {
          setTest(id, { state: 'ok', result: await api.call('servers.test', { id }) });
        } catch (error) {
          setTest(id, { state: 'failed', error: toErrorPayload(error) });
        }
      },
    },
    follow: () => [api.on('servers.changed', setList)],
    reconnected() {
      if (ctx.getState().servers.list !== null) read().catch((error: unknown) => ctx.actions().error.showError(error));
    },
  };
}

declare module '../slice.ts' {
  interface AppState {
    servers: ServersState;
  }
  interface SliceActions {
    servers: ServersActions;
  }
}
