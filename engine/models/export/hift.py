"""CosyVoice's HiFT vocoder (HiFTGenerator at 22.05 kHz, the CosyVoice-300M-25Hz `hift.pt`), rebuilt for export.

Follows cosyvoice/hifigan/generator.py (HiFTGenerator, ResBlock, SineGen, SourceModuleHnNSF),
cosyvoice/hifigan/f0_predictor.py (ConvRNNF0Predictor), cosyvoice/transformer/activation.py (Snake) and
cosyvoice/utils/common.py (get_padding, init_weights) of Step-Audio's tree. Module and attribute names are upstream's,
so the operator's `hift.pt` (weight-normed convolutions: `weight_g` / `weight_v` pairs) loads with strict=True.

What is exported (vocoder/v1/hift.onnx, engine/models/CONTRACT.md "Models"):

    mel [1, 80, T], cache_source [1, 1, S]  ->  pcm [1, T*256], source [1, 1, T*256]

The graph is `HiFTExport`: the same arithmetic as HiFTGenerator.forward (the path that honours cache_source), with
  * the weight norm folded into plain weights,
  * SineGen's random initial phases and both noise terms set to ZERO (deterministic, so that a streamed run and a
    whole run of the graph can be compared sample for sample),
  * the per-sample phase accumulation (cumsum of f0 / sr) done in float64 inside the graph, so that ONNX Runtime's
    CPU and CUDA CumSum (sequential vs. parallel scan) agree with torch to float32 rounding,
  * f0 upsampling (nn.Upsample nearest, x256) as expand + reshape,
  * torch.stft / torch.istft (n_fft 16, hop 4, periodic Hann, center=True, reflect padding) written as a reflect Pad +
    Conv1d and a ConvTranspose1d with fixed DFT kernels, including istft's window-sum-square normalisation and the
    n_fft // 2 trim at both ends,
  * `s[:, :, :S] = cache_source` written as Concat(cache_source, s[:, :, S:]), valid for S = 0 .. T*256.

Public functions: CONFIGS, build, load_weights, export (the common four), plus
    export_module(model) -> HiFTExport
    hift_reference(model, mel) -> np.ndarray                  # whole utterance, eager, the exported arithmetic
    parity_checks(model) -> dict                              # torch-side checks recorded in parity.json
    realistic_random_(model, seed) -> model                   # common.randomize_ + rescaling (see its docstring)
"""
from __future__ import annotations

import copy
import math
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import remove_weight_norm, weight_norm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ONNX_PATH = "vocoder/v1/hift.onnx"

_FULL = dict(
    in_channels=80,
    base_channels=512,
    nb_harmonics=8,
    sampling_rate=22050,
    nsf_alpha=0.1,
    nsf_sigma=0.003,
    nsf_voiced_threshold=10.0,
    upsample_rates=[8, 8],
    upsample_kernel_sizes=[16, 16],
    istft_params={"n_fft": 16, "hop_len": 4},
    resblock_kernel_sizes=[3, 7, 11],
    resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    source_resblock_kernel_sizes=[7, 11],
    source_resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]],
    lrelu_slope=0.1,
    audio_limit=0.99,
    f0_predictor={"num_class": 1, "in_channels": 80, "cond_channels": 512},
)

CONFIGS = {
    "tiny": dict(_FULL, base_channels=32, resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]],
                 f0_predictor={"num_class": 1, "in_channels": 80, "cond_channels": 32}),
    "full": dict(_FULL),
}


def get_padding(kernel_size: int, dilation: int = 1) -> int:
    """Follows cosyvoice/utils/common.py, get_padding: 'same' padding of a dilated odd kernel."""
    return (kernel_size * dilation - dilation) // 2


def init_weights(m: nn.Module, mean: float = 0.0, std: float = 0.01) -> None:
    """Follows cosyvoice/utils/common.py, init_weights: small normal init of convolution weights."""
    if "Conv" in type(m).__name__:
        m.weight.data.normal_(mean, std)


class Snake(nn.Module):
    """Follows cosyvoice/transformer/activation.py, Snake: x + 1/(alpha + 1e-9) * sin(alpha * x)^2 per channel."""

    def __init__(self, in_features: int, alpha: float = 1.0, alpha_trainable: bool = True,
                 alpha_logscale: bool = False):
        super().__init__()
        self.in_features = in_features
        self.alpha_logscale = alpha_logscale
        start = torch.zeros(in_features) if alpha_logscale else torch.ones(in_features) * alpha
        self.alpha = nn.Parameter(start)
        self.alpha.requires_grad = alpha_trainable
        self.no_div_by_zero = 0.000000001

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.alpha[None, :, None]
        if self.alpha_logscale:
            a = torch.exp(a)
        return x + (1.0 / (a + self.no_div_by_zero)) * torch.pow(torch.sin(x * a), 2)


class ResBlock(nn.Module):
    """Follows cosyvoice/hifigan/generator.py, ResBlock: per dilation, Snake -> dilated conv -> Snake -> conv,
    residual. Convolutions are weight-normed as upstream's."""

    def __init__(self, channels: int = 512, kernel_size: int = 3, dilations: List[int] = (1, 3, 5)):
        super().__init__()
        self.convs1 = nn.ModuleList([
            weight_norm(nn.Conv1d(channels, channels, kernel_size, 1, dilation=d, padding=get_padding(kernel_size, d)))
            for d in dilations])
        self.convs2 = nn.ModuleList([
            weight_norm(nn.Conv1d(channels, channels, kernel_size, 1, dilation=1, padding=get_padding(kernel_size, 1)))
            for _ in dilations])
        self.convs1.apply(init_weights)
        self.convs2.apply(init_weights)
        self.activations1 = nn.ModuleList([Snake(channels, alpha_logscale=False) for _ in dilations])
        self.activations2 = nn.ModuleList([Snake(channels, alpha_logscale=False) for _ in dilations])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv1, conv2, act1, act2 in zip(self.convs1, self.convs2, self.activations1, self.activations2):
            x = conv2(act2(conv1(act1(x)))) + x
        return x


class SineGen(nn.Module):
    """Follows cosyvoice/hifigan/generator.py, SineGen: harmonics 1..harmonic_num+1 of f0 as sines of the
    accumulated phase, zeroed where f0 <= voiced_threshold, plus Gaussian noise.

    deterministic=False draws upstream's random initial phases (harmonic 0 keeps phase 0) and noise;
    deterministic=True uses phase zero for every harmonic and no noise (what the exported graph computes).
    phase_dtype is the dtype of the cumulative phase sum (upstream: the input's float32)."""

    def __init__(self, samp_rate: int, harmonic_num: int = 0, sine_amp: float = 0.1, noise_std: float = 0.003,
                 voiced_threshold: float = 0):
        super().__init__()
        self.sine_amp = sine_amp
        self.noise_std = noise_std
        self.harmonic_num = harmonic_num
        self.sampling_rate = samp_rate
        self.voiced_threshold = voiced_threshold

    def _f02uv(self, f0: torch.Tensor) -> torch.Tensor:
        return (f0 > self.voiced_threshold).type(torch.float32)

    def harmonic_phase(self, f0: torch.Tensor, phase_dtype: Optional[torch.dtype] = None) -> torch.Tensor:
        """2*pi*(cumsum(f0 * k / sr) % 1) for k = 1..harmonic_num+1; f0 [B, 1, L] -> [B, harmonic_num+1, L]."""
        multiples = torch.arange(1, self.harmonic_num + 2, dtype=f0.dtype, device=f0.device)[None, :, None]
        cycles = f0 * multiples / self.sampling_rate
        if phase_dtype is not None and phase_dtype != cycles.dtype:
            wrapped = (torch.cumsum(cycles.to(phase_dtype), dim=-1) % 1).to(f0.dtype)
        else:
            wrapped = torch.cumsum(cycles, dim=-1) % 1
        return 2 * np.pi * wrapped

    @torch.no_grad()
    def forward(self, f0: torch.Tensor, deterministic: bool = False, phase_dtype: Optional[torch.dtype] = None):
        theta = self.harmonic_phase(f0, phase_dtype)
        uv = self._f02uv(f0)
        if deterministic:
            sine_waves = self.sine_amp * torch.sin(theta) * uv
            return sine_waves, uv, torch.zeros_like(sine_waves)
        phase = (torch.rand(f0.size(0), self.harmonic_num + 1, 1, device=f0.device) * 2 - 1) * np.pi
        phase[:, 0, :] = 0
        sine_waves = self.sine_amp * torch.sin(theta + phase)
        noise_amp = uv * self.noise_std + (1 - uv) * self.sine_amp / 3
        noise = noise_amp * torch.randn_like(sine_waves)
        return sine_waves * uv + noise, uv, noise


class SourceModuleHnNSF(nn.Module):
    """Follows cosyvoice/hifigan/generator.py, SourceModuleHnNSF: SineGen's harmonics merged by a Linear and tanh
    into one excitation; f0 [B, L, 1] -> (sine_merge [B, L, 1], noise [B, L, 1], uv [B, L, 1])."""

    def __init__(self, sampling_rate: int, upsample_scale: int, harmonic_num: int = 0, sine_amp: float = 0.1,
                 add_noise_std: float = 0.003, voiced_threshod: float = 0):
        super().__init__()
        self.sine_amp = sine_amp
        self.noise_std = add_noise_std
        self.l_sin_gen = SineGen(sampling_rate, harmonic_num, sine_amp, add_noise_std, voiced_threshod)
        self.l_linear = nn.Linear(harmonic_num + 1, 1)
        self.l_tanh = nn.Tanh()

    def forward(self, x: torch.Tensor, deterministic: bool = False, phase_dtype: Optional[torch.dtype] = None):
        with torch.no_grad():
            sines, uv, _ = self.l_sin_gen(x.transpose(1, 2), deterministic, phase_dtype)
            sines = sines.transpose(1, 2)
            uv = uv.transpose(1, 2)
        sine_merge = self.l_tanh(self.l_linear(sines))
        noise = torch.zeros_like(uv) if deterministic else torch.randn_like(uv) * self.sine_amp / 3
        return sine_merge, noise, uv


class ConvRNNF0Predictor(nn.Module):
    """Follows cosyvoice/hifigan/f0_predictor.py, ConvRNNF0Predictor: five weight-normed k3 convs with ELU, a
    Linear to num_class, abs. mel [B, 80, T] -> f0 [B, T] (Hz)."""

    def __init__(self, num_class: int = 1, in_channels: int = 80, cond_channels: int = 512):
        super().__init__()
        self.num_class = num_class
        layers: List[nn.Module] = []
        for i in range(5):
            layers.append(weight_norm(nn.Conv1d(in_channels if i == 0 else cond_channels, cond_channels,
                                                kernel_size=3, padding=1)))
            layers.append(nn.ELU())
        self.condnet = nn.Sequential(*layers)
        self.classifier = nn.Linear(in_features=cond_channels, out_features=num_class)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.condnet(x).transpose(1, 2)
        return torch.abs(self.classifier(x).squeeze(-1))


class HiFTGenerator(nn.Module):
    """Follows cosyvoice/hifigan/generator.py, HiFTGenerator (Neural Source Filter + iSTFTNet).

    forward(x, cache_source) is upstream's forward (the path that applies cache_source). inference(mel,
    cache_source) runs the same path: Step-Audio's own inference() accepts cache_source but never applies it (and
    pads to captured CUDA-graph lengths when capture_inference() ran, which Step-Audio never calls); CosyVoice's
    inference(), which CONTRACT.md names, does apply it. deterministic=True in both gives SineGen zero
    phases and zero noise. Both use torch.stft / torch.istft: the eager reference for the exported HiFTExport."""

    def __init__(self, in_channels: int = 80, base_channels: int = 512, nb_harmonics: int = 8,
                 sampling_rate: int = 22050, nsf_alpha: float = 0.1, nsf_sigma: float = 0.003,
                 nsf_voiced_threshold: float = 10, upsample_rates: List[int] = (8, 8),
                 upsample_kernel_sizes: List[int] = (16, 16), istft_params: Optional[Dict[str, int]] = None,
                 resblock_kernel_sizes: List[int] = (3, 7, 11),
                 resblock_dilation_sizes: List[List[int]] = ((1, 3, 5), (1, 3, 5), (1, 3, 5)),
                 source_resblock_kernel_sizes: List[int] = (7, 11),
                 source_resblock_dilation_sizes: List[List[int]] = ((1, 3, 5), (1, 3, 5)),
                 lrelu_slope: float = 0.1, audio_limit: float = 0.99, f0_predictor: Optional[nn.Module] = None):
        super().__init__()
        istft_params = dict(istft_params or {"n_fft": 16, "hop_len": 4})
        upsample_rates = list(upsample_rates)
        self.out_channels = 1
        self.nb_harmonics = nb_harmonics
        self.sampling_rate = sampling_rate
        self.istft_params = istft_params
        self.lrelu_slope = lrelu_slope
        self.audio_limit = audio_limit
        self.num_kernels = len(resblock_kernel_sizes)
        self.num_upsamples = len(upsample_rates)
        self.upsample_rates = upsample_rates
        self.upsample_scale = int(np.prod(upsample_rates)) * istft_params["hop_len"]

        self.m_source = SourceModuleHnNSF(sampling_rate=sampling_rate, upsample_scale=self.upsample_scale,
                                          harmonic_num=nb_harmonics, sine_amp=nsf_alpha, add_noise_std=nsf_sigma,
                                          voiced_threshod=nsf_voiced_threshold)
        self.f0_upsamp = nn.Upsample(scale_factor=self.upsample_scale)
        self.conv_pre = weight_norm(nn.Conv1d(in_channels, base_channels, 7, 1, padding=3))

        self.ups = nn.ModuleList()
        for i, (u, k) in enumerate(zip(upsample_rates, upsample_kernel_sizes)):
            self.ups.append(weight_norm(nn.ConvTranspose1d(base_channels // (2 ** i), base_channels // (2 ** (i + 1)),
                                                           k, u, padding=(k - u) // 2)))

        n_bins = istft_params["n_fft"] + 2
        self.source_downs = nn.ModuleList()
        self.source_resblocks = nn.ModuleList()
        # The source enters after each upsampling: at the last stage at full frame rate, earlier ones strided down.
        cumulative = np.cumprod([1] + upsample_rates[::-1][:-1])[::-1]
        for i, (u, k, d) in enumerate(zip(cumulative, source_resblock_kernel_sizes, source_resblock_dilation_sizes)):
            ch = base_channels // (2 ** (i + 1))
            u = int(u)
            if u == 1:
                self.source_downs.append(nn.Conv1d(n_bins, ch, 1, 1))
            else:
                self.source_downs.append(nn.Conv1d(n_bins, ch, u * 2, u, padding=u // 2))
            self.source_resblocks.append(ResBlock(ch, k, d))

        self.resblocks = nn.ModuleList()
        for i in range(len(self.ups)):
            ch = base_channels // (2 ** (i + 1))
            for k, d in zip(resblock_kernel_sizes, resblock_dilation_sizes):
                self.resblocks.append(ResBlock(ch, k, d))

        self.conv_post = weight_norm(nn.Conv1d(ch, n_bins, 7, 1, padding=3))
        self.ups.apply(init_weights)
        self.conv_post.apply(init_weights)
        self.reflection_pad = nn.ReflectionPad1d((1, 0))
        # Upstream keeps the window as a plain (CUDA) attribute; a non-persistent buffer keeps it out of the
        # state dict just the same.
        window = torch.hann_window(istft_params["n_fft"], periodic=True, dtype=torch.float64).float()
        self.register_buffer("stft_window", window, persistent=False)
        self.f0_predictor = f0_predictor

    # --- upstream's building blocks -------------------------------------------------------------------------
    def _f02source(self, f0: torch.Tensor, deterministic: bool = False,
                   phase_dtype: Optional[torch.dtype] = None) -> torch.Tensor:
        f0 = self.f0_upsamp(f0[:, None]).transpose(1, 2)
        har_source, _, _ = self.m_source(f0, deterministic, phase_dtype)
        return har_source.transpose(1, 2)

    def _stft(self, x: torch.Tensor):
        n_fft, hop = self.istft_params["n_fft"], self.istft_params["hop_len"]
        spec = torch.view_as_real(torch.stft(x, n_fft, hop, n_fft, window=self.stft_window, return_complex=True))
        return spec[..., 0], spec[..., 1]

    def _istft(self, magnitude: torch.Tensor, phase: torch.Tensor) -> torch.Tensor:
        n_fft, hop = self.istft_params["n_fft"], self.istft_params["hop_len"]
        magnitude = torch.clip(magnitude, max=1e2)
        spec = torch.complex(magnitude * torch.cos(phase), magnitude * torch.sin(phase))
        return torch.istft(spec, n_fft, hop, n_fft, window=self.stft_window)

    def decode_spec(self, x: torch.Tensor, s_stft: torch.Tensor):
        """Upstream's _inference_impl: mel + source STFT -> (magnitude, phase) of the output STFT."""
        x = self.conv_pre(x)
        for i in range(self.num_upsamples):
            x = F.leaky_relu(x, self.lrelu_slope)
            x = self.ups[i](x)
            if i == self.num_upsamples - 1:
                x = self.reflection_pad(x)
            x = x + self.source_resblocks[i](self.source_downs[i](s_stft))
            xs = None
            for j in range(self.num_kernels):
                y = self.resblocks[i * self.num_kernels + j](x)
                xs = y if xs is None else xs + y
            x = xs / self.num_kernels
        x = F.leaky_relu(x)  # upstream: default slope 0.01 here, not lrelu_slope
        x = self.conv_post(x)
        half = self.istft_params["n_fft"] // 2 + 1
        return torch.exp(x[:, :half, :]), torch.sin(x[:, half:, :])

    def forward(self, x: torch.Tensor, cache_source: Optional[torch.Tensor] = None, deterministic: bool = False,
                phase_dtype: Optional[torch.dtype] = None):
        f0 = self.f0_predictor(x)
        s = self._f02source(f0, deterministic, phase_dtype)
        if cache_source is not None and cache_source.shape[2] != 0:
            s[:, :, :cache_source.shape[2]] = cache_source
        real, imag = self._stft(s.squeeze(1))
        magnitude, phase = self.decode_spec(x, torch.cat([real, imag], dim=1))
        speech = torch.clamp(self._istft(magnitude, phase), -self.audio_limit, self.audio_limit)
        return speech, s

    @torch.no_grad()
    def inference(self, mel: torch.Tensor, cache_source: Optional[torch.Tensor] = None,
                  deterministic: bool = False, phase_dtype: Optional[torch.dtype] = None):
        return self.forward(mel, cache_source, deterministic, phase_dtype)


class HiFTExport(nn.Module):
    """The exported graph (vocoder/v1/hift.onnx): HiFTGenerator.forward with weight norm folded, SineGen's phases
    fixed at ZERO and its noise terms ZERO (upstream draws both at random; this module and only this module is
    deterministic so streamed and whole runs compare exactly), the cumulative phase in float64, and torch.stft /
    torch.istft replaced by reflect-pad + Conv1d and ConvTranspose1d with fixed DFT kernels.

    forward(mel [1, 80, T], cache_source [1, 1, S]) -> (pcm [1, T*256], source [1, 1, T*256]); S in 0..T*256."""

    def __init__(self, model: HiFTGenerator):
        super().__init__()
        # A fresh copy (weight-normed modules hold a computed, non-leaf `weight` that deepcopy refuses).
        g = _construct(model.hift_config)
        g.load_state_dict(model.state_dict(), strict=True)
        g = g.float().eval()
        for m in g.modules():
            if hasattr(m, "weight_g"):
                remove_weight_norm(m)
        self.g = g
        n_fft, hop = g.istft_params["n_fft"], g.istft_params["hop_len"]
        self.n_fft, self.hop = n_fft, hop
        self.scale = g.upsample_scale
        sine = g.m_source.l_sin_gen
        self.harmonics = sine.harmonic_num + 1
        self.sampling_rate = sine.sampling_rate
        self.sine_amp = sine.sine_amp
        self.voiced_threshold = sine.voiced_threshold
        forward_kernel, inverse_kernel, envelope_kernel = dft_kernels(n_fft)
        self.register_buffer("forward_kernel", forward_kernel)     # [n_fft + 2, 1, n_fft]
        self.register_buffer("inverse_kernel", inverse_kernel)     # [n_fft + 2, 1, n_fft]
        self.register_buffer("envelope_kernel", envelope_kernel)   # [1, 1, n_fft]
        self.register_buffer("multiples", torch.arange(1, self.harmonics + 1, dtype=torch.float32)[None, :, None])

    def stft(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, 1, L] -> [B, n_fft + 2, L // hop + 1]: real rows then imaginary rows, as torch.stft(center=True)."""
        x = F.pad(x, (self.n_fft // 2, self.n_fft // 2), mode="reflect")
        return F.conv1d(x, self.forward_kernel, stride=self.hop)

    def istft(self, magnitude: torch.Tensor, phase: torch.Tensor) -> torch.Tensor:
        """[B, n_fft/2 + 1, N] each -> [B, (N - 1) * hop], as torch.istft(center=True, window=hann)."""
        magnitude = torch.clamp(magnitude, max=1e2)
        spec = torch.cat([magnitude * torch.cos(phase), magnitude * torch.sin(phase)], dim=1)
        frames = F.conv_transpose1d(spec, self.inverse_kernel, stride=self.hop)
        envelope = F.conv_transpose1d(torch.ones_like(spec[:, :1, :]), self.envelope_kernel, stride=self.hop)
        trim = self.n_fft // 2
        length = frames.shape[2] - 2 * trim
        frames = frames[:, :, trim:trim + length]
        envelope = envelope[:, :, trim:trim + length]
        return (frames / envelope)[:, 0, :]

    def source(self, f0: torch.Tensor) -> torch.Tensor:
        """f0 [B, T] -> the NSF excitation [B, 1, T*scale], zero phases, no noise."""
        b = f0.shape[0]
        up = f0[:, :, None].expand(b, f0.shape[1], self.scale).reshape(b, 1, -1)      # nearest x scale
        cycles = up * self.multiples / self.sampling_rate                                # [B, H, L]
        wrapped = (torch.cumsum(cycles.double(), dim=2) % 1).float()
        sines = self.sine_amp * torch.sin(2 * np.pi * wrapped)
        uv = (up > self.voiced_threshold).float()
        sines = sines * uv                                                               # [B, H, L]
        merged = self.g.m_source.l_linear(sines.transpose(1, 2))                         # [B, L, 1]
        return torch.tanh(merged).transpose(1, 2)

    def forward(self, mel: torch.Tensor, cache_source: torch.Tensor):
        g = self.g
        f0 = g.f0_predictor(mel)
        s = self.source(f0)
        s = torch.cat([cache_source, s[:, :, cache_source.shape[2]:]], dim=2)
        magnitude, phase = g.decode_spec(mel, self.stft(s))
        pcm = torch.clamp(self.istft(magnitude, phase), -g.audio_limit, g.audio_limit)
        # The contract's batch is 1; a fixed leading 1 keeps the graph's pcm shape [1, L] instead of a symbol.
        return pcm.reshape(1, -1), s


def dft_kernels(n_fft: int):
    """Fixed kernels for the STFT as Conv1d and the iSTFT as ConvTranspose1d, periodic Hann window, computed in
    float64: forward rows k = 0..n_fft/2 give w[n] cos(2 pi k n / N) (real) and -w[n] sin(...) (imaginary); inverse
    rows are the onesided inverse DFT (1/N, bins 1..N/2-1 counted twice) times the synthesis window; the envelope
    kernel is w^2 (istft's window-sum-square)."""
    n = torch.arange(n_fft, dtype=torch.float64)
    k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)
    window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
    angle = 2 * math.pi * k[:, None] * n[None, :] / n_fft
    forward = torch.cat([window * torch.cos(angle), -window * torch.sin(angle)], dim=0)
    weight = torch.full((n_fft // 2 + 1, 1), 2.0, dtype=torch.float64)
    weight[0] = 1.0
    weight[-1] = 1.0
    inverse = torch.cat([weight * torch.cos(angle), -weight * torch.sin(angle)], dim=0) * window / n_fft
    return (forward[:, None, :].float(), inverse[:, None, :].float(), (window ** 2)[None, None, :].float())


def _construct(config: dict) -> HiFTGenerator:
    cfg = copy.deepcopy(config)
    predictor = ConvRNNF0Predictor(**cfg.pop("f0_predictor"))
    model = HiFTGenerator(**cfg, f0_predictor=predictor)
    model.hift_config = copy.deepcopy(config)
    return model.eval()


def build(size: str) -> HiFTGenerator:
    if size not in CONFIGS:
        raise ValueError(f"hift: unknown size {size!r} (tiny or full)")
    return _construct(CONFIGS[size])


def load_weights(model: HiFTGenerator, weights_dir: Path) -> None:
    """weights_dir/hift.pt (CosyVoice-300M-25Hz's, weight_g / weight_v keys), strictly."""
    path = Path(weights_dir) / "hift.pt"
    common.load_strict(model, common.read_checkpoint(path), str(path))
    model.eval()


def export_module(model: HiFTGenerator) -> HiFTExport:
    return HiFTExport(model).eval()


def _example_mel(frames: int, seed: int) -> torch.Tensor:
    """A log-mel-like [1, 80, frames]: a spectral tilt, moving formant bumps and a voiced/silent envelope, around
    CosyVoice's log(clamp(mel, 1e-5)) range (about -11.5 .. 2)."""
    gen = torch.Generator().manual_seed(seed)
    t = torch.arange(frames, dtype=torch.float32)[None, :]
    bins = torch.arange(80, dtype=torch.float32)[:, None]
    tilt = -2.0 - 5.0 * bins / 79
    formants = torch.zeros(80, frames)
    for centre, speed, width in [(8.0, 0.11, 4.0), (22.0, 0.07, 6.0), (40.0, 0.05, 8.0)]:
        c = centre + 4.0 * torch.sin(speed * t + centre)
        formants = formants + 3.0 * torch.exp(-((bins - c) ** 2) / (2 * width ** 2))
    loud = 0.5 + 0.5 * torch.sin(0.09 * t) ** 2
    mel = tilt + formants * loud + 0.4 * torch.randn(80, frames, generator=gen)
    mel = torch.where(loud > 0.55, mel, mel - 4.0)
    return mel.clamp(-11.5, 2.5)[None]


def export(model: HiFTGenerator, layout: common.Layout, refs: common.References) -> None:
    wrapper = export_module(model)
    mel = _example_mel(60, seed=11)
    fresh_cache = torch.zeros(1, 1, 0)
    path = layout.path(ONNX_PATH)
    # Traced with a non-empty cache so the slice at S stays symbolic; S and T are dynamic.
    trace_cache = torch.zeros(1, 1, 20 * wrapper.scale)
    common.export_onnx(wrapper, (mel, trace_cache), path, input_names=["mel", "cache_source"],
                       output_names=["pcm", "source"],
                       dynamic_axes={"mel": {2: "T"}, "cache_source": {2: "S"}, "pcm": {1: "L"},
                                     "source": {2: "L"}})
    _fix_batch_dims(path)
    with torch.no_grad():
        pcm, source = wrapper(mel, fresh_cache)
        # PCM within 1e-3, the pipeline's HiFT limit: the sine source integrates f0 over every sample, so a float32
        # difference of 1e-6 in the f0 predictor grows into the phase along the window.
        refs.case("hift", ONNX_PATH, inputs={"mel": mel, "cache_source": fresh_cache},
                  outputs={"pcm": pcm, "source": source}, atol=1e-3)
        # The next chunk as the device runs it: the window re-reads the last 20 frames of the first, whose source
        # samples come from the first call.
        cache_frames = 20
        mel2 = torch.cat([mel[:, :, -cache_frames:], _example_mel(40, seed=12)], dim=2)
        cache = source[:, :, -cache_frames * wrapper.scale:].contiguous()
        pcm2, source2 = wrapper(mel2, cache)
        refs.case("hift_cached", ONNX_PATH, inputs={"mel": mel2, "cache_source": cache},
                  outputs={"pcm": pcm2, "source": source2}, atol=1e-3)


def _fix_batch_dims(path: Path) -> None:
    """torch 1.13's exporter leaves pcm's leading dimension symbolic although the graph reshapes it to 1; the
    contract fixes it at 1, so the declared output shape says so (every output's batch axis is set to 1)."""
    import onnx
    model = onnx.load(str(path))
    for output in model.graph.output:
        dims = output.type.tensor_type.shape.dim
        if len(dims) and not dims[0].dim_value:
            dims[0].Clear()
            dims[0].dim_value = 1
    onnx.save(model, str(path))
    onnx.checker.check_model(str(path))


@torch.no_grad()
def hift_reference(model: HiFTGenerator, mel: torch.Tensor) -> np.ndarray:
    """A whole utterance, eager fp32, the exported arithmetic with a fresh (empty) cache: mel [80, T] (or
    [1, 80, T]) -> pcm [T*256] float32."""
    mel = torch.as_tensor(mel, dtype=torch.float32)
    if mel.dim() == 2:
        mel = mel[None]
    pcm, _ = export_module(model)(mel, torch.zeros(1, 1, 0))
    return pcm[0].numpy().astype(np.float32)


@torch.no_grad()
def parity_checks(model: HiFTGenerator) -> dict:
    """Torch-side checks: the DFT-kernel STFT / iSTFT against torch.stft / torch.istft, and the export module
    against upstream's path (HiFTGenerator.forward, deterministic: zero phase and noise) fresh and with a cache."""
    wrapper = export_module(model)
    g = model
    gen = torch.Generator().manual_seed(5)
    t = torch.arange(4 * 256, dtype=torch.float32)
    x = (0.3 * torch.sin(2 * math.pi * 180.0 / 22050 * t) + 0.05 * torch.randn(t.shape, generator=gen))[None]
    real, imag = g._stft(x)
    ours = wrapper.stft(x[:, None])
    stft_diff = float((ours - torch.cat([real, imag], dim=1)).abs().max())
    mag = torch.exp(0.5 * torch.randn(1, 9, 65, generator=gen))
    ph = torch.sin(2.0 * torch.randn(1, 9, 65, generator=gen))
    istft_diff = float((wrapper.istft(mag, ph) - g._istft(mag, ph)).abs().max())

    mel = _example_mel(30, seed=21)
    ref_pcm, ref_s = g.forward(mel, None, deterministic=True, phase_dtype=torch.float64)
    pcm, s = wrapper(mel, torch.zeros(1, 1, 0))
    up32_pcm, up32_s = g.forward(mel, None, deterministic=True)
    cache = ref_s[:, :, -10 * 256:].clone()
    mel2 = torch.cat([mel[:, :, -10:], _example_mel(20, seed=22)], dim=2)
    ref2_pcm, ref2_s = g.forward(mel2, cache, deterministic=True, phase_dtype=torch.float64)
    pcm2, s2 = wrapper(mel2, cache)
    f0 = g.f0_predictor(mel)
    return {
        "stft_vs_torch_stft_max_abs": stft_diff,
        "istft_vs_torch_istft_max_abs": istft_diff,
        "export_vs_upstream_pcm_max_abs": float((pcm - ref_pcm).abs().max()),
        "export_vs_upstream_source_max_abs": float((s - ref_s).abs().max()),
        "export_vs_upstream_float32_phase_pcm_max_abs": float((pcm - up32_pcm).abs().max()),
        "export_vs_upstream_float32_phase_source_max_abs": float((s - up32_s).abs().max()),
        "cached_export_vs_upstream_pcm_max_abs": float((pcm2 - ref2_pcm).abs().max()),
        "cached_export_vs_upstream_source_max_abs": float((s2 - ref2_s).abs().max()),
        "pcm_length": int(pcm.shape[-1]),
        "voiced_fraction": float((f0 > g.m_source.l_sin_gen.voiced_threshold).float().mean()),
    }


@torch.no_grad()
def realistic_random_(model: HiFTGenerator, seed: int) -> HiFTGenerator:
    """common.randomize_(model, seed), then two deterministic rescalings so that a random HiFT behaves like a
    trained one where the export's arithmetic is sensitive: common.randomize_ alone gives f0 of about 0.2 Hz (all
    frames unvoiced, the sine source never runs) and log-magnitudes up to ~60 (exp overflows to the 1e2 clip, most
    samples clamp at +-0.99). Measured on a fixed example mel:
      * f0_predictor.classifier: scaled and offset so f0 spreads over about 0..300 Hz (voiced and unvoiced frames);
      * conv_post (weight_g and bias): the magnitude rows scaled to std 1 around -2 (|X| about e^-4 .. e^0), the
        phase rows to std 1.
    The orchestrator may call this instead of common.randomize_ for this module."""
    common.randomize_(model, seed)
    mel = _example_mel(40, seed=seed + 1)
    predictor = model.f0_predictor
    hidden = predictor.condnet(mel).transpose(1, 2)
    raw = predictor.classifier(hidden).squeeze(-1)
    spread = float(raw.std()) or 1.0
    predictor.classifier.weight.mul_(80.0 / spread)
    predictor.classifier.bias.copy_(120.0 - (raw.mean() - predictor.classifier.bias) * 80.0 / spread)
    wrapper = export_module(model)
    f0 = model.f0_predictor(mel)
    x = wrapper.g.conv_pre(mel)
    s_stft = wrapper.stft(wrapper.source(f0))
    # conv_post's input: decode_spec up to conv_post, on the folded copy.
    g = wrapper.g
    for i in range(g.num_upsamples):
        x = g.ups[i](F.leaky_relu(x, g.lrelu_slope))
        if i == g.num_upsamples - 1:
            x = g.reflection_pad(x)
        x = x + g.source_resblocks[i](g.source_downs[i](s_stft))
        x = sum(g.resblocks[i * g.num_kernels + j](x) for j in range(g.num_kernels)) / g.num_kernels
    out = F.conv1d(F.leaky_relu(x), g.conv_post.weight, None, padding=3)     # [1, n_fft + 2, N], no bias
    half = model.istft_params["n_fft"] // 2 + 1
    std = out.std(dim=(0, 2)).clamp(min=1e-6)
    mean = out.mean(dim=(0, 2))
    post = model.conv_post
    post.weight_g.div_(std[:, None, None])
    target = torch.zeros_like(mean)
    target[:half] = -2.0
    post.bias.copy_(target - mean / std)
    return model.eval()
