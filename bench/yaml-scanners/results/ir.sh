#!/bin/bash
# Instructions per parse: cachegrind's I refs for N2 parses minus N1 parses, over N2-N1.
# /tmp/ys-str: this crate built as committed; /tmp/ys-buf: the same with core/src/yaml/mod.rs line 168
# changed to Parser::new(saphyr_parser::BufferedInput::new(text.chars())) (an experiment, not committed).
ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | awk '/I *refs/ {gsub(",","",$4); print $4}'; }
N1=20; N2=220
for spec in minimal typical heavy; do
  for sel in "new_from_str (bundlec" "new(StrInput)" "new(BufferedInput" "load(Spanned" "saphyr-parser-bw" "yaml-rust2" "unsafe-libyaml" "new parser each" "one parser reset" "floor" "parse_spec"; do
    a=$(ir /tmp/ys-str /tmp/inputs --no-checks --specs $spec --only "$sel" --iters $N1)
    b=$(ir /tmp/ys-str /tmp/inputs --no-checks --specs $spec --only "$sel" --iters $N2)
    echo "$spec|$sel|$(( (b - a) / (N2 - N1) ))"
  done
  a=$(ir /tmp/ys-buf /tmp/inputs --no-checks --specs $spec --only parse_spec --iters $N1)
  b=$(ir /tmp/ys-buf /tmp/inputs --no-checks --specs $spec --only parse_spec --iters $N2)
  echo "$spec|parse_spec with BufferedInput|$(( (b - a) / (N2 - N1) ))"
done
