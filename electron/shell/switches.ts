/**
 * Chromium switches the shell appends before `ready`, so the embedded browser starts no network
 * traffic of its own: nothing leaves the machine unless the user starts a model download (and
 * that goes through Node, not Chromium).
 */

export interface CommandLine {
  appendSwitch(name: string, value?: string): void;
}

export interface Switch {
  name: string;
  value?: string;
}

export const PRIVACY_SWITCHES: readonly Switch[] = [
  // Background services (component updates, variations, domain reliability beacons...).
  { name: 'disable-background-networking' },
  { name: 'disable-component-update' },
  { name: 'disable-domain-reliability' },
  // No hyperlink-auditing pings and no DNS prefetching of link targets.
  { name: 'no-pings' },
  { name: 'dns-prefetch-disable' },
  // No Cast/DIAL discovery on the local network, no server round trips for autofill or hints.
  { name: 'disable-features', value: ['MediaRouter', 'DialMediaRouteProvider', 'AutofillServerCommunication', 'OptimizationHints', 'NetworkTimeServiceQuerying'].join(',') },
];

/** Appends each switch once. Chromium keeps only the last value of a repeated switch. */
export function applySwitches(commandLine: CommandLine, switches: readonly Switch[] = PRIVACY_SWITCHES): void {
  const seen = new Set<string>();
  for (const { name, value } of switches) {
    if (seen.has(name)) throw new Error(`switch --${name} is listed twice; merge its values`);
    seen.add(name);
    if (value === undefined) commandLine.appendSwitch(name);
    else commandLine.appendSwitch(name, value);
  }
}
