"""How rows of ../shared/reference/*_calibration.csv map onto runwell queries.

Each map says which catalog entry (or inline spec, with its source) a row's
device, model and quantization are. A row that cannot be mapped is excluded
with the reason returned here, and the report lists every reason with a count.
"""
import re

# ---------------------------------------------------------------- hardware
# Inline devices for hardware the benchmarks use but the catalog does not carry.
INLINE_DEVICES = {
    "tesla-m40": dict(name="Tesla M40 24GB", kind="datacenter_gpu", backend="cuda", memory_gib=24, bandwidth_gbs=288, fp16_tflops=7.0,
                      host_link_gbs=15.75, source="NVIDIA M40 datasheet: 288 GB/s, 7 TFLOPS FP32"),
    "tesla-k80-half": dict(name="Tesla K80 (one GPU)", kind="datacenter_gpu", backend="cuda", memory_gib=12, bandwidth_gbs=240,
                           fp16_tflops=4.1, host_link_gbs=15.75, source="NVIDIA K80: 480 GB/s and 8.7 TFLOPS FP32 for two GPUs"),
    "core-ultra-7-155h": dict(name="Core Ultra 7 155H (CPU)", kind="cpu", backend="cpu", memory_gib=32, bandwidth_gbs=119.5,
                              fp16_tflops=0.8, source="Intel: LPDDR5X-7467 dual channel = 119.5 GB/s; 16 cores (derived compute)"),
    "ampereone-a192": dict(name="AmpereOne A192-32X", kind="cpu", backend="cpu", memory_gib=512, bandwidth_gbs=332.8, fp16_tflops=8.0,
                           source="Ampere: 8-ch DDR5-5200 = 332.8 GB/s; 192 cores (derived compute)"),
    "mac-pro-2019-16c": dict(name="Mac Pro 2019 Xeon W 16-core", kind="cpu", backend="cpu", memory_gib=384, bandwidth_gbs=140.8,
                             fp16_tflops=2.0, source="Apple: 6-ch DDR4-2933 = 140.8 GB/s; 16 cores AVX-512 (derived compute)"),
    "ryzen-ai-5-340": dict(name="Ryzen AI 5 340 (CPU)", kind="cpu", backend="cpu", memory_gib=16, bandwidth_gbs=89.6, fp16_tflops=0.4,
                           source="AMD: DDR5-5600 dual channel = 89.6 GB/s; 6 cores (derived compute)"),
    "intel-n150": dict(name="Intel N150 (CPU)", kind="cpu", backend="cpu", memory_gib=16, bandwidth_gbs=38.4, fp16_tflops=0.1,
                       source="Intel: single-channel DDR5-4800 = 38.4 GB/s; 4 E-cores (derived compute)"),
    "strix-halo-cpu": dict(name="Ryzen AI Max+ 395 (CPU cores)", kind="cpu", backend="cpu", memory_gib=128, bandwidth_gbs=256,
                           fp16_tflops=2.5, source="AMD: 256-bit LPDDR5X-8000 = 256 GB/s; 16 Zen 5 cores (derived compute)"),
}

# Host RAM bandwidth (theoretical) of the CPUs named next to a GPU in the benchmarks.
HOST_BANDWIDTH = [
    (r"i9-10900X", 93.9, "Intel: quad-channel DDR4-2933"),
    (r"EPYC 7543", 204.8, "AMD: 8-channel DDR4-3200"),
    (r"Xeon Gold 6138", 127.9, "Intel: 6-channel DDR4-2666"),
    (r"i9-13900HK", 83.2, "Intel: dual-channel DDR5-5200"),
    (r"7600X3D|7800X3D", 96.0, "AMD AM5: dual-channel DDR5-6000"),
    (r"i9-9900T", 42.7, "Intel: dual-channel DDR4-2666"),
    (r"5600X|3700X|Ryzen 5 3600", 51.2, "AMD AM4: dual-channel DDR4-3200"),
    (r"14900k", 89.6, "Intel: dual-channel DDR5-5600"),
]

# (pattern on the hardware column, catalog id or "inline:<key>", GPU core share for binned Apple chips)
HARDWARE = [
    (r"^Pi |Radxa|Minisforum|HiFive|Thelio Astra \(AMD|Pi 5|Pi 400|Pi 500", None, "single-board/ARM host with an external GPU or tiny CPU: host-limited"),
    (r"Apple M2 Ultra \(60-core", "apple-m2-ultra-192gb", 60 / 76),
    (r"Apple M2 Ultra", "apple-m2-ultra-192gb", 1),
    (r"Apple M1 Ultra \(48|M1 Ultra \(48 GPU", "apple-m1-ultra-64gb", 48 / 64),
    (r"M1 Ultra", "apple-m1-ultra-128gb", 1),
    (r"M1 Max \(24", "apple-m1-max-64gb", 24 / 32),
    (r"M1 Max", "apple-m1-max-64gb", 1),
    (r"Apple M1 \(7", "apple-m1-16gb", 7 / 8),
    (r"Apple M1 \(8", "apple-m1-16gb", 1),
    (r"M2 Pro \(16", "apple-m2-pro-32gb", 16 / 19),
    (r"M2 Pro", "apple-m2-pro-32gb", 1),
    (r"M2 Max", "apple-m2-max-96gb", 1),
    (r"Apple M2 \(", "apple-m2-24gb", 1),
    (r"M3 Max \(30", "apple-m3-max-30c-96gb", 1),
    (r"M3 Max \(40-core GPU, 48", "apple-m3-max-40c-48gb", 1),
    (r"M3 Max", "apple-m3-max-40c-128gb", 1),
    (r"M3 Pro \(14", "apple-m3-pro-36gb", 14 / 18),
    (r"M3 Pro", "apple-m3-pro-36gb", 1),
    (r"M3 Ultra.*512", "apple-m3-ultra-512gb", 1),
    (r"M3 Ultra", "apple-m3-ultra-256gb", 1),
    (r"Apple M3 \(", "apple-m3-16gb", 1),
    (r"M4 Max \(32", "apple-m4-max-32c-36gb", 1),
    (r"M4 Max", "apple-m4-max-40c-128gb", 1),
    (r"M4 Pro \(24", "apple-m4-pro-24gb", 1),
    (r"M4 Pro", "apple-m4-pro-48gb", 1),
    (r"Apple M4", "apple-m4-16gb", 1),
    (r"M5 Pro", "apple-m5-pro-64gb", 1),
    (r"Ryzen AI Max\+ 395|Framework Mainboard", "ryzen-ai-max-plus-395-128gb", 1),
    (r"GB10", "dgx-spark", 1),
    (r"RTX 4000 Ada", "rtx-4000-ada", 1),
    (r"RTX 5000 Ada", "rtx-5000-ada", 1),
    (r"RTX A6000", "rtx-a6000", 1),
    (r"RTX 6000 Ada", "rtx-6000-ada", 1),
    (r"RTX PRO 6000", "rtx-pro-6000-blackwell", 1),
    (r"RTX A5000", "rtx-a5000", 1),
    (r"A4000", "rtx-a4000", 1),
    (r"RTX A1000", "rtx-a1000", 1),
    (r"Quadro RTX 8000", "quadro-rtx-8000", 1),
    (r"A100 PCIe", "a100-pcie-80gb", 1),
    (r"A100", "a100-80gb", 1),
    (r"A40", "a40", 1),
    (r"A30", "a30", 1),
    (r"H100 PCIe", "h100-pcie", 1),
    (r"L40S", "l40s", 1),
    (r"L40", "l40", 1),
    (r"V100 32", "v100-32gb", 1),
    (r"P40", "tesla-p40", 1),
    (r"M40", "inline:tesla-m40", 1),
    (r"K80", "inline:tesla-k80-half", 1),
    (r"^T4 ", "t4", 1),
    (r"MI100", "mi100", 1),
    (r"R9700", "radeon-ai-pro-r9700", 1),
    (r"W7900", "radeon-pro-w7900", 1),
    (r"RX 9070 XT", "rx-9070-xt", 1),
    (r"RX 7900 XT\b", "rx-7900-xt", 1),
    (r"Arc A770", "arc-a770-16gb", 1),
    (r"Arc B580", "arc-b580", 1),
    (r"5060 Ti 16", "rtx-5060-ti-16gb", 1),
    (r"5070 Ti", "rtx-5070-ti", 1),
    (r"5070", "rtx-5070", 1),
    (r"5090", "rtx-5090", 1),
    (r"4090", "rtx-4090", 1),
    (r"4080 SUPER", "rtx-4080-super", 1),
    (r"4080", "rtx-4080", 1),
    (r"4070 Ti SUPER|4070 Ti Super", "rtx-4070-ti-super", 1),
    (r"4070 Ti", "rtx-4070-ti", 1),
    (r"4070 SUPER", "rtx-4070-super", 1),
    (r"4070", "rtx-4070", 1),
    (r"3090 Ti", "rtx-3090-ti", 1),
    (r"3090", "rtx-3090", 1),
    (r"3080 Ti", "rtx-3080-ti", 1),
    (r"3060", "rtx-3060-12gb", 1),
    (r"2080 Ti", "rtx-2080-ti", 1),
    (r"2080", "rtx-2080", 1),
    (r"Core\(TM\) Ultra 7 155H", "inline:core-ultra-7-155h", 1),
    (r"AmpereOne", "inline:ampereone-a192", 1),
    (r"Mac Pro 2019", "inline:mac-pro-2019-16c", 1),
    (r"Ryzen AI 5 340", "inline:ryzen-ai-5-340", 1),
    (r"N150", "inline:intel-n150", 1),
]


def backend_of(row):
    b = (row["backend"] + " " + row["runtime"]).lower()
    if "vulkan" in b and "rocm/vulkan" not in b:
        return "vulkan"
    if "rocm" in b or "hip" in b:
        return "rocm"
    if b.strip().startswith("cpu") or row["backend"].strip().lower() == "cpu":
        return "cpu"
    return None  # the device's own


def map_hardware(row, catalog_devices):
    """Returns (hardware spec for the request, gpus, host bandwidth, backend) or (None, reason)."""
    name = row["hardware"]
    gpus = 1
    m = re.match(r"^(\d+)x (.*)$", name)
    if m:
        gpus, name = int(m.group(1)), m.group(2)
    for pattern, target, share in HARDWARE:
        if not re.search(pattern, name):
            continue
        if target is None:
            return None, share
        backend = backend_of(row)
        if target.startswith("inline:"):
            spec = {k: v for k, v in INLINE_DEVICES[target[7:]].items() if k != "source"}
            spec["id"] = target[7:]
        else:
            spec = target
            if share != 1:  # a binned Apple chip: same memory system, fewer GPU cores
                d = dict(catalog_devices[target])
                spec = {k: d[k] for k in ("kind", "backend", "memory_gib", "bandwidth_gbs", "fp16_tflops") if k in d}
                spec["fp16_tflops"] = round(d["fp16_tflops"] * share, 2)
                spec["id"] = f"{target}-binned"
                spec["name"] = name
        if backend == "cpu" and target.startswith("ryzen-ai-max"):
            spec = {k: v for k, v in INLINE_DEVICES["strix-halo-cpu"].items() if k != "source"}
            backend = None
        elif backend == "cpu" and not (isinstance(spec, dict) and spec.get("kind") == "cpu"):
            return None, "CPU backend on a machine with a GPU: a configuration the calculator does not offer"
        host_bw = 0
        for pat, bw, _ in HOST_BANDWIDTH:
            if re.search(pat, row["hardware"]):
                host_bw = bw
        return (spec, gpus, host_bw, backend), None
    return None, "device not in the catalog or the inline list"


# ---------------------------------------------------------------- models
# LLaMA 1 (2023 benchmarks) is not offered in the catalog; its configs are public.
def _llama1(params, layers, hidden, heads):
    return dict(params_b=params, layers=layers, hidden=hidden, vocab=32000, max_context=2048,
                attention=dict(kind="mha", heads=heads, kv_heads=heads, head_dim=hidden // heads))


INLINE_MODELS = {
    "LLaMA-7B": _llama1(6.74, 32, 4096, 32),
    "LLaMA-13B": _llama1(13.02, 40, 5120, 40),
    "LLaMA-30B": _llama1(32.53, 60, 6656, 52),
    "LLaMA-65B": _llama1(65.29, 80, 8192, 64),
}

MODELS = [
    (r"^LLaMA-2-7B", "llama-2-7b-chat"), (r"^LLaMA-2-13B", "llama-2-13b-chat"), (r"^LLaMA-2-70B", "llama-2-70b-chat"),
    (r"^Llama-3-8B$", "llama-3-8b-instruct"), (r"^Llama-3-70B$", "llama-3-70b-instruct"),
    (r"Llama-3\.1-8B", "llama-3.1-8b-instruct"), (r"llama3\.1:70b", "llama-3.1-70b-instruct"),
    (r"llama3\.1:405b", "llama-3.1-405b-instruct"), (r"Llama-3\.3-70B", "llama-3.3-70b-instruct"),
    (r"Llama-3\.2-1B", "llama-3.2-1b-instruct"), (r"Llama-3\.2-3B|llama3\.2:3b", "llama-3.2-3b-instruct"),
    (r"gpt-oss-20b", "gpt-oss-20b"), (r"gpt-oss-120b", "gpt-oss-120b"),
    (r"Qwen3-30B-A3B", "qwen3-30b-a3b"), (r"Qwen3-Coder-30B-A3B", "qwen3-coder-30b-a3b-instruct"),
    (r"Qwen3\.6-35B-A3B|Qwen3\.5-35B-A3B|Tess-4-35B-A3B|Ornstein3\.6-35B", "qwen3.5-35b-a3b"),
    (r"(^|/)Qwen3-0\.6B", "qwen3-0.6b"), (r"(^|/)Qwen3-1\.7B", "qwen3-1.7b"), (r"^Qwen3-4B$", "qwen3-4b"), (r"^Qwen3-8B$", "qwen3-8b"),
    (r"^Qwen3-14B$", "qwen3-14b"), (r"^Qwen3-32B$", "qwen3-32b"),
    (r"Qwen2\.5-7B-Instruct|Qwen2\.5-Coder-7B", "qwen2.5-7b-instruct"), (r"Qwen2\.5-14B|Qwen2\.5-Coder-14B", "qwen2.5-14b-instruct"),
    (r"Qwen2\.5-32B|Qwen2\.5-Coder-32B", "qwen2.5-32b-instruct"),
    (r"DeepSeek-R1-Distill-Qwen-7B", "deepseek-r1-distill-qwen-7b"), (r"DeepSeek-R1-Distill-Qwen-14B", "deepseek-r1-distill-qwen-14b"),
    (r"DeepSeek-R1-Distill-Llama-8B", "deepseek-r1-distill-llama-8b"),
    (r"Mistral-7B-Instruct", "mistral-7b-instruct-v0.3"), (r"Mistral-Nemo", "mistral-nemo-instruct-2407"),
    (r"Mistral-Small-24B", "mistral-small-3.1-24b-instruct-2503"),
    (r"Phi-3\.5-mini", "phi-3.5-mini-instruct"), (r"^phi-4$", "phi-4"), (r"Phi-4-mini", "phi-4-mini-instruct"),
    (r"gemma-2-9b", "gemma-2-9b-it"), (r"gemma-2-27b", "gemma-2-27b-it"), (r"gemma-3-4b", "gemma-3-4b-it"),
    (r"gemma-3-12b", "gemma-3-12b-it"), (r"gemma-3-27b", "gemma-3-27b-it"), (r"gemma-4-26B-A4B", "gemma-4-26b-a4b-it"),
    (r"gemma-4-31B", "gemma-4-31b-it"), (r"Kimi-Linear-48B", "kimi-linear-48b-a3b-instruct"),
    (r"Nemotron-3-Nano-30B", "nemotron-3-nano-30b-a3b"),
]


def map_model(row):
    name = row["model"]
    if name in INLINE_MODELS:
        return dict(INLINE_MODELS[name]), None
    for pattern, target in MODELS:
        if re.search(pattern, name):
            return target, None
    return None, "model architecture not in the catalog"


# ---------------------------------------------------------------- quants
QUANTS = [
    (r"^(Q4_K_M|Q4_0|Q8_0|F16|BF16|MXFP4|Q3_K_S|Q3_K_M|Q6_K|Q5_K_M|IQ4_XS|Q4_K_S|Q2_K)$", None),
    (r"^(UD-)?Q4_K_XL$|^UD-Q4_K_M$", "Q4_K_M"), (r"Q8_K_XL", "Q8_0"), (r"Q5_K_XL", "Q5_K_M"), (r"Q2_K_XL", "Q2_K"),
    (r"UD-Q3_K_M", "Q3_K_M"), (r"^(MLX-)?4bit$", "MLX_4BIT"), (r"MLX-8bit", "MLX_8BIT"),
    (r"^not stated", "Q4_K_M"),
]


def map_quant(row):
    q = row["quant"].strip()
    for pattern, target in QUANTS:
        if re.search(pattern, q, re.IGNORECASE):
            return (target or q.upper().replace("F16", "F16")), None
    return None, f"quantization '{q}' not in the catalog"


# ---------------------------------------------------------------- offload
def map_offload(row):
    """Returns ({gpu_layers|cpu_moe_layers}, None) or (None, reason)."""
    o = row["ngl_or_offload"].strip()
    m = re.search(r"--n-cpu-moe (\d+)", o)
    if m:
        return {"cpu_moe_layers": int(m.group(1))}, None
    if re.search(r"Ollama auto split|truncated|approximate", o):
        return None, "offload split not published exactly"
    if re.match(r"^0 \(CPU\)", o):
        return None, "CPU backend on a machine with a GPU: a configuration the calculator does not offer"
    m = re.match(r"^(?:-ngl )?(\d+)(?: \(partial\))?$", o)
    if m and int(m.group(1)) < 99:
        return {"gpu_layers": int(m.group(1))}, None
    return {}, None


def depth_of(row, quantity):
    """Tokens already in the context when the measurement started."""
    m = re.search(r"@ ?d(\d+)", row["notes"])
    if m:
        return int(m.group(1))
    if quantity == "decode" and "localmaxxing" in row["source_note"] and "context length" in row["notes"] and row["n_prompt"]:
        return int(float(row["n_prompt"]))  # the site generates after processing the prompt
    return 0
