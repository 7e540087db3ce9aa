/** A set of byte values kept sorted bytewise (the order NOMINATE lists use on the wire). */
import { compareBytes } from "../../src/util/bytes.js";
import type { Value } from "./types.js";

export class ValueSet {
  private readonly items: Value[] = [];

  /** Number of values. */
  get size(): number {
    return this.items.length;
  }

  private find(v: Value): { found: boolean; index: number } {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.items[mid]!, v);
      if (c === 0) return { found: true, index: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, index: lo };
  }

  /** True if `v` is in the set. */
  has(v: Value): boolean {
    return this.find(v).found;
  }

  /** Adds `v`; returns true if it was not already present. */
  add(v: Value): boolean {
    const { found, index } = this.find(v);
    if (found) return false;
    this.items.splice(index, 0, v);
    return true;
  }

  /** The values in increasing order (a copy). */
  values(): Value[] {
    return [...this.items];
  }

  [Symbol.iterator](): Iterator<Value> {
    return this.items[Symbol.iterator]();
  }
}
