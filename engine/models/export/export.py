#!/usr/bin/python3
"""Exports Step-Audio's tokenizer and vocoder networks to the ONNX files engine/models/CONTRACT.md names.

    /usr/bin/python3 engine/models/export/export.py --random SEED --size tiny|full --out DIR
    /usr/bin/python3 engine/models/export/export.py --weights DIR --out DIR

--random builds every network with deterministic random weights (tiny: a few layers, for tests; full: the real
dimensions and depths, for benchmarks). --weights loads the operator's downloaded checkpoints strictly (a missing,
unexpected or mis-shaped key is an error that names it). The weights directory holds the two downloads side by side:

    DIR/Step-Audio-Tokenizer/
        dengcunqin/speech_paraformer-large_asr_nat-zh-cantonese-en-16k-vocab8501-online/model.pt   vq02 encoder
        dengcunqin/speech_paraformer-large_asr_nat-zh-cantonese-en-16k-vocab8501-online/am.mvn     its CMVN
        linguistic_tokenizer.npy                                                                   vq02 codebook
        speech_tokenizer_v1.onnx                                                                   vq06 (copied as is)
    DIR/Step-Audio-TTS-3B/CosyVoice-300M-25Hz/
        flow.pt  hift.pt  campplus.onnx (copied as is)  cosyvoice.yaml

The output directory is the device's model directory, plus what the parity tests and the operator need:

    vq02/encoder.onnx  vq02/am.mvn  vq02/linguistic_tokenizer.npy  vq06/speech_tokenizer_v1.onnx
    vocoder/v1/{vocoder.json, flow_encoder.onnx, flow_regulator.onnx, spk_affine.onnx, flow_estimator.onnx,
                hift.onnx, campplus.onnx}
    state_dicts/<module>.pt        each module's state_dict as saved, upstream key names
    reference/modules.json         one torch-eager forward pass per exported graph (<case>.<tensor>.npy)
    reference/pipeline.json        the whole pipeline over a set of clips (pipeline_reference.py)
    parity.json                    the torch-side checks of this export (wrapper against upstream's own path)
    manifest.json                  sha256 of every model file, parameter count per model; the device refuses a
                                   model directory whose files do not match it
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import common  # noqa: E402

# Module name -> python module; the order is the order of export and of the manifest.
MODULES = ["paraformer", "speech_tokenizer", "campplus", "flow", "hift"]
MODEL_FILES = {
    "paraformer": ["vq02/encoder.onnx", "vq02/am.mvn", "vq02/linguistic_tokenizer.npy"],
    "speech_tokenizer": ["vq06/speech_tokenizer_v1.onnx"],
    "campplus": ["vocoder/v1/campplus.onnx"],
    "flow": ["vocoder/v1/vocoder.json", "vocoder/v1/flow_encoder.onnx", "vocoder/v1/flow_regulator.onnx",
             "vocoder/v1/spk_affine.onnx", "vocoder/v1/flow_estimator.onnx"],
    "hift": ["vocoder/v1/hift.onnx"],
}
WEIGHT_DIRS = {
    "paraformer": "Step-Audio-Tokenizer",
    "speech_tokenizer": "Step-Audio-Tokenizer",
    "campplus": "Step-Audio-TTS-3B/CosyVoice-300M-25Hz",
    "flow": "Step-Audio-TTS-3B/CosyVoice-300M-25Hz",
    "hift": "Step-Audio-TTS-3B/CosyVoice-300M-25Hz",
}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--random", type=int, metavar="SEED", help="deterministic random weights")
    source.add_argument("--weights", type=Path, metavar="DIR", help="the operator's downloaded model folders")
    parser.add_argument("--size", choices=["tiny", "full"], help="with --random: tiny (tests) or full (real sizes)")
    parser.add_argument("--out", type=Path, required=True, help="the model directory to write")
    parser.add_argument("--references", choices=["none", "modules", "all"],
                        help="reference vectors to write (default: all for tiny, modules for full and --weights)")
    args = parser.parse_args(argv)
    if args.random is not None and args.size is None:
        parser.error("--random needs --size tiny|full")
    if args.weights is not None and args.size not in (None, "full"):
        parser.error("--weights exports the checkpoints' own sizes; leave --size out")
    args.size = args.size or "full"
    args.references = args.references or ("all" if args.size == "tiny" else "modules")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    common.limit_threads()
    torch.manual_seed(0)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    # A re-export must not leave files of an earlier one behind: the manifest speaks for the whole directory.
    for stale in ["manifest.json", "parity.json", "reference", "state_dicts"]:
        target = out / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    layout = common.Layout(out)
    refs = common.References(out)
    models, manifest_models, parity = {}, {}, {}
    started = time.time()
    for index, name in enumerate(MODULES):
        module = __import__(name)
        began = time.time()
        model = module.build(args.size)
        if args.weights is not None:
            try:
                module.load_weights(model, args.weights / WEIGHT_DIRS[name])
            except common.WeightsError as error:
                print(f"export.py: {error}", file=sys.stderr)
                return 2
        else:
            # A module may need its random weights scaled so that the graph is exercised at all (HiFT: f0 in the
            # voiced range, magnitudes below the exp clip); the default keeps activations in range.
            randomize = getattr(module, "realistic_random_", common.randomize_)
            randomize(model, args.random * 101 + index)
        model.eval()
        models[name] = model
        with torch.no_grad():
            module.export(model, layout, refs if args.references != "none" else common.References(out / ".discard"))
        if hasattr(module, "parity_checks"):
            parity[name] = module.parity_checks(model)
        state_dir = layout.path(f"state_dicts/{name}.pt").parent
        torch.save(model.state_dict(), state_dir / f"{name}.pt")
        manifest_models[name] = {
            "parameters": common.parameter_count(model),
            "files": MODEL_FILES[name],
            "seconds": round(time.time() - began, 1),
        }
        print(f"export.py: {name}: {manifest_models[name]['parameters']:,} parameters, "
              f"{manifest_models[name]['seconds']} s", flush=True)
    shutil.rmtree(out / ".discard", ignore_errors=True)

    if args.references == "all":
        import paraformer
        import pipeline_reference
        shift, scale = paraformer.cmvn_of(models["paraformer"], layout)
        codebook = np.load(out / "vq02" / "linguistic_tokenizer.npy")
        began = time.time()
        with torch.no_grad():
            pipeline_reference.write({
                "vq02": (models["paraformer"], shift, scale, codebook),
                "vq06": models["speech_tokenizer"], "campplus": models["campplus"],
                "flow": models["flow"], "hift": models["hift"],
            }, refs)
        print(f"export.py: pipeline references, {time.time() - began:.1f} s", flush=True)
    if args.references != "none":
        refs.write_index()

    files = sorted({f for entry in manifest_models.values() for f in entry["files"]})
    missing = [f for f in files if not (out / f).is_file()]
    if missing:
        print(f"export.py: the export did not write {', '.join(missing)}", file=sys.stderr)
        return 1
    manifest = {
        "format": 1,
        "source": {"random": args.random, "size": args.size} if args.weights is None else {"weights": str(args.weights)},
        "torch": torch.__version__,
        "opset": common.OPSET,
        "models": manifest_models,
        "files": {f: {"sha256": common.sha256(out / f), "bytes": (out / f).stat().st_size} for f in files},
    }
    with open(out / "parity.json", "w") as f:
        json.dump(parity, f, indent=2, sort_keys=True)
    with open(out / "manifest.json", "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
    print(f"export.py: wrote {out} in {time.time() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
