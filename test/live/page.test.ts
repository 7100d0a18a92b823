/** The page as served: self-contained, its script valid, its CSP matching what it inlines. */
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pageScript, renderPage } from '../../src/live/page/page.js';
import { pageStyles } from '../../src/live/page/styles.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('base64');

describe('the page', () => {
  const page = renderPage('rh-agents live view');

  it('has a script that parses and cannot end its own <script> element early', () => {
    expect(() => new Script(pageScript)).not.toThrow();
    expect(pageScript.toLowerCase()).not.toContain('</script');
    expect(pageStyles.toLowerCase()).not.toContain('</style');
  });

  it('fetches nothing from elsewhere: no external URL, no src or href but an empty data: icon', () => {
    expect(page.html).not.toMatch(/https?:\/\//);
    expect(page.html).not.toMatch(/\bsrc=/);
    expect(page.html.match(/\bhref="[^"]*"/g)).toEqual(['href="data:,"']);
    expect(page.html).not.toMatch(/@import|url\(/);
  });

  it('lets only its own inline script and style run (CSP hashes of exactly what it inlines)', () => {
    expect(page.html).toContain(`<script>${pageScript}</script>`);
    expect(page.html).toContain(`<style>${pageStyles}</style>`);
    expect(page.contentSecurityPolicy).toContain(`script-src 'sha256-${sha(pageScript)}'`);
    expect(page.contentSecurityPolicy).toContain(`style-src 'sha256-${sha(pageStyles)}'`);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
    expect(page.contentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it('shows the title as text', () => {
    const html = renderPage(`<img src=x onerror="alert('t')"> & co`).html;
    expect(html).toContain(
      '<title>&lt;img src=x onerror=&quot;alert(&#39;t&#39;)&quot;&gt; &amp; co</title>',
    );
    expect(html).not.toContain('<img');
  });

  it('never hands event data to innerHTML, outerHTML, insertAdjacentHTML, document.write or eval', () => {
    expect(pageScript).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
  });
});
