import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../../src/extension/ids';

/**
 * The walkthrough and the mlops.yaml schema mapping, checked without VS Code: every command a step names
 * (in a button or a completion event) is one we contribute, every page exists, and the schema the YAML
 * extension is pointed at is the one the monitor core validates with.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    walkthroughs: { id: string; steps: Step[] }[];
    yamlValidation: { fileMatch: string; url: string }[];
  };
};
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));

describe('walkthrough and yamlValidation contributions', () => {
  const steps = pkg.contributes.walkthroughs[0].steps;

  it('walks through push, promote, serve, drift and a monitor, in that order', () => {
    assert.deepEqual(
      steps.map((s) => s.id),
      ['push', 'promote', 'serve', 'drift', 'monitor'],
    );
  });

  it('completes each step on a real command we contribute, and its buttons run contributed commands', () => {
    for (const s of steps) {
      assert.ok(s.completionEvents?.length, `${s.id} has completion events`);
      for (const ev of s.completionEvents!) {
        const m = /^onCommand:(.+)$/.exec(ev);
        assert.ok(m, `${s.id}: ${ev} is an onCommand event`);
        assert.ok(contributed.has(m[1]), `${s.id}: ${m[1]} is contributed`);
      }
      const buttons = [...s.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((x) => x[1]);
      assert.ok(buttons.length > 0, `${s.id} has a button`);
      for (const b of buttons) assert.ok(contributed.has(b), `${s.id}: button ${b} is contributed`);
    }
    assert.ok(steps.some((s) => s.completionEvents?.includes(`onCommand:${COMMANDS.runMonitors}`)));
  });

  it('has a markdown page for every step', () => {
    for (const s of steps) {
      assert.ok(s.media.markdown, `${s.id} has markdown media`);
      assert.ok(existsSync(path.join(ROOT, s.media.markdown)), `${s.media.markdown} exists`);
    }
  });

  it('maps mlops.yaml to the schema the monitor core validates with', () => {
    assert.deepEqual(pkg.contributes.yamlValidation, [
      { fileMatch: 'mlops.yaml', url: './media/schemas/mlops.schema.json' },
    ]);
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'media', 'schemas', 'mlops.schema.json'), 'utf8'));
    assert.ok(schema.properties.monitors, 'the schema describes monitors:');
  });
});
