import { describe, expect, it } from 'vitest';
import { utilityEnvironment } from '../../../electron/shell/engine-env.ts';

describe('utilityEnvironment', () => {
  it("extends the shell's environment with the engine's variables, which win, and drops unset ones", () => {
    const env = utilityEnvironment({ PATH: '/bin', UV_THREADPOOL_SIZE: '4', UNSET: undefined }, { UV_THREADPOOL_SIZE: '1' });
    expect(env).toEqual({ PATH: '/bin', UV_THREADPOOL_SIZE: '1' });
    expect(Object.hasOwn(env, 'UNSET')).toBe(false);
  });
});
