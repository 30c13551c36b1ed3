import type { EnclaveApi } from '#shared/contract.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge; absent in a browser. */
    enclave?: EnclaveApi;
  }
}
