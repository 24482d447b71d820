import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// axe-core (npm) run inside the page as shown: what a screen reader and a low-vision reader meet on each screen.
// The console's Content-Security-Policy forbids inline scripts, so axe is not added as a <script> tag (the policy
// would refuse it, and the refusal is a browser error): it is evaluated through the DevTools protocol, which the policy
// does not govern, exactly as the page is served.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One rule broken on one screen, with the elements that break it. */
export interface AxeFinding {
  screen: string;
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** What console.md forbids on any screen: axe's critical and serious findings. */
export const BLOCKING = ['critical', 'serious'];

/** Waits until the screen is still: no skeleton or loading mask shown, no transition or animation running (a dialog fading in). */
export async function settle(page: Page): Promise<void> {
  await page.locator('.el-skeleton, .el-loading-mask').first().waitFor({ state: 'hidden' });
  // Runs in the page (the tests' tsconfig has no DOM types): finite animations only (a spinner never finishes).
  await page.evaluate(`Promise.race([
    Promise.all(document.getAnimations()
      .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
      .map((a) => a.finished.catch(() => undefined))),
    new Promise((resolve) => setTimeout(resolve, 3000)),
  ])`);
}

/** axe's findings on the page as it is now (every impact), each named after `screen`. */
export async function axeFindings(page: Page, screen: string): Promise<AxeFinding[]> {
  await settle(page);
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // Each element by its selector, with the contrast ratio axe measured when that is the rule.
  const violations: Omit<AxeFinding, 'screen'>[] = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => {
        const ratio = n.any[0] && n.any[0].data && n.any[0].data.contrastRatio;
        return n.target.join(' ') + (ratio ? ' (' + ratio + ':1)' : '');
      }),
    })))`);
  return violations.map((v) => ({ screen, ...v }));
}

/** Collects the blocking findings of every screen of a journey, to fail once at the end with all of them listed. */
export class AxeAudit {
  readonly blocking: string[] = [];
  readonly screens: string[] = [];

  async check(page: Page, screen: string): Promise<void> {
    this.screens.push(screen);
    for (const f of await axeFindings(page, screen)) {
      if (BLOCKING.includes(f.impact)) this.blocking.push(`${f.screen} · ${f.id} (${f.impact}): ${f.help} — ${f.targets.join(', ')}`);
    }
  }
}
