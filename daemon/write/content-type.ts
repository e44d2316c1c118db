// The Content-Type an upload stores: what the user set (`setfattr -n user.gcs.content-type`) wins; an
// overwrite keeps the type of the generation it replaces; otherwise the type follows the file extension,
// as gsutil and gcsfuse do, so a website bucket written through the mount serves `index.html` as HTML.
// `application/octet-stream` is what the store reports for "no type given", so a previous generation
// with that type is treated as untyped and the extension decides. Pure; the table is the `mime` package's
// (mime-db, the same data the HTTP ecosystem uses), not a list kept here.

import mime from 'mime';

export const UNTYPED = 'application/octet-stream';

/**
 * @param key object name (only its last segment's extension matters)
 * @param explicit a type the user set on this file before the upload
 * @param previous the type of the generation this upload replaces, if any
 */
export function contentTypeFor(key: string, explicit?: string, previous?: string): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  if (previous !== undefined && previous !== '' && previous !== UNTYPED) return previous;
  const base = key.slice(key.lastIndexOf('/') + 1);
  // `.bashrc` has no extension (a hidden file's name), as for Python's mimetypes behind gsutil.
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return UNTYPED;
  return mime.getType(base) ?? UNTYPED;
}
