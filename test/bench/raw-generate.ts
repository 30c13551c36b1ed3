/**
 * Raw node-llama-cpp in one process, the baseline of the benchmark: the same chat history,
 * sampling and threads as the engine, without the engine process or the contract.
 * Reads its job from argv[2] (JSON) and prints one JSON line per run.
 */
import { getLlama, LlamaChat, LlamaLogLevel } from 'node-llama-cpp';
import { MAX_CONTEXT_SIZE, toChatHistory } from '../../electron/engine/engine.ts';

interface RawJob {
  modelPath: string;
  threads: number;
  prompt: string;
  maxTokens: number;
  runs: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as RawJob;
const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: job.threads });
const model = await llama.loadModel({ modelPath: job.modelPath });
const context = await model.createContext({ contextSize: { max: Math.min(model.trainContextSize, MAX_CONTEXT_SIZE) }, threads: job.threads, sequences: 1 });

// One chat on one sequence for every run, as the engine keeps it, so both reuse the cache alike.
const chat = new LlamaChat({ contextSequence: context.getSequence(), autoDisposeSequence: true });
for (let run = 0; run < job.runs; run++) {
  let tokens = 0;
  let firstTokenAt: number | null = null;
  const started = performance.now();
  await chat.generateResponse(toChatHistory([{ role: 'user', content: job.prompt }]), {
    temperature: 0,
    maxTokens: job.maxTokens,
    onToken: (generated) => {
      firstTokenAt ??= performance.now();
      tokens += generated.length;
    },
  });
  const ms = performance.now() - started;
  console.log(JSON.stringify({ tokens, ms, ttftMs: firstTokenAt === null ? null : firstTokenAt - started }));
}
chat.dispose();
await llama.dispose();
