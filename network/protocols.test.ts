/** Topic names and protocol ids per network id. */
import { describe, expect, it } from "vitest";
import { hasCode } from "../src/util/codedError.js";
import { NetworkCode } from "./errors.js";
import { gossipTopic, Protocol, protocolId } from "./protocols.js";

describe("names", () => {
  it("topics and protocol ids carry the network id", () => {
    expect(gossipTopic("main", "tx")).toBe("/zkvm/main/tx/1");
    expect(gossipTopic("main", "txset")).toBe("/zkvm/main/txset/1");
    expect(gossipTopic("main", "scp")).toBe("/zkvm/main/scp/1");
    expect(gossipTopic("main", "block")).toBe("/zkvm/main/block/1");
    expect(protocolId("test-1", Protocol.BLOCKS)).toBe("/zkvm/test-1/req/blocks/1");
  });

  it("must-fail: bad network ids and protocol names", () => {
    for (const bad of ["", "Main", "a/b", "x".repeat(65), "spa ce"]) {
      let err: unknown;
      try {
        gossipTopic(bad, "tx");
      } catch (e) {
        err = e;
      }
      expect(hasCode(err, NetworkCode.BAD_NAME)).toBe(true);
    }
    expect(() => protocolId("main", "a/b")).toThrow(NetworkCode.BAD_NAME);
  });
});
