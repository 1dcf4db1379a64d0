;; Gradient histograms for tree growing, on a WebAssembly.Memory shared by all threads.
;; Compiled by scripts/build-wasm.mjs into histogram-wasm.ts (committed).
;;
;; hist[(f · 256 + bin) · 3 + 0/1/2] += gradient / hessian / count, for the rows at positions
;; [begin, end) of the row permutation. Bins are row-major uint8 (bins[i · d + f]).
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "histogram")
    (param $bins i32) (param $rows i32) (param $begin i32) (param $end i32) (param $d i32)
    (param $grad i32) (param $hess i32) (param $unitHessian i32) (param $weights i32) (param $hist i32)
    (local $r i32) (local $i i32) (local $g f64) (local $h f64) (local $c f64) (local $gh v128)
    (local $base i32) (local $f i32) (local $o i32)
    (local.set $r (local.get $begin))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $g (f64.load (i32.add (local.get $grad) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $h
          (if (result f64) (local.get $unitHessian)
            (then (f64.const 1))
            (else (f64.load (i32.add (local.get $hess) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $c
          (if (result f64) (local.get $weights)
            (then (f64.load (i32.add (local.get $weights) (i32.shl (local.get $i) (i32.const 3)))))
            (else (f64.const 1))))
        ;; (gradient, hessian) as one f64x2: one load, add and store per bin instead of two.
        (local.set $gh (f64x2.replace_lane 1 (f64x2.splat (local.get $g)) (local.get $h)))
        (local.set $base (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $d))))
        (local.set $f (i32.const 0))
        (block $featuresDone
          (loop $featureLoop
            (br_if $featuresDone (i32.ge_u (local.get $f) (local.get $d)))
            (local.set $o
              (i32.add (local.get $hist)
                (i32.mul
                  (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $base) (local.get $f))))
                  (i32.const 24))))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $gh)))
            (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (local.get $c)))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $featureLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
  ;; Sums of rows already gathered into contiguous scratch: m rows of d bins at $src, their weighted
  ;; (gradient, hessian) pairs at $gh and counts at $counts.
  (func $accumulate (param $src i32) (param $gh i32) (param $counts i32) (param $m i32) (param $d i32) (param $hist i32)
    (local $r i32) (local $f i32) (local $o i32) (local $v v128) (local $c f64) (local $base i32)
    (local.set $r (i32.const 0))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $v (v128.load (i32.add (local.get $gh) (i32.shl (local.get $r) (i32.const 4)))))
        (local.set $c (f64.load (i32.add (local.get $counts) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $base (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $d))))
        (local.set $f (i32.const 0))
        (block $featuresDone
          (loop $featureLoop
            (br_if $featuresDone (i32.ge_u (local.get $f) (local.get $d)))
            (local.set $o
              (i32.add (local.get $hist)
                (i32.mul
                  (i32.add (i32.shl (local.get $f) (i32.const 8)) (i32.load8_u (i32.add (local.get $base) (local.get $f))))
                  (i32.const 24))))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $v)))
            (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (local.get $c)))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $featureLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The same sums for rows scattered through the data: blocks of 256 rows are first gathered into
  ;; contiguous scratch (their bins, gradients and counts) with loads that don't wait on each other, so
  ;; many cache misses are in flight at once, then summed from the scratch. 2.3x the direct kernel on a
  ;; 1-in-8 subset of 1M rows; slower than it on contiguous rows.
  (func (export "histogramGathered")
    (param $bins i32) (param $rows i32) (param $begin i32) (param $end i32) (param $d i32)
    (param $grad i32) (param $hess i32) (param $unitHessian i32) (param $weights i32) (param $hist i32) (param $scratch i32)
    (local $b i32) (local $m i32) (local $k i32) (local $i i32) (local $gh i32) (local $counts i32) (local $h f64)
    (local.set $gh (i32.add (local.get $scratch) (i32.and (i32.add (i32.mul (i32.const 256) (local.get $d)) (i32.const 15)) (i32.const -16))))
    (local.set $counts (i32.add (local.get $gh) (i32.const 4096)))
    (local.set $b (local.get $begin))
    (block $done
      (loop $blockLoop
        (br_if $done (i32.ge_u (local.get $b) (local.get $end)))
        (local.set $m (i32.sub (local.get $end) (local.get $b)))
        (if (i32.gt_u (local.get $m) (i32.const 256)) (then (local.set $m (i32.const 256))))
        (local.set $k (i32.const 0))
        (block $gathered
          (loop $gatherLoop
            (br_if $gathered (i32.ge_u (local.get $k) (local.get $m)))
            (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (i32.add (local.get $b) (local.get $k)) (i32.const 2)))))
            (memory.copy
              (i32.add (local.get $scratch) (i32.mul (local.get $k) (local.get $d)))
              (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $d)))
              (local.get $d))
            (local.set $h
              (if (result f64) (local.get $unitHessian)
                (then (f64.const 1))
                (else (f64.load (i32.add (local.get $hess) (i32.shl (local.get $i) (i32.const 3)))))))
            (v128.store (i32.add (local.get $gh) (i32.shl (local.get $k) (i32.const 4)))
              (f64x2.replace_lane 1
                (f64x2.splat (f64.load (i32.add (local.get $grad) (i32.shl (local.get $i) (i32.const 3)))))
                (local.get $h)))
            (f64.store (i32.add (local.get $counts) (i32.shl (local.get $k) (i32.const 3)))
              (if (result f64) (local.get $weights)
                (then (f64.load (i32.add (local.get $weights) (i32.shl (local.get $i) (i32.const 3)))))
                (else (f64.const 1))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $gatherLoop)))
        (call $accumulate (local.get $scratch) (local.get $gh) (local.get $counts) (local.get $m) (local.get $d) (local.get $hist))
        (local.set $b (i32.add (local.get $b) (local.get $m)))
        (br $blockLoop))))
  ;; Stable partition of rows[begin, end) by one feature's bin, read from the feature-major copy of the
  ;; bins: goesLeft[bin] is 1 for the left side. Each row is written to both sides and only the chosen
  ;; side's cursor moves, so there is no branch on the side. Returns the first right-side position.
  (func (export "partition")
    (param $binsByFeature i32) (param $n i32) (param $feature i32) (param $rows i32) (param $begin i32) (param $end i32)
    (param $goesLeft i32) (param $scratch i32) (result i32)
    (local $col i32) (local $k i32) (local $l i32) (local $r i32) (local $i i32) (local $g i32)
    (local.set $col (i32.add (local.get $binsByFeature) (i32.mul (local.get $feature) (local.get $n))))
    (local.set $l (local.get $begin))
    (local.set $k (local.get $begin))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $g (i32.load8_u (i32.add (local.get $goesLeft) (i32.load8_u (i32.add (local.get $col) (local.get $i))))))
        (i32.store (i32.add (local.get $rows) (i32.shl (local.get $l) (i32.const 2))) (local.get $i))
        (i32.store (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 2))) (local.get $i))
        (local.set $l (i32.add (local.get $l) (local.get $g)))
        (local.set $r (i32.add (local.get $r) (i32.sub (i32.const 1) (local.get $g))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rowLoop)))
    (memory.copy (i32.add (local.get $rows) (i32.shl (local.get $l) (i32.const 2))) (local.get $scratch) (i32.shl (local.get $r) (i32.const 2)))
    (local.get $l))
  ;; ---- Fixed-point histograms (unweighted rows) ----
  ;; Each row's gradient and hessian are quantized once per tree into one i64x2: (gradient · 2^gb / max|g|,
  ;; hessian · 2^hb / max h shifted left by cbits, plus 1). A bin is then a single 16-byte i64x2, and the count
  ;; rides in the low cbits of the hessian lane: one load, add and store per (row, feature) instead of two,
  ;; sums that are exact (so a sibling found by subtraction is exact), and a histogram two thirds the size.
  (func (export "quantize")
    (param $grad i32) (param $hess i32) (param $unitHessian i32) (param $begin i32) (param $end i32)
    (param $gmul f64) (param $hmul f64) (param $cbits i32) (param $gh i32)
    (local $i i32) (local $h f64) (local $o i32)
    (local.set $i (local.get $begin))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $h
          (if (result f64) (local.get $unitHessian)
            (then (f64.const 1))
            (else (f64.load (i32.add (local.get $hess) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $o (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4))))
        (i64.store (local.get $o)
          (i64.trunc_sat_f64_s (f64.nearest (f64.mul (f64.load (i32.add (local.get $grad) (i32.shl (local.get $i) (i32.const 3)))) (local.get $gmul)))))
        (i64.store offset=8 (local.get $o)
          (i64.or
            (i64.shl (i64.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $h) (local.get $hmul)))) (i64.extend_i32_u (local.get $cbits)))
            (i64.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rowLoop))))

  ;; hist[f · 256 + bin] += v for the d bins of one row at $base: four features per step from one
  ;; 32-bit load of their bins (the loop overhead was a third of the time), then the remainder.
  (func $addRow (param $base i32) (param $d i32) (param $v v128) (param $hist i32)
    (local $f i32) (local $four i32) (local $o i32) (local $h i32) (local $end4 i32)
    (local.set $end4 (i32.and (local.get $d) (i32.const -4)))
    (local.set $h (local.get $hist))
    (block $quadsDone
      (loop $quadLoop
        (br_if $quadsDone (i32.ge_u (local.get $f) (local.get $end4)))
        (local.set $four (i32.load align=1 (i32.add (local.get $base) (local.get $f))))
        (local.set $o (i32.add (local.get $h) (i32.shl (i32.and (local.get $four) (i32.const 255)) (i32.const 4))))
        (v128.store (local.get $o) (i64x2.add (v128.load (local.get $o)) (local.get $v)))
        (local.set $o (i32.add (local.get $h) (i32.add (i32.const 4096) (i32.shl (i32.and (i32.shr_u (local.get $four) (i32.const 8)) (i32.const 255)) (i32.const 4)))))
        (v128.store (local.get $o) (i64x2.add (v128.load (local.get $o)) (local.get $v)))
        (local.set $o (i32.add (local.get $h) (i32.add (i32.const 8192) (i32.shl (i32.and (i32.shr_u (local.get $four) (i32.const 16)) (i32.const 255)) (i32.const 4)))))
        (v128.store (local.get $o) (i64x2.add (v128.load (local.get $o)) (local.get $v)))
        (local.set $o (i32.add (local.get $h) (i32.add (i32.const 12288) (i32.shl (i32.shr_u (local.get $four) (i32.const 24)) (i32.const 4)))))
        (v128.store (local.get $o) (i64x2.add (v128.load (local.get $o)) (local.get $v)))
        (local.set $h (i32.add (local.get $h) (i32.const 16384)))
        (local.set $f (i32.add (local.get $f) (i32.const 4)))
        (br $quadLoop)))
    (block $done
      (loop $featureLoop
        (br_if $done (i32.ge_u (local.get $f) (local.get $d)))
        (local.set $o (i32.add (local.get $h) (i32.shl (i32.load8_u (i32.add (local.get $base) (local.get $f))) (i32.const 4))))
        (v128.store (local.get $o) (i64x2.add (v128.load (local.get $o)) (local.get $v)))
        (local.set $h (i32.add (local.get $h) (i32.const 4096)))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $featureLoop))))

  ;; hist[f · 256 + bin] += gh[i] for the rows at positions [begin, end); hist must start zeroed.
  (func (export "histogramFixed")
    (param $bins i32) (param $rows i32) (param $begin i32) (param $end i32) (param $d i32) (param $gh i32) (param $hist i32)
    (local $r i32) (local $i i32)
    (local.set $r (local.get $begin))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (local.get $r) (i32.const 2)))))
        (call $addRow
          (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $d)))
          (local.get $d)
          (v128.load (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4))))
          (local.get $hist))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The same for rows scattered through the data: blocks of 256 rows gathered into scratch first
  ;; (bins, then the i64x2 pairs), with loads that don't wait on each other.
  (func (export "histogramFixedGathered")
    (param $bins i32) (param $rows i32) (param $begin i32) (param $end i32) (param $d i32) (param $gh i32) (param $hist i32) (param $scratch i32)
    (local $b i32) (local $m i32) (local $k i32) (local $i i32) (local $pairs i32) (local $r i32)
    (local.set $pairs (i32.add (local.get $scratch) (i32.and (i32.add (i32.mul (i32.const 256) (local.get $d)) (i32.const 15)) (i32.const -16))))
    (local.set $b (local.get $begin))
    (block $done
      (loop $blockLoop
        (br_if $done (i32.ge_u (local.get $b) (local.get $end)))
        (local.set $m (i32.sub (local.get $end) (local.get $b)))
        (if (i32.gt_u (local.get $m) (i32.const 256)) (then (local.set $m (i32.const 256))))
        (local.set $k (i32.const 0))
        (block $gathered
          (loop $gatherLoop
            (br_if $gathered (i32.ge_u (local.get $k) (local.get $m)))
            (local.set $i (i32.load (i32.add (local.get $rows) (i32.shl (i32.add (local.get $b) (local.get $k)) (i32.const 2)))))
            (memory.copy
              (i32.add (local.get $scratch) (i32.mul (local.get $k) (local.get $d)))
              (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $d)))
              (local.get $d))
            (v128.store (i32.add (local.get $pairs) (i32.shl (local.get $k) (i32.const 4)))
              (v128.load (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $gatherLoop)))
        (local.set $r (i32.const 0))
        (block $summed
          (loop $rowLoop
            (br_if $summed (i32.ge_u (local.get $r) (local.get $m)))
            (call $addRow
              (i32.add (local.get $scratch) (i32.mul (local.get $r) (local.get $d)))
              (local.get $d)
              (v128.load (i32.add (local.get $pairs) (i32.shl (local.get $r) (i32.const 4))))
              (local.get $hist))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rowLoop)))
        (local.set $b (i32.add (local.get $b) (local.get $m)))
        (br $blockLoop))))

  ;; dst ± src over `bytes` (a multiple of 16) as i64x2 (sign 1 adds, −1 subtracts): merging thread
  ;; partials, and a sibling from its parent.
  (func (export "addFixed") (param $dst i32) (param $src i32) (param $bytes i32) (param $subtract i32)
    (local $o i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $bytes)))
        (v128.store (i32.add (local.get $dst) (local.get $o))
          (if (result v128) (local.get $subtract)
            (then (i64x2.sub (v128.load (i32.add (local.get $dst) (local.get $o))) (v128.load (i32.add (local.get $src) (local.get $o)))))
            (else (i64x2.add (v128.load (i32.add (local.get $dst) (local.get $o))) (v128.load (i32.add (local.get $src) (local.get $o)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $l))))

  ;; The same for (gradient, hessian, count) f64 histograms (weighted rows): `bytes` a multiple of 8.
  (func (export "addFloat") (param $dst i32) (param $src i32) (param $bytes i32) (param $subtract i32)
    (local $o i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $bytes)))
        (f64.store (i32.add (local.get $dst) (local.get $o))
          (if (result f64) (local.get $subtract)
            (then (f64.sub (f64.load (i32.add (local.get $dst) (local.get $o))) (f64.load (i32.add (local.get $src) (local.get $o)))))
            (else (f64.add (f64.load (i32.add (local.get $dst) (local.get $o))) (f64.load (i32.add (local.get $src) (local.get $o)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $l))))

  ;; A fixed-point histogram of `bins` bins as (gradient, hessian, count) f64 triples for split finding.
  (func (export "decodeFixed") (param $src i32) (param $dst i32) (param $bins i32) (param $gunit f64) (param $hunit f64) (param $cbits i32)
    (local $k i32) (local $s i32) (local $t i32) (local $hl i64) (local $shift i64)
    (local.set $shift (i64.extend_i32_u (local.get $cbits)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $k) (local.get $bins)))
        (local.set $s (i32.add (local.get $src) (i32.shl (local.get $k) (i32.const 4))))
        (local.set $t (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 24))))
        (local.set $hl (i64.load offset=8 (local.get $s)))
        (f64.store (local.get $t) (f64.mul (f64.convert_i64_s (i64.load (local.get $s))) (local.get $gunit)))
        (f64.store offset=8 (local.get $t) (f64.mul (f64.convert_i64_s (i64.shr_s (local.get $hl) (local.get $shift))) (local.get $hunit)))
        (f64.store offset=16 (local.get $t)
          (f64.convert_i64_s (i64.and (local.get $hl) (i64.sub (i64.shl (i64.const 1) (local.get $shift)) (i64.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l))))

  ;; The largest |v| over n doubles at $at (8-byte aligned), two lanes at a time.
  (func (export "maxAbs") (param $at i32) (param $n i32) (result f64)
    (local $i i32) (local $m v128) (local $last f64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $m (f64x2.max (local.get $m) (f64x2.abs (v128.load align=8 (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $l)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (local.set $last (f64.abs (f64.load (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 3))))))))
    (f64.max (local.get $last) (f64.max (f64x2.extract_lane 0 (local.get $m)) (f64x2.extract_lane 1 (local.get $m)))))

  ;; Bins of m rows of X (f64, row-major, copied into $x), written to both layouts at rows
  ;; first … first + m − 1. $table: per feature 256 cuts padded with +inf (bin = number of cuts below
  ;; the value, found in eight branch-free steps), then one flag per feature, nonzero for categorical
  ;; (bin = the code, codes ≥ 254 sharing bin 254). NaN, and negative codes, go to the missing bin 255.
  (func (export "binRows")
    (param $x i32) (param $m i32) (param $d i32) (param $table i32) (param $rowMajor i32) (param $featureMajor i32) (param $n i32) (param $first i32)
    (local $r i32) (local $f i32) (local $v f64) (local $c i32) (local $lo i32) (local $bin i32) (local $flags i32) (local $row i32)
    (local.set $flags (i32.add (local.get $table) (i32.shl (i32.shl (local.get $d) (i32.const 8)) (i32.const 3))))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $row (i32.add (local.get $first) (local.get $r)))
        (local.set $f (i32.const 0))
        (block $featuresDone
          (loop $featureLoop
            (br_if $featuresDone (i32.ge_u (local.get $f) (local.get $d)))
            (local.set $v (f64.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $d)) (local.get $f)) (i32.const 3)))))
            (if (f64.ne (f64.load (i32.add (local.get $flags) (i32.shl (local.get $f) (i32.const 3)))) (f64.const 0))
              (then
                (local.set $bin
                  (if (result i32) (i32.or (f64.ne (local.get $v) (local.get $v)) (f64.lt (local.get $v) (f64.const 0)))
                    (then (i32.const 255))
                    (else (select (i32.const 254) (i32.trunc_sat_f64_u (local.get $v)) (f64.ge (local.get $v) (f64.const 254)))))))
              (else
                (local.set $c (i32.add (local.get $table) (i32.shl (i32.shl (local.get $f) (i32.const 8)) (i32.const 3))))
                (local.set $lo (i32.const 0))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=1016 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 7))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=504 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 6))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=248 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 5))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=120 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 4))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=56 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 3))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=24 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 2))))
                (local.set $lo (i32.add (local.get $lo) (i32.shl (f64.lt (f64.load offset=8 (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v)) (i32.const 1))))
                (local.set $lo (i32.add (local.get $lo) (f64.lt (f64.load (i32.add (local.get $c) (i32.shl (local.get $lo) (i32.const 3)))) (local.get $v))))
                (local.set $bin (select (local.get $lo) (i32.const 255) (f64.eq (local.get $v) (local.get $v))))))
            (i32.store8 (i32.add (local.get $rowMajor) (i32.add (i32.mul (local.get $row) (local.get $d)) (local.get $f))) (local.get $bin))
            (i32.store8 (i32.add (local.get $featureMajor) (i32.add (i32.mul (local.get $f) (local.get $n)) (local.get $row))) (local.get $bin))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $featureLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; e^x to within two units in the last place (checked against Math.exp in the tests): x = k·ln2 + r
  ;; with |r| ≤ ln2/2 (ln2 split in two parts so k·ln2 is exact), e^r by its Taylor series to r^13
  ;; (the first term left out is below 2e-16 relative), times 2^k built from bits. x is clamped to
  ;; [−708, 709], where e^x stays a normal double.
  (func $exp (param $x f64) (result f64)
    (local $k f64) (local $r f64) (local $p f64)
    (local.set $x (f64.min (f64.max (local.get $x) (f64.const -708)) (f64.const 709)))
    (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const 1.4426950408889634))))
    (local.set $r (f64.sub (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const 0.6931471803691238)))
      (f64.mul (local.get $k) (f64.const 1.9082149292705877e-10))))
    (local.set $p (f64.const 1.6059043836821613e-10))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 2.08767569878681e-9)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 2.505210838544172e-8)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 2.755731922398589e-7)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 2.7557319223985893e-6)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 2.48015873015873e-5)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 1.984126984126984e-4)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 1.388888888888889e-3)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 8.333333333333333e-3)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 4.1666666666666664e-2)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 0.16666666666666666)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 0.5)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 1)))
    (local.set $p (f64.add (f64.mul (local.get $p) (local.get $r)) (f64.const 1)))
    (f64.mul (local.get $p)
      (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_f64_s (local.get $k)) (i64.const 1023)) (i64.const 52)))))

  (func (export "exp") (param $x f64) (result f64) (call $exp (local.get $x)))

  ;; e^x for two lanes at once, as $exp but with the polynomial evaluated by Estrin's scheme: a chain
  ;; of 5 dependent multiply-adds instead of Horner's 14 (the chain, not the arithmetic, bounded speed).
  (func $exp2 (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $r8 v128)
    (local $a v128) (local $b v128) (local $c v128)
    (local.set $x (f64x2.min (f64x2.max (local.get $x) (f64x2.splat (f64.const -708))) (f64x2.splat (f64.const 709))))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
    (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (f64x2.splat (f64.const 0.6931471803691238))))
      (f64x2.mul (local.get $k) (f64x2.splat (f64.const 1.9082149292705877e-10)))))
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
    (local.set $r8 (f64x2.mul (local.get $r4) (local.get $r4)))
    ;; a = 1 + r + r²/2 + r³/6 + r⁴(1/24 + r/120 + r²(1/720 + r/5040))
    (local.set $a
      (f64x2.add
        (f64x2.add
          (f64x2.add (f64x2.splat (f64.const 1)) (local.get $r))
          (f64x2.mul (local.get $r2) (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 0.16666666666666666))))))
        (f64x2.mul (local.get $r4)
          (f64x2.add
            (f64x2.add (f64x2.splat (f64.const 4.1666666666666664e-2)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 8.333333333333333e-3))))
            (f64x2.mul (local.get $r2) (f64x2.add (f64x2.splat (f64.const 1.388888888888889e-3)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 1.984126984126984e-4)))))))))
    ;; b = r⁸(1/8! + r/9! + r²(1/10! + r/11!) + r⁴(1/12! + r/13!))
    (local.set $b
      (f64x2.add
        (f64x2.add
          (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-5)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 2.7557319223985893e-6))))
          (f64x2.mul (local.get $r2) (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-7)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 2.505210838544172e-8))))))
        (f64x2.mul (local.get $r4) (f64x2.add (f64x2.splat (f64.const 2.08767569878681e-9)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 1.6059043836821613e-10)))))))
    (local.set $c (f64x2.add (local.get $a) (f64x2.mul (local.get $r8) (local.get $b))))
    ;; 2^k from bits: k (whole, in [−1022, 1023]) to i64 lanes, + 1023, shifted into the exponent field.
    (f64x2.mul (local.get $c)
      (i64x2.shl
        (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i64x2.splat (i64.const 1023)))
        (i32.const 52))))

  (func (export "exp2") (param $x f64) (param $y f64) (param $out i32)
    (v128.store (local.get $out) (call $exp2 (f64x2.replace_lane 1 (f64x2.splat (local.get $x)) (local.get $y)))))

  ;; Binary log loss, unweighted rows [begin, end), two at a time: p = 1 / (1 + e^−score), gradient
  ;; p − y, hessian max(p(1 − p), 1e−16). With $quantize, only the fixed-point pairs are written (as
  ;; "quantize" would write them; the f64 arrays would only cost bandwidth), else grad and hess.
  (func $storeRow (param $i i32) (param $g f64) (param $h f64) (param $grad i32) (param $hess i32)
    (param $quantize i32) (param $gmul f64) (param $hmul f64) (param $cbits i32) (param $gh i32)
    (local $o i32)
    (if (local.get $quantize)
      (then
        (local.set $o (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 4))))
        (i64.store (local.get $o) (i64.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $g) (local.get $gmul)))))
        (i64.store offset=8 (local.get $o)
          (i64.or
            (i64.shl (i64.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $h) (local.get $hmul)))) (i64.extend_i32_u (local.get $cbits)))
            (i64.const 1))))
      (else
        (f64.store (i32.add (local.get $grad) (i32.shl (local.get $i) (i32.const 3))) (local.get $g))
        (f64.store (i32.add (local.get $hess) (i32.shl (local.get $i) (i32.const 3))) (local.get $h)))))

  (func (export "binaryGradients")
    (param $scores i32) (param $labels i32) (param $begin i32) (param $end i32) (param $grad i32) (param $hess i32)
    (param $quantize i32) (param $gmul f64) (param $hmul f64) (param $cbits i32) (param $gh i32)
    (local $i i32) (local $p v128) (local $g v128) (local $h v128) (local $o i32) (local $s v128) (local $y v128)
    (local.set $i (local.get $begin))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        ;; The last row of an odd range pairs with itself.
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $end))
          (then
            (local.set $s (v128.load align=8 (i32.add (local.get $scores) (local.get $o))))
            (local.set $y (v128.load align=8 (i32.add (local.get $labels) (local.get $o)))))
          (else
            (local.set $s (f64x2.splat (f64.load (i32.add (local.get $scores) (local.get $o)))))
            (local.set $y (f64x2.splat (f64.load (i32.add (local.get $labels) (local.get $o)))))))
        (local.set $p (f64x2.div (f64x2.splat (f64.const 1)) (f64x2.add (f64x2.splat (f64.const 1)) (call $exp2 (f64x2.neg (local.get $s))))))
        (local.set $g (f64x2.sub (local.get $p) (local.get $y)))
        (local.set $h (f64x2.max (f64x2.mul (local.get $p) (f64x2.sub (f64x2.splat (f64.const 1)) (local.get $p))) (f64x2.splat (f64.const 1e-16))))
        (call $storeRow (local.get $i) (f64x2.extract_lane 0 (local.get $g)) (f64x2.extract_lane 0 (local.get $h))
          (local.get $grad) (local.get $hess) (local.get $quantize) (local.get $gmul) (local.get $hmul) (local.get $cbits) (local.get $gh))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $end))
          (then
            (call $storeRow (i32.add (local.get $i) (i32.const 1)) (f64x2.extract_lane 1 (local.get $g)) (f64x2.extract_lane 1 (local.get $h))
              (local.get $grad) (local.get $hess) (local.get $quantize) (local.get $gmul) (local.get $hmul) (local.get $cbits) (local.get $gh))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rowLoop))))
)
