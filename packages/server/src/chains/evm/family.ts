import type { ChainFamily } from '../families.js';
import { InProcessSigner } from '../../keys/signer.js';
import { evmAddressCodec } from './address-codec.js';
import { EvmAdapter } from './evm-adapter.js';
import { evmKeyDerivation } from './keys.js';
import { EvmPayer } from './payer.js';

/** EVM chains ("evm:<chain id>"): JSON-RPC through viem, BIP-44 coin type 60 keys, lower-case hex addresses. */
export const evmChainFamily: ChainFamily = {
  family: 'evm',
  chainIdPattern: /^evm:[1-9]\d*$/,
  codec: evmAddressCodec,
  keys: evmKeyDerivation,
  // Lazy: keys/signer.js and this module import each other through the family table.
  inProcessSigner: (ring, role, chain) => new InProcessSigner(ring, role, chain),
  createChain({ config, signer }) {
    // One node client for both sides: the reader the scanner uses, the send side only the payer sees.
    const node = new EvmAdapter({ chain: config.id, rpcUrl: config.rpcUrl, tracing: config.tracing, pollingIntervalMs: config.pollIntervalMs });
    return { reader: node, payer: new EvmPayer(node, { maxFeePerGasCap: BigInt(config.maxFeePerGasCap), feeBumpPercent: config.feeBumpPercent, signer }) };
  },
};
