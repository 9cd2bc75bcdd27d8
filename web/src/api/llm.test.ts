import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./http";
import { parseEvents, streamSuggestion } from "./llm";

function sse(...events: [string, unknown][]): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

/** A streamed answer cut into the given pieces (as a network delivers it). */
function streamed(pieces: string[], status = 200): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
      controller.close();
    },
  });
  return new Response(body, { status, headers: { "Content-Type": "text/event-stream" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("parseEvents", () => {
  it("returns whole events and keeps the unfinished rest", () => {
    const text = sse(["delta", { index: 0, text: "Hel" }], ["delta", { index: 0, text: "lo" }]) + "event: done\ndata: {";
    const { events, rest } = parseEvents(text);
    expect(events.map((e) => e.data.text)).toEqual(["Hel", "lo"]);
    expect(rest).toBe("event: done\ndata: {");
  });
});

describe("streamSuggestion", () => {
  it("hands on each piece as it arrives, even split mid-event", async () => {
    const whole = sse(["delta", { index: 0, text: "Better " }], ["delta", { index: 0, text: "text" }], ["done", { index: 0, text: "Better text", call_id: 1 }]);
    vi.stubGlobal("fetch", vi.fn(async () => streamed([whole.slice(0, 20), whole.slice(20, 45), whole.slice(45)])));
    const pieces: string[] = [];
    await expect(streamSuggestion(7, "bad text", "answer", (p) => pieces.push(p))).resolves.toBe("Better text");
    expect(pieces).toEqual(["Better ", "text"]);
  });

  it("turns an error event into an ApiError with the server's message", async () => {
    const failed = sse(["error", { index: 0, code: "llm_failed", message: "the endpoint did not answer within 5 s" }]);
    vi.stubGlobal("fetch", vi.fn(async () => streamed([failed])));
    const promise = streamSuggestion(7, "x", "answer", () => {});
    await expect(promise).rejects.toBeInstanceOf(ApiError);
    await expect(streamSuggestion(7, "x", "answer", () => {})).rejects.toThrow("did not answer within 5 s");
  });

  it("reads a refusal before the stream (429, over the budget)", async () => {
    const refusal = { error: { code: "llm_budget_exceeded", message: "over the budget of 100", details: null } };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(refusal), { status: 429 })));
    const error = await streamSuggestion(7, "x", "answer", () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("llm_budget_exceeded");
  });
});
