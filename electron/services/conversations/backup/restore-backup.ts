/**
 * Restores a backup into the running app by merging, never replacing: every row is keyed by its
 * id, rows already here stay as they are (a rename here is kept), rows missing are added, so a
 * backup restored twice adds nothing the second time. Settings follow the backup except those
 * the environment fixes. An older backup's database is migrated first; a newer or damaged one is
 * refused before anything changes.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { BackupRestored, ImportSummary } from '#shared/conversations.ts';
import { EnclaveError } from '#shared/errors.ts';
import { settingsSchema, type Settings, type SettingsPatch } from '#shared/settings.ts';
import { openDatabase, userVersion } from '../../platform/db/database.ts';
import { SCHEMA_VERSION } from '../../platform/db/migrations.ts';
import type { SettingsService } from '../../settings/settings.ts';
import { BACKUP_ENTRIES, BACKUP_FORMAT, BACKUP_TABLES, BACKUP_VERSION, type BackupManifest } from './backup-format.ts';

const ENTRY_NAMES = new Set<string>(Object.values(BACKUP_ENTRIES));

export interface RestoreTarget {
  db: DatabaseSync;
  settings: SettingsService;
}

/** Whether the zip at `path` is an Enclave backup (it holds the manifest). */
export async function isBackupZip(path: string): Promise<boolean> {
  const names = await zipEntryNames(path).catch((): string[] => []);
  return names.includes(BACKUP_ENTRIES.manifest);
}

export async function restoreBackup(path: string, target: RestoreTarget): Promise<ImportSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'enclave-restore-'));
  try {
    await extract(path, dir);
    parseManifest(await readFile(join(dir, BACKUP_ENTRIES.manifest), 'utf8').catch(() => ''));
    const databaseFile = join(dir, BACKUP_ENTRIES.database);
    if (!existsSync(databaseFile)) throw invalid('backup', `the backup holds no ${BACKUP_ENTRIES.database}`);
    checkDatabase(databaseFile);
    const settings = parseSettings(await readFile(join(dir, BACKUP_ENTRIES.settings), 'utf8').catch(() => '{}'));
    const merged = mergeDatabase(target.db, databaseFile);
    const restoredSettings = restoreSettings(target.settings, settings);
    return {
      format: BACKUP_FORMAT,
      cancelled: false,
      conversations: merged.conversations,
      messagesAdded: merged.messagesAdded,
      imagesOmitted: 0,
      toolBlocks: 0,
      partsDropped: 0,
      restored: { ...merged.restored, ...restoredSettings },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function invalid(reason: 'backup' | 'newer-backup', message: string): EnclaveError {
  return new EnclaveError('IMPORT_INVALID', message, { reason, imported: 0 });
}

function parseManifest(text: string): void {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw invalid('backup', `${BACKUP_ENTRIES.manifest} is not JSON`);
  }
  const { format, version, schemaVersion } = (manifest ?? {}) as Partial<BackupManifest>;
  if (format !== BACKUP_FORMAT || typeof version !== 'number' || typeof schemaVersion !== 'number') throw invalid('backup', `${BACKUP_ENTRIES.manifest} does not describe an Enclave backup`);
  if (version > BACKUP_VERSION || schemaVersion > SCHEMA_VERSION) throw invalid('newer-backup', `the backup was made by a newer Enclave (backup format ${version}, schema ${schemaVersion})`);
}

/** The backup's database, checked and brought to this app's schema (in the temporary folder). */
function checkDatabase(file: string): void {
  const opened = openDatabase(file);
  try {
    if (opened.quarantined !== null) throw invalid(opened.quarantined.reason === 'newerSchema' ? 'newer-backup' : 'backup', `the backup's database cannot be used (${opened.quarantined.reason})`);
    if (userVersion(opened.db) !== SCHEMA_VERSION) throw invalid('backup', "the backup's database has no schema");
    opened.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    opened.db.close();
  }
}

interface Merged {
  conversations: ImportSummary['conversations'];
  messagesAdded: number;
  restored: Pick<BackupRestored, 'comparisons' | 'promptSets' | 'samplingPresets'>;
}

function mergeDatabase(db: DatabaseSync, file: string): Merged {
  db.prepare('ATTACH DATABASE ? AS backup').run(file);
  try {
    const count = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);
    const backedUp = count('SELECT count(*) AS n FROM backup.conversations WHERE deleted_at IS NULL');
    const updated = count(
      `SELECT count(DISTINCT m.conversation_id) AS n FROM backup.messages m
       WHERE m.conversation_id IN (SELECT id FROM main.conversations) AND m.id NOT IN (SELECT id FROM main.messages)`,
    );
    const added: Record<string, number> = {};
    db.exec('BEGIN IMMEDIATE');
    try {
      // Messages reference their parents; the order rows come in is not theirs, so the check waits for the commit.
      db.exec('PRAGMA defer_foreign_keys = ON');
      for (const { table, rows } of BACKUP_TABLES) added[table] = Number(db.prepare(`INSERT OR IGNORE INTO main.${table} ${rows}`).run().changes);
      db.exec(
        `UPDATE main.conversations SET
           message_count = (SELECT count(*) FROM main.messages WHERE conversation_id = conversations.id),
           updated_at = max(updated_at, coalesce((SELECT max(created_at) FROM main.messages WHERE conversation_id = conversations.id), 0))
         WHERE id IN (SELECT conversation_id FROM backup.messages)`,
      );
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
    const conversationsAdded = added.conversations ?? 0;
    return {
      conversations: { added: conversationsAdded, updated, unchanged: backedUp - conversationsAdded - updated },
      messagesAdded: added.messages ?? 0,
      restored: { comparisons: added.compare_runs ?? 0, promptSets: added.prompt_sets ?? 0, samplingPresets: added.sampling_presets ?? 0 },
    };
  } finally {
    db.exec('DETACH DATABASE backup');
  }
}

/** The backup's valid settings, field by field (one bad value is skipped, not the others). */
function parseSettings(text: string): Partial<Settings> {
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
  const values: Partial<Record<keyof Settings, unknown>> = {};
  for (const key of Object.keys(settingsSchema.shape) as (keyof Settings)[]) {
    // A speed calibration belongs to the machine it was measured on, not to the restored data.
    if (key === 'speedCalibration') continue;
    const parsed = settingsSchema.shape[key].safeParse(stored[key]);
    if (parsed.success) values[key] = parsed.data;
  }
  return values as Partial<Settings>;
}

function restoreSettings(service: SettingsService, backup: Partial<Settings>): Pick<BackupRestored, 'settings' | 'settingsLocked'> {
  const { values, locked } = service.view();
  const differing = (Object.keys(backup) as (keyof Settings)[]).filter((key) => backup[key] !== values[key]);
  const patch: SettingsPatch = Object.fromEntries(differing.filter((key) => !locked.includes(key)).map((key) => [key, backup[key]]));
  const restored = Object.keys(patch).length;
  if (restored > 0) service.update(patch);
  return { settings: restored, settingsLocked: differing.length - restored };
}

function zipEntryNames(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error !== null) return reject(error);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('error', reject);
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

/** The backup's known files into `dir`, under their own fixed names (nothing else in the zip is written). */
function extract(path: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error !== null) return reject(invalid('backup', `not a readable zip: ${error.message}`));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!ENTRY_NAMES.has(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null) return reject(invalid('backup', `cannot read ${entry.fileName}: ${streamError.message}`));
          pipeline(stream, createWriteStream(join(dir, entry.fileName))).then(
            () => zip.readEntry(),
            (pipeError: Error) => reject(invalid('backup', `cannot read ${entry.fileName}: ${pipeError.message}`)),
          );
        });
      });
      zip.on('error', (zipError: Error) => reject(invalid('backup', `not a readable zip: ${zipError.message}`)));
      zip.on('end', () => resolve());
      zip.readEntry();
    });
  });
}
