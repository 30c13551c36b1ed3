import { describe, expect, it } from 'vitest';
import { EnclaveError } from '#shared/errors.ts';
import { classifyFailure } from '../../../../electron/services/models/downloads/retry.ts';
import { isNetworkUnreachable, networkUnreachableError } from '../../../../electron/services/models/network-unreachable.ts';

/** What Node's fetch really throws for a host whose name does not resolve (`.invalid` never does). */
async function unresolvableFetch(): Promise<unknown> {
  try {
    await fetch('https://hf.invalid/model.gguf');
  } catch (error) {
    return error;
  }
  throw new Error('hf.invalid answered');
}

describe('no network', () => {
  it('recognises fetch failing to resolve the host, through its cause', async () => {
    const error = await unresolvableFetch();
    expect(isNetworkUnreachable(error)).toBe(true);
    expect(networkUnreachableError(error, 'https://hf.invalid/model.gguf')?.toPayload()).toMatchObject({ code: 'NETWORK_UNREACHABLE', details: { host: 'hf.invalid' } });
  });

  it('makes a failed download say no network instead of DOWNLOAD_FAILED', async () => {
    expect(classifyFailure(await unresolvableFetch(), 'https://hf.invalid').code).toBe('NETWORK_UNREACHABLE');
  });

  it('finds the cause inside an AggregateError (a host with several addresses)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isNetworkUnreachable(new TypeError('fetch failed', { cause: new AggregateError([refused]) }))).toBe(true);
  });

  it('leaves other failures alone: a reset, an HTTP status, a refusal of the gate', () => {
    expect(isNetworkUnreachable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isNetworkUnreachable(new Error('HTTP 500'))).toBe(false);
    expect(networkUnreachableError(new EnclaveError('OFFLINE', 'offline'))).toBeNull();
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).code).toBe('DOWNLOAD_FAILED');
  });
});
