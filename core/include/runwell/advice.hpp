// Judgement on top of the physics: grades per workload and mode, the best
// quantization, what limits a setup, how to improve it, and run commands.
#pragma once
#include <string>
#include <vector>

#include "runwell/estimate.hpp"
#include "runwell/serving.hpp"
#include "runwell/shell.hpp"

namespace runwell {

struct WorkloadResult {
    const Workload* workload = nullptr;
    long context = 0;       // tokens per sequence it was graded at
    Estimate estimate;      // at the workload's context and the mode's concurrency
    Speed speed;            // decode at the middle of the answer, TTFT for its prompt
    double score = 0;       // 0-100
    std::string grade;      // S A B C D F
};

// Which context a grade is computed at: the workload's own need (the per-workload
// table), or the setup's (the headline, rankings: what the user asked for).
enum class GradeContext { Workload, Setup };
// Score one workload under one mode; the setup's concurrency is replaced by the mode's.
WorkloadResult grade_workload(const Setup& base, const Workload& w, const Mode& mode, GradeContext at = GradeContext::Workload);
int grade_band(double score);  // 5 = S ... 0 = F
std::string letter(double score);
// Loss against the weights the model was released in (KL divergence): none for its own checkpoint, or for
// a file that stores that checkpoint's expert tensors unchanged (Quant::experts_as); the quant's own otherwise.
double kld_of(const Model& m, const Quant& q);
double quality_factor(double kld);       // 1 = lossless
std::string quality_label(double kld);   // "Maximum" ... "Very low"

struct QuantOption {
    const Quant* quant = nullptr;
    double memory_gib = 0;
    Fit fit = Fit::WontRun;
    double score = 0;
    std::string grade;
    double decode_tps = 0;
    double kld = 0;  // kld_of(model, quant)
};

bool quant_applies(const Quant& q, const Device& d);
// Every applicable quant scored for the workload and mode; `best` indexes the top one (-1: none runs).
struct QuantTable {
    std::vector<QuantOption> options;
    int best = -1;
};
QuantTable quant_table(const Catalog& c, const Setup& base, const Workload& w, const Mode& mode,
                       GradeContext at = GradeContext::Setup);
// The quant a request that names none is answered with: the table's best, else Q4_K_M.
const Quant* default_quant(const Catalog& c, const QuantTable& t);

struct Note {
    std::string code;    // stable: offload, headroom, unified_memory, bandwidth, compute, gpu_links, step_overhead,
                         // prompt_queue, context, wont_run
    std::string title;
    std::string detail;
};
// `batched`: the batched engine's state when the speeds are its (a mode's many users), else null.
std::vector<Note> limits(const Setup& s, const Estimate& e, const Speed& sp, const Workload& w, const ServingPoint* batched = nullptr);
// `here`: the setup's own grade for the workload at its context (grade_workload, GradeContext::Setup).
std::vector<Note> improvements(const Catalog& c, const Setup& s, const Estimate& e, const Workload& w,
                               const Mode& mode, const QuantTable& quants, const WorkloadResult& here);

struct Command {
    std::string runtime;  // llama.cpp, docker, ollama, lmstudio, mlx, vllm
    std::string label;
    std::vector<ShellLine> lines;
    std::string text() const;  // the lines as one paste-able shell snippet
};
// Commands that download and run the setup where the runtime can (llama.cpp -hf, Ollama hf.co,
// mlx-community repos), following the catalog's runtime support; `where` is null for inline models.
std::vector<Command> run_commands(const Catalog& c, const Setup& s, const Estimate& e, const Availability* where);
// The published GGUF of the setup's quant (exact = true), else the nearest published one, else null.
const Download* published_download(const Catalog& c, const Availability* where, const Quant& q, bool& exact);

struct RankedModel {
    const Model* model = nullptr;
    const Quant* quant = nullptr;  // best quant on this device
    WorkloadResult result;
};
// Every catalog model on one device: best grade first, larger models first within a grade.
std::vector<RankedModel> rank_models(const Catalog& c, const Setup& base, const Workload& w, const Mode& mode);

}  // namespace runwell
