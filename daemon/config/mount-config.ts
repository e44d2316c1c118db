// The typed configuration of one mount, derived from the option table (options.ts) at the type level, so
// the table is the one list of options: a row with a default gives a required key, a row without one an
// optional key. Keys are the camel-cased flag names, durations with an `Ms` suffix (the unit is in the
// name); values are booleans, strings, the enum's literals, or numbers (milliseconds, bytes, mode bits).
// parse-args.ts builds the runtime object with configKeyOf(), which follows the same rule.

import type { OptionRow as Row } from './options.js';

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

/** The MountConfig key of a row (runtime twin: configKeyOf in parse-args.ts). */
export type KeyOf<R> = R extends { flag: infer F extends string; type: infer T }
  ? T extends 'duration'
    ? `${Camel<F>}Ms`
    : Camel<F>
  : never;

type ValueOf<R> = R extends { type: 'boolean' }
  ? boolean
  : R extends { type: 'string' }
    ? string
    : R extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : number;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type OptionValues = Simplify<
  { [R in Extract<Row, { default: string }> as KeyOf<R>]: ValueOf<R> } & {
    [R in Exclude<Row, { default: string }> as KeyOf<R>]?: ValueOf<R>;
  }
>;

export type MountConfig = Simplify<
  OptionValues & {
    /** Bucket name, or `_` for the whole project (buckets as top-level directories). */
    bucket: string;
    mountpoint: string;
  }
>;

/** The bucket argument that mounts a whole project. */
export const PROJECT_MOUNT = '_';
