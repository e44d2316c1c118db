// A reader for INI files with the semantics of Python 3's ConfigParser (strict, BasicInterpolation), which
// is what boto uses to read .boto files. It owns lexing, merging several files and `%(name)s` lookups; it
// knows nothing of boto's keys (boto-config.ts does). Values keep their file and line so errors can point
// at them, and error messages never quote a value: a malformed line in a .boto may well be a secret.

/** A malformed file or value; `line` is 0 when the problem is the file as a whole. */
export class IniError extends Error {
  override readonly name = 'IniError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(`${line > 0 ? `${file}:${line}` : file}: ${message}`);
  }
}

export interface IniValue {
  /** Raw (uninterpolated) text; continuation lines joined with '\n'. */
  raw: string;
  file: string;
  line: number;
}

/** Sections by exact (case-sensitive) name; options by lower-cased name. `DEFAULT` is kept apart. */
export interface IniDocument {
  defaults: Map<string, IniValue>;
  sections: Map<string, Map<string, IniValue>>;
}

const DEFAULT_SECTION = 'DEFAULT';
const SECTION_RE = /^\[(.+)\]/;
// Python's OPTCRE: the shortest name before the first '=' or ':'.
const OPTION_RE = /^(.*?)\s*([=:])\s*(.*)$/;
const MAX_INTERPOLATION_DEPTH = 10; // Python's MAX_INTERPOLATION_DEPTH

export function emptyIni(): IniDocument {
  return { defaults: new Map(), sections: new Map() };
}

/**
 * Parses one file into `into` (later files override earlier ones key by key, like ConfigParser.read).
 * Within one file a repeated section or option is an error, as with Python's strict mode.
 */
export function parseIni(text: string, file: string, into: IniDocument = emptyIni()): IniDocument {
  const lines = text.split(/\r\n|\n|\r/);
  const seenSections = new Set<string>();
  const seenOptions = new Set<string>();
  let current: Map<string, IniValue> | undefined;
  let sectionName = '';
  let option: { value: IniValue; parts: string[] } | undefined;
  let indentLevel = 0;

  const finish = (): void => {
    if (option) option.value.raw = option.parts.join('\n').trimEnd();
  };

  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    const stripped = line.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    if (isComment || stripped === '') {
      // An empty line inside a value is kept (trailing ones are trimmed); a comment line is dropped.
      if (!isComment && option) option.parts.push('');
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (option && indent > indentLevel) {
      option.parts.push(stripped);
      continue;
    }
    indentLevel = indent;
    const header = SECTION_RE.exec(stripped);
    if (header) {
      finish();
      option = undefined;
      sectionName = header[1] ?? '';
      if (seenSections.has(sectionName)) {
        throw new IniError(`section [${sectionName}] appears twice in this file`, file, lineNo);
      }
      seenSections.add(sectionName);
      if (sectionName === DEFAULT_SECTION) {
        current = into.defaults;
      } else {
        current = into.sections.get(sectionName) ?? new Map<string, IniValue>();
        into.sections.set(sectionName, current);
      }
      continue;
    }
    if (!current) {
      throw new IniError('a setting appears before the first [Section] header', file, lineNo);
    }
    const match = OPTION_RE.exec(stripped);
    const name = match?.[1]?.trimEnd().toLowerCase() ?? '';
    if (!match || name === '') {
      throw new IniError(
        "cannot parse this line: expected '[Section]', 'name = value', 'name: value' or an indented continuation",
        file,
        lineNo,
      );
    }
    const key = `${sectionName}\0${name}`;
    if (seenOptions.has(key)) {
      throw new IniError(`option '${name}' appears twice in section [${sectionName}]`, file, lineNo);
    }
    seenOptions.add(key);
    finish();
    const value: IniValue = { raw: '', file, line: lineNo };
    option = { value, parts: [(match[3] ?? '').trim()] };
    current.set(name, value);
  }
  finish();
  return into;
}

/** The raw entry for `name` in `section`, falling back to [DEFAULT]. */
export function iniLookup(doc: IniDocument, section: string, name: string): IniValue | undefined {
  const key = name.toLowerCase();
  return doc.sections.get(section)?.get(key) ?? doc.defaults.get(key);
}

/** The interpolated value of `name` in `section` (or [DEFAULT]), or undefined when unset. */
export function iniGet(doc: IniDocument, section: string, name: string): string | undefined {
  const entry = iniLookup(doc, section, name);
  return entry === undefined ? undefined : interpolate(doc, section, name, entry, 1);
}

function interpolate(
  doc: IniDocument,
  section: string,
  name: string,
  entry: IniValue,
  depth: number,
): string {
  const where = `[${section}] ${name}`;
  if (depth > MAX_INTERPOLATION_DEPTH) {
    throw new IniError(`${where}: %(...)s references nest too deeply (a loop?)`, entry.file, entry.line);
  }
  let out = '';
  const raw = entry.raw;
  let i = 0;
  while (i < raw.length) {
    const pct = raw.indexOf('%', i);
    if (pct < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, pct);
    const next = raw[pct + 1];
    if (next === '%') {
      out += '%';
      i = pct + 2;
      continue;
    }
    const ref = next === '(' ? /^%\(([^)]+)\)s/.exec(raw.slice(pct)) : null;
    if (!ref) {
      throw new IniError(
        `${where}: a '%' must be written '%%' or start a '%(name)s' reference`,
        entry.file,
        entry.line,
      );
    }
    const refName = (ref[1] ?? '').toLowerCase();
    const target = iniLookup(doc, section, refName);
    if (!target) {
      throw new IniError(
        `${where}: '%(${refName})s' names no option of [${section}] or [DEFAULT]`,
        entry.file,
        entry.line,
      );
    }
    out += interpolate(doc, section, refName, target, depth + 1);
    i = pct + ref[0].length;
  }
  return out;
}
