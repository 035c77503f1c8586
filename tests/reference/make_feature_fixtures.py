#!/usr/bin/python3
"""Reference features for the C# front-ends, computed with torchaudio on real speech.

Run with Debian's interpreter and packages (apt-get install -y python3-torchaudio alsa-utils
codec2-examples espeak-ng):

    /usr/bin/python3 tests/reference/make_feature_fixtures.py --out tests/fixtures/features
    /usr/bin/python3 tests/reference/make_feature_fixtures.py --check tests/fixtures/features

--out writes the fixtures; --check rebuilds them in memory and fails (exit 1) when the committed
ones have drifted from what torchaudio computes (deploy.sh test runs it).

Input audio comes only from Debian packages: the alsa-utils sound samples (48 kHz), the
codec2-examples speech recordings (8 kHz raw), espeak-ng speech (22.05 kHz) at several voices and
rates, plus silence, a clipped and a very quiet recording. Every source is resampled to 16 kHz with
torchaudio.functional.resample (windowed sinc, Hann window, 6 zero crossings, roll-off 0.99: the
resampler Step-Audio's preprocessing uses), then rounded to 16-bit PCM, as a microphone delivers
it. Those exact 16-bit samples are stored as WAV files under inputs/, and the reference features
are computed from them, so the C# side reads the very samples torchaudio saw. The codec2 clips
are stored back to back as one 31-second recording (long31.wav); each codec2 clip is a range of it.

For every clip the fixture keeps a subset of frames (the first and last few and an even spread)
as float32 .npy, rows = frames:
  <clip>.fbank.npy   torchaudio.compliance.kaldi.fbank of the vq02 front-end, [K, 80], natural log
  <clip>.logmel.npy  Whisper's 128-bin log-mel (torchaudio MelSpectrogram, Whisper's settings and
                     normalisation, per 30 s segment as the vq06 reference runs it), [K, 128]
and for two clips every low-frame-rate row (numpy, FunASR's LFR m=7 n=6 of the reference fbank):
  <clip>.lfr.npy     [rows, 560]
fixtures.json names the frames, the sources, the command line and the versions used.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np
import torch
import torchaudio
from torchaudio.compliance import kaldi

RATE = 16000
SEGMENT = 30 * RATE          # the vq06 reference runs Whisper's log-mel on 30 s pieces
MIN_SEGMENT = 480            # shorter pieces are dropped by the reference
FRAMES_KEPT = 40             # frames stored per clip and feature
EDGE_FRAMES = 4              # always keep this many at each end
ALL_FRAMES = False           # --all-frames: keep every frame (for a local look; too large to commit)
DRIFT_FLOOR = 1e-6           # --check: the least drift always allowed (rounding of the last bit)
ALSA = "/usr/share/sounds/alsa"
CODEC2 = "/usr/share/codec2/raw"
CODEC2_SPEECH = ["hts1", "hts2", "forig", "morig", "kristoff", "big_dog", "mmt1", "vk5qi", "cq_ref", "cross", "g3plx"]
LONG_SECONDS = 31
ESPEAK = [
    ("espeak_en_us_175", "en-us", 175, "Turn on the kitchen lights, please."),
    ("espeak_en_f3_280", "en+f3", 280, "What will the weather be like in Paris tomorrow?"),
    ("espeak_cmn_130", "cmn", 130, "今天天气怎么样"),
    ("espeak_de_110", "de", 110, "Guten Morgen, wie geht es dir?"),
]
LFR_CLIPS = ["alsa_front_center", "espeak_en_us_175"]


def resample(samples, rate):
    """torchaudio's windowed-sinc resampler with its defaults (Hann, 6 zero crossings, roll-off 0.99)."""
    if rate == RATE:
        return samples.astype(np.float32)
    tensor = torch.from_numpy(samples.astype(np.float32))[None]
    out = torchaudio.functional.resample(tensor, rate, RATE, lowpass_filter_width=6, rolloff=0.99)
    return out[0].numpy()


def to_pcm16(samples):
    return np.clip(np.round(samples.astype(np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SystemExit(f"{path}: expected 16-bit PCM")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        channels = w.getnchannels()
        return data.reshape(-1, channels).mean(axis=1), w.getframerate()


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.astype("<i2").tobytes())


def espeak(voice, speed, text):
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", tmp.name, text], check=True)
        return read_wav(tmp.name)


def build_inputs():
    """The 16-bit 16 kHz inputs: {file: pcm} and the clips as (name, file, start, length, source)."""
    files, clips = {}, []

    def add(name, pcm, source):
        files[name + ".wav"] = pcm
        clips.append((name, name + ".wav", 0, len(pcm), source))

    for entry in sorted(os.listdir(ALSA)):
        if entry.endswith(".wav"):
            samples, rate = read_wav(os.path.join(ALSA, entry))
            add("alsa_" + entry[:-4].lower(), to_pcm16(resample(samples, rate)), f"{ALSA}/{entry} ({rate} Hz)")

    # The codec2 speech back to back, each clip's share of the 31 s cut at its own end.
    pieces = []
    for stem in CODEC2_SPEECH:
        raw = np.fromfile(os.path.join(CODEC2, stem + ".raw"), dtype="<i2").astype(np.float32) / 32768.0
        pieces.append((stem, to_pcm16(resample(raw, 8000))))
    share = LONG_SECONDS * RATE // len(pieces)
    cut = [min(len(p), share) for _, p in pieces]
    spare = LONG_SECONDS * RATE - sum(cut)
    for i, (_, pcm) in enumerate(pieces):   # hand the time short clips leave over to the long ones
        extra = min(spare, len(pcm) - cut[i])
        cut[i] += extra
        spare -= extra
    long_pcm = np.concatenate([pcm[:n] for (_, pcm), n in zip(pieces, cut)])
    files["long31.wav"] = long_pcm
    start = 0
    for (stem, _), n in zip(pieces, cut):
        clips.append(("codec2_" + stem, "long31.wav", start, n, f"{CODEC2}/{stem}.raw (8000 Hz), first {n} samples at 16 kHz"))
        start += n
    clips.append(("long31", "long31.wav", 0, len(long_pcm), "the codec2 clips above, back to back"))

    for name, voice, speed, text in ESPEAK:
        samples, rate = espeak(voice, speed, text)
        add(name, to_pcm16(resample(samples, rate)), f"espeak-ng -v {voice} -s {speed} '{text}' ({rate} Hz)")

    front, rate = read_wav(os.path.join(ALSA, "Front_Left.wav"))
    front = resample(front, rate)
    add("clipping", to_pcm16(np.clip(front * (8.0 / np.abs(front).max()), -1.0, 1.0)), "alsa Front_Left at 16 kHz, peak raised to 8x full scale and clipped")
    add("quiet", to_pcm16(front * (0.002 / np.abs(front).max())), "alsa Front_Left at 16 kHz, peak lowered to 0.002 (-54 dBFS)")
    add("silence", np.zeros(RATE // 2, dtype=np.int16), "digital silence, 0.5 s")
    return files, clips


def fbank(samples, dtype=torch.float32):
    waveform = torch.from_numpy(samples.astype(np.float64)).to(dtype)[None]
    return kaldi.fbank(waveform * 32768, num_mel_bins=80, frame_length=25, frame_shift=10, dither=0.0,
                       window_type="hamming", preemphasis_coefficient=0.97, remove_dc_offset=True,
                       snip_edges=True, low_freq=20, high_freq=0, energy_floor=0.0,
                       sample_frequency=RATE).numpy()


def whisper_log_mel(segment, dtype=torch.float32):
    """Whisper's log_mel_spectrogram(n_mels=128) through torchaudio: [T, 128]."""
    transform = torchaudio.transforms.MelSpectrogram(
        sample_rate=RATE, n_fft=400, hop_length=160, n_mels=128, f_min=0, f_max=8000, norm="slaney",
        mel_scale="slaney", power=2.0, center=True, pad_mode="reflect", window_fn=torch.hann_window).to(dtype)
    mel = transform(torch.from_numpy(segment.astype(np.float64)).to(dtype))[:, :-1]
    log = torch.clamp(mel, min=1e-10).log10()
    log = torch.maximum(log, log.max() - 8.0)
    return ((log + 4.0) / 4.0).T.numpy()


def log_mel(samples, dtype=torch.float32):
    """The vq06 reference's segmentation: 30 s pieces, pieces under 480 samples dropped."""
    parts, segments = [], []
    for start in range(0, len(samples), SEGMENT):
        segment = samples[start:start + SEGMENT]
        if len(segment) >= MIN_SEGMENT:
            parts.append(whisper_log_mel(segment, dtype))
            segments.append([start, len(segment)])
    return (np.concatenate(parts) if parts else np.zeros((0, 128), np.float32)), segments


def low_frame_rate(frames, stack=7, step=6):
    """FunASR's LFR of a whole utterance: (stack-1)/2 copies of the first frame in front, outputs
    every `step` frames, ceil(T/step) of them, the last ones padded with copies of the last frame."""
    left = (stack - 1) // 2
    padded = np.concatenate([np.repeat(frames[:1], left, axis=0), frames])
    rows = []
    for i in range(-(-len(frames) // step)):
        window = padded[i * step:i * step + stack]
        if len(window) < stack:
            window = np.concatenate([window, np.repeat(padded[-1:], stack - len(window), axis=0)])
        rows.append(window.reshape(-1))
    return np.stack(rows).astype(np.float32)


def pick_frames(count, extra=()):
    if count <= FRAMES_KEPT or ALL_FRAMES:
        return list(range(count))
    middle = np.linspace(EDGE_FRAMES, count - EDGE_FRAMES - 1, FRAMES_KEPT - 2 * EDGE_FRAMES).round().astype(int)
    chosen = set(range(EDGE_FRAMES)) | set(range(count - EDGE_FRAMES, count)) | set(middle.tolist())
    chosen |= {f for f in extra if 0 <= f < count}
    return sorted(chosen)


def build(command):
    files, clips = build_inputs()
    arrays, manifest = {}, []
    for name, file, start, length, source in clips:
        samples = files[file][start:start + length].astype(np.float32) / 32768.0
        fb = fbank(samples)
        lm, segments = log_mel(samples)
        boundary = [s[0] // 160 + d for s in segments[1:] for d in range(-3, 3)]
        fb_frames, lm_frames = pick_frames(len(fb)), pick_frames(len(lm), boundary)
        arrays[name + ".fbank.npy"] = fb[fb_frames].astype(np.float32)
        arrays[name + ".logmel.npy"] = lm[lm_frames].astype(np.float32)
        entry = {
            "name": name, "source": source, "input": "inputs/" + file, "start": start, "length": length,
            "fbank": {"file": name + ".fbank.npy", "frames": len(fb), "kept": fb_frames,
                      "float32_vs_float64": float(np.abs(fb.astype(np.float64) - fbank(samples, torch.float64)).max())},
            "logmel": {"file": name + ".logmel.npy", "frames": len(lm), "segments": segments, "kept": lm_frames,
                       "float32_vs_float64": float(np.abs(lm.astype(np.float64) - log_mel(samples, torch.float64)[0]).max()) if len(lm) else 0.0},
        }
        if name in LFR_CLIPS:
            arrays[name + ".lfr.npy"] = low_frame_rate(fb)
            entry["lfr"] = {"file": name + ".lfr.npy", "rows": len(arrays[name + ".lfr.npy"]), "stack": 7, "step": 6}
        manifest.append(entry)
    header = {
        "command": command,
        "generated_by": "tests/reference/make_feature_fixtures.py",
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "torchaudio": torchaudio.__version__,
                     "numpy": np.__version__, "espeak-ng": subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip()},
        "fbank_call": "torchaudio.compliance.kaldi.fbank(waveform*32768, num_mel_bins=80, frame_length=25, frame_shift=10, dither=0.0, window_type='hamming', preemphasis_coefficient=0.97, remove_dc_offset=True, snip_edges=True, low_freq=20, high_freq=0, energy_floor=0.0, sample_frequency=16000)",
        "logmel_call": "torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=128, f_min=0, f_max=8000, norm='slaney', mel_scale='slaney', power=2.0, center=True, pad_mode='reflect', window_fn=torch.hann_window), last frame dropped, log10(clamp(min=1e-10)), max(x, x.max()-8), (x+4)/4, per 30 s segment",
        "resampler": "torchaudio.functional.resample(lowpass_filter_width=6, rolloff=0.99), Hann-windowed sinc, then rounded to 16-bit PCM",
        "rows": "frames (fbank, logmel: the frames listed in 'kept'; lfr: every row)",
        "clips": manifest,
    }
    return files, arrays, header


def save(out, files, arrays, header):
    os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
    for name, pcm in files.items():
        write_wav(os.path.join(out, "inputs", name), pcm)
    for name, array in arrays.items():
        np.save(os.path.join(out, name), np.ascontiguousarray(array, dtype="<f4"))
    with open(os.path.join(out, "fixtures.json"), "w", encoding="utf-8") as f:
        json.dump(header, f, indent=1, ensure_ascii=False)
        f.write("\n")


def check(committed, files, arrays, header):
    """Rebuilt inputs must equal the committed ones (within 1 LSB, for a resampler rounding
    differently), and the features torchaudio computes now from the committed inputs must
    match the committed features within float32 noise."""
    with open(os.path.join(committed, "fixtures.json"), encoding="utf-8") as f:
        old = json.load(f)
    problems = []
    for name, pcm in files.items():
        path = os.path.join(committed, "inputs", name)
        stored = read_wav(path)[0] if os.path.exists(path) else None
        if stored is None or len(stored) != len(pcm):
            problems.append(f"inputs/{name}: missing or a different length")
            continue
        lsb = int(np.abs(np.round(stored * 32768).astype(np.int32) - pcm.astype(np.int32)).max())
        if lsb > 1:
            problems.append(f"inputs/{name}: differs from the rebuilt input by {lsb} LSB")
    old_clips = {c["name"]: c for c in old["clips"]}
    for clip in header["clips"]:
        previous = old_clips.get(clip["name"])
        if previous is None:
            problems.append(f"{clip['name']}: not in the committed fixtures")
            continue
        for key in ("start", "length", "input"):
            if previous[key] != clip[key]:
                problems.append(f"{clip['name']}: {key} is {previous[key]}, rebuilt {clip[key]}")
        samples = read_wav(os.path.join(committed, previous["input"]))[0][previous["start"]:previous["start"] + previous["length"]]
        reference = {"fbank": fbank(samples), "logmel": log_mel(samples)[0]}
        for kind in ("fbank", "logmel"):
            # Float32 noise: twice what float32 rounding alone moves this clip's features (another
            # torch build may sum in another order); a real change moves them far more.
            limit = max(2 * clip[kind]["float32_vs_float64"], DRIFT_FLOOR)
            stored = np.load(os.path.join(committed, previous[kind]["file"]))
            now = reference[kind][previous[kind]["kept"]]
            drift = float(np.abs(stored.astype(np.float64) - now).max()) if now.size else 0.0
            print(f"{clip['name']:>22} {kind:<6} drift {drift:.2e}")
            if stored.shape != now.shape or drift > limit:
                problems.append(f"{clip['name']}: {kind} drifted by {drift:.3g} (limit {limit:g}) or changed shape {stored.shape} -> {now.shape}")
        if "lfr" in previous:
            stored = np.load(os.path.join(committed, previous["lfr"]["file"]))
            now = low_frame_rate(reference["fbank"])
            if stored.shape != now.shape or np.abs(stored.astype(np.float64) - now).max() > max(2 * clip["fbank"]["float32_vs_float64"], DRIFT_FLOOR):
                problems.append(f"{clip['name']}: lfr drifted")
    for problem in problems:
        print("drift: " + problem, file=sys.stderr)
    print(f"{len(header['clips'])} clips checked, {len(problems)} problem(s)")
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", help="write the fixtures into this directory")
    mode.add_argument("--check", help="compare the fixtures in this directory with a fresh build")
    parser.add_argument("--all-frames", action="store_true", help="keep every frame, not a subset (large: for a local look, not for committing)")
    args = parser.parse_args()
    global ALL_FRAMES
    ALL_FRAMES = args.all_frames
    torch.set_num_threads(1)   # one thread: the same summation order on every machine
    if args.out:
        command = "/usr/bin/python3 tests/reference/make_feature_fixtures.py --out " + os.path.relpath(args.out)
        files, arrays, header = build(command)
        save(args.out, files, arrays, header)
        size = sum(os.path.getsize(os.path.join(root, f)) for root, _, names in os.walk(args.out) for f in names)
        print(f"wrote {len(header['clips'])} clips to {args.out} ({size / 1e6:.2f} MB)")
        return 0
    files, arrays, header = build("(check)")
    return check(args.check, files, arrays, header)


if __name__ == "__main__":
    sys.exit(main())
