// In-browser measurements (Chromium, performance.now() inside the page):
//  1. submit → next task ready for input, on the demo project (keyboard answers, Ctrl+Enter);
//  2. span editor: time per label action (add, relabel, delete) on a 50,000-character text.
// Needs a running server with the demo and `node scripts/seed.mjs`; ACCORD_PASSWORD set.
// Usage: node scripts/bench.mjs [tasks=20] [labels=30]
import { BASE, launch, newPage, signIn } from "./browser.mjs";

const tasks = Number(process.argv[2] ?? 20);
const labels = Number(process.argv[3] ?? 30);
const demo = Number(process.env.DEMO ?? 1);
const long = Number(process.env.LONG ?? 3);

const problems = [];
const browser = await launch();
const page = await newPage(browser, problems);
await signIn(page, process.env.ACCORD_EMAIL ?? "admin@accord.local", process.env.ACCORD_PASSWORD);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

// Press a key on the focused element inside the page and resolve when `done()` holds after the
// next paint: the time a person waits between the key and a screen they can use.
async function timedKey(key, init, doneSource) {
  return page.evaluate(
    async ({ key, init, doneSource }) => {
      const done = new Function(`return (${doneSource})();`);
      const target = document.activeElement ?? document.body;
      const t0 = performance.now();
      target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
      await new Promise((resolve, reject) => {
        const deadline = t0 + 10_000;
        const check = () => {
          if (done()) resolve();
          else if (performance.now() > deadline) reject(new Error(`timed out waiting after ${key}`));
          else requestAnimationFrame(check);
        };
        check();
      });
      // wait for the frame to be painted
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - t0;
    },
    { key, init, doneSource },
  );
}

// 1. submit → next
await page.goto(`${BASE}/projects/${demo}/annotate`);
await page.waitForSelector("[data-task-id]");
const submitTimes = [];
for (let i = 0; i < tasks; i++) {
  const before = await page.getAttribute("[data-task-id]", "data-task-id");
  if (!before) break;
  await page.locator("[data-question=sentiment] [data-keys]").focus();
  await page.keyboard.press("1");
  await page.locator("[data-question=better_reply] [data-keys]").focus();
  await page.keyboard.press("1");
  await page.locator("[data-question=why] textarea").fill("");
  await page.locator("[data-question=why] textarea").focus();
  await page.keyboard.type("Reply A thanks the customer.");
  const ms = await timedKey(
    "Enter",
    { code: "Enter", ctrlKey: true },
    `() => { const t = document.querySelector("[data-task-id]"); const d = document.querySelector(".done");
             return d || (t && t.getAttribute("data-task-id") !== ${JSON.stringify(before)} && document.activeElement && document.activeElement.closest("[data-question]")); }`,
  );
  submitTimes.push(ms);
  if (await page.$(".done")) break;
}

// 2. span label actions on 50,000 characters
await page.goto(`${BASE}/projects/${long}/annotate`);
await page.waitForSelector(".span-text");
const length = await page.evaluate(() => document.querySelector(".span-text").textContent.length);
await page.locator("[data-question=entities] [data-keys]").focus();
// Start from nothing: clear what earlier runs left.
for (let i = 0; i < 400 && (await page.$(".span-chip")); i++) {
  await page.keyboard.press("]");
  await page.keyboard.press("Delete");
}
const add = [];
const relabel = [];
const remove = [];
const chips = () => `() => document.querySelectorAll(".span-chip").length`;
for (let i = 0; i < labels; i++) {
  // jump ahead to spread the spans over the text, then select one word
  for (let w = 0; w < 40; w++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Shift+ArrowRight");
  const count = await page.evaluate(() => document.querySelectorAll(".span-chip").length);
  add.push(await timedKey("1", { code: "Digit1" }, `() => document.querySelectorAll(".span-chip").length === ${count + 1}`));
}
for (let i = 0; i < Math.min(labels, 20); i++) {
  await page.keyboard.press("]");
  relabel.push(await timedKey("2", { code: "Digit2" }, `() => { const p = document.querySelector(".span-picked strong"); return p && p.textContent === "ORG"; }`));
  await page.keyboard.press("Escape");
}
for (let i = 0; i < Math.min(labels, 20); i++) {
  await page.keyboard.press("]");
  const count = await page.evaluate(() => document.querySelectorAll(".span-chip").length);
  remove.push(await timedKey("Delete", { code: "Delete" }, `() => document.querySelectorAll(".span-chip").length === ${count - 1}`));
}
void chips;

console.log(JSON.stringify({ submit_to_next_ready_ms: stats(submitTimes), span_text_chars: length, label_add_ms: stats(add), label_change_ms: stats(relabel), span_delete_ms: stats(remove) }, null, 2));
if (problems.length) console.log(`PROBLEMS:\n${problems.join("\n")}`);
await browser.close();
