import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome } from '#shared/endpoint.ts';
import { callFromRenderer, senderProblem } from '../../../electron/shell/ipc-guard.ts';
import { APP_ORIGIN } from '../../../electron/shell/security.ts';

const APP_PAGE = { url: 'app://enclave/index.html', isMainFrame: true };

function fakeHost() {
  return { call: vi.fn(async (command: unknown): Promise<CallOutcome> => ({ ok: true, result: { command } })) };
}

describe('senderProblem', () => {
  it('trusts the app page in the top frame only', () => {
    expect(senderProblem(APP_PAGE, APP_ORIGIN)).toBeNull();
    expect(senderProblem({ url: 'http://localhost:5173/', isMainFrame: true }, 'http://localhost:5173')).toBeNull();
    expect(senderProblem(null, APP_ORIGIN)).toMatch(/gone/);
    expect(senderProblem({ ...APP_PAGE, isMainFrame: false }, APP_ORIGIN)).toMatch(/top frame/);
    for (const url of ['https://evil.com/', 'app://enclave.evil/index.html', 'app://enclave@evil/', 'file:///etc/passwd', 'about:blank', '', 'http://localhost:5173/']) {
      expect(senderProblem({ url, isMainFrame: true }, APP_ORIGIN), url).toMatch(/app page/);
    }
  });
});

describe('callFromRenderer', () => {
  it('passes a trusted call to the host as it is', async () => {
    const host = fakeHost();
    await expect(callFromRenderer(host, APP_PAGE, APP_ORIGIN, 'models.list', {})).resolves.toEqual({ ok: true, result: { command: 'models.list' } });
    expect(host.call).toHaveBeenCalledWith('models.list', {});
  });

  it('answers a typed error without reaching the host for any other sender', async () => {
    const host = fakeHost();
    for (const sender of [null, { url: 'https://evil.com/', isMainFrame: true }, { ...APP_PAGE, isMainFrame: false }]) {
      const outcome = await callFromRenderer(host, sender, APP_ORIGIN, 'chat.generate', {});
      expect(outcome).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { reason: 'untrusted-sender' } } });
    }
    expect(host.call).not.toHaveBeenCalled();
  });
});
