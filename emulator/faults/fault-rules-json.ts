// Validation of the structured JSON form of a fault spec ({seed, rules:[{match, effect, probability?,
// times?}]}), the shape the admin endpoint reports back, so a test can GET, edit and PUT it. Every field is
// checked from `unknown`; errors name the JSON path of the bad value.

import type { FaultEffect, FaultMatch, FaultRule, FaultSpec } from './fault-spec.js';

const fail = (message: string): never => {
  throw new Error(`faults: ${message}`);
};

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateStructured(json: Record<string, unknown>): FaultSpec {
  const seed = json['seed'] ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0)
    fail(`seed: expected a whole number, got ${JSON.stringify(seed)}`);
  const rules = json['rules'];
  if (!Array.isArray(rules)) return fail('rules: expected a list');
  return { seed: seed as number, rules: rules.map((r, i) => validateRule(r, i)) };
}

function validateMatch(raw: unknown, where: string): FaultMatch {
  if (raw === undefined) return {};
  if (!isRecord(raw)) return fail(`${where}.match: expected an object`);
  const match: FaultMatch = {};
  const { methods, pathPrefix, query } = raw;
  if (methods !== undefined) {
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string')) {
      fail(`${where}.match.methods: expected a list of method names`);
    }
    match.methods = (methods as string[]).map((m) => m.toUpperCase());
  }
  if (pathPrefix !== undefined) {
    match.pathPrefix =
      typeof pathPrefix === 'string' ? pathPrefix : fail(`${where}.match.pathPrefix: expected a string`);
  }
  if (query !== undefined) {
    match.query = typeof query === 'string' ? query : fail(`${where}.match.query: expected a string`);
  }
  return match;
}

function validateEffect(raw: unknown, where: string): FaultEffect {
  if (!isRecord(raw)) return fail(`${where}.effect: expected an object`);
  const num = (name: string, min = 0): number => {
    const v = raw[name];
    return typeof v === 'number' && Number.isFinite(v) && v >= min
      ? v
      : fail(`${where}.effect.${name}: expected a number >= ${min}, got ${JSON.stringify(v)}`);
  };
  switch (raw['kind']) {
    case 'status': {
      const statuses = raw['statuses'];
      if (!Array.isArray(statuses) || statuses.some((s) => typeof s !== 'number' || s < 400 || s > 599)) {
        return fail(`${where}.effect.statuses: expected a list of 4xx/5xx codes`);
      }
      const effect: FaultEffect = { kind: 'status', statuses: statuses as number[] };
      const code = raw['code'];
      if (typeof code === 'string') effect.code = code;
      if (raw['retryAfterSeconds'] !== undefined) effect.retryAfterSeconds = num('retryAfterSeconds');
      return effect;
    }
    case 'reset': {
      const side = raw['side'] ?? 'response';
      if (side !== 'request' && side !== 'response')
        return fail(`${where}.effect.side: expected request or response`);
      return { kind: 'reset', afterBytes: num('afterBytes'), side };
    }
    case 'stall':
      return { kind: 'stall', afterBytes: num('afterBytes'), ms: num('ms') };
    case 'latency':
      return { kind: 'latency', ms: num('ms') };
    case 'bandwidth':
      return { kind: 'bandwidth', bytesPerSecond: num('bytesPerSecond', 1) };
    default:
      return fail(
        `${where}.effect.kind: expected status, reset, stall, latency or bandwidth, got ${JSON.stringify(raw['kind'])}`,
      );
  }
}

function validateRule(raw: unknown, i: number): FaultRule {
  const where = `rules[${i}]`;
  if (!isRecord(raw)) return fail(`${where}: expected an object`);
  const rule: FaultRule = {
    match: validateMatch(raw['match'], where),
    effect: validateEffect(raw['effect'], where),
  };
  const probability = raw['probability'];
  if (probability !== undefined) {
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      fail(`${where}.probability: expected a number between 0 and 1, got ${JSON.stringify(probability)}`);
    }
    rule.probability = probability as number;
  }
  const times = raw['times'];
  if (times !== undefined) {
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 0) {
      fail(`${where}.times: expected a whole number, got ${JSON.stringify(times)}`);
    }
    rule.times = times as number;
  }
  return rule;
}
