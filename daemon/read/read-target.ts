// What a read is of: one generation of one object, and its size. A handle's view of an object never
// changes generation under it; reads of a replaced object fail instead of splicing two versions.

import type { Generation } from '../../storage/types.js';

export interface ReadTarget {
  bucket: string;
  key: string;
  generation: Generation;
  size: number;
}
