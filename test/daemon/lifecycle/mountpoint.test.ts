import test from 'ava';
import { topMountType } from '../../../daemon/lifecycle/mountpoint.js';

const MOUNTS = [
  'proc /proc proc rw 0 0',
  'systemd-1 /mnt/data autofs rw,relatime,fd=52,pgrp=1,timeout=600,direct 0 0',
  'gcsmount:b /mnt/other fuse.gcsmount rw,nosuid,nodev 0 0',
  'systemd-1 /mnt/auto autofs rw,direct 0 0',
  'gcsmount:b /mnt/auto fuse.gcsmount rw,nosuid,nodev 0 0',
  'gcsmount:b /mnt/with\\040space fuse.gcsmount rw 0 0',
].join('\n');

test('the type on top at a path: nothing, an autofs trap alone, or a mount over it', (t) => {
  t.is(topMountType(MOUNTS, '/mnt/none'), undefined);
  t.is(topMountType(MOUNTS, '/mnt/data'), 'autofs');
  t.is(topMountType(MOUNTS, '/mnt/auto'), 'fuse.gcsmount');
  t.is(topMountType(MOUNTS, '/mnt/other/'), 'fuse.gcsmount');
  t.is(topMountType(MOUNTS, '/mnt/with space'), 'fuse.gcsmount');
});
