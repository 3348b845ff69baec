/**
 * A TOTP enrolment for an authenticator app: the otpauth:// URI as a QR code (an SVG built from
 * the code's modules: no canvas, no inline markup), and its secret as text with a copy button
 * for typing it in by hand.
 */
import qrcode from 'qrcode-generator';
import { useMemo } from 'react';
import { Copyable } from './copy.js';

/** Quiet zone around the code, in modules (the standard asks for four). */
const quietZoneModules = 4;

/** The dark modules of the QR code of `text`, as one SVG path (one unit square per module), and its size. */
export function qrPath(text: string): { size: number; path: string } {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const parts: string[] = [];
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) parts.push(`M${col + quietZoneModules} ${row + quietZoneModules}h1v1h-1z`);
    }
  }
  return { size: count + 2 * quietZoneModules, path: parts.join('') };
}

/** What an otpauth:// URI names: the account label, the issuer and the base32 secret. */
export function parseOtpauth(uri: string): { label: string; issuer: string; secret: string } {
  try {
    const url = new URL(uri);
    return {
      label: decodeURIComponent(url.pathname.replace(/^\/+/, '')),
      issuer: url.searchParams.get('issuer') ?? '',
      secret: url.searchParams.get('secret') ?? '',
    };
  } catch {
    return { label: '', issuer: '', secret: '' };
  }
}

export function TotpEnrolment({ uri }: { uri: string }) {
  const { size, path } = useMemo(() => qrPath(uri), [uri]);
  const { label, secret } = parseOtpauth(uri);
  return (
    <figure className="totp-enrolment">
      <svg className="qr" role="img" aria-label={`QR code to enrol ${label || 'this account'} in an authenticator app`} viewBox={`0 0 ${size} ${size}`} width={size * 5} height={size * 5} shapeRendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
        <rect width={size} height={size} fill="#fff" />
        <path d={path} fill="#000" />
      </svg>
      <figcaption>
        <p>Scan this with an authenticator app, or type the secret in by hand:</p>
        <p>
          Secret <Copyable value={secret} label="TOTP secret" />
        </p>
      </figcaption>
    </figure>
  );
}
