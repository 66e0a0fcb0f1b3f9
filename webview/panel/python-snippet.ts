/**
 * Copy Python snippet: a script that loads stored run folders with numpy (and
 * safetensors when installed; the format is simple enough to read by hand otherwise) and
 * recomputes ρ (docs/science.md §4.1) from the stored states, next to the value in
 * metrics.json: the user's own analysis starts from the same arrays the panel shows.
 */

export interface SnippetRun {
  name: string;
  folder: string;
}

/** A JSON string is a valid Python string literal (JSON.stringify never writes \/). */
const py = (s: string): string => JSON.stringify(s);

export function pythonSnippet(runs: readonly SnippetRun[], title: string): string {
  const entries = runs.map((r) => `    ${py(r.name)}: load_run(${py(r.folder)}),`).join('\n');
  return `# ${title.replace(/[\r\n]+/g, ' ')}: ${runs.length} run${runs.length === 1 ? '' : 's'} of RNN Dynamics Lab, loaded with numpy.
# Each folder: run.json (the resolved run), metrics.json (the measures), weights.safetensors
# (W [N,N], W_in [N,d_in], W_out [d_out,N], h0; *_init before training) and
# trajectories.safetensors (noise-free evaluation: states [T,B,N], outputs, targets and
# mask [T,B,d_out], inputs [T,B,d_in], condition [B], and the training losses).
import json
from pathlib import Path

import numpy as np

try:
    from safetensors.numpy import load_file
except ImportError:  # safetensors: an 8-byte header length, a JSON header, then little-endian arrays
    def load_file(path):
        raw = Path(path).read_bytes()
        n = int.from_bytes(raw[:8], "little")
        header = json.loads(raw[8:8 + n])
        kinds = {"F32": "<f4", "F64": "<f8", "I32": "<i4"}
        return {
            key: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dtype=kinds[v["dtype"]]).reshape(v["shape"])
            for key, v in header.items() if key != "__metadata__"
        }


def load_run(folder):
    folder = Path(folder)
    return {
        "run": json.loads((folder / "run.json").read_text()),
        "metrics": json.loads((folder / "metrics.json").read_text()),
        "weights": load_file(folder / "weights.safetensors"),
        "trajectories": load_file(folder / "trajectories.safetensors"),
    }


def rho(W_out, X):
    """The generalised correlation of the readout and the states (rows centred across neurons)."""
    W = W_out - W_out.mean(axis=1, keepdims=True)
    X = X - X.mean(axis=1, keepdims=True)
    return np.linalg.norm(W @ X.T) / np.sqrt(np.linalg.norm(W @ W.T) * np.linalg.norm(X.T @ X))


runs = {
${entries}
}

for name, r in runs.items():
    states = r["trajectories"]["states"].astype(np.float64)
    T, B, N = states.shape
    # The measures skip the transient: grid points before t_min.
    k_min = min(round(r["run"]["evaluation"]["t_min"] / r["run"]["network"]["dt"]), T - 1)
    X = states[k_min:].reshape(-1, N)
    print(f"{name}: rho = {rho(r['weights']['W_out'].astype(np.float64), X):.6g} (metrics.json: {r['metrics'].get('rho')})")
`;
}
