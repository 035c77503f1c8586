"""vq02 tokens the way Step-Audio computes them, in torch eager fp32, following upstream's code paths (not the
export wrapper), so that the device's pipeline and the exported graph can both be checked against it:

- tokenizer.py StepAudioTokenizer.get_vq02_code: the (already energy-normalised) audio is written to an
  in-memory wav with torchaudio.save and handed to funasr's infer_encoder, which reads it back with
  torchaudio.load (utils/load_utils.py load_audio_text_image_video, channels averaged);
- auto/auto_model.py and models/paraformer_streaming/model.py infer_encoder: is_final=True, chunk_size [0, 4, 5]
  (3840-sample pieces), encoder_chunk_look_back 4, the loop's breaks (an empty final piece, a front-end that
  fails on a final piece shorter than 480 samples, a final piece with no features);
- frontends/wav_frontend.py WavFrontendOnline.forward: the x 2^15 scaling, Kaldi fbank with the sample cache,
  LFR (m 7, n 6) with the splice cache and its early return, CMVN;
- models/scama/encoder.py SANMEncoderChunkOpt.forward_chunk (paraformer.py) with upstream's dict cache;
- tokenizer.py dump_label / kmean_cluster: torch.cdist to the codebook, argmin.

Also read_am_mvn / write_am_mvn for the Kaldi nnet text CMVN (frontends/wav_frontend.py load_cmvn).
"""
from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi
from torch.nn.utils.rnn import pad_sequence

SAMPLE_RATE = 16000
PIECE = 3840                 # infer_encoder: chunk_size[1] * 960 samples
N_MELS = 80
FRAME_LENGTH_MS = 25
FRAME_SHIFT_MS = 10
LFR_M = 7
LFR_N = 6
# The Paraformer download's config.yaml (frontend_conf) is not in the mirror; WavFrontendOnline's own default is
# dither 1.0 (random). FunASR's published online Paraformer configs set dither 0.0, and a reference must be
# deterministic, so 0.0 here.
DITHER = 0.0
FBANK_DTYPE = torch.float64


# ---- CMVN file -----------------------------------------------------------------------------------------------

def read_am_mvn(path: Path) -> Tuple[np.ndarray, np.ndarray]:
    """(shift, scale) float32 from a Kaldi nnet1 text CMVN, as wav_frontend.load_cmvn reads it: the numbers of
    the <LearnRateCoef> line after <AddShift> and after <Rescale> (tokens 3 .. -2: "<LearnRateCoef> 0 [" and
    "]" dropped)."""
    with open(path, "r", encoding="utf-8") as f:
        lines = f.readlines()
    shift, scale = None, None
    for i, line in enumerate(lines):
        items = line.split()
        if not items or i + 1 >= len(lines):
            continue
        following = lines[i + 1].split()
        if items[0] == "<AddShift>" and following and following[0] == "<LearnRateCoef>":
            shift = np.array(following[3:-1]).astype(np.float32)
        elif items[0] == "<Rescale>" and following and following[0] == "<LearnRateCoef>":
            scale = np.array(following[3:-1]).astype(np.float32)
    if shift is None or scale is None or shift.shape != scale.shape:
        raise ValueError(f"{path}: no <AddShift>/<Rescale> pair of equal size")
    return shift, scale


def write_am_mvn(path: Path, shift: np.ndarray, scale: np.ndarray) -> None:
    """The Kaldi nnet1 text layout of CONTRACT.md ("vq02 CMVN"); numbers written with 9 significant digits, so
    they read back as the same float32 values."""
    shift = np.asarray(shift, dtype=np.float32).reshape(-1)
    scale = np.asarray(scale, dtype=np.float32).reshape(-1)
    n = shift.size
    if scale.size != n:
        raise ValueError("shift and scale differ in size")
    fmt = lambda a: " ".join(f"{float(x):.9g}" for x in a)  # noqa: E731
    text = (f"<Nnet>\n<Splice> {n} {n}\n[ 0 ]\n"
            f"<AddShift> {n} {n}\n<LearnRateCoef> 0 [ {fmt(shift)} ]\n"
            f"<Rescale> {n} {n}\n<LearnRateCoef> 0 [ {fmt(scale)} ]\n</Nnet>\n")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# ---- audio -----------------------------------------------------------------------------------------------------

def energy_norm(samples: np.ndarray) -> np.ndarray:
    """utils.py energy_norm_fn on a float32 torch tensor: x / max(max|x|, 0.01) * 0.999."""
    wav = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
    peak = torch.max(torch.abs(wav))
    return (wav / max(peak, 0.01) * 0.999).numpy()


def wav_roundtrip(samples: np.ndarray) -> torch.Tensor:
    """get_vq02_code's torchaudio.save(BytesIO, audio, 16000, format="wav") and funasr's torchaudio.load(...)
    .mean(0): a float32 wav (PCM_F); with the sox_io backend of torchaudio 0.13 the round trip moves samples by
    up to ~3e-8."""
    wav = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))[None, :]
    buffer = io.BytesIO()
    torchaudio.save(buffer, wav, SAMPLE_RATE, format="wav")
    buffer.seek(0)
    loaded, rate = torchaudio.load(buffer)
    assert rate == SAMPLE_RATE
    return loaded.mean(0)


def kaldi_fbank(scaled: torch.Tensor) -> torch.Tensor:
    """WavFrontendOnline.forward_fbank's kaldi.fbank call on a [1, N] waveform already scaled by 2^15."""
    return kaldi.fbank(scaled, num_mel_bins=N_MELS, frame_length=FRAME_LENGTH_MS, frame_shift=FRAME_SHIFT_MS,
                       dither=DITHER, energy_floor=0.0, window_type="hamming", sample_frequency=SAMPLE_RATE)


# ---- WavFrontendOnline ---------------------------------------------------------------------------------------

class OnlineFrontend:
    """Follows funasr_detach/frontends/wav_frontend.py, WavFrontendOnline (forward, forward_fbank,
    forward_lfr_cmvn, apply_lfr, apply_cmvn, compute_frame_num), batch size 1, with the same dict cache."""

    def __init__(self, shift: np.ndarray, scale: np.ndarray):
        self.cmvn = torch.as_tensor(np.array([shift, scale]), dtype=torch.float32)
        self.frame_sample_length = int(FRAME_LENGTH_MS * SAMPLE_RATE / 1000)        # 400
        self.frame_shift_sample_length = int(FRAME_SHIFT_MS * SAMPLE_RATE / 1000)   # 160
        self.fbank_frames = 0   # bookkeeping for the report: fbank frames computed over the utterance

    @staticmethod
    def init_cache(cache: dict) -> dict:
        cache["reserve_waveforms"] = torch.empty(0)
        cache["input_cache"] = torch.empty(0)
        cache["lfr_splice_cache"] = []
        cache["waveforms"] = None
        cache["fbanks"] = None
        cache["fbanks_lens"] = None
        return cache

    def apply_cmvn(self, inputs: torch.Tensor) -> torch.Tensor:
        frames, dim = inputs.shape
        means = np.tile(self.cmvn[0:1, :dim].numpy(), (frames, 1))
        scales = np.tile(self.cmvn[1:2, :dim].numpy(), (frames, 1))
        inputs += torch.from_numpy(means).type(inputs.dtype)
        inputs *= torch.from_numpy(scales).type(inputs.dtype)
        return inputs.type(torch.float32)

    @staticmethod
    def apply_lfr(inputs: torch.Tensor, lfr_m: int, lfr_n: int, is_final: bool = False):
        """Stacks lfr_m frames every lfr_n; a frame lacking right context is padded with the last frame when
        is_final, else it and everything after it go back to the splice cache."""
        outputs = []
        total = inputs.shape[0]
        count = int(np.ceil((total - (lfr_m - 1) // 2) / lfr_n))
        splice_idx = count
        for i in range(count):
            if lfr_m <= total - i * lfr_n:
                outputs.append(inputs[i * lfr_n: i * lfr_n + lfr_m].reshape(1, -1))
            elif is_final:
                frame = inputs[i * lfr_n:].reshape(-1)
                for _ in range(lfr_m - (total - i * lfr_n)):
                    frame = torch.hstack((frame, inputs[-1]))
                outputs.append(frame)
            else:
                splice_idx = i
                break
        splice_idx = min(total - 1, splice_idx * lfr_n)
        splice_cache = inputs[splice_idx:, :]
        return torch.vstack(outputs).type(torch.float32), splice_cache, splice_idx

    def compute_frame_num(self, sample_length: int) -> int:
        frames = int((sample_length - self.frame_sample_length) / self.frame_shift_sample_length + 1)
        return frames if frames >= 1 and sample_length >= self.frame_sample_length else 0

    def forward_fbank(self, waveform: torch.Tensor, cache: dict):
        waveform = torch.cat((cache["input_cache"], waveform), dim=1)
        frame_num = self.compute_frame_num(waveform.shape[-1])
        cache["input_cache"] = waveform[:, -(waveform.shape[-1] - frame_num * self.frame_shift_sample_length):]
        waveforms = torch.empty(0)
        feats_pad = torch.empty(0)
        feats_lens = torch.empty(0)
        if frame_num:
            used = waveform[0][: (frame_num - 1) * self.frame_shift_sample_length + self.frame_sample_length]
            # In float64: torchaudio's float32 FFT leaves up to ~2e-4 of rounding in the log energies of quiet bins,
            # which 50 attention layers amplify past the 1e-4 the device is held to; the device's front-end computes
            # in double, so the exact values are the reference. Everything after CMVN is float32 again.
            mat = kaldi_fbank((waveform[0].to(FBANK_DTYPE) * (1 << 15)).unsqueeze(0))
            self.fbank_frames += mat.size(0)
            waveforms = torch.stack([used])
            feats_lens = torch.as_tensor([mat.size(0)])
            feats_pad = pad_sequence([mat], batch_first=True, padding_value=0.0)
        cache["fbanks"] = feats_pad
        cache["fbanks_lens"] = copy.deepcopy(feats_lens)
        return waveforms, feats_pad, feats_lens

    def forward_lfr_cmvn(self, feats: torch.Tensor, lengths: torch.Tensor, is_final: bool, cache: dict):
        mat = feats[0, : lengths[0], :]
        mat, cache["lfr_splice_cache"][0], splice_idx = self.apply_lfr(mat, LFR_M, LFR_N, is_final)
        mat = self.apply_cmvn(mat)
        out_lengths = torch.as_tensor([mat.size(0)])
        return pad_sequence([mat], batch_first=True, padding_value=0.0), out_lengths, torch.as_tensor([splice_idx])

    def __call__(self, waveform: torch.Tensor, is_final: bool, cache: dict):
        """waveform [1, N] in [-1, 1] -> (features [1, T, 560] or an empty tensor, lengths)."""
        if len(cache) == 0:
            self.init_cache(cache)
        waveforms, feats, feats_lengths = self.forward_fbank(waveform, cache)
        if feats.shape[0]:
            cache["waveforms"] = torch.cat((cache["reserve_waveforms"], waveforms), dim=1)
            if not cache["lfr_splice_cache"]:
                cache["lfr_splice_cache"].append(feats[0][0, :].unsqueeze(dim=0).repeat((LFR_M - 1) // 2, 1))
            if feats_lengths[0] + cache["lfr_splice_cache"][0].shape[0] >= LFR_M:
                splice = torch.stack(cache["lfr_splice_cache"])
                feats = torch.cat((splice, feats), dim=1)
                feats_lengths += splice[0].shape[0]
                frame_from_waveforms = int((cache["waveforms"].shape[1] - self.frame_sample_length)
                                           / self.frame_shift_sample_length + 1)
                minus_frame = (LFR_M - 1) // 2 if cache["reserve_waveforms"].numel() == 0 else 0
                feats, feats_lengths, splice_idxs = self.forward_lfr_cmvn(feats, feats_lengths, is_final, cache)
                reserve_frame_idx = int(splice_idxs[0]) - minus_frame
                cache["reserve_waveforms"] = cache["waveforms"][
                    :, reserve_frame_idx * self.frame_shift_sample_length:
                    frame_from_waveforms * self.frame_shift_sample_length]
                sample_length = (frame_from_waveforms - 1) * self.frame_shift_sample_length + self.frame_sample_length
                cache["waveforms"] = cache["waveforms"][:, :sample_length]
            else:
                # Too few frames for one LFR frame: keep them in the splice cache and return nothing, final or not.
                cache["reserve_waveforms"] = cache["waveforms"][
                    :, : -(self.frame_sample_length - self.frame_shift_sample_length)]
                cache["lfr_splice_cache"][0] = torch.cat((cache["lfr_splice_cache"][0], feats[0]), dim=0)
                return torch.empty(0), feats_lengths
        elif is_final:
            # No new fbank frame: release the splice cache (torch.stack raises when it was never filled,
            # apply_lfr's vstack raises when it holds 3 frames or fewer).
            cache["waveforms"] = waveforms if cache["reserve_waveforms"].numel() == 0 else cache["reserve_waveforms"]
            feats = torch.stack(cache["lfr_splice_cache"])
            feats_lengths = torch.zeros(1, dtype=torch.int) + feats.shape[1]
            feats, feats_lengths, _ = self.forward_lfr_cmvn(feats, feats_lengths, is_final, cache)
        return feats, feats_lengths


# ---- infer_encoder ---------------------------------------------------------------------------------------------

def nearest_centroids(rows: torch.Tensor, codebook: torch.Tensor) -> Tuple[np.ndarray, np.ndarray]:
    """tokenizer.py kmean_cluster: torch.cdist(rows, codebook).argmin(1); the margin is the second smallest
    distance minus the smallest (same cdist)."""
    distances = torch.cdist(rows, codebook)
    ids = distances.argmin(dim=1)
    if codebook.size(0) > 1:
        two = torch.topk(distances, 2, dim=1, largest=False).values
        margins = two[:, 1] - two[:, 0]
    else:
        margins = torch.full((rows.size(0),), float("inf"))
    return ids.numpy().astype(np.int64), margins.numpy().astype(np.float32)


def vq02_reference(model, cmvn_shift: np.ndarray, cmvn_scale: np.ndarray, codebook,
                   samples_16k: np.ndarray, normalise: bool = False, roundtrip: bool = True) -> Dict[str, object]:
    """One utterance through Step-Audio's vq02 path (get_vq02_code with is_final=True, a fresh cache).

    samples_16k: float32 mono 16 kHz in [-1, 1], already through energy_norm_fn (wav2token's preprocess_wav does
    it once, before both vq02 and vq06); normalise=True applies energy_norm first. roundtrip=False skips the
    torchaudio wav write/read (the only step the device cannot reproduce bit for bit; it moves samples by ~3e-8).
    model: paraformer.SANMEncoderChunkOpt; codebook: (1024, 512) array/tensor, or None for no ids.

    Returns {"samples", "pieces" (the loop's n), "fbank_frames" (fbank frames the online front-end computed),
    "utterance_fbank_frames" (Kaldi frames of the whole utterance), "chunk_frames" (LFR frames per encoder
    call), "feature_chunks" (list of [T, 560] float32), "features" [N, 560], "encoder_out" [N, 512],
    "ids" int64 [N], "margins" float32 [N], "stopped" (why the loop ended)}."""
    import paraformer

    audio = np.ascontiguousarray(samples_16k, dtype=np.float32)
    if normalise:
        audio = energy_norm(audio)
    audio_sample = wav_roundtrip(audio) if roundtrip else torch.from_numpy(audio.copy())

    frontend = OnlineFrontend(cmvn_shift, cmvn_scale)
    cache = {"encoder": paraformer.init_encoder_cache(model), "frontend": {}, "prev_samples": torch.empty(0)}
    audio_sample = torch.cat((cache["prev_samples"], audio_sample))
    is_final = True
    n = int(len(audio_sample) // PIECE + int(is_final))
    feature_chunks: List[np.ndarray] = []
    encoder_outs: List[torch.Tensor] = []
    stopped = "last piece encoded"
    with torch.no_grad():
        for i in range(n):
            final_i = is_final and i == n - 1
            piece = audio_sample[i * PIECE: (i + 1) * PIECE]
            if final_i and len(piece) == 0:
                stopped = "empty final piece"
                break
            try:
                speech, speech_lengths = frontend(piece[None, :], final_i, cache["frontend"])
                speech, speech_lengths = speech.to(torch.float32), speech_lengths.to(torch.int32)
            except Exception:
                if i == n - 1 and piece.shape[0] < 480:
                    stopped = "front-end failed on a final piece under 480 samples"
                    break
                raise RuntimeError("infer failed")
            if len(speech) == 0 and final_i:
                stopped = "final piece gave no features"
                break
            feature_chunks.append(speech[0].clone().numpy())
            encoder_out, _, _ = model.forward_chunk(speech.clone(), speech_lengths, cache=cache["encoder"],
                                                    is_final=final_i)
            encoder_outs.append(encoder_out[:, -int(speech_lengths[0]):])
            if i == n - 1:
                break

    width = model.output_size()
    enc = torch.cat(encoder_outs, dim=1)[0] if encoder_outs else torch.zeros(0, width)
    result = {
        "samples": int(len(audio)),
        "pieces": n,
        "fbank_frames": frontend.fbank_frames,
        "utterance_fbank_frames": frontend.compute_frame_num(len(audio)),
        "chunk_frames": [int(c.shape[0]) for c in feature_chunks],
        "feature_chunks": feature_chunks,
        "features": np.concatenate(feature_chunks, 0) if feature_chunks else np.zeros((0, 560), np.float32),
        "encoder_out": enc.numpy().astype(np.float32),
        "stopped": stopped,
    }
    if codebook is not None and enc.size(0) > 0:
        centroids = torch.as_tensor(np.asarray(codebook), dtype=torch.float32)
        result["ids"], result["margins"] = nearest_centroids(enc.float(), centroids)
    else:
        result["ids"], result["margins"] = np.zeros(0, np.int64), np.zeros(0, np.float32)
    return result
