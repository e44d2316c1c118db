// Types for the parts of fuse-native (a CommonJS package without typings) that adapter.ts uses.
declare module 'fuse-native' {
  type Cb = (...args: unknown[]) => void;
  export interface FuseOptions {
    timeout?: number | false | Record<string, number | false>;
    force?: boolean;
    mkdir?: boolean;
    debug?: boolean;
    allowOther?: boolean;
    defaultPermissions?: boolean;
    fsname?: string;
    subtype?: string;
    maxRead?: number;
    uid?: number;
    gid?: number;
    /** Patched build: microseconds the event loop keeps polling after each request (0: off). */
    spinMicros?: number;
  }
  class Fuse {
    constructor(mnt: string, ops: Record<string, Cb>, opts?: FuseOptions);
    readonly mnt: string;
    opts: FuseOptions;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
    /** Set by patches/fuse-native+2.2.6.patch: true when the patched source build is loaded. */
    static readonly UTIMENS_FIXED: boolean | undefined;
    /** Set by the same patch: open's reply takes a third value, keep the page cache (FOPEN_KEEP_CACHE). */
    static readonly KEEP_CACHE: boolean | undefined;
    /** Set by the same patch: the `spinMicros` option is honoured (adaptive polling of the event loop). */
    static readonly SPIN: boolean | undefined;
    protected _fuseOptions(): string;
  }
  export = Fuse;
}
