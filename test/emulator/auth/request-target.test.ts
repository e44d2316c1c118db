import test from 'ava';
import { bucketFromHost, hostname, requestTarget } from '../../../emulator/auth/request-target.js';

test('bucketFromHost: subdomains of base hosts only; IPs and bare base hosts are path-style', (t) => {
  t.is(bucketFromHost('b.storage.googleapis.com'), 'b');
  t.is(bucketFromHost('my.dotted.bucket.storage.googleapis.com'), 'my.dotted.bucket');
  t.is(bucketFromHost('b.localhost:4443'), 'b');
  t.is(bucketFromHost('storage.googleapis.com'), undefined);
  t.is(bucketFromHost('localhost:4443'), undefined);
  t.is(bucketFromHost('127.0.0.1:4443'), undefined);
  t.is(bucketFromHost('[::1]:4443'), undefined);
  t.is(bucketFromHost('b.example.com'), undefined);
  t.is(bucketFromHost(undefined), undefined);
  t.is(hostname('[::1]:80'), '::1');
});

test('requestTarget gives boto-style path-style resources', (t) => {
  t.deepEqual(requestTarget('/', 'storage.googleapis.com'), { kind: 'service', pathStyle: '/' });
  t.deepEqual(requestTarget('/b', undefined), { kind: 'bucket', pathStyle: '/b/' });
  t.deepEqual(requestTarget('/b/', undefined), { kind: 'bucket', pathStyle: '/b/' });
  t.deepEqual(requestTarget('/b/o/p', undefined), { kind: 'object', pathStyle: '/b/o/p' });
  t.deepEqual(requestTarget('/', 'b.localhost'), { kind: 'bucket', pathStyle: '/b/' });
  t.deepEqual(requestTarget('/o%20x', 'b.localhost'), { kind: 'object', pathStyle: '/b/o%20x' });
});
