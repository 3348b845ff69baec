import type { KytConfig } from '../../config/kyt-config.js';
import type { KytProvider } from './provider.js';

/** The configured provider, or null when screening is off. */
export function createKytProvider(config: KytConfig): KytProvider | null {
  if (config.provider === 'none') return null;
  throw new Error(`KYT provider ${config.provider} is not available yet`);
}
