/**
 * 2-of-3 escrow (zkvm-spec.md "Multisig", third construction: small threshold schemes with
 * Taproot). Three parties — say buyer, seller and arbiter — lock a value so that any two of them
 * can move it.
 *
 * Design:
 * - Predicate: a Taproot tree whose inner key is the Musig aggregation of all three keys
 *   (`Multikey`): the happy path, when everyone agrees, is a plain `signtx` with the aggregated key
 *   (tweaked by h(X, M)). It reveals nothing about the escrow: the tx looks like any key spend.
 * - Each of the three pairs has a branch program that checks a 2-party aggregated signature by
 *   delegating the payload to a nested contract locked by the pair's aggregated key:
 *       <pair key> contract:1 signtx
 *   `contract:1` wraps the escrowed value into a contract with predicate = the pair's key, and
 *   `signtx` opens it again, adding the pair's key to the transaction signature. So the pair signs
 *   the whole tx (including where the value goes) and the tx only reveals the one branch used.
 * - Anyone else, one party alone, or a pair using another pair's branch makes the tx signature
 *   fail (VM_SIGNATURE_VERIFICATION_FAILED); a made-up branch fails the Taproot call proof (same
 *   code: both are deferred point checks).
 *
 * Signing: `proveTx` signs with one secret per `signtx` key. For an aggregated key these helpers
 * combine the parties' secrets with `aggregateSecretKeys` (one signer holding the keys, as in
 * tests); real parties would run the Musig protocol (MusigSigner/MusigCoordinator) on the tx
 * signature instead.
 */
import { aggregateSecretKeys, Multikey } from "../../crypto/musig.js";
import type { CompressedPoint } from "../../crypto/ristretto.js";
import { add } from "../../crypto/scalar.js";
import { type OpenValue, ProgramBuilder } from "../builder.js";
import type { Contract } from "../contract.js";
import { PredicateTree } from "../predicate.js";
import type { OutputRequest, ValueFlow } from "./common.js";

/** The pairs of parties, in branch order. */
export const ESCROW_PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
];

/** A 2-of-3 escrow over three party keys. */
export class Escrow {
  readonly parties: readonly CompressedPoint[];
  /** The aggregation of all three keys (the Taproot inner key). */
  readonly fullKey: Multikey;
  /** The aggregated key of each pair, in `ESCROW_PAIRS` order. */
  readonly pairKeys: readonly Multikey[];
  readonly tree: PredicateTree;

  constructor(parties: readonly CompressedPoint[], blindingKey: Uint8Array) {
    if (parties.length !== 3) throw new RangeError("Escrow: exactly three parties");
    this.parties = parties;
    this.fullKey = Multikey.create(parties);
    this.pairKeys = ESCROW_PAIRS.map(([i, j]) => Multikey.create([parties[i]!, parties[j]!]));
    this.tree = new PredicateTree(
      this.fullKey.aggregatedKey,
      this.pairKeys.map((k) => branchProgram(k.aggregatedKey).toBytes()),
      blindingKey,
    );
  }

  /** The escrow predicate. */
  get predicate(): CompressedPoint {
    return this.tree.outerKey;
  }

  /** The cloak output that funds the escrow. */
  outputRequest(qty: bigint, flavor: bigint): OutputRequest {
    return { qty, flavor, predicate: this.predicate };
  }

  /** The branch index of parties `i` and `j`. */
  branchIndex(i: number, j: number): number {
    const [a, b] = i < j ? [i, j] : [j, i];
    const index = ESCROW_PAIRS.findIndex(([x, y]) => x === a && y === b);
    if (index < 0) throw new RangeError(`Escrow: no pair (${i}, ${j})`);
    return index;
  }

  /** The key-path secret from all three secrets (party order): aggregated secret + h(X, M). */
  keyPathSecret(secrets: readonly bigint[]): bigint {
    if (secrets.length !== 3) throw new RangeError("Escrow.keyPathSecret: three secrets");
    return add(aggregateSecretKeys(secrets), this.tree.adjustmentFactor);
  }
}

/** A pair branch: `<pair key> contract:1 signtx`. */
export function branchProgram(
  pairKey: CompressedPoint,
  b: ProgramBuilder = new ProgramBuilder(),
): ProgramBuilder {
  return b.push(pairKey).contract(1).signtx();
}

/** The aggregated secret of a pair, secrets in party order (for `spendEscrowByPair`). */
export function pairSecret(secretI: bigint, secretJ: bigint): bigint {
  return aggregateSecretKeys([secretI, secretJ]);
}

/** Happy path: all three sign (key path). Leaves the escrowed value (1 pending). */
export function spendEscrowByAll(
  flow: ValueFlow,
  escrow: Escrow,
  contract: Contract,
  value: OpenValue,
  secrets: readonly bigint[],
): ValueFlow {
  return flow.spend({ contract, values: [value] }, escrow.keyPathSecret(secrets));
}

/**
 * Two parties `i < j` spend through their branch, signing with their aggregated secret
 * (`pairSecret`): `push:escrow input push:proof program:branch call`. Leaves the value (1 pending).
 */
export function spendEscrowByPair(
  flow: ValueFlow,
  escrow: Escrow,
  contract: Contract,
  value: OpenValue,
  pair: readonly [number, number],
  secret: bigint,
): ValueFlow {
  const index = escrow.branchIndex(pair[0], pair[1]);
  const pairKey = escrow.pairKeys[index]!.aggregatedKey;
  const { proof, program } = escrow.tree.callProof(index);
  flow.learn([value]);
  flow.witness.addKey(secret, pairKey);
  flow.program.push(contract).input().push(proof.encode()).program(program).call();
  return flow.addPending(1);
}
