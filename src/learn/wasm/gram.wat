;; Centered, weighted Gram matrix of a block of rows, with f64x2 SIMD.
;; Compiled by scripts/build-wasm.mjs into gram-wasm.ts (committed, so the build needs no assembler).
;;
;; Memory is laid out by the caller (src/learn/wasm/gram.ts):
;;   raw     rows × d     the block's rows as they are
;;   y       rows         the block's targets
;;   w       rows         the block's weights (read only when hasW)
;;   means   d            the centering point
;;   scratch rows4 × D2   shifted rows × √w, then the shifted target × √w (column d), then √w (column d + 1), then zeros
;;   G       D2 × D2      running sums of products of those columns: the Gram matrix, X̃ᵀỹ, ỹᵀỹ, Σ w x̃, Σ w ỹ and Σ w
(module
  (memory (export "memory") 1)

  ;; scratch[r] = [(raw[r] − means) · √w[r], (y[r] − yMean) · √w[r], √w[r], 0 …]; rows past `rows` (up to rows4) are zero.
  (func (export "center")
    (param $raw i32) (param $y i32) (param $w i32) (param $hasW i32) (param $means i32) (param $yMean f64)
    (param $rows i32) (param $rows4 i32) (param $d i32) (param $D2 i32) (param $scratch i32)
    (local $r i32) (local $j i32) (local $sw f64) (local $src i32) (local $dst i32)
    (local.set $r (i32.const 0))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows4)))
        (local.set $dst (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $r) (local.get $D2)) (i32.const 3))))
        (if (i32.ge_u (local.get $r) (local.get $rows))
          (then
            (local.set $j (i32.const 0))
            (block $zd
              (loop $zl
                (br_if $zd (i32.ge_u (local.get $j) (local.get $D2)))
                (f64.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $zl))))
          (else
            (local.set $sw
              (if (result f64) (local.get $hasW)
                (then (f64.sqrt (f64.load (i32.add (local.get $w) (i32.shl (local.get $r) (i32.const 3))))))
                (else (f64.const 1))))
            (local.set $src (i32.add (local.get $raw) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 3))))
            (local.set $j (i32.const 0))
            (block $jd
              (loop $jl
                (br_if $jd (i32.ge_u (local.get $j) (local.get $d)))
                (f64.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.mul
                    (f64.sub
                      (f64.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3))))
                      (f64.load (i32.add (local.get $means) (i32.shl (local.get $j) (i32.const 3)))))
                    (local.get $sw)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $jl)))
            (f64.store (i32.add (local.get $dst) (i32.shl (local.get $d) (i32.const 3)))
              (f64.mul
                (f64.sub (f64.load (i32.add (local.get $y) (i32.shl (local.get $r) (i32.const 3)))) (local.get $yMean))
                (local.get $sw)))
            (f64.store (i32.add (local.get $dst) (i32.shl (i32.add (local.get $d) (i32.const 1)) (i32.const 3))) (local.get $sw))
            (local.set $j (i32.add (local.get $d) (i32.const 2)))
            (block $pd
              (loop $pl
                (br_if $pd (i32.ge_u (local.get $j) (local.get $D2)))
                (f64.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))) (f64.const 0))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $pl)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; G[j][k] += Σ over the block's rows of s[r][j] · s[r][k], for k ≥ j rounded down to even; four rows at a time.
  (func (export "accumulate") (param $s i32) (param $rows4 i32) (param $D i32) (param $D2 i32) (param $G i32)
    (local $r i32) (local $j i32) (local $k i32) (local $rowBytes i32) (local $off i32) (local $gp i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $D2) (i32.const 3)))
    (local.set $r (i32.const 0))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows4)))
        (local.set $p0 (i32.add (local.get $s) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $jd
          (loop $jl
            (br_if $jd (i32.ge_u (local.get $j) (local.get $D)))
            (local.set $off (i32.shl (local.get $j) (i32.const 3)))
            (local.set $a0 (f64x2.splat (f64.load (i32.add (local.get $p0) (local.get $off)))))
            (local.set $a1 (f64x2.splat (f64.load (i32.add (local.get $p1) (local.get $off)))))
            (local.set $a2 (f64x2.splat (f64.load (i32.add (local.get $p2) (local.get $off)))))
            (local.set $a3 (f64x2.splat (f64.load (i32.add (local.get $p3) (local.get $off)))))
            (local.set $k (i32.and (local.get $j) (i32.const -2)))
            (local.set $off (i32.shl (local.get $k) (i32.const 3)))
            (local.set $gp (i32.add (local.get $G) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $D2)) (local.get $k)) (i32.const 3))))
            (block $kd
              (loop $kl
                (br_if $kd (i32.ge_u (local.get $k) (local.get $D2)))
                (v128.store (local.get $gp)
                  (f64x2.add
                    (v128.load (local.get $gp))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.mul (local.get $a0) (v128.load (i32.add (local.get $p0) (local.get $off))))
                        (f64x2.mul (local.get $a1) (v128.load (i32.add (local.get $p1) (local.get $off)))))
                      (f64x2.add
                        (f64x2.mul (local.get $a2) (v128.load (i32.add (local.get $p2) (local.get $off))))
                        (f64x2.mul (local.get $a3) (v128.load (i32.add (local.get $p3) (local.get $off))))))))
                (local.set $k (i32.add (local.get $k) (i32.const 2)))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
                (br $kl)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowLoop)))))
