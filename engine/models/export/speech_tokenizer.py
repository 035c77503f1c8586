"""vq06: CosyVoice's 25 Hz supervised speech tokenizer (speech_tokenizer_v1.onnx) with the published file's I/O.

Upstream publishes this model only as ONNX; Step-Audio's tokenizer.py runs it on whisper.log_mel_spectrogram(
chunk, n_mels=128) per segment of at most 30 s (get_vq06_code). Its network, from the public descriptions of the
v1 tokenizer, is a Whisper-style audio encoder (two GELU convolutions, kernel 3, each with stride 2, so 100 Hz
frames become 25 Hz; sinusoidal positions; pre-norm self-attention blocks) followed by a vector quantizer whose
4096 codes are found by Euclidean distance. The module names here follow that description (encoder.conv1/conv2,
encoder.blocks.N.attn.query/key/value/out, attn_ln, mlp, mlp_ln; quantizer.codebook.embed).

With --weights the operator's speech_tokenizer_v1.onnx is used as published: export() copies it unchanged, since
the device binds it by position and the contract is that file.

ONNX I/O: inputs `feats` float32 [1, 128, T] and `feats_length` int32 [1]; output `indices` int64 [1, T'] with
T' = ceil(ceil(T / 2) / 2) (each convolution: (n + 2 - 3) // 2 + 1). Frames at or past the length are masked out of
attention, so the length input matters wherever T is larger than the valid frames.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

import common

ONNX_PATH = "vq06/speech_tokenizer_v1.onnx"
SEGMENT = 480000
MIN_SEGMENT = 480

CONFIGS = {
    "full": dict(n_mels=128, n_state=1280, n_head=20, n_layer=6, n_codes=4096, n_ctx=1500),
    "tiny": dict(n_mels=128, n_state=64, n_head=4, n_layer=2, n_codes=4096, n_ctx=1500),
}


def sinusoids(length: int, channels: int, max_timescale: float = 10000.0) -> torch.Tensor:
    """Whisper's positional table: sines then cosines over log-spaced timescales."""
    increment = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-increment * torch.arange(channels // 2))
    scaled = torch.arange(length)[:, None] * inv[None, :]
    return torch.cat([torch.sin(scaled), torch.cos(scaled)], dim=1)


class MultiHeadAttention(torch.nn.Module):
    def __init__(self, n_state: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.query = torch.nn.Linear(n_state, n_state)
        self.key = torch.nn.Linear(n_state, n_state, bias=False)
        self.value = torch.nn.Linear(n_state, n_state)
        self.out = torch.nn.Linear(n_state, n_state)

    def forward(self, x, key_bias):
        b, t, c = x.shape
        d = c // self.n_head
        q = self.query(x).view(b, t, self.n_head, d).transpose(1, 2)
        k = self.key(x).view(b, t, self.n_head, d).transpose(1, 2)
        v = self.value(x).view(b, t, self.n_head, d).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + key_bias
        weights = torch.softmax(scores, dim=-1)
        return self.out(torch.matmul(weights, v).transpose(1, 2).reshape(b, t, c))


class ResidualAttentionBlock(torch.nn.Module):
    def __init__(self, n_state: int, n_head: int):
        super().__init__()
        self.attn = MultiHeadAttention(n_state, n_head)
        self.attn_ln = torch.nn.LayerNorm(n_state)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(n_state, 4 * n_state), torch.nn.GELU(), torch.nn.Linear(4 * n_state, n_state))
        self.mlp_ln = torch.nn.LayerNorm(n_state)

    def forward(self, x, key_bias):
        x = x + self.attn(self.attn_ln(x), key_bias)
        return x + self.mlp(self.mlp_ln(x))


class AudioEncoder(torch.nn.Module):
    def __init__(self, n_mels, n_state, n_head, n_layer, n_ctx):
        super().__init__()
        self.conv1 = torch.nn.Conv1d(n_mels, n_state, kernel_size=3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv1d(n_state, n_state, kernel_size=3, stride=2, padding=1)
        self.register_buffer("positional_embedding", sinusoids(n_ctx, n_state), persistent=False)
        self.blocks = torch.nn.ModuleList([ResidualAttentionBlock(n_state, n_head) for _ in range(n_layer)])

    @staticmethod
    def output_length(frames):
        return ((frames + 2 - 3) // 2 + 1 + 2 - 3) // 2 + 1

    def forward(self, feats, feats_length):
        x = F.gelu(self.conv1(feats))
        x = F.gelu(self.conv2(x)).transpose(1, 2)
        t = x.shape[1]
        x = x + self.positional_embedding[:t]
        valid = self.output_length(feats_length.to(torch.int64))
        positions = torch.arange(t, device=x.device)[None, :]
        # Keys at or past the valid length get no weight; every query still has the valid keys to attend to.
        key_bias = torch.where(positions < valid[:, None], torch.zeros(1), torch.full((1,), -1e9))[:, None, None, :]
        for block in self.blocks:
            x = block(x, key_bias)
        return x


class Codebook(torch.nn.Module):
    def __init__(self, n_codes: int, n_state: int):
        super().__init__()
        self.embed = torch.nn.Parameter(torch.zeros(n_codes, n_state))

    def distances(self, x):
        """Squared Euclidean distance of every frame to every code, [B, T, codes]."""
        return (x.pow(2).sum(-1, keepdim=True) - 2 * torch.matmul(x, self.embed.t()) + self.embed.pow(2).sum(-1)[None, None, :])


class Quantizer(torch.nn.Module):
    def __init__(self, n_codes: int, n_state: int):
        super().__init__()
        self.codebook = Codebook(n_codes, n_state)


class SpeechTokenizerV1(torch.nn.Module):
    def __init__(self, n_mels=128, n_state=1280, n_head=20, n_layer=6, n_codes=4096, n_ctx=1500):
        super().__init__()
        self.encoder = AudioEncoder(n_mels, n_state, n_head, n_layer, n_ctx)
        self.quantizer = Quantizer(n_codes, n_state)

    def forward(self, feats, feats_length):
        return torch.argmin(self.quantizer.codebook.distances(self.encoder(feats, feats_length)), dim=-1)

    def margins(self, feats, feats_length):
        """Second-nearest minus nearest Euclidean distance per frame: where float rounding may flip an id."""
        d = self.quantizer.codebook.distances(self.encoder(feats, feats_length)).clamp(min=0).sqrt()
        two = torch.topk(d, 2, dim=-1, largest=False).values
        return (two[..., 1] - two[..., 0])[0]


def build(size: str) -> torch.nn.Module:
    return SpeechTokenizerV1(**CONFIGS[size]).eval()


def realistic_random_(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random weights, then codes drawn from the encoder's own outputs on speech-like audio (plus noise), so the
    ids spread over many codes instead of collapsing onto the one code nearest the origin."""
    common.randomize_(model, seed)
    import pipeline_reference
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(3):
        audio = pipeline_reference.energy_norm(pipeline_reference.speech_like(48000, seed=seed + i))
        feats = whisper_log_mel(torch.from_numpy(audio))[None]
        with torch.no_grad():
            rows.append(model.encoder(feats, torch.tensor([feats.shape[-1]], dtype=torch.int32))[0])
    rows = torch.cat(rows)
    pick = torch.randint(0, rows.shape[0], (model.quantizer.codebook.embed.shape[0],), generator=generator)
    spread = rows.std() * 0.3
    with torch.no_grad():
        model.quantizer.codebook.embed.copy_(rows[pick] + spread * torch.randn(rows[pick].shape, generator=generator))
    return model


def load_weights(model: torch.nn.Module, weights_dir: Path) -> None:
    """The operator's speech_tokenizer_v1.onnx is the model: copied unchanged by export()."""
    onnx_file = weights_dir / "speech_tokenizer_v1.onnx"
    if not onnx_file.is_file():
        raise common.WeightsError(f"{onnx_file}: file not found (Step-Audio-Tokenizer ships speech_tokenizer_v1.onnx)")
    model.published_onnx = onnx_file


_MEL = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 128, 16000, norm="slaney", mel_scale="slaney").T


def whisper_log_mel(samples_16k: torch.Tensor) -> torch.Tensor:
    """whisper.log_mel_spectrogram(audio, n_mels=128): periodic Hann, n_fft 400, hop 160, centred reflect STFT,
    last frame dropped, power, Slaney mel (librosa's matrix is torchaudio's slaney/slaney), log10 floored at 1e-10,
    clamped to the maximum - 8, (x + 4) / 4. Returns [128, T]."""
    stft = torch.stft(samples_16k.to(torch.float32), 400, 160, window=torch.hann_window(400), return_complex=True)
    magnitudes = stft[..., :-1].abs() ** 2
    log_spec = torch.clamp(_MEL @ magnitudes, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
    return (log_spec + 4.0) / 4.0


def segments(samples: np.ndarray):
    """get_vq06_code's split: 30 s segments from the start; a segment under 480 samples is dropped."""
    for start in range(0, len(samples), SEGMENT):
        chunk = samples[start:start + SEGMENT]
        if len(chunk) >= MIN_SEGMENT:
            yield chunk


def vq06_reference(model: torch.nn.Module, samples_16k: np.ndarray) -> dict:
    """The ids Step-Audio's get_vq06_code gives for already-normalised 16 kHz audio, per segment and joined, and
    each frame's nearest-code margin."""
    ids, margins, per_segment = [], [], []
    with torch.no_grad():
        for chunk in segments(np.asarray(samples_16k, dtype=np.float32)):
            feats = whisper_log_mel(torch.from_numpy(chunk))[None]
            length = torch.tensor([feats.shape[-1]], dtype=torch.int32)
            segment_ids = model(feats, length)[0].tolist()
            per_segment.append(segment_ids)
            ids += segment_ids
            margins += model.margins(feats, length).tolist()
    return {"ids": ids, "margins": margins, "segments": per_segment}


def export(model: torch.nn.Module, layout: common.Layout, refs: common.References) -> None:
    path = layout.path(ONNX_PATH)
    published = getattr(model, "published_onnx", None)
    if published is not None:
        shutil.copyfile(published, path)
    else:
        example = torch.randn(1, 128, 300, generator=torch.Generator().manual_seed(5))
        common.export_onnx(model, (example, torch.tensor([300], dtype=torch.int32)), path,
                           input_names=["feats", "feats_length"], output_names=["indices"],
                           dynamic_axes={"feats": {2: "T"}, "indices": {1: "T_out"}})
    import pipeline_reference
    audio = pipeline_reference.energy_norm(pipeline_reference.speech_like(40000, seed=41))
    feats = whisper_log_mel(torch.from_numpy(audio))[None].contiguous()
    length = torch.tensor([feats.shape[-1]], dtype=torch.int32)
    with torch.no_grad():
        refs.case("vq06", ONNX_PATH, inputs={"feats": feats, "feats_length": length},
                  outputs={"indices": model(feats, length)}, atol=0)
        # A padded batch row: the length input masks the padding out, so the valid frames' ids must not change.
        padded = torch.cat([feats, torch.zeros(1, 128, 40)], dim=2)
        refs.case("vq06_padded", ONNX_PATH, inputs={"feats": padded, "feats_length": length},
                  outputs={"indices": model(padded, length)}, atol=0)
