import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOtpauth, qrPath, TotpEnrolment } from './totp-enrolment.js';

const uri = 'otpauth://totp/OpenWaaS:alice?secret=JBSWY3DPEHPK3PXP&issuer=OpenWaaS&algorithm=SHA1&digits=6&period=30';

afterEach(cleanup);

describe('TotpEnrolment', () => {
  it('renders the otpauth URI as an SVG QR code, with the secret as text and a copy button', () => {
    const { container } = render(<TotpEnrolment uri={uri} />);
    const svg = container.querySelector('svg.qr');
    expect(svg).not.toBeNull();
    expect(container.querySelector('canvas')).toBeNull();
    expect(svg!.getAttribute('role')).toBe('img');
    expect(svg!.getAttribute('aria-label')).toMatch(/OpenWaaS:alice/);
    const path = svg!.querySelector('path')!.getAttribute('d')!;
    expect(path).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(screen.getByText('JBSWY3DPEHPK3PXP')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy TOTP secret' })).toBeTruthy();
  });

  it('draws a different code for a different URI, square with a quiet zone', () => {
    const a = qrPath(uri);
    const b = qrPath(uri.replace('JBSWY3DPEHPK3PXP', 'KRSXG5CTMVRXEZLU'));
    expect(a.path).not.toBe(b.path);
    // The smallest QR code has 21 modules a side; four modules of quiet zone on each side.
    expect(a.size).toBeGreaterThanOrEqual(21 + 8);
    expect((a.size - 8 - 21) % 4).toBe(0);
  });

  it('reads the label, issuer and secret of an otpauth URI', () => {
    expect(parseOtpauth(uri)).toEqual({ label: 'OpenWaaS:alice', issuer: 'OpenWaaS', secret: 'JBSWY3DPEHPK3PXP' });
    expect(parseOtpauth('not a uri')).toEqual({ label: '', issuer: '', secret: '' });
  });
});
