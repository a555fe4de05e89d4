#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for the cwmp fuzz targets.
#
# Run from the repository root inside the base-builder-rust image, which provides a nightly
# toolchain, cargo-fuzz, $SANITIZER, $OUT and $SRC. Usage (Dockerfile):
#   COPY . $SRC/cwmp
#   WORKDIR $SRC/cwmp
#   COPY fuzz/build.sh $SRC/build.sh
# It builds every target with `cargo fuzz build -O`, and puts next to each binary in $OUT its
# seed corpus (<target>_seed_corpus.zip, corpus/ plus regressions/) and its dictionary
# (<target>.dict, chosen by dict_for below), which is what OSS-Fuzz and ClusterFuzzLite pick up
# by name.

# Find fuzz/: next to this script, under the working directory, or $SRC/cwmp/fuzz.
here="$(cd "$(dirname "$0")" && pwd)"
if grep -qs 'cargo-fuzz = true' "$here/Cargo.toml"; then
  cd "$here"
elif [ -f fuzz/Cargo.toml ]; then
  cd fuzz
else
  cd "$SRC/cwmp/fuzz"
fi

: "${OUT:?set OUT to the output directory}"
SAN="${SANITIZER:-address}"
# cargo-fuzz knows address, memory, thread, leak, none; coverage builds come through RUSTFLAGS.
case "$SAN" in address|memory|thread|leak) SAN_FLAG=(--sanitizer "$SAN") ;; *) SAN_FLAG=(--sanitizer none) ;; esac

# OSS-Fuzz's default toolchain is nightly; elsewhere use rustup's nightly if there is one.
TC=()
if ! rustc --version | grep -q nightly && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  TC=(+nightly)
fi

cargo "${TC[@]}" fuzz build -O "${SAN_FLAG[@]}"

# The dictionary of a target, by name prefix. libFuzzer takes one -dict=, so the session
# targets, whose input is whole HTTP messages carrying SOAP envelopes, get cwmp.dict and
# http.dict concatenated (generated here, not committed, so it cannot drift from its parts).
dict_for() {
  case "$1" in
    http_*) echo http.dict ;;
    connreq_*) echo connreq.dict ;;
    cpe_*|acs_*) echo session ;;
    *) echo cwmp.dict ;;
  esac
}

TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
BIN_DIR="target/$TRIPLE/release"

for target in $(cargo "${TC[@]}" fuzz list); do
  cp "$BIN_DIR/$target" "$OUT/"
  dict="$(dict_for "$target")"
  if [ "$dict" = session ]; then
    cat cwmp.dict http.dict > "$OUT/$target.dict"
  else
    cp "$dict" "$OUT/$target.dict"
  fi
  seeds=()
  [ -d "corpus/$target" ] && seeds+=("corpus/$target")
  [ -d "regressions/$target" ] && seeds+=("regressions/$target")
  if [ "${#seeds[@]}" -gt 0 ]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    zip -q -j -r "$OUT/${target}_seed_corpus.zip" "${seeds[@]}"
  fi
done
echo "built: $(cargo "${TC[@]}" fuzz list | tr '\n' ' ')"
