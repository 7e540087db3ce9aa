/**
 * ZkVM error codes. Each code names the rule that failed; `REFERENCE_ERROR` maps codes to the
 * `VMError` variant the Rust reference returns for the same failure (used to check the invalid-tx
 * vectors).
 */
import { CodedError } from "../util/codedError.js";

export const VmCode = {
  /** Bytes are not a valid encoding (tx, program, output structure, call proof...). */
  INVALID_FORMAT: "VM_INVALID_FORMAT",
  /** Bytes remain after a complete encoding. */
  TRAILING_BYTES: "VM_TRAILING_BYTES",
  /** A point is not a valid Ristretto encoding. */
  INVALID_POINT: "VM_INVALID_POINT",
  /** A scalar is not canonical. */
  INVALID_SCALAR: "VM_INVALID_SCALAR",
  /** An unassigned opcode in a transaction without the extension flag. */
  EXTENSIONS_NOT_ALLOWED: "VM_EXTENSIONS_NOT_ALLOWED",
  /** The item has the wrong type for the instruction (meta.expected names the type). */
  TYPE_MISMATCH: "VM_TYPE_MISMATCH",
  /** `dup` of a non-copyable item. */
  TYPE_NOT_COPYABLE: "VM_TYPE_NOT_COPYABLE",
  /** `drop` of a non-droppable item. */
  TYPE_NOT_DROPPABLE: "VM_TYPE_NOT_DROPPABLE",
  /** A contract payload item that cannot be ported (`output`, `contract`). */
  TYPE_NOT_PORTABLE: "VM_TYPE_NOT_PORTABLE",
  /** Fewer items on the stack than the instruction needs. */
  STACK_UNDERFLOW: "VM_STACK_UNDERFLOW",
  /** Items left on the stack when the program ends. */
  STACK_NOT_CLEAN: "VM_STACK_NOT_CLEAN",
  /** `issue`/`output`/`contract` before an anchor is set, or no anchor by the end. */
  ANCHOR_MISSING: "VM_ANCHOR_MISSING",
  /** The aggregated signatures and deferred point operations do not verify. */
  SIGNATURE_VERIFICATION_FAILED: "VM_SIGNATURE_VERIFICATION_FAILED",
  /** The R1CS proof does not verify. */
  INVALID_R1CS_PROOF: "VM_INVALID_R1CS_PROOF",
  /** The prover's witness is inconsistent with the constraint system. */
  R1CS_INCONSISTENCY: "VM_R1CS_INCONSISTENCY",
  /** A prover-side secret (witness) is missing. */
  WITNESS_MISSING: "VM_WITNESS_MISSING",
  /** A witness is inconsistent with its public commitment. */
  INCONSISTENT_WITNESS: "VM_INCONSISTENT_WITNESS",
  /** Bit range other than 64 requested. */
  INVALID_BITRANGE: "VM_INVALID_BITRANGE",
  /** A Taproot call proof does not lead to the predicate. */
  INVALID_MERKLE_PROOF: "VM_INVALID_MERKLE_PROOF",
  /** A predicate tree cannot be built (too many programs). */
  INVALID_PREDICATE_TREE: "VM_INVALID_PREDICATE_TREE",
  /** Arguments out of their allowed range. */
  BAD_ARGUMENTS: "VM_BAD_ARGUMENTS",
  /** `verify` of a cleartext constraint that is false. */
  CLEARTEXT_CONSTRAINT_FALSE: "VM_CLEARTEXT_CONSTRAINT_FALSE",
  /** Accumulated fees exceed 2^24. */
  FEE_TOO_HIGH: "VM_FEE_TOO_HIGH",
  /** A limit of this implementation (tx size, program nesting). */
  LIMIT_EXCEEDED: "VM_LIMIT_EXCEEDED",
  /** The constraint system needs more multipliers than the generator capacity (1024 by default). */
  TOO_MANY_MULTIPLIERS: "VM_TOO_MANY_MULTIPLIERS",
} as const;
export type VmCode = (typeof VmCode)[keyof typeof VmCode];

export type VmMeta = {
  /** Offset of the failing instruction in its program. */
  pc?: number;
  /** Opcode of the failing instruction. */
  opcode?: number;
  /** Program nesting depth (0 = transaction program). */
  depth?: number;
  /** Expected item type (TYPE_MISMATCH). */
  expected?: string;
  /** Actual item type. */
  actual?: string;
  what?: string;
  offset?: number;
  length?: number;
  max?: number;
  count?: number;
};

export class VmError extends CodedError<VmCode, VmMeta> {}

/** The reference's `VMError` variant name for each code (several codes may share one). */
export const REFERENCE_ERROR: Readonly<Record<VmCode, string>> = {
  VM_INVALID_FORMAT: "InvalidFormat",
  VM_TRAILING_BYTES: "TrailingBytes",
  VM_INVALID_POINT: "InvalidPoint",
  VM_INVALID_SCALAR: "InvalidFormat",
  VM_EXTENSIONS_NOT_ALLOWED: "ExtensionsNotAllowed",
  VM_TYPE_MISMATCH: "TypeNot*",
  VM_TYPE_NOT_COPYABLE: "TypeNotCopyable",
  VM_TYPE_NOT_DROPPABLE: "TypeNotDroppable",
  VM_TYPE_NOT_PORTABLE: "TypeNotPortable",
  VM_STACK_UNDERFLOW: "StackUnderflow",
  VM_STACK_NOT_CLEAN: "StackNotClean",
  VM_ANCHOR_MISSING: "AnchorMissing",
  VM_SIGNATURE_VERIFICATION_FAILED: "BatchSignatureVerificationFailed",
  VM_INVALID_R1CS_PROOF: "InvalidR1CSProof",
  VM_R1CS_INCONSISTENCY: "R1CSInconsistency",
  VM_WITNESS_MISSING: "WitnessMissing",
  VM_INCONSISTENT_WITNESS: "InconsistentWitness",
  VM_INVALID_BITRANGE: "InvalidBitrange",
  VM_INVALID_MERKLE_PROOF: "InvalidMerkleProof",
  VM_INVALID_PREDICATE_TREE: "InvalidPredicateTree",
  VM_BAD_ARGUMENTS: "BadArguments",
  VM_CLEARTEXT_CONSTRAINT_FALSE: "CleartextConstraintFalse",
  VM_FEE_TOO_HIGH: "FeeTooHigh",
  VM_LIMIT_EXCEEDED: "InvalidFormat",
  // The reference would run on and fail when verifying the proof with too few generators.
  VM_TOO_MANY_MULTIPLIERS: "InvalidR1CSProof",
};
