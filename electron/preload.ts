/**
 * The preload: exposes exactly the contract at `window.enclave`, never ipcRenderer itself. It runs
 * sandboxed, bundled to CommonJS, so it imports only `electron` and Electron-free helpers.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { CommandInput, CommandName, CommandResult, EnclaveApi, EventName, EventPayloads } from '#shared/contract.ts';
import { createEventRouter, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, pathOfDroppedFile, unwrapOutcome } from './shell/bridge.ts';

const events = createEventRouter();
// One subscription for every event; the IpcRendererEvent (which holds the sender) stays here.
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, message: unknown) => events.dispatch(message));

const api = {
  async call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
    const outcome: unknown = await ipcRenderer.invoke(IPC_CALL_CHANNEL, command, input);
    return unwrapOutcome(outcome) as CommandResult<C>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    return events.on(event, listener);
  },
  // Chromium hides a dropped file's path from the page; Electron gives it to the preload only.
  pathForFile: (file: File): string => pathOfDroppedFile(file, webUtils.getPathForFile),
} satisfies EnclaveApi;

contextBridge.exposeInMainWorld('enclave', api);
