// The single fast-xml-parser configuration for every GCS XML document, plus a few element-access helpers.
// It does not know any document type (one module per document builds on it). Choices: validate first (a
// truncated body must fail, never parse into a shorter listing), match local names (namespaces differ
// between documents), keep every text value as an untrimmed string (names like ' 0001 ' and int64
// generations must survive), and decode only the five XML entities and character references.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { X2jOptions } from 'fast-xml-parser';
import { entityDecoder } from '../../common/xml-entities.js';
import { StorageError } from '../errors.js';

/** A parsed element: children by local name, attributes under `@name`, mixed text under `#text`. */
export type XmlNode = Record<string, unknown>;

const ATTR = '@';
const TEXT = '#text';

/** Elements that may repeat; forced to arrays so a single occurrence looks like many. */
const REPEATED = new Set([
  'Contents',
  'CommonPrefixes',
  'Bucket',
  'Entry',
  'Grant',
  'Part',
  'Upload',
  'Component',
]);

/** Whether elements named `name` are always arrays in a parsed node. */
export function isRepeated(name: string): boolean {
  return REPEATED.has(name);
}

const options: X2jOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  entityDecoder,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => REPEATED.has(name),
};

const parser = new XMLParser(options);

/** A response document that is not what the protocol promises. Treated as a transient service fault
 *  ('unavailable'): truncated or proxy-mangled bodies are the usual cause, and a retry is the remedy. */
export function malformed(what: string, cause?: unknown): StorageError {
  return new StorageError(
    'unavailable',
    `malformed XML response: ${what}`,
    cause === undefined ? {} : { cause },
  );
}

/** Parses and validates a whole document; throws StorageError('unavailable') when it is not well-formed. */
export function parseXml(text: string): XmlNode {
  // Deprecated in favour of the separate fast-xml-validator package, which is not a dependency yet; the
  // validator bundled with v5 is the same code.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(`${valid.err.msg} (line ${valid.err.line})`);
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : 'not XML', e);
  }
  if (!isNode(doc)) throw malformed('no document element');
  return doc;
}

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Normalizes one parsed value to an element node (a leaf `<A>text</A>` becomes `{ '#text': 'text' }`). */
function asNode(v: unknown): XmlNode | undefined {
  if (isNode(v)) return v;
  if (typeof v === 'string') return { [TEXT]: v };
  return undefined;
}

/** Every child element named `name`, in document order. */
export function children(node: XmlNode, name: string): XmlNode[] {
  const v = node[name];
  if (v === undefined) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map(asNode).filter((n): n is XmlNode => n !== undefined);
}

/** The first child element named `name`. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The root element, which must be named `name` (any namespace). */
export function root(doc: XmlNode, name: string): XmlNode {
  const r = child(doc, name);
  if (r === undefined) {
    const found = Object.keys(doc).filter((k) => !k.startsWith(ATTR) && k !== TEXT);
    throw malformed(`expected <${name}>, found ${found.length > 0 ? `<${found.join('>, <')}>` : 'nothing'}`);
  }
  return r;
}

/** The text content of an element itself ('' for an empty element). */
export function ownText(node: XmlNode): string {
  const t = node[TEXT];
  return typeof t === 'string' ? t : '';
}

/** Text of the first child `name`, or undefined when absent. Whitespace is preserved. */
export function text(node: XmlNode, name: string): string | undefined {
  const c = child(node, name);
  return c === undefined ? undefined : ownText(c);
}

/** Text of a child that the document must have. */
export function requiredText(node: XmlNode, name: string, where: string): string {
  return present(text(node, name), name, where);
}

/** The text of child `name` of `where`, which the document must have (found by any means). */
export function present(t: string | undefined, name: string, where: string): string {
  if (t === undefined) throw malformed(`<${where}> lacks <${name}>`);
  return t;
}

/** An attribute's value by local name. */
export function attr(node: XmlNode, name: string): string | undefined {
  const v = node[ATTR + name];
  return typeof v === 'string' ? v : undefined;
}

/** Names of the child elements present (no attributes, no text). */
export function childNames(node: XmlNode): string[] {
  return Object.keys(node).filter((k) => !k.startsWith(ATTR) && k !== TEXT);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Whether XML 1.0 can carry this text at all (escaped or not). */
export function xmlCanCarry(value: string): boolean {
  return !NOT_XML.test(value);
}

/** Escapes text or attribute content (and CR, which a parser would otherwise normalize away). Control
 *  characters XML 1.0 forbids cannot be carried at all, so they are refused here rather than sent. */
export function escapeXml(value: string): string {
  if (!xmlCanCarry(value)) {
    throw new StorageError('invalid-argument', 'value contains a character XML 1.0 cannot carry');
  }
  return value.replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

/** `<name>escaped value</name>` */
export function element(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

export const XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>";
