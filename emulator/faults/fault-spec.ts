// The fault specification: a seed and an ordered list of rules (match -> effect, by probability or for a
// counted number of requests), parsed from the `--faults` text, from flat JSON with the same keys, or from
// structured JSON ({seed, rules:[...]}) as the admin endpoint returns it. Grammar: see README.md here.
// It does not apply faults (injector.ts does); every parse error names the offending key and value.

import { isRecord, validateStructured } from './fault-rules-json.js';

export interface FaultMatch {
  /** Upper-case methods; absent = any. */
  methods?: string[];
  /** Prefix of the request path (raw or decoded); absent = any. */
  pathPrefix?: string;
  /** Substring the raw query must contain; absent = any. */
  query?: string;
}

export type FaultEffect =
  | { kind: 'status'; statuses: number[]; code?: string; retryAfterSeconds?: number }
  | { kind: 'reset'; afterBytes: number; side: 'response' | 'request' }
  | { kind: 'stall'; afterBytes: number; ms: number }
  | { kind: 'latency'; ms: number }
  | { kind: 'bandwidth'; bytesPerSecond: number };

export interface FaultRule {
  match: FaultMatch;
  effect: FaultEffect;
  /** Chance in [0, 1] that the rule fires on a matching request (default 1). */
  probability?: number;
  /** Remaining firings; absent = unlimited. A counted rule with `times: 0` is spent. */
  times?: number;
}

export interface FaultSpec {
  seed: number;
  rules: FaultRule[];
}

const fail = (message: string): never => {
  throw new Error(`faults: ${message}`);
};

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, gib: 1024 ** 3,
}; // prettier-ignore

export function parseSize(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined)
    return fail(`${key}: expected a byte size like 1000, 64KiB or 1MiB, got "${text}"`);
  return Math.round(Number(m[1]) * unit);
}

export function parseDuration(key: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m) return fail(`${key}: expected a duration like 20ms, 2s or 1m, got "${text}"`);
  const unit = m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1;
  return Math.round(Number(m[1]) * unit);
}

function parseProbability(key: string, text: string): number {
  const p = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) {
    return fail(`${key}: expected a probability between 0 and 1, got "${text}"`);
  }
  return p;
}

function parseCount(key: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) return fail(`${key}: expected a whole number, got "${text}"`);
  return Number(text.trim());
}

/** Splits `VALUE@P` into the value and its probability (undefined when no `@`). */
function withProbability(key: string, text: string): [string, number | undefined] {
  const at = text.lastIndexOf('@');
  return at < 0 ? [text, undefined] : [text.slice(0, at), parseProbability(key, text.slice(at + 1))];
}

const GROUP_KEYS = new Set([
  'seed', 'methods', 'path', 'query', 'times', 'rate', 'status', 'code', 'retry-after', 'reset', 'reset-after',
  'reset-side', 'reset-request', 'latency', 'stall', 'stall-after', 'bandwidth',
]); // prettier-ignore

/** One `,`-separated group of the text form: shared filters and count, one rule per effect key. */
function parseGroup(pairs: Map<string, string>, index: number): { seed?: number; rules: FaultRule[] } {
  for (const key of pairs.keys()) {
    if (!GROUP_KEYS.has(key)) fail(`unknown key "${key}" (known: ${[...GROUP_KEYS].join(', ')})`);
  }
  const get = (key: string): string | undefined => pairs.get(key);
  const match: FaultMatch = {};
  const methods = get('methods');
  if (methods !== undefined) {
    match.methods = methods.split('|').map((m) => m.trim().toUpperCase());
    if (match.methods.some((m) => !/^[A-Z]+$/.test(m)))
      fail(`methods: expected e.g. GET|PUT, got "${methods}"`);
  }
  const path = get('path');
  if (path !== undefined) {
    if (!path.startsWith('/')) fail(`path: expected a prefix starting with "/", got "${path}"`);
    match.pathPrefix = path;
  }
  const query = get('query');
  if (query !== undefined) match.query = query;
  const times = get('times');
  const counted = (rule: FaultRule): FaultRule =>
    times === undefined ? rule : { ...rule, times: parseCount('times', times) };
  const rules: FaultRule[] = [];
  const add = (effect: FaultEffect, probability: number | undefined): void => {
    const rule: FaultRule = { match: { ...match }, effect };
    if (probability !== undefined) rule.probability = probability;
    rules.push(counted(rule));
  };

  const status = get('status');
  if (status !== undefined) {
    const statuses = status.split('|').map((s) => parseCount('status', s));
    if (statuses.some((s) => s < 400 || s > 599))
      fail(`status: expected 4xx/5xx codes like 429|503, got "${status}"`);
    const effect: FaultEffect = { kind: 'status', statuses };
    const code = get('code');
    if (code !== undefined) effect.code = code;
    const retryAfter = get('retry-after');
    if (retryAfter !== undefined) effect.retryAfterSeconds = parseCount('retry-after', retryAfter);
    const rate = get('rate');
    add(effect, rate === undefined ? undefined : parseProbability('rate', rate));
  } else if (get('rate') !== undefined || get('code') !== undefined) {
    fail(`group ${index + 1}: rate/code given without status`);
  }
  const reset = get('reset');
  const resetAfter = get('reset-after');
  if (reset !== undefined || resetAfter !== undefined) {
    const [bytesText, p] = reset?.includes('@') ? withProbability('reset', reset) : [undefined, undefined];
    const probability = reset !== undefined && !reset.includes('@') ? parseProbability('reset', reset) : p;
    const side = get('reset-side') ?? 'response';
    if (side !== 'response' && side !== 'request')
      fail(`reset-side: expected request or response, got "${side}"`);
    const afterBytes = parseSize('reset-after', resetAfter ?? bytesText ?? '0');
    add({ kind: 'reset', afterBytes, side: side as 'response' | 'request' }, probability);
  }
  const resetRequest = get('reset-request');
  if (resetRequest !== undefined) {
    const [bytes, p] = withProbability('reset-request', resetRequest);
    add({ kind: 'reset', afterBytes: parseSize('reset-request', bytes), side: 'request' }, p);
  }
  const latency = get('latency');
  if (latency !== undefined) {
    const [ms, p] = withProbability('latency', latency);
    add({ kind: 'latency', ms: parseDuration('latency', ms) }, p);
  }
  const stall = get('stall');
  if (stall !== undefined) {
    const [ms, p] = withProbability('stall', stall);
    const after = get('stall-after');
    add(
      {
        kind: 'stall',
        ms: parseDuration('stall', ms),
        afterBytes: after === undefined ? 0 : parseSize('stall-after', after),
      },
      p,
    );
  }
  const bandwidth = get('bandwidth');
  if (bandwidth !== undefined) {
    const [rate, p] = withProbability('bandwidth', bandwidth);
    const bytesPerSecond = parseSize('bandwidth', rate);
    if (bytesPerSecond <= 0) fail(`bandwidth: must be positive, got "${bandwidth}"`);
    add({ kind: 'bandwidth', bytesPerSecond }, p);
  }
  const seedText = get('seed');
  const seed = seedText === undefined ? undefined : parseCount('seed', seedText);
  if (rules.length === 0 && pairs.size > (seed === undefined ? 0 : 1)) {
    fail(`group ${index + 1} has no effect (status, reset, reset-request, latency, stall or bandwidth)`);
  }
  return seed === undefined ? { rules } : { seed, rules };
}

function fromGroups(groups: Map<string, string>[]): FaultSpec {
  const spec: FaultSpec = { seed: 0, rules: [] };
  groups.forEach((pairs, i) => {
    const group = parseGroup(pairs, i);
    if (group.seed !== undefined) spec.seed = group.seed;
    spec.rules.push(...group.rules);
  });
  return spec;
}

function parseText(text: string): FaultSpec {
  const groups = text
    .split(';')
    .filter((g) => g.trim() !== '')
    .map((group) => {
      const pairs = new Map<string, string>();
      for (const piece of group.split(',')) {
        if (piece.trim() === '') continue;
        const eq = piece.indexOf('=');
        if (eq <= 0) fail(`expected key=value, got "${piece.trim()}"`);
        const key = piece.slice(0, eq).trim().toLowerCase();
        if (pairs.has(key))
          fail(`key "${key}" given twice in one group (use ";" to start another rule group)`);
        pairs.set(key, piece.slice(eq + 1).trim());
      }
      return pairs;
    });
  return fromGroups(groups);
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

function flatPairs(json: Record<string, unknown>): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const parts = Array.isArray(value) ? value.map(scalarText) : [scalarText(value)];
    if (parts.length === 0 || parts.some((p) => p === undefined)) {
      fail(`${key}: expected a string, number or list of them, got ${JSON.stringify(value)}`);
    }
    pairs.set(key.toLowerCase(), parts.join('|'));
  }
  return pairs;
}

/** Parses `--faults` text or a JSON document (flat keys, a list of flat groups, or {seed, rules}). */
export function parseFaultSpec(input: string): FaultSpec {
  const text = input.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return parseText(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${(err as Error).message}`);
  }
  return faultSpecFromJson(json);
}

/** Accepts the JSON shapes `parseFaultSpec` does, already parsed. */
export function faultSpecFromJson(json: unknown): FaultSpec {
  if (Array.isArray(json)) {
    return fromGroups(
      json.map((g, i) => (isRecord(g) ? flatPairs(g) : fail(`group ${i + 1}: expected an object`))),
    );
  }
  if (!isRecord(json)) return fail('expected a JSON object or list');
  if (!('rules' in json)) return fromGroups([flatPairs(json)]);
  return validateStructured(json);
}
