/* bench_gpu: throughput, latency and energy of the EET-style GPU BERT
 * encoder (baselines/cuda/gpu_bert.h), for the all-MiniLM-L6-v2 and
 * BERT-base shapes, fused and unfused, fp32 and fp16, sequence length 128,
 * batch 1 / 8 / 32 / 128. With --cpu the same matrix (fp32, batch 1 / 8 /
 * 32) runs on the CPU float reference (baselines/cpu/bert_float.h) and is
 * reported in the same JSON format. See docs/gpu-baseline.md.
 *
 * Timing (GPU): input uploaded once; 3 warm-up forwards; 5 timed forwards
 * to size the run; then N forwards back to back on the model's stream,
 * N chosen so that the run lasts >= --seconds (default 2, so that NVML's
 * energy counter, updated every 20-100 ms, is meaningful), timed with CUDA
 * events. A "forward" is embeddings through mean pooling + L2 norm, on the
 * device (ids already resident, embeddings left on the device).
 * Energy: NVML total-energy counter (mJ) read after a synchronize before
 * and after the timed run; null without NVML. */
#include <cuda_runtime.h>
#include <cublas_v2.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpu_bert.h"
#include "gpu_nvml.h"

extern "C" {
#include "bert_float.h"
#include "thread_pool.h"
}

#define SEQ_DEFAULT 128

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: bench_gpu [--quick] [--json FILE] [--cpu] [--seconds S] [--seq N]\n"
            "                 [--model DIR] [--threads N]\n"
            "  --quick       fewer configurations (batch 1 and 32 on the GPU; batch 1\n"
            "                and 8 for MiniLM and 1 for BERT-base on the CPU)\n"
            "  --json FILE   also write the JSON report to FILE\n"
            "  --cpu         run the same matrix on the CPU float reference (fp32,\n"
            "                batch 1 / 8 / 32; BERT-base from a temporary directory\n"
            "                holding its random weights); no GPU needed\n"
            "  --seconds S   minimum timed seconds per configuration (default 2)\n"
            "  --seq N       tokens per sequence (default 128)\n"
            "  --model DIR   all-MiniLM-L6-v2 directory (default $ACCELTRAN_MODEL_DIR\n"
            "                or models/all-MiniLM-L6-v2; if missing, random weights\n"
            "                of the same shape are used and the report says so)\n"
            "  --threads N   CPU threads for --cpu (default: online CPUs)\n"
            "Without a CUDA device (and without --cpu) it prints\n"
            "\"bench-gpu: no CUDA device found\" and exits 1.\n");
}

/* Synthetic ids, as tools/bench/bench_float.c: [CLS] random [SEP]. */
typedef struct batch_ids {
    int32_t *buf;
    const int32_t **ids;
    size_t *lens;
    size_t B, L;
} batch_ids;

static int make_ids(batch_ids *b, size_t B, size_t L)
{
    b->B = B, b->L = L;
    b->buf = (int32_t *)malloc(B * L * sizeof(int32_t));
    b->ids = (const int32_t **)malloc(B * sizeof(int32_t *));
    b->lens = (size_t *)malloc(B * sizeof(size_t));
    if (!b->buf || !b->ids || !b->lens)
        return -1;
    uint32_t x = 12345u;
    for (size_t s = 0; s < B; s++) {
        int32_t *p = b->buf + s * L;
        for (size_t t = 0; t < L; t++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            p[t] = 1000 + (int32_t)(x % 29000u);
        }
        p[0] = 101;
        p[L - 1] = 102;
        b->ids[s] = p;
        b->lens[s] = L;
    }
    return 0;
}

static void free_ids(batch_ids *b)
{
    free(b->buf);
    free(b->ids);
    free(b->lens);
}

/* Every embedding finite with norm 1 (+- 1e-3). */
static int check_embeddings(const float *e, size_t B, size_t H)
{
    for (size_t b = 0; b < B; b++) {
        double n = 0;
        for (size_t i = 0; i < H; i++) {
            if (!isfinite(e[b * H + i]))
                return 0;
            n += (double)e[b * H + i] * e[b * H + i];
        }
        if (fabs(sqrt(n) - 1.0) > 1e-3)
            return 0;
    }
    return 1;
}

static void json_str(FILE *j, const char *s)
{
    fputc('"', j);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(j, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(j, "\\u%04x", ch);
        else
            fputc(ch, j);
    }
    fputc('"', j);
}

static void json_num_or_null(FILE *j, const char *key, double v, int have)
{
    if (have && isfinite(v))
        fprintf(j, ", \"%s\": %.6g", key, v);
    else
        fprintf(j, ", \"%s\": null", key);
}

typedef struct model_desc {
    const char *name;       /* "minilm" | "bert-base" */
    const char *weights;    /* where the weights come from */
    gb_host_weights *w;
} model_desc;

static void json_result_head(FILE *j, int *first, const model_desc *md, const char *prec,
                             const char *path, size_t seq, size_t batch)
{
    const bert_config *c = &md->w->cfg;
    fprintf(j, "%s\n    {\"model\": ", *first ? "" : ",");
    *first = 0;
    json_str(j, md->name);
    fprintf(j, ", \"weights\": ");
    json_str(j, md->weights);
    fprintf(j, ", \"layers\": %d, \"hidden\": %d, \"heads\": %d, \"ffn\": %d, "
               "\"precision\": \"%s\", \"path\": \"%s\", \"seq\": %zu, \"batch\": %zu",
            c->layers, c->hidden, c->heads, c->intermediate, prec, path, seq, batch);
}

/* ================================================================ CPU mode */

static int rm_model_dir(const char *dir)
{
    char p[512];
    snprintf(p, sizeof p, "%s/config.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    unlink(p);
    return rmdir(dir);
}

static int run_cpu(model_desc *models, int nmodels, int quick, double seconds, size_t seq,
                   int threads, FILE *j)
{
    char cpu[256] = "unknown CPU";
    FILE *ci = fopen("/proc/cpuinfo", "r");
    if (ci) {
        char line[512];
        while (fgets(line, sizeof line, ci))
            if (!strncmp(line, "model name", 10)) {
                char *c = strchr(line, ':');
                if (c) {
                    c++;
                    while (*c == ' ')
                        c++;
                    c[strcspn(c, "\n")] = 0;
                    snprintf(cpu, sizeof cpu, "%s", c);
                }
                break;
            }
        fclose(ci);
    }
    if (threads <= 0)
        threads = thread_pool_online_cpus();
    fprintf(j, "{\"bench\": \"gpu_bert\", \"device_kind\": \"cpu\", \"device\": ");
    json_str(j, cpu);
    fprintf(j, ", \"threads\": %d, \"implementation\": \"baselines/cpu bert_float (fp32 "
               "reference)\", \"energy_note\": \"no energy counter on the CPU path\", "
               "\"seconds_min\": %.3g, \"results\": [", threads, seconds);
    int first = 1, rc = 0;
    for (int mi = 0; mi < nmodels && rc == 0; mi++) {
        model_desc *md = &models[mi];
        /* The CPU reference loads from a directory: write the weights to a
         * temporary one (for MiniLM too, so that both load the same way
         * whichever weights were found). */
        char dir[] = "/tmp/acceltran_bench_model_XXXXXX";
        if (!mkdtemp(dir)) {
            fprintf(stderr, "bench-gpu: cannot create a temporary directory\n");
            return 1;
        }
        at_err err;
        memset(&err, 0, sizeof err);
        bert_model *bm = NULL;
        fprintf(stderr, "bench-gpu: cpu: writing %s weights to %s\n", md->name, dir);
        if (gb_weights_write(md->w, dir, &err) || bert_model_load(dir, &bm, &err)) {
            fprintf(stderr, "bench-gpu: %s\n", err.msg);
            rm_model_dir(dir);
            return 1;
        }
        rm_model_dir(dir);
        size_t batches[3] = {1, 8, 32};
        int nb = 3;
        if (quick)
            nb = mi == 0 ? 2 : 1;
        const size_t H = (size_t)md->w->cfg.hidden;
        for (int bi = 0; bi < nb && rc == 0; bi++) {
            size_t B = batches[bi];
            batch_ids in;
            float *out = (float *)malloc(B * H * sizeof(float));
            if (make_ids(&in, B, seq) || !out) {
                fprintf(stderr, "bench-gpu: out of memory\n");
                rc = 1;
                free(out);
                free_ids(&in);
                break;
            }
            bert_run_opts o;
            memset(&o, 0, sizeof o);
            o.threads = threads;
            if (bert_embed(bm, in.ids, in.lens, B, &o, out, &err)) { /* warm-up */
                fprintf(stderr, "bench-gpu: %s\n", err.msg);
                rc = 1;
            }
            long iters = 0;
            double t0 = now_s(), t = 0;
            while (rc == 0 && (iters == 0 || t < seconds)) {
                if (bert_embed(bm, in.ids, in.lens, B, &o, out, &err)) {
                    fprintf(stderr, "bench-gpu: %s\n", err.msg);
                    rc = 1;
                }
                iters++;
                t = now_s() - t0;
            }
            if (rc == 0) {
                const double lat = t / (double)iters, sps = (double)(iters * (long)B) / t;
                const int ok = check_embeddings(out, B, H);
                fprintf(stderr, "bench-gpu: cpu %-9s fp32 reference  seq %zu batch %3zu: "
                                "%9.3f ms/batch %10.2f seq/s (%ld calls)%s\n", md->name, seq,
                        B, 1e3 * lat, sps, iters, ok ? "" : "  OUTPUT CHECK FAILED");
                json_result_head(j, &first, md, "fp32", "cpu_reference", seq, B);
                fprintf(j, ", \"iters\": %ld, \"time_s\": %.6g, \"latency_ms\": %.6g, "
                           "\"seq_per_s\": %.6g", iters, t, 1e3 * lat, sps);
                json_num_or_null(j, "energy_j", 0, 0);
                json_num_or_null(j, "energy_mj_per_seq", 0, 0);
                json_num_or_null(j, "avg_power_w", 0, 0);
                fprintf(j, ", \"output_ok\": %s}", ok ? "true" : "false");
                if (!ok)
                    rc = 1;
            }
            free(out);
            free_ids(&in);
        }
        bert_model_free(bm);
    }
    if (nmodels < 2)
        fprintf(j, "\n  ], \"note\": \"BERT-base skipped\"}\n");
    else
        fprintf(j, "\n  ]}\n");
    return rc;
}

/* ================================================================ GPU mode */

#define CK(call)                                                                   \
    do {                                                                           \
        cudaError_t e_ = (call);                                                   \
        if (e_ != cudaSuccess) {                                                   \
            fprintf(stderr, "bench-gpu: %s:%d: %s: %s\n", __FILE__, __LINE__, #call, \
                    cudaGetErrorString(e_));                                       \
            return 1;                                                              \
        }                                                                          \
    } while (0)

typedef struct gpu_run {
    long iters;
    double time_s;
    int have_energy;
    double energy_j;
    unsigned int power_mw; /* NVML sample right after the run */
    int have_power;
    int ok;
} gpu_run;

static int time_gpu(gb_model *m, gb_path path, int flags, const batch_ids *in,
                    double seconds, gpu_run *r)
{
    at_err err;
    memset(&err, 0, sizeof err);
    memset(r, 0, sizeof *r);
    cudaStream_t st = (cudaStream_t)gb_model_stream(m);
    cudaEvent_t e0 = NULL, e1 = NULL;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    int rc = 0;
    float ms = 0;
    long iters = 0;
    unsigned long long mj0 = 0, mj1 = 0;
    int he0 = 0, he1 = 0;
    if (gb_set_input(m, in->ids, in->lens, in->B, &err))
        goto fail;
    for (int i = 0; i < 3; i++)
        if (gb_forward(m, path, flags, &err))
            goto fail;
    if (gb_sync(m, &err))
        goto fail;
    /* Size the run. */
    CK(cudaEventRecord(e0, st));
    for (int i = 0; i < 5; i++)
        if (gb_forward(m, path, flags, &err))
            goto fail;
    CK(cudaEventRecord(e1, st));
    CK(cudaEventSynchronize(e1));
    CK(cudaEventElapsedTime(&ms, e0, e1));
    {
        double per = ms > 0 ? (double)ms / 5e3 : 1e-4;
        iters = (long)ceil(seconds / per);
        if (iters < 10)
            iters = 10;
        if (iters > 10000000)
            iters = 10000000;
    }
    he0 = gb_nvml_energy_mj(&mj0) == 0;
    CK(cudaEventRecord(e0, st));
    for (long i = 0; i < iters; i++)
        if (gb_forward(m, path, flags, &err))
            goto fail;
    CK(cudaEventRecord(e1, st));
    CK(cudaEventSynchronize(e1));
    he1 = gb_nvml_energy_mj(&mj1) == 0;
    r->have_power = gb_nvml_power_mw(&r->power_mw) == 0;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    r->iters = iters;
    r->time_s = (double)ms * 1e-3;
    r->have_energy = he0 && he1 && mj1 >= mj0;
    r->energy_j = (double)(mj1 - mj0) * 1e-3;
    {
        const size_t H = (size_t)gb_model_config(m)->hidden;
        float *out = (float *)malloc(in->B * H * sizeof(float));
        if (!out) {
            fprintf(stderr, "bench-gpu: out of memory\n");
            rc = 1;
        } else if (gb_get_output(m, out, &err)) {
            free(out);
            goto fail;
        } else {
            r->ok = check_embeddings(out, in->B, H);
            free(out);
        }
    }
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return rc;
fail:
    fprintf(stderr, "bench-gpu: %s\n", err.msg);
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return 1;
}

static int run_gpu(model_desc *models, int nmodels, int quick, double seconds, size_t seq,
                   FILE *j)
{
    int dev = 0;
    CK(cudaSetDevice(dev));
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, dev));
    int drv = 0, rtv = 0, blasv = 0;
    CK(cudaDriverGetVersion(&drv));
    CK(cudaRuntimeGetVersion(&rtv));
    {
        cublasHandle_t h = NULL;
        if (cublasCreate(&h) == CUBLAS_STATUS_SUCCESS) {
            cublasGetVersion(h, &blasv);
            cublasDestroy(h);
        }
    }
    char pci[64] = "";
    cudaDeviceGetPCIBusId(pci, (int)sizeof pci, dev);
    char nmsg[256];
    const int have_nvml = gb_nvml_open(pci, nmsg, sizeof nmsg) == 0;
    if (!have_nvml)
        fprintf(stderr, "bench-gpu: %s; energy fields will be null\n", nmsg);
    char driver[96] = "";
    if (have_nvml)
        gb_nvml_driver_version(driver, sizeof driver);
    unsigned int cg = 0, cs = 0, cm = 0;
    const int have_clk = have_nvml && gb_nvml_clocks(&cg, &cs, &cm) == 0;

    fprintf(j, "{\"bench\": \"gpu_bert\", \"device_kind\": \"cuda\", \"device\": ");
    json_str(j, prop.name);
    fprintf(j, ", \"compute_capability\": \"%d.%d\", \"sms\": %d, \"memory_gib\": %.1f, "
               "\"pci_bus_id\": ", prop.major, prop.minor, prop.multiProcessorCount,
            (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
    json_str(j, pci);
    fprintf(j, ", \"driver\": ");
    if (driver[0])
        json_str(j, driver);
    else
        fprintf(j, "null");
    fprintf(j, ", \"cuda_driver_api\": %d, \"cuda_runtime\": %d, \"cublas\": %d, "
               "\"nvml\": %s, \"nvml_note\": ", drv, rtv, blasv, have_nvml ? "true" : "false");
    json_str(j, nmsg);
    if (have_clk)
        fprintf(j, ", \"clocks_mhz_idle\": {\"graphics\": %u, \"sm\": %u, \"mem\": %u}", cg,
                cs, cm);
    else
        fprintf(j, ", \"clocks_mhz_idle\": null");
    fprintf(j, ", \"seconds_min\": %.3g, \"timing\": \"CUDA events around N back-to-back "
               "forwards (embeddings to pooled L2-normalised output, ids resident on the "
               "device)\", \"results\": [", seconds);

    static const size_t full_b[4] = {1, 8, 32, 128}, quick_b[2] = {1, 32};
    const size_t *batches = quick ? quick_b : full_b;
    const int nb = quick ? 2 : 4;
    const size_t maxb = batches[nb - 1];
    int first = 1, rc = 0;
    for (int mi = 0; mi < nmodels && rc == 0; mi++) {
        model_desc *md = &models[mi];
        for (int prec = 0; prec < 2 && rc == 0; prec++) {
            at_err err;
            memset(&err, 0, sizeof err);
            gb_model *m = NULL;
            if (gb_model_create(md->w, (gb_precision)prec, dev, (int)maxb, (int)seq, &m, &err)) {
                fprintf(stderr, "bench-gpu: %s\n", err.msg);
                rc = 1;
                break;
            }
            /* fused, unfused, and (BERT-base, full run) fused with the
             * cuBLASLt tanh-GELU epilogue. */
            const int nvar = (!quick && mi == 1) ? 3 : 2;
            for (int var = 0; var < nvar && rc == 0; var++) {
                const gb_path path = var == 1 ? GB_UNFUSED : GB_FUSED;
                const int flags = var == 2 ? GB_FLAG_LT_GELU_TANH : 0;
                const char *pname = var == 0 ? "fused" : var == 1 ? "unfused" : "fused_lt_gelu_tanh";
                for (int bi = 0; bi < nb && rc == 0; bi++) {
                    batch_ids in;
                    if (make_ids(&in, batches[bi], seq)) {
                        fprintf(stderr, "bench-gpu: out of memory\n");
                        free_ids(&in);
                        rc = 1;
                        break;
                    }
                    gpu_run r;
                    long fb0 = gb_model_lt_fallbacks(m);
                    if (time_gpu(m, path, flags, &in, seconds, &r)) {
                        rc = 1;
                        free_ids(&in);
                        break;
                    }
                    const double B = (double)in.B;
                    const double lat = r.time_s / (double)r.iters;
                    const double sps = (double)r.iters * B / r.time_s;
                    fprintf(stderr, "bench-gpu: %-9s %s %-18s seq %zu batch %3zu: %9.4f ms/batch "
                                    "%10.1f seq/s", md->name, prec ? "fp16" : "fp32", pname,
                            seq, in.B, 1e3 * lat, sps);
                    if (r.have_energy)
                        fprintf(stderr, "  %8.3f mJ/seq  %6.1f W", 1e3 * r.energy_j /
                                ((double)r.iters * B), r.energy_j / r.time_s);
                    fprintf(stderr, "%s\n", r.ok ? "" : "  OUTPUT CHECK FAILED");
                    json_result_head(j, &first, md, prec ? "fp16" : "fp32", pname, seq, in.B);
                    fprintf(j, ", \"iters\": %ld, \"time_s\": %.6g, \"latency_ms\": %.6g, "
                               "\"seq_per_s\": %.6g", r.iters, r.time_s, 1e3 * lat, sps);
                    json_num_or_null(j, "energy_j", r.energy_j, r.have_energy);
                    json_num_or_null(j, "energy_mj_per_seq",
                                     1e3 * r.energy_j / ((double)r.iters * B), r.have_energy);
                    json_num_or_null(j, "avg_power_w", r.energy_j / r.time_s, r.have_energy);
                    json_num_or_null(j, "power_w_sample", r.power_mw * 1e-3, r.have_power);
                    fprintf(j, ", \"lt_fallbacks\": %ld, \"output_ok\": %s}",
                            gb_model_lt_fallbacks(m) - fb0, r.ok ? "true" : "false");
                    if (!r.ok)
                        rc = 1;
                    free_ids(&in);
                }
            }
            gb_model_free(m);
        }
    }
    fprintf(j, "\n  ]}\n");
    gb_nvml_close();
    return rc;
}

/* ================================================================ main */

int main(int argc, char **argv)
{
    const char *json_path = NULL, *dir = getenv("ACCELTRAN_MODEL_DIR");
    if (!dir)
        dir = "models/all-MiniLM-L6-v2";
    int quick = 0, cpu = 0, threads = 0;
    double seconds = 2.0;
    long seq = SEQ_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            quick = 1;
        } else if (!strcmp(a, "--cpu")) {
            cpu = 1;
        } else if (v && !strcmp(a, "--json")) {
            json_path = v, i++;
        } else if (v && !strcmp(a, "--seconds")) {
            seconds = strtod(v, NULL), i++;
        } else if (v && !strcmp(a, "--seq")) {
            seq = strtol(v, NULL, 10), i++;
        } else if (v && !strcmp(a, "--model")) {
            dir = v, i++;
        } else if (v && !strcmp(a, "--threads")) {
            threads = (int)strtol(v, NULL, 10), i++;
        } else {
            fprintf(stderr, "bench-gpu: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!(seconds >= 0 && seconds < 3600) || seq < 2 || seq > 512) {
        fprintf(stderr, "bench-gpu: --seconds must be 0..3600 and --seq 2..512\n");
        return 2;
    }
    at_err err;
    memset(&err, 0, sizeof err);
    if (!cpu && gb_cuda_available(&err)) {
        fprintf(stderr, "bench-gpu: %s\n", err.msg); /* "no CUDA device found (...)" */
        return 1;
    }

    model_desc models[2];
    memset(models, 0, sizeof models);
    models[0].name = "minilm";
    if (gb_weights_load(dir, &models[0].w, &err) == 0) {
        models[0].weights = "all-MiniLM-L6-v2";
    } else {
        fprintf(stderr, "bench-gpu: %s: %s; using random weights of the MiniLM shape\n",
                dir, err.msg);
        bert_config c = gb_bert_base_config();
        c.hidden = 384, c.layers = 6, c.intermediate = 1536;
        if (gb_weights_random(&c, 1, &models[0].w, &err)) {
            fprintf(stderr, "bench-gpu: %s\n", err.msg);
            return 1;
        }
        models[0].weights = "random normal(0, 0.02), seed 1 (model directory not found)";
    }
    models[1].name = "bert-base";
    models[1].weights = "random normal(0, 0.02), seed 2";
    bert_config bb = gb_bert_base_config();
    if (gb_weights_random(&bb, 2, &models[1].w, &err)) {
        fprintf(stderr, "bench-gpu: %s\n", err.msg);
        gb_weights_free(models[0].w);
        return 1;
    }

    char *jbuf = NULL;
    size_t jlen = 0;
    FILE *j = open_memstream(&jbuf, &jlen);
    if (!j) {
        fprintf(stderr, "bench-gpu: out of memory\n");
        return 1;
    }
    int rc = cpu ? run_cpu(models, 2, quick, seconds, (size_t)seq, threads, j)
                 : run_gpu(models, 2, quick, seconds, (size_t)seq, j);
    fclose(j);
    gb_weights_free(models[0].w);
    gb_weights_free(models[1].w);
    if (jbuf) {
        fputs(jbuf, stdout);
        if (json_path) {
            FILE *f = fopen(json_path, "w");
            if (!f || fputs(jbuf, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "bench-gpu: cannot write %s\n", json_path);
                rc = 1;
            } else {
                fprintf(stderr, "bench-gpu: JSON written to %s\n", json_path);
            }
        }
    }
    free(jbuf);
    return rc;
}
