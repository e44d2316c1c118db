import test from 'ava';
import { readFile } from 'node:fs/promises';
import { mountHelp, optionsMarkdown } from '../../../daemon/config/help.js';
import { OPTIONS } from '../../../daemon/config/options.js';

test('--help lists every option with its default', (t) => {
  const help = mountHelp();
  for (const o of OPTIONS) {
    t.true(help.includes(`--${o.flag}`), o.flag);
    if (o.default !== undefined) t.true(help.includes(`[default: ${o.default}]`), o.flag);
  }
});

test("--help lists gcsfuse's flag names and what they set", (t) => {
  const help = mountHelp();
  t.regex(
    help,
    /--metadata-cache-ttl-secs VALUE +sets --stat-cache-ttl and --type-cache-ttl \(whole seconds, -1: never expires\)/,
  );
  t.regex(help, /--custom-endpoint VALUE +same as --endpoint/);
});

test('docs/CONFIGURATION.md is generated from the table and up to date', async (t) => {
  const doc = await readFile(new URL('../../../docs/CONFIGURATION.md', import.meta.url), 'utf8');
  t.true(doc.includes(optionsMarkdown()), 'run: node --import=tsx scripts/gen-config-doc.ts');
});
