// A one-pass scanner for plain, simple XML documents (the shape of ListBucketResult), producing the same
// node shape as parser.ts's fast-xml-parser configuration: children by local name, a leaf's text as a
// string, the REPEATED names as arrays. It exists for speed: the validator plus the parser cost about
// 30 ms per 1,000 listing entries, a large share of a cold `ls -l`'s daemon CPU. It accepts only a strict
// subset and returns undefined on anything outside it, and the caller then parses with the full parser
// (which reports what is wrong): so a truncated or malformed body is never read as a shorter listing.
// The subset: an optional `<?xml ...?>` declaration, one root element whose attributes are skipped,
// elements without namespace prefixes or attributes below the root, each holding either only text or only
// elements (whitespace between them), `<A/>` as empty text, the five named entities and character
// references (anything else with `&` falls back), no comments, CDATA, DOCTYPE or carriage returns, and
// nothing but whitespace after the root.

import { decodeEntities } from '../../common/xml-entities.js';
import { isRepeated, type XmlNode } from './parser.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const WS = /^[ \t\n]*$/;

/** Nesting deeper than this falls back (a listing needs 3: root, Contents, Owner). */
const MAX_DEPTH = 8;

class Fallback extends Error {}

export function scanPlain(text: string): XmlNode | undefined {
  if (text.includes('\r') || text.includes('<!') || text.includes(']]>')) return undefined;
  try {
    let i = skipWs(text, 0);
    if (text.startsWith('<?xml', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) return undefined;
      i = skipWs(text, end + 2);
    }
    if (text[i] !== '<') return undefined;
    const open = text.indexOf('>', i);
    if (open < 0) return undefined;
    const tag = text.slice(i + 1, open);
    const space = tag.search(/[ \t\n]/);
    const rootName = space < 0 ? tag : tag.slice(0, space);
    if (!NAME.test(rootName) || tag.endsWith('/') || (space >= 0 && !plainAttributes(tag.slice(space))))
      return undefined;
    const [value, after] = content(text, open + 1, rootName, 1);
    if (!WS.test(text.slice(after))) return undefined;
    return { [rootName]: value };
  } catch (e) {
    if (e instanceof Fallback) return undefined;
    throw e;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t')) i++;
  return i;
}

/** Attributes of the root: `name='v'` / `name="v"` pairs, values without `<` or `&` surprises. */
function plainAttributes(s: string): boolean {
  return /^(?:[ \t\n]+[A-Za-z_][\w.:-]*[ \t\n]*=[ \t\n]*(?:'[^'<&]*'|"[^"<&]*"))*[ \t\n]*$/.test(s);
}

/** The content of element `name` from `i` (just after its start tag) to its end tag: a string (text
 *  only) or a node (elements only). Returns the value and the index after the end tag. */
function content(text: string, i: number, name: string, depth: number): [string | XmlNode, number] {
  const lt = text.indexOf('<', i);
  if (lt < 0) throw new Fallback();
  const close = `</${name}>`;
  if (text.startsWith(close, lt)) {
    const raw = text.slice(i, lt);
    return [raw.includes('&') ? decodeStrict(raw) : raw, lt + close.length];
  }
  if (!WS.test(text.slice(i, lt)) || depth >= MAX_DEPTH) throw new Fallback();
  const node: XmlNode = {};
  let at = lt;
  for (;;) {
    // `at` is at a '<': a child's start tag, or our end tag.
    if (text.startsWith(close, at)) return [node, at + close.length];
    const gt = text.indexOf('>', at);
    if (gt < 0 || text[at + 1] === '/') throw new Fallback();
    let tag = text.slice(at + 1, gt);
    const selfClosing = tag.endsWith('/');
    if (selfClosing) tag = tag.slice(0, -1);
    if (!NAME.test(tag)) throw new Fallback();
    let value: string | XmlNode;
    let next: number;
    if (selfClosing) [value, next] = ['', gt + 1];
    else [value, next] = content(text, gt + 1, tag, depth + 1);
    add(node, tag, value);
    const lt2 = text.indexOf('<', next);
    if (lt2 < 0 || !WS.test(text.slice(next, lt2))) throw new Fallback();
    at = lt2;
  }
}

function add(node: XmlNode, name: string, value: string | XmlNode): void {
  const had = node[name];
  if (isRepeated(name)) {
    if (had === undefined) node[name] = [value];
    else (had as unknown[]).push(value);
  } else if (had !== undefined) throw new Fallback();
  else node[name] = value;
}

const AMP = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;

/** Entity decoding as the full parser does it; a `&` that starts no known entity falls back. */
function decodeStrict(raw: string): string {
  if (AMP.test(raw)) throw new Fallback();
  return decodeEntities(raw);
}
