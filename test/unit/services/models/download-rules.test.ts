import { describe, expect, it } from 'vitest';
import { EnclaveError } from '#shared/errors.ts';
import { parseDigest, resolveUrl } from '../../../../electron/services/models/downloads/hugging-face.ts';
import { backoffDelay, classifyFailure, DEFAULT_RETRY, HttpStatusError, isRetriable, StallError } from '../../../../electron/services/models/downloads/retry.ts';

const SHA = 'ab'.repeat(32);

describe('backoff', () => {
  it('doubles from the base delay up to the cap, jittered within the upper half', () => {
    const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000];
    ceilings.forEach((ceiling, index) => {
      for (let sample = 0; sample < 200; sample++) {
        const delay = backoffDelay(DEFAULT_RETRY, index + 1);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    });
  });

  it('spreads the delays rather than repeating one', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(DEFAULT_RETRY, 3)));
    expect(delays.size).toBeGreaterThan(1);
  });
});

describe('which failures are retried', () => {
  const diskFull = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

  it('retries stalls, server errors, expired links and cut connections', () => {
    expect(isRetriable(new StallError(30_000))).toBe(true);
    expect(isRetriable(new HttpStatusError(503, 'https://huggingface.co/x'))).toBe(true);
    expect(isRetriable(new HttpStatusError(403, 'https://cdn-lfs.hf.co/x'))).toBe(true);
    expect(isRetriable(new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('does not retry a missing or forbidden file, a full disk, or a typed error even wrapped by fetch', () => {
    for (const status of [401, 404, 410]) expect(isRetriable(new HttpStatusError(status, 'https://huggingface.co/x'))).toBe(false);
    expect(isRetriable(diskFull)).toBe(false);
    expect(isRetriable(new EnclaveError('CHECKSUM_MISMATCH', 'bad file'))).toBe(false);
    expect(isRetriable(new TypeError('fetch failed', { cause: new EnclaveError('EGRESS_BLOCKED', 'refused') }))).toBe(false);
  });

  it('reports the typed cause, DISK_FULL for a full disk, and DOWNLOAD_FAILED for the rest', () => {
    const refusal = new EnclaveError('EGRESS_BLOCKED', 'refused');
    expect(classifyFailure(new TypeError('fetch failed', { cause: refusal }))).toBe(refusal);
    expect(classifyFailure(diskFull).code).toBe('DISK_FULL');
    const other = classifyFailure(new StallError(1_500));
    expect(other.code).toBe('DOWNLOAD_FAILED');
    expect(other.message).toBe('no data for 1500 ms');
  });
});

describe('Hugging Face digests and URLs', () => {
  it('reads the sha256 from X-Linked-Etag, quoted or weak, in lower case', () => {
    expect(parseDigest(new Headers({ 'x-linked-etag': `"${SHA}"` })).sha256).toBe(SHA);
    expect(parseDigest(new Headers({ 'x-linked-etag': `W/"${SHA.toUpperCase()}"` })).sha256).toBe(SHA);
    expect(parseDigest(new Headers({ etag: SHA })).sha256).toBe(SHA);
  });

  it('prefers X-Linked-Etag to the ETag, and finds no sha256 in a git blob id', () => {
    expect(parseDigest(new Headers({ 'x-linked-etag': `"${SHA}"`, etag: `"${'cd'.repeat(32)}"` })).sha256).toBe(SHA);
    expect(parseDigest(new Headers({ etag: `"${'a1'.repeat(20)}"` })).sha256).toBeNull();
    expect(parseDigest(new Headers()).sha256).toBeNull();
  });

  it('reads the size from X-Linked-Size, else Content-Length, and none when absent or zero', () => {
    expect(parseDigest(new Headers({ 'x-linked-size': '639000000', 'content-length': '1234' })).sizeBytes).toBe(639_000_000);
    expect(parseDigest(new Headers({ 'content-length': '1234' })).sizeBytes).toBe(1234);
    expect(parseDigest(new Headers({ 'content-length': '0' })).sizeBytes).toBeNull();
    expect(parseDigest(new Headers()).sizeBytes).toBeNull();
  });

  it('resolves a part beside the requested file, each path segment encoded', () => {
    expect(resolveUrl('https://huggingface.co', 'Qwen/Qwen3-0.6B-GGUF', 'Qwen3-0.6B-Q8_0.gguf', 'Qwen3-0.6B-Q8_0.gguf')).toBe(
      'https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/Qwen3-0.6B-Q8_0.gguf',
    );
    expect(resolveUrl('http://127.0.0.1:8080', 'org/big', 'Q4 K/big-00001-of-00002.gguf', 'big-00002-of-00002.gguf')).toBe('http://127.0.0.1:8080/org/big/resolve/main/Q4%20K/big-00002-of-00002.gguf');
  });
});
