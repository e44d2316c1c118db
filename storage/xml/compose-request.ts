// The ComposeRequest body for `PUT /BUCKET/DEST?compose` (spec §4.8). Build-only: the client sends it and
// never reads one. The 1..32 limit is checked here, before any request, because it is the document's rule.

import { StorageError } from '../errors.js';
import { element, XML_DECLARATION } from './parser.js';

export const MAX_COMPOSE_COMPONENTS = 32;

export interface ComposeComponent {
  name: string;
  generation?: string;
  /** Per-component precondition (`<IfGenerationMatch>`). */
  ifGenerationMatch?: string;
}

export function buildComposeRequest(components: readonly ComposeComponent[]): string {
  if (components.length < 1 || components.length > MAX_COMPOSE_COMPONENTS) {
    throw new StorageError(
      'invalid-argument',
      `compose takes 1 to ${MAX_COMPOSE_COMPONENTS} components, got ${components.length}`,
    );
  }
  const parts = components.map(
    (c) =>
      `<Component>${element('Name', c.name)}` +
      (c.generation === undefined ? '' : element('Generation', c.generation)) +
      (c.ifGenerationMatch === undefined ? '' : element('IfGenerationMatch', c.ifGenerationMatch)) +
      '</Component>',
  );
  return `${XML_DECLARATION}<ComposeRequest>${parts.join('')}</ComposeRequest>`;
}
