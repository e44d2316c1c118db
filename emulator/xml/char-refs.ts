// Numeric character references (`&#34;`, `&#x22;`) are XML's own, and Go's encoding/xml writes every
// quote that way (rclone's CompleteMultipartUpload: `<ETag>&#34;...&#34;</ETag>`), but fast-xml-parser
// decodes them only together with HTML's named entities, which XML does not have. So they are decoded
// here, before parsing, outside CDATA sections; a reference to a character that is markup becomes the
// named entity again, so it stays text.

const REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/g;
const CDATA = /(<!\[CDATA\[[\s\S]*?\]\]>)/;
const MARKUP: Record<string, string> = {
  '<': '&lt;',
  '&': '&amp;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function decode(part: string): string {
  return part.replace(REF, (ref, hex: string | undefined, dec: string | undefined) => {
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    // Not a character XML allows: left as it is, for the validator to refuse.
    if (!Number.isInteger(code) || code < 1 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return ref;
    const ch = String.fromCodePoint(code);
    return MARKUP[ch] ?? ch;
  });
}

export function decodeCharRefs(text: string): string {
  if (!text.includes('&#')) return text;
  return text
    .split(CDATA)
    .map((part, i) => (i % 2 === 1 ? part : decode(part)))
    .join('');
}
