// Structured, leveled logging to stderr. Owns formatting (text, JSON, or text with journald priority
// prefixes) and redaction; it does not own where logs go (always stderr: systemd and shells capture it).
// Redaction is by field name and by token shape, so a secret passed by mistake still never reaches a log.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json' | 'journald';
/** The least severe level logged; 'off' logs nothing (gcsfuse's `--log-severity off`). */
export type LogThreshold = LogLevel | 'off';

const RANK: Record<LogThreshold, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };
// sd-daemon(3) priorities: <7> debug, <6> info, <4> warning, <3> err.
const JOURNALD_PRIORITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };

const SECRET_FIELD = /secret|token|password|private_?key|authorization|assertion|signature|credential/i;
const SECRET_SHAPES: RegExp[] = [
  /ya29\.[\w.-]+/g, // Google OAuth access tokens
  /(Bearer\s+)[\w.~+/-]+=*/gi,
  /(GOOG1\s+\w+:)[\w+/=]+/g,
  /(Signature=)[0-9a-f]{16,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  readonly level: LogThreshold;
}

export function redactText(text: string): string {
  let out = text;
  for (const shape of SECRET_SHAPES) {
    out = out.replace(
      shape,
      (_m: string, keep?: string) => `${typeof keep === 'string' ? keep : ''}[REDACTED]`,
    );
  }
  return out;
}

function redactValue(key: string, value: unknown): unknown {
  if (SECRET_FIELD.test(key)) return '[REDACTED]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return redactText(value.message);
  return value;
}

export interface LoggerOptions {
  level?: LogThreshold;
  format?: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());

  const emit = (lvl: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[lvl] < RANK[level]) return;
    const all: LogFields = { ...bound, ...fields };
    const clean: LogFields = {};
    for (const [k, v] of Object.entries(all)) clean[k] = redactValue(k, v);
    const text = redactText(msg);
    if (format === 'json') {
      write(JSON.stringify({ time: now().toISOString(), level: lvl, msg: text, ...clean }));
      return;
    }
    const kv = Object.entries(clean)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`)
      .join(' ');
    const body = `${lvl.toUpperCase()} ${text}${kv ? ' ' + kv : ''}`;
    write(format === 'journald' ? `<${JOURNALD_PRIORITY[lvl]}>${body}` : `${now().toISOString()} ${body}`);
  };

  return {
    level,
    debug: (m, f) => {
      emit('debug', m, f);
    },
    info: (m, f) => {
      emit('info', m, f);
    },
    warn: (m, f) => {
      emit('warn', m, f);
    },
    error: (m, f) => {
      emit('error', m, f);
    },
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything; the default for library code and unit tests. */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: 'error' });
