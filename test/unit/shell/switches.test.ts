import { describe, expect, it } from 'vitest';
import { applySwitches, PRIVACY_SWITCHES } from '../../../electron/shell/switches.ts';

function recorder() {
  const calls: (string | undefined)[][] = [];
  return { calls, appendSwitch: (name: string, value?: string) => void calls.push(value === undefined ? [name] : [name, value]) };
}

describe('applySwitches', () => {
  it('turns off Chromium background traffic and LAN discovery', () => {
    const commandLine = recorder();
    applySwitches(commandLine);
    const names = commandLine.calls.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['disable-background-networking', 'disable-component-update', 'no-pings', 'disable-features']));
    expect(new Set(names).size).toBe(names.length);
    const features = commandLine.calls.find(([name]) => name === 'disable-features')?.[1]?.split(',');
    expect(features).toContain('MediaRouter');
    expect(commandLine.calls.length).toBe(PRIVACY_SWITCHES.length);
  });

  it('passes a value only when the switch has one', () => {
    const commandLine = recorder();
    applySwitches(commandLine, [{ name: 'a' }, { name: 'b', value: 'x' }]);
    expect(commandLine.calls).toEqual([['a'], ['b', 'x']]);
  });

  it('refuses a switch listed twice, since Chromium would keep only the last value', () => {
    expect(() =>
      applySwitches(recorder(), [
        { name: 'disable-features', value: 'A' },
        { name: 'disable-features', value: 'B' },
      ]),
    ).toThrow(/twice/);
  });
});
