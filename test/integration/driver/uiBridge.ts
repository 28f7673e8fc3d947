import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';

/**
 * Lets the test suite, which runs inside the extension host, act on the workbench like a user: the
 * driver owns the browser page, so it serves a few UI operations over HTTP on 127.0.0.1 (its address
 * reaches the extension host as MLOPS_E2E_UI_BRIDGE). The operations are generic (selectors and text
 * come from the tests), so the bridge knows nothing about the extension.
 */
export interface UiRequest {
  op: 'click' | 'hover' | 'press' | 'type' | 'waitFor' | 'text' | 'html' | 'count' | 'box' | 'drag' | 'screenshot';
  selector?: string;
  /** Only elements containing this text. */
  hasText?: string;
  button?: 'left' | 'right';
  key?: string;
  text?: string;
  state?: 'visible' | 'hidden' | 'attached' | 'detached';
  path?: string;
  /** drag: mouse down at `from`, up at `to` (page pixels). */
  from?: [number, number];
  to?: [number, number];
  timeoutMs?: number;
}

export interface UiBridge {
  url: string;
  attach(page: Page): void;
  close(): void;
}

export async function startUiBridge(): Promise<UiBridge> {
  let page: Page | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      void (async () => {
        try {
          if (!page) throw new Error('no page yet');
          const result = await perform(page, JSON.parse(body) as UiRequest);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
        } catch (e) {
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) }));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attach: (p) => (page = p),
    close: () => server.close(),
  };
}

function locate(page: Page, r: UiRequest): Locator {
  if (!r.selector) throw new Error(`${r.op} needs a selector`);
  const l = page.locator(r.selector);
  return r.hasText === undefined ? l : l.filter({ hasText: r.hasText });
}

async function perform(page: Page, r: UiRequest): Promise<unknown> {
  const timeout = r.timeoutMs ?? 10_000;
  switch (r.op) {
    case 'click':
      return locate(page, r)
        .first()
        .click({ button: r.button ?? 'left', timeout });
    case 'hover':
      return locate(page, r).first().hover({ timeout });
    case 'press':
      return page.keyboard.press(r.key ?? 'Enter');
    case 'type':
      return page.keyboard.type(r.text ?? '', { delay: 5 });
    case 'waitFor':
      return locate(page, r)
        .first()
        .waitFor({ state: r.state ?? 'visible', timeout });
    case 'text':
      return (await locate(page, r).allInnerTexts()).join('\n');
    case 'html':
      // For writing and debugging tests: what the workbench's DOM looks like there.
      return locate(page, r)
        .first()
        .evaluate((el) => el.outerHTML, undefined, { timeout });
    case 'count':
      return locate(page, r).count();
    case 'box':
      return locate(page, r).first().boundingBox({ timeout });
    case 'drag': {
      if (!r.from || !r.to) throw new Error('drag needs from and to');
      await page.mouse.move(...r.from);
      await page.mouse.down();
      await page.mouse.move(...r.to, { steps: 8 });
      return page.mouse.up();
    }
    case 'screenshot':
      if (!r.path) throw new Error('screenshot needs a path');
      await page.screenshot({ path: r.path, animations: 'disabled' });
      return r.path;
  }
}
