/**
 * The mlops.yaml the Monitors view's welcome button writes: one monitor of the model's production alias
 * with the two checks that need no labels or prediction log, and the retrain section commented out.
 * It passes the schema as written (the welcome text promises a file that works once the paths are right).
 */
export function monitorsTemplate(model: string): string {
  return `# MLOps Studio monitors (README "Monitoring"). Run Monitors in the editor, or \`mlops monitor --once\`,
# evaluates them; the Monitors view and the Problems panel show what breached.
monitors:
  - model: models:/${model}@production
    # The training data; default: the version's reference_data tag.
    # reference: data/reference.csv
    # The data to watch: files, a glob (the newest file counts), or { predictions: 24h } (the serving log).
    current: data/current.csv
    schedule: 15m
    checks:
      drift: { warning: 0.3, critical: 0.5, for: 1 }
      missing: { warning: 0.05, critical: 0.2 }
    # What MLOps: Retrain (and a Critical breach with on: critical) runs; its model becomes @challenger.
    # retrain:
    #   command: python train.py --data \${current}
    #   output: artifacts/model.onnx
    #   on: critical
`;
}
