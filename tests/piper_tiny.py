"""A tiny Piper-shaped voice built with the onnx helper API (no torch), for tests and the benchmark.

The model has a Piper VITS voice's interface — ``input`` int64 [1, N] phoneme ids,
``input_lengths`` int64 [1], ``scales`` float32 [3] (noise, length, noise_w), and ``sid``
int64 [1] for several speakers — and answers ``output`` float32 [1, 1, 1, T] with
T = N · round(HOP · length_scale): every phoneme id becomes HOP samples of a tone whose
pitch follows the id (and the speaker), with a syllable-like envelope. Real inference
through onnxruntime, real Piper phonemiser in front of it.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HOP = 256
RATE = 22050


def build_model(path: Path, *, num_speakers: int = 1, hidden: int = 0, layers: int = 0) -> Path:
    """Write the tiny voice model to ``path`` (an .onnx file).

    Args:
        num_speakers: > 1 adds the ``sid`` input (each speaker 40 Hz higher).
        hidden, layers: when both > 0, add ``layers`` dense layers of width ``hidden`` with random
            weights on the per-sample features — the benchmark's heavier stand-in model.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def const(name, value, dtype=np.float32):
        return numpy_helper.from_array(np.asarray(value, dtype=dtype), name)

    inits = [
        const("hop_f", [float(HOP)]), const("idx_len", [1], np.int64), const("axis1", 1, np.int64),
        const("shape_out", [1, 1, 1, -1], np.int64), const("base_hz", [110.0]), const("hz_per_id", [6.0]),
        const("two_pi_over_rate", [2 * np.pi / RATE]), const("amp", [0.4]), const("half", [0.5]),
        const("env_hz", [2 * np.pi * 4.0 / RATE]), const("shape_col", [1, -1, 1], np.int64),
    ]
    nodes = [
        # samples per phoneme = round(HOP * length_scale), as a [1] int64
        helper.make_node("Gather", ["scales", "idx_len"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["length_scale", "hop_f"], ["hop_scaled"]),
        helper.make_node("Round", ["hop_scaled"], ["hop_round"]),
        helper.make_node("Cast", ["hop_round"], ["hop_i"], to=TensorProto.INT64),
        helper.make_node("Shape", ["input"], ["in_shape"]),
        helper.make_node("Concat", ["in_shape", "hop_i"], ["expand_shape"], axis=0),
        # frequency per phoneme: 110 Hz + 6 Hz · id (+ 40 Hz · speaker)
        helper.make_node("Cast", ["input"], ["ids_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["ids_f", "hz_per_id"], ["id_hz"]),
        helper.make_node("Add", ["id_hz", "base_hz"], ["hz0"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    if num_speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
        inits.append(const("speaker_hz", [40.0]))
        nodes += [helper.make_node("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT),
                  helper.make_node("Mul", ["sid_f", "speaker_hz"], ["sid_hz"]),
                  helper.make_node("Add", ["hz0", "sid_hz"], ["hz"])]
    else:
        nodes.append(helper.make_node("Identity", ["hz0"], ["hz"]))
    nodes += [
        helper.make_node("Unsqueeze", ["hz", "shape_col_axes"], ["hz_col"]),
        helper.make_node("Expand", ["hz_col", "expand_shape"], ["hz_grid"]),
        helper.make_node("Reshape", ["hz_grid", "shape_col"], ["hz_samples3"]),
        helper.make_node("Squeeze", ["hz_samples3", "squeeze_axes"], ["hz_samples"]),
        helper.make_node("Mul", ["hz_samples", "two_pi_over_rate"], ["dphase"]),
        helper.make_node("CumSum", ["dphase", "axis1"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        # envelope 0.5 - 0.5 cos(2π · 4 Hz · t): syllables with gaps between them
        helper.make_node("Mul", ["hz_samples", "zero_f"], ["zeros"]),
        helper.make_node("Add", ["zeros", "env_hz"], ["env_step"]),
        helper.make_node("CumSum", ["env_step", "axis1"], ["env_phase"]),
        helper.make_node("Cos", ["env_phase"], ["env_cos"]),
        helper.make_node("Mul", ["env_cos", "half"], ["env_half"]),
        helper.make_node("Sub", ["half", "env_half"], ["envelope"]),
        helper.make_node("Mul", ["tone", "envelope"], ["shaped"]),
        helper.make_node("Mul", ["shaped", "amp"], ["wave"]),
    ]
    inits += [const("shape_col_axes", [2], np.int64), const("squeeze_axes", [2], np.int64),
              const("zero_f", [0.0])]
    last = "wave"
    if hidden > 0 and layers > 0:
        rng = np.random.default_rng(7)
        inits.append(const("w_in", rng.standard_normal((1, hidden)) * 0.5))
        nodes += [helper.make_node("Unsqueeze", ["wave", "shape_col_axes"], ["feat0_in"]),
                  helper.make_node("MatMul", ["feat0_in", "w_in"], ["feat0"])]
        feature = "feat0"
        for layer in range(layers):
            inits.append(const(f"w{layer}", rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)))
            nodes += [helper.make_node("MatMul", [feature, f"w{layer}"], [f"mm{layer}"]),
                      helper.make_node("Tanh", [f"mm{layer}"], [f"feat{layer + 1}"])]
            feature = f"feat{layer + 1}"
        inits.append(const("w_out", rng.standard_normal((hidden, 1)) * 0.001))
        nodes += [helper.make_node("MatMul", [feature, "w_out"], ["residual3"]),
                  helper.make_node("Squeeze", ["residual3", "squeeze_axes"], ["residual"]),
                  helper.make_node("Add", ["wave", "residual"], ["wave_plus"])]
        last = "wave_plus"
    nodes.append(helper.make_node("Reshape", [last, "shape_out"], ["output"]))
    graph = helper.make_graph(nodes, "tiny_piper", inputs,
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "samples"])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="broadcaster-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def voice_config(*, espeak_voice: str = "vi", num_speakers: int = 1, sample_rate: int = RATE,
                 quality: str = "x_low") -> dict:
    """A Piper voice config in the documented .onnx.json format with Piper's default phoneme map."""
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    id_map = {key: list(value) for key, value in DEFAULT_PHONEME_ID_MAP.items()}
    config = {
        "dataset": "tiny",
        "audio": {"sample_rate": sample_rate, "quality": quality},
        "espeak": {"voice": espeak_voice},
        "language": {"code": "vi_VN", "family": "vi", "region": "VN", "name_native": "Tiếng Việt",
                     "name_english": "Vietnamese", "country_english": "Vietnam"},
        "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": id_map,
        "num_symbols": max(i for ids in id_map.values() for i in ids) + 1,
        "num_speakers": num_speakers,
        "speaker_id_map": {f"nguoi-doc-{i}": i for i in range(num_speakers)} if num_speakers > 1 else {},
        "piper_version": "1.0.0",
    }
    return config


def make_voice(folder: Path, name: str = "vi_VN-tiny-x_low", *, card: str | None = None, **options) -> Path:
    """Write NAME.onnx and NAME.onnx.json (and a MODEL_CARD when given) into ``folder``; return the .onnx."""
    folder = Path(folder)
    speakers = options.pop("num_speakers", 1)
    model = build_model(folder / f"{name}.onnx", num_speakers=speakers,
                        hidden=options.pop("hidden", 0), layers=options.pop("layers", 0))
    config = voice_config(num_speakers=speakers, **options)
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    if card is not None:
        (folder / "MODEL_CARD").write_text(card, encoding="utf-8")
    return model
