;; Tree-ensemble prediction: adds each tree's leaf value to each row's score, for a block of rows.
;; Compiled by scripts/build-wasm.mjs into forest-wasm.ts (committed).
;; The forest is packed by forest.ts from src/learn/tree/forest-layout.ts (numeric splits only).
(module
  ;; Shared, so worker threads can predict disjoint row ranges on the same forest and rows.
  (import "env" "memory" (memory 1 65536 shared))

  ;; The packed forest: 16-byte entries {f64 threshold (a leaf: its value); i32 info; i32 left}, one
  ;; cache line a step instead of one per field. info >= 0 splits on feature info >> 1, missing values
  ;; going right when info & 1; info < 0 is a leaf. A split's children are adjacent entries, left then
  ;; right, so one index names both. roots[t] is tree t's first entry.
  ;;
  ;; Adds each tree's leaf value to the scores of `rows` rows, four rows walked at once: the four walks
  ;; are independent, so their loads and comparisons overlap instead of each waiting on the last (a
  ;; walk is a chain of dependent loads). Each step is branch-free; a row at a leaf stays there (its
  ;; feature read, at index -1, lands harmlessly on the 8 bytes before its row).
  (func (export "predictBlock4")
    (param $X i32) (param $rows i32) (param $d i32)
    (param $roots i32) (param $nTrees i32) (param $outputs i32) (param $nodes i32) (param $scores i32)
    (local $t i32) (local $root i32) (local $out i32) (local $i i32) (local $k i32) (local $v f64)
    (local $e0 i32) (local $e1 i32) (local $e2 i32) (local $e3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $rowBytes i32) (local $at i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $t (i32.const 0))
    (block $treesDone
      (loop $treeLoop
        (br_if $treesDone (i32.ge_u (local.get $t) (local.get $nTrees)))
        (local.set $root (i32.add (local.get $nodes)
          (i32.shl (i32.load (i32.add (local.get $roots) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 4))))
        (local.set $out (i32.rem_u (local.get $t) (local.get $outputs)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
            ;; Rows past the block's end repeat the last row; their results are not stored.
            (local.set $r0 (i32.add (local.get $X) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $r1 (select (i32.add (local.get $r0) (local.get $rowBytes)) (local.get $r0) (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $rows))))
            (local.set $r2 (select (i32.add (local.get $r1) (local.get $rowBytes)) (local.get $r1) (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $rows))))
            (local.set $r3 (select (i32.add (local.get $r2) (local.get $rowBytes)) (local.get $r2) (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $rows))))
            (local.set $e0 (local.get $root))
            (local.set $e1 (local.get $root))
            (local.set $e2 (local.get $root))
            (local.set $e3 (local.get $root))
            (block $allLeaves
              (loop $walk
                (local.set $i0 (i32.load offset=8 (local.get $e0)))
                (local.set $i1 (i32.load offset=8 (local.get $e1)))
                (local.set $i2 (i32.load offset=8 (local.get $e2)))
                (local.set $i3 (i32.load offset=8 (local.get $e3)))
                ;; The and of four numbers is negative only when all four are (all at leaves).
                (br_if $allLeaves (i32.lt_s (i32.and (i32.and (local.get $i0) (local.get $i1)) (i32.and (local.get $i2) (local.get $i3))) (i32.const 0)))
                (local.set $e0 (select (local.get $e0)
                  (i32.add (local.get $nodes) (i32.shl
                    (i32.add (i32.load offset=12 (local.get $e0))
                      (select
                        (f64.gt (local.tee $v (f64.load (i32.add (local.get $r0) (i32.shl (i32.shr_s (local.get $i0) (i32.const 1)) (i32.const 3))))) (f64.load (local.get $e0)))
                        (i32.and (local.get $i0) (i32.const 1))
                        (f64.eq (local.get $v) (local.get $v))))
                    (i32.const 4)))
                  (i32.lt_s (local.get $i0) (i32.const 0))))
                (local.set $e1 (select (local.get $e1)
                  (i32.add (local.get $nodes) (i32.shl
                    (i32.add (i32.load offset=12 (local.get $e1))
                      (select
                        (f64.gt (local.tee $v (f64.load (i32.add (local.get $r1) (i32.shl (i32.shr_s (local.get $i1) (i32.const 1)) (i32.const 3))))) (f64.load (local.get $e1)))
                        (i32.and (local.get $i1) (i32.const 1))
                        (f64.eq (local.get $v) (local.get $v))))
                    (i32.const 4)))
                  (i32.lt_s (local.get $i1) (i32.const 0))))
                (local.set $e2 (select (local.get $e2)
                  (i32.add (local.get $nodes) (i32.shl
                    (i32.add (i32.load offset=12 (local.get $e2))
                      (select
                        (f64.gt (local.tee $v (f64.load (i32.add (local.get $r2) (i32.shl (i32.shr_s (local.get $i2) (i32.const 1)) (i32.const 3))))) (f64.load (local.get $e2)))
                        (i32.and (local.get $i2) (i32.const 1))
                        (f64.eq (local.get $v) (local.get $v))))
                    (i32.const 4)))
                  (i32.lt_s (local.get $i2) (i32.const 0))))
                (local.set $e3 (select (local.get $e3)
                  (i32.add (local.get $nodes) (i32.shl
                    (i32.add (i32.load offset=12 (local.get $e3))
                      (select
                        (f64.gt (local.tee $v (f64.load (i32.add (local.get $r3) (i32.shl (i32.shr_s (local.get $i3) (i32.const 1)) (i32.const 3))))) (f64.load (local.get $e3)))
                        (i32.and (local.get $i3) (i32.const 1))
                        (f64.eq (local.get $v) (local.get $v))))
                    (i32.const 4)))
                  (i32.lt_s (local.get $i3) (i32.const 0))))
                (br $walk)))
            (local.set $k (i32.const 0))
            (block $stored
              (loop $store
                (br_if $stored (i32.or (i32.ge_u (local.get $k) (i32.const 4)) (i32.ge_u (i32.add (local.get $i) (local.get $k)) (local.get $rows))))
                (local.set $at (i32.add (local.get $scores)
                  (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $k)) (local.get $outputs)) (local.get $out)) (i32.const 3))))
                (f64.store (local.get $at)
                  (f64.add (f64.load (local.get $at))
                    (f64.load
                      (select (local.get $e0) (select (local.get $e1) (select (local.get $e2) (local.get $e3) (i32.eq (local.get $k) (i32.const 2))) (i32.eq (local.get $k) (i32.const 1))) (i32.eqz (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $store)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rowLoop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $treeLoop)))))
