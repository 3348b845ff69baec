import { describe, expect, it } from 'vitest';
import { scaleUnits } from './form.js';
import { explorerTxUrl } from './links.js';
import { formatTime, withdrawStatusText } from './format.js';
import { isChangeRequest } from './action.js';
import { pendingChange } from '../testing/fake-api.js';
import { merchant } from '../testing/fixtures.js';

describe('display helpers', () => {
  it('scales base units by string, exactly', () => {
    expect(scaleUnits('1234000000000000000001', 18)).toBe('1234.000000000000000001');
    expect(scaleUnits('1', 18)).toBe('0.000000000000000001');
    expect(scaleUnits('5000123456', 6)).toBe('5000.123456');
    expect(scaleUnits('5000000000', 6)).toBe('5000');
    expect(scaleUnits('0', 6)).toBe('0');
    expect(scaleUnits('-150', 2)).toBe('-1.5');
    expect(scaleUnits('42', 0)).toBe('42');
    expect(scaleUnits('not a number', 6)).toBe('not a number');
  });

  it('builds explorer links from the coin template, only to http(s)', () => {
    expect(explorerTxUrl('https://etherscan.io/tx/{txid}', '0xab')).toBe('https://etherscan.io/tx/0xab');
    expect(explorerTxUrl('https://scan.example/%s?x=1', '0xab')).toBe('https://scan.example/0xab?x=1');
    expect(explorerTxUrl('https://tronscan.org/#/', 'abc')).toBe('https://tronscan.org/#/tx/abc');
    expect(explorerTxUrl('', '0xab')).toBeNull();
    expect(explorerTxUrl('https://etherscan.io/tx/{txid}', '')).toBeNull();
    expect(explorerTxUrl('javascript:alert(1)//{txid}', '0xab')).toBeNull();
  });

  it('formats times in UTC and statuses with their code', () => {
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5, 600))).toBe('2026-01-02 03:04:05 UTC');
    expect(formatTime(null)).toBe('—');
    expect(withdrawStatusText(8)).toBe('KYT manual review (8)');
    expect(withdrawStatusText(99)).toBe('unknown (99)');
  });

  it('tells a change request from the record a route answers', () => {
    expect(isChangeRequest(pendingChange(1, 'merchant.update', '/merchants/a', {}))).toBe(true);
    expect(isChangeRequest(merchant())).toBe(false);
    expect(isChangeRequest(undefined)).toBe(false);
  });
});
