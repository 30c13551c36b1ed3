import type { EnclaveApi } from '#shared/contract.ts';
import { createElectronTransport } from './electron-transport.ts';
import type { Transport } from './transport.ts';
import { uploadFile } from './upload.ts';
import { createWsTransport } from './ws-transport.ts';
import type { SocketConnection, SocketHandlers } from './ws-transport.ts';

export type { EnclaveApi };
export type { ConnectionState, Transport } from './transport.ts';

/**
 * The api client: Electron IPC when the preload exposed `window.enclave`, otherwise the web
 * host's WebSocket at `/ws` on the page's own origin.
 */
export function createApi(): Transport {
  const bridge = window.enclave;
  if (bridge !== undefined) return createElectronTransport(bridge);
  return { ...createWsTransport({ url: webSocketUrl(window.location), connect: browserSocket }), upload: uploadFile };
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

function browserSocket(url: string, handlers: SocketHandlers): SocketConnection {
  const ws = new WebSocket(url);
  let closed = false;
  ws.addEventListener('open', () => handlers.onOpen());
  ws.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  });
  ws.addEventListener('close', (event: CloseEvent) => {
    if (closed) return;
    closed = true;
    handlers.onClose(event.code);
  });
  return {
    send: (data) => ws.send(data),
    close: () => ws.close(),
  };
}
