// XML's own entities: the five named ones and numeric character references, nothing else (no DTD, no
// HTML names). One decoder for both XML parsers, the storage client's and the emulator's, each handing it
// to fast-xml-parser as its entityDecoder: fast-xml-parser's own decodes numeric references only together
// with HTML's named entities, and Go's encoding/xml (rclone) writes every quote as `&#34;`.

import type { EntityDecoderOptions } from 'fast-xml-parser';

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decodeEntity(match: string, body: string): string {
  const named = NAMED[body];
  if (named !== undefined) return named;
  const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  return code <= 0x10ffff ? String.fromCodePoint(code) : match;
}

/** Decodes the five named entities and character references (an unknown or out-of-range one stays). */
export function decodeEntities(text: string): string {
  return text.includes('&') ? text.replace(ENTITY, decodeEntity) : text;
}

/** DOCTYPE entity definitions are ignored on purpose: no request or response of the XML API needs them,
 *  and expanding them is the classic XML bomb. An undefined `&name;` is left as literal text. */
export const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeEntities,
};
