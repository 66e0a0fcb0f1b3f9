/** "fused ×3, wasm ×1": how many runs train on each backend, in the order first seen (the CLI's last line, the panel's header). */
export function backendCounts(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([b, n]) => `${b} ×${n}`).join(', ');
}
