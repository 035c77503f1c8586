"""Whole-pipeline reference vectors: torch eager fp32 over a set of clips, for the C# parity tests.

What the device must reproduce, stage by stage, each from the same inputs the reference used:
- tokens: vq02 and vq06 ids, the interleaved token string and the LLM ids, over clips whose lengths leave every
  kind of final remainder after the last whole 3840-sample piece, a 31 s clip and one just over 30 s
  (Step-Audio's tokenizer.py: energy_norm_fn, then FunASR's online encoder and the 30 s vq06 segments);
- the speaker prompt: the trimmed prompt (utils.trim_silence), its tokens, its mel (CosyVoice's
  _extract_speech_feat, cosyvoice/matcha/audio.py mel_spectrogram) and CAM++'s fbank and embedding
  (cosyvoice/cli/frontend.py _extract_spk_embedding);
- the flow's whole-utterance mel (MaskedDiffWithXvec.inference) with the device's own noise function, so the
  device and the reference start from the same noise;
- HiFT's whole-utterance PCM of that mel.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List

import numpy as np
import torch
import torchaudio

PIECE = 3840
REMAINDERS = [0, 79, 80, 399, 400, 879, 880, 3839]
LLM_AUDIO_OFFSET = 65536
MASK64 = (1 << 64) - 1


# ---- the device's noise (engine/Vocoder/GaussianNoise.cs): SplitMix64 counter hash, Box-Muller ----------------

def _splitmix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def gaussian_noise(seed: int, frames: int, bins: int = 80, first_frame: int = 0) -> np.ndarray:
    """[bins, frames] float32, column f is absolute frame first_frame + f: GaussianNoise.Sample(seed, frame, bin)."""
    out = np.empty((bins, frames), dtype=np.float32)
    for f in range(frames):
        frame = first_frame + f
        for c in range(bins):
            counter = (seed ^ (((frame << 16) & MASK64) | c)) & MASK64
            a = _splitmix(counter)
            b = _splitmix(a)
            u1 = ((a >> 11) + 1) * (1.0 / 9007199254740992.0)
            u2 = (b >> 11) * (1.0 / 9007199254740992.0)
            out[c, f] = math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)
    return out


# ---- audio preparation, as Step-Audio's utils.py ------------------------------------------------------------

def energy_norm(wav: np.ndarray) -> np.ndarray:
    """utils.energy_norm_fn: x / max(max|x|, 0.01) * 0.999, in float32 as torch does it on a float32 tensor."""
    t = torch.from_numpy(wav.astype(np.float32))
    peak = torch.max(torch.abs(t))
    return (t / max(peak, torch.tensor(0.01)) * 0.999).numpy()


def librosa_trim_range(audio: np.ndarray, top_db: float = 20.0, frame_length: int = 512, hop_length: int = 128):
    """librosa.effects.trim's (start, end): centred frames (zero padding), RMS, amplitude_to_db against the
    loudest with amin 1e-5, frames above -top_db; (0, 0) when none is."""
    y = audio.astype(np.float32)
    padded = np.pad(y, (frame_length // 2, frame_length // 2), mode="constant")
    frames = 1 + (len(padded) - frame_length) // hop_length
    idx = np.arange(frame_length)[None, :] + hop_length * np.arange(frames)[:, None]
    rms = np.sqrt(np.mean(np.abs(padded[idx].astype(np.float32)) ** 2, axis=1, dtype=np.float32))
    amin = 1e-5
    ref = np.maximum(amin, rms.max())
    db = 20.0 * np.log10(np.maximum(amin, rms)) - 20.0 * np.log10(ref)
    nonsilent = np.flatnonzero(db > -top_db)
    if nonsilent.size == 0:
        return 0, 0
    return int(nonsilent[0] * hop_length), int(min(len(y), (nonsilent[-1] + 1) * hop_length))


def trim_silence(audio: np.ndarray, sr: int, keep_left_time=0.05, keep_right_time=0.22, hop_size=240) -> np.ndarray:
    """utils.trim_silence, line for line in effect."""
    start, end = librosa_trim_range(audio)
    num_frames = int(math.ceil((end - start) / hop_size))
    left = int(keep_left_time * sr)
    start_idx = start - left
    trimmed = audio[start_idx:] if start_idx > 0 else np.pad(audio, (abs(start_idx), 0))
    out_len = int(num_frames * hop_size + (keep_left_time + keep_right_time) * sr)
    if out_len < len(trimmed):
        return trimmed[:out_len]
    return np.pad(trimmed, (0, out_len - len(trimmed)))


def prompt_mel(samples_22k: np.ndarray, sample_rate: int = 22050) -> np.ndarray:
    """CosyVoice's feat_extractor (matcha mel_spectrogram: n_fft 1024, 80 mels, hop 256, win 1024, fmin 0,
    fmax 8000, center False after a reflect pad of 384) as frame-major [T, 80]. librosa's Slaney mel matrix is
    torchaudio's melscale_fbanks with norm and scale 'slaney'."""
    # In float64, as the device computes it: float32's FFT rounding moves the log of quiet bins by up to 2e-3.
    y = torch.from_numpy(samples_22k.astype(np.float32)).to(torch.float64)[None, :]
    y = torch.nn.functional.pad(y[:, None, :], (384, 384), mode="reflect")[:, 0, :]
    spec = torch.stft(y, 1024, hop_length=256, win_length=1024, window=torch.hann_window(1024, dtype=torch.float64), center=False,
                      normalized=False, onesided=True, return_complex=True)
    spec = torch.view_as_real(spec)
    spec = torch.sqrt(spec.pow(2).sum(-1) + 1e-9)
    mel_basis = torchaudio.functional.melscale_fbanks(513, 0.0, 8000.0, 80, sample_rate, norm="slaney", mel_scale="slaney").T
    mel = torch.log(torch.clamp(torch.matmul(mel_basis.to(torch.float64), spec), min=1e-5))
    return mel[0].T.contiguous().numpy().astype(np.float32)


def merge_tokens(vq02: List[int], vq06: List[int]) -> List[int]:
    """tokenizer.py merge_vq0206_to_token_str: groups of 2 vq02 and 3 vq06 (+1024) while both have a whole group."""
    result, i, j = [], 0, 0
    shifted = [1024 + x for x in vq06]
    while i < len(vq02) - 1 and j < len(shifted) - 2:
        result.extend(vq02[i:i + 2] + shifted[j:j + 3])
        i += 2
        j += 3
    return result


# ---- clips ------------------------------------------------------------------------------------------------

def speech_like(samples: int, seed: int, rate: int = 16000) -> np.ndarray:
    """A deterministic voiced/unvoiced signal with syllable-rate envelope and pauses: harmonics on a gliding f0,
    noise bursts, and silent gaps, so features, VAD-like trimming and token changes all have something to see."""
    rng = np.random.RandomState(seed)
    t = np.arange(samples) / rate
    f0 = 110 + 60 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)) + 20 * rng.randn()
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voiced = sum((0.6 / k) * np.sin(k * phase + rng.uniform(0, 6)) for k in range(1, 12))
    syllables = 0.5 * (1 + np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6)))
    noise = rng.randn(samples) * (syllables > 0.9)
    gaps = np.ones(samples)
    for _ in range(max(1, samples // 24000)):
        start = rng.randint(0, max(1, samples - 3200))
        gaps[start:start + rng.randint(800, 3200)] = 0.0
    signal = (voiced * syllables + 0.3 * noise) * gaps * rng.uniform(0.2, 0.8)
    return signal.astype(np.float32)


def clip_lengths() -> Dict[str, int]:
    lengths = {f"r{r:04d}": 5 * PIECE + r for r in REMAINDERS}
    lengths["s31"] = 31 * 16000
    lengths["s30plus"] = 480000 + 1000
    return lengths


def write(models: dict, refs, seed: int = 7) -> dict:
    """Runs every stage's reference and saves the vectors; returns the pipeline index (reference/pipeline.json).
    models: {"vq02": (module, shift, scale, codebook), "vq06": module, "campplus": module, "flow": module,
    "hift": module}."""
    import campplus as campplus_module
    import flow as flow_module
    import hift as hift_module
    import speech_tokenizer
    import vq02_reference

    index: dict = {"clips": [], "remainders": REMAINDERS}
    encoder, shift, scale, codebook = models["vq02"]

    def tokens_of(normalised: np.ndarray) -> dict:
        # Without get_vq02_code's WAV round trip (torchaudio.save then load): it moves samples by up to 3e-8, a float
        # rounding that shifts the log energy of a near-empty fbank bin by up to 0.05; the device reads the samples
        # as they are, and the comparison must start from the same ones.
        r02 = vq02_reference.vq02_reference(encoder, shift, scale, codebook, normalised, roundtrip=False)
        r06 = speech_tokenizer.vq06_reference(models["vq06"], normalised)
        merged = merge_tokens([int(x) for x in r02["ids"]], [int(x) for x in r06["ids"]])
        return {"vq02": r02, "vq06": r06, "merged": merged}

    for i, (name, length) in enumerate(clip_lengths().items()):
        audio = speech_like(length, seed + i)
        normalised = energy_norm(audio)
        t = tokens_of(normalised)
        entry = {
            "name": name,
            "samples": refs.save(f"pipeline.clip.{name}.samples", audio),
            "vq02": refs.save(f"pipeline.clip.{name}.vq02", np.asarray(t["vq02"]["ids"], dtype=np.int64)),
            "vq02_margin": refs.save(f"pipeline.clip.{name}.vq02_margin", np.asarray(t["vq02"]["margins"], dtype=np.float32)),
            "vq06": refs.save(f"pipeline.clip.{name}.vq06", np.asarray(t["vq06"]["ids"], dtype=np.int64)),
            "vq06_margin": refs.save(f"pipeline.clip.{name}.vq06_margin", np.asarray(t["vq06"]["margins"], dtype=np.float32)),
            "llm_ids": refs.save(f"pipeline.clip.{name}.llm_ids", np.asarray([LLM_AUDIO_OFFSET + x for x in t["merged"]], dtype=np.int64)),
            "token_string": "".join(f"<audio_{x}>" for x in t["merged"]),
        }
        if name == "r0400":
            entry["encoder_out"] = refs.save(f"pipeline.clip.{name}.encoder_out", np.asarray(t["vq02"]["encoder_out"], dtype=np.float32))
            entry["features"] = refs.save(f"pipeline.clip.{name}.features", np.asarray(t["vq02"]["features"], dtype=np.float32))
            entry["chunk_frames"] = [int(c.shape[0]) for c in t["vq02"]["feature_chunks"]]
        index["clips"].append(entry)

    # The speaker prompt: 16 kHz with late and early silence around the speech, so the trim has work to do.
    prompt16 = np.concatenate([np.zeros(5000, np.float32), speech_like(3 * 16000, seed + 100), np.zeros(9000, np.float32)])
    normalised = energy_norm(prompt16)
    trimmed = trim_silence(normalised, 16000).astype(np.float32)
    prompt_tokens = tokens_of(trimmed)["merged"]
    prompt22 = torchaudio.functional.resample(torch.from_numpy(prompt16)[None, :], 16000, 22050)[0].numpy()
    mel = prompt_mel(prompt22)
    cam = campplus_module.campplus_reference(models["campplus"], prompt16)

    # The target: interleaved audio ids (2 vq02 then 3 vq06 per group), 20 groups.
    rng = np.random.RandomState(seed + 200)
    target = []
    for _ in range(20):
        target += [int(rng.randint(0, 1024)) for _ in range(2)] + [int(1024 + rng.randint(0, 4096)) for _ in range(3)]
    noise_seed = 1234
    flow_model = models["flow"]
    frames = int(len(target) / flow_model.input_frame_rate * 22050 / 256)
    noise = gaussian_noise(noise_seed, mel.shape[0] + frames)
    fl = flow_module.flow_reference(flow_model, torch.tensor(prompt_tokens), torch.from_numpy(mel),
                                    torch.tensor(target), torch.from_numpy(cam["embedding"]), torch.from_numpy(noise))
    flow_mel = np.asarray(fl["mel"], dtype=np.float32)
    pcm = np.asarray(hift_module.hift_reference(models["hift"], torch.from_numpy(flow_mel)), dtype=np.float32)

    index["prompt"] = {
        "samples16k": refs.save("pipeline.prompt.samples16k", prompt16),
        "trimmed": refs.save("pipeline.prompt.trimmed", trimmed),
        "tokens": refs.save("pipeline.prompt.tokens", np.asarray(prompt_tokens, dtype=np.int64)),
        "samples22k": refs.save("pipeline.prompt.samples22k", prompt22.astype(np.float32)),
        "mel": refs.save("pipeline.prompt.mel", mel),
        "fbank": refs.save("pipeline.prompt.fbank", np.asarray(cam["fbank"], dtype=np.float32)),
        "embedding": refs.save("pipeline.prompt.embedding", np.asarray(cam["embedding"], dtype=np.float32)),
    }
    index["flow"] = {
        "target": refs.save("pipeline.flow.target", np.asarray(target, dtype=np.int64)),
        "noise_seed": noise_seed,
        "mel": refs.save("pipeline.flow.mel", flow_mel),
        "frames": int(flow_mel.shape[-1]),
    }
    index["hift"] = {"mel": index["flow"]["mel"], "pcm": refs.save("pipeline.hift.pcm", pcm)}
    with open(refs.root / "reference" / "pipeline.json", "w") as f:
        json.dump(index, f, indent=2)
    return index
