// Bucket and object naming rules (spec 1.4, 1.5), enforced where names enter the emulator.

import { ApiError } from './errors.js';

export function checkBucketName(name: string): void {
  const bad = (why: string): never => {
    throw new ApiError('InvalidBucketName', `Invalid bucket name: '${name}': ${why}`);
  };
  const max = name.includes('.') ? 222 : 63;
  if (name.length < 3 || name.length > max) bad(`length must be 3 to ${max}`);
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) {
    bad('use lowercase letters, digits, -, _ and ., starting and ending with a letter or digit');
  }
  if (name.split('.').some((part) => part.length > 63)) bad('each dot-separated part must be at most 63');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) bad('must not be an IP address');
  if (name.startsWith('goog') || /g[o0][o0]g[l1]e/.test(name))
    bad('must not begin with goog or contain google');
}

export function checkObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 1024) throw new ApiError('KeyTooLong', `Object name is ${bytes} bytes; the limit is 1024.`);
  if (name === '' || name === '.' || name === '..') {
    throw new ApiError('InvalidArgument', `Invalid object name: '${name}'`);
  }
  if (/[\r\n]/.test(name)) throw new ApiError('InvalidArgument', 'Object names must not contain CR or LF.');
  if (name.startsWith('.well-known/acme-challenge/')) {
    throw new ApiError('InvalidArgument', 'Object names must not start with .well-known/acme-challenge/.');
  }
}
