"""Batched-serving measurements (measurements/serving/*.csv) as requests to the core's serving model.

One published number per row (throughput of all requests, speed each request sees, time to first
token) with its engine, version, GPUs, tensor-parallel size, precision, input/output lengths and
concurrency. Each usable row becomes an "op": "serve" request; scripts/accuracy fits the serving
constants on them and reports their error out of sample (whole sources left out). No physics here.
"""
import csv
import glob
import json
import math
import os
import re
from collections import Counter

import accuracy_memory

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVING = os.path.join(HERE, "measurements", "serving")

# The published metric -> (the core's quantity, factor from the published unit to the core's).
# TPOT in ms is the time between a request's tokens: its speed is 1000 / TPOT tok/s.
METRICS = {
    "total_output_tps": ("serving_total_tps", None),
    "per_user_tps": ("serving_user_tps", None),
    "tpot_ms": ("serving_user_tps", "per_ms"),
    "ttft_ms_mean": ("serving_ttft", "ms"),
    "ttft_ms_median": ("serving_ttft", "ms"),
}
# Checkpoint precision as published -> catalog quant. A model's own checkpoint is the catalog's quant for it
# (models.json "checkpoint": gpt-oss's MXFP4 experts, Kimi K2.5's INT4 experts, beside BF16 layers); AMD's
# MXFP4 exports of a MoE model (Quark), and any FP4 checkpoint run on an AMD GPU (AMD has no NVFP4), are
# MXFP4_MOE; other MXFP4 checkpoints (a dense model, every linear layer in MXFP4) are priced as NVFP4 (4.5
# vs 4.25 bits per weight).
OWN_FORMAT_WORDS = {"MXFP4_BF16": ("mxfp4", "fp4"), "INT4_BF16": ("int4",)}
PRECISIONS = [("nvfp4", "NVFP4"), ("mxfp4", "NVFP4"), ("fp4", "NVFP4"), ("fp8", "FP8"), ("bf16", "BF16"), ("fp16", "BF16")]
with open(os.path.join(HERE, "data", "models.json")) as f:
    MODELS = json.load(f)["models"]
CHECKPOINTS = {m["id"]: m.get("checkpoint", "BF16") for m in MODELS}
MOE_MODELS = {m["id"] for m in MODELS if m.get("moe")}
# (A checkpoint the engine cannot load on the device, e.g. NVFP4 on a Hopper GPU, or FP8 on a V100 below the
# compute capability vLLM's weight-only FP8 kernels need, is refused by the core as engine_unsupported and counted as such.)
# Engine settings a source states for all its rows. NVIDIA's ModelOpt FP8/NVFP4 checkpoints (the
# TensorRT-LLM overview's models) carry "kv_cache_quant_algo": "FP8" in hf_quant_config.json, so
# their cache is 8-bit; the kubis.ai DGX Spark runs set --gpu-memory-utilization 0.70.
SOURCE_SETTINGS = {"trtllm-perf-overview": {"kv": "q8_0"}, "kubis-dgx-spark-gptoss120b": {"kv": "q8_0", "memory_fraction": 0.70}}


# vLLM before 0.8 ran its V0 engine, whose --max-num-seqs defaulted to 256 on every GPU (V1's default,
# the core's, is 1024 on GPUs of 70 GB and more): https://docs.vllm.ai/en/v0.6.6.post1/usage/engine_args.html
VLLM_V0_MAX_NUM_SEQS = 256


def runs_vllm_v0(row):
    """The row states a vLLM version before 0.8 (e.g. "rocm/vllm-dev:20250112 (vLLM 0.6.7.dev)")."""
    version = re.search(r"(?:^|[^\d.])v?0\.(\d+)\.\d", row["engine_version"])
    return row["engine"] == "vllm" and version is not None and int(version.group(1)) < 8


def arrivals_of(notes):
    """How the benchmark client's requests arrive: "burst" where it sent every prompt at once (no concurrency
    cap), "random" where it samples each request's lengths (SGLang's bench_serving by default, range ratios
    below 1) — answers end at different times and the replacements spread out — "together" where every request
    has the same lengths (vllm bench's random dataset, range ratio 0 by default): they finish and are replaced
    in step."""
    if "all prompts submitted at once" in notes:
        return "burst"
    sampled = re.search(r"lengths sampled|sampled lengths|variable lengths|sharegpt|sampled up to|bench_serving|range-ratio 0\.[1-9]|lengths vary", notes)
    return "random" if sampled else "together"


def engine_of(name):
    """The core's serving engine for a row's engine: SGLang's own scheduling, llama.cpp's slots, or the
    vLLM-class engines (vLLM, TensorRT-LLM, NIM and MLPerf's submitters put prompts in the decode steps)."""
    if name in ("sglang", "mlperf-sglang"):
        return "sglang"
    return "llama.cpp" if name == "llama.cpp" else "batched"


def quant_of(precision, model_id, hardware_id):
    p = precision.lower()
    own = CHECKPOINTS.get(model_id, "")
    if any(word in p for word in OWN_FORMAT_WORDS.get(own, ())) and "nvfp4" not in p and "qkv" not in p:
        return own
    if model_id in MOE_MODELS and ("mxfp4" in p or ("fp4" in p and vendor_of(hardware_id) == "AMD")):
        return "MXFP4_MOE"
    for key, quant in PRECISIONS:
        if key in p:
            return quant
    return None


def range_ratio_of(notes):
    """The shortest answer's share of the longest where the run states how its client samples lengths: a stated
    --random-range-ratio, or SGLang's bench_serving left at its default (0.0: lengths from 1 to the stated
    length, python/sglang/bench_serving.py). None where lengths were sampled otherwise (ShareGPT) or not said."""
    stated = re.search(r"range[- _]ratio[ =]+([01](?:\.\d+)?)\b", notes)
    if stated:
        return float(stated.group(1))
    if re.search(r"sglang default 0\.0|default --random-range-ratio so|range-ratio not given", notes) and "bench_serving" in notes:
        return 0.0
    return None


def prompts_of(notes):
    """The number of requests a run sent, where its notes state it."""
    m = re.search(r"(?:num[- _]prompts?|--num-prompts?)[ =:]*(\d+)|(\d+) (?:successful requests|prompts\b)", notes)
    return int(m.group(1) or m.group(2)) if m else None


def states_ignore_eos(notes):
    """The client was told to ignore end-of-sequence: every answer is as long as asked ("no --ignore-eos",
    "--ignore-eos not stated" and "without --ignore-eos" say the opposite)."""
    return re.search(r"(?<!no )(?<!without )--ignore-eos(?! not)", notes) is not None


def mean_lengths(row, answer_ratio=None):
    """(input, output) tokens per request, and whether the answers' length is known: the printed totals over
    the requests where the run printed them (sampled lengths, e.g. ShareGPT's conversations, which state no
    length; or answers that stopped early without --ignore-eos), else the stated answer length where the client
    ignored end-of-sequence, else the answers' share of the input its two throughputs give (`answer_ratio`,
    answer_ratios; runs of one page with the same settings share it), else the stated lengths. None where the
    run neither states nor printed them."""
    notes = row["notes"].lower().replace(",", "")
    stated = [int(row[k]) if row[k] else None for k in ("input_len", "output_len")]
    prompts = prompts_of(notes)
    inputs = re.search(r"total input tokens (\d+)", notes) if prompts else None
    outputs = re.search(r"total generated tokens (\d+)", notes) if prompts else None
    input_len = round(int(inputs.group(1)) / prompts) if inputs else stated[0]
    if input_len is None:
        return None
    if outputs:
        return (input_len, round(int(outputs.group(1)) / prompts)), True
    if stated[1] is None:
        return None
    if states_ignore_eos(notes):
        return (input_len, stated[1]), True
    if answer_ratio:
        return (input_len, round(input_len * answer_ratio)), True
    return (input_len, stated[1]), False


# A study whose own README warns that its benchmark code may contain errors (InferenceX's experimental
# token-position runs: vLLM nightly on Qwen3.5-397B's release day and two days after MiniMax M2.5's) does not
# judge the model: its rows are predicted apart and shown beside the figures (warned_rows), not fitted.
AUTHORS_WARNING = "may contain errors"
WARNED_REASON = "a study whose authors warn its benchmark code may contain errors (predicted apart, see the warned runs)"


def warned_by_authors(row):
    return AUTHORS_WARNING in row["notes"].lower()


def to_request(row, answer_ratio=None, warned_ok=False):
    """-> (request, quantity, measured) or (None, reason). `answer_ratio`: the run's output / input tokens
    from its two throughputs, where it published both. `warned_ok`: build the rows of a study its authors
    warn about (warned_rows) instead of refusing them."""
    metric = row["metric"]
    notes = row["notes"].lower()
    if warned_by_authors(row) and not warned_ok:
        return None, WARNED_REASON
    if metric not in METRICS:
        return None, f"metric {metric} not modelled (itl, input+output totals, MLPerf scenario totals)"
    if not row["model_id"]:
        return None, "model not in the catalog"
    if not row["hardware_id"]:
        return None, "device not in the catalog"
    if "per gpu as published" in notes:
        return None, "published per GPU"
    if "spec decoding=mtp" in notes or "speculative" in notes:
        return None, "speculative decoding"
    if "withdrawn by the publisher" in notes:
        return None, "withdrawn by its publisher (e.g. removed from a page before it was merged)"
    if "pd disaggregation" in notes or "pd-disaggregation" in notes:
        return None, "prompts and answers on separate GPU workers (prefill-decode disaggregation: not modelled)"
    if re.search(r"attention dp|dp-attention|dp attention|data-parallel-size", notes) and row["gpus"] not in ("", "1"):
        return None, "attention data parallel over several GPUs (each GPU holds its own requests' cache: not modelled)"
    lengths = mean_lengths(row, answer_ratio)
    if lengths is None:
        return None, "input/output lengths neither stated nor printed"
    (input_len, output_len), counted = lengths
    if output_len < 32:
        return None, "answers of a few tokens (TPOT and output throughput over 3-31 tokens are start-up noise)"
    if metric == "total_output_tps" and "generation speed (tg" in notes:
        # llama-benchy times each request's answer apart from its prompt: no prompt work in the time.
        return None, "decode-phase speed only (llama-benchy tg: the prompts' time is left out)"
    if metric == "total_output_tps" and "no --ignore-eos" in notes and not counted:
        return None, "output throughput without --ignore-eos (the answers' real length is not known)"
    quant = quant_of(row["precision"], row["model_id"], row["hardware_id"])
    if not quant:
        return None, f"precision {row['precision']} not modelled"
    tp = int(row["tp"]) if row["tp"] else None
    gpus = int(row["gpus"]) if row["gpus"] else tp
    if gpus is None:
        return None, "number of GPUs not stated"
    if tp is None:
        # One model instance over all GPUs when the source says so; otherwise the split is unknown.
        if gpus == 1 or "single model instance" in notes:
            tp = gpus
        else:
            return None, "tensor-parallel size not stated"
    if row["hardware_id"] == "dgx-spark" and gpus > 1:
        return None, "several DGX Sparks over Ethernet (no GPU link modelled)"
    request = {"op": "serve", "model": row["model_id"], "hardware": row["hardware_id"], "quant": quant, "gpus": gpus,
               "tensor_parallel": tp, "engine": engine_of(row["engine"]),
               "input_tokens": input_len, "output_tokens": output_len}
    # The run's day: the model's age then sets how far the engine's kernels for it were tuned.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]):
        request["as_of"] = row["date"]
    request.update(SOURCE_SETTINGS.get(row["source_group"], {}))
    if runs_vllm_v0(row):
        request["max_sequences"] = VLLM_V0_MAX_NUM_SEQS
    request["arrivals"] = arrivals_of(notes)
    # A run of a stated number of requests ends with its last answers finishing one by one (the core's
    # run_busy_share): by their spread of lengths where the client samples them, in a last partial wave where
    # they are alike.
    prompts = prompts_of(notes)
    ratio = 1.0 if request["arrivals"] == "together" else range_ratio_of(notes)
    if request["arrivals"] != "burst" and prompts and ratio is not None:
        request["prompts"] = prompts
        request["length_range_ratio"] = ratio
    # An 8-bit cache the run states (vLLM --kv-cache-dtype fp8, AMD's FP8-KV checkpoints).
    if re.search(r"kv-cache-dtype[ =]fp8|fp8-kv", (row["notes"] + " " + row["precision"] + " " + row["model"]).lower()):
        request["kv"] = "q8_0"
    all_at_once = re.search(r"(\d+) successful requests", notes) if "all prompts submitted at once" in notes else None
    if row["concurrency"]:
        request["users"] = int(row["concurrency"])
    elif "max load" in notes or "infinite rate" in notes:
        request["at_memory_limit"] = True  # a saturation benchmark: as many sequences as the memory holds
    elif all_at_once:
        request["users"] = int(all_at_once.group(1))  # vllm bench serve's default rate (inf): every prompt at once
    elif row["request_rate"] and row["request_rate"] != "inf":
        return None, "a fixed request rate (open loop) is not modelled: runwell plans concurrent users"
    else:
        return None, "concurrency not stated"
    quantity, unit = METRICS[metric]
    value = float(row["value"])
    if unit == "ms" and row["unit"] == "s":  # a TTFT published in seconds
        unit = None
    measured = 1000.0 / value if unit == "per_ms" else value / 1000.0 if unit == "ms" else value
    return (request, quantity, measured), None


# llama-batched-bench models published under another name with a catalog model's architecture and size.
SLOT_MODEL_ALIASES = {"Qwen3-Coder-30B-A3B": "qwen3-coder-30b-a3b-instruct", "Qwen2.5-Coder-7B": "qwen2.5-7b-instruct",
                      "gemma-3-4b-it": "gemma-3-4b-it"}
SLOT_QUANTS = {"MXFP4 (MoE)": "MXFP4", "Q8_0": "Q8_0", "Q4_0": "Q4_0"}


def published_rows():
    """Every row of measurements/serving/*.csv with where it is ("file.csv:line")."""
    for path in sorted(glob.glob(os.path.join(SERVING, "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for line_no, row in enumerate(csv.DictReader(f), start=2):
                yield f"{os.path.basename(path)}:{line_no}", row


def kv_pool_rows(ref):
    """vLLM's startup logs in the memory reference folder `ref` (vllm_kv_pool.csv): the KV pool ("Available KV
    cache memory") each GPU keeps once the weights and the profile run's peak are taken from its share, against
    the plan's kv_pool_gib (nothing fitted). A failed start (a negative pool) is matched by a plan that does not fit."""
    logs = accuracy_memory.read_reference(ref, "vllm_kv_pool.csv")
    return [dict(where=f"vllm_kv_pool.csv:{n}", url=row["source_url"], device=row["device"], model=row["model"],
                 measured=float(row["kv_cache_gib"]),
                 request={"op": "serve", "engine": "batched", "model": row["model_id"], "hardware": row["hardware_id"],
                          "quant": row["quant"], "gpus": int(row["tp"]), "tensor_parallel": int(row["tp"]),
                          "memory_fraction": float(row["gpu_memory_utilization"]), "input_tokens": 1024,
                          "output_tokens": 128, "users": 1})
            for n, row in enumerate(logs, start=2) if row["gpu_memory_utilization"]]  # the share is the test condition


def slot_rows():
    """llama-batched-bench S_TG (B sequences decoding together after a PP-token prompt): a check of the
    llama.cpp slots physics, which has no serving constant of its own (never fitted)."""
    rows = []
    for where, row in published_rows():
        if row["engine"] != "llama.cpp" or row["metric"] != "s_tg_tps":
            continue
        model = row["model_id"] or next((m for k, m in SLOT_MODEL_ALIASES.items() if k in row["model"]), None)
        quant = SLOT_QUANTS.get(row["precision"])
        if not model or not quant or not row["hardware_id"]:
            continue
        request = {"op": "serve", "engine": "llama.cpp", "model": model, "hardware": row["hardware_id"], "quant": quant,
                   "input_tokens": int(row["input_len"]), "output_tokens": int(row["output_len"]),
                   "users": int(row["concurrency"]), "kv": "f16"}
        rows.append(dict(where=where, source=row["source_group"], device=row["device"], band_class="*", backend="*",
                         model=row["model"], users=int(row["concurrency"]), request=request, quantity="slots_decode_tps",
                         measured=float(row["value"])))
    return rows


def run_of(row):
    """One benchmark run: the rows a single invocation published (its throughput, TPOT, TTFT...)."""
    return tuple(row[k] for k in ("source_url", "engine", "engine_version", "model", "device", "gpus", "tp", "precision",
                                  "input_len", "output_len", "concurrency", "request_rate"))


# At concurrency 1 no request waits for another, so each TTFT is its own prompt's: a mean over ten times
# the median means one request took the time of many (the first after the server started: warm-up,
# kernel compilation). The published runs split cleanly: 11.8x and above at concurrency 1, 5.1x at most elsewhere.
WARM_UP_TTFT_RATIO = 10


def metrics_by_run(published, metrics):
    """{run: {metric: value}} of the `metrics` each run published (run_of: one invocation's rows)."""
    runs = {}
    for _, row in published:
        if row["metric"] in metrics and row["value"]:
            runs.setdefault(run_of(row), {})[row["metric"]] = float(row["value"])
    return runs


def warmed_up_runs(published):
    """The concurrency-1 runs among `published` rows whose duration includes the server's warm-up."""
    alone = [(where, row) for where, row in published if row["concurrency"] == "1"]
    ttft = metrics_by_run(alone, ("ttft_ms_mean", "ttft_ms_median"))
    return {run for run, t in ttft.items()
            if len(t) == 2 and t["ttft_ms_median"] > 0 and t["ttft_ms_mean"] > WARM_UP_TTFT_RATIO * t["ttft_ms_median"]}


def answer_ratios(published):
    """{run: output / input tokens} for the runs that publish both their input+output and their output
    throughput over one duration: output_tps / (total_tps - output_tps). Without --ignore-eos answers stop
    early: InferenceX's gpt-oss 1k/1k runs on vLLM answered 290-380 tokens, not 1024; llm-d's 1k/256 runs 64-128."""
    rates = metrics_by_run(published, ("total_tps", "total_output_tps"))
    return {run: r["total_output_tps"] / (r["total_tps"] - r["total_output_tps"])
            for run, r in rates.items() if len(r) == 2 and r["total_tps"] > r["total_output_tps"] > 0}


def usable_rows():
    rows, excluded = [], Counter()
    published = list(published_rows())
    warm_up = warmed_up_runs(published)
    ratios = answer_ratios(published)
    for where, row in published:
        if row["engine"] == "llama.cpp":
            excluded["llama-batched-bench (pure batched decode, checked by the single-stream model)"] += 1
            continue
        if run_of(row) in warm_up and row["metric"] in ("total_output_tps", "ttft_ms_mean"):
            # Its median TTFT and TPOT are the requests' own; its duration and mean carry the warm-up.
            excluded["a concurrency-1 run whose mean TTFT is over 10x its median (the server's warm-up): its total and mean TTFT"] += 1
            continue
        made, reason = to_request(row, ratios.get(run_of(row)))
        if reason:
            excluded[reason] += 1
            continue
        request, quantity, measured = made
        rows.append(dict(where=where, source=row["source_group"], url=row["source_url"],
                         engine=row["engine"], device=row["device"], model=row["model"], quant=request["quant"],
                         date=row["date"], vendor=vendor_of(row["hardware_id"]), arch=request["quant"], band_class=request["quant"],
                         backend=BACKENDS[vendor_of(row["hardware_id"])],
                         family=vendor_of(row["hardware_id"]), kind="serving", runtime=row["engine"], build=row["engine_version"],
                         request=request, quantity=quantity, measured=measured))
    per_source = Counter(r["source"] for r in rows)
    for r in rows:
        r["weight"] = 1 / math.sqrt(per_source[r["source"]])
    return rows, excluded


def warned_rows():
    """The usable rows of studies their authors warn about (warned_by_authors), each as the serving rows are."""
    published = list(published_rows())
    ratios = answer_ratios(published)
    out = []
    for where, row in published:
        if not warned_by_authors(row):
            continue
        made, reason = to_request(row, ratios.get(run_of(row)), warned_ok=True)
        if not reason:
            request, quantity, measured = made
            out.append(dict(where=where, source=row["source_group"], model=row["model"], request=request, quantity=quantity, measured=measured))
    return out


BACKENDS = {"AMD": "rocm", "NVIDIA": "cuda"}  # the batched engines run on these two (the core refuses the rest)


def vendor_of(hardware_id):
    return "AMD" if hardware_id.startswith("mi") or hardware_id.startswith("rx") else "NVIDIA"


def value_of(answer, quantity):
    point = answer.get("point") or {}
    if quantity == "slots_decode_tps":  # all sequences' decode steps, no prompt in between
        return point["running"] / (point["step_ms"] / 1000) if point.get("step_ms") else 0.0
    field = {"serving_total_tps": "total_tps", "serving_user_tps": "per_user_tps", "serving_ttft": "ttft_s"}[quantity]
    return float(point.get(field, 0.0))
