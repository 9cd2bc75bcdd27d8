// In-browser timings of the data manager on a big project (Chromium, performance.now() in the page):
//  1. first page: from navigation start (cold load of the app) and from a change of sort (warm)
//     to the first painted frame that shows loaded rows;
//  2. scrolling: every frame of programmatic smooth scrolling at three speeds, and of jumps to
//     random places (a dragged scrollbar), checked for blank area (no row drawn) and for rows
//     still showing their placeholder; and how long a jump's rows take to arrive.
// Needs a running server and a project with many tasks (e.g. 1,000,000, see the README of bench/).
// Usage: ACCORD_URL=... ACCORD_PASSWORD=... PROJECT=2 node e2e/data-bench.mjs [runs=10]
import { BASE, launch, newPage, signIn } from "../scripts/browser.mjs";

const project = Number(process.env.PROJECT ?? 2);
const runs = Number(process.argv[2] ?? 10);
const problems = [];
const browser = await launch();
const page = await newPage(browser, problems);
await signIn(page, process.env.ACCORD_EMAIL ?? "admin@accord.local", process.env.ACCORD_PASSWORD);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

// Resolves, inside the page, once a frame with loaded rows has been painted; the time since `t0`.
const PAINTED = `async (t0) => {
  await new Promise((resolve) => {
    const check = () => (document.querySelector(".task-row[data-loaded='1']") ? resolve() : requestAnimationFrame(check));
    check();
  });
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - t0;
}`;

// 1a. Cold: a full page load of /projects/:id/data, from navigation start.
const cold = [];
const serverMs = [];
for (let i = 0; i < runs; i++) {
  await page.goto(`${BASE}/projects/${project}/data`);
  cold.push(await page.evaluate(`(${PAINTED})(0)`));
  serverMs.push(Number(await page.getAttribute(".task-grid-scroll", "data-first-page-ms")));
}
const total = Number(await page.getAttribute(".task-grid-scroll", "data-total"));

// 1b. Warm: change the sort (a new query: the page cache starts empty) until rows are painted.
const warm = [];
for (let i = 0; i < runs; i++) {
  const ms = await page.evaluate(`(async () => {
    const button = document.querySelector(".sort-button");
    const t0 = performance.now();
    button.click();
    await new Promise((r) => requestAnimationFrame(r));
    return (${PAINTED})(t0);
  })()`);
  warm.push(ms);
}
await page.goto(`${BASE}/projects/${project}/data`);
await page.waitForSelector(".task-row[data-loaded='1']");

// 2. Scrolling. Each frame: move, then at the next frame sample the painted grid.
const SCROLL = `async ({ frames, step, jump }) => {
  const box = document.querySelector(".task-grid-scroll");
  const win = box.querySelector(".task-grid-window");
  const max = box.scrollHeight - box.clientHeight;
  const out = { frames: 0, blankFrames: 0, blankPoints: 0, placeholderFrames: 0, placeholderRows: 0, rowsSeen: 0, fillMs: [] };
  let pendingSince = null;
  const sample = () => {
    const rect = win.getBoundingClientRect();
    const x = rect.left + 40;
    let blank = 0;
    const bottom = Math.min(rect.bottom, window.innerHeight);
    if (rect.bottom > window.innerHeight) out.offscreen = true;
    for (let y = rect.top + 2; y < bottom - 2; y += 8) {
      const el = document.elementFromPoint(x, y);
      if (!el || !el.closest(".task-row")) blank++;
    }
    const rows = [...win.querySelectorAll(".task-row")].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > rect.top && b.top < rect.bottom;
    });
    const waiting = rows.filter((r) => r.dataset.loaded === "0").length;
    out.frames++;
    out.rowsSeen += rows.length;
    if (blank) { out.blankFrames++; out.blankPoints += blank; }
    if (waiting) { out.placeholderFrames++; out.placeholderRows += waiting; }
    const now = performance.now();
    if (waiting && pendingSince === null) pendingSince = now;
    if (!waiting && pendingSince !== null) { out.fillMs.push(now - pendingSince); pendingSince = null; }
  };
  for (let i = 0; i < frames; i++) {
    await new Promise((r) => requestAnimationFrame(r));
    sample();
    box.scrollTop = jump ? Math.random() * max : Math.min(max, box.scrollTop + step);
  }
  // let the last move settle: how long from the last scroll until its rows are there
  const stopped = performance.now();
  for (let i = 0; i < 300 && pendingSince !== null; i++) {
    await new Promise((r) => requestAnimationFrame(r));
    sample();
  }
  out.afterStopMs = pendingSince === null ? +(performance.now() - stopped).toFixed(1) : null;
  return out;
}`;

const runsOf = [
  ["wheel (100 px/frame ≈ 190 rows/s)", { frames: 300, step: 25, jump: false }],
  ["fast (600 px/frame ≈ 1,100 rows/s)", { frames: 300, step: 150, jump: false }],
  ["fling (3,000 px/frame ≈ 5,600 rows/s)", { frames: 200, step: 750, jump: false }],
  ["jumps (scrollbar dragged to random places, one per 500 ms)", { frames: 20, step: 0, jump: true, slow: true }],
];
const scroll = [];
for (const [name, opts] of runsOf) {
  await page.evaluate(() => {
    const box = document.querySelector(".task-grid-scroll");
    box.scrollTop = 0;
  });
  await page.waitForTimeout(300);
  let result;
  if (opts.slow) {
    result = { frames: 0, blankFrames: 0, blankPoints: 0, placeholderFrames: 0, placeholderRows: 0, rowsSeen: 0, fillMs: [] };
    for (let i = 0; i < opts.frames; i++) {
      const one = await page.evaluate(`(${SCROLL})(${JSON.stringify({ frames: 1, step: 0, jump: true })})`);
      // one jump, then every frame until its rows have arrived
      const settle = await page.evaluate(`(${SCROLL})(${JSON.stringify({ frames: 30, step: 0, jump: false })})`);
      for (const part of [one, settle]) {
        for (const key of ["frames", "blankFrames", "blankPoints", "placeholderFrames", "placeholderRows", "rowsSeen"]) result[key] += part[key];
        result.fillMs.push(...part.fillMs);
      }
      await page.waitForTimeout(500);
    }
  } else {
    result = await page.evaluate(`(${SCROLL})(${JSON.stringify(opts)})`);
  }
  // steps are in scroll px; the scrollbar is scaled, so content moves `scale` times more
  scroll.push({ name, ...result, fillMs: result.fillMs.length ? stats(result.fillMs) : null });
  if (!opts.slow) scroll[scroll.length - 1].afterStopMs = result.afterStopMs;
}
const scale = await page.evaluate(() => {
  const box = document.querySelector(".task-grid-scroll");
  return (Number(box.dataset.total) * 32 - box.clientHeight) / (box.scrollHeight - box.clientHeight);
});

console.log(JSON.stringify({ total, scrollScale: +scale.toFixed(2), cold: stats(cold), serverFirstPage: stats(serverMs), warm: stats(warm), scroll }, null, 2));
if (problems.length) console.log("PROBLEMS:", problems);
await browser.close();
