/**
 * Chromium for the console's end-to-end tests: Debian's /usr/bin/chromium driven by
 * playwright-core (never a downloaded browser). Without it the tests skip with a message, or
 * fail where OPENWAAS_REQUIRE_BROWSER=1 (CI) says the browser must be there. Helpers: a page at
 * 1280×800 that records console errors (a CSP refusal is one), screenshots into docs/console/,
 * and an axe-core check failing on serious or critical violations.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.OPENWAAS_CHROMIUM ?? '/usr/bin/chromium';

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The desktop size every page is checked and shot at. */
export const desktop = { width: 1280, height: 800 };
/** A phone's width (and height) for the pages shot a second time. */
export const phone = { width: 390, height: 844 };

/** How long a locator waits for the state a test expects (a loaded machine is slow, never wrong). */
export const stateTimeoutMs = 30_000;

/**
 * Whether the browser tests of `title` run here: false (run them), or the reason they skip (a
 * skipped test named `title` stands in for them, so the runner's count shows it). Where the
 * browser is required and missing, this throws: the tests fail instead of skipping.
 */
export function browserSkip(title: string): false | string {
  if (existsSync(chromiumPath)) return false;
  const reason = `no Chromium at ${chromiumPath}: install it (apt-get install -y chromium) to run the console's browser tests`;
  if (process.env.OPENWAAS_REQUIRE_BROWSER === '1') throw new Error(`${reason} (OPENWAAS_REQUIRE_BROWSER=1: required here)`);
  process.stderr.write(`# skipped: ${reason}\n`);
  test(title, { skip: reason }, () => {});
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: flags, headless: true });
}

/** A page of its own (own cookies and storage: a second operator) at desktop size; `errors` collects the page's console errors. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: desktop });
  const page = await context.newPage();
  page.setDefaultTimeout(stateTimeoutMs);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** The page's console errors other than the answers the test provoked on purpose (4xx of the API). */
export function unexpectedErrors(errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));
}

const screenshotDir = fileURLToPath(new URL('../../../../docs/console/', import.meta.url));

/** docs/console/NAME.png at 1280×800 and, with `phoneToo`, NAME-phone.png at phone width (failing when the page is wider than the phone). */
export async function screenshot(page: Page, name: string, options: { phoneToo?: boolean } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize(desktop);
  await page.screenshot({ path: `${screenshotDir}${name}.png` });
  if (options.phoneToo) {
    await page.setViewportSize(phone);
    // Usable at phone width: nothing makes the page scroll sideways (wide tables scroll in their own box).
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > phone.width) {
      // Name the innermost elements reaching past the phone's width: what to fix.
      // A string, not a function: the test's compiler would add helpers the page does not have.
      const wide = (await page.evaluate(`(() => {
        const limit = ${phone.width};
        const clipped = (el) => { for (let up = el.parentElement; up; up = up.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true; return false; };
        const past = Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > limit + 1 && !clipped(el));
        // No box reaches past it: a text overflows its box (a long word that does not wrap).
        if (past.length === 0) return ['a text longer than its box (a word that does not wrap)'];
        return past.filter((el) => !past.some((other) => other !== el && el.contains(other))).slice(0, 5)
          .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' "' + (el.textContent || '').slice(0, 40) + '"');
      })()`)) as string[];
      assert.fail(`${name} is ${width} px wide at phone width (${phone.width} px): ${wide.join('; ')}`);
    }
    await page.screenshot({ path: `${screenshotDir}${name}-phone.png`, fullPage: true });
    await page.setViewportSize(desktop);
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on the page as it is and fails on any serious or critical violation. The source
 * goes in through the debugging protocol, not a script tag: the console's CSP refuses inline
 * scripts, and the test must not loosen it.
 */
export async function axeCheck(page: Page, what: string): Promise<void> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`)) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
    [],
    `axe on ${what}`,
  );
}
