# CUDA baseline (EET-style BERT encoder), included by the top Makefile after
# BUILD, CC, CXX, CPPFLAGS, CFLAGS, LIB and LDLIBS are set.
#   $(BUILD)/cuda/libacceltran_cuda.a   baselines/cuda/*.cu except bench_gpu.cu
#   $(BUILD)/tests/cuda/test_cuda_bert  (in CUDA_TEST_BINS: built and run by
#                                        `make test`; skips without a GPU)
#   $(BUILD)/bin/bench_gpu              `make bench-gpu` runs it, JSON in
#                                        $(BUILD)/report/gpu.json
# Extra arguments: make bench-gpu BENCH_GPU_ARGS="--quick" (or "--cpu").
# Without nvcc, CUDA_TEST_BINS is empty and bench-gpu says so and fails.

NVCC := $(firstword $(shell command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null))

.PHONY: bench-gpu

ifeq ($(NVCC),)

CUDA_TEST_BINS :=

bench-gpu:
	@echo "bench-gpu: nvcc not found (CUDA toolkit missing)"; exit 1

else

CUDA_HOME  := $(patsubst %/bin/nvcc,%,$(NVCC))
CUDA_DIR   := baselines/cuda
CUDA_OBJ   := $(BUILD)/cuda
CUDA_LIB   := $(CUDA_OBJ)/libacceltran_cuda.a
CUDA_LIB_SRCS := $(filter-out $(CUDA_DIR)/bench_gpu.cu,$(wildcard $(CUDA_DIR)/*.cu))
CUDA_LIB_OBJS := $(CUDA_LIB_SRCS:%.cu=$(CUDA_OBJ)/%.o)

# sm_90 code for H100 / H200 plus compute_90 PTX (JIT-compiled on newer GPUs).
CUDA_ARCH  ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
NVCCFLAGS  := -O3 -std=c++17 $(CUDA_ARCH) -Xcompiler -Wall
NVCC_CPPFLAGS := $(CPPFLAGS) -I$(CUDA_DIR)
CUDA_LDLIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublasLt -lcublas -lcudart -ldl -lrt

CUDA_TEST_BINS := $(BUILD)/tests/cuda/test_cuda_bert
BENCH_GPU := $(BUILD)/bin/bench_gpu
BENCH_GPU_ARGS ?=

$(CUDA_OBJ)/%.o: %.cu
	@mkdir -p $(@D)
	$(NVCC) $(NVCC_CPPFLAGS) $(NVCCFLAGS) -MMD -MP -MF $(@:.o=.d) -c $< -o $@

$(CUDA_LIB): $(CUDA_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Linked by the C++ driver against the shared cuBLAS / cuBLASLt / cudart of
# the toolkit (rpath set), plus libacceltran for the model loaders and the
# CPU reference.
$(BUILD)/tests/cuda/test_cuda_bert: $(CUDA_OBJ)/tests/cuda/test_cuda_bert.o $(CUDA_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CXX) -o $@ $< $(CUDA_LIB) $(LIB) $(CUDA_LDLIBS) $(LDLIBS)

$(BENCH_GPU): $(CUDA_OBJ)/$(CUDA_DIR)/bench_gpu.o $(CUDA_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CXX) -o $@ $< $(CUDA_LIB) $(LIB) $(CUDA_LDLIBS) $(LDLIBS)

bench-gpu: deps
	@$(MAKE) --no-print-directory $(BENCH_GPU)
	@mkdir -p $(BUILD)/report
	$(BENCH_GPU) --json $(BUILD)/report/gpu.json $(BENCH_GPU_ARGS)

endif
