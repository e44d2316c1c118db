"""boto (the gsutil world's library) on the other side of a gcsmount mount. Usage:
   boto_interop.py read BUCKET KEY OUTFILE        -> writes the object's bytes to OUTFILE
   boto_interop.py write BUCKET KEY INFILE        -> uploads INFILE as the object
   boto_interop.py acl BUCKET KEY                 -> prints `PERMISSION scope` lines
   boto_interop.py grant BUCKET KEY EMAIL         -> add_email_grant('READ', EMAIL)
Debian's boto 2.49 gs code has Python 3 bugs; they are patched here, in the client (see
test/interop/boto_tutorial.py)."""
import http.client
import io
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
_send = http.client.HTTPConnection.send
http.client.HTTPConnection.send = lambda self, d: _send(self, d.encode('latin-1') if isinstance(d, str) else d)

op, bucket, key = sys.argv[1:4]
uri = boto.storage_uri(bucket + '/' + key, 'gs')
if op == 'read':
    out = io.BytesIO()
    uri.get_key().get_file(out)
    open(sys.argv[4], 'wb').write(out.getvalue())
elif op == 'write':
    uri.new_key().set_contents_from_file(open(sys.argv[4], 'rb'))
elif op == 'acl':
    for e in uri.get_acl().entries.entry_list:
        who = e.scope.email_address or e.scope.id or e.scope.domain or e.scope.type
        print(e.permission, who)
elif op == 'grant':
    uri.add_email_grant('READ', sys.argv[4])
