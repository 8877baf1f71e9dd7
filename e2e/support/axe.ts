/**
 * axe-core on the page as it is now, in the light and the dark theme:
 * WCAG 2.0/2.1 A and AA rules, and the landmark rules. Returns the violations as readable lines
 * (rule, impact, the first nodes) so that a failure says what to fix.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const THEMES = ['light', 'dark'] as const;

/** axe files these under best practice, not WCAG: one banner, one contentinfo, each top-level. */
export const LANDMARK_RULES = [
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo',
  'landmark-no-duplicate-main',
  'landmark-banner-is-top-level',
  'landmark-contentinfo-is-top-level',
  'landmark-main-is-top-level',
  'landmark-unique',
];

async function violationsNow(page: Page, where: string): Promise<string[]> {
  const wcag = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const landmarks = await new AxeBuilder({ page }).withRules(LANDMARK_RULES).analyze();
  return [...wcag.violations, ...landmarks.violations].map((violation) => {
    const nodes = violation.nodes
      .slice(0, 3)
      .map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`.replace(/\s+/g, ' '))
      .join(' | ');
    return `${where}: ${violation.id} (${violation.impact ?? '?'}) ${violation.help} -> ${nodes}`;
  });
}

/** Both themes; leaves the page in the light theme. */
export async function axeViolations(page: Page, screen: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await violationsNow(page, `${screen} [${colorScheme}]`)));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}
