import { describe, expect, it } from 'vitest';
import { parseWebArgs, WEB_USAGE } from '../../../electron/host/web-args.ts';

describe('the web host command line', () => {
  it('asks for the usage with --help or -h', () => {
    expect(parseWebArgs(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseWebArgs(['-h'], {})).toEqual({ kind: 'help' });
    expect(WEB_USAGE).toContain('--api-port');
  });

  it('turns an unknown option or a bad port into a message, not a stack trace', () => {
    expect(parseWebArgs(['--colour'], {})).toMatchObject({ kind: 'error', message: expect.stringContaining('--colour') as unknown });
    expect(parseWebArgs(['--port', 'abc'], {})).toEqual({ kind: 'error', message: '--port must be a port number, got abc' });
    expect(parseWebArgs(['--api-port', '80'], {})).toMatchObject({ kind: 'error' });
  });

  it('reads the ports from the options, else the environment', () => {
    expect(parseWebArgs([], { ENCLAVE_WEB_PORT: '6000', ENCLAVE_API_PORT: '' })).toEqual({ kind: 'run', port: 6000, staticDir: undefined, apiPort: undefined });
    expect(parseWebArgs(['--port', '0', '--api-port', '8089', '--static-dir', '/s'], {})).toEqual({ kind: 'run', port: 0, staticDir: '/s', apiPort: '8089' });
  });
});
