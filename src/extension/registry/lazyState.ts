/**
 * Whether the registry core (sql.js, the ONNX reader, protobufjs) has been loaded into the extension
 * host. It must not be at activation (DESIGN.md: heavy modules load lazily); the integration suite reads
 * this through the extension's API right after activating it.
 */
let loadedAt: number | undefined;

export function markCoreLoaded(): void {
  loadedAt ??= Date.now();
}

export function coreLoadedAt(): number | undefined {
  return loadedAt;
}
