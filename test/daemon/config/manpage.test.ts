import test from 'ava';
import { readFile } from 'node:fs/promises';
import { COMMANDS } from '../../../daemon/commands.js';
import { GCSFUSE_NAMES } from '../../../daemon/config/gcsfuse-names.js';
import { manPage, roff } from '../../../daemon/config/manpage.js';
import { OPTIONS } from '../../../daemon/config/options.js';
import { version } from '../../../daemon/version.js';
import { run } from '../../helpers/tools.js';

const PAGE = new URL('../../../man/gcsmount.1', import.meta.url);

test('man/gcsmount.1 is generated from the table and up to date', async (t) => {
  t.is(
    await readFile(PAGE, 'utf8'),
    manPage(await version()),
    'run: node --import=tsx scripts/gen-config-doc.ts',
  );
});

test('the page names every option, gcsfuse name and command', (t) => {
  const page = manPage('1.2.3');
  for (const o of OPTIONS) t.true(page.includes(`\\fB${roff(`--${o.flag}`)}\\fR`), o.flag);
  for (const n of GCSFUSE_NAMES)
    t.true(page.includes(roff(n.flag ?? n.configKey ?? '')), n.flag ?? n.configKey);
  for (const c of COMMANDS) t.true(page.includes(`.TP\n\\fB${c.name}\\fR`), c.name);
  t.regex(page, /^\.TH GCSMOUNT 1 "" "gcsmount 1\.2\.3" "User Commands"$/m);
});

test('roff escapes backslashes, minus signs and lines that would be requests', (t) => {
  t.is(roff('a\\b --x'), 'a\\eb \\-\\-x');
  t.is(roff(".boto file\n'quoted"), "\\&.boto file\n\\&'quoted");
});

test('groff renders the page without a warning', async (t) => {
  const r = await run('groff', ['-man', '-Tutf8', '-ww', '-z', '-'], { input: manPage(await version()) });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
});
