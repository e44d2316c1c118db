// Errors the emulator answers with, as the real service words them (spec 7.1, 7.2). Handlers throw an
// ApiError; the server turns it into the XML body (or a bare status for HEAD). One table, so a code's
// status and message are the same wherever it is raised.

const TABLE = {
  AccessDenied: [403, 'Access denied.'],
  AuthenticationRequired: [401, 'Authentication required.'],
  BadDigest: [400, 'The Content-MD5 you specified did not match what was received.'],
  BucketAlreadyOwnedByYou: [
    409,
    'Your previous request to create the named bucket succeeded and you already own it.',
  ],
  BucketNameUnavailable: [
    409,
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  ],
  BucketNotEmpty: [409, 'The bucket you tried to delete is not empty.'],
  CrcMismatch: [400, 'The CRC32C you specified did not match what was received.'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  IncompleteBody: [400, 'The request body terminated unexpectedly'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidArgument: [400, 'Invalid argument.'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidDigest: [400, 'The Content-MD5 you specified is not valid.'],
  InvalidPart: [400, 'One or more of the specified parts could not be found.'],
  InvalidPartOrder: [400, 'The list of parts was not in ascending order.'],
  InvalidRange: [416, 'The requested range cannot be satisfied.'],
  KeyTooLong: [400, 'Your key is too long.'],
  MalformedACLError: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema.',
  ],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema.',
  ],
  MetadataTooLarge: [400, 'Your metadata headers exceed the maximum allowed metadata size.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingRequestBodyError: [400, 'Request Body is empty.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  NoSuchBucket: [404, 'The specified bucket does not exist.'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchUpload: [404, 'The requested upload was not found.'],
  NotImplemented: [501, 'A header or query you provided requested a function that is not implemented.'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold.'],
  UnresolvableGrantByEmailAddress: [
    400,
    'The e-mail address you provided does not match any account on record.',
  ],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof TABLE;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: string | undefined;
  /** Extra elements after Details (StringToSign, CanonicalRequest for signature errors). */
  readonly extra: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode | { status: number; code: string; message: string },
    details?: string,
    extra: Record<string, string> = {},
  ) {
    const [status, message] = typeof code === 'string' ? TABLE[code] : [code.status, code.message];
    super(message);
    this.status = status;
    this.code = typeof code === 'string' ? code : code.code;
    this.details = details;
    this.extra = extra;
  }
}

export const noSuchKey = (bucket: string, name: string): ApiError =>
  new ApiError('NoSuchKey', `No such object: ${bucket}/${name}`);

export const noSuchBucket = (bucket: string): ApiError =>
  new ApiError('NoSuchBucket', `No such bucket: ${bucket}`);
