"""The serving harness's reading of test conditions (scripts/accuracy_serving.py): which engine defaults a
run had, how long its answers were, which runs it leaves out. Rows are copied from the measurement set or
built like them; expected values are worked out by hand from the published figures."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import accuracy_serving as serving  # noqa: E402

# llm-d's MI355X reference (measurements/serving: llm-d-mi355x), 1024-token prompts asking for 256 tokens
# at 64 users, no --ignore-eos: it published 25820.6 tok/s in+out and 1519.2 tok/s out.
LLM_D = {"source_url": "https://github.com/llm-d/llm-d/blob/a974157bb1230897f6e9e629b4419cb71f952b2c/docs/accelerators/amd-mi355x-perf.md",
         "source_kind": "blog/docs", "source_group": "llm-d-mi355x", "engine": "vllm", "engine_version": "0.15.1",
         "date": "2026-04-22", "device": "AMD Instinct MI355X (gfx950) 288GB", "hardware_id": "mi355x", "gpus": "8",
         "tp": "8", "model": "amd/Llama-3.3-70B-Instruct-FP8-KV", "model_id": "llama-3.3-70b-instruct",
         "precision": "fp8 (fp8 KV cache)", "input_len": "1024", "output_len": "256", "concurrency": "64",
         "request_rate": "inf", "metric": "total_output_tps", "value": "1519.2", "unit": "tok/s",
         "notes": "vllm bench serve --dataset-name random; no --ignore-eos shown in reproducer command"}


def row(**changes):
    r = dict(LLM_D)
    r.update(changes)
    return r


class EngineDefaults(unittest.TestCase):
    def test_vllm_before_0_8_ran_v0_with_256_sequences(self):
        # vLLM 0.6's engine arguments: --max-num-seqs default 256 (docs.vllm.ai v0.6.6.post1).
        v0 = row(engine_version="rocm/vllm-dev:20250112 (vLLM 0.6.7.dev)", metric="tpot_ms", value="30")
        request, _, _ = serving.to_request(v0)[0]
        self.assertEqual(request["max_sequences"], 256)
        for version in ("0.15.1", "v0.11.0", "vllm/vllm-openai:v0.22.0", "0.1.dev12777", ""):
            request, _, _ = serving.to_request(row(engine_version=version, metric="tpot_ms", value="30"))[0]
            self.assertNotIn("max_sequences", request, version)

    def test_only_vllm_versions_count(self):
        self.assertFalse(serving.runs_vllm_v0(row(engine="sglang", engine_version="0.4.6")))


class AnswerLengths(unittest.TestCase):
    def test_two_throughputs_give_the_answers_length(self):
        published = [("a.csv:2", row(metric="total_tps", value="25820.6")), ("a.csv:3", row())]
        ratios = serving.answer_ratios(published)
        ratio = ratios[serving.run_of(LLM_D)]
        # 1519.2 / (25820.6 - 1519.2) = 0.06251; x 1024 = 64.0 tokens, not the 256 asked for.
        self.assertAlmostEqual(ratio, 0.06251, places=4)
        (request, quantity, measured), reason = serving.to_request(row(metric="tpot_ms", value="37.3"), ratio)
        self.assertIsNone(reason)
        self.assertEqual((request["input_tokens"], request["output_tokens"]), (1024, 64))

    def test_printed_token_totals_come_first(self):
        notes = "num prompts 80; total input tokens 39668; total generated tokens 40805"
        (request, _, _), _ = serving.to_request(row(notes=notes, metric="tpot_ms", value="18"), 0.06251)
        # 39668 / 80 = 495.85 -> 496; 40805 / 80 = 510.06 -> 510.
        self.assertEqual((request["input_tokens"], request["output_tokens"]), (496, 510))

    def test_ignoring_end_of_sequence_gives_the_asked_length(self):
        # Two runs of one page with the same settings share a throughput ratio (here 0.06251: 64 tokens); a client
        # told to ignore end-of-sequence answered the 256 tokens asked, whatever that ratio says.
        (request, _, _), _ = serving.to_request(row(notes="vllm bench serve --ignore-eos --max-concurrency 64"), 0.06251)
        self.assertEqual(request["output_tokens"], 256)
        for negated in ("no --ignore-eos", "--ignore-eos not stated", "without --ignore-eos"):
            (request, _, _), _ = serving.to_request(row(notes=negated, metric="tpot_ms", value="30"), 0.06251)
            self.assertEqual(request["output_tokens"], 64, negated)

    def test_unknown_answers_leave_the_output_throughput_out(self):
        made, reason = serving.to_request(row())
        self.assertIsNone(made)
        self.assertIn("without --ignore-eos", reason)
        self.assertIsNotNone(serving.to_request(row(), 0.06251)[0])

    def test_a_burst_of_every_prompt_is_planned_as_one(self):
        # Its output rate (every answer over the run's duration) and its TPOT are both read, as 500 users at once.
        burst = row(notes="500 successful requests; all prompts submitted at once; no --ignore-eos", concurrency="")
        for metric, value in (("total_output_tps", "1519.2"), ("tpot_ms", "40")):
            (request, _, _), reason = serving.to_request(dict(burst, metric=metric, value=value), 0.05)
            self.assertIsNone(reason, metric)
            self.assertEqual((request["users"], request["arrivals"]), (500, "burst"), metric)


class WarnedStudies(unittest.TestCase):
    # InferenceX's experimental token-position study (measurements/serving/inferencex_token_position.csv): its
    # README says the code "likely contains errors"; the notes quote that warning.
    NOTES = ("InferenceX experimental token-position decode SLO study (the folder README: WIP code, mostly generated, may "
             "contain errors; not part of the official InferenceMAX results); client benchmark_serving_random.py: fixed "
             "lengths (no range variation), --ignore-eos, --max-concurrency 4, num prompts 40, 40 successful requests, "
             "total input tokens 40960 total generated tokens 5120")

    def test_a_warned_study_is_not_a_judge(self):
        warned = row(notes=self.NOTES, metric="tpot_ms", value="15.8", concurrency="4", input_len="1024", output_len="128")
        made, reason = serving.to_request(warned)
        self.assertIsNone(made)
        self.assertEqual(reason, serving.WARNED_REASON)
        # Built apart, as any run: 40960 / 40 = 1024 tokens in, 5120 / 40 = 128 out, 1000 / 15.8 tok/s each.
        (request, quantity, measured), reason = serving.to_request(warned, warned_ok=True)
        self.assertIsNone(reason)
        self.assertEqual((request["input_tokens"], request["output_tokens"], request["users"]), (1024, 128, 4))
        self.assertEqual(quantity, "serving_user_tps")
        self.assertAlmostEqual(measured, 63.29, places=2)

    def test_other_runs_are_not_warned(self):
        self.assertFalse(serving.warned_by_authors(LLM_D))
        self.assertIsNotNone(serving.to_request(row(metric="tpot_ms", value="30"))[0])

    def test_the_measurement_set_holds_warned_runs_apart(self):
        kept, _ = serving.usable_rows()
        warned = serving.warned_rows()
        self.assertTrue(warned)
        kept_places = {r["where"] for r in kept}
        self.assertFalse(kept_places & {r["where"] for r in warned})


class Arrivals(unittest.TestCase):
    def test_how_the_client_sends_its_requests(self):
        # vllm bench's random dataset sends fixed lengths (range ratio 0 by default): the requests stay in step.
        self.assertEqual(serving.arrivals_of("vllm bench serve --dataset-name random --max-concurrency 32"), "together")
        # SGLang's bench_serving samples each request's lengths by default: answers end apart.
        self.assertEqual(serving.arrivals_of("python -m sglang.bench_serving --dataset-name random"), "random")
        self.assertEqual(serving.arrivals_of("random-range-ratio 0.8 (lengths vary around 1024)"), "random")
        # Every prompt at once, whatever the lengths: a burst.
        self.assertEqual(serving.arrivals_of("500 successful requests; all prompts submitted at once"), "burst")
        self.assertEqual(serving.arrivals_of("sharegpt, lengths sampled; all prompts submitted at once"), "burst")
        (request, _, _), _ = serving.to_request(row(metric="ttft_ms_mean", value="1204"), 0.06251)
        self.assertEqual(request["arrivals"], "together")
        # ShareGPT's conversations have lengths of their own, whatever the client's words for it.
        self.assertEqual(serving.arrivals_of("vllm bench serve --dataset-name sharegpt --max-concurrency 4"), "random")
        self.assertEqual(serving.arrivals_of("ShareGPT (sampled lengths) with --max-concurrency 4"), "random")


class RunsEnd(unittest.TestCase):
    def test_a_run_of_stated_prompts_carries_its_spread_of_lengths(self):
        # The SGLang cookbook's notes (measurements/serving/vendor_blogs_2026_12.csv): bench_serving at its default
        # range ratio (0.0 in python/sglang/bench_serving.py), 80 prompts 16 at a time.
        cookbook = ("bench: `python -m sglang.bench_serving --dataset-name random --num-prompts 80 --max-concurrency 16`; "
                    "no --ignore-eos; bench_serving; random (range-ratio not given; lengths vary); 80 successful requests; "
                    "total input tokens 39668; total generated tokens 40725")
        (request, _, _), _ = serving.to_request(row(engine="sglang", concurrency="16", notes=cookbook))
        self.assertEqual((request["prompts"], request["length_range_ratio"]), (80, 0.0))
        # A stated ratio wins; vllm bench's fixed lengths lose only a last partial wave.
        self.assertEqual(serving.range_ratio_of("--random-range-ratio 0.8 and --ignore-eos"), 0.8)
        (request, _, _), _ = serving.to_request(row(notes="vllm bench serve --dataset-name random --num-prompts 128"))
        self.assertEqual((request["prompts"], request["length_range_ratio"]), (128, 1.0))
        # ShareGPT's lengths follow no stated spread, and a burst has no concurrency cap: neither is planned so.
        self.assertIsNone(serving.range_ratio_of("sharegpt (sampled lengths) 100 successful requests"))
        (request, _, _), _ = serving.to_request(row(concurrency="", notes="500 successful requests; all prompts submitted at once"))
        self.assertNotIn("prompts", request)


class SampledLengths(unittest.TestCase):
    # gpustack's GLM-4.6 on eight H200 (measurements/serving/vllm_collected_2026_12.csv): ShareGPT at 4 users, no
    # stated lengths; printed 100 successful requests, total input tokens 22992, total generated tokens 21794.
    GPUSTACK = ("vllm bench serve --backend openai-chat, ShareGPT (sampled lengths) with --max-concurrency 4. "
                "Printed: 100 successful requests, total input tokens 22992, total generated tokens 21794")

    def test_printed_totals_stand_for_lengths_a_dataset_does_not_state(self):
        (request, _, _), reason = serving.to_request(row(input_len="", output_len="", concurrency="4", notes=self.GPUSTACK,
                                                         metric="tpot_ms", value="40"))
        self.assertIsNone(reason)
        # 22992 / 100 = 229.92 -> 230; 21794 / 100 = 217.94 -> 218.
        self.assertEqual((request["input_tokens"], request["output_tokens"]), (230, 218))
        self.assertEqual(request["arrivals"], "random")

    def test_no_lengths_and_no_totals_leave_the_run_out(self):
        _, reason = serving.to_request(row(input_len="", output_len="", notes="ShareGPT, 100 prompts", metric="tpot_ms", value="40"))
        self.assertEqual(reason, "input/output lengths neither stated nor printed")
        # Printed input totals alone do not give the answers' length.
        _, reason = serving.to_request(row(output_len="", notes="100 prompts; total input tokens 23000", metric="tpot_ms", value="40"))
        self.assertEqual(reason, "input/output lengths neither stated nor printed")
        # Nor do printed answer totals alone give the prompts'.
        _, reason = serving.to_request(row(input_len="", notes="100 prompts; total generated tokens 21794", metric="tpot_ms", value="40"))
        self.assertEqual(reason, "input/output lengths neither stated nor printed")


class RunsLeftOut(unittest.TestCase):
    def test_prompts_and_answers_on_separate_workers(self):
        # dstack's benchmarks: SGLang with 1 prefill + 3 decode workers, sglang_router --pd-disaggregation.
        for notes in ("SGLang PD disaggregation 1 prefill + 3 decode workers", "sglang_router --pd-disaggregation"):
            made, reason = serving.to_request(row(notes=notes, metric="tpot_ms", value="30"))
            self.assertIsNone(made)
            self.assertIn("disaggregation", reason)

    def test_results_their_publisher_withdrew(self):
        made, reason = serving.to_request(row(notes="removed before the PR was merged: withdrawn by the publisher",
                                              metric="tpot_ms", value="30"))
        self.assertIsNone(made)
        self.assertIn("withdrawn", reason)


if __name__ == "__main__":
    unittest.main()
