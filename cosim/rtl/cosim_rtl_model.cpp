// The factory of one Verilated acceltran_top model. rtl_backend.mk compiles
// this file once per (configuration, profile) with
//   -DAT_RTL_CLASS=Vacceltran_top_<config>_<profile>  (the --prefix)
//   -DAT_RTL_TRACE=0|1                                 (built with --trace-fst)
//   -DAT_RTL_FACTORY=at_rtl_model_<config>_<profile>
// and cosim_rtl.cpp lists the factories (AT_RTL_MODELS in at_rtl_models.h).
#define AT_RTL_STR2(x) #x
#define AT_RTL_STR(x) AT_RTL_STR2(x)
#include AT_RTL_STR(AT_RTL_CLASS.h)

#include "rtl_model.hpp"

RtlModel *AT_RTL_FACTORY(bool randomize, int seed);

RtlModel *AT_RTL_FACTORY(bool randomize, int seed)
{
    auto *m = new (std::nothrow) RtlModelT<AT_RTL_CLASS, AT_RTL_TRACE != 0>(randomize, seed);
    if (m && !m->ok()) {
        delete m;
        return nullptr;
    }
    return m;
}
