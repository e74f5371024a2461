import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ConfigError } from "../../../scripts/deploy/errors";
import { orderStacks, type StackNode } from "../../../scripts/deploy/order";

const node = (name: string, ...sources: string[]): StackNode => ({ name, sources });

describe("deploy: stack order", () => {
  it("brings each source up before the destinations that reference it, even when declared after them", () => {
    const order = orderStacks([node("dev", "prod"), node("qa", "prod", "shared"), node("prod"), node("shared")]);
    assert.deepEqual(order, ["prod", "dev", "shared", "qa"]);
  });

  it("keeps declaration order among independent stacks", () => {
    assert.deepEqual(orderStacks([node("c"), node("a"), node("b")]), ["c", "a", "b"]);
  });

  it("orders any acyclic set of references: a permutation with every source first", () => {
    // Stack i may only reference stacks with a smaller index, then the list is shuffled: always acyclic.
    const dag = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc.tuple(
          fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `s${j}`)))),
          fc.func(fc.integer()),
        ),
      );
    fc.assert(
      fc.property(dag, ([sourcesPerStack, rank]) => {
        const stacks = sourcesPerStack.map((sources, i) => node(`s${i}`, ...sources));
        stacks.sort((a, b) => rank(a.name) - rank(b.name));
        const order = orderStacks(stacks);
        assert.deepEqual([...order].sort(), stacks.map((s) => s.name).sort());
        for (const stack of stacks) {
          for (const source of stack.sources) assert.ok(order.indexOf(source) < order.indexOf(stack.name));
        }
      }),
    );
  });

  it("names the stacks of a cycle", () => {
    const stacks = [node("ok"), node("a", "c"), node("b", "a"), node("c", "b")];
    assert.throws(() => orderStacks(stacks), {
      name: "ConfigError",
      message: "stack references form a cycle: a -> c -> b -> a",
    });
    assert.throws(() => orderStacks([node("self", "self")]), /cycle: self -> self$/);
  });

  it("names every reference to a stack that is not listed", () => {
    const run = () => orderStacks([node("prod"), node("dev", "prod", "prd"), node("qa", "stage")]);
    assert.throws(run, (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, "unknown source stack referenced: dev -> prd, qa -> stage (not listed under stacks)");
      return true;
    });
  });
});
