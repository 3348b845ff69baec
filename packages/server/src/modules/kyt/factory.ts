import type { KytConfig } from '../../config/kyt-config.js';
import { BuiltinKytProvider } from './builtin-provider.js';
import { ChainedKytProvider } from './chained-provider.js';
import { HttpKytProvider } from './http-provider.js';
import type { KytProvider } from './provider.js';

/**
 * The configured provider, or null when screening is off. With provider http the built-in
 * rules run first: a denied address or an amount above its limit never reaches the service.
 */
export function createKytProvider(config: KytConfig): KytProvider | null {
  switch (config.provider) {
    case 'none':
      return null;
    case 'builtin':
      return new BuiltinKytProvider(config);
    case 'http':
      // The schema requires `url` with provider http.
      return new ChainedKytProvider([new BuiltinKytProvider(config), new HttpKytProvider({ url: config.url!, timeoutMs: config.timeoutMs, token: config.token })]);
  }
}
