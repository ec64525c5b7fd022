"""Memory checks for scripts/accuracy: published GGUF file sizes and llama.cpp load logs
(measurements/memory/{gguf_sizes,memory_obs}_calibration.csv) against the core's memory
figures. Memory has no fitted constant: these rows check the byte counting itself."""
import csv
import os
import re

GGUF_MODEL = [
    (r"LLaMA-2-7B", "llama-2-7b-chat"), (r"LLaMA-2-13B", "llama-2-13b-chat"), (r"LLaMA-2-70B", "llama-2-70b-chat"),
    (r"Llama-3\.1-8B|Llama 3\.1 8B", "llama-3.1-8b-instruct"), (r"Meta-Llama-3-8B|Llama 3 - 8B|LLaMA-3-8B|Llama-3-8B", "llama-3-8b-instruct"),
    (r"Llama-3-70B|LLaMA-3-70B", "llama-3-70b-instruct"), (r"Llama-3\.1-70B", "llama-3.1-70b-instruct"),
    (r"gpt-oss-20b", "gpt-oss-20b"), (r"gpt-oss-120b", "gpt-oss-120b"), (r"Qwen3-30B-A3B", "qwen3-30b-a3b"),
    (r"Qwen3-8B", "qwen3-8b"), (r"Qwen3-32B", "qwen3-32b"), (r"Qwen2\.5-3B", None), (r"Mixtral-8x7B", "mixtral-8x7b-instruct-v0.1"),
    (r"DeepSeek-V3", "deepseek-v3"), (r"DeepSeek-R1", "deepseek-r1"), (r"MiniMax-M2", "minimax-m2"),
]
GGUF_QUANTS = {"Q2_K", "Q3_K_S", "Q3_K_M", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16", "BF16", "IQ4_XS", "MXFP4"}


# LLaMA 1 (2023 load logs) is not offered in the catalog; its configs are public.
def _llama1(params, layers, hidden, heads):
    return dict(params_b=params, layers=layers, hidden=hidden, vocab=32000, max_context=2048,
                attention=dict(kind="mha", heads=heads, kv_heads=heads, head_dim=hidden // heads))


LOG_MODEL = [(r"7B-v2", "llama-2-7b-chat"), (r"13B-v2", "llama-2-13b-chat"), (r"70B-v2", "llama-2-70b-chat"),
             (r"/7B/", _llama1(6.74, 32, 4096, 32)), (r"/13B/", _llama1(13.02, 40, 5120, 40)),
             (r"/30B/", _llama1(32.53, 60, 6656, 52)), (r"/65B/", _llama1(65.29, 80, 8192, 64)),
             (r"8B-Instruct|8B/", "llama-3-8b-instruct"), (r"70B-Instruct|70B/", "llama-3-70b-instruct")]


def read_reference(ref, name):
    """The rows of one CSV of the memory reference folder ([] when the folder has no such file)."""
    path = os.path.join(ref, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(text):
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)", text or "")
    return float(m.group(1)) if m else None


def _size_gib(text):
    """GiB from '3.56 GiB', '3.82 GB' (1e9) or '4920733888 bytes'."""
    v = _num(text)
    if v is None:
        return None
    if "bytes" in text:
        return v / 2**30
    if "GiB" in text:
        return v
    if "GB" in text:
        return v * 1e9 / 2**30
    return None


def rows(ref):
    """-> (rows, excluded counts). Each row: request (op predict), quantity, measured GiB, where."""
    out, excluded = [], {}

    def skip(why):
        excluded[why] = excluded.get(why, 0) + 1

    for row in read_reference(ref, "gguf_sizes_calibration.csv"):
        name = row["model"]
        target = next((t for p, t in GGUF_MODEL if re.search(p, name)), "missing")
        quant = row["quant"].split(" ")[0].upper()
        quant = "MXFP4" if quant.startswith("MXFP4") else quant
        size = _size_gib(row["file_size_bytes_or_GB(as published, say which unit)"])
        if target in ("missing", None):
            skip("GGUF size: model architecture not in the catalog")
        elif quant not in GGUF_QUANTS or "(" in row["quant"] and "MXFP4" not in quant:
            skip("GGUF size: quantization variant not in the catalog")
        elif size is None:
            skip("GGUF size: unit not stated")
        elif re.search(r"Dec-2023|Dec 2023|TheBloke", row["repo_or_source"]):
            skip("GGUF size: 2023 conversions (pre-GGUF-v3 tensor mixes)")
        else:
            out.append(dict(where=f"gguf_sizes_calibration.csv: {name} {row['quant']}", quantity="gguf_size", measured=size,
                            request={"op": "predict", "model": target, "hardware": "b200", "quant": quant, "context": 512}))
    for row in read_reference(ref, "memory_obs_calibration.csv"):
        if "XiongjieDai" not in row["source_note"]:
            skip("memory: not a llama.cpp load log with all three buffers")
            continue
        mb, kv, cb = _num(row["model_buffer_mib"]), _num(row["kv_cache_mib"]), _num(row["compute_buffer_mib"])
        target = next((t for p, t in LOG_MODEL if re.search(p, row["model"])), None)
        quant = row["quant"].upper()
        if target is None or quant not in GGUF_QUANTS or not (mb and kv and cb):
            skip("memory: log without model, KV and compute buffers, or unknown model")
            continue
        out.append(dict(where=f"memory_obs_calibration.csv:{row['id']}", quantity="memory_at_load", measured=(mb + kv + cb) / 1024,
                        request={"op": "predict", "model": target, "hardware": "b200", "quant": quant,
                                 "context": int(_num(row["context_len"]) or 512)}))
    return out, excluded


def predicted(row, answer):
    m = answer["memory_gib"]
    if row["quantity"] == "gguf_size":
        return m["weights"] + m["host_weights"]  # the whole file
    return m["weights"] + m["kv_cache"] + m["compute"]  # GPU buffers; llama.cpp's total excludes the driver context
