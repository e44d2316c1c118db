import test from 'ava';
import { parseFaultSpec } from '../../../emulator/faults/fault-spec.js';

test('the --faults example parses into one rule per effect sharing filters and count', (t) => {
  const spec = parseFaultSpec(
    'seed=42,rate=0.1,status=429|503,reset=0.05,latency=20ms,stall=2s@0.01,bandwidth=1MiB,methods=GET|PUT,path=/bucket/prefix,times=3',
  );
  const match = { methods: ['GET', 'PUT'], pathPrefix: '/bucket/prefix' };
  t.deepEqual(spec, {
    seed: 42,
    rules: [
      { match, effect: { kind: 'status', statuses: [429, 503] }, probability: 0.1, times: 3 },
      { match, effect: { kind: 'reset', afterBytes: 0, side: 'response' }, probability: 0.05, times: 3 },
      { match, effect: { kind: 'latency', ms: 20 }, times: 3 },
      { match, effect: { kind: 'stall', ms: 2000, afterBytes: 0 }, probability: 0.01, times: 3 },
      { match, effect: { kind: 'bandwidth', bytesPerSecond: 1024 * 1024 }, times: 3 },
    ],
  });
});

test('groups separated by ";" make independent counted rules', (t) => {
  const spec = parseFaultSpec(
    'status=503,times=2,methods=put,path=/b/o; reset=1000@1,times=1,methods=GET,query=generation; reset-request=64KiB; stall=1.5s,stall-after=1KB',
  );
  t.is(spec.seed, 0);
  t.deepEqual(spec.rules, [
    {
      match: { methods: ['PUT'], pathPrefix: '/b/o' },
      effect: { kind: 'status', statuses: [503] },
      times: 2,
    },
    {
      match: { methods: ['GET'], query: 'generation' },
      effect: { kind: 'reset', afterBytes: 1000, side: 'response' },
      probability: 1,
      times: 1,
    },
    { match: {}, effect: { kind: 'reset', afterBytes: 65536, side: 'request' } },
    { match: {}, effect: { kind: 'stall', ms: 1500, afterBytes: 1000 } },
  ]);
});

test('reset-after and reset-side spell the same as reset=BYTES@P', (t) => {
  t.deepEqual(parseFaultSpec('reset-after=1000,reset-side=request,code=x,status=500,retry-after=2').rules, [
    { match: {}, effect: { kind: 'status', statuses: [500], code: 'x', retryAfterSeconds: 2 } },
    { match: {}, effect: { kind: 'reset', afterBytes: 1000, side: 'request' } },
  ]);
});

test('flat JSON with the same keys equals the text form; a list of objects is a list of groups', (t) => {
  const text = parseFaultSpec('seed=7,status=503,times=2,methods=PUT|POST,path=/b/');
  t.deepEqual(
    parseFaultSpec('{"seed":7,"status":503,"times":2,"methods":["PUT","POST"],"path":"/b/"}'),
    text,
  );
  t.deepEqual(
    parseFaultSpec('[{"seed":7,"status":[503],"times":2,"methods":"PUT|POST","path":"/b/"}]'),
    text,
  );
});

test('structured JSON round-trips', (t) => {
  const spec = parseFaultSpec('seed=3,status=429,rate=0.5;bandwidth=2MiB/s,methods=GET;latency=5ms@0.25');
  t.deepEqual(parseFaultSpec(JSON.stringify(spec)), spec);
});

test('errors name the bad key and value', (t) => {
  const bad: [string, RegExp][] = [
    ['speed=3', /unknown key "speed"/],
    ['status=503,rate=1.5', /rate: expected a probability between 0 and 1, got "1.5"/],
    ['status=200', /status: expected 4xx\/5xx codes/],
    ['status=abc', /status: expected a whole number, got "abc"/],
    ['bandwidth=fast', /bandwidth: expected a byte size.*got "fast"/],
    ['latency=3 days', /latency: expected a duration.*got "3 days"/],
    ['methods=GET,path=/b', /group 1 has no effect/],
    ['status=503,status=500', /key "status" given twice/],
    ['status=503,times=-1', /times: expected a whole number, got "-1"/],
    ['reset-side=sideways,reset=1', /reset-side: expected request or response/],
    ['path=b/o,status=500', /path: expected a prefix starting with "\/"/],
    ['nonsense', /expected key=value, got "nonsense"/],
    ['rate=0.5', /rate\/code given without status/],
    ['{"seed":', /invalid JSON/],
    ['{"rules":[{"effect":{"kind":"explode"}}]}', /rules\[0\]\.effect\.kind: expected status, reset/],
    ['{"rules":[{"effect":{"kind":"latency","ms":-1}}]}', /rules\[0\]\.effect\.ms: expected a number >= 0/],
    ['{"rules":[{"effect":{"kind":"latency","ms":1},"probability":2}]}', /rules\[0\]\.probability/],
    ['{"status":{"a":1}}', /status: expected a string, number or list/],
  ];
  for (const [input, message] of bad) {
    const err = t.throws(() => parseFaultSpec(input), undefined, input);
    t.regex(err.message, message, input);
    t.regex(err.message, /^faults: /, input);
  }
});
