/** Opening a listening port for Enclave's servers (web host, local API, workshop) with a typed error. */
import type { Server } from 'node:net';
import { EnclaveError } from '#shared/errors.ts';

/** Listens on `address:port`; a port taken by another program is PORT_IN_USE, anything else LISTEN_FAILED. */
export function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => reject(listenError(error, address, port));
    server.once('error', fail);
    server.listen(port, address, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function listenError(error: NodeJS.ErrnoException, address: string, port: number): EnclaveError {
  const details = { address, port, reason: error.code ?? 'unknown' };
  if (error.code === 'EADDRINUSE') return new EnclaveError('PORT_IN_USE', `${address}:${port} is already in use by another program`, details);
  return new EnclaveError('LISTEN_FAILED', `cannot listen on ${address}:${port}: ${error.message}`, details);
}
