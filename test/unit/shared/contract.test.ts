import { describe, expect, it } from 'vitest';
import { LIMITS, newJobId } from '#shared/chat.ts';
import { COMMAND_NAMES, commandSchemas, isCommandName } from '#shared/contract.ts';
import { EnclaveError, isErrorPayload, toErrorPayload } from '#shared/errors.ts';

const generate = commandSchemas['chat.generate'];
const validGenerate = { jobId: 'Job_0123456789abcdef', modelId: 'a.gguf', messages: [{ role: 'user', content: 'Bonjour' }] };

describe('command schemas', () => {
  it('accept a well-formed generation request', () => {
    expect(generate.safeParse(validGenerate).success).toBe(true);
    expect(generate.safeParse({ ...validGenerate, sampling: { temperature: 0.2, maxTokens: 10, seed: 7 } }).success).toBe(true);
  });

  it.each([
    ['no messages', { ...validGenerate, messages: [] }],
    ['no job id', { ...validGenerate, jobId: undefined }],
    ['a short job id', { ...validGenerate, jobId: 'abc' }],
    ['a job id with other characters', { ...validGenerate, jobId: '../../0123456789abcdef' }],
    ['a huge job id', { ...validGenerate, jobId: 'x'.repeat(65) }],
    ['unknown role', { ...validGenerate, messages: [{ role: 'tool', content: 'x' }] }],
    ['content not a string', { ...validGenerate, messages: [{ role: 'user', content: 42 }] }],
    ['extra key', { ...validGenerate, extra: true }],
    ['empty model id', { ...validGenerate, modelId: '' }],
    ['huge model id', { ...validGenerate, modelId: 'x'.repeat(LIMITS.maxIdChars + 1) }],
    ['huge message', { ...validGenerate, messages: [{ role: 'user', content: 'x'.repeat(LIMITS.maxMessageChars + 1) }] }],
    ['temperature out of range', { ...validGenerate, sampling: { temperature: 9 } }],
    ['fractional maxTokens', { ...validGenerate, sampling: { maxTokens: 1.5 } }],
    ['null', null],
    ['array', []],
  ])('refuse %s', (_name, input) => {
    expect(generate.safeParse(input).success).toBe(false);
  });

  it('accept the job ids clients make', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newJobId()));
    expect(ids.size).toBe(100);
    for (const jobId of ids) expect(generate.safeParse({ ...validGenerate, jobId }).success).toBe(true);
  });

  it('refuse prototype keys instead of merging them', () => {
    const hostile = JSON.parse('{"jobId":"x","__proto__":{"polluted":true}}') as unknown;
    expect(commandSchemas['chat.stop'].safeParse(hostile).success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('name commands only from the contract', () => {
    expect(COMMAND_NAMES).toContain('chat.generate');
    expect(isCommandName('chat.generate')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName('__proto__')).toBe(false);
    expect(isCommandName(undefined)).toBe(false);
  });
});

describe('errors', () => {
  it('keep typed errors and wrap anything else as INTERNAL', () => {
    expect(toErrorPayload(new EnclaveError('BUSY', 'busy', { jobId: 'j' }))).toEqual({ code: 'BUSY', message: 'busy', details: { jobId: 'j' } });
    expect(toErrorPayload(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toErrorPayload('text')).toEqual({ code: 'INTERNAL', message: 'text' });
    expect(isErrorPayload({ code: 'NOT_A_CODE', message: 'x' })).toBe(false);
  });
});
