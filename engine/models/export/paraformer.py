"""vq02: the streaming Paraformer encoder (SANMEncoderChunkOpt) that Step-Audio's tokenizer runs, and its export.

The network is rebuilt here with FunASR's module and attribute names, so that the encoder part of the
operator's Paraformer checkpoint (model.pt, keys "encoder.*") loads with load_state_dict(strict=True):

    encoder.encoders0.0.{norm1,norm2}.{weight,bias}                  LayerNorm(560), LayerNorm(512)
    encoder.encoders0.0.self_attn.linear_q_k_v.{weight,bias}         Linear(560, 3*512)
    encoder.encoders0.0.self_attn.linear_out.{weight,bias}           Linear(512, 512)
    encoder.encoders0.0.self_attn.fsmn_block.weight                  depthwise Conv1d(512, k=11), no bias
    encoder.encoders0.0.feed_forward.{w_1,w_2}.{weight,bias}         Linear(512, 2048), Linear(2048, 512)
    encoder.encoders.<i>.(same, 512 wide)                           i = 0 .. num_blocks - 2
    encoder.after_norm.{weight,bias}

Two ways to run it:
- SANMEncoderChunkOpt.forward_chunk(xs_pad, ilens, cache): FunASR's own chunked inference with the state in a
  Python dict (vq02_reference.py drives it the way funasr's infer_encoder does);
- Vq02EncoderWrapper: the same arithmetic with the state as explicit tensors, the graph CONTRACT.md
  ("vq02 encoder") describes, exported as vq02/encoder.onnx.

Extra helpers the orchestrator calls: cmvn_of(model, layout) and parity_checks(model) (see their docstrings).
"""
from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import common  # noqa: E402

# Step-Audio's tokenizer.py: chunk_size [0, 4, 5], encoder_chunk_look_back 4.
CHUNK_SIZE = (0, 4, 5)
LOOK_BACK = 4
CACHE_ROWS = LOOK_BACK * CHUNK_SIZE[1]          # 16 rows of keys/values per layer
OVERLAP = CHUNK_SIZE[0] + CHUNK_SIZE[2]         # 5 encoder-input frames re-read per chunk

_UPSTREAM = dict(
    input_size=560,
    output_size=512,
    attention_heads=4,
    linear_units=2048,
    dropout_rate=0.1,
    positional_dropout_rate=0.1,
    attention_dropout_rate=0.1,
    input_layer="pe_online",
    normalize_before=True,
    kernel_size=11,
    sanm_shfit=0,
    selfattention_layer_type="sanm",
    chunk_size=[12, 15],
    stride=[8, 10],
    pad_left=[0, 0],
    encoder_att_look_back_factor=[4, 4],
    decoder_att_look_back_factor=[1, 1],
)
# full: funasr_detach/models/paraformer_streaming/template.yaml encoder_conf (input_size 560 = 80 mels x lfr_m 7).
# tiny: the same widths (the device and the 1024 x 512 codebook fix 512 and 560), three blocks.
CONFIGS = {
    "tiny": dict(_UPSTREAM, num_blocks=3),
    "full": dict(_UPSTREAM, num_blocks=50),
}

# The Paraformer download as Step-Audio's tokenizer.py names it, inside the Step-Audio-Tokenizer folder.
PARAFORMER_DIR = "dengcunqin/speech_paraformer-large_asr_nat-zh-cantonese-en-16k-vocab8501-online"


# ---- building blocks -----------------------------------------------------------------------------------------

class LayerNorm(nn.LayerNorm):
    """Follows funasr_detach/models/transformer/layer_norm.py, LayerNorm: torch's LayerNorm over the last axis
    with eps 1e-12."""

    def __init__(self, nout: int):
        super().__init__(nout, eps=1e-12)


class StreamSinusoidalPositionEncoder(nn.Module):
    """Follows funasr_detach/models/transformer/embedding.py, StreamSinusoidalPositionEncoder: adds a sin/cos
    encoding of the absolute frame position (1-based, continued across chunks through cache["start_idx"]) over
    the input's own width (560 here: it runs before the first block). No parameters."""

    @staticmethod
    def encode(positions: torch.Tensor, depth: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """positions: any shape of (integer or float) positions -> positions.shape + (depth,)."""
        half = depth // 2
        increment = torch.log(torch.tensor([10000.0], dtype=dtype)) / (depth / 2 - 1)
        inv_timescales = torch.exp(torch.arange(half).to(dtype) * (-increment))
        scaled = positions.to(dtype).unsqueeze(-1) * inv_timescales
        return torch.cat([torch.sin(scaled), torch.cos(scaled)], dim=-1)

    def forward(self, x: torch.Tensor, cache: Optional[dict] = None) -> torch.Tensor:
        steps, depth = x.size(1), x.size(2)
        first = 0
        if cache is not None:
            first = cache["start_idx"]
            cache["start_idx"] += steps
        positions = torch.arange(first + 1, first + steps + 1)[None, :]
        return x + self.encode(positions, depth, x.dtype)


class PositionwiseFeedForward(nn.Module):
    """Follows funasr_detach/models/transformer/positionwise_feed_forward.py, PositionwiseFeedForward:
    w_2(relu(w_1(x)))."""

    def __init__(self, idim: int, hidden_units: int, dropout_rate: float):
        super().__init__()
        self.w_1 = nn.Linear(idim, hidden_units)
        self.w_2 = nn.Linear(hidden_units, idim)
        self.dropout = nn.Dropout(dropout_rate)
        self.activation = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w_2(self.dropout(self.activation(self.w_1(x))))


class MultiHeadedAttentionSANM(nn.Module):
    """Follows funasr_detach/models/sanm/attention.py, MultiHeadedAttentionSANM (forward_qkv, forward_fsmn,
    forward_attention, forward_chunk): one fused q/k/v projection, scaled dot-product attention over the
    look-back cache plus the window, and the FSMN memory (a depthwise conv over v, zero-padded inside the
    window, plus v itself) added to the attention output."""

    def __init__(self, n_head: int, in_feat: int, n_feat: int, dropout_rate: float, kernel_size: int,
                 sanm_shfit: int = 0):
        super().__init__()
        assert n_feat % n_head == 0
        self.d_k = n_feat // n_head
        self.h = n_head
        self.linear_out = nn.Linear(n_feat, n_feat)
        self.linear_q_k_v = nn.Linear(in_feat, n_feat * 3)
        self.attn = None
        self.dropout = nn.Dropout(p=dropout_rate)
        self.fsmn_block = nn.Conv1d(n_feat, n_feat, kernel_size, stride=1, padding=0, groups=n_feat, bias=False)
        left = (kernel_size - 1) // 2 + (sanm_shfit if sanm_shfit > 0 else 0)
        self.pad_fn = nn.ConstantPad1d((left, kernel_size - 1 - left), 0.0)

    def forward_qkv(self, x: torch.Tensor):
        b, t, _ = x.size()
        q, k, v = torch.split(self.linear_q_k_v(x), self.h * self.d_k, dim=-1)
        heads = lambda y: y.reshape(b, t, self.h, self.d_k).transpose(1, 2)  # noqa: E731
        return heads(q), heads(k), heads(v), v

    def forward_fsmn(self, inputs: torch.Tensor) -> torch.Tensor:
        """The memory block without a mask (forward_chunk passes mask None)."""
        x = self.fsmn_block(self.pad_fn(inputs.transpose(1, 2))).transpose(1, 2)
        return self.dropout(x + inputs)

    def forward_attention(self, value: torch.Tensor, scores: torch.Tensor,
                          hidden: Optional[torch.Tensor] = None) -> torch.Tensor:
        """softmax(scores) @ value, heads merged, linear_out. hidden (bool, broadcast to scores) marks keys that
        do not exist in the reference (the unfilled rows of the fixed-size cache): they get the float32 minimum
        before the softmax, so their weight is exactly 0, as if they were not there."""
        if hidden is not None:
            scores = scores.masked_fill(hidden, float(np.finfo(np.float32).min))
        self.attn = torch.softmax(scores, dim=-1)
        x = torch.matmul(self.dropout(self.attn), value)
        x = x.transpose(1, 2).reshape(value.size(0), -1, self.h * self.d_k)
        return self.linear_out(x)

    def forward_chunk(self, x: torch.Tensor, cache: Optional[dict] = None, chunk_size=None, look_back: int = 0):
        """Upstream's dict-cache chunk step: the cache keeps, per layer, the keys/values of the window's rows
        except its last chunk_size[2] (they come again, with more right context, in the next window), trimmed
        to look_back * chunk_size[1] rows."""
        q_h, k_h, v_h, v = self.forward_qkv(x)
        if chunk_size is not None and look_back > 0 or look_back == -1:
            if cache is not None:
                settled_k = k_h[:, :, :-chunk_size[2], :]
                settled_v = v_h[:, :, :-chunk_size[2], :]
                k_h = torch.cat((cache["k"], k_h), dim=2)
                v_h = torch.cat((cache["v"], v_h), dim=2)
                cache["k"] = torch.cat((cache["k"], settled_k), dim=2)
                cache["v"] = torch.cat((cache["v"], settled_v), dim=2)
                if look_back != -1:
                    cache["k"] = cache["k"][:, :, -(look_back * chunk_size[1]):, :]
                    cache["v"] = cache["v"][:, :, -(look_back * chunk_size[1]):, :]
            else:
                cache = {"k": k_h[:, :, :-chunk_size[2], :], "v": v_h[:, :, :-chunk_size[2], :]}
        memory = self.forward_fsmn(v)
        scores = torch.matmul(q_h * self.d_k ** (-0.5), k_h.transpose(-2, -1))
        return self.forward_attention(v_h, scores) + memory, cache

    def forward_tensor_cache(self, x: torch.Tensor, cache_k: torch.Tensor, cache_v: torch.Tensor,
                             hidden: torch.Tensor, stride: int):
        """forward_chunk with the cache as fixed-size tensors [1, H, R, D], right-aligned, hidden [R] (bool)
        marking the rows that do not exist yet. Returns (output, next_k, next_v), next_* again [1, H, R, D]:
        cat(cache, k[:, :, :-stride]) keeping the newest R rows."""
        q_h, k_h, v_h, v = self.forward_qkv(x)
        rows = cache_k.size(2)
        keys = torch.cat((cache_k, k_h), dim=2)
        values = torch.cat((cache_v, v_h), dim=2)
        next_k = torch.cat((cache_k, k_h[:, :, :-stride, :]), dim=2)[:, :, -rows:, :]
        next_v = torch.cat((cache_v, v_h[:, :, :-stride, :]), dim=2)[:, :, -rows:, :]
        window_visible = torch.zeros_like(k_h[0, 0, :, 0], dtype=torch.bool)
        key_hidden = torch.cat((hidden, window_visible), dim=0)
        memory = self.forward_fsmn(v)
        scores = torch.matmul(q_h * self.d_k ** (-0.5), keys.transpose(-2, -1))
        return self.forward_attention(values, scores, key_hidden) + memory, next_k, next_v


class EncoderLayerSANM(nn.Module):
    """Follows funasr_detach/models/scama/encoder.py (and sanm/encoder.py), EncoderLayerSANM.forward_chunk:
    pre-norm SAN-M attention (residual only when in_size == size: the first block maps 560 -> 512 without
    one), then a pre-norm feed-forward with residual."""

    def __init__(self, in_size: int, size: int, self_attn: MultiHeadedAttentionSANM,
                 feed_forward: PositionwiseFeedForward, dropout_rate: float, normalize_before: bool = True):
        super().__init__()
        self.self_attn = self_attn
        self.feed_forward = feed_forward
        self.norm1 = LayerNorm(in_size)
        self.norm2 = LayerNorm(size)
        self.dropout = nn.Dropout(dropout_rate)
        self.in_size = in_size
        self.size = size
        self.normalize_before = normalize_before

    def _attention_residual(self, x, attn):
        return x + attn if self.in_size == self.size else attn

    def _feed_forward(self, x):
        if not self.normalize_before:
            x = self.norm1(x)
        residual = x
        if self.normalize_before:
            x = self.norm2(x)
        x = residual + self.feed_forward(x)
        if not self.normalize_before:
            x = self.norm2(x)
        return x

    def forward_chunk(self, x, cache=None, chunk_size=None, look_back=0):
        h = self.norm1(x) if self.normalize_before else x
        attn, cache = self.self_attn.forward_chunk(h, cache, chunk_size, look_back)
        return self._feed_forward(self._attention_residual(x, attn)), cache

    def forward_tensor_cache(self, x, cache_k, cache_v, hidden, stride):
        h = self.norm1(x) if self.normalize_before else x
        attn, next_k, next_v = self.self_attn.forward_tensor_cache(h, cache_k, cache_v, hidden, stride)
        return self._feed_forward(self._attention_residual(x, attn)), next_k, next_v


class MultiSequential(nn.Sequential):
    """Follows funasr_detach/models/transformer/utils/repeat.py, MultiSequential (only as the container whose
    children are named 0, 1, ...: the chunked paths iterate over it)."""


class SANMEncoderChunkOpt(nn.Module):
    """Follows funasr_detach/models/scama/encoder.py, SANMEncoderChunkOpt, with input_layer "pe_online" and
    SAN-M self-attention (the configuration of the streaming Paraformer-large). Only the chunked inference
    (forward_chunk, _add_overlap_chunk) is implemented; the training-time overlap_chunk masks have no
    parameters and are not needed."""

    def __init__(self, input_size: int, output_size: int = 256, attention_heads: int = 4, linear_units: int = 2048,
                 num_blocks: int = 6, dropout_rate: float = 0.1, positional_dropout_rate: float = 0.1,
                 attention_dropout_rate: float = 0.0, input_layer: str = "pe_online", normalize_before: bool = True,
                 kernel_size: int = 11, sanm_shfit: int = 0, selfattention_layer_type: str = "sanm",
                 chunk_size=(16,), stride=(10,), pad_left=(0,), encoder_att_look_back_factor=(1,),
                 decoder_att_look_back_factor=(1,)):
        super().__init__()
        if input_layer != "pe_online" or selfattention_layer_type != "sanm":
            raise ValueError("only input_layer pe_online with sanm self-attention is rebuilt")
        self._output_size = output_size
        self.embed = StreamSinusoidalPositionEncoder()
        self.normalize_before = normalize_before

        def layer(in_size):
            return EncoderLayerSANM(
                in_size, output_size,
                MultiHeadedAttentionSANM(attention_heads, in_size, output_size, attention_dropout_rate,
                                         kernel_size, sanm_shfit),
                PositionwiseFeedForward(output_size, linear_units, dropout_rate),
                dropout_rate, normalize_before)

        self.encoders0 = MultiSequential(layer(input_size))
        self.encoders = MultiSequential(*[layer(output_size) for _ in range(num_blocks - 1)])
        if normalize_before:
            self.after_norm = LayerNorm(output_size)
        self.input_size = input_size
        self.attention_heads = attention_heads
        self.num_blocks = num_blocks

    def output_size(self) -> int:
        return self._output_size

    def layers(self) -> List[EncoderLayerSANM]:
        return list(self.encoders0) + list(self.encoders)

    def _add_overlap_chunk(self, feats: torch.Tensor, cache: dict) -> torch.Tensor:
        if len(cache) == 0:
            return feats
        window = torch.cat((cache["feats"], feats), dim=1)
        cache["feats"] = window[:, -(cache["chunk_size"][0] + cache["chunk_size"][2]):, :]
        return window

    def forward_chunk(self, xs_pad: torch.Tensor, ilens: torch.Tensor, cache: dict, **kwargs):
        """Upstream's chunk step over the dict cache of paraformer_streaming/model.py init_cache ("start_idx",
        "feats", "opt", "chunk_size", "encoder_chunk_look_back", "tail_chunk"). Returns the whole window
        (overlap + new frames) after after_norm, as upstream does; the caller keeps the newest ilens rows."""
        xs_pad = xs_pad * self.output_size() ** 0.5
        xs_pad = self.embed(xs_pad, cache)
        if cache["tail_chunk"]:
            xs_pad = cache["feats"]
        else:
            xs_pad = self._add_overlap_chunk(xs_pad, cache)
        new_cache = cache["opt"] if cache["opt"] is not None else [None] * (len(self.encoders0) + len(self.encoders))
        for index, layer in enumerate(self.layers()):
            xs_pad, new_cache[index] = layer.forward_chunk(xs_pad, new_cache[index], cache["chunk_size"],
                                                           cache["encoder_chunk_look_back"])
        if self.normalize_before:
            xs_pad = self.after_norm(xs_pad)
        if cache["encoder_chunk_look_back"] > 0 or cache["encoder_chunk_look_back"] == -1:
            cache["opt"] = new_cache
        return xs_pad, ilens, None


def init_encoder_cache(model: SANMEncoderChunkOpt) -> dict:
    """paraformer_streaming/model.py init_cache's "encoder" entry for chunk_size [0, 4, 5], look-back 4 (the
    CIF entries belong to the predictor and are left out)."""
    return {
        "start_idx": 0,
        "chunk_size": list(CHUNK_SIZE),
        "encoder_chunk_look_back": LOOK_BACK,
        "last_chunk": False,
        "opt": None,
        "feats": torch.zeros((1, OVERLAP, model.input_size)),
        "tail_chunk": False,
    }


# ---- the contract graph --------------------------------------------------------------------------------------

class Vq02EncoderWrapper(nn.Module):
    """CONTRACT.md "vq02 encoder": one chunk of SANMEncoderChunkOpt.forward_chunk with every piece of state an
    explicit tensor. forward(speech [1,T,560], left_context [1,5,560], start_index int64 [1],
    cache_k [L,1,16,H*D], cache_v [L,1,16,H*D]) -> (encoder_out [1,T,512], next_cache_k, next_cache_v,
    next_start_index int64 [1])."""

    def __init__(self, encoder: SANMEncoderChunkOpt):
        super().__init__()
        self.encoder = encoder
        self.rows = CACHE_ROWS
        self.overlap = OVERLAP
        self.stride = CHUNK_SIZE[2]

    def embed(self, frames: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """x * sqrt(output_size) + PE(position); frames [1, N, 560], positions float [N]."""
        scaled = frames * self.encoder.output_size() ** 0.5
        return scaled + StreamSinusoidalPositionEncoder.encode(positions, frames.size(2), frames.dtype)[None]

    def forward(self, speech, left_context, start_index, cache_k, cache_v):
        start = start_index.to(torch.float32)
        new_positions = start + torch.cumsum(torch.ones_like(speech[0, :, 0]), dim=0)
        offsets = torch.arange(-(self.overlap - 1), 1, dtype=torch.float32)
        context_positions = start + offsets
        context = self.embed(left_context, context_positions)
        # The reference's cache["feats"] starts as zeros after the embedding: rows before frame 1 stay zero.
        context = context * (context_positions >= 1.0).to(context.dtype)[None, :, None]
        x = torch.cat((context, self.embed(speech, new_positions)), dim=1)

        # Row j of the right-aligned cache exists once j >= rows - min(rows, start_index), i.e. j + start_index >= rows.
        hidden = (torch.arange(self.rows, dtype=torch.int64) + start_index) < self.rows
        heads, width = self.encoder.attention_heads, self.encoder.output_size()
        next_k, next_v = [], []
        for index, layer in enumerate(self.encoder.layers()):
            k = cache_k[index].reshape(1, self.rows, heads, -1).transpose(1, 2)
            v = cache_v[index].reshape(1, self.rows, heads, -1).transpose(1, 2)
            x, k, v = layer.forward_tensor_cache(x, k, v, hidden, self.stride)
            # Fixed shapes (all constants) so the graph's outputs carry the contract's fixed dimensions.
            next_k.append(k.transpose(1, 2).reshape(1, self.rows, width))
            next_v.append(v.transpose(1, 2).reshape(1, self.rows, width))
        if self.encoder.normalize_before:
            x = self.encoder.after_norm(x)
        encoder_out = x[:, self.overlap:, :].reshape(1, -1, width)
        steps = torch.ones_like(speech[0, :, 0], dtype=torch.int64).sum().reshape(1)
        return encoder_out, torch.stack(next_k), torch.stack(next_v), start_index + steps


class Vq02Session:
    """Drives the wrapper chunk by chunk the way the device does (left context, start index, caches)."""

    def __init__(self, wrapper: Vq02EncoderWrapper):
        encoder = wrapper.encoder
        layers = len(encoder.layers())
        width = encoder.output_size()
        self.wrapper = wrapper
        self.left_context = torch.zeros(1, OVERLAP, encoder.input_size)
        self.start_index = torch.zeros(1, dtype=torch.int64)
        self.cache_k = torch.zeros(layers, 1, CACHE_ROWS, width)
        self.cache_v = torch.zeros(layers, 1, CACHE_ROWS, width)

    def inputs(self, speech: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"speech": speech, "left_context": self.left_context.clone(), "start_index": self.start_index.clone(),
                "cache_k": self.cache_k.clone(), "cache_v": self.cache_v.clone()}

    def step(self, speech: torch.Tensor) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
        """speech [1, T, 560] -> (inputs, outputs) keyed by the ONNX names; advances the state."""
        inputs = self.inputs(speech)
        with torch.no_grad():
            out, k, v, nxt = self.wrapper(*[inputs[n] for n in INPUT_NAMES])
        outputs = {"encoder_out": out, "next_cache_k": k, "next_cache_v": v, "next_start_index": nxt}
        self.left_context = torch.cat((self.left_context, speech), dim=1)[:, -OVERLAP:, :]
        self.start_index, self.cache_k, self.cache_v = nxt, k, v
        return inputs, outputs


INPUT_NAMES = ["speech", "left_context", "start_index", "cache_k", "cache_v"]
OUTPUT_NAMES = ["encoder_out", "next_cache_k", "next_cache_v", "next_start_index"]


# ---- the module interface ------------------------------------------------------------------------------------

def build(size: str) -> SANMEncoderChunkOpt:
    if size not in CONFIGS:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(CONFIGS)}")
    return SANMEncoderChunkOpt(**CONFIGS[size]).eval()


def _weights_files(weights_dir: Path) -> Dict[str, Path]:
    """model.pt: weights_dir/model.pt, or weights_dir/<PARAFORMER_DIR>/model.pt (the Step-Audio-Tokenizer
    download as it comes). am.mvn: next to model.pt. linguistic_tokenizer.npy: weights_dir, or else the folder that holds
    dengcunqin/ (model.pt's parent's parent's parent: the Step-Audio-Tokenizer root)."""
    weights_dir = Path(weights_dir)
    model_pt = weights_dir / "model.pt"
    if not model_pt.is_file() and (weights_dir / PARAFORMER_DIR / "model.pt").is_file():
        model_pt = weights_dir / PARAFORMER_DIR / "model.pt"
    codebook = weights_dir / "linguistic_tokenizer.npy"
    if not codebook.is_file():
        codebook = model_pt.parent.parent.parent / "linguistic_tokenizer.npy"
    return {"model.pt": model_pt, "am.mvn": model_pt.parent / "am.mvn", "codebook": codebook}


def load_weights(model: SANMEncoderChunkOpt, weights_dir: Path) -> None:
    """Loads the encoder of the operator's Paraformer checkpoint: weights_dir/model.pt (or
    weights_dir/dengcunqin/speech_paraformer-large_asr_nat-zh-cantonese-en-16k-vocab8501-online/model.pt), its
    "encoder." keys strictly (decoder, predictor and ctc keys are ignored). The am.mvn next to model.pt and
    linguistic_tokenizer.npy are remembered on the model, and export() copies them unchanged."""
    files = _weights_files(weights_dir)
    state = common.read_checkpoint(files["model.pt"])
    encoder_state = common.sub_state(state, "encoder.")
    if not encoder_state:
        raise common.WeightsError(f"{files['model.pt']}: no 'encoder.' keys (is this the Paraformer model.pt?)")
    common.load_strict(model, encoder_state, f"{files['model.pt']} (encoder.*)")
    for name in ("am.mvn", "codebook"):
        if not files[name].is_file():
            raise common.WeightsError(f"{files[name]}: file not found (needed next to {files['model.pt']})")
    model._vq02_files = files


def random_cmvn(seed: int = 11) -> Tuple[np.ndarray, np.ndarray]:
    """A realistic CMVN for random exports: shift = -(mean of LFR fbank over a few synthetic clips), scale =
    1 / std, per bin, with a small deterministic jitter; so the encoder sees roughly unit-scale features."""
    import vq02_reference
    feats = []
    for clip in synthetic_clips(seed, [16000, 12000, 20000]):
        scaled = torch.from_numpy(clip) * (1 << 15)
        fbank = vq02_reference.kaldi_fbank(scaled[None, :])
        feats.append(fbank)
    fbank = torch.cat(feats, dim=0).double()
    mean = fbank.mean(dim=0).numpy()
    std = fbank.std(dim=0).clamp(min=1e-3).numpy()
    rng = np.random.RandomState(seed)
    mean = np.tile(mean, 7) + 0.05 * rng.randn(560)
    std = np.tile(std, 7) * (1.0 + 0.05 * rng.randn(560))
    return (-mean).astype(np.float32), (1.0 / std).astype(np.float32)


def synthetic_clips(seed: int, lengths: List[int]) -> List[np.ndarray]:
    """Deterministic tone + noise mixes in [-1, 1] (float32): a gliding harmonic tone, bursts of noise, a gap."""
    generator = torch.Generator().manual_seed(seed)
    clips = []
    for n in lengths:
        t = torch.arange(n, dtype=torch.float64) / 16000.0
        f0 = 120.0 + 80.0 * torch.rand(1, generator=generator, dtype=torch.float64)
        phase = 2 * math.pi * torch.cumsum(f0 * (1.0 + 0.2 * torch.sin(2 * math.pi * 0.9 * t)), 0) / 16000.0
        tone = sum(torch.sin(k * phase) / k for k in range(1, 8))
        envelope = 0.5 * (1.0 + torch.sin(2 * math.pi * 3.5 * t + 6.0 * torch.rand(1, generator=generator,
                                                                                     dtype=torch.float64)))
        noise = torch.randn(n, generator=generator, dtype=torch.float64) * (envelope < 0.3).double()
        x = 0.4 * tone * envelope + 0.2 * noise
        gap = int(torch.randint(0, max(1, n - 2000), (1,), generator=generator))
        x[gap:gap + 1600] = 0.0
        x = x / x.abs().max() * 0.9
        clips.append(x.float().numpy())
    return clips


def syllabic_clips(seed: int, lengths: List[int]) -> List[np.ndarray]:
    """Deterministic speech-like clips in [-1, 1] (float32): harmonics of a gliding f0 under a 3-6 Hz syllable
    envelope, noise bursts between syllables, silent gaps and a random gain."""
    rng = np.random.RandomState(seed)
    clips = []
    for n in lengths:
        t = np.arange(n) / 16000.0
        f0 = rng.uniform(90, 260) * (1 + 0.25 * np.sin(2 * np.pi * rng.uniform(0.3, 1.5) * t + rng.uniform(0, 6)))
        phase = 2 * np.pi * np.cumsum(f0) / 16000.0
        tilt = rng.uniform(0.5, 1.5)
        voiced = sum(np.sin(k * phase + rng.uniform(0, 6)) / k ** tilt for k in range(1, 16))
        envelope = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 6)))
        noise = rng.randn(n) * (envelope < rng.uniform(0.1, 0.4))
        x = voiced * envelope + rng.uniform(0.1, 0.6) * noise
        for _ in range(max(1, n // 16000)):
            start = rng.randint(0, max(1, n - 3200))
            x[start:start + rng.randint(800, 4000)] *= rng.uniform(0.0, 0.05)
        x = x / (np.abs(x).max() + 1e-9) * rng.uniform(0.1, 0.9)
        clips.append(x.astype(np.float32))
    return clips


def _cmvn(model) -> Tuple[np.ndarray, np.ndarray]:
    if getattr(model, "_vq02_cmvn", None) is None:
        model._vq02_cmvn = random_cmvn()
    return model._vq02_cmvn


def cmvn_of(model, layout: common.Layout) -> Tuple[np.ndarray, np.ndarray]:
    """(shift, scale), float32 (560,), as written to layout's vq02/am.mvn by export()."""
    import vq02_reference
    return vq02_reference.read_am_mvn(layout.path("vq02/am.mvn"))


def _features(model, clip: np.ndarray) -> List[torch.Tensor]:
    """The encoder-input chunks ([1, T, 560] each) of one clip, through the reference front-end."""
    import vq02_reference
    shift, scale = _cmvn(model)
    result = vq02_reference.vq02_reference(model, shift, scale, None, clip)
    return [torch.from_numpy(c)[None] for c in result["feature_chunks"]]


def random_codebook(model, seed: int = 13) -> np.ndarray:
    """(1024, 512) float32 centroids the model's outputs actually spread over: encoder_out rows of a few
    synthetic tone/noise and speech-like clips, energy-normalised (the wrapper run chunk by chunk), each centroid a random mix of two rows (weights 1-a, a with
    a in [0, 0.5)) plus noise at 10% of the rows' spread, so that centroids are distinct and tokens vary."""
    import vq02_reference
    wrapper = Vq02EncoderWrapper(model).eval()
    rows = []
    pool = synthetic_clips(seed, [32000, 24000]) + syllabic_clips(seed, [48000, 40000, 32000, 40000, 24000])
    for clip in (vq02_reference.energy_norm(c) for c in pool):
        session = Vq02Session(wrapper)
        for chunk in _features(model, clip):
            rows.append(session.step(chunk)[1]["encoder_out"][0])
    rows = torch.cat(rows, dim=0).double()
    generator = torch.Generator().manual_seed(seed)
    first = torch.randint(0, rows.size(0), (1024,), generator=generator)
    second = torch.randint(0, rows.size(0), (1024,), generator=generator)
    a = 0.5 * torch.rand(1024, 1, generator=generator, dtype=torch.float64)
    spread = rows.std(dim=0).mean()
    noise = 0.1 * spread * torch.randn(1024, rows.size(1), generator=generator, dtype=torch.float64)
    centroids = (1 - a) * rows[first] + a * rows[second] + noise
    return np.ascontiguousarray(centroids.float().numpy())


def _fix_output_shapes(path: Path, shapes: Dict[str, list]) -> None:
    """Declares the contract's output shapes in the graph (torch 1.13's shape inference leaves some of the
    fixed dimensions symbolic); the values the graph computes already have these shapes."""
    import onnx
    graph_model = onnx.load(str(path))
    for output in graph_model.graph.output:
        if output.name not in shapes:
            continue
        dims = output.type.tensor_type.shape.dim
        if len(dims) != len(shapes[output.name]):
            raise RuntimeError(f"{path}: {output.name} has rank {len(dims)}, the contract says {shapes[output.name]}")
        for dim, want in zip(dims, shapes[output.name]):
            if isinstance(want, str):
                dim.dim_param = want
            else:
                dim.dim_value = want
    onnx.save(graph_model, str(path))
    onnx.checker.check_model(str(path))


def export(model: SANMEncoderChunkOpt, layout: common.Layout, refs: common.References) -> None:
    """vq02/encoder.onnx (the wrapper), vq02/am.mvn and vq02/linguistic_tokenizer.npy (the operator's files
    copied unchanged after load_weights, else realistic random ones), and the reference cases
    vq02_encoder.0/.1/.2 (three consecutive chunks of one clip from session start: T = 4, 4 and the final
    piece's count) and vq02_encoder_late (a chunk with a full 16-row cache, start_index 20)."""
    import vq02_reference
    model.eval()
    files = getattr(model, "_vq02_files", None)
    mvn_path = layout.path("vq02/am.mvn")
    codebook_path = layout.path("vq02/linguistic_tokenizer.npy")
    if files is not None:
        shutil.copyfile(files["am.mvn"], mvn_path)
        shutil.copyfile(files["codebook"], codebook_path)
        model._vq02_cmvn = vq02_reference.read_am_mvn(mvn_path)
    else:
        shift, scale = _cmvn(model)
        vq02_reference.write_am_mvn(mvn_path, shift, scale)
        model._vq02_cmvn = vq02_reference.read_am_mvn(mvn_path)  # exactly what the file says
        np.save(codebook_path, random_codebook(model))

    wrapper = Vq02EncoderWrapper(model).eval()
    layers, width = len(model.layers()), model.output_size()
    dummy = (torch.zeros(1, 4, model.input_size), torch.zeros(1, OVERLAP, model.input_size),
             torch.zeros(1, dtype=torch.int64), torch.zeros(layers, 1, CACHE_ROWS, width),
             torch.zeros(layers, 1, CACHE_ROWS, width))
    onnx_path = layout.path("vq02/encoder.onnx")
    common.export_onnx(wrapper, dummy, onnx_path, INPUT_NAMES, OUTPUT_NAMES,
                       dynamic_axes={"speech": {1: "T"}, "encoder_out": {1: "T"}})
    _fix_output_shapes(onnx_path, {"encoder_out": [1, "T", width], "next_cache_k": [layers, 1, CACHE_ROWS, width],
                                   "next_cache_v": [layers, 1, CACHE_ROWS, width], "next_start_index": [1]})

    # Three consecutive chunks: 2 whole pieces and a final piece of 2500 samples (T = 4, 4, then 3).
    clip = synthetic_clips(21, [2 * 3840 + 2500])[0]
    chunks = _features(model, vq02_reference.energy_norm(clip))
    session = Vq02Session(wrapper)
    for index, chunk in enumerate(chunks[:3]):
        inputs, outputs = session.step(chunk)
        refs.case(f"vq02_encoder.{index}", "vq02/encoder.onnx", inputs=inputs, outputs=outputs, atol=1e-4)
    # A later chunk: the cache is full (start_index 20 > 16), so trimming and the unmasked cache are exercised.
    clip = synthetic_clips(22, [6 * 3840 + 2000])[0]
    session = Vq02Session(wrapper)
    for index, chunk in enumerate(_features(model, vq02_reference.energy_norm(clip))[:6]):
        inputs, outputs = session.step(chunk)
    refs.case("vq02_encoder_late", "vq02/encoder.onnx", inputs=inputs, outputs=outputs, atol=1e-4)


def compare_with_upstream(model, clip: np.ndarray) -> Dict[str, float]:
    """The wrapper chunk by chunk against upstream's dict-cache path (vq02_reference) on one clip's features."""
    import vq02_reference
    shift, scale = _cmvn(model)
    reference = vq02_reference.vq02_reference(model, shift, scale, None, clip)
    session = Vq02Session(Vq02EncoderWrapper(model).eval())
    rows = [session.step(torch.from_numpy(c)[None])[1]["encoder_out"][0] for c in reference["feature_chunks"]]
    ours = torch.cat(rows, dim=0).numpy() if rows else np.zeros((0, model.output_size()), np.float32)
    diff = float(np.abs(ours - reference["encoder_out"]).max()) if len(ours) else 0.0
    return {"samples": int(len(clip)), "rows": int(len(ours)), "reference_rows": int(len(reference["encoder_out"])),
            "max_abs_diff": diff}


def parity_checks(model) -> Dict[str, object]:
    """Torch-side check written to parity.json: the wrapper (the exported computation) run chunk by chunk equals
    upstream's forward_chunk loop (vq02_reference) on a few synthetic utterances; max |diff| of encoder_out."""
    lengths = [3840 * 2 + 880, 3840 * 6 + 400, 3840 * 5]
    results = [compare_with_upstream(model, c) for c in synthetic_clips(31, lengths)]
    worst = max(r["max_abs_diff"] for r in results)
    return {"clips": results, "max_abs_diff": worst, "ok": bool(worst < 1e-4 and
                                                                 all(r["rows"] == r["reference_rows"] for r in results))}
