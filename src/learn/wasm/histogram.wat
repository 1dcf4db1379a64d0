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
        (br $rowLoop)))))
