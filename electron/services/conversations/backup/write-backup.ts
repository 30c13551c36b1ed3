/**
 * A full backup as one zip: a consistent copy of the database (`VACUUM INTO`, so a write in
 * progress never tears it), the settings, and a manifest saying what the zip is.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import type { ExportedFile } from '#shared/conversations.ts';
import type { Settings } from '#shared/settings.ts';
import { userVersion } from '../../platform/db/database.ts';
import { BACKUP_ENTRIES, BACKUP_FORMAT, BACKUP_VERSION, TABLES_LEFT_OUT, type BackupManifest } from './backup-format.ts';

export async function writeBackup(db: DatabaseSync, settings: Settings, now: Date = new Date()): Promise<ExportedFile> {
  const dir = await mkdtemp(join(tmpdir(), 'enclave-backup-'));
  try {
    const copy = join(dir, BACKUP_ENTRIES.database);
    db.prepare('VACUUM INTO ?').run(copy);
    leaveOut(copy);
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: now.toISOString(), schemaVersion: userVersion(db) };
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), BACKUP_ENTRIES.manifest);
    zip.addBuffer(Buffer.from(JSON.stringify(settings, null, 2)), BACKUP_ENTRIES.settings);
    zip.addBuffer(await readFile(copy), BACKUP_ENTRIES.database);
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
    const content = Buffer.concat(chunks).toString('base64');
    return { fileName: `enclave-backup-${now.toISOString().slice(0, 10)}.zip`, mimeType: 'application/zip', content, encoding: 'base64' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Empties the tables a backup leaves out (their index entries go with them, by trigger), then rewrites the file so no freed page keeps their text. */
function leaveOut(copy: string): void {
  const db = new DatabaseSync(copy);
  try {
    for (const table of TABLES_LEFT_OUT) db.exec(`DELETE FROM ${table}`);
    db.exec('VACUUM');
  } finally {
    db.close();
  }
}
