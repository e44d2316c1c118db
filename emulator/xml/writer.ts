// Response documents are small and fixed in shape, so they are written by hand: the exact declaration,
// single-line layout and empty-element forms the real service emits (spec 1.7) matter to strict clients.

export const XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>";
export const GCS_LIST_NS = 'http://doc.s3.amazonaws.com/2006-03-01';
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// XML 1.0 cannot carry most control characters even escaped; the real service has the same limit and
// offers encoding-type=url for such names. Replace them so the document stays well-formed.
const ILLEGAL_CHARS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff';
const ILLEGAL = new RegExp(`[${ILLEGAL_CHARS}]`, 'g');

/** Any character escapeXml changes (most values have none: one test instead of four replaces; a listing
 *  page escapes six values per entry). */
const SPECIAL = new RegExp(`[&<>${ILLEGAL_CHARS}]`);

/** Escapes element text. Quotes stay literal (ETags read `"…"` as on the service); attributes are fixed. */
export function escapeXml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(ILLEGAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<name>text</name>`, or `<name/>` for an empty value when `selfClose` is set. */
export function el(name: string, text: string | number | boolean, selfClose = false): string {
  const s = String(text);
  if (s === '' && selfClose) return `<${name}/>`;
  return `<${name}>${escapeXml(s)}</${name}>`;
}

/** Wraps already-built children. */
export function wrap(name: string, children: string, attrs = ''): string {
  return `<${name}${attrs}>${children}</${name}>`;
}

export function document(root: string, children: string, ns?: string): string {
  return `${XML_DECLARATION}${wrap(root, children, ns ? ` xmlns='${ns}'` : '')}`;
}
