import test from 'ava';
import { defined } from '../../common/defined.js';

test('drops undefined properties and keeps every other value, falsy ones included', (t) => {
  const maybe: string | undefined = undefined;
  const out = defined({ a: 1, b: maybe, c: 0, d: '', e: null, f: false });
  t.deepEqual(out, { a: 1, c: 0, d: '', e: null, f: false });
  t.false('b' in out);
});

test('the result fits an exact optional type', (t) => {
  const signal: AbortSignal | undefined = undefined;
  const options: { signal?: AbortSignal; name: string } = defined({ signal, name: 'x' });
  t.deepEqual(options, { name: 'x' });
});
