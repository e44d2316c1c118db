// `--config-file FILE`: a YAML file shaped like gcsfuse's (`gcs-connection: {custom-endpoint: ...}`,
// `metadata-cache: {ttl-secs: 60}`, ...), read into the same option values as flags, through the same
// setters (setters.ts). Our own options are top-level keys under their flag names (`memory-cache-size: 1G`).
// Every scalar is handed over as the text written, so `file-mode: 0644` and `ttl-secs: -1` parse exactly
// as on the command line. An unknown key, a wrong value or bad YAML is a ConfigError with FILE:LINE, because
// a config file is read by a person fixing it. The `yaml` library keeps source ranges for that.

import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { CONFIG_KEYS, CONFIG_SECTIONS, setterForConfigKey, suggest, type Values } from './setters.js';
import { ConfigError } from './values.js';

export async function loadConfigFile(file: string): Promise<Values> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`--config-file ${file}: cannot read it (${why})`);
  }
  return parseConfigText(text, file);
}

/** Parses a config file's text; `file` is only for messages. */
export function parseConfigText(text: string, file: string): Values {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    throw new ConfigError(`${file}:${lines.linePos(first.pos[0]).line}: not valid YAML: ${first.message}`);
  }
  const at = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0];
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
  const values: Values = new Map();
  if (doc.contents === null) return values; // an empty file sets nothing
  if (!isMap(doc.contents)) throw new ConfigError(`${at(doc.contents)}: expected a mapping of option: value`);
  const walk = (map: YAMLMap, prefix: string): void => {
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const path = prefix + key;
      const value = pair.value as Node | null;
      if (isMap(value)) {
        if (!CONFIG_SECTIONS.has(path)) throw unknown(at(keyNode), path);
        walk(value, `${path}.`);
        continue;
      }
      const setter = setterForConfigKey(path);
      if (!setter) throw unknown(at(keyNode), path);
      if (!isScalar(value) || value.value === null) {
        throw new ConfigError(`${at(keyNode)}: ${path} needs a single value`);
      }
      try {
        // A plain scalar as written (`0o644` or `1e3` stay what the user typed, not YAML's number).
        const written = value.range ? text.slice(value.range[0], value.range[1]) : '';
        const raw = value.type !== 'PLAIN' && typeof value.value === 'string' ? value.value : written;
        setter.apply(raw, values);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        // The value parsers name the flag; in a file the key is what the reader looks for.
        throw new ConfigError(`${at(value)}: ${path}: ${err.message.replace(/^--[\w-]+:?\s*/, '')}`);
      }
    }
  };
  walk(doc.contents, '');
  return values;
}

function unknown(where: string, path: string): ConfigError {
  return new ConfigError(`${where}: unknown key '${path}'${suggest(path, CONFIG_KEYS, '')}`);
}
