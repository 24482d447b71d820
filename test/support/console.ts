import type { Browser, Locator, Page } from 'playwright-core';
import { startTestApp, TestApp } from './app';
import { ConsolePage, launchBrowser, openPage } from './browser';
import { account, PASSWORD } from './people';

// Driving the console as a person does: through the visible labels of console.md, the keyboard, the place picker.

/** The clickable box of an Element Plus select, found by the field's label (its input is hidden behind it). */
function selectBox(within: Page | Locator, field: string): Locator {
  return within.getByLabel(field, { exact: true }).locator('xpath=ancestor::*[contains(@class, "el-select__wrapper")][1]');
}

/** Picks an option of a select by the field's label; `within` narrows to a dialog when the page has the label twice. */
export async function choose(page: Page, field: string, option: string, within: Page | Locator = page): Promise<void> {
  await selectBox(within, field).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Types a code into the place picker and chooses the place offered, by its full name. */
export async function pickPlace(page: Page, field: string, code: string, fullNameStart: string, within: Page | Locator = page): Promise<void> {
  await selectBox(within, field).click();
  await page.keyboard.type(code);
  await page.getByRole('option', { name: new RegExp(`^${fullNameStart}`) }).click();
}

/** Opens a place picker by the field's label and types part of a name or a code: the places offered are its options. */
export async function typeIntoPicker(page: Page, field: string, text: string, within: Page | Locator = page): Promise<void> {
  await selectBox(within, field).click();
  await page.keyboard.type(text);
}

/** The URLs the page POSTs to an API path from now on: a form refused in the browser must have sent nothing. */
export function postsTo(page: Page, path: string): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === path) sent.push(request.url());
  });
  return sent;
}

/** Logs in through the login page and lands on `path` (the redirect a 401 or a bookmark would carry). */
export async function signIn(page: Page, username: string, path: string): Promise<void> {
  await page.goto(`/login?redirect=${path}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByLabel('密码').press('Enter');
  await page.waitForURL((url) => url.pathname === path.split('?')[0]);
}

/** Presses Tab until the element has the focus, as a keyboard user would reach it; fails when Tab never gets there. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 60; i++) {
    // Runs in the page (the tests' tsconfig has no DOM types, hence the structural type).
    const focused = await target.evaluate((el: { ownerDocument: { activeElement: unknown }; contains(other: unknown): boolean }) =>
      el.contains(el.ownerDocument.activeElement),
    );
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

/** With a select's list open, moves down with the arrow key to the option and takes it with Enter. */
export async function arrowTo(page: Page, option: string | RegExp): Promise<void> {
  await page.getByRole('option', { name: option }).waitFor();
  for (let i = 0; i < 12; i++) {
    const hovered = page.locator('.el-select-dropdown__item.is-hovering');
    if (
      (await hovered.count()) === 1 &&
      (typeof option === 'string' ? (await hovered.innerText()).trim() === option : option.test(await hovered.innerText()))
    ) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never reached ${String(option)}`);
}

/** The error shown under a form field, found through the field's label. */
export function errorOf(page: Page, field: string): Locator {
  return page
    .locator('.el-form-item')
    .filter({ has: page.getByLabel(field, { exact: true }) })
    .locator('.el-form-item__error');
}

/** A new tab signed in as `username`, on `path`. */
export async function signedInTab(browser: Browser, base: string, username: string, path: string): Promise<ConsolePage> {
  const tab = await openPage(browser, base);
  await signIn(tab.page, username, path);
  return tab;
}

/** What a browser test file runs against: the service, Chromium, and an origin clerk's account (username). */
export interface ConsoleRun {
  t: TestApp;
  browser: Browser;
  base: string;
  clerk: string;
}

/** Starts the service and Chromium, and makes the file's origin clerk (for beforeAll). */
export async function startConsoleRun(origin: string, clerk: { prefix: string; displayName: string }): Promise<ConsoleRun> {
  const t = await startTestApp();
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    return { t, browser, base: await t.app.getUrl(), clerk: await account(t, origin, clerk) };
  } catch (error) {
    await stopConsoleRun({ t, browser });
    throw error;
  }
}

/** Closes what startConsoleRun started (for afterAll; safe when it did not start). */
export async function stopConsoleRun(run: Partial<ConsoleRun>): Promise<void> {
  await run.browser?.close();
  await run.t?.close();
}
