"""CAM++, the speaker-embedding network CosyVoice conditions its flow on.

Follows funasr_detach/models/campplus/model.py (CAMPPlus) and components.py (FCM, BasicResBlock, TDNNLayer,
CAMDenseTDNNBlock with CAMLayer, TransitLayer, StatsPool, DenseLayer), the 3D-Speaker network the published
campplus.onnx was exported from. Module names follow upstream's, so a CAM++ checkpoint loads strictly.

CosyVoice's front-end (cosyvoice/cli/frontend.py, _extract_spk_embedding) feeds it 80-bin Kaldi fbank of the 16 kHz
prompt (dither 0, samples in [-1, 1]) with the mean over time subtracted: input [1, T, 80], output [1, 192].
"""
from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

import common

ONNX_PATH = "vocoder/v1/campplus.onnx"

CONFIGS = {
    # The template's network: FCM head (32 channels, two stages of two residual blocks), dense TDNN blocks of
    # 12, 24 and 16 layers (growth 32, bottleneck 4x), a 192-d segment embedding.
    "full": dict(feat_dim=80, embedding_size=192, growth_rate=32, bn_size=4, init_channels=128,
                 block_layers=(12, 24, 16), head_channels=32),
    "tiny": dict(feat_dim=80, embedding_size=192, growth_rate=8, bn_size=2, init_channels=32,
                 block_layers=(2, 2, 2), head_channels=8),
}


def _nonlinear(config: str, channels: int) -> torch.nn.Sequential:
    """get_nonlinear: a Sequential named by its parts ('batchnorm', 'relu', 'batchnorm_' without affine)."""
    layers = torch.nn.Sequential()
    for part in config.split("-"):
        if part == "relu":
            layers.add_module("relu", torch.nn.ReLU())
        elif part == "batchnorm":
            layers.add_module("batchnorm", torch.nn.BatchNorm1d(channels))
        elif part == "batchnorm_":
            layers.add_module("batchnorm", torch.nn.BatchNorm1d(channels, affine=False))
        else:
            raise ValueError(f"unknown nonlinearity '{part}'")
    return layers


class BasicResBlock(torch.nn.Module):
    """Two 3x3 convolutions with batch norm and a projected shortcut when the shape changes (stride on frequency)."""

    def __init__(self, in_planes: int, planes: int, stride: int):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(planes)
        self.conv2 = torch.nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(planes)
        self.shortcut = torch.nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = torch.nn.Sequential(
                torch.nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False), torch.nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class FCM(torch.nn.Module):
    """The 2-D convolutional front: frequency is downsampled by 8 and folded into the channels."""

    def __init__(self, m_channels: int = 32, feat_dim: int = 80):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, m_channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(m_channels)
        self.layer1 = torch.nn.Sequential(BasicResBlock(m_channels, m_channels, 2), BasicResBlock(m_channels, m_channels, 1))
        self.layer2 = torch.nn.Sequential(BasicResBlock(m_channels, m_channels, 2), BasicResBlock(m_channels, m_channels, 1))
        self.conv2 = torch.nn.Conv2d(m_channels, m_channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(m_channels)
        self.out_channels = m_channels * (feat_dim // 8)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        y = F.relu(self.bn2(self.conv2(self.layer2(self.layer1(y)))))
        return y.reshape(y.shape[0], y.shape[1] * y.shape[2], y.shape[3])


class TDNNLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, dilation=1):
        super().__init__()
        padding = (kernel_size - 1) // 2 * dilation
        self.linear = torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                                      dilation=dilation, bias=False)
        self.nonlinear = _nonlinear("batchnorm-relu", out_channels)

    def forward(self, x):
        return self.nonlinear(self.linear(x))


class CAMLayer(torch.nn.Module):
    """Context-aware masking: a local convolution scaled by a gate from the utterance mean plus 100-frame segment means."""

    SEGMENT = 100

    def __init__(self, bn_channels, out_channels, kernel_size, padding, dilation, reduction=2):
        super().__init__()
        self.linear_local = torch.nn.Conv1d(bn_channels, out_channels, kernel_size, padding=padding, dilation=dilation, bias=False)
        self.linear1 = torch.nn.Conv1d(bn_channels, bn_channels // reduction, 1)
        self.relu = torch.nn.ReLU()
        self.linear2 = torch.nn.Conv1d(bn_channels // reduction, out_channels, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        local = self.linear_local(x)
        # Each frame's segment mean: average pools of 100 frames (the last one partial), repeated over their frames.
        segments = F.avg_pool1d(x, kernel_size=self.SEGMENT, stride=self.SEGMENT, ceil_mode=True)
        repeated = segments.unsqueeze(-1).expand(*segments.shape, self.SEGMENT).reshape(segments.shape[0], segments.shape[1], -1)
        context = x.mean(-1, keepdim=True) + repeated[..., : x.shape[-1]]
        gate = self.sigmoid(self.linear2(self.relu(self.linear1(context))))
        return local * gate


class CAMDenseTDNNLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels, bn_channels, kernel_size, dilation):
        super().__init__()
        self.nonlinear1 = _nonlinear("batchnorm-relu", in_channels)
        self.linear1 = torch.nn.Conv1d(in_channels, bn_channels, 1, bias=False)
        self.nonlinear2 = _nonlinear("batchnorm-relu", bn_channels)
        self.cam_layer = CAMLayer(bn_channels, out_channels, kernel_size, (kernel_size - 1) // 2 * dilation, dilation)

    def forward(self, x):
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class CAMDenseTDNNBlock(torch.nn.ModuleList):
    """Densely connected: every layer sees the block input and every earlier layer's output."""

    def __init__(self, num_layers, in_channels, out_channels, bn_channels, kernel_size, dilation):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"tdnnd{i + 1}", CAMDenseTDNNLayer(in_channels + i * out_channels, out_channels, bn_channels, kernel_size, dilation))

    def forward(self, x):
        for layer in self:
            x = torch.cat([x, layer(x)], dim=1)
        return x


class TransitLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.nonlinear = _nonlinear("batchnorm-relu", in_channels)
        self.linear = torch.nn.Conv1d(in_channels, out_channels, 1, bias=False)

    def forward(self, x):
        return self.linear(self.nonlinear(x))


class StatsPool(torch.nn.Module):
    """Mean and unbiased standard deviation over time, concatenated."""

    def forward(self, x):
        return torch.cat([x.mean(dim=-1), x.std(dim=-1, unbiased=True)], dim=-1)


class DenseLayer(torch.nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.linear = torch.nn.Conv1d(in_channels, out_channels, 1, bias=False)
        self.nonlinear = _nonlinear("batchnorm_", out_channels)

    def forward(self, x):
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CAMPPlus(torch.nn.Module):
    """fbank [B, T, 80] -> embedding [B, 192]."""

    def __init__(self, feat_dim=80, embedding_size=192, growth_rate=32, bn_size=4, init_channels=128,
                 block_layers=(12, 24, 16), head_channels=32):
        super().__init__()
        self.head = FCM(m_channels=head_channels, feat_dim=feat_dim)
        channels = self.head.out_channels
        self.xvector = torch.nn.Sequential(OrderedDict([("tdnn", TDNNLayer(channels, init_channels, 5, stride=2))]))
        channels = init_channels
        for i, (layers, dilation) in enumerate(zip(block_layers, (1, 2, 2))):
            self.xvector.add_module(f"block{i + 1}", CAMDenseTDNNBlock(layers, channels, growth_rate, bn_size * growth_rate, 3, dilation))
            channels += layers * growth_rate
            self.xvector.add_module(f"transit{i + 1}", TransitLayer(channels, channels // 2))
            channels //= 2
        self.xvector.add_module("out_nonlinear", _nonlinear("batchnorm-relu", channels))
        self.xvector.add_module("stats", StatsPool())
        self.xvector.add_module("dense", DenseLayer(channels * 2, embedding_size))

    def forward(self, x):
        return self.xvector(self.head(x.permute(0, 2, 1)))


def build(size: str) -> torch.nn.Module:
    return CAMPPlus(**CONFIGS[size]).eval()


def load_weights(model: torch.nn.Module, weights_dir: Path) -> None:
    """The operator ships CosyVoice's campplus.onnx, which the device runs as published: it is copied unchanged.
    A torch checkpoint (campplus.pt or 3D-Speaker's campplus_cn_common.bin) beside it is loaded strictly too, so
    the reference vectors come from the real weights."""
    onnx_file = weights_dir / "campplus.onnx"
    if not onnx_file.is_file():
        raise common.WeightsError(f"{onnx_file}: file not found (CosyVoice-300M-25Hz ships campplus.onnx)")
    model.published_onnx = onnx_file
    for name in ("campplus.pt", "campplus_cn_common.bin"):
        if (weights_dir / name).is_file():
            common.load_strict(model, common.read_checkpoint(weights_dir / name), str(weights_dir / name))
            return


def kaldi_fbank(samples_16k: np.ndarray) -> torch.Tensor:
    """_extract_spk_embedding's features: kaldi.fbank(num_mel_bins=80, dither=0, sample_frequency=16000)."""
    wav = torch.from_numpy(np.asarray(samples_16k, dtype=np.float32))[None, :]
    return torchaudio.compliance.kaldi.fbank(wav, num_mel_bins=80, dither=0, sample_frequency=16000)


def campplus_reference(model: torch.nn.Module, samples_16k: np.ndarray) -> dict:
    """The fbank (before the mean is subtracted) and the embedding CosyVoice computes for a 16 kHz prompt."""
    feat = kaldi_fbank(samples_16k)
    with torch.no_grad():
        embedding = model((feat - feat.mean(dim=0, keepdim=True))[None])[0]
    return {"fbank": feat.numpy(), "embedding": embedding.numpy()}


def export(model: torch.nn.Module, layout: common.Layout, refs: common.References) -> None:
    path = layout.path(ONNX_PATH)
    published = getattr(model, "published_onnx", None)
    if published is not None:
        shutil.copyfile(published, path)
    else:
        example = torch.randn(1, 230, 80, generator=torch.Generator().manual_seed(21))
        common.export_onnx(model, (example,), path, input_names=["input"], output_names=["output"],
                           dynamic_axes={"input": {1: "T"}})
    # A prompt-like input: the fbank of a speech-like clip, mean subtracted, 2.3 s (two partial 100-frame segments).
    import pipeline_reference
    feat = kaldi_fbank(pipeline_reference.speech_like(37000, seed=31))
    x = (feat - feat.mean(dim=0, keepdim=True))[None].contiguous()
    with torch.no_grad():
        refs.case("campplus", ONNX_PATH, inputs={"input": x}, outputs={"output": model(x)}, atol=1e-4)
