// The fault injector behind hooks.ts's FaultInjector: matches each request against the spec's rules in
// order, draws from one seeded PRNG, counts firings, and applies what fired (delay, an XML error instead of
// the handler, a cut or paced body). At most one rule per effect kind fires per request (the first that
// matches and wins its draw), so overlapping rules stay predictable. Parsing lives in fault-spec.ts.

import { systemClock } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import type { AuthRequestView, FaultInjector } from '../hooks.js';
import { sendFaultError } from './error-response.js';
import type { FaultEffect, FaultMatch, FaultRule, FaultSpec } from './fault-spec.js';
import { mulberry32 } from './prng.js';
import { cutRequestAfter } from './request-cutter.js';
import { paceResponse } from './response-pacer.js';
import type { ResponsePlan } from './response-pacer.js';

export interface FaultRuleState {
  rule: FaultRule;
  /** How many requests this rule has hit so far. */
  fired: number;
  /** Firings left for a counted rule; absent = unlimited. */
  remaining?: number;
}

export interface FaultState {
  /** The spec in force (structured form, accepted back by PUT), or null when none. */
  spec: FaultSpec | null;
  /** Requests seen since the spec was last set. */
  requests: number;
  /** Requests that got at least one fault. */
  injected: number;
  rules: FaultRuleState[];
}

export interface ControllableFaultInjector extends FaultInjector {
  /** Replaces the spec; counters and the PRNG restart from the new seed. */
  set(spec: FaultSpec | undefined): void;
  clear(): void;
  state(): FaultState;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function matches(match: FaultMatch, view: AuthRequestView): boolean {
  if (match.methods && !match.methods.includes(view.method.toUpperCase())) return false;
  const prefix = match.pathPrefix;
  if (prefix !== undefined && !view.rawPath.startsWith(prefix) && !decoded(view.rawPath).startsWith(prefix)) {
    return false;
  }
  const query = match.query;
  return query === undefined || view.rawQuery.includes(query) || decoded(view.rawQuery).includes(query);
}

/** Key under which effects exclude each other within one request. */
function slot(effect: FaultEffect): string {
  return effect.kind === 'reset' ? `reset-${effect.side}` : effect.kind;
}

export function createFaultInjector(
  initial?: FaultSpec,
  clock: Clock = systemClock,
): ControllableFaultInjector {
  let seed: number | undefined;
  let rules: FaultRuleState[] = [];
  let random = mulberry32(0);
  let requests = 0;
  let injected = 0;

  const set = (spec: FaultSpec | undefined): void => {
    seed = spec?.seed;
    random = mulberry32(spec?.seed ?? 0);
    rules = (spec?.rules ?? []).map((rule) =>
      rule.times === undefined ? { rule, fired: 0 } : { rule, fired: 0, remaining: rule.times },
    );
    requests = 0;
    injected = 0;
  };
  set(initial);

  /** The effects that fire for this request, consuming draws and counts in rule order. */
  const draw = (view: AuthRequestView): FaultEffect[] => {
    const taken = new Set<string>();
    const fired: FaultEffect[] = [];
    for (const state of rules) {
      const { rule } = state;
      if (taken.has(slot(rule.effect)) || state.remaining === 0 || !matches(rule.match, view)) continue;
      const p = rule.probability ?? 1;
      if (p < 1 && random() >= p) continue;
      if (state.remaining !== undefined) state.remaining--;
      state.fired++;
      taken.add(slot(rule.effect));
      fired.push(rule.effect);
    }
    return fired;
  };

  return {
    set,
    clear: () => {
      set(undefined);
    },
    state: () => ({
      spec: seed === undefined ? null : { seed, rules: rules.map((r) => structuredClone(r.rule)) },
      requests,
      injected,
      rules: rules.map((r) => ({ ...r, rule: structuredClone(r.rule) })),
    }),

    async apply(req, res, view) {
      if (rules.length === 0) return 'continue';
      requests++;
      const effects = draw(view);
      if (effects.length === 0) return 'continue';
      injected++;
      const plan: ResponsePlan = {};
      for (const effect of effects) if (effect.kind === 'latency') await clock.sleep(effect.ms);
      for (const effect of effects) {
        switch (effect.kind) {
          case 'latency':
            break;
          case 'status': {
            const pick = effect.statuses.length > 1 ? Math.floor(random() * effect.statuses.length) : 0;
            sendFaultError(
              res,
              view.method,
              effect.statuses[pick] ?? 503,
              effect.code,
              effect.retryAfterSeconds,
            );
            req.resume();
            return 'handled';
          }
          case 'reset':
            if (effect.side === 'request') {
              if (effect.afterBytes === 0) {
                req.socket.destroy();
                return 'handled';
              }
              cutRequestAfter(req, effect.afterBytes);
            } else plan.resetAfter = effect.afterBytes;
            break;
          case 'stall':
            plan.stall = { afterBytes: effect.afterBytes, ms: effect.ms };
            break;
          case 'bandwidth':
            plan.bytesPerSecond = effect.bytesPerSecond;
            break;
        }
      }
      if (Object.keys(plan).length > 0) paceResponse(res, plan, clock);
      return 'continue';
    },
  };
}
