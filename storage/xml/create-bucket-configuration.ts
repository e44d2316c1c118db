// The optional body of `PUT /BUCKET` (spec §3.2, boto's form): location and storage class of a new
// bucket. Build-only. Absent options produce no body at all, which the service reads as US / STANDARD.

import { element } from './parser.js';

export interface BucketConfiguration {
  location?: string;
  storageClass?: string;
}

/** The document, or undefined when there is nothing to configure (send no body then). */
export function buildCreateBucketConfiguration(config: BucketConfiguration): string | undefined {
  if (config.location === undefined && config.storageClass === undefined) return undefined;
  const location = config.location === undefined ? '' : element('LocationConstraint', config.location);
  const storageClass = config.storageClass === undefined ? '' : element('StorageClass', config.storageClass);
  return `<CreateBucketConfiguration>${location}${storageClass}</CreateBucketConfiguration>`;
}
