import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../../src/extension/ids';

/**
 * package.json's contributions against the ids module, without VS Code (the integration tier also checks
 * what is registered at run time): every command both ways, tree menus that name the view, and internal
 * commands hidden from the palette.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
interface Menu {
  command: string;
  when?: string;
}
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { commands: { command: string; title: string }[]; menus: Record<string, Menu[]> };
};

describe('package.json contributions match src/extension/ids.ts', () => {
  it('contributes exactly the commands the ids module names', () => {
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
  });

  it('puts tree item menus only where a view of ours (Models, Serving, Monitors) and a context value say so', () => {
    for (const m of pkg.contributes.menus['view/item/context']) {
      assert.match(
        m.when ?? '',
        /view == mlops\.(models|servingEndpoints|monitors) && viewItem (=~|==) /,
        `${m.command}: ${m.when}`,
      );
    }
  });

  it('offers Serve Locally on live versions and .onnx files, Stop and the panel on served versions', () => {
    const items = pkg.contributes.menus['view/item/context'];
    const serve = items.find((m) => m.command === COMMANDS.serveLocally);
    assert.ok((serve?.when ?? '').includes('viewItem =~ /^mlops:version(?!.*\\+archived\\b)/'), serve?.when);
    for (const c of [COMMANDS.stopEndpoint, COMMANDS.openServingPanel])
      assert.ok(
        items.some((m) => m.command === c && /\\\+served\\b/.test(m.when ?? '')),
        `${c} on served versions`,
      );
    assert.ok(
      pkg.contributes.menus['explorer/context'].some(
        (m) => m.command === COMMANDS.serveLocally && /resourceExtname == \.onnx/.test(m.when ?? ''),
      ),
    );
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    assert.equal(palette.get(COMMANDS.endpointActions), 'false');
    assert.equal(palette.has(COMMANDS.serveModel), false, 'Serve Model… is in the palette');
  });

  it('offers Edit Tags… on versions, not when the registry is read-only, and hides internal commands', () => {
    const tags = pkg.contributes.menus['view/item/context'].find((m) => m.command === COMMANDS.editTags);
    assert.equal(tags?.when, 'view == mlops.models && viewItem =~ /^mlops:version\\b/ && !mlops.readOnly');
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    assert.equal(palette.get(COMMANDS.editTags), '!mlops.readOnly');
    for (const internal of [COMMANDS.loadMore, COMMANDS.revealVersion]) assert.equal(palette.get(internal), 'false');
  });

  it('offers Quantize (int8)… on versions in its own group, not when the registry is read-only', () => {
    const q = pkg.contributes.menus['view/item/context'].find((m) => m.command === COMMANDS.quantizeVersion);
    assert.equal(q?.when, 'view == mlops.models && viewItem =~ /^mlops:version\\b/ && !mlops.readOnly');
    assert.equal((q as { group?: string } | undefined)?.group, '6_optimize@1');
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    assert.equal(palette.get(COMMANDS.quantizeVersion), '!mlops.readOnly');
  });

  it('offers Retrain on monitors with a retrain: section, Show History on checks, not Retrain when read-only', () => {
    const items = pkg.contributes.menus['view/item/context'];
    const retrain = items.filter((m) => m.command === COMMANDS.retrain);
    assert.ok(retrain.length > 0);
    for (const m of retrain)
      assert.equal(
        m.when,
        'view == mlops.monitors && viewItem =~ /^mlops:monitor\\b.*\\+retrain\\b/ && !mlops.readOnly',
      );
    assert.ok(
      items.some(
        (m) =>
          m.command === COMMANDS.checkHistory && m.when === 'view == mlops.monitors && viewItem =~ /^mlops:check\\b/',
      ),
    );
    const palette = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    assert.equal(palette.get(COMMANDS.retrain), '!mlops.readOnly');
  });

  it('activates to restore the panels that survive a window reload (drift, check history, latency)', () => {
    // Their serializers (registerWebviewPanelSerializer) are only asked once the extension runs.
    for (const viewType of ['mlops.driftPanel', 'mlops.checkHistory', 'mlops.latencyPanel'])
      assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${viewType}`), viewType);
  });
});
