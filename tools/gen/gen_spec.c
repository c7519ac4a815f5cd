/* gen_spec: spec/acceltran.json -> rtl/acceltran_pkg.sv,
 * include/acceltran_hw.h, firmware/<config>.dts and docs/registers.md.
 *
 *   gen_spec SPEC.json OUTDIR
 *
 * The spec is validated first (unique aligned offsets, fields inside 32 bits
 * and not overlapping, every field value fitting its width in every
 * configuration); any problem is reported with the spec path and the item,
 * and nothing is written. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_ITEMS 64

typedef struct field {
    const char *name, *desc, *value;
    int lsb, width;
} field;

typedef struct reg {
    const char *name, *desc, *access;
    uint32_t offset;
    int nfields;
    field fields[32];
} reg;

typedef struct param {
    const char *name, *sv, *dt, *desc;
} param;

typedef struct config {
    const char *name, *desc;
    uint64_t values[MAX_ITEMS]; /* indexed like params */
} config;

typedef struct dfield {
    const char *name, *desc, *group;
    int word, lsb, width;
    int view; /* 1: another name for bits other fields define (FLAGS): no overlap check, not "used" */
} dfield;

typedef struct opcode {
    const char *name, *desc, *group;
    int value;
} opcode;

typedef struct deverr {
    const char *name, *desc;
    int value;
} deverr;

typedef struct spec {
    const char *path;
    const char *name, *compatible;
    uint32_t id, vmajor, vminor, vpatch, irq;
    uint64_t mmio_base, mmio_bytes;
    const char *desc;
    int nparams, nconfigs, nregs, ndfields, nopcodes, nerrors, desc_bytes;
    param params[MAX_ITEMS];
    config configs[8];
    reg regs[2 * MAX_ITEMS];
    dfield dfields[2 * MAX_ITEMS];
    opcode opcodes[MAX_ITEMS];
    deverr errors[MAX_ITEMS];
    /* the performance counters: registers CNT_<NAME>_LO / _HI, in pairs at
     * consecutive 8-byte slots from the first one (found by find_counters) */
    int ncounters;
    uint32_t cnt_base;
    char cnt_names[MAX_ITEMS][64];
} spec;

static const char *g_spec_path = "spec";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gen_spec: %s: ", g_spec_path);
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
    if (!json_is_string(v))
        die("%s: '%s' must be a string", where, key);
    return json_string_value(v);
}

static const char *opt_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Integer given as a JSON integer or a string "0x..."/decimal. */
static uint64_t need_uint(json_t *obj, const char *key, const char *where)
{
    json_t *v = need(obj, key, where);
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            die("%s: '%s' must be non-negative", where, key);
        return (uint64_t)json_integer_value(v);
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 0);
        if (errno || end == s || *end)
            die("%s: '%s' = '%s' is not an integer", where, key, s);
        return x;
    }
    die("%s: '%s' must be an integer", where, key);
}

static void check_ident(const char *s, const char *where)
{
    if (!*s)
        die("%s: empty name", where);
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            die("%s: name '%s' must be [A-Za-z0-9_]", where, s);
}

static int param_index(const spec *sp, const char *name)
{
    for (int i = 0; i < sp->nparams; i++)
        if (!strcmp(sp->params[i].name, name))
            return i;
    return -1;
}

/* Value of a register field in configuration c. */
static uint64_t field_value(const spec *sp, const config *c, const field *f)
{
    const char *v = f->value;
    if (!strncmp(v, "const:", 6)) {
        char *end;
        unsigned long long x = strtoull(v + 6, &end, 0);
        if (end == v + 6 || *end)
            die("field %s: bad constant '%s'", f->name, v);
        return x;
    }
    if (!strcmp(v, "device.id"))
        return sp->id;
    if (!strcmp(v, "version.major"))
        return sp->vmajor;
    if (!strcmp(v, "version.minor"))
        return sp->vminor;
    if (!strcmp(v, "version.patch"))
        return sp->vpatch;
    if (!strncmp(v, "param:", 6)) {
        int i = param_index(sp, v + 6);
        if (i < 0)
            die("field %s: unknown parameter '%s'", f->name, v + 6);
        return c->values[i];
    }
    die("field %s: value '%s' must be const:N, device.id, version.X or param:NAME", f->name, v);
}

static uint32_t field_mask(int lsb, int width)
{
    uint64_t m = ((width >= 32) ? 0xffffffffull : ((1ull << width) - 1)) << lsb;
    return (uint32_t)m;
}

static void find_counters(spec *sp);

static void load_spec(spec *sp, const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        die("line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root))
        die("top level must be an object");
    memset(sp, 0, sizeof *sp);
    sp->path = path;

    json_t *dev = need(root, "device", "top");
    sp->name = need_str(dev, "name", "device");
    sp->compatible = need_str(dev, "compatible", "device");
    sp->id = (uint32_t)need_uint(dev, "id", "device");
    json_t *ver = need(dev, "version", "device");
    sp->vmajor = (uint32_t)need_uint(ver, "major", "device.version");
    sp->vminor = (uint32_t)need_uint(ver, "minor", "device.version");
    sp->vpatch = (uint32_t)need_uint(ver, "patch", "device.version");
    sp->mmio_base = need_uint(dev, "mmio_base", "device");
    sp->mmio_bytes = need_uint(dev, "mmio_bytes", "device");
    sp->irq = (uint32_t)need_uint(dev, "irq", "device");

    json_t *params = need(root, "params", "top");
    if (!json_is_array(params) || json_array_size(params) > MAX_ITEMS)
        die("params must be an array of at most %d", MAX_ITEMS);
    size_t i;
    json_t *it;
    json_array_foreach(params, i, it) {
        param *p = &sp->params[sp->nparams++];
        p->name = need_str(it, "name", "params[]");
        p->sv = need_str(it, "sv", p->name);
        p->dt = need_str(it, "dt", p->name);
        p->desc = need_str(it, "desc", p->name);
        check_ident(p->name, "params[]");
        check_ident(p->sv, p->name);
        if (param_index(sp, p->name) != sp->nparams - 1)
            die("parameter '%s' defined twice", p->name);
    }

    json_t *configs = need(root, "configs", "top");
    if (!json_is_array(configs) || json_array_size(configs) < 1 || json_array_size(configs) > 8)
        die("configs must be an array of 1..8");
    json_array_foreach(configs, i, it) {
        config *c = &sp->configs[sp->nconfigs++];
        c->name = need_str(it, "name", "configs[]");
        c->desc = opt_str(it, "desc");
        check_ident(c->name, "configs[]");
        for (int k = 0; k < sp->nparams; k++)
            c->values[k] = need_uint(it, sp->params[k].name, c->name);
        const char *key;
        json_t *val;
        json_object_foreach(it, key, val) {
            if (strcmp(key, "name") && strcmp(key, "desc") && param_index(sp, key) < 0)
                die("config %s: unknown parameter '%s'", c->name, key);
        }
        for (int k = 0; k < sp->nconfigs - 1; k++)
            if (!strcmp(sp->configs[k].name, c->name))
                die("config '%s' defined twice", c->name);
    }

    json_t *regs = need(root, "registers", "top");
    if (!json_is_array(regs) || json_array_size(regs) > 2 * MAX_ITEMS)
        die("registers must be an array of at most %d", MAX_ITEMS);
    json_array_foreach(regs, i, it) {
        reg *r = &sp->regs[sp->nregs++];
        r->name = need_str(it, "name", "registers[]");
        check_ident(r->name, "registers[]");
        r->desc = need_str(it, "desc", r->name);
        r->access = need_str(it, "access", r->name);
        if (strcmp(r->access, "ro") && strcmp(r->access, "rh") && strcmp(r->access, "rw") &&
            strcmp(r->access, "wo") && strcmp(r->access, "w1c"))
            die("register %s: access '%s' must be ro, rh, rw, wo or w1c", r->name, r->access);
        uint64_t off = need_uint(it, "offset", r->name);
        if (off % 4 || off >= sp->mmio_bytes)
            die("register %s: offset 0x%" PRIx64 " not 4-aligned or outside mmio_bytes", r->name, off);
        r->offset = (uint32_t)off;
        for (int k = 0; k < sp->nregs - 1; k++) {
            if (sp->regs[k].offset == r->offset)
                die("registers %s and %s share offset 0x%x", sp->regs[k].name, r->name, r->offset);
            if (!strcmp(sp->regs[k].name, r->name))
                die("register '%s' defined twice", r->name);
        }
        json_t *fields = need(it, "fields", r->name);
        if (!json_is_array(fields) || json_array_size(fields) < 1 || json_array_size(fields) > 32)
            die("register %s: fields must be an array of 1..32", r->name);
        size_t j;
        json_t *fj;
        uint32_t used = 0;
        json_array_foreach(fields, j, fj) {
            field *f = &r->fields[r->nfields++];
            f->name = need_str(fj, "name", r->name);
            check_ident(f->name, r->name);
            f->desc = opt_str(fj, "desc");
            f->value = opt_str(fj, "value");
            f->lsb = (int)need_uint(fj, "lsb", f->name);
            f->width = (int)need_uint(fj, "width", f->name);
            if (f->width < 1 || f->lsb + f->width > 32)
                die("register %s field %s: bits [%d +: %d] outside 32 bits", r->name, f->name, f->lsb,
                    f->width);
            uint32_t m = field_mask(f->lsb, f->width);
            if (used & m)
                die("register %s field %s overlaps another field", r->name, f->name);
            used |= m;
            if (!strcmp(r->access, "ro") && !*f->value)
                die("register %s field %s: read-only field needs a value", r->name, f->name);
            if (*f->value)
                for (int c = 0; c < sp->nconfigs; c++) {
                    uint64_t v = field_value(sp, &sp->configs[c], f);
                    if (f->width < 64 && v >> f->width)
                        die("register %s field %s: value %" PRIu64 " (config %s) does not fit %d bits",
                            r->name, f->name, v, sp->configs[c].name, f->width);
                }
        }
    }

    json_t *desc = need(root, "descriptor", "top");
    sp->desc_bytes = (int)need_uint(desc, "bytes", "descriptor");
    sp->desc = opt_str(desc, "desc");
    if (sp->desc_bytes < 4 || sp->desc_bytes % 4 || sp->desc_bytes > 256)
        die("descriptor: bytes must be a multiple of 4 in 4..256");
    json_t *df = need(desc, "fields", "descriptor");
    if (!json_is_array(df) || json_array_size(df) > 2 * MAX_ITEMS)
        die("descriptor.fields must be an array of at most %d", 2 * MAX_ITEMS);
    json_array_foreach(df, i, it) {
        dfield *f = &sp->dfields[sp->ndfields++];
        f->name = need_str(it, "name", "descriptor.fields[]");
        check_ident(f->name, "descriptor.fields[]");
        f->desc = opt_str(it, "desc");
        f->group = need_str(it, "group", f->name);
        check_ident(f->group, f->name);
        json_t *v = json_object_get(it, "view");
        f->view = v && json_is_true(v);
        f->word = (int)need_uint(it, "word", f->name);
        f->lsb = (int)need_uint(it, "lsb", f->name);
        f->width = (int)need_uint(it, "width", f->name);
        if (f->word >= sp->desc_bytes / 4 || f->width < 1 || f->lsb + f->width > 32)
            die("descriptor field %s: word %d bits [%d +: %d] outside the descriptor", f->name, f->word,
                f->lsb, f->width);
        for (int k = 0; k < sp->ndfields - 1; k++) {
            const dfield *o = &sp->dfields[k];
            if (!strcmp(o->name, f->name))
                die("descriptor field %s defined twice", f->name);
            int same = !strcmp(o->group, f->group) || !strcmp(o->group, "common") || !strcmp(f->group, "common");
            if (same && !o->view && !f->view && o->word == f->word &&
                (field_mask(o->lsb, o->width) & field_mask(f->lsb, f->width)))
                die("descriptor field %s overlaps another field (%s)", f->name, o->name);
        }
    }
    json_t *ops = need(desc, "opcodes", "descriptor");
    if (!json_is_array(ops) || json_array_size(ops) > MAX_ITEMS)
        die("descriptor.opcodes must be an array of at most %d", MAX_ITEMS);
    json_array_foreach(ops, i, it) {
        opcode *o = &sp->opcodes[sp->nopcodes++];
        o->name = need_str(it, "name", "descriptor.opcodes[]");
        check_ident(o->name, "descriptor.opcodes[]");
        o->desc = opt_str(it, "desc");
        o->group = need_str(it, "group", o->name);
        o->value = (int)need_uint(it, "value", o->name);
        if (o->value > 255)
            die("opcode %s: value %d does not fit 8 bits", o->name, o->value);
        for (int k = 0; k < sp->nopcodes - 1; k++)
            if (sp->opcodes[k].value == o->value || !strcmp(sp->opcodes[k].name, o->name))
                die("opcode %s repeats a name or value", o->name);
        int found = !strcmp(o->group, "none");
        for (int k = 0; k < sp->ndfields; k++)
            found |= !strcmp(sp->dfields[k].group, o->group);
        if (!found)
            die("opcode %s: no descriptor field has group '%s'", o->name, o->group);
    }
    json_t *errs = need(root, "errors", "top");
    if (!json_is_array(errs) || json_array_size(errs) < 1 || json_array_size(errs) > MAX_ITEMS)
        die("errors must be an array of 1..%d", MAX_ITEMS);
    json_array_foreach(errs, i, it) {
        deverr *e = &sp->errors[sp->nerrors++];
        e->name = need_str(it, "name", "errors[]");
        check_ident(e->name, "errors[]");
        e->desc = need_str(it, "desc", e->name);
        e->value = (int)need_uint(it, "value", e->name);
        if (e->value > 255)
            die("error %s: value %d does not fit 8 bits", e->name, e->value);
        for (int k = 0; k < sp->nerrors - 1; k++)
            if (sp->errors[k].value == e->value || !strcmp(sp->errors[k].name, e->name))
                die("error %s repeats a name or value", e->name);
    }
    find_counters(sp);
    /* root owns every string we point to; it lives until exit. */
}

/* The counter block: every register named CNT_<NAME>_LO, with CNT_<NAME>_HI
 * at +4, counter k at cnt_base + 8k in register order. Its size sets the
 * RTL's counter index width and the C counter table. */
static void find_counters(spec *sp)
{
    for (int r = 0; r < sp->nregs; r++) {
        const reg *lo = &sp->regs[r];
        size_t n = strlen(lo->name);
        if (strncmp(lo->name, "CNT_", 4))
            continue;
        if (n > 7 && !strcmp(lo->name + n - 3, "_HI"))
            continue; /* checked with its LO */
        if (n <= 7 || strcmp(lo->name + n - 3, "_LO"))
            die("register %s: a counter register must be named CNT_<NAME>_LO or CNT_<NAME>_HI", lo->name);
        if (sp->ncounters == MAX_ITEMS)
            die("more than %d counters", MAX_ITEMS);
        char *cn = sp->cnt_names[sp->ncounters];
        if (n - 7 >= sizeof sp->cnt_names[0])
            die("register %s: counter name too long", lo->name);
        memcpy(cn, lo->name + 4, n - 7);
        cn[n - 7] = 0;
        if (sp->ncounters == 0)
            sp->cnt_base = lo->offset;
        if (lo->offset != sp->cnt_base + 8u * (uint32_t)sp->ncounters)
            die("counter %s: CNT_%s_LO at 0x%x, want 0x%x (counters in consecutive 8-byte slots, in register order)",
                cn, cn, lo->offset, sp->cnt_base + 8u * (uint32_t)sp->ncounters);
        char hi[80];
        snprintf(hi, sizeof hi, "CNT_%s_HI", cn);
        int found = 0;
        for (int k = 0; k < sp->nregs; k++)
            if (!strcmp(sp->regs[k].name, hi)) {
                if (sp->regs[k].offset != lo->offset + 4)
                    die("counter %s: %s at 0x%x, want 0x%x", cn, hi, sp->regs[k].offset, lo->offset + 4);
                found = 1;
            }
        if (!found)
            die("counter %s: no register %s", cn, hi);
        sp->ncounters++;
    }
    for (int r = 0; r < sp->nregs; r++) {
        const char *nm = sp->regs[r].name;
        size_t n = strlen(nm);
        if (strncmp(nm, "CNT_", 4) || n <= 7 || strcmp(nm + n - 3, "_HI"))
            continue;
        int found = 0;
        for (int k = 0; k < sp->ncounters; k++)
            found |= strlen(sp->cnt_names[k]) == n - 7 && !strncmp(sp->cnt_names[k], nm + 4, n - 7);
        if (!found)
            die("register %s: no matching _LO register", nm);
    }
}

static int clog2(uint64_t x)
{
    int w = 0;
    while ((1ull << w) < x)
        w++;
    return w;
}

/* Bits of descriptor word w that opcode o defines: the common fields (views
 * excluded) and the fields of its group. */
static uint32_t desc_used(const spec *sp, const opcode *o, int w)
{
    uint32_t m = 0;
    for (int k = 0; k < sp->ndfields; k++) {
        const dfield *d = &sp->dfields[k];
        if (d->view || d->word != w)
            continue;
        if (!strcmp(d->group, "common") || !strcmp(d->group, o->group))
            m |= field_mask(d->lsb, d->width);
    }
    return m;
}

/* "CONFIG_ARRAY" -> "ConfigArray" */
static void camel(char *out, size_t n, const char *s)
{
    size_t k = 0;
    int up = 1;
    for (; *s && k + 1 < n; s++) {
        if (*s == '_') {
            up = 1;
            continue;
        }
        out[k++] = up ? (char)toupper((unsigned char)*s) : (char)tolower((unsigned char)*s);
        up = 0;
    }
    out[k] = 0;
}

static void upper(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        out[k++] = (char)toupper((unsigned char)*s);
    out[k] = 0;
}

static FILE *open_out(const char *dir, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    /* create dir and the parent folders of rel */
    mkdir(dir, 0755);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = 0;
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_spec: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void close_out(FILE *f)
{
    if (ferror(f) || fclose(f)) {
        fprintf(stderr, "gen_spec: write failed\n");
        exit(1);
    }
}

static const char *HEADER_NOTE = "Generated by tools/gen/gen_spec.c from spec/acceltran.json. Do not edit: run `make gen`.";

static void gen_sv(const spec *sp, const char *dir)
{
    FILE *f = open_out(dir, "rtl/acceltran_pkg.sv");
    char cm[128], cm2[128], up[128];
    fprintf(f, "// %s\n//\n", HEADER_NOTE);
    fprintf(f, "// Configuration parameters, register map and descriptor layout. The\n"
               "// configuration is chosen at build time with +define+ACCELTRAN_CONFIG_<NAME>\n"
               "// (default %s).\n\n", sp->configs[0].name);
    fprintf(f, "package acceltran_pkg;\n\n");
    fprintf(f, "  // Each module uses only some of these constants.\n"
               "  /* verilator lint_off UNUSEDPARAM */\n\n");
    fprintf(f, "  // Device identity\n");
    fprintf(f, "  localparam logic [31:0] DeviceId = 32'h%08x;\n", sp->id);
    fprintf(f, "  localparam int unsigned VersionMajor = %u;\n", sp->vmajor);
    fprintf(f, "  localparam int unsigned VersionMinor = %u;\n", sp->vminor);
    fprintf(f, "  localparam int unsigned VersionPatch = %u;\n\n", sp->vpatch);

    fprintf(f, "  // Configuration\n");
    /* Non-default configurations first, the default in the `else branch. */
    for (int c = 1; c < sp->nconfigs; c++) {
        const config *cf = &sp->configs[c];
        upper(up, sizeof up, cf->name);
        fprintf(f, "`%s ACCELTRAN_CONFIG_%s\n", c == 1 ? "ifdef" : "elsif", up);
        fprintf(f, "  localparam int unsigned ConfigIndex = %d;  // %s: %s\n", c, cf->name, cf->desc);
        for (int k = 0; k < sp->nparams; k++)
            fprintf(f, "  localparam int unsigned %s = %" PRIu64 ";  // %s\n", sp->params[k].sv,
                    cf->values[k], sp->params[k].desc);
    }
    if (sp->nconfigs > 1)
        fprintf(f, "`else\n");
    fprintf(f, "  localparam int unsigned ConfigIndex = 0;  // %s: %s\n", sp->configs[0].name,
            sp->configs[0].desc);
    for (int k = 0; k < sp->nparams; k++)
        fprintf(f, "  localparam int unsigned %s = %" PRIu64 ";  // %s\n", sp->params[k].sv,
                sp->configs[0].values[k], sp->params[k].desc);
    if (sp->nconfigs > 1)
        fprintf(f, "`endif\n");
    fprintf(f, "  localparam int unsigned PeakMacsPerCycle = NumPes * NumLanes * MacsPerLane;\n\n");

    int aw = 1;
    while ((1ull << aw) < sp->mmio_bytes)
        aw++;
    fprintf(f, "  // Registers (byte offsets in the %#" PRIx64 "-byte MMIO window)\n", sp->mmio_bytes);
    fprintf(f, "  localparam int unsigned RegAddrWidth = %d;\n", aw);
    for (int r = 0; r < sp->nregs; r++) {
        const reg *rg = &sp->regs[r];
        camel(cm, sizeof cm, rg->name);
        fprintf(f, "  // %s (%s): %s\n", rg->name, rg->access, rg->desc);
        fprintf(f, "  localparam logic [RegAddrWidth-1:0] Reg%sOffset = %d'h%03x;\n", cm, aw, rg->offset);
        for (int k = 0; k < rg->nfields; k++) {
            camel(cm2, sizeof cm2, rg->fields[k].name);
            fprintf(f, "  localparam int unsigned Reg%s%sLsb = %d;\n", cm, cm2, rg->fields[k].lsb);
            fprintf(f, "  localparam int unsigned Reg%s%sWidth = %d;\n", cm, cm2, rg->fields[k].width);
        }
    }
    fprintf(f, "\n  // Performance counters: counter k is CNT_x_LO/HI at RegCntBaseOffset + 8k\n");
    fprintf(f, "  localparam int unsigned NumCounters = %d;\n", sp->ncounters);
    fprintf(f, "  localparam int unsigned CntIdxWidth = %d;  // $clog2(NumCounters)\n",
            clog2((uint64_t)sp->ncounters) ? clog2((uint64_t)sp->ncounters) : 1);
    fprintf(f, "  localparam logic [RegAddrWidth-1:0] RegCntBaseOffset = %d'h%03x;\n", aw, sp->cnt_base);
    fprintf(f, "  localparam logic [RegAddrWidth-1:0] RegCntEndOffset = %d'h%03x;  // one past the last\n", aw,
            sp->cnt_base + 8u * (uint32_t)sp->ncounters);
    for (int k = 0; k < sp->ncounters; k++) {
        camel(cm, sizeof cm, sp->cnt_names[k]);
        fprintf(f, "  localparam int unsigned Cnt%sIndex = %d;\n", cm, k);
    }
    fprintf(f, "\n  // Command descriptor: %d bytes, %d little-endian 32-bit words\n", sp->desc_bytes,
            sp->desc_bytes / 4);
    fprintf(f, "  localparam int unsigned DescBytes = %d;\n", sp->desc_bytes);
    fprintf(f, "  localparam int unsigned DescWords = %d;\n", sp->desc_bytes / 4);
    for (int k = 0; k < sp->ndfields; k++) {
        camel(cm, sizeof cm, sp->dfields[k].name);
        fprintf(f, "  localparam int unsigned Desc%sWord = %d;  // %s\n", cm, sp->dfields[k].word,
                sp->dfields[k].desc);
        fprintf(f, "  localparam int unsigned Desc%sLsb = %d;\n", cm, sp->dfields[k].lsb);
        fprintf(f, "  localparam int unsigned Desc%sWidth = %d;\n", cm, sp->dfields[k].width);
    }
    fprintf(f, "\n  typedef enum logic [7:0] {\n");
    for (int k = 0; k < sp->nopcodes; k++) {
        camel(cm, sizeof cm, sp->opcodes[k].name);
        fprintf(f, "    Op%s = 8'd%d%s  // %s\n", cm, sp->opcodes[k].value, k + 1 < sp->nopcodes ? "," : "",
                sp->opcodes[k].desc);
    }
    fprintf(f, "  } opcode_e;\n\n");
    fprintf(f, "  // Bits each opcode defines (all others must be 0: ILLEGAL_FIELD), word w at [w*32 +: 32]\n");
    for (int k = 0; k < sp->nopcodes; k++) {
        camel(cm, sizeof cm, sp->opcodes[k].name);
        fprintf(f, "  localparam logic [%d:0] DescUsed%s = %d'h", sp->desc_bytes * 8 - 1, cm, sp->desc_bytes * 8);
        for (int w = sp->desc_bytes / 4 - 1; w >= 0; w--)
            fprintf(f, "%08x%s", desc_used(sp, &sp->opcodes[k], w), w ? "_" : ";\n");
    }
    fprintf(f, "\n  typedef enum logic [7:0] {\n");
    for (int k = 0; k < sp->nerrors; k++) {
        camel(cm, sizeof cm, sp->errors[k].name);
        fprintf(f, "    Err%s = 8'd%d%s  // %s\n", cm, sp->errors[k].value, k + 1 < sp->nerrors ? "," : "",
                sp->errors[k].desc);
    }
    fprintf(f, "  } err_e;\n\n  /* verilator lint_on UNUSEDPARAM */\n\nendpackage\n");
    close_out(f);
}

static void gen_h(const spec *sp, const char *dir)
{
    FILE *f = open_out(dir, "include/acceltran_hw.h");
    char up[128], up2[128];
    fprintf(f, "/* %s\n *\n", HEADER_NOTE);
    fprintf(f, " * Register map, descriptor layout and the hardware configurations, for\n"
               " * the driver, the runtime, the functional model and the tests. */\n");
    fprintf(f, "#ifndef ACCELTRAN_HW_H\n#define ACCELTRAN_HW_H\n\n#include <stdint.h>\n#include <string.h>\n\n");
    fprintf(f, "#define AT_COMPATIBLE \"%s\"\n", sp->compatible);
    fprintf(f, "#define AT_DEVICE_ID 0x%08xu\n", sp->id);
    fprintf(f, "#define AT_VERSION_MAJOR %uu\n#define AT_VERSION_MINOR %uu\n#define AT_VERSION_PATCH %uu\n",
            sp->vmajor, sp->vminor, sp->vpatch);
    fprintf(f, "#define AT_MMIO_BASE 0x%" PRIx64 "ull\n#define AT_MMIO_BYTES 0x%" PRIx64 "u\n", sp->mmio_base,
            sp->mmio_bytes);
    fprintf(f, "#define AT_IRQ %uu\n\n", sp->irq);

    fprintf(f, "/* Field helpers: AT_GET(REG_FIELD, v) and AT_PUT(REG_FIELD, x). */\n");
    fprintf(f, "#define AT_GET(F, v) (((uint32_t)(v) & F##_MASK) >> F##_LSB)\n");
    fprintf(f, "#define AT_PUT(F, x) (((uint32_t)(x) << F##_LSB) & F##_MASK)\n\n");

    fprintf(f, "/* Registers */\n");
    for (int r = 0; r < sp->nregs; r++) {
        const reg *rg = &sp->regs[r];
        fprintf(f, "#define AT_REG_%s 0x%03xu /* %s: %s */\n", rg->name, rg->offset, rg->access, rg->desc);
        for (int k = 0; k < rg->nfields; k++) {
            const field *fd = &rg->fields[k];
            fprintf(f, "#define AT_REG_%s_%s_LSB %d\n", rg->name, fd->name, fd->lsb);
            fprintf(f, "#define AT_REG_%s_%s_WIDTH %d\n", rg->name, fd->name, fd->width);
            fprintf(f, "#define AT_REG_%s_%s_MASK 0x%08xu\n", rg->name, fd->name, field_mask(fd->lsb, fd->width));
        }
    }
    fprintf(f, "\ntypedef struct at_hw_reg_info {\n    const char *name;\n    uint32_t offset;\n"
               "    const char *access;\n} at_hw_reg_info;\n\n");
    fprintf(f, "#define AT_HW_NUM_REGS %d\nstatic const at_hw_reg_info at_hw_regs[AT_HW_NUM_REGS] = {\n", sp->nregs);
    for (int r = 0; r < sp->nregs; r++)
        fprintf(f, "    {\"%s\", 0x%03xu, \"%s\"},\n", sp->regs[r].name, sp->regs[r].offset, sp->regs[r].access);
    fprintf(f, "};\n\n");

    fprintf(f, "/* Performance counters (48 bits): counter i is CNT_x_LO at AT_CNT_REG(i), HI at +4. */\n");
    fprintf(f, "#define AT_NUM_COUNTERS %d\n#define AT_CNT_BASE 0x%03xu\n#define AT_CNT_REG(i) (AT_CNT_BASE + 8u * (uint32_t)(i))\n",
            sp->ncounters, sp->cnt_base);
    fprintf(f, "enum at_counter {\n");
    for (int k = 0; k < sp->ncounters; k++)
        fprintf(f, "    AT_CNT_%s = %d,\n", sp->cnt_names[k], k);
    fprintf(f, "};\n\n/* Name of counter i (\"MAC_ISSUED\"), or NULL. */\n"
               "static inline const char *at_counter_name(unsigned i)\n{\n    static const char *const names[AT_NUM_COUNTERS] = {");
    for (int k = 0; k < sp->ncounters; k++)
        fprintf(f, "%s\"%s\"", k ? ", " : "", sp->cnt_names[k]);
    fprintf(f, "};\n    return i < AT_NUM_COUNTERS ? names[i] : 0;\n}\n\n");
    fprintf(f, "/* Command descriptor: %d bytes, little-endian 32-bit words. */\n", sp->desc_bytes);
    fprintf(f, "#define AT_DESC_BYTES %du\n#define AT_DESC_WORDS %du\n", sp->desc_bytes, sp->desc_bytes / 4);
    for (int k = 0; k < sp->ndfields; k++) {
        const dfield *d = &sp->dfields[k];
        fprintf(f, "#define AT_DESC_%s_WORD %d /* %s */\n", d->name, d->word, d->desc);
        fprintf(f, "#define AT_DESC_%s_LSB %d\n", d->name, d->lsb);
        fprintf(f, "#define AT_DESC_%s_WIDTH %d\n", d->name, d->width);
        fprintf(f, "#define AT_DESC_%s_MASK 0x%08xu\n", d->name, field_mask(d->lsb, d->width));
    }
    fprintf(f, "\n/* Descriptor field helpers over the word array d: AT_DGET(d, FIELD), AT_DPUT(d, FIELD, x). */\n"
               "#define AT_DGET(d, F) (((d)[AT_DESC_##F##_WORD] & AT_DESC_##F##_MASK) >> AT_DESC_##F##_LSB)\n"
               "#define AT_DPUT(d, F, x) ((d)[AT_DESC_##F##_WORD] = ((d)[AT_DESC_##F##_WORD] & ~AT_DESC_##F##_MASK) | \\\n"
               "    (((uint32_t)(x) << AT_DESC_##F##_LSB) & AT_DESC_##F##_MASK))\n");
    fprintf(f, "\nenum at_opcode {\n");
    for (int k = 0; k < sp->nopcodes; k++)
        fprintf(f, "    AT_OP_%s = %d, /* %s */\n", sp->opcodes[k].name, sp->opcodes[k].value, sp->opcodes[k].desc);
    fprintf(f, "};\n\n");
    fprintf(f, "/* Bits each opcode defines; every other descriptor bit must be 0 (ILLEGAL_FIELD).\n"
               " * Returns the %d words for a known opcode, NULL otherwise. */\n", sp->desc_bytes / 4);
    fprintf(f, "static inline const uint32_t *at_desc_used(unsigned opcode)\n{\n    static const uint32_t used[][%d] = {\n",
            sp->desc_bytes / 4);
    for (int k = 0; k < sp->nopcodes; k++) {
        fprintf(f, "        {");
        for (int w = 0; w < sp->desc_bytes / 4; w++)
            fprintf(f, "0x%08xu%s", desc_used(sp, &sp->opcodes[k], w), w + 1 < sp->desc_bytes / 4 ? ", " : "");
        fprintf(f, "}, /* %s */\n", sp->opcodes[k].name);
    }
    fprintf(f, "    };\n    switch (opcode) {\n");
    for (int k = 0; k < sp->nopcodes; k++)
        fprintf(f, "    case %d: return used[%d];\n", sp->opcodes[k].value, k);
    fprintf(f, "    default: return 0;\n    }\n}\n\n");
    fprintf(f, "/* Device error codes (ERR_CODE.CODE) */\nenum at_deverr {\n");
    for (int k = 0; k < sp->nerrors; k++)
        fprintf(f, "    AT_DEVERR_%s = %d, /* %s */\n", sp->errors[k].name, sp->errors[k].value, sp->errors[k].desc);
    fprintf(f, "};\n\n/* Name of a device error code, or NULL. */\n"
               "static inline const char *at_deverr_name(unsigned code)\n{\n    switch (code) {\n");
    for (int k = 0; k < sp->nerrors; k++)
        fprintf(f, "    case %d: return \"%s\";\n", sp->errors[k].value, sp->errors[k].name);
    fprintf(f, "    default: return 0;\n    }\n}\n\n");

    fprintf(f, "/* Hardware configurations */\ntypedef struct at_hw_config {\n    const char *name;\n");
    for (int k = 0; k < sp->nparams; k++)
        fprintf(f, "    uint32_t %s; /* %s */\n", sp->params[k].name, sp->params[k].desc);
    fprintf(f, "} at_hw_config;\n\n");
    fprintf(f, "#define AT_HW_NUM_CONFIGS %d\nstatic const at_hw_config at_hw_configs[AT_HW_NUM_CONFIGS] = {\n",
            sp->nconfigs);
    for (int c = 0; c < sp->nconfigs; c++) {
        fprintf(f, "    {\"%s\"", sp->configs[c].name);
        for (int k = 0; k < sp->nparams; k++)
            fprintf(f, ", %" PRIu64 "u", sp->configs[c].values[k]);
        fprintf(f, "}, /* %s */\n", sp->configs[c].desc);
    }
    fprintf(f, "};\n\n");
    fprintf(f, "/* The configuration called name, or NULL. */\n"
               "static inline const at_hw_config *at_hw_config_find(const char *name)\n{\n"
               "    for (int i = 0; i < AT_HW_NUM_CONFIGS; i++)\n"
               "        if (!strcmp(at_hw_configs[i].name, name))\n"
               "            return &at_hw_configs[i];\n"
               "    return 0;\n}\n\n");
    fprintf(f, "static inline uint64_t at_hw_peak_macs_per_cycle(const at_hw_config *c)\n{\n"
               "    return (uint64_t)c->pes * c->lanes * c->macs_per_lane;\n}\n\n");
    fprintf(f, "/* Value a read-only register holds in configuration c; *known = 0 for\n"
               " * registers that are not constant. */\n"
               "static inline uint32_t at_hw_reg_expected(const at_hw_config *c, uint32_t offset, int *known)\n{\n"
               "    *known = 1;\n    switch (offset) {\n");
    for (int r = 0; r < sp->nregs; r++) {
        const reg *rg = &sp->regs[r];
        if (strcmp(rg->access, "ro"))
            continue;
        fprintf(f, "    case AT_REG_%s:\n        return ", rg->name);
        for (int k = 0; k < rg->nfields; k++) {
            const field *fd = &rg->fields[k];
            upper(up, sizeof up, rg->name);
            upper(up2, sizeof up2, fd->name);
            if (k)
                fprintf(f, " |\n               ");
            if (!strncmp(fd->value, "param:", 6))
                fprintf(f, "AT_PUT(AT_REG_%s_%s, c->%s)", up, up2, fd->value + 6);
            else
                fprintf(f, "AT_PUT(AT_REG_%s_%s, %" PRIu64 "u)", up, up2, field_value(sp, &sp->configs[0], fd));
        }
        fprintf(f, ";\n");
    }
    fprintf(f, "    default:\n        *known = 0;\n        return 0;\n    }\n}\n\n#endif\n");
    close_out(f);
}

static void gen_dts(const spec *sp, const char *dir)
{
    for (int c = 0; c < sp->nconfigs; c++) {
        const config *cf = &sp->configs[c];
        char rel[256];
        snprintf(rel, sizeof rel, "firmware/%s.dts", cf->name);
        FILE *f = open_out(dir, rel);
        fprintf(f, "// %s\n// acceltran '%s' configuration (%s) on the simulation platform.\n", HEADER_NOTE,
                cf->name, cf->desc);
        fprintf(f, "/dts-v1/;\n\n/ {\n");
        fprintf(f, "\tmodel = \"acceltran %s simulation platform\";\n", cf->name);
        fprintf(f, "\tcompatible = \"acceltran,sim-platform\";\n");
        fprintf(f, "\t#address-cells = <2>;\n\t#size-cells = <2>;\n\n");
        fprintf(f, "\tintc: interrupt-controller {\n\t\tcompatible = \"acceltran,sim-intc\";\n"
                   "\t\tinterrupt-controller;\n\t\t#interrupt-cells = <1>;\n\t};\n\n");
        fprintf(f, "\taccel@%" PRIx64 " {\n", sp->mmio_base);
        fprintf(f, "\t\tcompatible = \"%s\";\n", sp->compatible);
        fprintf(f, "\t\treg = <0x%x 0x%x 0x%x 0x%x>;\n", (unsigned)(sp->mmio_base >> 32),
                (unsigned)(sp->mmio_base & 0xffffffffu), (unsigned)(sp->mmio_bytes >> 32),
                (unsigned)(sp->mmio_bytes & 0xffffffffu));
        fprintf(f, "\t\tinterrupt-parent = <&intc>;\n\t\tinterrupts = <%u>;\n", sp->irq);
        fprintf(f, "\t\tacceltran,config-name = \"%s\";\n", cf->name);
        for (int k = 0; k < sp->nparams; k++)
            fprintf(f, "\t\t%s = <%" PRIu64 ">;\n", sp->params[k].dt, cf->values[k]);
        fprintf(f, "\t};\n};\n");
        close_out(f);
    }
}

static void gen_md(const spec *sp, const char *dir)
{
    FILE *f = open_out(dir, "docs/registers.md");
    fprintf(f, "<!-- %s -->\n\n", HEADER_NOTE);
    fprintf(f, "# Register map, descriptor and configurations\n\n");
    fprintf(f, "Device `%s`, compatible `%s`, interface version %u.%u.%u. Registers are 32 bits wide in a "
               "%#" PRIx64 "-byte window (AXI4-Lite); reads of unmapped offsets return 0.\n\n",
            sp->name, sp->compatible, sp->vmajor, sp->vminor, sp->vpatch, sp->mmio_bytes);
    fprintf(f, "## Registers\n\n| offset | name | access | field | bits | reset / value | description |\n"
               "|---|---|---|---|---|---|---|\n");
    for (int r = 0; r < sp->nregs; r++) {
        const reg *rg = &sp->regs[r];
        fprintf(f, "| 0x%03x | %s | %s | | | | %s |\n", rg->offset, rg->name, rg->access, rg->desc);
        for (int k = 0; k < rg->nfields; k++) {
            const field *fd = &rg->fields[k];
            char val[160];
            if (!*fd->value) {
                snprintf(val, sizeof val, "-");
            } else if (!strncmp(fd->value, "param:", 6)) {
                int n = snprintf(val, sizeof val, "%s:", fd->value + 6);
                int pi = param_index(sp, fd->value + 6);
                for (int c = 0; c < sp->nconfigs && n > 0 && (size_t)n < sizeof val; c++)
                    n += snprintf(val + n, sizeof val - (size_t)n, " %s %" PRIu64, sp->configs[c].name,
                                  sp->configs[c].values[pi]);
            } else {
                snprintf(val, sizeof val, "0x%" PRIx64, field_value(sp, &sp->configs[0], fd));
            }
            fprintf(f, "| | | | %s | [%d:%d] | %s | %s |\n", fd->name, fd->lsb + fd->width - 1, fd->lsb, val,
                    fd->desc);
        }
    }
    fprintf(f, "\n## Command descriptor\n\n%s %d bytes (%d words).\n\n| group | word | bits | field | description |\n"
               "|---|---|---|---|---|\n", sp->desc ? sp->desc : "", sp->desc_bytes, sp->desc_bytes / 4);
    for (int k = 0; k < sp->ndfields; k++) {
        const dfield *d = &sp->dfields[k];
        fprintf(f, "| %s | %d | [%d:%d] | %s | %s |\n", d->group, d->word, d->lsb + d->width - 1, d->lsb, d->name,
                d->desc);
    }
    fprintf(f, "\n| opcode | value | group | description |\n|---|---|---|---|\n");
    for (int k = 0; k < sp->nopcodes; k++)
        fprintf(f, "| %s | %d | %s | %s |\n", sp->opcodes[k].name, sp->opcodes[k].value, sp->opcodes[k].group,
                sp->opcodes[k].desc);
    fprintf(f, "\n## Error codes (ERR_CODE.CODE)\n\n| code | value | meaning |\n|---|---|---|\n");
    for (int k = 0; k < sp->nerrors; k++)
        fprintf(f, "| %s | %d | %s |\n", sp->errors[k].name, sp->errors[k].value, sp->errors[k].desc);
    fprintf(f, "\n## Configurations\n\n| parameter | RTL | device tree |");
    for (int c = 0; c < sp->nconfigs; c++)
        fprintf(f, " %s |", sp->configs[c].name);
    fprintf(f, " description |\n|---|---|---|");
    for (int c = 0; c < sp->nconfigs; c++)
        fprintf(f, "---|");
    fprintf(f, "---|\n");
    for (int k = 0; k < sp->nparams; k++) {
        fprintf(f, "| %s | `%s` | `%s` |", sp->params[k].name, sp->params[k].sv, sp->params[k].dt);
        for (int c = 0; c < sp->nconfigs; c++)
            fprintf(f, " %" PRIu64 " |", sp->configs[c].values[k]);
        fprintf(f, " %s |\n", sp->params[k].desc);
    }
    close_out(f);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_spec SPEC.json OUTDIR\n"
                        "writes OUTDIR/rtl/acceltran_pkg.sv, OUTDIR/include/acceltran_hw.h,\n"
                        "OUTDIR/firmware/<config>.dts, OUTDIR/docs/registers.md\n");
        return 2;
    }
    static spec sp; /* large; main's only instance */
    g_spec_path = argv[1];
    load_spec(&sp, argv[1]);
    gen_sv(&sp, argv[2]);
    gen_h(&sp, argv[2]);
    gen_dts(&sp, argv[2]);
    gen_md(&sp, argv[2]);
    return 0;
}
