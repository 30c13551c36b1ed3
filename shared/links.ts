/**
 * Which links from untrusted text (model output) may be opened in the system browser: https only,
 * to a public host name the user can read for what it is. Used by the renderer before it asks the
 * user, and again by the Electron shell before it calls shell.openExternal.
 */
import { z } from 'zod';

export const MAX_LINK_CHARS = 2048;

export const LINK_REFUSALS = ['invalid', 'too-long', 'hidden-characters', 'scheme', 'credentials', 'ip-address', 'local-host', 'look-alike-host'] as const;
export type LinkRefusal = (typeof LINK_REFUSALS)[number];

export type LinkCheck = { safe: true; href: string; host: string } | { safe: false; reason: LinkRefusal };

export const openLinkSchema = z.strictObject({ url: z.string().min(1).max(MAX_LINK_CHARS) });

/** Controls, spaces, zero-width characters, variation selectors and bidirectional overrides: they hide what a URL really says. */
const HIDDEN_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x20],
  [0x7f, 0xa0],
  [0xad, 0xad],
  [0x115f, 0x1160],
  [0x180e, 0x180e],
  [0x2000, 0x200f],
  [0x2028, 0x202f],
  [0x205f, 0x206f],
  [0x3000, 0x3000],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe0fff],
];
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.lan', '.home.arpa', '.intranet', '.corp', '.onion'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Accented Latin letters a French or European domain may use; not look-alikes such as dotless ı or long ſ. */
const LATIN_LETTER = /^[a-z0-9\-\u00e0-\u00f6\u00f8-\u00ff\u0100-\u0130\u0132-\u0137\u0139-\u017e]$/;

export function checkExternalLink(raw: string): LinkCheck {
  if (raw.length > MAX_LINK_CHARS) return { safe: false, reason: 'too-long' };
  if (hasHiddenCharacters(raw)) return { safe: false, reason: 'hidden-characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { safe: false, reason: 'invalid' };
  }
  if (url.protocol !== 'https:') return { safe: false, reason: 'scheme' };
  if (url.username !== '' || url.password !== '' || /^https:[/\\]*[^/\\?#]*@/i.test(raw)) return { safe: false, reason: 'credentials' };
  const host = url.hostname.replace(/\.$/, '');
  if (IPV4.test(host) || host.startsWith('[')) return { safe: false, reason: 'ip-address' };
  if (!host.includes('.') || host === 'localhost' || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return { safe: false, reason: 'local-host' };
  if (!host.split('.').every(isReadableLabel)) return { safe: false, reason: 'look-alike-host' };
  return { safe: true, href: url.href, host };
}

function hasHiddenCharacters(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (HIDDEN_RANGES.some(([first, last]) => code >= first && code <= last)) return true;
  }
  return false;
}

/** An ASCII label, or an internationalized one written only in accented Latin letters. */
function isReadableLabel(label: string): boolean {
  if (!label.startsWith('xn--')) return /^[a-z0-9-]+$/.test(label);
  const decoded = decodePunycode(label.slice(4));
  return decoded !== null && [...decoded].every((char) => LATIN_LETTER.test(char));
}

/** RFC 3492 decoding of one label's punycode; null when malformed. */
export function decodePunycode(input: string): string | null {
  const base = 36;
  const basic = input.lastIndexOf('-');
  const output = basic > 0 ? [...input.slice(0, basic)].map((char) => char.codePointAt(0) ?? 0) : [];
  let n = 128;
  let i = 0;
  let bias = 72;
  for (let index = basic > 0 ? basic + 1 : 0; index < input.length;) {
    const oldI = i;
    for (let w = 1, k = base; ; k += base) {
      if (index >= input.length) return null;
      const code = input.charCodeAt(index++);
      const digit = code >= 48 && code <= 57 ? code - 22 : code >= 97 && code <= 122 ? code - 97 : base;
      if (digit >= base) return null;
      i += digit * w;
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) break;
      w *= base - t;
      if (w > 0x7fffffff) return null;
    }
    const length = output.length + 1;
    let delta = oldI === 0 ? Math.floor((i - oldI) / 700) : (i - oldI) >> 1;
    delta += Math.floor(delta / length);
    let k = 0;
    for (; delta > 455; k += base) delta = Math.floor(delta / 35);
    bias = Math.floor(k + (36 * delta) / (delta + 38));
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff) return null;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}
