/** The machine's network interfaces a trainer may share the workshop on, and the join code. */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { LanInterface } from '#shared/workshop.ts';

/** Non-loopback addresses, IPv4 first; link-local IPv6 (fe80::) is left out (it needs a zone id in URLs). */
export function lanInterfaces(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): LanInterface[] {
  const found: LanInterface[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.internal || address.address.startsWith('fe80:')) continue;
      found.push({ name, address: address.address, family: address.family === 'IPv6' ? 'IPv6' : 'IPv4' });
    }
  }
  return found.sort((a, b) => a.family.localeCompare(b.family));
}

/** Where a workshop may listen: a LAN interface of this machine, or loopback for a rehearsal. */
export function isShareableAddress(address: string, interfaces: LanInterface[] = lanInterfaces()): boolean {
  return address === '127.0.0.1' || address === '::1' || interfaces.some((candidate) => candidate.address === address);
}

/** Six digits, easy to read out to a room. */
export function newJoinCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function sameCode(given: string, code: string): boolean {
  const a = Buffer.from(given.trim());
  const b = Buffer.from(code);
  return a.length === b.length && timingSafeEqual(a, b);
}
