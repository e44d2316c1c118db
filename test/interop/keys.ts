// The HMAC key the interop tests give third-party clients: the spec's documented example pair.
export const HMAC_ID = 'GOOG1EEXAMPLEACCESSID';
export const HMAC_SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';
