import test from 'ava';
import { iniGet, IniError, parseIni } from '../../../storage/auth/ini.js';

test('sections are case-sensitive, keys case-insensitive, = or : separate', (t) => {
  const doc = parseIni('[Boto]\nIS_Secure = False\nproxy: p.example:3128\n[boto]\nx=1\n', 'f');
  t.is(iniGet(doc, 'Boto', 'is_secure'), 'False');
  t.is(iniGet(doc, 'Boto', 'PROXY'), 'p.example:3128');
  t.is(iniGet(doc, 'boto', 'is_secure'), undefined);
  t.is(iniGet(doc, 'boto', 'x'), '1');
});

test('the first = or : separates name from value', (t) => {
  const doc = parseIni('[s]\na:b=c\nd = e:f\nempty =\n', 'f');
  t.is(iniGet(doc, 's', 'a'), 'b=c');
  t.is(iniGet(doc, 's', 'd'), 'e:f');
  t.is(iniGet(doc, 's', 'empty'), '');
});

test('full-line comments (# and ;, even indented) are dropped; inline comments are kept', (t) => {
  const doc = parseIni('# c\n; c\n[s]\n  # indented comment\nk = v # not a comment\nj = w ; kept\n', 'f');
  t.is(iniGet(doc, 's', 'k'), 'v # not a comment');
  t.is(iniGet(doc, 's', 'j'), 'w ; kept');
});

test('continuation lines join with newlines; inner blank lines kept, trailing ones trimmed', (t) => {
  const doc = parseIni('[s]\nk = first\n  second\n\n  third\n\n\nnext = 1\n', 'f');
  t.is(iniGet(doc, 's', 'k'), 'first\nsecond\n\nthird');
  t.is(iniGet(doc, 's', 'next'), '1');
});

test('a comment line inside a multi-line value is skipped', (t) => {
  const doc = parseIni('[s]\nk = a\n  # hidden\n  b\n', 'f');
  t.is(iniGet(doc, 's', 'k'), 'a\nb');
});

test('CRLF line endings are accepted', (t) => {
  const doc = parseIni('[s]\r\nk = v\r\n', 'f');
  t.is(iniGet(doc, 's', 'k'), 'v');
});

test('interpolation from the same section, then DEFAULT; %% is a literal percent', (t) => {
  const doc = parseIni(
    '[DEFAULT]\nroot = /srv\nname = dflt\n[s]\nname = mine\npath = %(root)s/%(NAME)s\npat = /tmp/x.%%(uid)s\n',
    'f',
  );
  t.is(iniGet(doc, 's', 'path'), '/srv/mine');
  t.is(iniGet(doc, 's', 'pat'), '/tmp/x.%(uid)s');
  t.is(iniGet(doc, 's', 'root'), '/srv');
});

test('interpolation errors name the option, file and line, never the value', (t) => {
  const doc = parseIni('[s]\nsecret = abc%def\nmissing = %(nope)s\nloop = %(loop)s\n', '/h/.boto');
  const e1 = t.throws(() => iniGet(doc, 's', 'secret'), { instanceOf: IniError });
  t.regex(e1.message, /^\/h\/\.boto:2: \[s\] secret: a '%' must be written '%%'/);
  t.false(e1.message.includes('abc'));
  t.throws(() => iniGet(doc, 's', 'missing'), { message: /\/h\/\.boto:3: .*'%\(nope\)s' names no option/ });
  t.throws(() => iniGet(doc, 's', 'loop'), { message: /nest too deeply/ });
});

test('later files override earlier ones key by key', (t) => {
  const doc = parseIni('[s]\na = 1\nb = 2\n', 'one');
  parseIni('[s]\nb = 3\n[t]\nc = 4\n', 'two', doc);
  t.is(iniGet(doc, 's', 'a'), '1');
  t.is(iniGet(doc, 's', 'b'), '3');
  t.is(iniGet(doc, 't', 'c'), '4');
});

const malformed: [string, string, RegExp][] = [
  ['no section header', 'k = v\n', /^f:1: a setting appears before the first \[Section\]/],
  ['line without separator', '[s]\nk = v\nSECRETTOKEN\n', /^f:3: cannot parse this line/],
  ['empty name', '[s]\n= v\n', /^f:2: cannot parse this line/],
  ['duplicate section', '[s]\n[s]\n', /^f:2: section \[s\] appears twice/],
  ['duplicate option', '[s]\nk = 1\nK = 2\n', /^f:3: option 'k' appears twice in section \[s\]/],
];
for (const [name, text, message] of malformed) {
  test(`malformed: ${name}`, (t) => {
    const e = t.throws(() => parseIni(text, 'f'), { instanceOf: IniError, message });
    t.false(e.message.includes('SECRETTOKEN'));
  });
}
