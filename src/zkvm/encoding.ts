/**
 * Labelled encoding: one encoder serves both the wire format and transcript commitments. A
 * `Sink` receives labelled byte strings; the byte sink ignores labels, the transcript sink appends
 * each as a Merlin message (this is how contract ids commit to the output structure).
 */

import type { Transcript } from "../crypto/transcript.js";
import { le32, le64 } from "../util/bytes.js";
import type { Writer } from "../util/writer.js";

export interface Sink {
  write(label: string, bytes: Uint8Array): void;
}

/** A sink writing plain bytes into a `Writer`. */
export function writerSink(w: Writer): Sink {
  return { write: (_label, bytes) => void w.writeBytes(bytes) };
}

/** A sink appending each labelled piece to a transcript. */
export function transcriptSink(t: Transcript): Sink {
  return { write: (label, bytes) => void t.appendMessage(label, bytes) };
}

export function writeU8(s: Sink, label: string, v: number): void {
  s.write(label, Uint8Array.of(v));
}

export function writeU32(s: Sink, label: string, v: number): void {
  s.write(label, le32(v));
}

export function writeU64(s: Sink, label: string, v: bigint): void {
  s.write(label, le64(v));
}
