// `defined({ a, b })`: the object without its undefined-valued properties. With exactOptionalPropertyTypes
// an optional property may be absent but not `undefined`, so building option objects from maybe-values
// took a `...(x === undefined ? {} : { x })` spread per property; this says the same once per object.

/** Properties that may be undefined become optional (and lose `undefined`); the others stay as they are. */
export type Defined<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

export function defined<T extends object>(object: T): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) if (v !== undefined) out[k] = v;
  return out as Defined<T>;
}
