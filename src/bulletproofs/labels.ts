/**
 * Transcript labels and domain separators of the R1CS protocol and the inner-product argument,
 * byte for byte as dalek-cryptography/bulletproofs `develop` (src/transcript.rs, src/r1cs/*.rs,
 * src/inner_product_proof.rs). The label "u" serves both the R1CS phase-2 challenge and every
 * inner-product round challenge.
 */

/** Label of every domain separator message. */
export const DOM_SEP = "dom-sep";
/** Appended by Prover/Verifier construction. */
export const R1CS_DOMAIN = "r1cs v1";
/** Appended after S1 when no randomized constraints were registered. */
export const R1CS_ONE_PHASE = "r1cs-1phase";
/** Appended after S1 when randomized constraints were registered. */
export const R1CS_TWO_PHASE = "r1cs-2phase";
/** Inner-product argument domain separator, followed by LE64 n under `IPP_N`. */
export const IPP_DOMAIN = "ipp v1";
export const IPP_N = "n";

export const LABEL_V = "V";
export const LABEL_M = "m";
export const LABEL_A_I1 = "A_I1";
export const LABEL_A_O1 = "A_O1";
export const LABEL_S1 = "S1";
export const LABEL_A_I2 = "A_I2";
export const LABEL_A_O2 = "A_O2";
export const LABEL_S2 = "S2";
export const LABEL_Y = "y";
export const LABEL_Z = "z";
export const LABEL_T1 = "T_1";
export const LABEL_T3 = "T_3";
export const LABEL_T4 = "T_4";
export const LABEL_T5 = "T_5";
export const LABEL_T6 = "T_6";
export const LABEL_U = "u";
export const LABEL_X = "x";
export const LABEL_T_X = "t_x";
export const LABEL_T_X_BLINDING = "t_x_blinding";
export const LABEL_E_BLINDING = "e_blinding";
export const LABEL_W = "w";
export const LABEL_L = "L";
export const LABEL_R = "R";
/** Witness label used to rekey the prover's transcript RNG with each commitment blinding. */
export const LABEL_V_BLINDING = "v_blinding";
