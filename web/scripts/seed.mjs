// Dev helper: adds two projects to a running Accord server for trying every widget and for
// the measurements. ACCORD_URL (default http://127.0.0.1:8181) and ACCORD_TOKEN (an API token,
// e.g. the one `accord serve --demo` prints) must be set. Safe to run twice (skips existing).
const base = process.env.ACCORD_URL ?? "http://127.0.0.1:8181";
const token = process.env.ACCORD_TOKEN;
if (!token) throw new Error("set ACCORD_TOKEN to an API token");
const headers = { Authorization: `Bearer ${token}` };

async function call(method, path, body, type = "application/json") {
  const response = await fetch(base + "/api/v1" + path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "Content-Type": type } : {}) },
    body: body === undefined ? undefined : type === "application/json" ? JSON.stringify(body) : body,
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(payload)}`);
  return payload;
}

const SINK = {
  fields: [
    { name: "prompt", kind: "text", label: "Prompt" },
    { name: "notes", kind: "markdown", label: "Notes" },
    { name: "responses", kind: "text_list", label: "Responses", min_items: 2, max_items: 2 },
    { name: "article", kind: "text", label: "Article" },
    { name: "chat", kind: "chat", label: "Conversation" },
  ],
  questions: [
    { name: "better", kind: "pairwise", target: "responses", required: true, label: "Which response is better?" },
    {
      name: "why",
      kind: "text",
      label: "Why?",
      min_length: 20,
      checks: ["no_placeholder", "trimmed"],
      rules: [
        { pattern: "\\d", message: "Cite at least one number from the article" },
        { pattern: "(?i)\\bas an ai\\b", message: "No boilerplate", must_match: false },
      ],
      placeholder: "Explain your choice",
    },
    { name: "quality", kind: "rating", label: "Overall quality", labels: { 1: "poor", 5: "excellent" } },
    { name: "tone", kind: "rating", label: "Tone", style: "scale", min: 0, max: 10, description: "0 hostile … 10 warm" },
    { name: "flags", kind: "choice", multiple: true, label: "Problems", options: ["factual error", "rude", { value: "long", label: "Too long", hint: "More than needed" }], min_choices: 0 },
    { name: "entities", kind: "spans", target: "article", labels: ["PER", "ORG", { value: "LOC", label: "Location" }], overlap: true },
    { name: "order", kind: "ranking", target: "responses" },
    {
      name: "judge",
      kind: "rubric",
      target: "responses",
      criteria: [
        { name: "accurate", type: "pass_fail", weight: 2, description: "No false claims" },
        { name: "clear", type: "score", min: 1, max: 5 },
      ],
    },
    { name: "per_turn", kind: "turns", target: "chat", labels: ["helpful", "unhelpful", "unsafe"] },
  ],
};

const xss = "<img src=x onerror=alert(1)> <script>alert(2)</script>";
function sinkRow(i) {
  return {
    id: `sink-${i}`,
    prompt: `Summarise the article. ${xss}`,
    notes: `**Bold** note with a [bad link](javascript:alert(1)) and a [good one](https://example.org).\n\n${xss}\n\n\`\`\`python\nprint("hi")\n\`\`\``,
    responses: [`Alice met Bob in Paris 😀 (${i}).`, "A longer summary that mentions Alice, Bob, Paris and the 3 meetings they had."],
    article: `😀 Alice met Bob in Paris. 👩‍👩‍👧 Then ACME hired them both in 2024. ${xss}`,
    chat: [
      { role: "system", content: "You are helpful." },
      { role: "user", content: "How do I reverse a list in Python?" },
      { role: "assistant", content: "Use slicing:\n\n```python\nitems = [1, 2, 3]\nprint(items[::-1])\n```\n\nor `items.reverse()` in place." },
      { role: "user", content: `Thanks! ${xss}` },
      { role: "assistant", content: "You are welcome." },
    ],
  };
}

const LONG = {
  fields: [{ name: "text", kind: "text", label: "Long text" }],
  questions: [{ name: "entities", kind: "spans", target: "text", labels: ["PER", "ORG", "LOC", "MISC"] }],
};
function longText() {
  const words = ["Alice", "met", "Bob", "in", "Paris", "😀", "while", "ACME", "was", "hiring", "in", "Berlin.", "Then", "they", "left."];
  let out = "";
  let i = 0;
  while (out.length < 50_000) out += words[i++ % words.length] + (i % 40 === 0 ? "\n\n" : " ");
  return out.slice(0, 50_000);
}

async function ensure(name, iface, rows, guidelines) {
  const projects = await call("GET", "/projects");
  const found = projects.find((p) => p.name === name);
  if (found) return found;
  const project = await call("POST", "/projects", { name, interface: iface, guidelines, description: `Dev project: ${name}` });
  const body = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  await call("POST", `/projects/${project.id}/imports?format=jsonl`, body, "application/x-ndjson");
  return project;
}

const sink = await ensure("Kitchen sink", SINK, Array.from({ length: 5 }, (_, i) => sinkRow(i + 1)), "# Kitchen sink\n\nEvery kind of field and question. <b>raw html</b> [x](javascript:alert(1))");
const long = await ensure("Long text (50,000 characters)", LONG, Array.from({ length: 3 }, (_, i) => ({ id: `long-${i}`, text: longText() })), "Mark the entities.");
console.log(JSON.stringify({ sink: sink.id, long: long.id }));
