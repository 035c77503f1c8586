#!/usr/bin/env python3
"""Reference outputs of the resampler Step-Audio applies to tokenizer input.

torchaudio.functional.resample with its defaults (sinc_interp_hann, lowpass_filter_width 6,
rolloff 0.99), on a deterministic test signal (a chirp plus two tones) at the rates a device
meets. Run with Debian's python3-torchaudio:

    /usr/bin/python3 tests/reference/make_resample_fixtures.py --out tests/fixtures/features/resample

Writes <rate>.in.npy (the input, float32 [N, 1]) and <rate>.out.npy (16 kHz, float32 [M, 1]).
"""
import argparse
import os

import numpy as np
import torch
import torchaudio

RATES = [8000, 22050, 24000, 44100, 48000]


def signal(rate, seconds=0.5):
    t = np.arange(int(rate * seconds)) / rate
    chirp = np.sin(2 * np.pi * (100 * t + 0.5 * 7000 * t * t))
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 7900 * t)
    return (0.4 * chirp + tones).astype(np.float32)


def main():
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", help="write the fixtures into this directory")
    mode.add_argument("--check", help="compare the fixtures in this directory with what torchaudio computes now")
    args = parser.parse_args()
    problems = 0
    for rate in RATES:
        x = signal(rate)
        y = torchaudio.functional.resample(torch.from_numpy(x)[None, :], rate, 16000)[0].numpy().astype(np.float32)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            np.save(os.path.join(args.out, f"{rate}.in.npy"), x[:, None])
            np.save(os.path.join(args.out, f"{rate}.out.npy"), y[:, None])
            print(rate, len(x), "->", len(y))
            continue
        stored_in = np.load(os.path.join(args.check, f"{rate}.in.npy"))[:, 0]
        stored_out = np.load(os.path.join(args.check, f"{rate}.out.npy"))[:, 0]
        if stored_in.shape != x.shape or np.max(np.abs(stored_in - x)) > 0:
            problems += 1
            print(f"{rate}: the input signal changed")
        elif stored_out.shape != y.shape or np.max(np.abs(stored_out - y)) > 1e-6:
            problems += 1
            print(f"{rate}: torchaudio now resamples differently")
    if args.check:
        print(f"{len(RATES)} resampler fixtures checked, {problems} problem(s)")
        raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
