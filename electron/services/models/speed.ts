/**
 * Speeds predicted before download (model library): this machine's speed calibration, measured in
 * the first engine process (engine/process/calibration.ts) and kept in the settings with the
 * fingerprint of the machine it was measured on, so another machine (or another GPU) asks for a
 * new one. The renderer predicts each catalog file's speed from it (shared/speed.ts).
 */
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hardwareFingerprint, type SpeedCalibration } from '#shared/speed.ts';
import type { EnginePool } from '../../engine/client/engine-pool.ts';
import type { SettingsService } from '../settings/settings.ts';

export interface SpeedServiceOptions {
  engine: Pick<EnginePool, 'hardware' | 'calibrate'>;
  settings: Pick<SettingsService, 'values' | 'update'>;
  /** Where the synthetic models are written for the run (deleted after it). */
  dir?: string;
  /** False (ENCLAVE_SPEED_CALIBRATION=manual): only the user's *Measure* runs it, not the first visit. */
  automatic: boolean;
}

export class SpeedService {
  private readonly options: SpeedServiceOptions;
  /** The calibration under way: a second ask waits for it instead of measuring alongside. */
  private running: Promise<SpeedCalibration> | null = null;

  constructor(options: SpeedServiceOptions) {
    this.options = options;
  }

  /** The stored calibration when it was measured on this machine, else null. */
  async current(): Promise<SpeedCalibration | null> {
    const stored = this.options.settings.values.speedCalibration;
    if (stored === null) return null;
    return stored.fingerprint === (await this.fingerprint()) ? stored : null;
  }

  /** Measures this machine; an automatic run (the page's first visit) measures nothing when those are turned off. */
  calibrate(automatic = false): Promise<SpeedCalibration | null> {
    if (automatic && !this.options.automatic) return Promise.resolve(null);
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<SpeedCalibration> {
    const started = performance.now();
    const fingerprint = await this.fingerprint();
    const { cpu, gpu } = await this.options.engine.calibrate(this.options.dir ?? join(tmpdir(), 'enclave-calibration'));
    const calibration: SpeedCalibration = { fingerprint, measuredAt: new Date().toISOString(), seconds: (performance.now() - started) / 1000, cpu, gpu };
    this.options.settings.update({ speedCalibration: calibration });
    return calibration;
  }

  private async fingerprint(): Promise<string> {
    const hardware = await this.options.engine.hardware();
    return hardwareFingerprint({ ...hardware, cpuModel: cpus()[0]?.model ?? 'unknown' });
  }
}
