/** The environment of the engine's utility process, without Electron. */

/**
 * The shell's environment plus the engine's own variables (which win), without unset entries:
 * utilityProcess.fork replaces the environment rather than extending it.
 */
export function utilityEnvironment(base: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}
