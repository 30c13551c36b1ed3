/**
 * A process that runs the download service the way the host does, so a test can SIGKILL it
 * mid-download and start it again. Prints every job update as a JSON line.
 * Usage: node download-child.ts <modelsDir> <endpoint> <repo> <file>
 */
import { join } from 'node:path';
import { DownloadService } from '../../electron/services/models/downloads/download-service.ts';
import { EgressGate } from '../../electron/services/privacy/egress.ts';

const [modelsDir = '', endpoint = '', repo = '', file = ''] = process.argv.slice(2);
const gate = new EgressGate({ logFile: join(modelsDir, '..', 'egress-log.jsonl'), allowedHosts: () => [new URL(endpoint).host], offline: () => false });
const service = new DownloadService({
  modelsDir,
  gate,
  endpoint,
  emit: (job) => process.stdout.write(`${JSON.stringify(job)}\n`),
  onVerified: () => Promise.resolve(),
  progressIntervalMs: 20,
});
// A download the previous (killed) process left behind resumes by itself.
await service.restore();
if (service.list().length === 0) service.start({ repo, file, catalogId: null, quant: null });
