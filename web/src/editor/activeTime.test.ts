import { describe, expect, it } from "vitest";
import { ActiveClock } from "./activeTime";

describe("ActiveClock", () => {
  it("counts visible, active time only", () => {
    let now = 0;
    const clock = new ActiveClock(() => now, 60_000);
    now = 10_000;
    clock.activity();
    expect(clock.seconds()).toBe(10);
    now = 20_000;
    clock.setVisible(false);
    now = 80_000;
    clock.setVisible(true);
    now = 85_000;
    expect(clock.seconds()).toBe(25);
  });

  it("stops counting after the idle limit", () => {
    let now = 0;
    const clock = new ActiveClock(() => now, 30_000);
    now = 100_000;
    expect(clock.seconds()).toBe(30);
    clock.activity();
    now = 105_000;
    expect(clock.seconds()).toBe(35);
  });

  it("starts from a restored draft's time and resets", () => {
    let now = 0;
    const clock = new ActiveClock(() => now, 60_000, 12.5);
    now = 1000;
    expect(clock.seconds()).toBe(13.5);
    clock.reset();
    now = 3000;
    expect(clock.seconds()).toBe(2);
  });
});
