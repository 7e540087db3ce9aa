/**
 * The node's envelope signer: Starsig (src/crypto/starsig.ts) over the canonical SCP statement bytes
 * with the domain label `zkvm.scp.envelope.v1`; node ids are the compressed Ristretto public keys.
 */
import { CompressedPoint } from "../../src/crypto/ristretto.js";
import { publicKey, Signature, signMessage, verifyMessage } from "../../src/crypto/starsig.js";
import type { Rng } from "../../src/util/rng.js";
import type { NodeId } from "../scp/index.js";
import type { EnvelopeSigner } from "./herder.js";

/** Domain label of envelope signatures. */
export const ENVELOPE_SIGNATURE_LABEL = "zkvm.scp.envelope.v1";

/** Checks a Starsig envelope signature (never throws). */
export function verifyEnvelopeSignature(
  nodeId: NodeId,
  statementBytes: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    verifyMessage(
      Signature.decode(signature),
      ENVELOPE_SIGNATURE_LABEL,
      statementBytes,
      new CompressedPoint(nodeId),
    );
    return true;
  } catch {
    return false;
  }
}

/** A Starsig signer for the node with secret scalar `secret` (nonces from `rng`). */
export function starsigSigner(secret: bigint, rng: Rng): EnvelopeSigner {
  const nodeId = publicKey(secret).bytes.slice();
  return {
    nodeId,
    sign: (bytes) => signMessage(ENVELOPE_SIGNATURE_LABEL, bytes, secret, rng).encode(),
    verify: verifyEnvelopeSignature,
  };
}
