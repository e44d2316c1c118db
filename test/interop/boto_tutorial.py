"""The boto tutorial (shared/seed/boto-tutorial.txt) run against a server named by BOTO_CONFIG, with gs://
URIs and HMAC keys, as the gsutil world does it. Prints one `OK step` line per step; any failure raises.

Debian's boto 2.49 has Python 3 bugs in its gs code (bytes bucket names in request paths, StringIO of bytes
in set_contents_from_string/stream, str chunk-size lines in the streaming sender) that fail whatever a server answers. They are
patched here, in the client, so that the server never has to bend away from the real service."""
import http.client
import io
import os
import sys

import boto
import boto.gs.bucket
import boto.gs.connection
import boto.gs.key


def _as_text(v):
    return v.decode('utf-8') if isinstance(v, bytes) else v


for _m in (boto.gs.connection, boto.gs.bucket, boto.gs.key):
    _m.get_utf8_value = _as_text
boto.gs.key.StringIO = lambda s: io.BytesIO(s.encode('utf-8') if isinstance(s, str) else s)
# s3/key.py's chunked sender writes its chunk-size lines as str.
_send = http.client.HTTPConnection.send
http.client.HTTPConnection.send = lambda self, d: _send(self, d.encode('latin-1') if isinstance(d, str) else d)

GS = 'gs'
suffix = sys.argv[1]
CATS, DOGS = 'cats-' + suffix, 'dogs-' + suffix


def ok(step):
    print('OK', step, flush=True)


for name in (CATS, DOGS):
    boto.storage_uri(name, GS).create_bucket(headers={'x-goog-project-id': 'test-project'})
ok('create_bucket')

names = [b.name for b in boto.storage_uri('', GS).get_all_buckets(headers={'x-goog-project-id': 'test-project'})]
assert CATS in names and DOGS in names, names
ok('get_all_buckets')

files = {'labrador.txt': b'Who wants to play fetch? Me!', 'collie.txt': b'Timmy fell down the well!'}
for filename, contents in files.items():
    boto.storage_uri(DOGS + '/' + filename, GS).new_key().set_contents_from_file(io.BytesIO(contents))
ok('set_contents_from_file')

listed = {o.name: o.get_contents_as_string() for o in boto.storage_uri(DOGS, GS).get_bucket()}
assert listed == files, listed
ok('list_and_read')

for filename in ('collie.txt', 'labrador.txt'):
    src = boto.storage_uri(DOGS + '/' + filename, GS)
    contents = io.BytesIO()
    src.get_key().get_file(contents)
    contents.seek(0)
    boto.storage_uri(CATS + '/' + filename, GS).new_key().set_contents_from_file(contents)
assert boto.storage_uri(CATS + '/collie.txt', GS).get_key().get_contents_as_string() == files['collie.txt']
ok('download_and_copy')

boto.storage_uri(DOGS, GS).get_bucket().copy_key('copied.txt', DOGS, 'labrador.txt')
assert boto.storage_uri(DOGS + '/copied.txt', GS).get_key().get_contents_as_string() == files['labrador.txt']
ok('server_side_copy')

data = os.urandom(3 * 1024 * 1024 + 17)
boto.storage_uri(DOGS + '/stream.bin', GS).new_key().set_contents_from_stream(io.BytesIO(data))
out = io.BytesIO()
boto.storage_uri(DOGS + '/stream.bin', GS).get_key().get_file(out)
assert out.getvalue() == data
ok('streaming_transfers')

uri = boto.storage_uri(DOGS + '/labrador.txt', GS)
before = uri.get_acl()
uri.add_email_grant('FULL_CONTROL', 'jane@example.com')
after = uri.get_acl()
emails = [e.scope.email_address for e in after.entries.entry_list if e.scope.type == 'UserByEmail']
assert emails == ['jane@example.com'], str(after)
assert len(after.entries.entry_list) == len(before.entries.entry_list) + 1
ok('add_email_grant')

uri.set_canned_acl('public-read')
assert any(e.scope.type == 'AllUsers' for e in uri.get_acl().entries.entry_list)
ok('set_canned_acl')

for entry in boto.storage_uri(DOGS, GS).get_bucket().get_acl().entries.entry_list:
    assert entry.scope.id or entry.scope.email_address
    assert entry.permission in ('READ', 'WRITE', 'FULL_CONTROL')
ok('bucket_acl')

key = boto.storage_uri(DOGS + '/labrador.txt', GS).get_key()
assert key.size == len(files['labrador.txt']), key.size
assert key.last_modified
assert key.etag.strip('"\'') == '01b6bcd60a7db2a52540f1fa4d4b2249', key.etag
ok('metadata')

k = boto.storage_uri(DOGS + '/meta.txt', GS).new_key()
k.set_metadata('color', 'blue')
k.set_contents_from_string('with metadata', headers={'Content-Type': 'text/plain'})
got = boto.storage_uri(DOGS + '/meta.txt', GS).get_key()
assert got.get_metadata('color') == 'blue' and got.content_type == 'text/plain', (got.metadata, got.content_type)
ok('custom_metadata')

for name in (CATS, DOGS):
    bucket_uri = boto.storage_uri(name, GS)
    for obj in bucket_uri.get_bucket():
        obj.delete()
    bucket_uri.delete_bucket()
remaining = [b.name for b in boto.storage_uri('', GS).get_all_buckets(headers={'x-goog-project-id': 'test-project'})]
assert CATS not in remaining and DOGS not in remaining
ok('delete')
