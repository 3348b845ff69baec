import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Amount, formatAmount } from './amount.js';

afterEach(cleanup);

describe('formatAmount', () => {
  it('groups the whole part and keeps every digit of the fraction, beyond what a float holds', () => {
    expect(formatAmount('1234567.5')).toBe('1,234,567.5');
    expect(formatAmount('0.000000000000000001')).toBe('0.000000000000000001');
    // 2^64 + 1 base units of an 18-decimal coin: a float would round both parts.
    expect(formatAmount('18446744073709551617.123456789012345678')).toBe('18,446,744,073,709,551,617.123456789012345678');
    expect(formatAmount('-1000')).toBe('-1,000');
    expect(formatAmount('007')).toBe('7');
  });

  it('shows anything that is not a decimal as it came', () => {
    expect(formatAmount('1e21')).toBe('1e21');
    expect(formatAmount('')).toBe('');
  });

  it('renders the exact value in its title and the symbol beside it', () => {
    const { container } = render(<Amount value="1000000.000001" symbol="USDT" />);
    const span = container.querySelector('.amount')!;
    expect(span.getAttribute('title')).toBe('1000000.000001 USDT');
    expect(span.textContent).toBe('1,000,000.000001 USDT');
  });
});
