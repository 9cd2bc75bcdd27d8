// Screenshots of every screen, for looking at them: node scripts/shots.mjs
// Needs a running server with the demo and `node scripts/seed.mjs` projects;
// ACCORD_PASSWORD is the demo admin's password. Writes PNGs to /tmp/accord-shots.
import { mkdirSync } from "node:fs";
import { BASE, launch, newPage, signIn } from "./browser.mjs";

const out = process.env.SHOTS ?? "/tmp/accord-shots";
mkdirSync(out, { recursive: true });
const email = process.env.ACCORD_EMAIL ?? "admin@accord.local";
const password = process.env.ACCORD_PASSWORD;
if (!password) throw new Error("set ACCORD_PASSWORD");
const ids = { demo: 1, sink: Number(process.env.SINK ?? 2), long: Number(process.env.LONG ?? 3) };

const problems = [];
const browser = await launch();
const page = await newPage(browser, problems);
const shot = async (name, options = {}) => {
  await page.waitForTimeout(150);
  await page.screenshot({ path: `${out}/${name}.png`, ...options });
  console.log(`${out}/${name}.png`);
};

await page.goto(`${BASE}/signin`);
await shot("01-signin");
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill("wrong password");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForSelector(".notice-error");
await shot("02-signin-wrong");
await signIn(page, email, password);
await shot("03-projects");

await page.goto(`${BASE}/projects/${ids.demo}/annotate`);
await page.waitForSelector("[data-task-id]");
await shot("04-annotate-demo");
await page.keyboard.press("1");
await page.keyboard.press("Tab");
await page.keyboard.press("Shift+ArrowRight");
await page.keyboard.press("Shift+ArrowRight");
await shot("05-annotate-spans-selecting");
await page.keyboard.press("2");
await page.keyboard.press("Tab");
await page.keyboard.press("1");
await page.keyboard.press("Tab");
await page.keyboard.type("todo");
await shot("06-annotate-answered");
await page.keyboard.press("Escape");
await page.keyboard.press("Control+Enter");
await page.waitForTimeout(300);
await shot("07-annotate-problems");
await page.keyboard.press("?");
await shot("08-cheatsheet");
await page.keyboard.press("Escape");
await page.keyboard.press("g");
await shot("09-guidelines");
await page.keyboard.press("g");
await page.keyboard.press("s");
await shot("10-skip-dialog");
await page.keyboard.press("Escape");

await page.goto(`${BASE}/projects/${ids.sink}/annotate`);
await page.waitForSelector("[data-task-id]");
await shot("11-sink-top");
const unsafe = await page.evaluate(() => ({
  images: document.querySelectorAll(".task img, .guidelines img").length,
  scripts: document.querySelectorAll("#root script").length,
  jsLinks: [...document.querySelectorAll("a")].filter((a) => a.href.trim().toLowerCase().startsWith("javascript")).length,
}));
console.log("unsafe elements in the task:", JSON.stringify(unsafe));
await page.locator(".task-data").evaluate((el) => el.scrollTo(0, 10_000));
await page.locator(".task-questions").evaluate((el) => el.scrollTo(0, 10_000));
await shot("12-sink-bottom");

await page.goto(`${BASE}/projects/${ids.long}/annotate`);
await page.waitForSelector("[data-task-id]");
await shot("13-long-text");

await page.goto(`${BASE}/projects/${ids.demo}/mine`);
await page.waitForSelector("h1");
await shot("14-my-work");

await page.locator(".table a.button").first().click();
await page.waitForSelector("[data-task-id]");
await shot("15-reopen");

// A session that ends mid-task: sign-in, then back to the same task with the draft.
await page.goto(`${BASE}/projects/${ids.sink}/annotate`);
await page.waitForSelector("[data-question=why] textarea");
await page.locator("[data-question=why] textarea").fill("Draft typed before the session ended 42");
await page.context().clearCookies();
await page.keyboard.press("Escape");
await page.keyboard.press("Control+Enter");
await page.waitForSelector(".signin-card");
await shot("16-session-ended");
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForSelector("[data-question=why] textarea");
const restored = await page.locator("[data-question=why] textarea").inputValue();
console.log("draft after signing in again:", JSON.stringify(restored), "url:", page.url());
await shot("17-back-after-signin");

await browser.close();
console.log(problems.length ? `PROBLEMS:\n${problems.join("\n")}` : "no console errors, no dialogs");
