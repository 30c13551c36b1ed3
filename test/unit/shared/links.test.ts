import { domainToASCII, domainToUnicode } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkExternalLink, decodePunycode } from '#shared/links.ts';
import { HOSTILE_LINKS as HOSTILE } from '../../support/hostile-links.ts';

const SAFE: readonly (readonly [string, string, string])[] = [
  ['https://example.com', 'https://example.com/', 'example.com'],
  ['https://fr.wikipedia.org/wiki/Mistral_(vent)', 'https://fr.wikipedia.org/wiki/Mistral_(vent)', 'fr.wikipedia.org'],
  ['https://huggingface.co/Qwen/Qwen3-0.6B?x=1#readme', 'https://huggingface.co/Qwen/Qwen3-0.6B?x=1#readme', 'huggingface.co'],
  ['HTTPS://EXAMPLE.COM/Path', 'https://example.com/Path', 'example.com'],
  ['https://café.fr/menu', 'https://xn--caf-dma.fr/menu', 'xn--caf-dma.fr'],
  ['https://example.com:8443/', 'https://example.com:8443/', 'example.com'],
];

describe('links from model output', () => {
  it('has a table of 40 hostile links', () => {
    expect(HOSTILE).toHaveLength(40);
  });

  it.each(HOSTILE)('refuses %s (%s)', (url, reason) => {
    expect(checkExternalLink(url)).toEqual({ safe: false, reason });
  });

  it.each(SAFE)('allows %s', (url, href, host) => {
    expect(checkExternalLink(url)).toEqual({ safe: true, href, host });
  });

  it('decodes punycode as the URL standard does', () => {
    for (const word of ['café', 'münchen', 'ελληνικά', 'раураl', 'ñandú', '日本語', 'bücher-straße']) {
      const label = domainToASCII(word);
      expect(decodePunycode(label.slice(4))).toBe(domainToUnicode(label));
    }
    expect(decodePunycode('99999999999999999')).toBeNull();
  });
});
