import type { KytProvider, KytSubject, KytVerdict } from './provider.js';

/** Runs providers in order; the first verdict that is not "pass" wins. */
export class ChainedKytProvider implements KytProvider {
  readonly name: string;

  constructor(private readonly providers: KytProvider[]) {
    this.name = providers.map((p) => p.name).join('+');
  }

  async screen(subject: KytSubject, signal?: AbortSignal): Promise<KytVerdict> {
    for (const provider of this.providers) {
      const verdict = await provider.screen(subject, signal);
      if (verdict.outcome !== 'pass') return verdict;
    }
    return { outcome: 'pass' };
  }
}
