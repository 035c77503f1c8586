"""Shared plumbing of the exporter: strict weight loading, deterministic random weights, ONNX export and the
reference vectors the C# parity tests read.

Every module file in this folder exposes the same four things:

    CONFIGS = {"tiny": {...}, "full": {...}}      # constructor arguments; "full" is upstream's real size
    build(size) -> torch.nn.Module                 # parameter names and shapes exactly upstream's
    load_weights(model, weights_dir) -> None       # the operator's checkpoint, load_strict (see below)
    export(model, layout, refs) -> None            # the ONNX file(s) CONTRACT.md names + one forward pass each

Reference vectors: for every exported graph, one forward pass of torch eager fp32 is saved as
reference/<case>.<tensor>.npy and described in reference/modules.json, which the C# parity tests read:
    {"<case>": {"onnx": "vq02/encoder.onnx", "inputs": {"<onnx input name>": "<file>.npy", ...},
                "outputs": {"<onnx output name>": "<file>.npy", ...}, "atol": 1e-4, "rtol": 0}}
Positional graphs (vq06, CAM++) use their graph's own input/output names.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Mapping

import numpy as np
import torch

OPSET = 17


class WeightsError(Exception):
    """The operator's checkpoint does not fit the architecture: the message names the file and the keys."""


def load_strict(model: torch.nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """load_state_dict(strict=True), with a message that names every missing and unexpected key and every
    shape mismatch instead of PyTorch's wall of text."""
    own = model.state_dict()
    missing = sorted(k for k in own if k not in state)
    extra = sorted(k for k in state if k not in own)
    shapes = sorted(f"{k}: checkpoint {tuple(state[k].shape)}, model {tuple(own[k].shape)}"
                    for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape))
    if missing or extra or shapes:
        lines = [f"{source} does not match the architecture:"]
        lines += [f"  missing key {k}" for k in missing[:20]] + ([f"  ... {len(missing) - 20} more missing"] if len(missing) > 20 else [])
        lines += [f"  unexpected key {k}" for k in extra[:20]] + ([f"  ... {len(extra) - 20} more unexpected"] if len(extra) > 20 else [])
        lines += [f"  shape {s}" for s in shapes[:20]]
        raise WeightsError("\n".join(lines))
    model.load_state_dict(state, strict=True)


def read_checkpoint(path: Path) -> Dict[str, torch.Tensor]:
    """A torch checkpoint as a flat state dict; a missing or unreadable file is a WeightsError naming it."""
    if not path.is_file():
        raise WeightsError(f"{path}: file not found")
    try:
        state = torch.load(str(path), map_location="cpu")
    except Exception as error:  # pickle, zip and torch errors alike: the operator needs the file name
        raise WeightsError(f"{path}: not a readable torch checkpoint ({error})") from error
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise WeightsError(f"{path}: expected a state dict, found {type(state).__name__}")
    return state


def sub_state(state: Mapping[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    """The keys under prefix (e.g. 'encoder.'), prefix removed."""
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def randomize_(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Deterministic random weights that keep activations in a realistic range: PyTorch's default init under
    the seed, then norms and batch-norm statistics moved off their identity values so that every parameter and
    buffer matters to the output (a parity test over identity norms would not see a dropped scale)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in sorted(model.state_dict(keep_vars=True).items()):
            if not tensor.dtype.is_floating_point:
                continue
            if name.endswith("running_var"):
                tensor.copy_(1.0 + 0.2 * torch.rand(tensor.shape, generator=generator))
            elif name.endswith("running_mean"):
                tensor.copy_(0.1 * torch.randn(tensor.shape, generator=generator))
            elif tensor.dim() <= 1 and name.endswith("weight"):
                tensor.copy_(1.0 + 0.1 * torch.randn(tensor.shape, generator=generator))
            elif tensor.dim() <= 1 and name.endswith("bias"):
                tensor.copy_(0.05 * torch.randn(tensor.shape, generator=generator))
            else:
                fan_in = tensor[0].numel() if tensor.dim() > 1 else tensor.numel()
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / max(1.0, fan_in) ** 0.5)
    return model.eval()


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@dataclass
class Layout:
    """The output directory, laid out as the device reads it (engine/models/CONTRACT.md)."""
    root: Path

    def path(self, relative: str) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target


@dataclass
class References:
    """reference/<case>.<tensor>.npy and reference/modules.json."""
    root: Path
    cases: Dict[str, dict] = field(default_factory=dict)

    def save(self, name: str, array) -> str:
        if isinstance(array, torch.Tensor):
            array = array.detach().cpu().numpy()
        array = np.ascontiguousarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        file = f"{name}.npy"
        (self.root / "reference").mkdir(parents=True, exist_ok=True)
        np.save(self.root / "reference" / file, array)
        return file

    def case(self, case: str, onnx: str, inputs: Mapping[str, object], outputs: Mapping[str, object],
             atol: float, rtol: float = 0.0) -> None:
        """One forward pass of an exported graph: inputs and outputs keyed by the ONNX tensor names."""
        self.cases[case] = {
            "onnx": onnx,
            "inputs": {k: self.save(f"{case}.{k}", v) for k, v in inputs.items()},
            "outputs": {k: self.save(f"{case}.{k}", v) for k, v in outputs.items()},
            "atol": atol,
            "rtol": rtol,
        }

    def write_index(self) -> None:
        (self.root / "reference").mkdir(parents=True, exist_ok=True)
        with open(self.root / "reference" / "modules.json", "w") as f:
            json.dump(self.cases, f, indent=2, sort_keys=True)


def export_onnx(module: torch.nn.Module, args: tuple, path: Path, input_names: list, output_names: list,
                dynamic_axes: dict | None = None) -> None:
    """torch.onnx.export at the contract's opset, constant-folded, then checked by onnx when it is installed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), opset_version=OPSET, input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes or {}, do_constant_folding=True)
    try:
        import onnx
    except ImportError:
        return
    onnx.checker.check_model(str(path))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def limit_threads() -> None:
    """The build machines are small and shared: one intra-op thread unless the operator asks for more."""
    torch.set_num_threads(int(os.environ.get("EXPORT_THREADS", "1")))
