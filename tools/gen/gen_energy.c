/* gen_energy: spec/energy.json (+ spec/acceltran.json for the configuration
 * names and parameters) -> runtime/at_energy_table.h and
 * docs/energy-table.md, the energy-per-action table of the energy estimate
 * (docs/energy.md).
 *
 *   gen_energy ENERGY.json SPEC.json OUTDIR
 *
 * Validated first: every number positive, every entry with a source that
 * the file defines, the modules and buffers the model uses (runtime/
 * at_energy.c) present and no others, instance rules and buffer sizes
 * naming parameters of SPEC.json, every configuration of SPEC.json given
 * exactly one memory that the file defines. Any problem is reported with
 * the path and the item, and nothing is written. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ITEMS 32

static const char *g_path = "spec/energy.json";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_energy: %s: ", g_path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static json_t *need(json_t *obj, const char *key, const char *where)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        die("%s: missing key '%s'", where, key);
    return v;
}

static const char *need_str(json_t *obj, const char *key, const char *where)
{
    json_t *v = need(obj, key, where);
    if (!json_is_string(v) || !*json_string_value(v))
        die("%s: '%s' must be a non-empty string", where, key);
    const char *s = json_string_value(v);
    for (const char *p = s; *p; p++)
        if (*p == '"' || *p == '\\' || *p == '\n' || *p == '|' || (*p == '*' && p[1] == '/'))
            die("%s: '%s' must not hold '\"', '\\', '|', '*/' or a newline", where, key);
    return s;
}

/* A positive finite number (JSON integer or real). */
static double need_pos(json_t *obj, const char *key, const char *where)
{
    json_t *v = need(obj, key, where);
    if (!json_is_number(v))
        die("%s: '%s' must be a number", where, key);
    double x = json_number_value(v);
    if (!(x > 0) || x > 1e12)
        die("%s: '%s' = %g must be positive", where, key, x);
    return x;
}

static unsigned need_count(json_t *obj, const char *key, const char *where)
{
    json_t *v = need(obj, key, where);
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
        die("%s: '%s' must be an integer from 1 to 1000000", where, key);
    return (unsigned)json_integer_value(v);
}

static json_t *need_array(json_t *obj, const char *key, const char *where)
{
    json_t *v = need(obj, key, where);
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_ITEMS)
        die("%s: '%s' must be an array of 1 to %d entries", where, key, MAX_ITEMS);
    return v;
}

static void check_ident(const char *s, const char *where)
{
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            die("%s: name '%s' must be [a-z0-9_]", where, s);
}

static void upper(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        out[k++] = (char)toupper((unsigned char)*s);
    out[k] = 0;
}

/* ------------------------------------------------------------------ model */

/* What runtime/at_energy.c uses: the file must define exactly these. */
static const char *const MODULES[] = {"mac_lane", "softmax", "layernorm", "pre_sparsity",
                                      "post_sparsity", "fifo", "dma"};
static const char *const BUFFERS[] = {"act", "wgt", "mask"};
#define NMOD (int)(sizeof MODULES / sizeof MODULES[0])
#define NBUF (int)(sizeof BUFFERS / sizeof BUFFERS[0])

typedef struct source {
    const char *id, *text;
} source;

typedef struct module {
    const char *name, *desc, *source, *key, *per, *rtl;
    double dyn_mw, leak_mw;
    unsigned count, multipliers;
} module;

typedef struct buffer {
    const char *name, *desc, *source, *key, *param;
    double nj_sqrt_mb, leak_mw_mb;
    unsigned divisor;
} buffer;

typedef struct memory {
    const char *name, *desc, *source, *key;
    double nj_block;
} memory;

typedef struct cfgmem {
    const char *config, *why;
    int memory;
} cfgmem;

typedef struct table {
    double clock_mhz;
    unsigned block_elements, element_bytes, line_elements;
    const char *units_note;
    int nsrc, nmem, ncfg;
    source src[MAX_ITEMS];
    int src_used[MAX_ITEMS];
    module mod[NMOD]; /* in MODULES order */
    buffer buf[NBUF]; /* in BUFFERS order */
    memory mem[MAX_ITEMS];
    cfgmem cfg[MAX_ITEMS];
    int nparams;
    const char *params[64]; /* spec parameter names */
} table;

static const char *need_source(table *t, json_t *obj, const char *where)
{
    const char *s = need_str(obj, "source", where);
    for (int i = 0; i < t->nsrc; i++)
        if (!strcmp(t->src[i].id, s)) {
            t->src_used[i] = 1;
            return s;
        }
    die("%s: source '%s' is not in 'sources'", where, s);
}

static int is_param(const table *t, const char *name)
{
    for (int i = 0; i < t->nparams; i++)
        if (!strcmp(t->params[i], name))
            return 1;
    return 0;
}

static void load_spec_names(table *t, json_t *spec, const char *spec_path)
{
    json_t *params = json_object_get(spec, "params"), *configs = json_object_get(spec, "configs");
    if (!json_is_array(params) || !json_is_array(configs) || json_array_size(params) > 64)
        die("%s: no 'params' / 'configs' arrays", spec_path);
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        json_t *n = json_object_get(p, "name");
        if (!json_is_string(n))
            die("%s: params[%zu] has no name", spec_path, i);
        t->params[t->nparams++] = json_string_value(n);
    }
}

static void load(table *t, json_t *root, json_t *spec, const char *spec_path)
{
    if (!json_is_object(root))
        die("the top level must be an object");
    static const char *const known[] = {"_comment", "clock_mhz", "block_elements", "element_bytes",
                                        "line_elements", "units_note", "sources", "modules",
                                        "buffers", "memories", "config_memory"};
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= !strcmp(key, known[k]);
        if (!ok)
            die("unknown key '%s'", key);
    }
    load_spec_names(t, spec, spec_path);
    t->clock_mhz = need_pos(root, "clock_mhz", "top level");
    t->block_elements = need_count(root, "block_elements", "top level");
    t->element_bytes = need_count(root, "element_bytes", "top level");
    t->line_elements = need_count(root, "line_elements", "top level");
    if (t->block_elements % t->line_elements)
        die("block_elements %u is not a multiple of line_elements %u", t->block_elements, t->line_elements);
    t->units_note = need_str(root, "units_note", "top level");

    size_t i;
    json_t *e;
    char where[128];
    json_array_foreach(need_array(root, "sources", "top level"), i, e)
    {
        snprintf(where, sizeof where, "sources[%zu]", i);
        source *s = &t->src[t->nsrc++];
        s->id = need_str(e, "id", where);
        s->text = need_str(e, "text", where);
        for (int k = 0; k < t->nsrc - 1; k++)
            if (!strcmp(t->src[k].id, s->id))
                die("%s: source id '%s' repeats", where, s->id);
    }

    int seen[NMOD] = {0};
    json_array_foreach(need_array(root, "modules", "top level"), i, e)
    {
        snprintf(where, sizeof where, "modules[%zu]", i);
        const char *name = need_str(e, "name", where);
        int m = -1;
        for (int k = 0; k < NMOD; k++)
            if (!strcmp(MODULES[k], name))
                m = k;
        if (m < 0)
            die("%s: module '%s' is not one the energy model uses", where, name);
        if (seen[m]++)
            die("%s: module '%s' repeats", where, name);
        module *d = &t->mod[m];
        d->name = name;
        d->desc = need_str(e, "desc", where);
        d->dyn_mw = need_pos(e, "dynamic_mw", where);
        d->leak_mw = need_pos(e, "leakage_mw", where);
        d->source = need_source(t, e, where);
        d->key = need_str(e, "key", where);
        json_t *in = need(e, "instances", where);
        d->per = need_str(in, "per", where);
        if (strcmp(d->per, "lane") && strcmp(d->per, "pe") && strcmp(d->per, "device") &&
            strcmp(d->per, "softmax_unit") && strcmp(d->per, "ln_unit"))
            die("%s: instances.per '%s' must be lane, pe, device, softmax_unit or ln_unit", where, d->per);
        d->count = need_count(in, "count", where);
        d->rtl = need_str(in, "rtl", where);
        d->multipliers = !strcmp(name, "mac_lane") ? need_count(e, "multipliers", where) : 0;
    }
    for (int k = 0; k < NMOD; k++)
        if (!seen[k])
            die("modules: missing module '%s'", MODULES[k]);

    int bseen[NBUF] = {0};
    json_array_foreach(need_array(root, "buffers", "top level"), i, e)
    {
        snprintf(where, sizeof where, "buffers[%zu]", i);
        const char *name = need_str(e, "name", where);
        int b = -1;
        for (int k = 0; k < NBUF; k++)
            if (!strcmp(BUFFERS[k], name))
                b = k;
        if (b < 0)
            die("%s: buffer '%s' is not one the energy model uses", where, name);
        if (bseen[b]++)
            die("%s: buffer '%s' repeats", where, name);
        buffer *d = &t->buf[b];
        d->name = name;
        d->desc = need_str(e, "desc", where);
        d->nj_sqrt_mb = need_pos(e, "nj_per_block_sqrt_mb", where);
        d->leak_mw_mb = need_pos(e, "leakage_mw_per_mb", where);
        d->source = need_source(t, e, where);
        d->key = need_str(e, "key", where);
        /* size: "<param>" or "<param>/<n>" (KiB) */
        static char pbuf[NBUF][64];
        const char *size = need_str(e, "size", where);
        const char *slash = strchr(size, '/');
        size_t plen = slash ? (size_t)(slash - size) : strlen(size);
        if (plen == 0 || plen >= sizeof pbuf[b])
            die("%s: size '%s' must be a parameter or parameter/N", where, size);
        memcpy(pbuf[b], size, plen);
        pbuf[b][plen] = 0;
        d->param = pbuf[b];
        if (!is_param(t, d->param))
            die("%s: size '%s': '%s' is not a parameter of %s", where, size, d->param, spec_path);
        if (strlen(d->param) < 5 || strcmp(d->param + strlen(d->param) - 4, "_kib"))
            die("%s: size '%s': the parameter must be a size in KiB (*_kib)", where, size);
        d->divisor = 1;
        if (slash) {
            char *end;
            errno = 0;
            unsigned long n = strtoul(slash + 1, &end, 10);
            if (errno || *end || n < 1 || n > 1024)
                die("%s: size '%s': the divisor must be 1..1024", where, size);
            d->divisor = (unsigned)n;
        }
    }
    for (int k = 0; k < NBUF; k++)
        if (!bseen[k])
            die("buffers: missing buffer '%s'", BUFFERS[k]);

    json_array_foreach(need_array(root, "memories", "top level"), i, e)
    {
        snprintf(where, sizeof where, "memories[%zu]", i);
        memory *d = &t->mem[t->nmem++];
        d->name = need_str(e, "name", where);
        check_ident(d->name, where);
        d->desc = need_str(e, "desc", where);
        d->nj_block = need_pos(e, "nj_per_block", where);
        d->source = need_source(t, e, where);
        d->key = need_str(e, "key", where);
        for (int k = 0; k < t->nmem - 1; k++)
            if (!strcmp(t->mem[k].name, d->name))
                die("%s: memory '%s' repeats", where, d->name);
    }

    json_t *configs = json_object_get(spec, "configs");
    json_array_foreach(need_array(root, "config_memory", "top level"), i, e)
    {
        snprintf(where, sizeof where, "config_memory[%zu]", i);
        cfgmem *d = &t->cfg[t->ncfg++];
        d->config = need_str(e, "config", where);
        d->why = need_str(e, "why", where);
        const char *mem = need_str(e, "memory", where);
        d->memory = -1;
        for (int k = 0; k < t->nmem; k++)
            if (!strcmp(t->mem[k].name, mem))
                d->memory = k;
        if (d->memory < 0)
            die("%s: memory '%s' is not in 'memories'", where, mem);
        for (int k = 0; k < t->ncfg - 1; k++)
            if (!strcmp(t->cfg[k].config, d->config))
                die("%s: configuration '%s' repeats", where, d->config);
        int found = 0;
        size_t j;
        json_t *c;
        json_array_foreach(configs, j, c)
        {
            json_t *n = json_object_get(c, "name");
            found |= json_is_string(n) && !strcmp(json_string_value(n), d->config);
        }
        if (!found)
            die("%s: configuration '%s' is not in %s", where, d->config, spec_path);
    }
    /* a source is cited by an entry's "source" or named in a "why" */
    for (int k = 0; k < t->ncfg; k++)
        for (int s = 0; s < t->nsrc; s++)
            if (strstr(t->cfg[k].why, t->src[s].id))
                t->src_used[s] = 1;
    for (int s = 0; s < t->nsrc; s++)
        if (!t->src_used[s])
            die("sources: '%s' is cited by no entry", t->src[s].id);
    /* in the spec's order, so the C table indexes like at_hw_configs */
    if ((size_t)t->ncfg != json_array_size(configs))
        die("config_memory: %d configurations, %s has %zu (each needs its memory)", t->ncfg, spec_path,
            json_array_size(configs));
    size_t j;
    json_t *c;
    json_array_foreach(configs, j, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (!n || strcmp(n, t->cfg[j].config))
            die("config_memory[%zu]: '%s', want '%s' (the order of %s)", j, t->cfg[j].config, n ? n : "?",
                spec_path);
    }
}

/* ------------------------------------------------------------------ output */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void out(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0)
            die("output formatting failed");
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = 2 * b->cap + (size_t)k + 1;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            die("out of memory");
    }
}

/* x as a C double literal that reads back to the same value (%.12g keeps
 * the spec's digits) and always has a '.' or an exponent. */
static const char *dbl(char *buf, size_t n, double x)
{
    snprintf(buf, n, "%.12g", x);
    if (!strpbrk(buf, ".e"))
        strncat(buf, ".0", n - strlen(buf) - 1);
    return buf;
}

static void gen_h(const table *t, sbuf *b)
{
    char d1[40];
    char up[64];
    out(b, "/* Generated by tools/gen/gen_energy.c from spec/energy.json. Do not edit:\n"
           " * change the spec and run `make gen` (docs/energy.md).\n"
           " *\n"
           " * Energy per action and leakage of the energy estimate (runtime/at_energy.h):\n"
           " * module powers in mW at AT_ENERGY_CLOCK_MHZ, buffer and main-memory energies\n"
           " * per AT_ENERGY_BLOCK_ELEMENTS-element block. */\n"
           "#ifndef ACCELTRAN_AT_ENERGY_TABLE_H\n#define ACCELTRAN_AT_ENERGY_TABLE_H\n\n"
           "#include <stdint.h>\n#include <string.h>\n\n#include \"acceltran_hw.h\"\n\n");
    out(b, "#define AT_ENERGY_SPEC \"spec/energy.json\"\n");
    out(b, "#define AT_ENERGY_CLOCK_MHZ %s /* the clock the module powers are given at */\n",
        dbl(d1, sizeof d1, t->clock_mhz));
    out(b, "#define AT_ENERGY_BLOCK_ELEMENTS %uu\n#define AT_ENERGY_ELEMENT_BYTES %uu\n"
           "#define AT_ENERGY_LINE_ELEMENTS %uu /* a scratchpad line, a mask word */\n",
        t->block_elements, t->element_bytes, t->line_elements);
    out(b, "#define AT_ENERGY_MAC_LANE_MULTIPLIERS %uu /* the lane the mac_lane figures are for */\n\n",
        t->mod[0].multipliers);

    out(b, "typedef struct at_energy_module_entry {\n    const char *name, *desc;\n"
           "    double dynamic_mw, leakage_mw; /* per instance */\n    const char *source;\n"
           "} at_energy_module_entry;\n\n");
    out(b, "enum at_energy_module {\n");
    for (int m = 0; m < NMOD; m++) {
        upper(up, sizeof up, MODULES[m]);
        out(b, "    AT_ENERGY_MOD_%s,\n", up);
    }
    out(b, "    AT_ENERGY_NUM_MODULES\n};\n\n");
    out(b, "static const at_energy_module_entry at_energy_modules[AT_ENERGY_NUM_MODULES] = {\n");
    for (int m = 0; m < NMOD; m++)
        out(b, "    {\"%s\", \"%s\", %.12g, %.12g, \"%s: %s\"},\n", t->mod[m].name, t->mod[m].desc, t->mod[m].dyn_mw,
            t->mod[m].leak_mw, t->mod[m].source, t->mod[m].key);
    out(b, "};\n\n");
    out(b, "/* Instances of module m that the RTL builds in configuration c. */\n"
           "static inline uint64_t at_energy_module_instances(const at_hw_config *c, int m)\n{\n"
           "    switch (m) {\n");
    for (int m = 0; m < NMOD; m++) {
        const module *d = &t->mod[m];
        upper(up, sizeof up, MODULES[m]);
        const char *mul = !strcmp(d->per, "lane") ? "(uint64_t)c->pes * c->lanes * "
                          : !strcmp(d->per, "pe") ? "(uint64_t)c->pes * "
                          : !strcmp(d->per, "softmax_unit") ? "(uint64_t)c->softmax_units * "
                          : !strcmp(d->per, "ln_unit") ? "(uint64_t)c->ln_units * "
                                                  : "(uint64_t)";
        out(b, "    case AT_ENERGY_MOD_%s: /* %s */\n        return %s%uu;\n", up, d->rtl, mul, d->count);
    }
    out(b, "    default:\n        return 0;\n    }\n}\n\n");

    out(b, "typedef struct at_energy_buffer_entry {\n    const char *name, *desc;\n"
           "    double nj_per_block_sqrt_mb; /* per block access: this x sqrt(size in MB) */\n"
           "    double leakage_mw_per_mb;\n    const char *source;\n} at_energy_buffer_entry;\n\n");
    out(b, "enum at_energy_buffer {\n");
    for (int k = 0; k < NBUF; k++) {
        upper(up, sizeof up, BUFFERS[k]);
        out(b, "    AT_ENERGY_BUF_%s,\n", up);
    }
    out(b, "    AT_ENERGY_NUM_BUFFERS\n};\n\n");
    out(b, "static const at_energy_buffer_entry at_energy_buffers[AT_ENERGY_NUM_BUFFERS] = {\n");
    for (int k = 0; k < NBUF; k++)
        out(b, "    {\"%s\", \"%s\", %.12g, %.12g, \"%s: %s\"},\n", t->buf[k].name, t->buf[k].desc,
            t->buf[k].nj_sqrt_mb, t->buf[k].leak_mw_mb, t->buf[k].source, t->buf[k].key);
    out(b, "};\n\n");
    out(b, "/* Size in KiB of buffer k as the RTL builds it in configuration c. */\n"
           "static inline double at_energy_buffer_kib(const at_hw_config *c, int k)\n{\n    switch (k) {\n");
    for (int k = 0; k < NBUF; k++) {
        upper(up, sizeof up, BUFFERS[k]);
        if (t->buf[k].divisor == 1)
            out(b, "    case AT_ENERGY_BUF_%s:\n        return (double)c->%s;\n", up, t->buf[k].param);
        else
            out(b, "    case AT_ENERGY_BUF_%s:\n        return (double)c->%s / %u.0;\n", up, t->buf[k].param,
                t->buf[k].divisor);
    }
    out(b, "    default:\n        return 0;\n    }\n}\n\n");

    out(b, "typedef struct at_energy_memory_entry {\n    const char *name, *desc;\n"
           "    double nj_per_block; /* per block read or written */\n    const char *source;\n"
           "} at_energy_memory_entry;\n\n");
    out(b, "#define AT_ENERGY_NUM_MEMORIES %d\n", t->nmem);
    out(b, "static const at_energy_memory_entry at_energy_memories[AT_ENERGY_NUM_MEMORIES] = {\n");
    for (int k = 0; k < t->nmem; k++)
        out(b, "    {\"%s\", \"%s\", %.12g, \"%s: %s\"},\n", t->mem[k].name, t->mem[k].desc, t->mem[k].nj_block,
            t->mem[k].source, t->mem[k].key);
    out(b, "};\n\n");
    out(b, "/* The main memory of configuration `config` (an index into\n"
           " * at_energy_memories), or -1 for an unknown configuration. */\n"
           "static inline int at_energy_config_memory(const char *config)\n{\n");
    for (int k = 0; k < t->ncfg; k++)
        out(b, "    if (!strcmp(config, \"%s\"))\n        return %d; /* %s */\n", t->cfg[k].config, t->cfg[k].memory,
            t->mem[t->cfg[k].memory].name);
    out(b, "    return -1;\n}\n\n#endif\n");
}

static void gen_md(const table *t, sbuf *b)
{
    out(b, "<!-- Generated by tools/gen/gen_energy.c from spec/energy.json. Do not edit: run `make gen`. -->\n"
           "# Energy per action (the table of the energy estimate)\n\n"
           "The method, the mapping of actions to counters and the limits are in\n"
           "[energy.md](energy.md). Module powers are at %.12g MHz; the dynamic energy\n"
           "of one active cycle is dynamic mW / %.12g MHz.\n\n",
        t->clock_mhz, t->clock_mhz);
    out(b, "%s\n\n", t->units_note);
    out(b, "## Modules\n\n| module | dynamic mW | nJ per active cycle | leakage mW | instances (as built) | source |\n"
           "|---|---|---|---|---|---|\n");
    for (int m = 0; m < NMOD; m++) {
        const module *d = &t->mod[m];
        char inst[64];
        snprintf(inst, sizeof inst, "%u per %s", d->count, d->per);
        out(b, "| %s: %s | %.12g | %.6g | %.12g | %s (%s) | %s, `%s` |\n", d->name, d->desc, d->dyn_mw,
            d->dyn_mw / t->clock_mhz, d->leak_mw, inst, d->rtl, d->source, d->key);
    }
    out(b, "\n## Buffers\n\n| buffer | nJ per block access / sqrt(MB) | leakage mW per MB | size (KiB) | source |\n"
           "|---|---|---|---|---|\n");
    for (int k = 0; k < NBUF; k++) {
        const buffer *d = &t->buf[k];
        char size[80];
        if (d->divisor == 1)
            snprintf(size, sizeof size, "`%s`", d->param);
        else
            snprintf(size, sizeof size, "`%s` / %u", d->param, d->divisor);
        out(b, "| %s: %s | %.12g | %.12g | %s | %s, `%s` |\n", d->name, d->desc, d->nj_sqrt_mb, d->leak_mw_mb, size,
            d->source, d->key);
    }
    out(b, "\n## Main memory\n\n| memory | nJ per block | nJ per byte | source |\n|---|---|---|---|\n");
    for (int k = 0; k < t->nmem; k++) {
        const memory *d = &t->mem[k];
        out(b, "| %s: %s | %.12g | %.6g | %s, `%s` |\n", d->name, d->desc, d->nj_block,
            d->nj_block / (t->block_elements * t->element_bytes), d->source, d->key);
    }
    out(b, "\n## Memory of each configuration\n\n| configuration | memory | why |\n|---|---|---|\n");
    for (int k = 0; k < t->ncfg; k++)
        out(b, "| %s | %s | %s |\n", t->cfg[k].config, t->mem[t->cfg[k].memory].name, t->cfg[k].why);
    out(b, "\n## Sources\n\n");
    for (int i = 0; i < t->nsrc; i++)
        out(b, "- `%s`: %s\n", t->src[i].id, t->src[i].text);
}

static void write_file(const char *dir, const char *rel, const sbuf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    mkdir(dir, 0755);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = 0;
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f)) {
        fprintf(stderr, "gen_energy: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_energy ENERGY.json SPEC.json OUTDIR\n"
                        "writes OUTDIR/runtime/at_energy_table.h and OUTDIR/docs/energy-table.md\n");
        return 2;
    }
    json_error_t jerr;
    g_path = argv[2];
    json_t *spec = json_load_file(argv[2], 0, &jerr);
    if (!spec)
        die("line %d: %s", jerr.line, jerr.text);
    g_path = argv[1];
    json_t *root = json_load_file(argv[1], 0, &jerr);
    if (!root)
        die("line %d: %s", jerr.line, jerr.text);
    static table t;
    load(&t, root, spec, argv[2]);
    sbuf h = {0}, md = {0};
    gen_h(&t, &h);
    gen_md(&t, &md);
    write_file(argv[3], "runtime/at_energy_table.h", &h);
    write_file(argv[3], "docs/energy-table.md", &md);
    json_decref(root);
    json_decref(spec);
    return 0;
}
