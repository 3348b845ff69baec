import type { StartupSummary } from '../startup-summary.js';

/** The start-up summary as `serve` prints it for a person: one block, one fact per line. */
export function formatStartupSummary(s: StartupSummary): string {
  const lines = [
    'OpenWaaS started',
    `  database         ${s.database}`,
    `  migrations       ${s.migrations.appliedNow.length > 0 ? `applied now: ${s.migrations.appliedNow.join(', ')}; ` : 'none applied now; '}current ${s.migrations.current}`,
  ];
  if (s.chains.length === 0) lines.push('  chains           none (ledger only)');
  for (const c of s.chains) {
    const node = c.reachable ? `node ${c.node} reachable, head ${c.head}` : `node ${c.node} NOT reachable (${c.error})`;
    const confirmations = Object.entries(c.confirmations).map(([symbol, n]) => `${symbol} ${n}`).join(', ') || 'no coins';
    lines.push(`  chain ${c.id.padEnd(11)}${node}; confirmations ${confirmations}`);
    lines.push(`    hot wallet     ${c.hotAddress}`);
    lines.push(`    fee wallet     ${c.feeAddress}`);
  }
  // Keys not from an encrypted key store or a remote signer are for development: said where it is seen.
  const devKeys = s.chains.length > 0 && !s.remoteSigner && s.keySource !== 'keystore';
  lines.push(`  keys             ${s.keySource}${devKeys ? ' — WARNING: not an encrypted key store; never hold real funds with these keys' : ''}${s.remoteSigner ? `; hot and fee wallets signed by the remote signer ${s.remoteSigner}` : ''}`);
  lines.push(`  merchant API     ${s.listeners.merchant ?? 'off'}`);
  lines.push(`  operator API     ${s.listeners.operator ? `${s.listeners.operator}/operator/v1` : 'off (no operator token configured)'}`);
  if (s.listeners.operator) lines.push(`  console          ${s.listeners.operator}/console/`);
  lines.push(`  workers          ${s.workers ? 'on' : 'off (another process runs them)'}`);
  return lines.join('\n') + '\n';
}
