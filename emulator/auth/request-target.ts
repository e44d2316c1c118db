// What a request addresses (service, bucket or object) as authentication needs it: the V2 CanonicalResource
// is always path-style, and anonymous denials name the permission involved. The host rule (spec §1.1),
// bucketFromHost, is the one the server's routing uses too, so both always agree on the bucket.

import { isIP } from 'node:net';

/** Hosts that are the service itself; `<bucket>.<one of these>` is a virtual-host request. */
export const DEFAULT_BASE_HOSTS: readonly string[] = [
  'storage.googleapis.com',
  'localhost',
  's3.amazonaws.com',
];

/** Host header without its port (IPv6 brackets kept off). */
export function hostname(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** The bucket named by a virtual-host `Host` header, or undefined for path-style requests. */
export function bucketFromHost(
  host: string | undefined,
  baseHosts: readonly string[] = DEFAULT_BASE_HOSTS,
): string | undefined {
  if (host === undefined || host === '') return undefined;
  const name = hostname(host);
  if (isIP(name) !== 0) return undefined;
  for (const base of baseHosts) {
    const suffix = '.' + base.toLowerCase();
    if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return undefined;
}

export type TargetKind = 'service' | 'bucket' | 'object';

/** Path-style form of the target, still percent-encoded: `/`, `/BUCKET/` or `/BUCKET/OBJECT`. */
export interface RequestTarget {
  kind: TargetKind;
  /** `/BUCKET/OBJECT` as boto signs it (bucket alone: `/BUCKET/`; service: `/`). */
  pathStyle: string;
}

export function requestTarget(
  rawPath: string,
  host: string | undefined,
  baseHosts?: readonly string[],
): RequestTarget {
  const path = rawPath === '' ? '/' : rawPath;
  const vhost = bucketFromHost(host, baseHosts);
  if (vhost !== undefined) {
    return { kind: path === '/' ? 'bucket' : 'object', pathStyle: '/' + vhost + path };
  }
  const rest = path.slice(1);
  if (rest === '') return { kind: 'service', pathStyle: '/' };
  const slash = rest.indexOf('/');
  if (slash < 0) return { kind: 'bucket', pathStyle: path + '/' };
  if (slash === rest.length - 1) return { kind: 'bucket', pathStyle: path };
  return { kind: 'object', pathStyle: path };
}

/** The IAM permission a request most likely needs, for `Anonymous caller does not have ...` details. */
export function likelyPermission(method: string, kind: TargetKind): string {
  const m = method.toUpperCase();
  switch (kind) {
    case 'service':
      return 'storage.buckets.list';
    case 'bucket':
      if (m === 'PUT') return 'storage.buckets.create';
      if (m === 'DELETE') return 'storage.buckets.delete';
      if (m === 'HEAD') return 'storage.buckets.get';
      if (m === 'POST') return 'storage.objects.create';
      return 'storage.objects.list';
    case 'object':
      if (m === 'PUT' || m === 'POST') return 'storage.objects.create';
      if (m === 'DELETE') return 'storage.objects.delete';
      return 'storage.objects.get';
  }
}

/** The real wording of an anonymous denial (spec §2.1), generalised over permission and resource. */
export function anonymousDenialDetails(method: string, kind: TargetKind): string {
  const resource = kind === 'service' ? 'project' : kind === 'bucket' ? 'bucket' : 'object';
  const owner = kind === 'service' ? 'Google Cloud' : 'Google Cloud Storage';
  return `Anonymous caller does not have ${likelyPermission(method, kind)} access to the ${owner} ${resource}.`;
}
