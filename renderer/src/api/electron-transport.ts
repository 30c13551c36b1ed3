import type { EnclaveApi } from '#shared/contract.ts';
import { toEnclaveError } from './errors.ts';
import type { Transport } from './transport.ts';

/**
 * Wraps the preload's `window.enclave`. IPC is up as long as the window lives, so the link is
 * always `open`; rejections are normalised to `EnclaveError` like the WebSocket transport's.
 */
export function createElectronTransport(bridge: EnclaveApi): Transport {
  return {
    kind: 'electron',
    call: (command, input) =>
      bridge.call(command, input).catch((error: unknown) => {
        throw toEnclaveError(error);
      }),
    on: (event, listener) => bridge.on(event, listener),
    ...(bridge.pathForFile === undefined ? {} : { pathForFile: (file: File) => bridge.pathForFile?.(file) ?? '' }),
    connectionState: () => 'open',
    onConnectionChange: () => () => {},
    dispose: () => {},
  };
}
