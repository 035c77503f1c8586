"""CosyVoice's 25 Hz flow (MaskedDiffWithXvec) as Step-Audio ships it in CosyVoice-300M-25Hz, rebuilt in PyTorch
with upstream's parameter names, and its export to the four v1 vocoder graphs of engine/models/CONTRACT.md:

    vocoder/v1/flow_encoder.onnx    tokens int64 [1,N], token_len int32 [1]            -> h [1,N,80]
    vocoder/v1/flow_regulator.onnx  h [1,80,T] (already interpolated)                  -> mu [1,80,T]
    vocoder/v1/spk_affine.onnx      embedding [1,192] (already L2-normalised)          -> spks [1,80]
    vocoder/v1/flow_estimator.onnx  x, mask, mu, t, spks, cond (batch 2: guidance row) -> estimator_out [2,80,T]
    vocoder/v1/vocoder.json         the v1 profile

Upstream (Step-Audio's copy of CosyVoice): cosyvoice/flow/flow.py, cosyvoice/flow/length_regulator.py,
cosyvoice/flow/flow_matching.py, cosyvoice/flow/decoder.py, cosyvoice/matcha/decoder.py,
cosyvoice/matcha/transformer.py (with diffusers' Attention and GELU), cosyvoice/transformer/*.py.
Upstream runs the flow in bfloat16 (cosyvoice/cli/cosyvoice.py casts it); everything here is float32.

Besides the four common functions this module offers:
    flow_reference(model, prompt_tokens, prompt_mel, tokens, embedding, noise=None, generator=None) -> dict
    target_frames(model, tokens: int) -> int
    parity_checks(model) -> dict
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common

# ---------------------------------------------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------------------------------------------

_MEL = {"n_fft": 1024, "num_mels": 80, "sampling_rate": 22050, "hop_size": 256, "win_size": 1024, "fmin": 0,
        "fmax": 8000}
_CFM = {"sigma_min": 1e-06, "solver": "euler", "t_scheduler": "cosine", "training_cfg_rate": 0.2,
        "inference_cfg_rate": 0.7, "reg_loss_type": "l1"}

CONFIGS = {
    # CosyVoice-300M-25Hz (Step-Audio-TTS-3B): cosyvoice.yaml's flow section.
    "full": {
        "input_size": 512, "output_size": 80, "spk_embed_dim": 192, "output_type": "mel", "vocab_size": 5121,
        "input_frame_rate": 25, "only_mask_loss": True,
        "encoder": {"input_size": 512, "output_size": 512, "attention_heads": 8, "linear_units": 2048,
                    "num_blocks": 6, "dropout_rate": 0.1, "positional_dropout_rate": 0.1,
                    "attention_dropout_rate": 0.1, "normalize_before": True, "input_layer": "linear",
                    "pos_enc_layer_type": "rel_pos_espnet", "selfattention_layer_type": "rel_selfattn",
                    "use_cnn_module": False, "macaron_style": False, "activation_type": "swish",
                    "key_bias": True},
        "length_regulator": {"channels": 80, "sampling_ratios": [1, 1, 1, 1]},
        "decoder": {"in_channels": 240, "n_spks": 1, "spk_emb_dim": 80, "cfm_params": dict(_CFM)},
        "estimator": {"in_channels": 320, "out_channels": 80, "channels": [256, 256], "dropout": 0.0,
                      "attention_head_dim": 64, "n_blocks": 4, "num_mid_blocks": 12, "num_heads": 8,
                      "act_fn": "gelu"},
        "mel_feat_conf": dict(_MEL),
    },
    # A few layers and small widths for fast tests; the interfaces (80 mels, 192-d x-vector, 5121 tokens) kept.
    "tiny": {
        "input_size": 64, "output_size": 80, "spk_embed_dim": 192, "output_type": "mel", "vocab_size": 5121,
        "input_frame_rate": 25, "only_mask_loss": True,
        "encoder": {"input_size": 64, "output_size": 64, "attention_heads": 4, "linear_units": 128,
                    "num_blocks": 2, "dropout_rate": 0.1, "positional_dropout_rate": 0.1,
                    "attention_dropout_rate": 0.1, "normalize_before": True, "input_layer": "linear",
                    "pos_enc_layer_type": "rel_pos_espnet", "selfattention_layer_type": "rel_selfattn",
                    "use_cnn_module": False, "macaron_style": False, "activation_type": "swish",
                    "key_bias": True},
        "length_regulator": {"channels": 80, "sampling_ratios": [1, 1]},
        "decoder": {"in_channels": 240, "n_spks": 1, "spk_emb_dim": 80, "cfm_params": dict(_CFM)},
        "estimator": {"in_channels": 320, "out_channels": 80, "channels": [32], "dropout": 0.0,
                      "attention_head_dim": 16, "n_blocks": 1, "num_mid_blocks": 1, "num_heads": 2,
                      "act_fn": "gelu"},
        "mel_feat_conf": dict(_MEL),
    },
}

# The v1 profile (CONTRACT.md, "vocoder.json"); the model-derived fields are filled in from the model.
PROFILE_DEVICE_FIELDS = {
    "tokenLayout": "interleaved", "encoderFramesPerToken": 1, "flowSteps": 10,
    "firstChunkTokens": 10, "firstLookAheadTokens": 5, "chunkTokens": 40, "maxChunkTokens": 160,
    "overlapTokens": 20, "hiftCacheFrames": 20, "firstHiftCacheFrames": 6,
}
FLOW_STEPS = 10

# ---------------------------------------------------------------------------------------------------------------
# Conformer text encoder (cosyvoice/transformer)
# ---------------------------------------------------------------------------------------------------------------


def _valid_mask(lengths: torch.Tensor, size: int) -> torch.Tensor:
    """[B, size] bool, True where the position is below the length: the complement of cosyvoice/utils/mask.py's
    make_pad_mask, written with traceable ops only (no .item())."""
    positions = torch.arange(0, size, dtype=torch.int64, device=lengths.device).unsqueeze(0)
    return positions < lengths.to(torch.int64).unsqueeze(1)


class EspnetRelPositionalEncoding(nn.Module):
    """Follows cosyvoice/transformer/embedding.py, EspnetRelPositionalEncoding: scales the input by sqrt(d_model)
    and returns the 2T-1 relative position rows (positive positions reversed, then negative ones) of a sinusoid
    table. The table is not a parameter (upstream keeps it as a plain attribute); here it is a non-persistent
    buffer, so state dicts are unchanged. It covers max_len positions; eager calls grow it on demand."""

    def __init__(self, d_model: int, dropout_rate: float, max_len: int = 5000):
        super().__init__()
        self.d_model = d_model
        self.xscale = math.sqrt(self.d_model)
        self.dropout = nn.Dropout(p=dropout_rate)
        self.register_buffer("pe", self._table(max_len), persistent=False)

    def _table(self, length: int) -> torch.Tensor:
        position = torch.arange(0, length, dtype=torch.float32).unsqueeze(1)
        inv_freq = torch.exp(torch.arange(0, self.d_model, 2, dtype=torch.float32)
                             * -(math.log(10000.0) / self.d_model))
        forward_table = torch.zeros(length, self.d_model)
        backward_table = torch.zeros(length, self.d_model)
        forward_table[:, 0::2] = torch.sin(position * inv_freq)
        forward_table[:, 1::2] = torch.cos(position * inv_freq)
        backward_table[:, 0::2] = torch.sin(-1 * position * inv_freq)
        backward_table[:, 1::2] = torch.cos(-1 * position * inv_freq)
        # rows: +(L-1) ... +1, 0, -1 ... -(L-1)
        return torch.cat([torch.flip(forward_table, [0]), backward_table[1:]], dim=0).unsqueeze(0)

    def _ensure(self, size: int) -> None:
        if torch.jit.is_tracing() or torch.onnx.is_in_onnx_export():
            return
        if self.pe.size(1) < size * 2 - 1:
            self.pe = self._table(size).to(device=self.pe.device, dtype=self.pe.dtype)

    def position_encoding(self, offset, size: int) -> torch.Tensor:
        centre = self.pe.size(1) // 2
        return self.pe[:, centre - size + 1: centre + size]

    def forward(self, x: torch.Tensor, offset=0):
        self._ensure(x.size(1))
        x = x * self.xscale
        pos_emb = self.position_encoding(offset, x.size(1))
        return self.dropout(x), self.dropout(pos_emb)


class LinearNoSubsampling(nn.Module):
    """Follows cosyvoice/transformer/subsampling.py, LinearNoSubsampling: Linear, LayerNorm, Dropout, then the
    positional encoding; no change of frame rate."""

    def __init__(self, idim: int, odim: int, dropout_rate: float, pos_enc_class: nn.Module):
        super().__init__()
        self.out = nn.Sequential(nn.Linear(idim, odim), nn.LayerNorm(odim, eps=1e-5), nn.Dropout(dropout_rate))
        self.pos_enc = pos_enc_class
        self.right_context = 0
        self.subsampling_rate = 1

    def position_encoding(self, offset, size: int) -> torch.Tensor:
        return self.pos_enc.position_encoding(offset, size)

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor, offset=0):
        x = self.out(x)
        x, pos_emb = self.pos_enc(x, offset)
        return x, pos_emb, x_mask


class RelPositionMultiHeadedAttention(nn.Module):
    """Follows cosyvoice/transformer/attention.py, RelPositionMultiHeadedAttention (with MultiHeadedAttention's
    projections and masked softmax): Transformer-XL scores (content with pos_bias_u, position with pos_bias_v,
    the latter relative-shifted since the ESPnet table has 2T-1 rows), scaled by 1/sqrt(d_k); padded keys get
    -inf before and 0 after the softmax. Streaming caches are not needed by the device and not implemented."""

    def __init__(self, n_head: int, n_feat: int, dropout_rate: float, key_bias: bool = True):
        super().__init__()
        assert n_feat % n_head == 0
        self.d_k = n_feat // n_head
        self.h = n_head
        self.linear_q = nn.Linear(n_feat, n_feat)
        self.linear_k = nn.Linear(n_feat, n_feat, bias=key_bias)
        self.linear_v = nn.Linear(n_feat, n_feat)
        self.linear_out = nn.Linear(n_feat, n_feat)
        self.dropout = nn.Dropout(p=dropout_rate)
        self.linear_pos = nn.Linear(n_feat, n_feat, bias=False)
        self.pos_bias_u = nn.Parameter(torch.empty(self.h, self.d_k))
        self.pos_bias_v = nn.Parameter(torch.empty(self.h, self.d_k))
        nn.init.xavier_uniform_(self.pos_bias_u)
        nn.init.xavier_uniform_(self.pos_bias_v)

    def _heads(self, projected: torch.Tensor) -> torch.Tensor:
        batch = projected.size(0)
        return projected.view(batch, -1, self.h, self.d_k)  # (B, T, H, d_k)

    @staticmethod
    def rel_shift(scores: torch.Tensor) -> torch.Tensor:
        """(B, H, T1, 2*T1-1) relative scores -> (B, H, T1, T1) absolute key positions (ESPnet's pad-and-view)."""
        b, h, t1, width = scores.size()
        padded = torch.cat([scores.new_zeros((b, h, t1, 1)), scores], dim=-1)
        padded = padded.view(b, h, width + 1, t1)
        return padded[:, :, 1:].view(b, h, t1, width)[:, :, :, : width // 2 + 1]

    def forward(self, query, key, value, mask, pos_emb):
        q = self._heads(self.linear_q(query))                    # (B, T1, H, d_k)
        k = self._heads(self.linear_k(key)).transpose(1, 2)      # (B, H, T2, d_k)
        v = self._heads(self.linear_v(value)).transpose(1, 2)    # (B, H, T2, d_k)
        p = self.linear_pos(pos_emb).view(pos_emb.size(0), -1, self.h, self.d_k).transpose(1, 2)

        content = torch.matmul((q + self.pos_bias_u).transpose(1, 2), k.transpose(-2, -1))
        position = torch.matmul((q + self.pos_bias_v).transpose(1, 2), p.transpose(-2, -1))
        # Upstream shifts when the two score shapes differ, i.e. always for T > 1 with the 2T-1 row table; for
        # T == 1 the shift is the identity, so it is applied unconditionally (a traced shape test would freeze).
        position = self.rel_shift(position)
        scores = (content + position) / math.sqrt(self.d_k)

        pad = mask.unsqueeze(1).eq(0)                            # (B, 1, 1, T2)
        pad = pad[:, :, :, : scores.size(-1)]
        scores = scores.masked_fill(pad, -float("inf"))
        attn = torch.softmax(scores, dim=-1).masked_fill(pad, 0.0)
        context = torch.matmul(self.dropout(attn), v)            # (B, H, T1, d_k)
        context = context.transpose(1, 2).contiguous().view(context.size(0), -1, self.h * self.d_k)
        return self.linear_out(context)


class PositionwiseFeedForward(nn.Module):
    """Follows cosyvoice/transformer/positionwise_feed_forward.py, PositionwiseFeedForward: w_2(act(w_1(x)))."""

    def __init__(self, idim: int, hidden_units: int, dropout_rate: float, activation: nn.Module):
        super().__init__()
        self.w_1 = nn.Linear(idim, hidden_units)
        self.activation = activation
        self.dropout = nn.Dropout(dropout_rate)
        self.w_2 = nn.Linear(hidden_units, idim)

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self.w_2(self.dropout(self.activation(self.w_1(xs))))


class ConformerEncoderLayer(nn.Module):
    """Follows cosyvoice/transformer/encoder_layer.py, ConformerEncoderLayer, in the configuration the 25 Hz
    flow uses (no macaron feed-forward, no convolution module): pre-norm self-attention and feed-forward, each
    with a residual, ff_scale 1."""

    def __init__(self, size: int, self_attn: nn.Module, feed_forward: nn.Module, dropout_rate: float,
                 normalize_before: bool = True):
        super().__init__()
        self.self_attn = self_attn
        self.feed_forward = feed_forward
        self.feed_forward_macaron = None
        self.conv_module = None
        self.norm_ff = nn.LayerNorm(size, eps=1e-5)
        self.norm_mha = nn.LayerNorm(size, eps=1e-5)
        self.ff_scale = 1.0
        self.dropout = nn.Dropout(dropout_rate)
        self.size = size
        self.normalize_before = normalize_before

    def forward(self, x, mask, pos_emb):
        residual = x
        if self.normalize_before:
            x = self.norm_mha(x)
        x = residual + self.dropout(self.self_attn(x, x, x, mask, pos_emb))
        if not self.normalize_before:
            x = self.norm_mha(x)
        residual = x
        if self.normalize_before:
            x = self.norm_ff(x)
        x = residual + self.ff_scale * self.dropout(self.feed_forward(x))
        if not self.normalize_before:
            x = self.norm_ff(x)
        return x


_ACTIVATIONS = {"swish": nn.SiLU, "relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "selu": nn.SELU,
                "hardtanh": nn.Hardtanh}


class ConformerEncoder(nn.Module):
    """Follows cosyvoice/transformer/encoder.py, BaseEncoder + ConformerEncoder (forward and inference, which
    are the same computation when no CUDA graph is captured): embed (linear + ESPnet relative positions),
    the Conformer layers over a padding mask built from xs_lens (no chunk mask: static_chunk_size 0 and
    use_dynamic_chunk False), after_norm. Only the options the 25 Hz flow uses are implemented."""

    def __init__(self, input_size: int, output_size: int = 256, attention_heads: int = 4,
                 linear_units: int = 2048, num_blocks: int = 6, dropout_rate: float = 0.1,
                 positional_dropout_rate: float = 0.1, attention_dropout_rate: float = 0.0,
                 input_layer: str = "linear", pos_enc_layer_type: str = "rel_pos_espnet",
                 normalize_before: bool = True, selfattention_layer_type: str = "rel_selfattn",
                 use_cnn_module: bool = False, macaron_style: bool = False, activation_type: str = "swish",
                 key_bias: bool = True):
        super().__init__()
        unsupported = []
        if input_layer != "linear":
            unsupported.append(f"input_layer={input_layer}")
        if pos_enc_layer_type != "rel_pos_espnet":
            unsupported.append(f"pos_enc_layer_type={pos_enc_layer_type}")
        if selfattention_layer_type != "rel_selfattn":
            unsupported.append(f"selfattention_layer_type={selfattention_layer_type}")
        if use_cnn_module or macaron_style:
            unsupported.append("use_cnn_module/macaron_style")
        if unsupported:
            raise ValueError("ConformerEncoder: only the 25 Hz flow's configuration is implemented, not "
                             + ", ".join(unsupported))
        self._output_size = output_size
        self.global_cmvn = None
        self.embed = LinearNoSubsampling(input_size, output_size, dropout_rate,
                                         EspnetRelPositionalEncoding(output_size, positional_dropout_rate))
        self.normalize_before = normalize_before
        self.after_norm = nn.LayerNorm(output_size, eps=1e-5)
        self.static_chunk_size = 0
        self.use_dynamic_chunk = False
        self.use_dynamic_left_chunk = False
        self.encoders = nn.ModuleList([
            ConformerEncoderLayer(
                output_size,
                RelPositionMultiHeadedAttention(attention_heads, output_size, attention_dropout_rate, key_bias),
                PositionwiseFeedForward(output_size, linear_units, dropout_rate, _ACTIVATIONS[activation_type]()),
                dropout_rate, normalize_before)
            for _ in range(num_blocks)])

    def output_size(self) -> int:
        return self._output_size

    def forward(self, xs: torch.Tensor, xs_lens: torch.Tensor):
        masks = _valid_mask(xs_lens, xs.size(1)).unsqueeze(1)   # (B, 1, T)
        xs, pos_emb, masks = self.embed(xs, masks)
        for layer in self.encoders:
            xs = layer(xs, masks, pos_emb)
        if self.normalize_before:
            xs = self.after_norm(xs)
        return xs, masks

    def inference(self, xs: torch.Tensor, xs_lens: torch.Tensor):
        return self.forward(xs, xs_lens)


# ---------------------------------------------------------------------------------------------------------------
# Length regulator (cosyvoice/flow/length_regulator.py)
# ---------------------------------------------------------------------------------------------------------------


class InterpolateRegulator(nn.Module):
    """Follows cosyvoice/flow/length_regulator.py, InterpolateRegulator: linear interpolation in time, then
    per sampling ratio a Conv1d k3 + GroupNorm + Mish, then a 1x1 Conv1d (nn.Sequential 'model')."""

    def __init__(self, channels: int, sampling_ratios: Sequence[int], out_channels: Optional[int] = None,
                 groups: int = 1):
        super().__init__()
        self.sampling_ratios = tuple(sampling_ratios)
        out_channels = out_channels or channels
        layers: List[nn.Module] = []
        for _ in self.sampling_ratios:
            layers += [nn.Conv1d(channels, channels, 3, 1, 1), nn.GroupNorm(groups, channels), nn.Mish()]
        layers.append(nn.Conv1d(channels, out_channels, 1, 1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, ylens: torch.Tensor):
        """Training path: (B, T, D) -> (B, max(ylens), D), masked."""
        frames = int(ylens.max())
        mask = _valid_mask(ylens, frames).to(x).unsqueeze(-1)
        x = F.interpolate(x.transpose(1, 2).contiguous(), size=frames, mode="linear")
        return self.model(x).transpose(1, 2).contiguous() * mask, ylens

    def inference(self, x1: torch.Tensor, x2: torch.Tensor, mel_len1: int, mel_len2: int):
        """Prompt part x1 to mel_len1 frames and target part x2 to mel_len2 frames, each interpolated on its own,
        then the conv stack over the concatenation. (B, T, D) in, (B, mel_len1 + mel_len2, D) out."""
        x = F.interpolate(x2.transpose(1, 2).contiguous(), size=mel_len2, mode="linear")
        if x1.shape[1] != 0:
            head = F.interpolate(x1.transpose(1, 2).contiguous(), size=mel_len1, mode="linear")
            x = torch.cat([head, x], dim=2)
        return self.model(x).transpose(1, 2).contiguous(), mel_len1 + mel_len2


# ---------------------------------------------------------------------------------------------------------------
# Estimator: ConditionalDecoder (cosyvoice/flow/decoder.py) and its blocks (cosyvoice/matcha, diffusers)
# ---------------------------------------------------------------------------------------------------------------


class SinusoidalPosEmb(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, SinusoidalPosEmb: [sin, cos] of 1000 * t times geometric
    frequencies exp(-i * log(10000) / (dim/2 - 1))."""

    def __init__(self, dim: int):
        super().__init__()
        assert dim % 2 == 0, "SinusoidalPosEmb needs an even dim"
        self.dim = dim

    def forward(self, x: torch.Tensor, scale: float = 1000) -> torch.Tensor:
        if x.ndim < 1:
            x = x.unsqueeze(0)
        half = self.dim // 2
        step = math.log(10000) / (half - 1)
        freqs = torch.exp(torch.arange(half, device=x.device).float() * -step)
        angles = scale * x.unsqueeze(1) * freqs.unsqueeze(0)
        return torch.cat((angles.sin(), angles.cos()), dim=-1)


class TimestepEmbedding(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, TimestepEmbedding (no condition projection, no post activation):
    linear_1, SiLU, linear_2."""

    def __init__(self, in_channels: int, time_embed_dim: int, act_fn: str = "silu"):
        super().__init__()
        if act_fn != "silu":
            raise ValueError(f"TimestepEmbedding: act_fn {act_fn} is not implemented")
        self.linear_1 = nn.Linear(in_channels, time_embed_dim)
        self.cond_proj = None
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(time_embed_dim, time_embed_dim)
        self.post_act = None

    def forward(self, sample: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(sample)))


class Block1D(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, Block1D: Conv1d k3 + GroupNorm(8) + Mish on the masked input,
    output masked again."""

    def __init__(self, dim: int, dim_out: int, groups: int = 8):
        super().__init__()
        self.block = nn.Sequential(nn.Conv1d(dim, dim_out, 3, padding=1), nn.GroupNorm(groups, dim_out), nn.Mish())

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.block(x * mask) * mask


class ResnetBlock1D(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, ResnetBlock1D: two Block1D with the time embedding (Mish + Linear)
    added between them, plus a 1x1 residual conv of the masked input."""

    def __init__(self, dim: int, dim_out: int, time_emb_dim: int, groups: int = 8):
        super().__init__()
        self.mlp = nn.Sequential(nn.Mish(), nn.Linear(time_emb_dim, dim_out))
        self.block1 = Block1D(dim, dim_out, groups=groups)
        self.block2 = Block1D(dim_out, dim_out, groups=groups)
        self.res_conv = nn.Conv1d(dim, dim_out, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, time_emb: torch.Tensor) -> torch.Tensor:
        h = self.block1(x, mask) + self.mlp(time_emb).unsqueeze(-1)
        h = self.block2(h, mask)
        return h + self.res_conv(x * mask)


class Downsample1D(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, Downsample1D: Conv1d k3 stride 2 pad 1."""

    def __init__(self, dim: int):
        super().__init__()
        self.conv = nn.Conv1d(dim, dim, 3, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Upsample1D(nn.Module):
    """Follows cosyvoice/matcha/decoder.py, Upsample1D with use_conv_transpose (the only form the decoder
    builds): ConvTranspose1d k4 stride 2 pad 1."""

    def __init__(self, channels: int, use_conv: bool = False, use_conv_transpose: bool = True,
                 out_channels: Optional[int] = None):
        super().__init__()
        if not use_conv_transpose:
            raise ValueError("Upsample1D: only use_conv_transpose=True is implemented")
        self.channels = channels
        self.out_channels = out_channels or channels
        self.conv = nn.ConvTranspose1d(channels, self.out_channels, 4, 2, 1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.conv(inputs)


class Attention(nn.Module):
    """Follows diffusers.models.attention_processor.Attention as BasicTransformerBlock builds it (self-attention,
    no q/k/v bias, output bias, no norms, scale dim_head**-0.5, default processor): to_q/to_k/to_v, softmax
    attention per head, to_out = [Linear, Dropout]. Upstream passes no attention mask (it is commented out in
    cosyvoice/flow/decoder.py), so every frame attends to every frame."""

    def __init__(self, query_dim: int, heads: int = 8, dim_head: int = 64, dropout: float = 0.0,
                 bias: bool = False, out_bias: bool = True):
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.dim_head = dim_head
        self.scale = dim_head ** -0.5
        self.to_q = nn.Linear(query_dim, inner, bias=bias)
        self.to_k = nn.Linear(query_dim, inner, bias=bias)
        self.to_v = nn.Linear(query_dim, inner, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(inner, query_dim, bias=out_bias), nn.Dropout(dropout)])

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        batch = hidden_states.size(0)

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, -1, self.heads, self.dim_head).transpose(1, 2)

        q, k, v = split(self.to_q(hidden_states)), split(self.to_k(hidden_states)), split(self.to_v(hidden_states))
        weights = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.scale, dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(batch, -1, self.heads * self.dim_head)
        for module in self.to_out:
            out = module(out)
        return out


class GELU(nn.Module):
    """Follows diffusers.models.activations.GELU: a Linear projection then exact (erf) GELU."""

    def __init__(self, dim_in: int, dim_out: int, approximate: str = "none"):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out)
        self.approximate = approximate

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.proj(hidden_states), approximate=self.approximate)


class FeedForward(nn.Module):
    """Follows cosyvoice/matcha/transformer.py, FeedForward with activation_fn 'gelu': net = [GELU(dim, 4*dim),
    Dropout, Linear(4*dim, dim)]."""

    def __init__(self, dim: int, mult: int = 4, dropout: float = 0.0, activation_fn: str = "gelu"):
        super().__init__()
        inner = int(dim * mult)
        if activation_fn == "gelu":
            act = GELU(dim, inner)
        elif activation_fn == "gelu-approximate":
            act = GELU(dim, inner, approximate="tanh")
        else:
            raise ValueError(f"FeedForward: activation_fn {activation_fn} is not implemented")
        self.net = nn.ModuleList([act, nn.Dropout(dropout), nn.Linear(inner, dim)])

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        for module in self.net:
            hidden_states = module(hidden_states)
        return hidden_states


class BasicTransformerBlock(nn.Module):
    """Follows cosyvoice/matcha/transformer.py, BasicTransformerBlock as ConditionalDecoder builds it (layer
    norms, self-attention only, no cross-attention so no norm2/attn2): x + attn1(norm1(x)), then
    x + ff(norm3(x))."""

    def __init__(self, dim: int, num_attention_heads: int, attention_head_dim: int, dropout: float = 0.0,
                 activation_fn: str = "gelu"):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=True)
        self.attn1 = Attention(dim, heads=num_attention_heads, dim_head=attention_head_dim, dropout=dropout)
        self.norm2 = None
        self.attn2 = None
        self.norm3 = nn.LayerNorm(dim, elementwise_affine=True)
        self.ff = FeedForward(dim, dropout=dropout, activation_fn=activation_fn)

    def forward(self, hidden_states: torch.Tensor, timestep: Optional[torch.Tensor] = None) -> torch.Tensor:
        hidden_states = self.attn1(self.norm1(hidden_states)) + hidden_states
        return self.ff(self.norm3(hidden_states)) + hidden_states


class ConditionalDecoder(nn.Module):
    """Follows cosyvoice/flow/decoder.py, ConditionalDecoder: a 1-D U-Net over [x, mu, spks, cond] (320 channels)
    with down blocks (ResnetBlock1D, transformer blocks, stride-2 conv but a plain k3 conv on the last), mid
    blocks, up blocks (skip concatenation, transposed conv but a plain conv on the last), final Block1D and 1x1
    projection, output masked. Float32 throughout (upstream casts the down blocks' inputs to bfloat16)."""

    def __init__(self, in_channels: int, out_channels: int, channels=(256, 256), dropout: float = 0.05,
                 attention_head_dim: int = 64, n_blocks: int = 1, num_mid_blocks: int = 2, num_heads: int = 4,
                 act_fn: str = "snake"):
        super().__init__()
        channels = tuple(channels)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.time_embeddings = SinusoidalPosEmb(in_channels)
        time_embed_dim = channels[0] * 4
        self.time_mlp = TimestepEmbedding(in_channels=in_channels, time_embed_dim=time_embed_dim, act_fn="silu")
        self.down_blocks = nn.ModuleList([])
        self.mid_blocks = nn.ModuleList([])
        self.up_blocks = nn.ModuleList([])

        def transformers(dim: int) -> nn.ModuleList:
            return nn.ModuleList([BasicTransformerBlock(dim, num_heads, attention_head_dim, dropout, act_fn)
                                  for _ in range(n_blocks)])

        width = in_channels
        for i, target in enumerate(channels):
            last = i == len(channels) - 1
            resnet = ResnetBlock1D(dim=width, dim_out=target, time_emb_dim=time_embed_dim)
            down = Downsample1D(target) if not last else nn.Conv1d(target, target, 3, padding=1)
            self.down_blocks.append(nn.ModuleList([resnet, transformers(target), down]))
            width = target

        for _ in range(num_mid_blocks):
            resnet = ResnetBlock1D(dim=channels[-1], dim_out=width, time_emb_dim=time_embed_dim)
            self.mid_blocks.append(nn.ModuleList([resnet, transformers(width)]))

        ups = channels[::-1] + (channels[0],)
        for i in range(len(ups) - 1):
            last = i == len(ups) - 2
            resnet = ResnetBlock1D(dim=ups[i] * 2, dim_out=ups[i + 1], time_emb_dim=time_embed_dim)
            up = Upsample1D(ups[i + 1], use_conv_transpose=True) if not last else nn.Conv1d(ups[i + 1], ups[i + 1], 3, padding=1)
            self.up_blocks.append(nn.ModuleList([resnet, transformers(ups[i + 1]), up]))
        self.final_block = Block1D(ups[-1], ups[-1])
        self.final_proj = nn.Conv1d(ups[-1], self.out_channels, 1)

    @staticmethod
    def _transform(x: torch.Tensor, blocks: nn.ModuleList, t: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2).contiguous()        # (B, C, T) -> (B, T, C)
        for block in blocks:
            x = block(x, timestep=t)
        return x.transpose(1, 2).contiguous()

    def forward(self, x, mask, mu, t, spks=None, cond=None):
        t = self.time_mlp(self.time_embeddings(t).to(t.dtype))
        x = torch.cat([x, mu], dim=1)
        if spks is not None:
            x = torch.cat([x, spks.unsqueeze(-1).expand(-1, -1, x.shape[-1])], dim=1)
        if cond is not None:
            x = torch.cat([x, cond], dim=1)

        skips = []
        masks = [mask]
        for resnet, blocks, down in self.down_blocks:
            mask_down = masks[-1]
            x = self._transform(resnet(x, mask_down, t), blocks, t)
            skips.append(x)
            x = down(x * mask_down)
            masks.append(mask_down[:, :, ::2])
        masks = masks[:-1]
        mask_mid = masks[-1]

        for resnet, blocks in self.mid_blocks:
            x = self._transform(resnet(x, mask_mid, t), blocks, t)

        mask_up = mask
        for resnet, blocks, up in self.up_blocks:
            mask_up = masks.pop()
            skip = skips.pop()
            x = torch.cat([x[:, :, : skip.shape[-1]], skip], dim=1)
            x = self._transform(resnet(x, mask_up, t), blocks, t)
            x = up(x * mask_up)
        x = self.final_block(x, mask_up)
        return self.final_proj(x * mask_up) * mask


# ---------------------------------------------------------------------------------------------------------------
# Flow matching (cosyvoice/flow/flow_matching.py) and the flow (cosyvoice/flow/flow.py)
# ---------------------------------------------------------------------------------------------------------------


class ConditionalCFM(nn.Module):
    """Follows cosyvoice/flow/flow_matching.py, ConditionalCFM (on matcha's BASECFM): no parameters of its own
    but the estimator. Inference: noise z = randn_like(mu) * temperature (temperature 1.0 as flow.inference
    calls it; pass `noise` to make it explicit), t_span = linspace(0, 1, n+1) bent by the cosine schedule
    1 - cos(t * pi/2), then the fixed-step Euler solver with classifier-free guidance: the estimator runs on a
    batch of two rows, the second with mu, spks and cond zeroed, and
    v = (1 + cfg) * v_cond - cfg * v_uncond. (The CUDA-graph replay path is not reproduced.)"""

    def __init__(self, in_channels: int, cfm_params: dict, n_spks: int = 1, spk_emb_dim: int = 64,
                 estimator: Optional[nn.Module] = None):
        super().__init__()
        self.n_feats = in_channels
        self.n_spks = n_spks
        self.spk_emb_dim = spk_emb_dim
        self.solver = cfm_params["solver"]
        self.sigma_min = cfm_params.get("sigma_min", 1e-4)
        self.t_scheduler = cfm_params["t_scheduler"]
        self.training_cfg_rate = cfm_params["training_cfg_rate"]
        self.inference_cfg_rate = cfm_params["inference_cfg_rate"]
        self.estimator = estimator

    def t_span(self, n_timesteps: int, dtype=torch.float32, device=None) -> torch.Tensor:
        span = torch.linspace(0, 1, n_timesteps + 1, device=device, dtype=dtype)
        if self.t_scheduler == "cosine":
            span = 1 - torch.cos(span * 0.5 * math.pi)
        return span

    @torch.no_grad()
    def forward(self, mu, mask, n_timesteps, temperature=1.0, spks=None, cond=None, noise=None):
        z = (torch.randn_like(mu) if noise is None else noise.to(mu)) * temperature
        return self.solve_euler(z, self.t_span(n_timesteps, mu.dtype, mu.device), mu, mask, spks, cond)

    def solve_euler(self, x, t_span, mu, mask, spks, cond):
        t, dt = t_span[0], t_span[1] - t_span[0]
        t = t.unsqueeze(dim=0)
        for step in range(1, len(t_span)):
            if self.inference_cfg_rate > 0:
                velocity = self.estimator(
                    torch.cat([x, x], dim=0), torch.cat([mask, mask], dim=0),
                    torch.cat([mu, torch.zeros_like(mu)], dim=0), torch.cat([t, t], dim=0),
                    torch.cat([spks, torch.zeros_like(spks)], dim=0) if spks is not None else None,
                    torch.cat([cond, torch.zeros_like(cond)], dim=0))
                guided, free = torch.chunk(velocity, 2, dim=0)
                velocity = (1.0 + self.inference_cfg_rate) * guided - self.inference_cfg_rate * free
            else:
                velocity = self.estimator(x, mask, mu, t, spks, cond)
            x = x + dt * velocity
            t = t + dt
            if step < len(t_span) - 1:
                dt = t_span[step + 1] - t
        return x


class MaskedDiffWithXvec(nn.Module):
    """Follows cosyvoice/flow/flow.py, MaskedDiffWithXvec: token embedding, x-vector affine, Conformer encoder,
    encoder_proj, InterpolateRegulator, ConditionalCFM decoder. inference() is upstream's (fp32, with the noise
    as an optional explicit input)."""

    def __init__(self, input_size: int = 512, output_size: int = 80, spk_embed_dim: int = 192,
                 output_type: str = "mel", vocab_size: int = 4096, input_frame_rate: int = 50,
                 only_mask_loss: bool = True, encoder: Optional[nn.Module] = None,
                 length_regulator: Optional[nn.Module] = None, decoder: Optional[nn.Module] = None,
                 mel_feat_conf: Optional[dict] = None):
        super().__init__()
        self.input_size = input_size
        self.output_size = output_size
        self.mel_feat_conf = dict(mel_feat_conf or _MEL)
        self.vocab_size = vocab_size
        self.output_type = output_type
        self.input_frame_rate = input_frame_rate
        self.input_embedding = nn.Embedding(vocab_size, input_size)
        self.spk_embed_affine_layer = nn.Linear(spk_embed_dim, output_size)
        self.encoder = encoder
        self.encoder_proj = nn.Linear(self.encoder.output_size(), output_size)
        self.decoder = decoder
        self.length_regulator = length_regulator
        self.only_mask_loss = only_mask_loss

    def target_frames(self, tokens: int) -> int:
        """Upstream's target mel length: int(token_len2 / input_frame_rate * sampling_rate / hop_size)."""
        return int(tokens / self.input_frame_rate * self.mel_feat_conf["sampling_rate"]
                   / self.mel_feat_conf["hop_size"])

    @torch.no_grad()
    def inference(self, token, token_len, prompt_token, prompt_token_len, prompt_feat, prompt_feat_len,
                  embedding, noise: Optional[torch.Tensor] = None, n_timesteps: int = FLOW_STEPS,
                  details: Optional[dict] = None):
        assert token.shape[0] == 1
        embedding = self.spk_embed_affine_layer(F.normalize(embedding, dim=1))
        prompt_tokens, target_tokens = prompt_token.shape[1], token.shape[1]
        token, token_len = torch.cat([prompt_token, token], dim=1), prompt_token_len + token_len
        emb = self.input_embedding(torch.clamp(token, min=0))
        h, _ = self.encoder.inference(emb, token_len)
        h = self.encoder_proj(h)
        mel_len1, mel_len2 = prompt_feat.shape[1], self.target_frames(target_tokens)
        mu, _ = self.length_regulator.inference(h[:, :prompt_tokens], h[:, prompt_tokens:], mel_len1, mel_len2)
        conds = torch.zeros([1, mel_len1 + mel_len2, self.output_size], device=token.device, dtype=mu.dtype)
        conds[:, :mel_len1] = prompt_feat
        conds = conds.transpose(1, 2)
        mask = torch.ones([1, mel_len1 + mel_len2], device=h.device, dtype=mu.dtype)
        mu = mu.transpose(1, 2).contiguous()
        if noise is None:
            noise = torch.randn_like(mu)
        feat = self.decoder(mu=mu, mask=mask.unsqueeze(1), spks=embedding, cond=conds, n_timesteps=n_timesteps,
                            noise=noise)
        feat = feat[:, :, mel_len1:]
        assert feat.shape[2] == mel_len2
        if details is not None:
            details.update({"h": h, "mu": mu, "spks": embedding, "cond": conds, "noise": noise,
                            "prompt_frames": mel_len1, "frames": mel_len2})
        return feat


def _make(config: dict) -> MaskedDiffWithXvec:
    encoder = ConformerEncoder(**config["encoder"])
    regulator = InterpolateRegulator(**config["length_regulator"])
    estimator = ConditionalDecoder(**config["estimator"])
    decoder = ConditionalCFM(estimator=estimator, **config["decoder"])
    top = {k: v for k, v in config.items() if k not in ("encoder", "length_regulator", "decoder", "estimator")}
    return MaskedDiffWithXvec(encoder=encoder, length_regulator=regulator, decoder=decoder, **top)


def build(size: str) -> nn.Module:
    if size not in CONFIGS:
        raise ValueError(f"flow: unknown size {size!r} (expected one of {sorted(CONFIGS)})")
    return _make(copy.deepcopy(CONFIGS[size])).eval()


def load_weights(model: nn.Module, weights_dir: Path) -> None:
    """weights_dir/flow.pt (CosyVoice-300M-25Hz's flow state dict), loaded strictly over the whole
    MaskedDiffWithXvec. The vocabulary size is taken from the checkpoint's input_embedding.weight rows (the
    embedding is rebuilt when it differs from the config); every other shape must match."""
    path = Path(weights_dir) / "flow.pt"
    state = common.read_checkpoint(path)
    table = state.get("input_embedding.weight")
    if isinstance(table, torch.Tensor) and table.dim() == 2 and table.shape[1] == model.input_size \
            and table.shape[0] != model.input_embedding.num_embeddings:
        model.input_embedding = nn.Embedding(int(table.shape[0]), model.input_size)
        model.vocab_size = int(table.shape[0])
    common.load_strict(model, state, str(path))
    model.eval()


def target_frames(model: MaskedDiffWithXvec, tokens: int) -> int:
    """Mel frames upstream gives `tokens` target tokens: int(tokens / input_frame_rate * 22050 / 256)."""
    return model.target_frames(tokens)


# ---------------------------------------------------------------------------------------------------------------
# The reference: MaskedDiffWithXvec.inference + ConditionalCFM, torch eager fp32
# ---------------------------------------------------------------------------------------------------------------


@torch.no_grad()
def flow_reference(model: MaskedDiffWithXvec, prompt_tokens: torch.Tensor, prompt_mel: torch.Tensor,
                   tokens: torch.Tensor, embedding: torch.Tensor, noise=None,
                   generator: Optional[torch.Generator] = None, n_timesteps: int = FLOW_STEPS) -> Dict[str, object]:
    """The whole-utterance flow as upstream's token_to_wav_offline runs it (flow.inference, 10 Euler steps, cfg
    0.7), in float32.

    prompt_tokens LongTensor [Np], prompt_mel [Tp, 80] (speech_feat, frame-major), tokens LongTensor [N],
    embedding [192] or [1, 192] (CAM++'s raw output; normalised here as upstream does), noise [80, Tp + T]
    (the starting noise for every frame, prompt frames included; temperature is 1.0) or None to draw it from
    `generator`. T = int(N / input_frame_rate * 22050 / 256).

    Returns numpy float32 arrays: mel [80, T]; noise [80, Tp + T]; mu [80, Tp + T] (regulator output);
    h [Np + N, 80] (encoder_proj output, what flow_encoder.onnx gives); h_interpolated [80, Tp + T] (the
    regulator's input, what the device's F.interpolate gives); spks [80]; cond [80, Tp + T]; and the ints
    prompt_frames (Tp) and frames (T)."""
    model.eval()
    prompt_tokens = torch.as_tensor(prompt_tokens).reshape(1, -1).to(torch.int64)
    tokens = torch.as_tensor(tokens).reshape(1, -1).to(torch.int64)
    prompt_mel = torch.as_tensor(prompt_mel, dtype=torch.float32).reshape(1, -1, model.output_size)
    embedding = torch.as_tensor(embedding, dtype=torch.float32).reshape(1, -1)
    prompt_frames, frames = prompt_mel.shape[1], model.target_frames(tokens.shape[1])
    total = prompt_frames + frames
    if noise is None:
        noise = torch.randn((model.output_size, total), generator=generator)
    noise = torch.as_tensor(noise, dtype=torch.float32)
    if tuple(noise.shape) != (model.output_size, total):
        raise ValueError(f"flow_reference: noise must be [{model.output_size}, {total}] (prompt {prompt_frames} + "
                         f"target {frames} frames), got {tuple(noise.shape)}")
    details: dict = {}
    mel = model.inference(tokens, torch.tensor([tokens.shape[1]], dtype=torch.int32),
                          prompt_tokens, torch.tensor([prompt_tokens.shape[1]], dtype=torch.int32),
                          prompt_mel, torch.tensor([prompt_frames], dtype=torch.int32), embedding,
                          noise=noise.unsqueeze(0), n_timesteps=n_timesteps, details=details)
    h = details["h"]
    n1 = prompt_tokens.shape[1]
    parts = [F.interpolate(h[:, n1:].transpose(1, 2), size=frames, mode="linear")]
    if n1 > 0:
        parts.insert(0, F.interpolate(h[:, :n1].transpose(1, 2), size=prompt_frames, mode="linear"))
    h_interp = torch.cat(parts, dim=2)

    def out(t: torch.Tensor) -> np.ndarray:
        return t.detach().to(torch.float32).cpu().numpy()

    return {"mel": out(mel[0]), "noise": out(noise), "mu": out(details["mu"][0]), "h": out(h[0]),
            "h_interpolated": out(h_interp[0]), "spks": out(details["spks"][0]), "cond": out(details["cond"][0]),
            "prompt_frames": int(prompt_frames), "frames": int(frames)}


# ---------------------------------------------------------------------------------------------------------------
# Export wrappers: exactly the computations the ONNX graphs hold
# ---------------------------------------------------------------------------------------------------------------


class FlowEncoderGraph(nn.Module):
    """flow_encoder.onnx: input_embedding(clamp(tokens, min=0)) with rows at or past token_len zeroed (as the
    training forward does; upstream's inference passes unpadded tokens, where this is the identity), the
    Conformer with its padding mask from token_len, encoder_proj. The clamp is a Where so that no integer Clip
    kernel is needed."""

    def __init__(self, flow: MaskedDiffWithXvec):
        super().__init__()
        self.input_embedding = flow.input_embedding
        self.encoder = flow.encoder
        self.encoder_proj = flow.encoder_proj

    def forward(self, tokens: torch.Tensor, token_len: torch.Tensor) -> torch.Tensor:
        ids = torch.where(tokens < 0, torch.zeros_like(tokens), tokens)
        valid = _valid_mask(token_len, tokens.size(1)).to(torch.float32).unsqueeze(-1)
        h, _ = self.encoder(self.input_embedding(ids) * valid, token_len)
        return self.encoder_proj(h)


class RegulatorGraph(nn.Module):
    """flow_regulator.onnx: length_regulator.model only (the interpolation runs on the device)."""

    def __init__(self, flow: MaskedDiffWithXvec):
        super().__init__()
        self.model = flow.length_regulator.model

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.model(h)


class SpeakerAffineGraph(nn.Module):
    """spk_affine.onnx: spk_embed_affine_layer on the already L2-normalised x-vector."""

    def __init__(self, flow: MaskedDiffWithXvec):
        super().__init__()
        self.layer = flow.spk_embed_affine_layer

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.layer(embedding)


class EstimatorGraph(nn.Module):
    """flow_estimator.onnx: decoder.estimator (ConditionalDecoder.forward) unchanged."""

    def __init__(self, flow: MaskedDiffWithXvec):
        super().__init__()
        self.estimator = flow.decoder.estimator

    def forward(self, x, mask, mu, t, spks, cond):
        return self.estimator(x, mask, mu, t, spks, cond)


ENCODER_ONNX = "vocoder/v1/flow_encoder.onnx"
REGULATOR_ONNX = "vocoder/v1/flow_regulator.onnx"
SPK_ONNX = "vocoder/v1/spk_affine.onnx"
ESTIMATOR_ONNX = "vocoder/v1/flow_estimator.onnx"
PROFILE_JSON = "vocoder/v1/vocoder.json"


def profile(model: MaskedDiffWithXvec) -> dict:
    """vocoder.json for v1: the model's own numbers plus the device's chunking defaults."""
    result = {
        "profile": "v1",
        "sampleRate": int(model.mel_feat_conf["sampling_rate"]),
        "hop": int(model.mel_feat_conf["hop_size"]),
        "melBins": int(model.output_size),
        "tokenRate": model.input_frame_rate,
        "vocabSize": int(model.input_embedding.num_embeddings),
        "cfgRate": float(model.decoder.inference_cfg_rate),
        "speakerEmbeddingDim": int(model.spk_embed_affine_layer.in_features),
    }
    result.update(PROFILE_DEVICE_FIELDS)
    return result


def _interleaved_tokens(groups: int, generator: torch.Generator) -> torch.Tensor:
    """Step-Audio's interleaved audio ids: 2 vq02 (0..1023) then 3 vq06 (1024..5119) per group."""
    ids = []
    for _ in range(groups):
        ids += torch.randint(0, 1024, (2,), generator=generator).tolist()
        ids += (1024 + torch.randint(0, 4096, (3,), generator=generator)).tolist()
    return torch.tensor(ids, dtype=torch.int64)


def _prompt_mel(frames: int, generator: torch.Generator) -> torch.Tensor:
    """A real-looking prompt mel [frames, 80]: CosyVoice's mel (pipeline_reference.prompt_mel) of a speech-like
    22.05 kHz signal, cut or padded to `frames`."""
    import pipeline_reference
    seed = int(torch.randint(0, 1 << 30, (1,), generator=generator))
    samples = frames * 256
    audio = pipeline_reference.speech_like(samples + 1024, seed, rate=22050)
    mel = torch.from_numpy(pipeline_reference.prompt_mel(audio[:samples]))
    if mel.shape[0] < frames:
        mel = torch.cat([mel, mel[-1:].expand(frames - mel.shape[0], -1)], dim=0)
    return mel[:frames].contiguous()


def _interpolate_like_device(h: torch.Tensor, prompt_tokens: int, prompt_frames: int, frames: int) -> torch.Tensor:
    """[1, N, 80] -> [1, 80, Tp + T]: the prompt part and the target part each linearly interpolated."""
    parts = [F.interpolate(h[:, prompt_tokens:].transpose(1, 2), size=frames, mode="linear")]
    if prompt_tokens > 0:
        parts.insert(0, F.interpolate(h[:, :prompt_tokens].transpose(1, 2), size=prompt_frames, mode="linear"))
    return torch.cat(parts, dim=2)


def _pin_outputs(path: Path, shapes: Dict[str, Sequence]) -> None:
    """Declares the graph outputs' shapes as the contract writes them (ints fixed, strings dynamic): the traced
    views leave the batch dimension symbolic although it is fixed."""
    import onnx
    proto = onnx.load(str(path))
    for output in proto.graph.output:
        if output.name not in shapes:
            continue
        dims = output.type.tensor_type.shape.dim
        for dim, want in zip(dims, shapes[output.name]):
            if isinstance(want, str):
                dim.dim_param = want
            else:
                dim.dim_value = int(want)
    onnx.save(proto, str(path))
    onnx.checker.check_model(str(path))


def _example(model: MaskedDiffWithXvec, prompt_groups: int, target_groups: int, seed: int) -> dict:
    generator = torch.Generator().manual_seed(seed)
    prompt_tokens = _interleaved_tokens(prompt_groups, generator)
    tokens = _interleaved_tokens(target_groups, generator)
    prompt_frames = model.target_frames(prompt_tokens.numel())
    return {"prompt_tokens": prompt_tokens, "tokens": tokens, "prompt_mel": _prompt_mel(prompt_frames, generator),
            "embedding": torch.randn(192, generator=generator) * 0.8, "generator": generator}


@torch.no_grad()
def export(model: nn.Module, layout: common.Layout, refs: common.References) -> None:
    model.eval()
    ex = _example(model, prompt_groups=4, target_groups=6, seed=2024)
    generator = ex["generator"]

    # ---- flow_encoder.onnx: the prompt then target tokens, plus two padding rows past token_len
    encoder_graph = FlowEncoderGraph(model).eval()
    n1 = ex["prompt_tokens"].numel()
    tokens = torch.cat([ex["prompt_tokens"], ex["tokens"], torch.tensor([0, -1], dtype=torch.int64)]).unsqueeze(0)
    token_len = torch.tensor([tokens.shape[1] - 2], dtype=torch.int32)
    common.export_onnx(encoder_graph, (tokens, token_len), layout.path(ENCODER_ONNX), ["tokens", "token_len"], ["h"],
                       {"tokens": {1: "N"}, "h": {1: "N"}})
    _pin_outputs(layout.path(ENCODER_ONNX), {"h": [1, "N", model.output_size]})
    h = encoder_graph(tokens, token_len)
    refs.case("flow_encoder", ENCODER_ONNX, {"tokens": tokens, "token_len": token_len}, {"h": h}, atol=1e-4)

    # ---- flow_regulator.onnx: the device's interpolation of the valid rows
    valid = h[:, : int(token_len[0])]
    prompt_frames = ex["prompt_mel"].shape[0]
    frames = model.target_frames(valid.shape[1] - n1)
    h_interp = _interpolate_like_device(valid, n1, prompt_frames, frames).contiguous()
    regulator_graph = RegulatorGraph(model).eval()
    common.export_onnx(regulator_graph, (h_interp,), layout.path(REGULATOR_ONNX), ["h"], ["mu"],
                       {"h": {2: "T"}, "mu": {2: "T"}})
    mu = regulator_graph(h_interp)
    refs.case("flow_regulator", REGULATOR_ONNX, {"h": h_interp}, {"mu": mu}, atol=1e-4)

    # ---- spk_affine.onnx: the device normalises (F.normalize, eps 1e-12)
    embedding = F.normalize(ex["embedding"].reshape(1, -1), dim=1)
    spk_graph = SpeakerAffineGraph(model).eval()
    common.export_onnx(spk_graph, (embedding,), layout.path(SPK_ONNX), ["embedding"], ["spks"])
    spks = spk_graph(embedding)
    refs.case("spk_affine", SPK_ONNX, {"embedding": embedding}, {"spks": spks}, atol=1e-4)

    # ---- flow_estimator.onnx: one guided Euler step's batch (row 1: mu, spks, cond zeroed), at step 3 of 10
    total = prompt_frames + frames
    x = torch.randn((1, model.output_size, total), generator=generator)
    t = model.decoder.t_span(FLOW_STEPS)[3].reshape(1)
    cond = torch.zeros((1, model.output_size, total))
    cond[0, :, :prompt_frames] = ex["prompt_mel"].T
    est_inputs = {
        "x": torch.cat([x, x], 0),
        "mask": torch.ones((2, 1, total)),
        "mu": torch.cat([mu, torch.zeros_like(mu)], 0),
        "t": torch.cat([t, t], 0),
        "spks": torch.cat([spks, torch.zeros_like(spks)], 0),
        "cond": torch.cat([cond, torch.zeros_like(cond)], 0),
    }
    estimator_graph = EstimatorGraph(model).eval()
    names = list(est_inputs)
    common.export_onnx(estimator_graph, tuple(est_inputs[k] for k in names), layout.path(ESTIMATOR_ONNX), names,
                       ["estimator_out"], {"x": {2: "T"}, "mask": {2: "T"}, "mu": {2: "T"}, "cond": {2: "T"},
                                           "estimator_out": {2: "T"}})
    _pin_outputs(layout.path(ESTIMATOR_ONNX), {"estimator_out": [2, model.output_size, "T"]})
    out = estimator_graph(*(est_inputs[k] for k in names))
    refs.case("flow_estimator", ESTIMATOR_ONNX, est_inputs, {"estimator_out": out}, atol=1e-4)

    with open(layout.path(PROFILE_JSON), "w") as f:
        json.dump(profile(model), f, indent=2)
        f.write("\n")


@torch.no_grad()
def device_path(model: MaskedDiffWithXvec, prompt_tokens: torch.Tensor, prompt_mel: torch.Tensor,
                tokens: torch.Tensor, embedding: torch.Tensor, noise: torch.Tensor,
                n_timesteps: int = FLOW_STEPS) -> np.ndarray:
    """The whole-utterance flow as the device composes it from the four exported graphs' torch modules
    (normalise, affine, encoder, interpolate, regulator, cond, Euler loop with guidance, drop the prompt):
    mel [80, T]. parity_checks compares it with flow_reference."""
    prompt_tokens = torch.as_tensor(prompt_tokens).reshape(-1).to(torch.int64)
    tokens = torch.as_tensor(tokens).reshape(-1).to(torch.int64)
    prompt_mel = torch.as_tensor(prompt_mel, dtype=torch.float32)
    n1 = prompt_tokens.numel()
    all_tokens = torch.cat([prompt_tokens, tokens]).unsqueeze(0)
    h = FlowEncoderGraph(model)(all_tokens, torch.tensor([all_tokens.shape[1]], dtype=torch.int32))
    prompt_frames, frames = prompt_mel.shape[0], model.target_frames(tokens.numel())
    mu = RegulatorGraph(model)(_interpolate_like_device(h, n1, prompt_frames, frames))
    spks = SpeakerAffineGraph(model)(F.normalize(torch.as_tensor(embedding, dtype=torch.float32).reshape(1, -1),
                                                 dim=1, eps=1e-12))
    total = prompt_frames + frames
    cond = torch.zeros((1, model.output_size, total))
    cond[0, :, :prompt_frames] = prompt_mel.T
    estimator = EstimatorGraph(model)
    cfg = model.decoder.inference_cfg_rate
    span = model.decoder.t_span(n_timesteps)
    x = torch.as_tensor(noise, dtype=torch.float32).reshape(1, model.output_size, total)
    mask = torch.ones((2, 1, total))
    t, dt = span[0].reshape(1), span[1] - span[0]
    for step in range(1, len(span)):
        v = estimator(torch.cat([x, x]), mask, torch.cat([mu, torch.zeros_like(mu)]), torch.cat([t, t]),
                      torch.cat([spks, torch.zeros_like(spks)]), torch.cat([cond, torch.zeros_like(cond)]))
        x = x + dt * ((1.0 + cfg) * v[:1] - cfg * v[1:])
        t = t + dt
        if step < len(span) - 1:
            dt = span[step + 1] - t
    return x[0, :, prompt_frames:].numpy()


@torch.no_grad()
def parity_checks(model: nn.Module) -> dict:
    """Torch-side checks of the export wrappers against upstream's own path (a short utterance): the device's
    composition of the four graphs against flow_reference, and the encoder wrapper with padding rows against
    the unpadded encoder."""
    model.eval()
    ex = _example(model, prompt_groups=1, target_groups=2, seed=77)
    frames_all = ex["prompt_mel"].shape[0] + model.target_frames(ex["tokens"].numel())
    noise = torch.randn((model.output_size, frames_all), generator=ex["generator"])
    ref = flow_reference(model, ex["prompt_tokens"], ex["prompt_mel"], ex["tokens"], ex["embedding"], noise)
    dev = device_path(model, ex["prompt_tokens"], ex["prompt_mel"], ex["tokens"], ex["embedding"], noise)
    tokens = torch.cat([ex["prompt_tokens"], ex["tokens"]]).unsqueeze(0)
    graph = FlowEncoderGraph(model)
    plain = graph(tokens, torch.tensor([tokens.shape[1]], dtype=torch.int32))
    padded = graph(torch.cat([tokens, torch.tensor([[7, -1, 3]])], dim=1),
                   torch.tensor([tokens.shape[1]], dtype=torch.int32))[:, : tokens.shape[1]]
    return {
        "device_vs_reference_mel_max_abs": float(np.max(np.abs(dev - ref["mel"]))),
        "encoder_vs_reference_h_max_abs": float((plain[0] - torch.from_numpy(ref["h"])).abs().max()),
        "encoder_padding_max_abs": float((padded - plain).abs().max()),
        "frames": ref["frames"],
        "prompt_frames": ref["prompt_frames"],
    }
