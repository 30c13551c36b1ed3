import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import type { EnclaveApi } from '#shared/contract.ts';

const ApiContext = createContext<EnclaveApi | null>(null);

/** Gives features that keep their own state (the model library) the api client. */
export function ApiProvider({ api, children }: { api: EnclaveApi; children: ReactNode }) {
  return <ApiContext value={api}>{children}</ApiContext>;
}

export function useApi(): EnclaveApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi needs an <ApiProvider>.');
  return api;
}
