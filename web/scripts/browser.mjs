// Shared by the scripts: start Debian's Chromium (never a downloaded one) and sign in.
import { chromium } from "playwright-core";

export const BASE = process.env.ACCORD_URL ?? "http://127.0.0.1:8181";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** A page that records console errors, page errors and any dialog (an alert would be an XSS). */
export async function newPage(browser, problems) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", async (d) => {
    problems.push(`DIALOG (script ran!): ${d.message()}`);
    await d.dismiss();
  });
  return page;
}

export async function signIn(page, email, password) {
  await page.goto(`${BASE}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector(".topbar-user");
}
