// Request bodies (ACLs, compose and multipart completion, bucket creation) are parsed with one
// fast-xml-parser setup: namespaces dropped (clients send S3's or none), values kept as strings, entities
// limited to XML's own (common/xml-entities.ts: the five named ones and numeric references), so a hostile body cannot expand.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApiError, type ErrorCode } from '../errors.js';
import { entityDecoder } from '../../common/xml-entities.js';

const REPEATED = new Set(['Entry', 'Grant', 'Component', 'Part']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  entityDecoder,
  ignoreDeclaration: true,
  isArray: (name) => REPEATED.has(name),
});

export type XmlNode = Record<string, unknown>;

/** Parses a body; anything that is not well-formed XML with the expected root is `errorCode`. */
export function parseBody(text: string, root: string, errorCode: ErrorCode = 'MalformedXML'): XmlNode {
  // fast-xml-parser 5 marks its bundled validator deprecated in favour of a separate package; the bundled
  // one still works and is the same code, so it is kept rather than adding a dependency.
  const trimmed = text.trim();
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (trimmed === '' || XMLValidator.validate(text) !== true) throw new ApiError(errorCode);
  // The validator lets through a second top-level element of another name and text around the root.
  if (!trimmed.startsWith('<') || !trimmed.endsWith('>')) throw new ApiError(errorCode);
  const doc = parser.parse(text) as XmlNode;
  if (Object.keys(doc).length !== 1) throw new ApiError(errorCode);
  const node = doc[root];
  if (node === '') return {};
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new ApiError(errorCode);
  return node as XmlNode;
}

/** Case-insensitive child lookup: boto matches element names that way and so must we. */
export function child(node: XmlNode, name: string): unknown {
  if (name in node) return node[name];
  const lower = name.toLowerCase();
  const key = Object.keys(node).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : node[key];
}

export function text(node: XmlNode, name: string): string | undefined {
  const v = child(node, name);
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'object' && v !== null && '#text' in v) return String((v as XmlNode)['#text']).trim();
  return undefined;
}

export function nodes(node: XmlNode, name: string): XmlNode[] {
  const v = child(node, name);
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (typeof x === 'object' && x !== null ? (x as XmlNode) : {}));
}
