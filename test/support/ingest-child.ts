/**
 * A process that runs document ingestion the way the host does, so a test can SIGKILL it mid-PDF
 * and start it again, and the benchmark can read the peak memory of the process doing the
 * extraction. Opens the app's database in `dataDir`, adds the file (when named) to a new
 * collection, waits until nothing is left to read (files a killed run left are resumed by
 * themselves), then prints one JSON line: `{"done": true, "ms", "maxRssKb", "collectionId"}`
 * (`ms` from the file added to the last passage saved; `maxRssKb` the process's peak resident
 * memory, its extraction worker thread included).
 * Every file row it reports while reading is printed as a JSON line too.
 * Usage: node ingest-child.ts <dataDir> [<file>]
 */
import { join } from 'node:path';
import { DocumentsService } from '../../electron/services/documents/documents-service.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';

const [dataDir = '', file] = process.argv.slice(2);
const { db } = openDatabase(join(dataDir, 'conversations.db'));
const documents = new DocumentsService({
  db,
  dataDir,
  emit: (ingestion, row) => process.stdout.write(`${JSON.stringify({ ingestion, file: row })}\n`),
  loadedContextSize: () => null,
  extractWorker: join(import.meta.dirname, '..', '..', 'electron', 'services', 'documents', 'extract-worker.ts'),
});
// From the file added (or the reading resumed) to the last passage saved.
const started = Date.now();
let collectionId: string | null = null;
if (file !== undefined) {
  collectionId = documents.store.create('Grand fichier').id;
  await documents.ingestion.add('ingest-child-job-0001', collectionId, [{ path: file }]);
}
await documents.ingestion.idle();
process.stdout.write(`${JSON.stringify({ done: true, ms: Date.now() - started, maxRssKb: process.resourceUsage().maxRSS, collectionId })}\n`);
documents.dispose();
db.close();
