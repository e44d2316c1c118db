// Percent-encoding as request signers see it: RFC 3986 encoding of raw bytes, a lenient decoder for what
// arrived on the wire, and the raw query split into name/value pairs without losing "valueless" params.
// It does not route or interpret names; signature code needs the bytes exactly, so everything here works
// on byte strings rather than trusting decodeURIComponent (which rejects invalid UTF-8).

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every byte outside the RFC 3986 unreserved set (upper-case hex); `/` too unless kept. */
export function encodeRfc3986(input: string | Buffer, keepSlash = false): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (UNRESERVED.test(ch) || (keepSlash && ch === '/'))) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes `%XX` escapes to bytes; other characters are taken as UTF-8. Undefined on a malformed escape. */
export function decodePercent(raw: string, plusIsSpace = false): Buffer | undefined {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < raw.length) {
    const ch = raw.charAt(i);
    if (ch === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      parts.push(Buffer.from([parseInt(hex, 16)]));
      i += 3;
    } else {
      const cp = raw.codePointAt(i) ?? 0;
      const text = String.fromCodePoint(cp);
      parts.push(Buffer.from(plusIsSpace && text === '+' ? ' ' : text, 'utf8'));
      i += text.length;
    }
  }
  return Buffer.concat(parts);
}

/** Decoded text of a query component, or the raw text when it cannot be decoded. */
export function decodeText(raw: string, plusIsSpace = false): string {
  return decodePercent(raw, plusIsSpace)?.toString('utf8') ?? raw;
}

/** The path decoded once and re-encoded canonically (`/` kept), or undefined if it cannot be decoded. */
export function reencodePath(rawPath: string): string | undefined {
  const bytes = decodePercent(rawPath);
  return bytes === undefined ? undefined : encodeRfc3986(bytes, true);
}

export interface RawQueryParam {
  /** Still percent-encoded, as received. */
  rawName: string;
  /** Undefined for a valueless parameter (`?acl`); empty string for `?acl=`. */
  rawValue: string | undefined;
}

/** Splits a raw query string on `&`, keeping each piece encoded; empty pieces are dropped. */
export function splitRawQuery(rawQuery: string): RawQueryParam[] {
  if (rawQuery === '') return [];
  const params: RawQueryParam[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    params.push(
      eq < 0
        ? { rawName: piece, rawValue: undefined }
        : { rawName: piece.slice(0, eq), rawValue: piece.slice(eq + 1) },
    );
  }
  return params;
}

/** First decoded value of a query parameter by exact (case-sensitive) decoded name. */
export function queryValue(params: RawQueryParam[], name: string): string | undefined {
  for (const p of params) {
    if (decodeText(p.rawName, true) === name) return decodeText(p.rawValue ?? '', true);
  }
  return undefined;
}

/** Case-insensitive query lookup, for the X-Goog-* / X-Amz-* signed-URL parameters. */
export function queryValueCi(params: RawQueryParam[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const p of params) {
    if (decodeText(p.rawName, true).toLowerCase() === lower) return decodeText(p.rawValue ?? '', true);
  }
  return undefined;
}
