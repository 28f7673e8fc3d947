import type { UiRequest } from '../driver/uiBridge';

/**
 * Client of the driver's UI bridge: clicks, keys and reads in the real workbench, from inside the
 * extension host. Undefined when the suite runs in VS Code desktop (no bridge): UI tests skip there.
 */
const url = process.env.MLOPS_E2E_UI_BRIDGE;

async function call<T>(r: UiRequest): Promise<T> {
  if (!url) throw new Error('No UI bridge (MLOPS_E2E_UI_BRIDGE): run through the code-server driver.');
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(r) });
  const body = (await res.json()) as { ok: boolean; result?: T; error?: string };
  if (!body.ok)
    throw new Error(`UI ${r.op} ${r.selector ?? r.key ?? ''}${r.hasText ? ` "${r.hasText}"` : ''}: ${body.error}`);
  return body.result as T;
}

export const uiAvailable = url !== undefined;

export const ui = {
  click: (selector: string, o: { hasText?: string; button?: 'left' | 'right'; timeoutMs?: number } = {}) =>
    call<void>({ op: 'click', selector, ...o }),
  hover: (selector: string, o: { hasText?: string } = {}) => call<void>({ op: 'hover', selector, ...o }),
  press: (key: string) => call<void>({ op: 'press', key }),
  type: (text: string) => call<void>({ op: 'type', text }),
  waitFor: (selector: string, o: { hasText?: string; state?: UiRequest['state']; timeoutMs?: number } = {}) =>
    call<void>({ op: 'waitFor', selector, ...o }),
  text: (selector: string, o: { hasText?: string } = {}) => call<string>({ op: 'text', selector, ...o }),
  html: (selector: string, o: { hasText?: string } = {}) => call<string>({ op: 'html', selector, ...o }),
  count: (selector: string, o: { hasText?: string } = {}) => call<number>({ op: 'count', selector, ...o }),
  box: (selector: string) =>
    call<{ x: number; y: number; width: number; height: number } | null>({ op: 'box', selector }),
  drag: (from: [number, number], to: [number, number]) => call<void>({ op: 'drag', from, to }),
  screenshot: (path: string) => call<string>({ op: 'screenshot', path }),
};

/** Workbench selectors (VS Code 1.139), in one place. */
export const SEL = {
  activityBarItem: (title: string) => `.activitybar .action-item a[aria-label^="${title}"]`,
  sidebar: '.part.sidebar',
  modelsPane: '.part.sidebar .pane',
  welcome: '.part.sidebar .welcome-view-content',
  button: '.monaco-button',
  row: '.part.sidebar .monaco-list-row',
  rowByLabel: (ariaPrefix: string) => `.part.sidebar .monaco-list-row[aria-label^="${ariaPrefix}"]`,
  contextMenu: '.context-view .monaco-menu',
  menuItem: '.context-view .monaco-menu .action-item',
  quickInput: '.quick-input-widget',
  quickInputRow: '.quick-input-widget .monaco-list-row',
  notifications: '.notifications-center',
  notificationRow: '.notifications-center .notification-list-item',
  statusBar: '.part.statusbar',
  statusBarItem: '.part.statusbar .statusbar-item',
  panel: '.part.panel',
  activeEditor: '.editor-group-container.active .editor-instance',
  activeEditorText: '.editor-group-container.active .monaco-editor .view-lines',
  editorMessage: '.monaco-editor-overlaymessage',
};

/**
 * Answers a transition's optional-reason box like a user: type, Enter. It waits for the box's own prompt: the
 * quick-input widget (and its input) is already on screen while the alias picker before it is, so waiting for the
 * widget alone lets Enter land on the picker and the command wait for ever.
 */
export async function giveReason(reason: string): Promise<void> {
  await ui.waitFor(SEL.quickInput, { hasText: 'Reason (optional' });
  if (reason) await ui.type(reason);
  await ui.press('Enter');
}
