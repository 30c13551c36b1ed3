/** What the renderer knows of the host: the link to it, what it is, and its engine's status. */
import type { AppInfo } from '#shared/app.ts';
import type { EngineStatus } from '#shared/models.ts';
import type { ConnectionState } from '../../api/transport.ts';
import { sliceSetter, type SliceContext, type SliceLifecycle } from '../slice.ts';

export interface HostState {
  connection: ConnectionState;
  info: AppInfo | null;
  engine: EngineStatus | null;
}

export function initialHostState(connection: ConnectionState = 'connecting'): HostState {
  return { connection, info: null, engine: null };
}

export interface HostSlice extends SliceLifecycle {
  setConnection(connection: ConnectionState): void;
}

export function createHostSlice(ctx: SliceContext): HostSlice {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'host');
  return {
    setConnection: (connection) => set({ connection }),
    follow: () => [api.on('engine.status', (engine) => set({ engine }))],
    load: () => [api.call('app.info', {}).then((info) => set({ info })), api.call('engine.status', {}).then((engine) => set({ engine }))],
  };
}

declare module '../slice.ts' {
  interface AppState {
    host: HostState;
  }
}
