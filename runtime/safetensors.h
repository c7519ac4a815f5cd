/* Reader for the safetensors format: an 8-byte little-endian header length,
 * a JSON header {name: {dtype, shape, data_offsets:[begin,end]}, ...,
 * "__metadata__": {str: str}} and a data section. Every field is validated
 * against the file: dtype known, shape non-negative with a product matching
 * the byte range, ranges inside the data section and not overlapping.
 * The handle owns the file's bytes; tensors point into it. */
#ifndef ACCELTRAN_SAFETENSORS_H
#define ACCELTRAN_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"

#define ST_MAX_DIMS 8

typedef enum st_dtype {
    ST_BOOL, ST_U8, ST_I8, ST_U16, ST_I16, ST_F16, ST_BF16,
    ST_U32, ST_I32, ST_F32, ST_U64, ST_I64, ST_F64
} st_dtype;

typedef struct st_tensor {
    const char *name;
    st_dtype dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    uint64_t nelem;
    uint64_t begin, end;  /* byte offsets within the data section */
    const void *data;     /* points into the file's bytes */
} st_tensor;

typedef struct st_file st_file;

/* Opens and validates path. On failure *out is NULL and err names the file
 * and the problem (code AT_EIO, AT_EFORMAT, AT_ERANGE or AT_ENOMEM). */
int st_open(const char *path, st_file **out, at_err *err);
void st_close(st_file *f);

/* Same validation on an in-memory copy of a file's bytes (buf is copied;
 * label names it in messages, e.g. for fuzzing or embedded weights). */
int st_open_memory(const void *buf, size_t len, const char *label,
                   st_file **out, at_err *err);

size_t st_count(const st_file *f);
const st_tensor *st_at(const st_file *f, size_t i);
const st_tensor *st_find(const st_file *f, const char *name); /* NULL if absent */
const char *st_path(const st_file *f);

const char *st_dtype_name(st_dtype t);
size_t st_dtype_size(st_dtype t);

/* Copies tensor name into a newly allocated float array (F32, F16 and BF16
 * are converted exactly). If shape is non-NULL the tensor must have exactly
 * ndim dimensions equal to shape[]. Missing tensor: AT_ENOTFOUND; other
 * dtype: AT_EUNSUPPORTED; shape mismatch: AT_EFORMAT. Caller frees *out. */
int st_read_f32(const st_file *f, const char *name, int ndim,
                const int64_t *shape, float **out, at_err *err);

/* Scalar conversions, exact (used by the reader and by tests). */
float st_f16_to_f32(uint16_t h);
float st_bf16_to_f32(uint16_t b);

#endif
