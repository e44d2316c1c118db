// Parsing of option values: durations, sizes, octal modes, integers, booleans. Pure; every failure is a
// ConfigError naming the option and showing the accepted forms, because a wrong value in /etc/fstab is
// read by a person at boot time, not by a program.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90`, `90s`, `1.5m`, `250ms`, `2h` -> milliseconds. A bare number is seconds (gcsfuse's habit). */
export function parseDuration(option: string, text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new ConfigError(`--${option}: '${text}' is not a duration (examples: 30s, 5m, 250ms, 1h)`);
  return Math.round(Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? 's'] ?? 1000));
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)$/i;
const SIZE_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

/** `1048576`, `512K`, `256M`, `1.5G`, `2GiB` -> bytes (binary units, as df and du mean them). */
export function parseSize(option: string, text: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new ConfigError(`--${option}: '${text}' is not a size (examples: 0, 512K, 256M, 2G)`);
  const power = SIZE_POWER[(m[2] ?? '').toLowerCase()] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** `644`, `0755` -> permission bits. */
export function parseMode(option: string, text: string): number {
  if (!/^0?[0-7]{3}$/.test(text.trim())) {
    throw new ConfigError(`--${option}: '${text}' is not an octal mode (examples: 644, 0755)`);
  }
  return parseInt(text, 8);
}

export function parseInteger(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`--${option}: '${text}' is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`--${option}: '${text}' is too large`);
  return n;
}

export function parseBoolean(option: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  throw new ConfigError(`--${option}: '${text}' is not true or false`);
}

/** `2`, `1.5` -> a non-negative number (a factor, not a count). */
export function parseNumber(option: string, text: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(text.trim())) throw new ConfigError(`--${option}: '${text}' is not a number`);
  return Number(text);
}
