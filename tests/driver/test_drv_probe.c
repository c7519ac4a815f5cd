/* Driver probe on the simulated device: every firmware/<config>.dtb on a
 * device of that configuration (fmodel; rtl when built), and on a device of
 * another configuration (a clear register mismatch); reset to IDLE; bad
 * dtb paths and options. */
#include "drv_test_util.h"

static void test_probe_matching(void)
{
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < AT_HW_NUM_CONFIGS; i++) {
            const char *cfg = at_hw_configs[i].name;
            if (!at_port_cosim_available(dt_backends[b], cfg)) {
                check_skip(1, "probe on %s/%s: the backend is not in this build", dt_backends[b], cfg);
                continue;
            }
            dt_dev d;
            int rc = dt_open(dt_backends[b], cfg, NULL, &d);
            CHECK(rc == 0, "%s/%s: open failed (%d)", dt_backends[b], cfg, rc);
            if (rc)
                continue;
            const at_hw_config *c = at_drv_config(d.drv);
            CHECK(!strcmp(c->name, cfg), "%s: probed config %s", cfg, c->name);
            CHECK(!strcmp(at_drv_device(d.drv)->config_name, cfg), "%s: dtb name %s", cfg,
                  at_drv_device(d.drv)->config_name);
            uint32_t st = 0;
            at_err err = {0};
            CHECK(at_drv_reg_read(d.drv, AT_REG_STATUS, &st, &err) == 0, "%s", err.msg);
            CHECK(st & AT_REG_STATUS_IDLE_MASK, "%s: STATUS 0x%08x not IDLE after open", cfg, st);
            uint32_t rs = 0, en = 0;
            at_drv_reg_read(d.drv, AT_REG_RING_SIZE, &rs, NULL);
            at_drv_reg_read(d.drv, AT_REG_CTRL, &en, NULL);
            CHECK(rs == 10 && (en & 1), "%s: RING_SIZE %u CTRL 0x%x", cfg, rs, en);
            /* a reset on request keeps it usable */
            CHECK(at_drv_reset(d.drv, &err) == 0, "%s: reset: %s", cfg, err.msg);
            at_drv_reg_read(d.drv, AT_REG_STATUS, &st, NULL);
            CHECK(st & AT_REG_STATUS_IDLE_MASK, "%s: STATUS 0x%08x after reset", cfg, st);
            dt_close(&d);
        }
}

static void test_probe_mismatch(void)
{
    for (int i = 0; i < AT_HW_NUM_CONFIGS; i++) {
        const char *dev_cfg = at_hw_configs[i].name;
        const char *dtb_cfg = at_hw_configs[(i + 1) % AT_HW_NUM_CONFIGS].name;
        if (!at_port_cosim_available("fmodel", dev_cfg)) {
            check_skip(1, "fmodel/%s: not in this build", dev_cfg);
            continue;
        }
        at_port port;
        at_err err = {0};
        at_port_cosim_opts po = {"fmodel", dev_cfg, 0, 0};
        if (at_port_cosim_open(&po, &port, &err)) {
            CHECK(0, "port %s: %s", dev_cfg, err.msg);
            continue;
        }
        char dtb[512];
        at_drv *drv = NULL;
        int rc = at_drv_open(&port, dt_dtb(dtb_cfg, dtb, sizeof dtb), NULL, &drv, &err);
        CHECK(rc == AT_EDEVICE && drv == NULL, "%s dtb on %s device: rc %d", dtb_cfg, dev_cfg, rc);
        CHECK(strstr(err.msg, "register CONFIG_") && strstr(err.msg, "dtb value") &&
                  strstr(err.msg, "device value"),
              "message: %s", err.msg);
        printf("  %s dtb on a %s device: %s\n", dtb_cfg, dev_cfg, err.msg);
        at_port_close(&port);
    }
}

static void test_probe_bad_inputs(void)
{
    at_port port;
    at_err err = {0};
    at_port_cosim_opts po = {"fmodel", "tiny", 0, 0};
    if (at_port_cosim_open(&po, &port, &err)) {
        CHECK(0, "port: %s", err.msg);
        return;
    }
    at_drv *drv = NULL;
    int rc = at_drv_open(&port, "/nonexistent/x.dtb", NULL, &drv, &err);
    CHECK(rc == AT_EIO && strstr(err.msg, "/nonexistent/x.dtb"), "rc %d: %s", rc, err.msg);
    char dtb[512];
    at_drv_opts o = {.ring_log2 = 17};
    rc = at_drv_open(&port, dt_dtb("tiny", dtb, sizeof dtb), &o, &drv, &err);
    CHECK(rc == AT_EINVAL && strstr(err.msg, "ring_log2"), "rc %d: %s", rc, err.msg);
    rc = at_drv_open(NULL, dtb, NULL, &drv, &err);
    CHECK(rc == AT_EINVAL, "NULL port: rc %d", rc);
    /* unknown backend / configuration of the port */
    at_port p2;
    at_port_cosim_opts bad = {"tpu", "tiny", 0, 0};
    CHECK(at_port_cosim_open(&bad, &p2, &err) == AT_EINVAL, "backend tpu accepted");
    at_port_cosim_opts bad2 = {"fmodel", "huge", 0, 0};
    CHECK(at_port_cosim_open(&bad2, &p2, &err) == AT_EINVAL && strstr(err.msg, "huge"), "config: %s", err.msg);
    at_port_close(&port);
}

/* firmware/acceltran.yaml documents every property the probe reads, and
 * lists it as required. */
static void test_binding_lists_props(void)
{
    FILE *f = fopen("firmware/acceltran.yaml", "rb");
    CHECK(f != NULL, "firmware/acceltran.yaml: cannot open");
    if (!f)
        return;
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    size_t np;
    const at_fdt_prop *props = at_probe_fdt_props(&np);
    for (size_t i = 0; i < np; i++) {
        char prop[128], req[128];
        snprintf(prop, sizeof prop, "\n  %s:\n", props[i].dt);
        snprintf(req, sizeof req, "\n  - %s\n", props[i].dt);
        CHECK(strstr(text, prop) && strstr(text, req), "%s missing from the binding's properties or required",
              props[i].dt);
    }
    CHECK(strstr(text, "const: " AT_COMPATIBLE), "binding compatible is not %s", AT_COMPATIBLE);
}

int main(void)
{
    RUN_CASE(test_probe_matching);
    RUN_CASE(test_probe_mismatch);
    RUN_CASE(test_probe_bad_inputs);
    RUN_CASE(test_binding_lists_props);
    return check_finish("drv_probe");
}
