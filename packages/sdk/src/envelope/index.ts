export { encodeBase64Url, decodeBase64Url } from './base64url.js';
export { parsePrivateKey, parsePublicKey, keyBytes, type KeyInput } from './keys.js';
export { encryptSegments, decryptSegments, maxSegmentBytes, defaultSegmentBytes } from './rsa-segments.js';
export { seal, sealText, open, openText, type SealOptions } from './envelope.js';
